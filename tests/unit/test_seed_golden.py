"""Golden tests for the real seed document: South Worcestershire CSP, DHR Case No 2.

The expected values below come from reading the document by hand (see DOMAIN.md for
its quirks), not from the parser's output.
"""

from __future__ import annotations

import html
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from adapters.importing.text_table import ParsedPlan, ParsedRecommendation, parse_plan_text

FOOTER_1 = (
    "South Worcestershire Community Safety Partnership \u2013 Domestic Homicide Review \u2013"
)
FOOTER_2 = (
    "Executive Summary \u2013 Confidential \u2013 Not to be Photocopied or Circulated "
    "2nd Version dated 29th May 2014"
)
COLUMN_HEADER = (
    "Recommendation\tAction Required by Agency\tImplementation Lead\t"
    "Target date for Completion\tSummary of Action Taken & Date"
)
# Page furniture and title-block lines: not table content.
KNOWN_NON_TABLE_LINES = {
    FOOTER_1,
    FOOTER_2,
    COLUMN_HEADER,
    "South Worcestershire Community Safety Partnership",
    "Domestic Homicide Review Case No 2",
    "ACTION PLAN",
    "Overview Report Recommendations",
    "Individual Management Report Recommendations",
}

WMP = "West Mercia Police"
CRI = "CRI Pathway to Recovery"
REC3_AGENCIES = (
    "CCG Quality and Patient Safety Committees; Community Safety Partnership; "
    "Worcestershire Safeguarding Adult Board"
)
LEACH_FOOTMAN = (
    "Jonathan Leach Named General Practitioner Safeguarding",
    "Ellen Footman Designated Nurse",
)
REC11_TARGET = (
    "Freedom Programme for Professionals re-commissioned in April 2013 for 12 months to "
    "Stonham. Course dates to be released throughout the year."
)

