"""Nobody rewrites history unseen: the database refuses changes to stored events and
seals; an attacker who drops that protection and edits, deletes, reorders, inserts or
truncates is caught by ``verify``, at the first changed position, with the kind of change;
a rewrite without the ledger's key breaks its write's signature, and a checkpoint catches
even one that recomputed the seals and the signatures with the key. On SQLite and
PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from adapters.settings import Settings
from adapters.signing import load_key
from adapters.storage import bootstrap, event_store_env, read_model_engine, read_models
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from projections.seals import heads, seals
from projections.tables import tracking
from service.command_models import RecordProgress
from service.integrity import Checkpoint
from service.ledger import Ledger
from tests.attacker import Attacker
from tests.conftest import plan_with_updates, session_key

OpenLedger = Callable[[str], Ledger]


def _more_events(ledger: Ledger) -> None:
    with acting_as_owner("coordinator", "test"):
        ledger.change(
            "dhr2",
            "overview/1",
            RecordProgress(text="Later", effective=FuzzyDate.parse("Mar 2014")),
        )


def test_the_database_refuses_to_change_or_remove_stored_events_and_seals(
    db_url: str, open_ledger: OpenLedger
) -> None:
    plan_with_updates(open_ledger(db_url), 5)
    attacker = Attacker(db_url)
    error = psycopg.Error if attacker.postgres else sqlite3.Error
    statements = [
        f"UPDATE {attacker.events} SET topic = 'x'",
        f"DELETE FROM {attacker.events}",
        f"UPDATE {seals.name} SET leaf = leaf",
        f"DELETE FROM {seals.name}",
        f"DELETE FROM {heads.name}",
    ]
    if attacker.postgres:
        statements += [f"TRUNCATE {attacker.events}", f"TRUNCATE {seals.name}"]
    for statement in statements:
        with pytest.raises(error, match="append-only"):
            attacker.sql(statement)
    assert open_ledger(db_url).verify().intact


@pytest.mark.parametrize(
    ("change", "found_at"),
    [("edited", 5), ("deleted", 5), ("reordered", 5), ("inserted", 6), ("truncated", 6)],
)
def test_verify_names_the_first_changed_position_and_the_kind_of_change(
    db_url: str, open_ledger: OpenLedger, change: str, found_at: int
) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 5)
    before = ledger.verify()
    assert before.intact and before.size == before.sealed == 11
    attacker = Attacker(db_url)
    attacker.drop_protection()
    attacker.tamper(change, 5)

    result = open_ledger(db_url).verify()

    assert result.divergence is not None, change
    assert (result.divergence.change, result.divergence.position) == (change, found_at)


def test_a_checkpoint_is_extended_by_later_events_and_catches_a_rewrite_before_it(
    db_url: str, open_ledger: OpenLedger
) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 5)
    taken = ledger.verify()
    checkpoint = Checkpoint(taken.size, taken.root)
    _more_events(ledger)
    assert ledger.verify(checkpoint).intact

    # An attacker edits an event before the checkpoint and seals the log again.
    attacker = Attacker(db_url)
    attacker.drop_protection()
    attacker.tamper("edited", 3)
    attacker.sql(
        f"DELETE FROM {seals.name}",
        f"DELETE FROM {heads.name}",
        f"UPDATE {tracking.name} SET position = 0, last_event = NULL WHERE name = 'seals'",
    )
    resealed = open_ledger(db_url)
    resealed.project(behind=True)
    found = resealed.verify().divergence  # without the key, the write's signature fails...
    assert found is not None and (found.change, found.position) == ("forged", 3)

    # ...and with the key, signing the write again: the seals and the signatures can be
    # recomputed, the checkpoint cannot.
    key, _ = load_key(Path(os.environ["RECLEDGER_SIGNING_KEY"]), create=False)
    attacker.drop_protection()  # opening the ledger put it back
    attacker.resign_writes(key)
    assert resealed.verify().intact
    found = resealed.verify(checkpoint).divergence
    assert found is not None and found.change == "rewritten"


def test_a_log_cut_below_a_checkpoint_fails_it(db_url: str, open_ledger: OpenLedger) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 5)
    taken = ledger.verify()
    attacker = Attacker(db_url)
    attacker.drop_protection()
    attacker.tamper("truncated", 9)
    attacker.sql(f"DELETE FROM {seals.name} WHERE position > 9")
    found = open_ledger(db_url).verify(Checkpoint(taken.size, taken.root)).divergence
    assert found is not None and found.change == "truncated"


def test_the_seals_stop_at_a_changed_log_while_the_read_models_are_rebuilt(
    db_url: str, open_ledger: OpenLedger
) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 5)
    attacker = Attacker(db_url)
    attacker.drop_protection()
    attacker.tamper("truncated", 10)  # the last event is gone
    after = open_ledger(db_url)
    _more_events(after)
    assert after.read_models_behind is not None
    assert "the log was changed outside the ledger" in after.read_models_behind
    after.rebuild()
    assert after.status("dhr2")[0].updates[-1].text == "Later"  # the read models go on
    assert "the seals applied the log up to event 11" in after.read_model.stopped["seals"]
    found = after.verify().divergence  # the seals stopped where the log was changed
    assert found is not None and (found.change, found.position) == ("deleted", 11)


def test_sealing_is_exactly_once_beside_the_read_models(
    db_url: str, open_ledger: OpenLedger
) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 5)
    ledger.rebuild()  # the read models again from the first event; the seals stay
    _more_events(ledger)
    result = ledger.verify()
    assert result.intact and result.sealed == result.size == 12
    assert ledger.head().root == result.root


def test_two_processes_sealing_at_once_seal_each_event_once(
    db_url: str, open_ledger: OpenLedger
) -> None:
    # a writer whose read models a worker keeps: it stores the events only, nothing sealed
    writer = bootstrap(Settings(db=db_url, actor="test", projections="worker"))
    plan_with_updates(writer, 15)
    models = [
        read_models(read_model_engine(event_store_env(db_url)), session_key()) for _ in range(2)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        applied = list(pool.map(lambda m: m.catch_up(writer, batch_size=4, behind=True), models))
    assert sum(applied) == 31  # each batch applied by one of them
    reader = open_ledger(db_url)
    result = reader.verify()
    assert result.intact and result.size == result.sealed == 31
    for model in models:
        model.engine.dispose()
    writer.close()
