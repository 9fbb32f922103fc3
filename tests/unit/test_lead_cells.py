"""Lead cells (issue 28, item 7): who leads, as real plans name them, and lead cells that
hold action text. The rules are in ``adapters.importing.leads``."""

from __future__ import annotations

import pytest

from adapters.importing.leads import action_updates, is_action_text
from adapters.importing.model import ParsedPlan
from adapters.importing.text_table import parse_plan_text

HEADER = "Recommendation\tLead agency\tImplementation Lead\tTarget date\tProgress update"


def plan_with_lead_cell(cell: str, summary: str = "") -> ParsedPlan:
    row = "\t".join(["Recommendation No 1 Do it.", "Riverton CSP", cell, "July 2014", summary])
    return parse_plan_text(f"{HEADER}\n{row}\n")


@pytest.mark.parametrize(
    ("cell", "leads"),
    [
        # several people: separators, one per line, "and"/"&"/"," before another name
        ("DCI Smith / DS Jones", ("DCI Smith", "DS Jones")),
        ("DCI Smith & DS Jones", ("DCI Smith", "DS Jones")),
        ("Jane Doe and John Smith", ("Jane Doe", "John Smith")),
        ("Jane Doe, John Smith", ("Jane Doe", "John Smith")),
        ("<p>Ann Cole</p><p>Ben Ode</p>", ("Ann Cole", "Ben Ode")),
        (
            "Jane Doe, Designated Nurse, John Smith, Named GP",
            ("Jane Doe, Designated Nurse", "John Smith, Named GP"),
        ),
        ("Dr Amy Fox and Tom Reid", ("Dr Amy Fox", "Tom Reid")),
        (
            "Ann Cole Head of Safeguarding and Lee Grant Housing Options Manager",
            ("Ann Cole Head of Safeguarding", "Lee Grant Housing Options Manager"),
        ),
        # one person or one post: what follows is a post, a place or an organisation
        ("Jane Doe, Designated Nurse", ("Jane Doe, Designated Nurse",)),
        (
            "Head of Safeguarding (Adults) and Named Nurse",
            ("Head of Safeguarding (Adults) and Named Nurse",),
        ),
        ("Rose Johnson (Clinical Director A&E)", ("Rose Johnson (Clinical Director A&E)",)),
        ("Ann Cole, West Mercia Police", ("Ann Cole, West Mercia Police",)),
        ("Chief Supt Safety & Justice", ("Chief Supt Safety & Justice",)),
        ("Ch Supt McNevin", ("Ch Supt McNevin",)),
        (
            "Chair of the local safeguarding adults board",
            ("Chair of the local safeguarding adults board",),
        ),
        # a post wrapped onto a second line
        ("<p>Head of Safeguarding</p><p>(Adults)</p>", ("Head of Safeguarding (Adults)",)),
        # one post at one place, the place on a line of its own (before or after)
        (
            "<p>MIU Worcestershire Royal Hospital</p><p>Rose Johnson (Clinical Director A&E)</p>",
            ("MIU Worcestershire Royal Hospital Rose Johnson (Clinical Director A&E)",),
        ),
        (
            "<p>Named Nurse Safeguarding</p><p>Kidderminster Treatment Centre</p>",
            ("Named Nurse Safeguarding Kidderminster Treatment Centre",),
        ),
        ("<p>Stonham Home Group</p>", ("Stonham Home Group",)),  # alone, the place leads
        (
            "Stonham Home Group / Strategic Coordinator",
            ("Stonham Home Group", "Strategic Coordinator"),
        ),
    ],
)
def test_a_lead_cell_names_the_people_and_posts_a_reader_sees(
    cell: str, leads: tuple[str, ...]
) -> None:
    plan = plan_with_lead_cell(cell)
    assert plan.recommendations[0].leads == leads
    assert plan.recommendations[0].updates == ()


def test_a_place_read_with_the_lead_after_it_is_reported() -> None:
    plan = plan_with_lead_cell(
        "<p>MIU Worcestershire Royal Hospital</p><p>Rose Johnson (Clinical Director A&E)</p>"
    )
    assert [w.message for w in plan.warnings] == [
        "Overview rec 1: 'Implementation Lead' line 'MIU Worcestershire Royal Hospital' names a "
        "place, no person or post; read with 'Rose Johnson (Clinical Director A&E)' as one lead"
    ]


def test_a_lead_cell_of_action_text_is_one_update_not_one_per_date() -> None:
    # Shaped like the seed's overview/8: the statement pasted twice, dated twice.
    done = "seek other premises where the client will feel comfortable, when required."
    cell = (
        f"<p>IDVA procedures now include a clause directing them to {done} "
        f"Action completed 1 st April 2013 directing them to {done}</p>"
        "<p>Action completed 1st April 2013</p>"
    )
    plan = plan_with_lead_cell(cell, "Update May 2013: monitored in supervision.")
    found = plan.recommendations[0]
    assert found.leads == ()
    assert [(u.date_text, u.text) for u in found.updates] == [
        ("1st April 2013", f"IDVA procedures now include a clause directing them to {done}"),
        ("May 2013", "monitored in supervision."),
    ]
    [message] = [w.message for w in plan.warnings]
    assert message == (
        "Overview rec 1: 'Implementation Lead' cell looks like action text, kept as one update, "
        "dated 1st April 2013 (no lead named): 'IDVA procedures now include a clause directing "
        "them to seek…'; repeating it, so only dating it: 'Action completed 1 st April 2013 "
        f"directing them to {done}', 'Action completed 1st April 2013'"
    )


def test_action_text_saying_new_things_makes_an_update_for_each() -> None:
    updates = action_updates(
        [(3, "Policy drafted and agreed by the board."), (4, "Update June 2014: live in all teams")]
    )
    assert [(u.text, u.date_text, u.line, u.restated) for u in updates] == [
        ("Policy drafted and agreed by the board.", None, 3, []),
        ("live in all teams", "June 2014", 4, []),
    ]


def test_a_lead_beside_action_text_stays_a_lead() -> None:
    plan = plan_with_lead_cell("<p>Ann Cole</p><p>Each lead will report to the board monthly.</p>")
    found = plan.recommendations[0]
    assert found.leads == ("Ann Cole",)
    assert [(u.date_text, u.text) for u in found.updates] == [
        (None, "Each lead will report to the board monthly.")
    ]


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("Action completed 1st April 2013", True),
        ("Update Feb 2014: all staff briefed", True),
        ("Each lead will attend the monthly meeting and report there.", True),
        ("Training was delivered to all the frontline teams.", True),
        ("Chair of the local safeguarding adults board", False),
        ("Lead for domestic abuse in each general practice", False),
        ("Head of Safeguarding (Adults) and Named Nurse", False),
        ("Named nurse for safeguarding children and adults", False),
    ],
)
def test_action_text_is_a_sentence_with_a_verb_or_a_date_not_a_long_post(
    line: str, action: bool
) -> None:
    assert is_action_text(line) is action