# ref -> (agency, leads, target, [(date_text, opening words of the update)])
GOLDEN: dict[str, tuple[str, tuple[str, ...], str, list[tuple[str | None, str]]]] = {
    "overview/1": (
        WMP,
        ("Det Supt HQ PVP",),
        "July 2014",
        [
            ("August 2013", "All current front line response"),
            ("Feb 2014", "Following an HMIC Review in"),
        ],
    ),
    "overview/2": (
        WMP,
        ("Ch Supt Local Policing (strategic alliance)",),
        "December 2013",
        [
            ("August 2013", "The Anti Social Behaviour Risk"),
            ("Feb 2014", "This process is currently under"),
        ],
    ),
    "overview/3": (
        REC3_AGENCIES,
        (
            *LEACH_FOOTMAN,
            "Jonathan Leach Named General Practitioner",
            "Frances Howie",
            "Jo Galloway Executive Nurse Quality and Patient Safety",
        ),
        "March 2013; April 2013; December 2013; November 2013",
        [(None, "Completed /Ongoing Item in June Newsletter")],
    ),
    "overview/4": (
        "Worcestershire Acute Hospital Trust",
        (
            "Clare Bush Matron Emergency Department WRH AND Kidderminster",
            # One post at one place: the place's line names no person and no post.
            "MIU Worcestershire Royal Hospital Rose Johnson (Clinical Director A&E)",
            "Amy Ritchie",
            "Alison Chapman",
        ),
        "Ongoing",
        [(None, "There are a number of processes")],
    ),
    "overview/5": ("South Worcestershire Community Safety Partnership", (), "", []),
    "overview/6": (
        "Responsible Authorities within the Community Safety Partnership",
        (),
        "",
        [(None, "This is in place within")],
    ),
    "overview/7": (
        "West Mercia Women's Aid",
        ("Adele McGuigan \u2013 Service Manager",),
        "1 st July and ongoing",
        [(None, "This issue has been highlighted")],
    ),
    "overview/8": (
        "West Mercia Women's Aid",
        (),
        "1 st April 2013 and ongoing",
        [
            # The lead cell's action text: one update, dated as its restatements say.
            ("1st April 2013", "IDVA procedures now include a clause"),
            (None, "This has been incorporated into"),
            ("1st April 2013", "Action taken 1 st April 2013 and monitoring"),
        ],
    ),
    "overview/9": (
        "Worcester Community Housing",
        ("Paul Adams Estate Manager Lead on DV", "Viv Marriott Senior Neighbourhood Manager"),
        "July 2013",
        [
            ("May 2013", "New case management now installed, (May 2013)"),
            ("May 2013", "staff training completed (May 2013)"),
        ],
    ),
    "overview/10": (
        "South Worcestershire Community Safety Partnership",
        (),
        "",
        [(None, "These guidance's have been shared")],
    ),
    "overview/11": (
        "The Responsible Authorities within Community Safety Partnership",
        ("Stonham Home Group", "Strategic Coordinator"),
        REC11_TARGET,
        [(None, "The Freedom Programme for Professionals")],
    ),
    "overview/12": (
        "South Worcestershire Safety Community Partnership",
        ("All agency leads",),
        "Action plan to be updated",
        [(None, "Strategic coordinator to brief Worcestershire")],
    ),
    "imr/west-mercia-police/1": (
        WMP,
        ("Det Supt Head of PVP",),
        "Autumn 2013",
        [(None, "The West Mercia and Warwickshire"), ("Feb 2014", "A Harm Assessment Unit for")],
    ),
    "imr/west-mercia-police/2": (
        WMP,
        ("Ch Supt McNevin",),
        "Autumn 2013",
        [(None, "The Anti Social Behaviour Risk"), ("Feb 2014", "This process is currently under")],
    ),
    "imr/west-mercia-police/3": (
        WMP,
        ("Det Supt Head of PVP",),
        "Autumn 2013",
        [(None, "The completed pilot process of"), ("Feb 2014", "Shortly after this DHR West")],
    ),
    "imr/west-mercia-police/4": (
        WMP,
        ("Det Supt Head of PVP",),
        "Implemented and ongoing.",
        [(None, "Individuals who are identified as"), ("Feb 2014", "The Harm Assessment Unit for")],
    ),
    "imr/west-mercia-police/5": (
        WMP,
        (),
        "",
        [(None, "Since 2007 all new West"), ("Feb 2014", "Child Safeguarding remains a priority")],
    ),
    "imr/west-mercia-police/6": (
        WMP,
        ("Chief Supt Safety & Justice",),
        "September 2013",
        [
            (None, "The strategic alliance is currently"),
            ("Feb 2014", "Operations and Communications Centre has"),
        ],
    ),
    "imr/cri-pathway-to-recovery/1": (
        CRI,
        ("Jon Shorrocks", "Steve Sanger"),
        "April 2013",
        [(None, "MAPPAs lists currently available and"), ("August 2013", "as above and not able")],
    ),
    "imr/cri-pathway-to-recovery/2": (
        CRI,
        ("Steve Sanger", "Local commissioners"),
        "April 2013",
        [(None, "Commissioners have been informed and")],
    ),
}

EXPECTED_REFS = [
    *(f"overview/{n}" for n in range(1, 13)),
    *(f"imr/west-mercia-police/{n}" for n in range(1, 7)),
    "imr/cri-pathway-to-recovery/1",
    "imr/cri-pathway-to-recovery/2",
]


@pytest.fixture(scope="module")
def seed_path() -> Path:
    """The seed lives in the shared folder next to the repository (/work/shared)."""
    return (
        Path(__file__).resolve().parents[2].parent
        / "shared"
        / "data"
        / "dhr-case-2-action-plan.txt"
    )


@pytest.fixture(scope="module")
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan(seed_text: str) -> ParsedPlan:
    return parse_plan_text(seed_text)


@pytest.fixture(scope="module")
def recs(plan: ParsedPlan) -> dict[str, ParsedRecommendation]:
    return {rec.ref: rec for rec in plan.recommendations}


def _opening(text: str, like: str) -> str:
    """The first words of ``text``, as many as ``like`` has."""
    return " ".join(text.split()[: len(like.split())])


def _messages(plan: ParsedPlan, line: int) -> list[str]:
    return [warning.message for warning in plan.warnings if warning.line == line]


# --- the plan as a whole ------------------------------------------------------------------


