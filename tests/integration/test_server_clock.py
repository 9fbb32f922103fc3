"""Issue 14, defect 9: recorded times come from this machine's clock, so on PostgreSQL a
write is refused when that clock disagrees with the server's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from adapters.stores.postgres import ServerClock
from domain.audit import acting_as_owner
from domain.errors import ClockSkew, RecommendationNotFound
from service.command_models import OpenPlan, RaiseRecommendation
from service.ledger import Ledger

pytestmark = pytest.mark.postgres


def test_a_write_from_a_machine_whose_clock_is_years_off_is_refused_and_writes_nothing(
    postgres_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(postgres_url)
    assert isinstance(ledger.check_clock, ServerClock)  # installed for PostgreSQL
    engine = ledger.read_model.engine
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(
            OpenPlan(plan_id="dhr2", title="DHR Case No 2")
        )  # the machine's true clock passes
        for skew, side in ((timedelta(days=-4400), "behind"), (timedelta(minutes=5), "ahead of")):
            ledger.check_clock = ServerClock(engine, now=lambda s=skew: datetime.now(UTC) + s)
            with pytest.raises(ClockSkew, match=f"clock is .* s {side} the database server's"):
                ledger.raise_recommendation(
                    "dhr2", RaiseRecommendation(ref="overview/1", text="Act")
                )
            with pytest.raises(RecommendationNotFound):
                ledger.recommendation("dhr2", "overview/1")
        ledger.check_clock = ServerClock(
            engine, now=lambda: datetime.now(UTC) + timedelta(seconds=2)
        )
        ledger.raise_recommendation(
            "dhr2", RaiseRecommendation(ref="overview/1", text="Act")
        )  # within the tolerance
