"""The text-table importer on small invented plans: other shapes, bad input, helpers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.importing.assemble import number_in
from adapters.importing.text_table import (
    ParsedPlan,
    PlanParseError,
    html_to_text,
    match_columns,
    parse_plan_text,
    parse_rows,
    ref_sort_key,
    slugify,
)

HEADER = "Recommendation\tLead agency\tLead officer\tTarget date\tProgress update"


def row(*cells: str) -> str:
    return "\t".join(cells)


def doc(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def by_ref(plan: ParsedPlan) -> dict:
    return {rec.ref: rec for rec in plan.recommendations}


def messages(plan: ParsedPlan) -> list[str]:
    return [warning.message for warning in plan.warnings]


# An invented Safeguarding Adults Review plan: agency sections only, no overview section.
AGENCY_ONLY = doc(
    "Riverton Safeguarding Adults Board",
    'Safeguarding Adults Review "Ashdown" Action Plan',
    "Version 3 dated 14 March 2016",
    "",
    "Agency: Adult Social Care",
    HEADER,
    row(
        "Recommendation 1 Review the hoarding protocol with housing providers.",
        "Adult Social Care",
        "Sam Okafor Head of Service",
        "June 2016",
        "Update March 2016: protocol redrafted and out for consultation.",
    ),
    row(
        "Recommendation 2 Audit self-neglect referrals.",
        "adult social care",
        "Priya Nair Principal Social Worker",
        "Autumn 2016",
        "Audit tool agreed. Update May 2016 \u2013 first sample of 40 cases reviewed.",
    ),
    "",
    "Agency: Riverton Housing Association",
    HEADER,
    row(
        "Recommendation 1 Train tenancy officers to spot self-neglect.",
        "Riverton Housing Association",
        "Lee Grant / Tenancy Services Manager",
        "December 2016",
        "<ul><li>Course booked</li><li>Update July 2016: 12 officers trained</li></ul>",
    ),
)


def test_agency_sections_without_an_overview() -> None:
    plan = parse_plan_text(AGENCY_ONLY)
    assert [rec.ref for rec in plan.recommendations] == [
        "imr/adult-social-care/1",
        "imr/adult-social-care/2",
        "imr/riverton-housing-association/1",
    ]
    assert plan.title == 'Safeguarding Adults Review "Ashdown" Action Plan'
    assert plan.partnership == "Riverton Safeguarding Adults Board"
    assert plan.version_label == "Version 3 dated 14 March 2016"
    assert plan.version_date == "14 March 2016"
    recs = by_ref(plan)
    first = recs["imr/adult-social-care/1"]
    assert first.section == "imr/adult-social-care"
    assert first.text == "Review the hoarding protocol with housing providers."
    assert first.agency == "Adult Social Care"
    assert first.leads == ("Sam Okafor Head of Service",)
    assert [(u.date_text, u.text) for u in first.updates] == [
        ("March 2016", "protocol redrafted and out for consultation.")
    ]
    # A cell differing from the heading only in case reads as the heading's agency.
    assert recs["imr/adult-social-care/2"].agency == "Adult Social Care"
    assert [(u.date_text, u.text) for u in recs["imr/adult-social-care/2"].updates] == [
        (None, "Audit tool agreed."),
        ("May 2016", "first sample of 40 cases reviewed."),
    ]
    housing = recs["imr/riverton-housing-association/1"]
    assert housing.leads == ("Lee Grant", "Tenancy Services Manager")
    assert [(u.date_text, u.text) for u in housing.updates] == [
        (None, "Course booked"),
        ("July 2016", "12 officers trained"),
    ]
    assert plan.warnings == ()


def test_agency_name_takes_the_cells_capitalisation_when_only_case_differs() -> None:
    plan = parse_plan_text(
        doc(
            "Agency: riverton police",
            HEADER,
            row(
                "Recommendation 1 Brief all shifts.",
                "Riverton Police",
                "Insp Carol Dunn",
                "May 2015",
                "",
            ),
            row(
                "Recommendation 2 Refresh the DASH training.", "", "Insp Carol Dunn", "May 2015", ""
            ),
        )
    )
    assert [rec.ref for rec in plan.recommendations] == [
        "imr/riverton-police/1",
        "imr/riverton-police/2",
    ]
    assert [rec.agency for rec in plan.recommendations] == ["Riverton Police", "Riverton Police"]


def test_nested_numbering_keeps_the_dotted_number_in_the_ref() -> None:
    plan = parse_plan_text(
        doc(
            "Agency: Adult Social Care",
            HEADER,
            row(
                "Recommendation 21.10.1 Publish the escalation policy.",
                "ASC",
                "Jo Bell",
                "2017",
                "",
            ),
            row("Recommendation 21.2 Review the policy yearly.", "ASC", "Jo Bell", "2018", ""),
            row("Recommendation 3 Share learning.", "ASC", "Jo Bell", "2018", ""),
        )
    )
    recs = plan.recommendations
    assert [(r.number, r.number_text) for r in recs] == [(21, "21.10.1"), (21, "21.2"), (3, "3")]
    assert recs[0].ref == "imr/adult-social-care/21.10.1"
    assert recs[0].text == "Publish the escalation policy."
    assert sorted((r.ref for r in recs), key=ref_sort_key) == [
        "imr/adult-social-care/3",
        "imr/adult-social-care/21.2",
        "imr/adult-social-care/21.10.1",
    ]


def test_ref_sort_key_orders_overview_first_and_numbers_numerically() -> None:
    refs = ["imr/b/10", "overview/10", "imr/a/2", "overview/2", "overview/2#2", "imr/b/9"]
    assert sorted(refs, key=ref_sort_key) == [
        "overview/2",
        "overview/2#2",
        "overview/10",
        "imr/a/2",
        "imr/b/9",
        "imr/b/10",
    ]


def test_blank_target_column_gives_empty_targets_and_a_warning_each() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row("Recommendation 1 Map the local IDVA offer.", "CSP", "Ann Cole", "", "Mapped."),
            row("Recommendation 2 Publish the map.", "CSP", "Ann Cole", "", ""),
        )
    )
    assert [rec.target for rec in plan.recommendations] == ["", ""]
    assert [(w.line, w.message) for w in plan.warnings] == [
        (2, "Overview rec 1: 'Target date' cell is blank"),
        (3, "Overview rec 2: 'Target date' cell is blank"),
    ]


def test_a_missing_target_column_is_warned_once_at_the_header() -> None:
    plan = parse_plan_text(
        doc(
            "Recommendation\tAgency\tLead\tUpdate",
            row("Recommendation 1 Map the local IDVA offer.", "CSP", "Ann Cole", "Mapped."),
        )
    )
    assert plan.recommendations[0].target == ""
    assert [(w.line, w.message) for w in plan.warnings] == [
        (1, "header row has no column for: target")
    ]


def test_rag_column_and_columns_in_another_order() -> None:
    plan = parse_plan_text(
        doc(
            "RAG rating\tProgress\tRecommendation\tResponsible officer\tLead Agency\tDeadline",
            row(
                "Green",
                "Done (Jan 2019)",
                "Recommendation 1 Fit door alarms.",
                "Raj Patel",
                "Housing",
                "Dec 2018",
            ),
            row(
                "", "", "Recommendation 2 Review alarm uptake.", "Raj Patel", "Housing", "Mar 2019"
            ),
        )
    )
    first, second = plan.recommendations
    assert (first.rag, first.agency, first.leads, first.target) == (
        "Green",
        "Housing",
        ("Raj Patel",),
        "Dec 2018",
    )
    assert [(u.date_text, u.text) for u in first.updates] == [("Jan 2019", "Done (Jan 2019)")]
    assert second.rag is None
    assert second.updates == ()


# --- match_columns -------------------------------------------------------------------------


def test_match_columns_on_the_seed_header() -> None:
    assert match_columns(
        [
            "Recommendation",
            "Action Required by Agency",
            "Implementation Lead",
            "Target date for Completion",
            "Summary of Action Taken & Date",
        ]
    ) == {"recommendation": 0, "agency": 1, "leads": 2, "target": 3, "updates": 4}


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Lead Agency", "agency"),
        ("Addressed to", "agency"),
        ("Lead officer", "leads"),
        ("LEAD", "leads"),
        ("Target", "target"),
        ("Progress to date", "updates"),
        ("Update", "updates"),
        ("Action taken", "updates"),
        ("RAG", "rag"),
        ("RAG status", "rag"),
        ("Red/Amber/Green", "rag"),
        ("Status", "status"),
        ("Recommendations", "recommendation"),
        ("#", "number"),
        ("No", "number"),
        ("No.", "number"),
        ("Ref", "number"),
        ("Rec No", "number"),
        ("Agency", "agency"),
        ("Organisation", "agency"),
        ("Implementation Lead", "leads"),
        ("Owner", "leads"),
        ("Action to take", "action"),
        ("Actions", "action"),
        ("Action Required by Agency", "agency"),
        ("Progress update", "updates"),
        ("Key milestones achieved", "updates"),
        ("Summary of Action Taken", "updates"),
        ("Ref No", "number"),
        ("Rec", "number"),
        ("Recommendation number", "number"),
        ("BRAG", "rag"),
        ("Current position", "updates"),
        ("Timescale", "target"),
        ("By when", "target"),
        ("Actions to be taken", "action"),
        ("Responsible agency", "agency"),
        ("Theme", "theme"),
        ("Priority", "theme"),
    ],
)
def test_match_columns_matches_headers_loosely(header: str, role: str) -> None:
    assert match_columns(["x", header]) == {role: 1}
    assert match_columns(["x", header.upper()]) == {role: 1}


def test_action_required_by_agency_names_the_actions_when_another_column_names_the_agency() -> None:
    header = ["No", "Recommendation", "Lead agency", "Action Required by Agency", "Owner"]
    assert match_columns(header) == {
        "number": 0, "recommendation": 1, "agency": 2, "action": 3, "leads": 4
    }  # fmt: skip


def test_match_columns_keeps_the_first_of_two_cells_for_one_role_and_skips_unknown() -> None:
    assert match_columns(["Comments", "Recommendation", "Lead", "Lead officer"]) == {
        "recommendation": 1,
        "leads": 2,
    }


# --- page breaks, tails, wrong columns, sub-actions, cut-off ---------------------------------

FOOTER = "Riverton CSP \u2013 Confidential \u2013 Version 2"
PAGED = doc(
    "Riverton Community Safety Partnership",
    "Domestic Homicide Review Case No 7",
    "Overview Report Recommendations",
    HEADER,
    row(
        "<p>Recommendation No 1 Police to flag repeat</p>",
        "<p>Riverton Police</p>",
        "<p>DCI Ray Holt</p>",
        "<p>March 2020</p>",
        "<p>Update Jan 2020: flags now added to the command and</p>",
    ),
    "",
    FOOTER,
    "",
    HEADER,
    row(
        "<p>callers in the control room.</p>",
        "",
        "",
        "",
        "<p>control system; checked weekly by</p>",
    ),
    row(
        "<p>Recommendation No 2 Housing to review noise complaints.</p>",
        "<p>Riverton Homes</p>",
        "<p>Mel Ortiz</p>",
        "<p>June 2020</p>",
        "<p>the duty inspector. Feb 2020 Review started.</p>",
    ),
    FOOTER,
    row(
        "<p>Recommendation No 3 Leads to meet monthly.</p>",
        "<p>Riverton CSP</p>",
        "<p>Each lead will attend the monthly meeting and report on their actions there.</p>",
        "<p>Ongoing</p>",
        "",
    ),
)


def test_page_break_rows_are_rejoined_and_furniture_dropped() -> None:
    plan = parse_plan_text(PAGED)
    recs = by_ref(plan)
    assert list(recs) == ["overview/1", "overview/2", "overview/3"]
    assert recs["overview/1"].text == "Police to flag repeat callers in the control room."
    assert plan.title == "Domestic Homicide Review Case No 7"
    assert plan.version_label == "Version 2"
    for rec in plan.recommendations:
        assert "Confidential" not in rec.text + "".join(u.text for u in rec.updates)


def test_tail_landing_in_the_next_rows_summary_is_moved_back_with_a_warning() -> None:
    plan = parse_plan_text(PAGED)
    recs = by_ref(plan)
    assert [(u.date_text, u.text, u.line) for u in recs["overview/1"].updates] == [
        (
            "Jan 2020",
            "flags now added to the command and control system; "
            "checked weekly by the duty inspector.",
            5,
        )
    ]
    assert [(u.date_text, u.text) for u in recs["overview/2"].updates] == [
        ("Feb 2020", "Review started.")
    ]
    assert any(
        w.line == 11 and "'the duty inspector.'" in w.message and "moved back" in w.message
        for w in plan.warnings
    )


def test_action_text_in_the_lead_column_is_kept_as_an_update_and_warned() -> None:
    plan = parse_plan_text(PAGED)
    rec3 = by_ref(plan)["overview/3"]
    assert rec3.leads == ()
    assert [(u.date_text, u.text) for u in rec3.updates] == [
        (None, "Each lead will attend the monthly meeting and report on their actions there.")
    ]
    assert any(
        w.line == 13 and "Overview rec 3: 'Lead officer' cell looks like action text" in w.message
        for w in plan.warnings
    )


def test_numbered_sub_actions_pair_with_parallel_leads_and_targets() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row(
                "Recommendation No 4 GPs to improve DA referrals",
                "<ol><li>Brief practice leads</li><li>Audit referrals</li>"
                "<li>Report to board</li></ol>",
                "<p>Dr Amy Fox</p><p>Dr Amy Fox; Tom Reid</p>",
                "<p>May 2021</p><p>July 2021</p><p>Sept 2021</p>",
                "",
            ),
        )
    )
    rec = plan.recommendations[0]
    assert [(s.number, s.text, s.leads, s.target) for s in rec.sub_actions] == [
        ("1", "Brief practice leads", ("Dr Amy Fox",), "May 2021"),
        ("2", "Audit referrals", ("Dr Amy Fox", "Tom Reid"), "July 2021"),
        ("3", "Report to board", (), "Sept 2021"),
    ]
    assert rec.leads == ("Dr Amy Fox", "Tom Reid")
    assert rec.target == "May 2021; July 2021; Sept 2021"
    assert any(
        "3 sub-actions but 2 'Lead officer' entries" in m and "sub-action(s) 3" in m
        for m in messages(plan)
    )


def test_inline_numbered_sub_actions_in_plain_text() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row(
                "Recommendation 1 Refresh training",
                "1. Write course 2. Run course",
                "A Lee",
                "2022",
                "",
            ),
        )
    )
    assert [(s.number, s.text) for s in plan.recommendations[0].sub_actions] == [
        ("1", "Write course"),
        ("2", "Run course"),
    ]
    assert plan.recommendations[0].agency == ""
    assert "Overview rec 1: 'Lead agency' cell holds only actions, no agency" in messages(plan)


def test_text_cut_off_at_the_end_is_kept_and_warned() -> None:
    text = doc(
        HEADER,
        row(
            "Recommendation 1 Fund a second IDVA post.",
            "CSP",
            "Ann Cole",
            "April 2019",
            "Funding bid",
        ),
        row(
            "Recommendation 2 Evaluate the post",
            "CSP",
            "Ann Cole",
            "April 2020",
            "<p>The evaluation will look at the",
        ),
    ).rstrip("\n")
    plan = parse_plan_text(text)
    assert plan.recommendations[1].updates[0].text == "The evaluation will look at the"
    assert (3, "Overview rec 2: row cut off at end of file; kept what is there") in [
        (w.line, w.message) for w in plan.warnings
    ]


def test_a_complete_last_row_is_not_called_cut_off() -> None:
    plan = parse_plan_text(
        doc(
            HEADER, row("Recommendation 1 Fund a post.", "CSP", "Ann Cole", "April 2019", "Funded.")
        )
    )
    assert plan.warnings == ()


# --- updates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("August 2013. Staff briefed.", [("August 2013", "Staff briefed.")]),
        (
            "Staff briefed. Update Feb 2014: audit done.",
            [(None, "Staff briefed."), ("Feb 2014", "audit done.")],
        ),
        ("Update Feb 2014 Audit done", [("Feb 2014", "Audit done")]),
        ("Update May 2014", [("May 2014", "")]),
        (
            "Leaflets printed (May 2013) posters up (June 2013)",
            [("May 2013", "Leaflets printed (May 2013)"), ("June 2013", "posters up (June 2013)")],
        ),
        (
            "Policy written. Action completed 1 st April 2013 and shared.",
            [
                (None, "Policy written."),
                ("1st April 2013", "Action completed 1 st April 2013 and shared."),
            ],
        ),
        (
            "Piloted since January 2013. The pilot ended.",
            [(None, "Piloted since January 2013. The pilot ended.")],
        ),
        (
            "<ul><li>List sent.</li><li>Update August 2013 \u2013 no reply</li>"
            "<li>Chased</li></ul>",
            [(None, "List sent."), ("August 2013", "no reply\nChased")],
        ),
    ],
)
def test_summary_is_split_into_dated_updates(summary: str, expected: list) -> None:
    plan = parse_plan_text(
        doc(HEADER, row("Recommendation 1 Do it.", "CSP", "Ann Cole", "2014", summary))
    )
    assert [(u.date_text, u.text) for u in plan.recommendations[0].updates] == expected


# --- leads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "leads"),
    [
        ("Det Supt HQ PVP", ("Det Supt HQ PVP",)),
        (
            "Ch Supt Local Policing (strategic alliance).",
            ("Ch Supt Local Policing (strategic alliance)",),
        ),
        ("Jane Doe and John Smith", ("Jane Doe", "John Smith")),
        ("Head of Quality and Patient Safety", ("Head of Quality and Patient Safety",)),
        ("Ann Cole; Ben Ode", ("Ann Cole", "Ben Ode")),
        ("Ann Cole/ Housing Manager", ("Ann Cole", "Housing Manager")),
        (
            "<p>Ann Cole Service Manager</p><p>Ben Ode Senior Nurse</p>",
            ("Ann Cole Service Manager", "Ben Ode Senior Nurse"),
        ),
        ("Matron A&E (Riverton / Hill)", ("Matron A&E (Riverton / Hill)",)),
    ],
)
def test_leads_are_split_into_people_and_posts(cell: str, leads: tuple[str, ...]) -> None:
    plan = parse_plan_text(doc(HEADER, row("Recommendation 1 Do it.", "CSP", cell, "2014", "")))
    assert plan.recommendations[0].leads == leads
    assert plan.warnings == ()


def test_two_people_run_together_in_one_lead_entry_are_split_with_a_warning() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row(
                "Recommendation 1 Do it.",
                "CSP",
                "Ann Cole Designated Nurse Ben Ode Named Doctor",
                "2014",
                "",
            ),
        )
    )
    assert plan.recommendations[0].leads == ("Ann Cole Designated Nurse", "Ben Ode Named Doctor")
    assert plan.warnings[0].line == 2
    assert "read as several leads" in plan.warnings[0].message


# --- bad input and unplaceable rows -----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text_is_an_error(text: str) -> None:
    with pytest.raises(PlanParseError, match="empty document"):
        parse_plan_text(text)


def test_text_without_a_table_is_an_error() -> None:
    with pytest.raises(PlanParseError, match="no table found"):
        parse_plan_text("Riverton CSP\nDomestic Homicide Review Case No 9\nNo recommendations.\n")


def test_a_table_without_recommendations_is_an_error() -> None:
    with pytest.raises(PlanParseError, match="no recommendations found") as caught:
        parse_plan_text(doc("Title", HEADER, row("Some note", "", "", "", "")))
    assert caught.value.line == 2


def test_a_recommendation_before_any_header_row_is_an_error_naming_its_line() -> None:
    with pytest.raises(PlanParseError, match="before any column header") as caught:
        parse_plan_text(doc("Title", row("Recommendation 1 Do it.", "CSP", "Ann", "2014", "")))
    assert caught.value.line == 2
    assert "line 2" in str(caught.value)


def test_rows_that_cannot_be_placed_are_kept_in_warnings_with_their_line() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row("", "", "", "", "orphan continuation text"),
            row("Recommendation 1 Do it.", "CSP", "Ann Cole", "2014"),
            "A stray note typed between the rows",
            row("Recommendation 2 Do more.", "CSP", "Ann Cole", "2015", "Done.", "extra cell text"),
        )
    )
    assert [rec.ref for rec in plan.recommendations] == ["overview/1", "overview/2"]
    found = [(w.line, w.message) for w in plan.warnings]
    assert any(line == 2 and "'orphan continuation text'" in m for line, m in found)
    assert any(line == 3 and "row has 4 cells where the header has 5" in m for line, m in found)
    assert any(line == 4 and "'A stray note typed between the rows'" in m for line, m in found)
    assert any(line == 5 and "'extra cell text'" in m for line, m in found)


def test_duplicate_refs_are_kept_unique_and_warned() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row("Recommendation 2 First.", "CSP", "Ann Cole", "2014", ""),
            row("Recommendation 2 Second.", "CSP", "Ann Cole", "2014", ""),
        )
    )
    assert [rec.ref for rec in plan.recommendations] == ["overview/2", "overview/2#2"]
    assert [(w.line, w.message) for w in plan.warnings] == [
        (3, "Overview rec 2: duplicate ref 'overview/2'; kept as 'overview/2#2'")
    ]


# --- parse_rows, the core shared with CSV/XLSX readers ----------------------------------------


def test_parse_rows_takes_cells_from_any_reader() -> None:
    rows = [
        (1, ["Agency", "Recommendation", "Lead", "Target", "Progress"]),
        (2, ["Agency: Riverton Homes", "", "", "", ""]),
        (
            3,
            [
                "Riverton Homes",
                "Recommendation 1 Train staff.",
                "Mel Ortiz",
                "June 2020",
                "Trained (May 2020)",
            ],
        ),
    ]
    recommendations, warnings = parse_rows(rows)
    [rec] = recommendations
    assert (rec.ref, rec.agency, rec.leads, rec.target) == (
        "imr/riverton-homes/1",
        "Riverton Homes",
        ("Mel Ortiz",),
        "June 2020",
    )
    assert rec.updates[0].date_text == "May 2020"
    assert warnings == ()


def test_parse_rows_with_given_columns_and_no_header_row() -> None:
    columns = {"recommendation": 0, "leads": 1}
    recommendations, warnings = parse_rows(
        [(7, ["Recommendation 5 Share it.", "Ann Cole"])], columns=columns
    )
    assert [(r.ref, r.leads, r.line) for r in recommendations] == [("overview/5", ("Ann Cole",), 7)]
    assert warnings == ()


# --- slugify and html_to_text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("West Mercia police", "west-mercia-police"),
        ("CRI Pathway to Recovery", "cri-pathway-to-recovery"),
        ("West Mercia Women's Aid", "west-mercia-womens-aid"),
        ("A&E  Services", "a-and-e-services"),
        ("  Caf\u00e9 Nord (Ltd.) ", "cafe-nord-ltd"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>One</p> <p>Two  words</p>", "One\nTwo words"),
        ("line<br>break<br/>again", "line\nbreak\nagain"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second"),
        ("<ol><li>1. first</li><li>2. second</li></ol>", "1. first\n2. second"),
        (
            '<ol style="list-style-type: none"> 1. Do this 2. Do that </ol>',
            "1. Do this\n2. Do that",
        ),
        ("<ul> \u2022 x y \u2022 z", "x y\nz"),
        ("Tom &amp; Jerry&nbsp;go to A&E", "Tom & Jerry go to A&E"),
        ("<p>unclosed <b>bold</b> text", "unclosed bold text"),
        ("  plain\ttext  ", "plain text"),
        ("", ""),
    ],
)
def test_html_to_text(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text


def test_unrecognised_title_block_lines_are_warned_not_dropped() -> None:
    plan = parse_plan_text(
        doc(
            "Riverton Community Safety Partnership",
            "Domestic Homicide Review Case No 8",
            "Prepared by the review panel",
            "Draft Version dated 2 May 2019",
            HEADER,
            row("Recommendation 1 Do it.", "CSP", "Ann Cole", "2019", "Done."),
        )
    )
    assert (plan.title, plan.partnership) == (
        "Domestic Homicide Review Case No 8",
        "Riverton Community Safety Partnership",
    )
    assert (plan.version_label, plan.version_date) == (
        "Draft Version dated 2 May 2019",
        "2 May 2019",
    )
    assert [(w.line, w.message) for w in plan.warnings] == [
        (
            3,
            "text above the table not read as title, partnership or version: "
            "'Prepared by the review panel'",
        )
    ]


# --- robustness ------------------------------------------------------------------------------

_CELLS = st.sampled_from(
    [
        "",
        "Recommendation 1 Do it.",
        "Recommendation No 2.1",
        "<p>text that continues</p>",
        "lower case tail.",
        "Update Feb 2014: done",
        "(May 2013)",
        "Agency: Riverton Homes",
        "<ul> \u2022 a \u2022 b",
        "1. a 2. b",
        "Ann Cole / Ben Ode",
        "--",
        "<p>unclosed",
    ]
) | st.text(max_size=20)
_LINES = st.one_of(
    st.just(HEADER),
    st.just("Overview Report Recommendations"),
    st.lists(_CELLS, min_size=1, max_size=7).map("\t".join),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=12).map("\n".join))
def test_any_text_parses_or_raises_plan_parse_error(text: str) -> None:
    try:
        plan = parse_plan_text(text)
    except PlanParseError as error:
        assert error.line is None or error.line >= 1
        return
    refs = [rec.ref for rec in plan.recommendations]
    assert refs and len(refs) == len(set(refs))
    assert all(warning.line >= 1 for warning in plan.warnings)


def test_uk_numeric_dates_head_progress_updates_and_read_day_first() -> None:
    from adapters.importing.updates import split_updates
    from domain.fuzzy_date import FuzzyDate

    cell = (
        "Training planned.\n26.11.2018 Training delivered to 40 staff.\n5.8.19: Audit completed."
        "\n31/03/2019 Board informed; section 3.1.2 of the policy revised."
    )
    segments = split_updates(cell)
    assert [(s.date_text, s.text) for s in segments] == [
        (None, "Training planned."),
        ("26.11.2018", "Training delivered to 40 staff."),
        ("5.8.19", "Audit completed."),
        ("31/03/2019", "Board informed; section 3.1.2 of the policy revised."),
    ]
    days = [FuzzyDate.parse(s.date_text).start for s in segments[1:] if s.date_text]
    assert [d.isoformat() for d in days if d] == ["2018-11-26", "2019-08-05", "2019-03-31"]


@pytest.mark.parametrize(
    ("cell", "number"),
    [("1", "1"), ("01", "1"), ("21.1", "21.1"), ("21.10.1", "21.10.1"), ("Rec 3", "3"),
     ("Recommendation No. 4", "4"), ("R5", "5"), ("1a", "1a"), ("1(b)", "1b"), ("2.", "2"),
     ("3)", "3"), ("Theme 2", None), ("", None), ("n/a", None), ("1234567", None)],
)  # fmt: skip
def test_a_number_cell_reads_as_the_domains_number(cell: str, number: str | None) -> None:
    assert number_in(cell) == number


def test_theme_rows_name_the_theme_and_unnumbered_rows_are_reported_not_glued() -> None:
    rows = [
        (1, ["No", "Recommendation", "Agency", "Lead", "Target", "Progress"]),
        (2, ["Theme 1 \u2013 Leadership", "", "", "", "", ""]),
        (3, ["1", "Publish a strategy.", "SAB", "Board Manager", "March 2019", ""]),
        (4, ["", "", "", "", "", "Update April 2019: published."]),
        (5, ["Priority two: Processes", "", "", "", "", ""]),
        (6, ["", "Share concerns early.", "Housing", "", "", ""]),
        (7, ["2", "Record declined assessments.", "ASC", "PSW", "June 2019", ""]),
    ]
    recs, warnings = parse_rows(rows)
    assert [(r.ref, r.theme, r.text) for r in recs] == [
        ("overview/1", "Theme 1 \u2013 Leadership", "Publish a strategy."),
        ("overview/2", "Priority two: Processes", "Record declined assessments."),
    ]
    assert [u.text for u in recs[0].updates] == ["published."]  # a merged-cell continuation
    [unplaced] = [w for w in warnings if w.line == 6]
    assert unplaced.message.startswith("row cannot be placed: it has no number")


def test_recommendation_text_that_starts_with_its_number_is_numbered_by_it() -> None:
    header = ["Recommendation", "Agency", "Lead", "Target", "Progress"]
    rows = [
        (1, header),
        (2, ["1. The Board should publish a strategy.", "SAB", "Ann Cole", "May 2019", ""]),
        (3, ["2) Police should flag repeat callers.", "Police", "DI Moss", "June 2019", ""]),
        (4, ["21.10.1 Train staff on capacity.", "ASC", "PSW", "July 2019", ""]),
        (5, ["3 agencies agreed this.", "", "", "", ""]),  # no "." after 3: continues
    ]
    recs, _ = parse_rows(rows)
    assert [(r.ref, r.text) for r in recs] == [
        ("overview/1", "The Board should publish a strategy."),
        ("overview/2", "Police should flag repeat callers."),
        ("overview/21.10.1", "Train staff on capacity.\n3 agencies agreed this."),
    ]


def test_a_theme_column_names_each_recommendations_theme() -> None:
    rows = [
        (1, ["Theme", "No", "Recommendation", "Agency"]),
        (2, ["Leadership", "1", "Publish a strategy.", "SAB"]),
        (3, ["Processes", "2", "Record declined assessments.", "ASC"]),
    ]
    recs, _ = parse_rows(rows)
    assert [(r.ref, r.theme) for r in recs] == [
        ("overview/1", "Leadership"),
        ("overview/2", "Processes"),
    ]


def test_an_action_row_under_its_recommendation_holds_that_actions_own_cells() -> None:
    plan = parse_plan_text(
        doc(
            "Riverton Safeguarding Adults Board",
            HEADER + "\tStatus",
            row("Recommendation No 3a Audit referrals.", "Police", "DCI Smith", "July 2014",
                "Update Q1 2014: audit begun.", "in progress"),
            row("Action 3a.1: Sample forty cases.", "", "Dr Amy Fox", "2014/15",
                "Update 2014-02-27: twelve sampled.", "completed, 2014-02-27"),
            row("Action 3a.2: Report to the board.", "", "", "", "", "withdrawn"),
            row("", "", "", "", "<p>Update no later than August 2014: page break.</p>", ""),
        )
    )  # fmt: skip
    [rec] = plan.recommendations
    assert (rec.ref, rec.text, rec.target, rec.status) == (
        "overview/3a", "Audit referrals.", "July 2014", "in progress",
    )  # fmt: skip
    assert [(u.date_text, u.text) for u in rec.updates] == [("Q1 2014", "audit begun.")]
    first, second = rec.sub_actions
    assert (first.number, first.text, first.leads, first.target, first.status) == (
        "1", "Sample forty cases.", ("Dr Amy Fox",), "2014/15", "completed, 2014-02-27",
    )  # fmt: skip
    assert [(u.date_text, u.text) for u in first.updates] == [("2014-02-27", "twelve sampled.")]
    assert (second.number, second.status, second.line) == ("2", "withdrawn", 5)
    # a page-break continuation after an action's row continues that action
    assert [u.date_text for u in second.updates] == ["no later than August 2014"]


def test_an_action_row_must_continue_its_recommendations_number() -> None:
    plan = parse_plan_text(
        doc(
            HEADER,
            row("Recommendation No 3 Audit referrals.", "Police", "DCI Smith", "July 2014", ""),
            row("Action 4.1: Not this one's.", "", "", "", ""),
        )
    )
    [rec] = plan.recommendations
    assert rec.sub_actions == () and "Action 4.1" in rec.text