def test_seed_has_exactly_the_twenty_recommendations_in_document_order(plan: ParsedPlan) -> None:
    assert [rec.ref for rec in plan.recommendations] == EXPECTED_REFS


def test_title_partnership_and_version_come_from_the_title_block_and_footer(
    plan: ParsedPlan,
) -> None:
    assert plan.title == "Domestic Homicide Review Case No 2"
    assert plan.partnership == "South Worcestershire Community Safety Partnership"
    assert plan.version_label == "2nd Version dated 29th May 2014"
    assert plan.version_date == "29th May 2014"


@pytest.mark.parametrize("ref", list(GOLDEN))
def test_golden_recommendation(recs: dict[str, ParsedRecommendation], ref: str) -> None:
    agency, leads, target, updates = GOLDEN[ref]
    rec = recs[ref]
    assert rec.agency == agency
    assert rec.leads == leads
    assert rec.target == target
    got = [
        (u.date_text, _opening(u.text, words))
        for u, (_, words) in zip(rec.updates, updates, strict=False)
    ]
    assert len(rec.updates) == len(updates)
    assert got == updates


def test_sections_numbers_and_lines(recs: dict[str, ParsedRecommendation]) -> None:
    assert recs["overview/1"].section == "overview"
    assert recs["imr/west-mercia-police/2"].section == "imr/west-mercia-police"
    assert recs["imr/cri-pathway-to-recovery/1"].section == "imr/cri-pathway-to-recovery"
    assert [recs[f"overview/{n}"].number for n in range(1, 13)] == list(range(1, 13))
    assert recs["overview/1"].line == 11
    assert recs["imr/west-mercia-police/1"].line == 104
    assert recs["imr/cri-pathway-to-recovery/2"].line == 145
    assert all(rec.rag is None for rec in recs.values())


def test_recommendation_text_loses_only_its_number_prefix(
    recs: dict[str, ParsedRecommendation],
) -> None:
    assert recs["overview/1"].text.startswith(
        "West Mercia Police should ensure that all front line"
    )
    assert recs["overview/12"].text.endswith("accepted by the CSP Board.")
    assert recs["imr/west-mercia-police/6"].text == (
        "Management of the Operational Information System needs to be more dynamic and subject "
        "to scrutiny"
    )
    assert not any(rec.text.startswith("Recommendation") for rec in recs.values())


def test_the_seed_produces_exactly_these_warnings(plan: ParsedPlan) -> None:
    assert [w.line for w in plan.warnings] == [
        20,
        26,
        26,
        26,
        45,
        58,
        58,
        59,
        59,
        67,
        75,
        75,
        82,
        125,
        125,
        145,
    ]


def test_parsing_the_seed_is_fast(seed_text: str) -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        parse_plan_text(seed_text)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1


# --- one test per quirk in DOMAIN.md --------------------------------------------------------


def test_rows_split_by_page_breaks_are_reassembled(recs: dict[str, ParsedRecommendation]) -> None:
    # Summary continued on the next page mid-sentence ("Identified" / "repeat child victims").
    assert "Identified repeat child victims and adults" in recs["overview/1"].updates[0].text
    # Recommendation text continued with a non-empty first cell ("and" / "antecedent").
    assert "obtain full details and antecedent information of patients" in recs["overview/4"].text
    assert recs["overview/6"].text.endswith(
        "passed on to other relevant agencies at the end of the contract."
    )
    # A cell that was only "Recommendation No 1" gets its text from the next page.
    assert recs["imr/west-mercia-police/1"].text.startswith("To Develop an analytical product")
    # "since" / "January 2013." is one sentence, not a new dated update.
    assert "piloted within selected areas of West Mercia since January 2013. The outcome" in (
        recs["imr/west-mercia-police/2"].updates[0].text
    )
    # Lead cells continued across pages add leads; the continuation of rec 8's lead cell too.
    assert recs["overview/4"].leads[-2:] == ("Amy Ritchie", "Alison Chapman")
    # The continued part of a Feb 2014 update is read from its own line.
    assert recs["imr/west-mercia-police/1"].updates[1].line == 109
    assert (
        recs["imr/west-mercia-police/3"]
        .updates[1]
        .text.endswith("identification and training for \u2018champions\u2019 on each shift")
    )


