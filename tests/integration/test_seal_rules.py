"""The seals cannot be poisoned: the database accepts a seal only at the next position,
for the next stored event (on PostgreSQL, with that event's leaf), and a head only at the
size the seals have reached (on PostgreSQL, with their root); ``head`` is computed from
the seals, and a lost tracking row changes nothing. The attacks run as someone writing to
the database directly: the file's owner on SQLite (triggers in place), the restricted
application role on PostgreSQL (issue 25, defect 4)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import psycopg
import pytest

from projections.seals import heads, seals
from projections.tables import tracking
from service.integrity import Checkpoint
from service.ledger import Ledger
from tests.attacker import Attacker
from tests.seed_events import seed_events

OpenLedger = Callable[[str], Ledger]
REFUSED = (sqlite3.IntegrityError, psycopg.errors.InsufficientPrivilege)
SEEDED = seed_events()


def test_a_seal_copied_from_another_is_refused_and_head_and_verify_stay_true(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    db, writer = hostile
    before = open_ledger(db).head()
    attacker = Attacker(writer)
    for position in (SEEDED + 1, SEEDED + 2):
        with pytest.raises(REFUSED, match="rl_seals"):
            attacker.sql(
                f"INSERT INTO {seals.name} SELECT {position}, notification_id, originator_id, "
                f"originator_version, leaf FROM {seals.name} WHERE position = 1"
            )
    attacker.sql(f"DELETE FROM {tracking.name} WHERE name = 'seals'")
    ledger = open_ledger(db)
    assert ledger.head() == before
    assert (before.size, ledger.verify().intact) == (SEEDED, True)
    assert ledger.verify(Checkpoint(before.size, before.root)).intact


def test_a_head_is_refused_unless_it_is_the_seals_own(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    db, writer = hostile
    attacker = Attacker(writer)
    for size in (SEEDED, SEEDED + 1, SEEDED + 69):
        with pytest.raises(REFUSED, match="rl_log_heads"):
            attacker.sql(
                f"INSERT INTO {heads.name} SELECT {size}, root, frontier, sealed_at "
                f"FROM {heads.name}"
            )
    assert open_ledger(db).head().size == SEEDED


@pytest.mark.postgres
def test_on_postgresql_a_seal_must_carry_its_events_leaf(
    hostile_role: tuple[str, str], open_ledger: OpenLedger
) -> None:
    """(SQLite has no SHA-256 in SQL: there, verify recomputes the leaves.)"""
    db, writer = hostile_role
    attacker = Attacker(writer)
    [[rec, version, topic, state]] = attacker.query(
        "SELECT originator_id, originator_version, topic, state FROM recledger_events "
        "ORDER BY notification_id DESC LIMIT 1"
    )
    last_id = attacker.append_event(rec, version + 1, topic, bytes(state))
    wrong = "'\\x" + "00" * 32 + "'::bytea"
    with pytest.raises(REFUSED, match="with its leaf"):
        attacker.sql(
            f"INSERT INTO {seals.name} VALUES ({SEEDED + 1}, {last_id}, '{rec}', "
            f"{version + 1}, {wrong})"
        )
    found = open_ledger(db).verify().divergence  # sealed by the ledger, named unsigned
    assert found is not None and (found.change, found.position) == ("unsigned", SEEDED + 1)


@pytest.mark.postgres
def test_on_postgresql_events_and_signatures_are_appended_only_in_order(
    hostile_role: tuple[str, str], open_ledger: OpenLedger
) -> None:
    """(On SQLite the file's owner may write any id: verify names what it breaks.)"""
    db, writer = hostile_role
    attacker = Attacker(writer)
    with pytest.raises(psycopg.Error, match=r"the id its sequence gives|currval"):
        attacker.sql(
            "INSERT INTO recledger_events (originator_id, originator_version, topic, state, "
            "notification_id) SELECT originator_id, originator_version + 1000, topic, state, "
            "1000000000 FROM recledger_events LIMIT 1"
        )
    with pytest.raises(REFUSED, match="rl_signatures"):
        attacker.sql("INSERT INTO rl_signatures VALUES (1000000000, 1, 'k', '\\x00'::bytea)")
    assert open_ledger(db).verify().intact


def test_verify_names_a_seal_added_beyond_the_log_as_a_change_of_the_seals(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    """Once the database's owner drops the rules: not "truncated", as it was named."""
    db, _ = hostile
    owner = Attacker(db)
    owner.drop_protection()
    owner.sql(
        f"INSERT INTO {seals.name} SELECT {SEEDED + 1}, notification_id, originator_id, "
        f"originator_version, leaf FROM {seals.name} WHERE position = 1"
    )
    found = open_ledger(db).verify().divergence
    assert found is not None and (found.change, found.position) == ("rewritten", SEEDED + 1)
    assert "the seals were added to" in found.detail
