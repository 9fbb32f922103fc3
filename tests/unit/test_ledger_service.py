"""The ledger's use cases on the in-memory store."""

from __future__ import annotations

import pytest

from domain.errors import (
    EventNotFound,
    InvalidCommand,
    PlanNotFound,
    RecommendationNotFound,
)
from domain.fuzzy_date import FuzzyDate
from service.command_models import Correct, OpenPlan, RaiseRecommendation, Reassign, RecordProgress
from service.ledger import Ledger

pytestmark = pytest.mark.usefixtures("coordinator")


def with_plan(ledger: Ledger) -> Ledger:
    ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
    ledger.raise_recommendation(
        "dhr2", RaiseRecommendation(ref="overview/1", text="Act", leads=["DCI Smith"])
    )
    return ledger


def test_commands_return_the_ids_of_the_events_they_recorded(ledger: Ledger) -> None:
    with_plan(ledger)
    recorded = ledger.change(
        "dhr2", "overview/1", Reassign(leads=["DS Jones"], agency="WMP", reason="r")
    )
    assert recorded.event_ids == [e.event_id for e in ledger.history("dhr2", "overview/1")[1:]]
    assert recorded.proposal is None


def test_a_recommendation_needs_an_open_plan(ledger: Ledger) -> None:
    with pytest.raises(PlanNotFound, match="'dhr9'"):
        ledger.raise_recommendation("dhr9", RaiseRecommendation(ref="overview/1", text="Act"))


def test_an_unknown_recommendation_is_not_found(ledger: Ledger) -> None:
    with_plan(ledger)
    with pytest.raises(RecommendationNotFound, match="overview/2"):
        ledger.history("dhr2", "overview/2")


def test_reassigning_nobody_is_refused(ledger: Ledger) -> None:
    with_plan(ledger)
    with pytest.raises(InvalidCommand, match="who takes over"):
        ledger.change("dhr2", "overview/1", Reassign(reason="r"))


def test_an_event_is_named_by_id_or_by_its_number_in_history(ledger: Ledger) -> None:
    with_plan(ledger)
    ledger.change(
        "dhr2", "overview/1", RecordProgress(text="Done", effective=FuzzyDate.parse("Feb 2014"))
    )
    ledger.change("dhr2", "overview/1", Correct(event="2", reason="typo", text="Done well"))
    event_id = ledger.history("dhr2", "overview/1")[1].event_id
    ledger.change("dhr2", "overview/1", Correct(event=event_id, reason="typo", text="Done!"))
    assert ledger.recommendation("dhr2", "overview/1").state.updates[0].text == "Done!"
    with pytest.raises(EventNotFound):
        ledger.change("dhr2", "overview/1", Correct(event="not-an-id", reason="x", retract=True))


def test_plans_are_listed_in_the_order_opened(ledger: Ledger) -> None:
    for plan_id in ["sar1", "dhr2", "audit-2020"]:
        ledger.open_plan(OpenPlan(plan_id=plan_id, title=plan_id.upper()))
    assert [p.plan_id for p in ledger.plans()] == ["sar1", "dhr2", "audit-2020"]