def test_page_headers_footers_and_repeated_column_headers_are_dropped(plan: ParsedPlan) -> None:
    fields = list(_all_field_texts(plan, with_warnings=False))
    warnings = [warning.message for warning in plan.warnings]
    for furniture in ("Executive Summary", "Photocopied", "Confidential", "ACTION PLAN"):
        assert not any(furniture in text for text in fields + warnings), furniture
    for column_header in ("Target date for Completion", "Implementation Lead", "Action Taken &"):
        assert not any(column_header in text for text in fields), column_header
    assert not any("Individual Management Report Recommendations" in text for text in fields)
    assert not any(re.search(r"--", text) for text in fields + warnings)


def test_tail_of_a_cell_landing_in_the_next_row_is_moved_back(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    assert (
        recs["overview/1"]
        .updates[-1]
        .text.endswith(
            "WMP are developing an action plan arising out of the recent HMIC inspection."
        )
    )
    assert recs["overview/2"].updates[0].date_text == "August 2013"
    assert not any("the recent HMIC" in u.text for u in recs["overview/2"].updates)
    [message] = _messages(plan, 20)
    assert "'the recent HMIC inspection.'" in message and "moved back" in message
    assert "Overview rec 1" in message


def test_rec_8_implementation_lead_holding_action_text_is_kept_and_warned(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    rec8 = recs["overview/8"]
    assert rec8.leads == ()
    # One statement, pasted twice and dated twice (its page-break continuation too): one
    # update, dated by the restatements, which are kept verbatim in the warning.
    required = "seek alternative premises where client will feel comfortable to attend meetings"
    assert rec8.updates[0].text == (
        f"IDVA procedures now include a clause directing them to {required}, when required."
    )
    assert (rec8.updates[0].date_text, rec8.updates[0].line) == ("1st April 2013", 67)
    assert [u.text.split()[0] for u in rec8.updates[1:]] == ["This", "Action"]
    [message] = _messages(plan, 67)
    assert message.startswith(
        "Overview rec 8: 'Implementation Lead' cell looks like action text, kept as one update, "
        "dated 1st April 2013 (no lead named): 'IDVA procedures now include"
    )
    assert message.endswith(
        "; repeating it, so only dating it: 'Action completed 1 st April 2013 directing them "
        f"to {required}, when required.', 'Action completed 1st April 2013'"
    )


def test_rec_4_a_place_on_a_line_of_its_own_is_read_with_the_lead_after_it(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    assert "MIU Worcestershire Royal Hospital Rose Johnson (Clinical Director A&E)" in (
        recs["overview/4"].leads
    )
    assert _messages(plan, 45) == [
        "Overview rec 4: 'Implementation Lead' line 'MIU Worcestershire Royal Hospital' names a "
        "place, no person or post; read with 'Rose Johnson (Clinical Director A&E)' as one lead"
    ]


def test_rec_3_five_sub_actions_are_paired_with_parallel_leads_and_targets(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    subs = recs["overview/3"].sub_actions
    assert [s.number for s in subs] == ["1", "2", "3", "4", "5"]
    assert subs[0].text.startswith("Awareness raising of domestic abuse guidance")
    assert (
        subs[1].text
        == "Identification of Nominated Lead for Domestic Abuse in each general practice."
    )
    assert subs[4].text.endswith("fed back to CCG Safeguarding Adults and Children health Forum")
    assert [s.target for s in subs] == [
        "March 2013",
        "April 2013",
        "December 2013",
        "November 2013",
        "",
    ]
    assert subs[1].leads == ("Jonathan Leach Named General Practitioner",)
    assert all(s.leads == LEACH_FOOTMAN for i, s in enumerate(subs) if i != 1)
    messages = _messages(plan, 26)
    assert any("5 sub-actions but 4 'Target date for Completion' entries" in m for m in messages)
    assert any(
        "5 sub-actions but 7 'Implementation Lead' entries" in m and "'Frances Howie'" in m
        for m in messages
    )
    assert any("read as several leads" in m for m in messages)


def test_rec_5_blank_cells_are_empty_and_warned(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    rec5 = recs["overview/5"]
    assert (rec5.leads, rec5.target, rec5.updates, rec5.sub_actions) == ((), "", (), ())
    assert _messages(plan, 58) == [
        "Overview rec 5: 'Implementation Lead' cell is blank",
        "Overview rec 5: 'Target date for Completion' cell is blank",
    ]


def test_cri_rec_2_cut_off_at_end_is_kept_and_warned(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    rec = recs["imr/cri-pathway-to-recovery/2"]
    assert rec.text == (
        "Ensure a smooth transition of client information through contractual/organisational "
        "changes"
    )
    assert rec.sub_actions[0].text.startswith("To ensure that all closed high risk clients")
    assert rec.updates[0].text.endswith("with any future commissioning arrangements")
    assert _messages(plan, 145) == [
        "CRI Pathway to Recovery rec 2: row cut off at end of file; kept what is there"
    ]


def test_html_is_cleaned_and_list_items_stay_separate_lines(
    plan: ParsedPlan, recs: dict[str, ParsedRecommendation]
) -> None:
    for text in _all_field_texts(plan, with_warnings=False):
        assert "<" not in text and ">" not in text and "list-style" not in text
        assert "\u2022" not in text and "  " not in text
    rec4_lines = recs["overview/4"].updates[0].text.split("\n")
    assert "All staff have mandatory safeguarding e-learning training" in rec4_lines
    assert "Scoping placing an IDVA into hospital" in rec4_lines
    assert len(rec4_lines) == 13
    rec10_lines = recs["overview/10"].text.split("\n")
    assert rec10_lines[1] == (
        "Herefordshire Safeguarding Children Board regarding working with resistant, violent and "
        "aggressive families;"
    )
    assert rec10_lines[3] == "guidance issues by the Government in December 2012."
    cri1 = recs["imr/cri-pathway-to-recovery/1"]
    assert [s.text.split()[:3] for s in cri1.sub_actions] == [
        ["To", "cross", "reference"],
        ["To", "assertively", "follow-up"],
    ]
    assert (
        cri1.updates[1].text.split("\n")[1]
        == "Any flagged clients are routinely assertively engaged"
    )


# --- nothing lost, nothing invented ---------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9]{4,}")


def _all_field_texts(plan: ParsedPlan, *, with_warnings: bool):
    for rec in plan.recommendations:
        yield from (rec.text, rec.agency, rec.target, *rec.leads)
        for sub in rec.sub_actions:
            yield from (sub.text, sub.target, *sub.leads)
        for update in rec.updates:
            yield update.text
            if update.date_text:
                yield update.date_text
    if with_warnings:
        yield from (warning.message for warning in plan.warnings)


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _table_words(seed_text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in seed_text.splitlines():
        if not line.strip() or line.strip() in KNOWN_NON_TABLE_LINES:
            continue
        cleaned = html.unescape(re.sub(r"<[^>]+>", " ", line))
        cleaned = re.sub(r"Recommendation No \d+", " ", cleaned)  # carried by the ref
        cleaned = cleaned.replace("Agency:", " ")
        # The "Update" of a date header ("Update Feb 2014:") is carried by date_text.
        cleaned = re.sub(r"\bUpdate(?= (?:Feb|August|May) 20\d\d)", " ", cleaned)
        counts.update(_words(cleaned))
    return counts


def test_no_content_is_lost(seed_text: str, plan: ParsedPlan) -> None:
    source = _table_words(seed_text)
    parsed = Counter(w for text in _all_field_texts(plan, with_warnings=True) for w in _words(text))
    missing = {word: n - parsed[word] for word, n in source.items() if parsed[word] < n}
    assert missing == {}
    assert sum(source.values()) > 2000


def test_no_content_is_invented(seed_text: str, plan: ParsedPlan) -> None:
    source = set(_table_words(seed_text))
    parsed = {w for text in _all_field_texts(plan, with_warnings=False) for w in _words(text)}
    assert parsed - source == set()
