"""Two processes' read models catching up at once apply every event exactly once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from adapters.storage import event_store_env, read_model_engine, read_models
from service.ledger import Ledger
from tests.conftest import plan_with_updates, session_key
from tests.projection_rows import rows


def test_concurrent_catch_ups_take_turns_and_apply_each_event_once(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 30)
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
