"""A CSV plan as a coordinator pastes it (issue 28, items 5 and 7), imported through
``recledger`` on each backend: rows with an unquoted comma realigned or kept whole, never an
invented sub-action nor a lost agency; lead cells read as a reader reads them, and a lead
cell of action text recorded as one update."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.in_process import InProcessShell

Json = dict[str, Any]

PLAN = """\
No.,Recommendation,Agency,Lead,Target,Progress,Status
1,Review the risk form,West Mercia Police,DCI Smith / DS Jones,July 2014,Update Feb 2014: form reissued,Complete
2,Train all frontline staff in DASH, including reception staff and outreach workers,Worcestershire Health and Care NHS Trust,"Head of Safeguarding (Adults) and Named Nurse",March 2015,Update Jan 2015: 40 staff trained,In progress
3,Share the protocol with GP practices,NHS Worcestershire CCG,"Jane Doe, Designated Nurse",Autumn 2014,Update Dec 2014: sent to all practices, replies awaited,In progress
4,Brief staff,Riverton Council,Riverton Homes,Ann Cole,June 2015,,Open
5,Flag frequent attenders,Worcestershire Acute Hospital Trust,"MIU Worcestershire Royal Hospital
Rose Johnson (Clinical Director A&E)",Ongoing,,
6,Seek other premises for reluctant clients,West Mercia Women's Aid,"IDVA procedures now include a clause directing them to seek other premises, when required. Action completed 1 st April 2013 directing them to seek other premises, when required.
Action completed 1st April 2013",1st April 2013 and ongoing,Update May 2013: monitored in supervision.,
"""  # noqa: E501 - a CSV row is one line


@pytest.fixture
def imported(tmp_path: Path, db_url: str) -> tuple[InProcessShell, Json, dict[str, Json]]:
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    shell = InProcessShell(tmp_path, db=db_url)
    report = json.loads(shell("import", str(path), "--plan", "p", "--json").stdout)
    views = {view["ref"]: view for view in json.loads(shell("status", "p", "--json").stdout)}
    return shell, report, views


def warnings(report: Json) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for warning in report["warnings"]:
        found.setdefault(warning["line"], []).append(warning["message"])
    return found


def test_a_row_with_an_unquoted_comma_is_realigned_and_reported_by_its_line(
    imported: tuple[InProcessShell, Json, dict[str, Json]],
) -> None:
    _, report, views = imported
    two, three = views["overview/2"], views["overview/3"]
    assert two["text"] == (
        "Train all frontline staff in DASH, including reception staff and outreach workers"
    )
    assert (two["agency"], two["sub_actions"], two["status"]) == (
        "Worcestershire Health and Care NHS Trust",
        [],
        "in_progress",
    )
    assert [u["text"] for u in three["updates"]] == ["sent to all practices, replies awaited"]
    assert three["status"] == "in_progress"
    assert "cells 2 and 3 read as one, column 2 'Recommendation'" in warnings(report)[3][0]
    assert "cells 6 and 7 read as one, column 6 'Progress'" in warnings(report)[4][0]
    assert not any(view["sub_actions"] for view in views.values())


def test_an_ambiguous_row_is_kept_whole_on_its_recommendation_and_reported(
    imported: tuple[InProcessShell, Json, dict[str, Json]],
) -> None:
    _, report, views = imported
    four = views["overview/4"]
    assert four["text"] == "Brief staff,Riverton Council,Riverton Homes,Ann Cole,June 2015,,Open"
    assert (four["agency"], four["leads"], four["sub_actions"]) == ("", [], [])
    assert "the whole row is kept as the recommendation's text" in warnings(report)[5][0]


def test_leads_are_the_people_and_posts_a_reader_sees(
    imported: tuple[InProcessShell, Json, dict[str, Json]],
) -> None:
    _, _, views = imported
    assert {ref: view["leads"] for ref, view in views.items() if ref != "overview/4"} == {
        "overview/1": ["DCI Smith", "DS Jones"],
        "overview/2": ["Head of Safeguarding (Adults) and Named Nurse"],
        "overview/3": ["Jane Doe, Designated Nurse"],
        "overview/5": ["MIU Worcestershire Royal Hospital Rose Johnson (Clinical Director A&E)"],
        "overview/6": [],
    }


def test_a_lead_cell_of_action_text_is_recorded_as_one_update(
    imported: tuple[InProcessShell, Json, dict[str, Json]],
) -> None:
    shell, _, views = imported
    updates = views["overview/6"]["updates"]
    assert [(u["effective"]["text"], u["text"].split()[:3]) for u in updates] == [
        ("1st April 2013", ["IDVA", "procedures", "now"]),
        ("May 2013", ["monitored", "in", "supervision."]),
    ]
    assert updates[0]["text"] == (
        "IDVA procedures now include a clause directing them to seek other premises, when required."
    )
    recorded = json.loads(shell("history", "p", "overview/6", "--json").stdout)
    assert sum(entry["type"] == "ProgressRecorded" for entry in recorded) == 2
