"""Read models are derived: when their schema changes they are dropped and rebuilt."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update

from domain.audit import acting_as
from projections.read_model import NAME, SCHEMA
from projections.tables import SCHEMA_VERSION, tracking, versions
from service.ledger import Ledger


def test_an_older_read_model_schema_is_rebuilt_from_the_log(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as("coordinator", "test"):
        ledger.open_plan("dhr2", "DHR Case No 2")
        ledger.raise_recommendation("dhr2", "overview/1", "Act", leads=["DCI Smith"])
    model = ledger.read_model
    assert model is not None
    with model.engine.begin() as conn:
        conn.execute(update(tracking).where(tracking.c.name == SCHEMA).values(position=1))

    reopened = open_ledger(db_url)
    model = reopened.read_model
    assert model is not None
    with model.engine.connect() as conn:
        stored = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
        assert stored == {NAME: 0, SCHEMA: SCHEMA_VERSION}
        assert conn.execute(select(func.count()).select_from(versions)).scalar_one() == 0
    [view] = reopened.status("dhr2")  # the first query catches up from the log
    assert view.ref == "overview/1"
