"""The ledger core on real storage: a SQLite file and the PostgreSQL server.

Every test runs once per backend (the ``db_url`` fixture).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.audit import acting_as_owner
from domain.errors import AlreadyExists, RuleViolated, StaleVersion
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from service import command_models as cmd
from service.ledger import Ledger

OpenLedger = Callable[[str], Ledger]
REF = "imr/west-mercia-police/2"


def seeded(ledger: Ledger) -> Ledger:
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(
            cmd.OpenPlan(plan_id="dhr2", title="DHR Case No 2", partnership="South Worcs CSP")
        )
        ledger.record_document_version(
            "dhr2",
            cmd.RecordDocumentVersion(label="2nd Version", date=FuzzyDate.parse("29th May 2014")),
        )
        ledger.raise_recommendation(
            "dhr2",
            cmd.RaiseRecommendation(
                ref=REF,
                text="Review the handling of repeat callers",
                agency="West Mercia Police",
                leads=["Det Supt HQ PVP"],
                target=FuzzyDate.parse("July 2014"),
            ),
        )
    return ledger


def test_every_kind_of_change_is_recorded_and_survives_reopening(
    db_url: str, open_ledger: OpenLedger
) -> None:
    ledger = seeded(open_ledger(db_url))
    with acting_as_owner("agency lead", "test"):
        ledger.change("dhr2", REF, cmd.AddSubAction(text="Brief all sergeants", leads=["DI Brown"]))
        ledger.change(
            "dhr2", REF, cmd.Reassign(leads=["DCI Smith"], agency="Warks Police", reason="alliance")
        )
        ledger.change(
            "dhr2",
            REF,
            cmd.ReviseTarget(target=FuzzyDate.parse("Autumn 2014"), reason="HMIC", effective=None),
        )
        ledger.change(
            "dhr2",
            REF,
            cmd.RecordProgress(text="Briefings done", effective=FuzzyDate.parse("Feb 2014")),
        )
        ledger.change(
            "dhr2", REF, cmd.ChangeStatus(status=Status.ONGOING, reason="business as usual")
        )
        ledger.change(
            "dhr2", REF, cmd.ChangeStatus(status=Status.IN_PROGRESS, reason="audit pending")
        )
        ledger.change(
            "dhr2", REF, cmd.Complete(effective=FuzzyDate.parse("1st April 2014"), evidence="audit")
        )
        ledger.change("dhr2", REF, cmd.Reopen(reason="audit found gaps"))
        [progress] = [e for e in ledger.history("dhr2", REF) if e.type == "ProgressRecorded"]
        ledger.change("dhr2", REF, cmd.Correct(event=progress.event_id, reason="typo", text="Done"))
        ledger.change("dhr2", REF, cmd.Withdraw(reason="superseded"))

    reopened = open_ledger(db_url)
    entries = reopened.history("dhr2", REF)
    assert [e.type for e in entries] == [
        "Raised",
        "SubActionAdded",
        "LeadsReassigned",
        "AgencyReassigned",
        "TargetDateRevised",
        "ProgressRecorded",
        "StatusChanged",
        "StatusChanged",
        "Completed",
        "Reopened",
        "Corrected",
        "Withdrawn",
    ]
    assert [e.sequence for e in entries] == list(range(1, 13))
    assert all(e.actor and e.recorded_at.tzinfo for e in entries)
    assert entries[0].actor == "coordinator" and entries[1].actor == "agency lead"
    assert entries[5].effective == FuzzyDate.parse("Feb 2014")
    assert entries[5].corrected_by == (entries[10].event_id,)
    assert entries[2].reason == "alliance"
    state = reopened.recommendation("dhr2", REF).state
    assert state.status == Status.WITHDRAWN
    assert (state.leads, state.agency) == (("DCI Smith",), "Warks Police")
    assert state.updates[0].text == "Done"
    [plan] = reopened.plans()
    assert (plan.plan_id, plan.kind, plan.versions[0].label) == (
        "dhr2",
        ReviewKind.DHR,
        "2nd Version",
    )


def test_a_racing_command_fails_with_a_conflict_and_loses_nothing(
    db_url: str, open_ledger: OpenLedger
) -> None:
    first, second = seeded(open_ledger(db_url)), open_ledger(db_url)
    with acting_as_owner("alice", "test"):
        mine = first.recommendation("dhr2", REF)
        theirs = second.recommendation("dhr2", REF)
        mine.record_progress("Alice's update", FuzzyDate.parse("Feb 2014"))
        theirs.record_progress("Bob's update", FuzzyDate.parse("Mar 2014"))
        first.save_atomically(mine)
        with pytest.raises(StaleVersion, match="changed by someone else"):
            second.save_atomically(theirs, conflict="changed by someone else")
    updates = open_ledger(db_url).recommendation("dhr2", REF).state.updates
    assert [u.text for u in updates] == ["Alice's update"]


def test_a_refused_command_writes_nothing(db_url: str, open_ledger: OpenLedger) -> None:
    ledger = seeded(open_ledger(db_url))
    with acting_as_owner("alice", "test"), pytest.raises(RuleViolated, match="already owned"):
        # The leads change is valid, the agency change is not: neither is written.
        ledger.change(
            "dhr2",
            REF,
            cmd.Reassign(leads=["DCI Smith"], agency="West Mercia Police", reason="move"),
        )
    assert [e.type for e in open_ledger(db_url).history("dhr2", REF)] == ["Raised"]


def test_the_same_plan_or_ref_cannot_be_raised_twice(db_url: str, open_ledger: OpenLedger) -> None:
    ledger = seeded(open_ledger(db_url))
    with acting_as_owner("alice", "test"):
        with pytest.raises(AlreadyExists, match="dhr2"):
            ledger.open_plan(cmd.OpenPlan(plan_id="dhr2", title="again"))
        with pytest.raises(AlreadyExists, match=REF):
            ledger.raise_recommendation("dhr2", cmd.RaiseRecommendation(ref=REF, text="again"))


def test_stored_events_are_read_back_byte_for_byte(db_url: str, open_ledger: OpenLedger) -> None:
    ledger = seeded(open_ledger(db_url))
    before = [(n.id, n.topic, bytes(n.state)) for n in ledger.recorder.select_notifications(1, 100)]
    with acting_as_owner("alice", "test"):
        ledger.change(
            "dhr2", REF, cmd.RecordProgress(text="More", effective=FuzzyDate.parse("Mar 2014"))
        )
    after = [
        (n.id, n.topic, bytes(n.state))
        for n in open_ledger(db_url).recorder.select_notifications(1, 100)
    ]
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1


@pytest.mark.postgres
def test_the_postgresql_event_store_keeps_its_table_name(
    postgres_url: str, open_ledger: OpenLedger
) -> None:
    """The library names the events table after the application class it runs: a ledger
    whose class was renamed would open an empty table beside the log (the service's split
    once made it ``ledger_events``)."""
    from urllib.parse import urlsplit

    import psycopg

    ledger = open_ledger(postgres_url)
    ledger.open_plan(cmd.OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
    parts = urlsplit(postgres_url)
    with psycopg.connect(parts._replace(query="").geturl()) as conn:
        found = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name LIKE '%%events'",
            (parts.query.removeprefix("schema="),),
        ).fetchall()
    assert found == [("recledger_events",)]
