"""What is shown is what the log says: an edit of the read models made in the database is
named by ``verify`` (which table, which item), by its digests and by ``verify --deep``,
and a rebuild puts it right. The edits run as someone writing to the database directly
without the ledger's key: the file's owner on SQLite, the restricted application role on
PostgreSQL (issue 25, defect 1)."""

from __future__ import annotations

from collections.abc import Callable

from domain.audit import acting_as_owner
from domain.kinds import Status
from projections.tables import tracking
from service.command_models import Withdraw
from service.ledger import Ledger
from tests.attacker import Attacker

OpenLedger = Callable[[str], Ledger]
REF = "imr/west-mercia-police/2"
FORGE = (
    "UPDATE {table} SET status = 'completed', {column} = replace(replace({column}, "
    "'Ch Supt McNevin', 'FORGED LEAD'), '\"status\":\"{status}\"', '\"status\":\"completed\"') "
    f"WHERE ref = '{REF}'"
)


def _shown(ledger: Ledger) -> tuple[Status, tuple[str, ...]]:
    with acting_as_owner("auditor", "test"):
        view = next(v for v in ledger.status("dhr2") if v.ref == REF)
    return view.status, tuple(view.leads)


def test_an_edit_of_the_read_models_is_named_by_verify_and_undone_by_a_rebuild(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    db, writer = hostile
    honest = _shown(open_ledger(db))
    Attacker(writer).sql(
        FORGE.format(table="rl_versions", column="summary", status=honest[0].value),
        FORGE.format(table="rl_items", column="leads", status=honest[0].value),
    )
    ledger = open_ledger(db)
    assert _shown(ledger) == (Status.COMPLETED, ("FORGED LEAD",))  # shown, as reported

    quick = ledger.verify()
    assert quick.divergence is None and not quick.intact
    named = {(d.table, d.item) for d in quick.read_models}
    assert named == {("rl_versions", f"dhr2 {REF}"), ("rl_items", f"dhr2 {REF}")}
    deep = open_ledger(writer).verify(deep=True)  # the application role can check it too
    assert {(d.table, d.item) for d in deep.read_models} == named

    ledger.rebuild()
    assert ledger.verify().intact and ledger.verify(deep=True).intact
    assert _shown(ledger) == honest


def test_a_row_added_to_a_read_model_is_named(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    db, writer = hostile
    Attacker(writer).sql(
        "INSERT INTO rl_updates (rec_id, plan_id, event_id, action, sequence, eff_order, "
        "eff_end, rec_from, rec_to, effective, text, actor, recorded_at, source) "
        "SELECT rec_id, plan_id, event_id, action, sequence + 100, eff_order, eff_end, "
        "rec_from, rec_to, effective, 'Nobody recorded this', actor, recorded_at, source "
        f"FROM rl_updates WHERE rec_id = (SELECT rec_id FROM rl_versions WHERE ref = '{REF}' "
        "LIMIT 1) LIMIT 1"
    )
    found = open_ledger(db).verify().read_models
    assert [(d.table, d.item) for d in found] == [("rl_updates", f"dhr2 {REF}")]
    assert "differ" in found[0].detail


def test_a_changed_tracking_row_is_named_and_nothing_is_applied_over_it(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    """Setting a read model's position ahead would make it skip events unseen."""
    db, writer = hostile
    Attacker(writer).sql(
        f"UPDATE {tracking.name} SET position = position + 0, digests = '{{}}' "
        "WHERE name = 'recommendations'"
    )
    ledger = open_ledger(db)
    found = ledger.verify().read_models
    assert ("rl_tracking", "recommendations") in {(d.table, d.item) for d in found}
    with acting_as_owner("coord", "test"):
        ledger.change("dhr2", REF, Withdraw(reason="no longer needed"))
    assert ledger.read_models_behind is not None
    assert "tracking row was changed outside the ledger" in ledger.read_models_behind
    ledger.rebuild()
    assert ledger.verify().intact
