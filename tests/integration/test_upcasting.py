"""Old event shapes keep loading: they are upcast as they are read, never migrated in place."""

from __future__ import annotations

import json
from collections.abc import Callable

from eventsourcing.persistence import StoredEvent

from domain.audit import acting_as
from domain.refs import plan_aggregate_id
from service.ledger import Ledger


def test_a_version_1_document_version_event_loads_without_a_digest(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as("coordinator", "test"):
        ledger.open_plan("dhr2", "DHR Case No 2")
        ledger.record_document_version("dhr2", "2nd Version", file_name="plan.txt")
    plan_id = plan_aggregate_id("dhr2")
    [current] = ledger.recorder.select_events(plan_id, gt=1)
    state = json.loads(current.state)
    assert state.pop("class_version") == 2
    del state["digest"]  # what a version-1 event stored
    state["label"] = "1st Version"
    old = StoredEvent(plan_id, 3, current.topic, json.dumps(state).encode())
    ledger.recorder.insert_events([old])

    plan = open_ledger(db_url).plan("dhr2")
    assert [(v.label, v.digest) for v in plan.versions] == [
        ("2nd Version", None),
        ("1st Version", None),
    ]
    [stored] = ledger.recorder.select_events(plan_id, gt=2)
    assert stored.state == old.state  # read, never rewritten
