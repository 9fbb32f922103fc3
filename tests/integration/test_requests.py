"""Requests for updates (issue 27): a request covers the open items (of one agency, any
spelling the directory gives it, or all); a progress update recorded after it answers it for
that item, one recorded before does not; the response rate per agency; on SQLite and
PostgreSQL, and the same after a rebuild of the read models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adapters.importing.document import read_document
from domain.audit import acting_as
from domain.errors import InvalidCommand
from domain.rules import is_open
from service import command_models as cmd
from service.ledger import Ledger

WMP = "West Mercia Police"


@pytest.fixture
def ledger(db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path) -> Ledger:
    ledger = open_ledger(db_url)
    ledger.import_document(read_document(seed_plan)[0])
    return ledger


def open_items(ledger: Ledger, agency: str | None = None) -> set[str]:
    return {
        item.ref for view in ledger.status("dhr2") for item in view.items()
        if is_open(item.status) and agency in (None, item.agency)
    }  # fmt: skip


def test_a_request_is_answered_by_a_later_update_and_counted_per_agency(ledger: Ledger) -> None:
    wmp = open_items(ledger, WMP)
    [first, second, *_] = sorted(wmp)
    ledger.change("dhr2", first, cmd.RecordProgress(text="before", effective="2014-02-01"))
    start = datetime.now(UTC)
    _, items = ledger.request_updates(
        "dhr2", cmd.RequestUpdates(agency="west mercia police", due="2014-03-31", message="Board")
    )
    assert items == len(wmp)
    asked = ledger.requests("dhr2")
    assert set(asked) == wmp and not any(r.answered_at for r in asked.values())
    assert {r.due.isoformat() for r in asked.values() if r.due} == {"2014-03-31"}
    ledger.change("dhr2", second, cmd.RecordProgress(text="after", effective="2014-03-01"))
    answered = ledger.requests("dhr2")
    assert answered[second].answered_at is not None and answered[first].answered_at is None
    [rate] = ledger.response_rates("dhr2", start, datetime.now(UTC))
    assert (rate.agency, rate.asked, rate.answered) == (WMP, len(wmp), 1)
    assert ledger.response_rates("dhr2", start - timedelta(days=2), start) == []
    ledger.rebuild()  # the read models from the log alone: the same answers
    assert ledger.requests("dhr2") == answered


def test_every_open_item_is_asked_when_no_agency_is_named_and_none_is_refused(
    ledger: Ledger,
) -> None:
    _, items = ledger.request_updates("dhr2", cmd.RequestUpdates())
    assert items == len(open_items(ledger)) and set(ledger.requests("dhr2")) == open_items(ledger)
    with pytest.raises(InvalidCommand, match="no open item of Nobody"):
        ledger.request_updates("dhr2", cmd.RequestUpdates(agency="Nobody"))


def test_the_inbox_of_a_persons_token_lists_the_items_they_lead_and_asks_of_them(
    ledger: Ledger,
) -> None:
    ledger.register_agency(cmd.RegisterAgency(name=WMP))
    ledger.register_person(
        cmd.RegisterPerson(name="Jane", email="jane@wmp.police.uk", agency="west-mercia-police",
                           aliases=["Det Supt Head of PVP"])
    )  # fmt: skip
    led = {
        item.ref for view in ledger.status("dhr2") for item in view.items()
        if "Det Supt Head of PVP" in item.leads
    }  # fmt: skip
    ledger.request_updates("dhr2", cmd.RequestUpdates(agency=WMP))
    grant = ledger.authenticate(ledger.issue_token(cmd.IssueToken(person="jane@wmp.police.uk")))
    with acting_as(grant.name, "api", grant):
        inbox = ledger.inbox(date(2014, 3, 1))
    shown = {item.ref for item in [*inbox.overdue, *inbox.due_soon]}
    assert shown and shown <= led
    assert {r.ref for r in inbox.requests} <= led and inbox.person.email == "jane@wmp.police.uk"
    assert inbox.proposals == []


def test_the_board_report_gives_the_response_rate_per_agency_for_its_period(
    ledger: Ledger,
) -> None:
    from adapters.reports import render

    [item, *_] = sorted(open_items(ledger, WMP))
    _, asked = ledger.request_updates("dhr2", cmd.RequestUpdates(agency=WMP))
    ledger.change("dhr2", item, cmd.RecordProgress(text="done", effective="2014-03-01"))
    today = datetime.now(UTC).date()
    board = ledger.board_report("dhr2", today - timedelta(days=1), today)
    [rate] = board.responses
    assert (rate.agency, rate.asked, rate.answered) == (WMP, asked, 1)
    text = render.board_report(board, "md").decode()
    assert "## Responses to requests for updates made in the period (1)" in text
    assert f"| {WMP} | {rate.asked} | 1 |" in text
    before = ledger.board_report("dhr2", today - timedelta(days=30), today - timedelta(days=2))
    assert before.responses == []


def test_standing_gives_each_items_latest_request_answered_or_not_and_what_awaits_sign_off(
    ledger: Ledger,
) -> None:
    from domain.access import Grant, Role

    [first, second, *rest] = sorted(open_items(ledger, WMP))
    ledger.request_updates("dhr2", cmd.RequestUpdates(agency=WMP))
    ledger.change("dhr2", first, cmd.RecordProgress(text="done so far", effective="2014-03-01"))
    lead = Grant("lee", Role.AGENCY_LEAD, frozenset({"west-mercia-police"}))
    with acting_as(lead.name, "api", lead):
        ledger.change("dhr2", second, cmd.Complete(effective="2014-03-01", evidence="audit"))
    standing = ledger.standing("dhr2")
    assert set(standing) == {("dhr2", ref) for ref in [first, second, *rest]}
    answered, waiting = standing["dhr2", first], standing["dhr2", second]
    assert answered.request is not None and answered.request.answered_at is not None
    assert answered.awaiting == ()
    assert waiting.request is not None and waiting.request.answered_at is None
    assert [(p.kind, p.actor) for p in waiting.awaiting] == [("completion", "lee")]
    assert ledger.standing() == standing  # every plan the one acting sees: the one here


def test_a_plans_reminder_window_decides_what_is_due_soon_in_digests(ledger: Ledger) -> None:
    from domain.errors import RuleViolated

    jane = ["Det Supt Head of PVP"]
    ledger.register_person(cmd.RegisterPerson(name="Jane", email="jane@x.org", aliases=jane))
    day = date(2013, 9, 1)  # before the seed's targets

    def due_soon(within: int | None = None) -> set[str]:
        return {i.ref for d in ledger.digests(day, within) for i in d.due_soon}

    assert ledger.plan("dhr2").reminder_days == 45
    by_default = due_soon()
    ledger.set_reminder_window("dhr2", cmd.SetReminderWindow(days=366))
    wide = due_soon()
    assert by_default < wide and wide == due_soon(366)
    assert due_soon(45) == by_default  # a window given for the run is every plan's
    ledger.set_reminder_window("dhr2", cmd.SetReminderWindow(days=0))
    assert due_soon() == set()
    with pytest.raises(RuleViolated, match="already reminds 0 days ahead"):
        ledger.set_reminder_window("dhr2", cmd.SetReminderWindow(days=0))
