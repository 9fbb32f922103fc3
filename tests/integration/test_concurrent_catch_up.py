"""Two processes' read models catching up at once apply every event exactly once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from adapters.storage import event_store_env, read_model_engine, read_models
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from service.command_models import OpenPlan, RaiseRecommendation, RecordProgress
from service.ledger import Ledger
from tests.conftest import session_key
from tests.projection_rows import rows


def test_concurrent_catch_ups_take_turns_and_apply_each_event_once(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        for n in range(1, 31):
            ledger.raise_recommendation(
                "dhr2", RaiseRecommendation(ref=f"overview/{n}", text="Act", leads=["DCI Smith"])
            )
            ledger.change(
                "dhr2",
                f"overview/{n}",
                RecordProgress(text="Done", effective=FuzzyDate.parse("Feb 2014")),
            )
    expected = rows(ledger.read_model)  # type: ignore[arg-type]
    ledger.rebuild(progress=None)  # back to a known state, then forget it all again:
    ledger.read_model.clear()

    # Two "processes": separate engines and read-model objects on the same database.
    models = [
        read_models(read_model_engine(event_store_env(db_url)), session_key()) for _ in range(2)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        applied = list(pool.map(lambda m: m.catch_up(ledger, batch_size=7, behind=True), models))
    assert sum(applied) == ledger.recorder.max_notification_id()  # each applied by one of them
    assert rows(models[0]) == expected
    for model in models:
        model.engine.dispose()
