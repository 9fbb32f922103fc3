"""Read models are derived: a projection whose schema version changed is dropped and
rebuilt from the log, and the others are left as they are."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import BigInteger, Column, MetaData, String, Table, func, insert, select, update

from domain.audit import acting_as_owner
from projections.tables import plans, tracking, versions
from service.command_models import OpenPlan, RaiseRecommendation
from service.ledger import Ledger


def tracked(ledger: Ledger) -> dict[str, tuple[int, int]]:
    with ledger.read_model.engine.connect() as conn:
        rows = conn.execute(select(tracking.c.name, tracking.c.position, tracking.c.version))
        return {row.name: (row.position, row.version) for row in rows}


def count(ledger: Ledger, table: object) -> int:
    with ledger.read_model.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


def test_a_projection_of_an_older_schema_alone_is_rebuilt_from_the_log(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        ledger.raise_recommendation(
            "dhr2", RaiseRecommendation(ref="overview/1", text="Act", leads=["DCI Smith"])
        )
    version = ledger.read_model.projection("recommendations").version
    others = {"plans": (2, 1), "directory": (2, 2), "proposals": (2, 2), "requests": (2, 1),
              "search": (2, 1), "seals": (2, 1)}  # fmt: skip
    assert tracked(ledger) == {"recommendations": (2, version), **others}
    with ledger.read_model.engine.begin() as conn:
        old = tracking.c.name == "recommendations"
        conn.execute(update(tracking).where(old).values(version=version - 1))

    reopened = open_ledger(db_url)
    assert tracked(reopened) == {"recommendations": (0, version), **others}
    assert count(reopened, versions) == 0 and count(reopened, plans) == 1
    [view] = reopened.status("dhr2")  # the first query catches up from the log
    assert view.ref == "overview/1"
    assert tracked(reopened) == {"recommendations": (2, version), **others}


def test_a_tracking_table_of_the_shape_before_projections_had_versions_is_replaced(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """Before the runner, one row named "schema" held the only version, in ``position``."""
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
    before = Table(
        "rl_tracking",
        MetaData(),
        Column("name", String(64), primary_key=True),
        Column("position", BigInteger, nullable=False),
        Column("last_event", String(80)),
    )
    with ledger.read_model.engine.begin() as conn:
        tracking.drop(conn)
        before.create(conn)
        conn.execute(insert(before), [{"name": "recledger", "position": 1},
                                      {"name": "schema", "position": 8}])  # fmt: skip

    reopened = open_ledger(db_url)
    assert tracked(reopened) == {
        "recommendations": (0, ledger.read_model.projection("recommendations").version),
        "plans": (0, 1),
        "directory": (0, 2),
        "proposals": (0, 2),
        "requests": (0, 1),
        "search": (0, 1),
        "seals": (1, 1),  # evidence is never dropped: it goes on from what it holds
    }
    assert [plan.plan_id for plan in reopened.plans()] == ["dhr2"]
    assert reopened.verify().intact
