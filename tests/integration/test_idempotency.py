"""An idempotency key names a write: sent again, even at the same moment from another
process, it records nothing and answers with what the first recorded (issue 8, item 8)."""

from __future__ import annotations

from collections.abc import Callable

from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from service.command_models import OpenPlan, RaiseRecommendation, RecordProgress
from service.commands import Recorded
from service.ledger import Earlier, Ledger

OpenLedger = Callable[[str], Ledger]
FEB = FuzzyDate.parse("Feb 2014")


def seeded(ledger: Ledger) -> None:
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        for ref in ("overview/1", "overview/2"):
            ledger.raise_recommendation("dhr2", RaiseRecommendation(ref=ref, text="Act"))


def progress(ref: str, text: str) -> Callable[[Ledger], list[str]]:
    return lambda ledger: ledger.change("dhr2", ref, RecordProgress(text=text, effective=FEB))


def updates(ledger: Ledger, ref: str) -> list[str]:
    return [u.text for u in ledger.recommendation("dhr2", ref).state.updates]


def test_the_same_key_again_records_nothing_and_returns_the_first_result(
    db_url: str, open_ledger: OpenLedger
) -> None:
    ledger = open_ledger(db_url)
    seeded(ledger)
    with acting_as_owner("coordinator", "test"):
        first = ledger.once("k-1", progress("overview/1", "Done"))
        again = ledger.once("k-1", progress("overview/1", "Done"))
        other = ledger.once("k-2", progress("overview/1", "More"))
    assert isinstance(first, Recorded) and isinstance(other, Recorded)
    assert again == Earlier(first.event_ids) and len(first.event_ids) == 1
    assert other.event_ids != first.event_ids
    assert updates(ledger, "overview/1") == ["Done", "More"]
    reopened = open_ledger(db_url)  # the key is in the store, not in this process
    with acting_as_owner("coordinator", "test"):
        assert reopened.once("k-1", progress("overview/2", "x")) == Earlier(first.event_ids)
    assert updates(reopened, "overview/2") == []


def test_two_writers_racing_with_one_key_record_it_once(
    db_url: str, open_ledger: OpenLedger
) -> None:
    """B commits under the key between A's check of the key and A's save: A's write is
    refused by the store as a whole, and A answers with B's result."""
    ledger_a, ledger_b = open_ledger(db_url), open_ledger(db_url)
    seeded(ledger_a)
    recorded_by_b: list[str] = []

    def a_command(ledger: Ledger) -> Recorded:
        by_b = ledger_b.once("race", progress("overview/1", "B"))
        assert isinstance(by_b, Recorded)
        recorded_by_b.extend(by_b.event_ids)
        return ledger.change("dhr2", "overview/2", RecordProgress(text="A", effective=FEB))

    with acting_as_owner("coordinator", "test"):
        answer = ledger_a.once("race", a_command)
    assert answer == Earlier(recorded_by_b)
    assert updates(ledger_a, "overview/1") == ["B"] and updates(ledger_a, "overview/2") == []
