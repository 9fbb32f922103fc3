"""No forging without the key: every write is signed with the ledger's key in its own
transaction, and ``verify`` names any event that no signature by that key covers, and any
recorded time that goes backwards. The attacks run as someone writing to the database
directly without the key: the file's owner on SQLite, the restricted application role on
PostgreSQL (issue 25, defect 3)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.log_file import export_log, restore
from adapters.settings import Settings
from adapters.signing import load_key
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import InvalidCommand, StorageUnavailable
from domain.fuzzy_date import FuzzyDate
from domain.integrity import sign_write
from domain.refs import recommendation_aggregate_id
from service.command_models import Complete, OpenPlan, RaiseRecommendation, RecordProgress
from service.ledger import Ledger
from tests.attacker import Attacker
from tests.seed_events import seed_events

OpenLedger = Callable[[str], Ledger]
SEEDED = seed_events()
"""Events of the seed plan: one write."""
TARGET = "imr/west-mercia-police/2"


def _events(attacker: Attacker, ref: str) -> list[tuple[int, str, bytes]]:
    rec = recommendation_aggregate_id("dhr2", ref)
    key = f"'{rec}'" if attacker.postgres else f"'{rec.hex}'"
    rows = attacker.query(
        f"SELECT originator_version, topic, state FROM {attacker.events} "
        f"WHERE originator_id = {key} ORDER BY originator_version"
    )
    return [(int(v), str(t), bytes(s)) for v, t, s in rows]


def test_every_write_is_signed_and_verify_counts_the_writes(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coord", "test"):
        ledger.open_plan(OpenPlan(plan_id="p", title="A plan"))
        ledger.raise_recommendation("p", RaiseRecommendation(ref="overview/1", text="Act"))
        ledger.change(
            "p", "overview/1", RecordProgress(text="Done", effective=FuzzyDate.parse("2014-02-01"))
        )
    found = ledger.verify()
    assert found.intact and (found.size, found.writes) == (3, 3)


def test_an_event_appended_without_the_key_is_named_by_verify(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    """Issue 25, defect 3: a Completed credited to "coord" via "api", appended directly."""
    db, writer = hostile
    ledger = open_ledger(db)
    with acting_as_owner("coord", "api"):
        ledger.change("dhr2", "overview/1", Complete(effective=FuzzyDate.parse("2014-03-01")))
    attacker = Attacker(writer)
    completed = _events(attacker, "overview/1")[-1]
    assert completed[1].endswith("Recommendation.Completed")
    version = len(_events(attacker, TARGET)) + 1
    rec = recommendation_aggregate_id("dhr2", TARGET)
    attacker.append_event(rec, version, completed[1], completed[2])

    later = open_ledger(db)
    assert later.history("dhr2", TARGET)[-1].type == "Completed"  # the log holds it...
    found = later.verify().divergence  # ...and verify says nobody with the key wrote it
    assert found is not None
    assert (found.change, found.position) == ("unsigned", SEEDED + 2)
    assert "no write signed with the ledger's key holds this event" in found.detail


def test_a_backdated_event_is_named_even_when_signed_with_the_key(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    """Issue 25, defect 3: an update recorded in 2015 after events recorded now."""
    db, writer = hostile
    attacker = Attacker(writer)
    version, topic, state = _events(attacker, TARGET)[-1]
    document = json.loads(state)
    document["timestamp"]["_data_"] = "2015-06-01T12:00:00+00:00"
    forged = json.dumps(document, separators=(",", ":")).encode()
    rec = recommendation_aggregate_id("dhr2", TARGET)
    last_id = attacker.append_event(rec, version + 1, topic, forged)
    assert not open_ledger(db).verify().intact

    key, _ = load_key(Path(os.environ["RECLEDGER_SIGNING_KEY"]), create=False)
    stored = type("Stored", (), {})()
    stored.originator_id, stored.originator_version = rec, version + 1
    stored.topic, stored.state = topic, forged
    attacker.append_signature(sign_write(key, [stored], last_id))
    found = open_ledger(db).verify().divergence
    assert found is not None and (found.change, found.position) == ("backdated", SEEDED + 1)
    assert "recorded 2015-06-01T12:00:00+00:00" in found.detail


def test_writes_signed_with_another_key_are_named(
    db_url: str, open_ledger: OpenLedger, tmp_path: Path
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coord", "test"):
        ledger.open_plan(OpenPlan(plan_id="p", title="A plan"))
    load_key(tmp_path / "other.pem", create=True)
    other = bootstrap(Settings(db=db_url, actor="x", signing_key=str(tmp_path / "other.pem")))
    try:
        with acting_as_owner("coord", "test"):
            other.raise_recommendation("p", RaiseRecommendation(ref="overview/1", text="Act"))
        found = other.verify().divergence  # the first write is not by this key
        assert found is not None and (found.change, found.position) == ("forged", 1)
        assert "not by this ledger's key" in found.detail
    finally:
        other.close()
    found = open_ledger(db_url).verify().divergence  # nor the second by the first key
    assert found is not None and (found.change, found.position) == ("forged", 2)


def test_a_signed_ledger_refuses_to_open_without_its_key(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.pem"
    path.parent.mkdir()
    settings = Settings(db=sqlite_url, actor="x", signing_key=str(path))
    ledger = bootstrap(settings)
    with acting_as_owner("coord", "test"):
        ledger.open_plan(OpenPlan(plan_id="p", title="A plan"))
    ledger.close()
    assert path.stat().st_mode & 0o077 == 0  # made with the ledger, private
    path.rename(tmp_path / "elsewhere.pem")
    with pytest.raises(StorageUnavailable, match=r"signing key .*ledger\.pem is missing"):
        bootstrap(settings)


def test_a_ledger_from_before_signing_is_attested_once_and_then_verifies(
    db_url: str, open_ledger: OpenLedger
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coord", "test"):
        ledger.open_plan(OpenPlan(plan_id="p", title="A plan"))
        ledger.raise_recommendation("p", RaiseRecommendation(ref="overview/1", text="Act"))
    attacker = Attacker(db_url)  # as an earlier recledger left it: no signatures
    attacker.drop_protection()
    attacker.sql("DELETE FROM rl_signatures")
    old = open_ledger(db_url)
    found = old.verify().divergence
    assert found is not None and (found.change, found.position) == ("unsigned", 1)
    with acting_as_owner("coord", "test"):
        assert old.attest()[0] == 2
        old.change(
            "p", "overview/1", RecordProgress(text="Done", effective=FuzzyDate.parse("2014-02-01"))
        )
        assert old.verify().intact
        with pytest.raises(InvalidCommand, match="nothing to attest"):
            old.attest()


def test_attest_refuses_events_appended_without_the_key_after_signed_writes(
    hostile: tuple[str, str], open_ledger: OpenLedger
) -> None:
    db, writer = hostile
    attacker = Attacker(writer)
    version, topic, state = _events(attacker, TARGET)[-1]
    attacker.append_event(recommendation_aggregate_id("dhr2", TARGET), version + 1, topic, state)
    refused = pytest.raises(InvalidCommand, match=f"verify finds unsigned at position {SEEDED + 1}")
    with acting_as_owner("coord", "test"), refused:
        open_ledger(db).attest()


def test_a_restore_keeps_the_signatures_and_needs_the_same_key(
    db_url: str, open_ledger: OpenLedger, tmp_path: Path, sqlite_url: str
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coord", "test"):
        ledger.open_plan(OpenPlan(plan_id="p", title="A plan"))
        ledger.raise_recommendation("p", RaiseRecommendation(ref="overview/1", text="Act"))
    export_log(ledger, tmp_path / "log.jsonl")
    same = open_ledger(str(tmp_path / "same.db"))
    assert restore(same, tmp_path / "log.jsonl") == 2
    assert same.verify().intact and same.verify().writes == 2
    other = bootstrap(
        Settings(db=str(tmp_path / "other.db"), signing_key=str(tmp_path / "other.pem"))
    )
    try:
        with pytest.raises(InvalidCommand, match=r"signed with key .* restore with"):
            restore(other, tmp_path / "log.jsonl")
        assert other.position() == 0
    finally:
        other.close()
