"""Old event shapes keep loading: they are upcast as they are read, never migrated in place."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from eventsourcing.persistence import StoredEvent

from domain.access import Role
from domain.access_token import AccessToken
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from domain.recommendation import Recommendation
from domain.refs import plan_aggregate_id, recommendation_aggregate_id
from service.command_models import Complete, OpenPlan, RecordDocumentVersion
from service.ledger import Ledger


def test_a_version_1_document_version_event_loads_without_a_digest(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        ledger.record_document_version(
            "dhr2", RecordDocumentVersion(label="2nd Version", file_name="plan.txt")
        )
    plan_id = plan_aggregate_id("dhr2")
    [current] = ledger.recorder.select_events(plan_id, gt=1)
    state = json.loads(current.state)
    assert state.pop("class_version") == 3
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


def test_a_version_1_raising_loads_with_no_theme_and_projects(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """A recommendation raised before themes existed: its stored event lacks the field."""
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
    rec_id = recommendation_aggregate_id("dhr2", "overview/1")
    with acting_as_owner("coordinator", "test"):
        new = Recommendation.raise_recommendation(
            plan_id="dhr2", ref="overview/1", text="Review the policy."
        )
    [raised] = [ledger.mapper.to_stored_event(event) for event in new.collect_events()]
    state = json.loads(raised.state)
    assert state.pop("class_version") == 3
    del state["theme"]  # what a version-1 event stored
    old = StoredEvent(rec_id, 1, raised.topic, json.dumps(state).encode())
    ledger.recorder.insert_events([old])

    reopened = open_ledger(db_url)
    assert reopened.recommendation("dhr2", "overview/1").state.theme == ""
    reopened.rebuild()
    [view] = reopened.status("dhr2")
    assert (view.text, view.theme) == ("Review the policy.", "")
    [stored] = reopened.recorder.select_events(rec_id)
    assert stored.state == old.state  # read, never rewritten


def test_version_1_sub_actions_and_updates_load_numbered_by_position_and_project(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """Before sub-actions were items: a SubActionAdded had no number, and the events that
    change an item no ``action`` (they were about the recommendation itself)."""
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        new = Recommendation.raise_recommendation(
            plan_id="dhr2", ref="overview/3", text="Assure GP practice."
        )
        new.add_sub_action("Newsletter item")
        new.add_sub_action("Nominated leads")
        new.record_progress("Item in June Newsletter", FuzzyDate.parse("June 2013"))
    rec_id = recommendation_aggregate_id("dhr2", "overview/3")
    old = []
    for stored in (ledger.mapper.to_stored_event(event) for event in new.collect_events()):
        state = json.loads(stored.state)
        if state.pop("class_version", 1) == 2:  # what a version-1 event stored
            state.pop("number", None)
            state.pop("action", None)
        old.append(StoredEvent(rec_id, stored.originator_version, stored.topic,
                               json.dumps(state).encode()))  # fmt: skip
    ledger.recorder.insert_events(old)

    reopened = open_ledger(db_url)
    rec = reopened.recommendation("dhr2", "overview/3")
    assert [s.ref for s in rec.state.sub_actions] == ["overview/3.1", "overview/3.2"]
    assert [u.text for u in rec.state.updates] == ["Item in June Newsletter"]
    reopened.rebuild()
    [view] = reopened.status("dhr2")
    assert [s.ref for s in view.sub_actions] == ["overview/3.1", "overview/3.2"]
    assert [u.text for u in view.updates] == ["Item in June Newsletter"]
    with acting_as_owner("coordinator", "test"):
        reopened.change("dhr2", "overview/3.2", Complete(effective=FuzzyDate.parse("2014-01-31")))
    assert [e.ref for e in reopened.history("dhr2", "overview/3.2")] == ["overview/3.2"] * 2
    assert [s.status.value for s in reopened.status("dhr2")[0].sub_actions] == [
        "open", "completed",
    ]  # fmt: skip
    assert [s.state for s in reopened.recorder.select_events(rec_id)][:4] == [
        e.state for e in old
    ]  # read, never rewritten


def as_plain_dicts(value: Any) -> Any:
    """A stored state as it was before dates travelled as values: plain dicts."""
    if isinstance(value, dict):
        if value.get("_type_") == "fuzzy_date":
            return value["_data_"]
        return {key: as_plain_dicts(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_plain_dicts(item) for item in value]
    return value


def test_events_stored_with_dates_as_plain_dicts_load_them_as_values_and_project(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        ledger.record_document_version(
            "dhr2",
            RecordDocumentVersion(label="2nd Version", date=FuzzyDate.parse("29th May 2014")),
        )
        new = Recommendation.raise_recommendation(
            plan_id="dhr2", ref="overview/1", text="Act.", target=FuzzyDate.parse("July 2014"),
            effective=FuzzyDate.parse("March 2013"),
        )  # fmt: skip
        new.record_progress("Trainng", FuzzyDate.parse("Aug 2013"))
        new.correct(
            new.log[-1].event_id, "typo", amendment={"effective": FuzzyDate.parse("Sep 2013")}
        )
    plan_id, rec_id = plan_aggregate_id("dhr2"), recommendation_aggregate_id("dhr2", "overview/1")
    old_versions = {"Raised": 2, "ProgressRecorded": 1, "Corrected": 1}
    old = []
    for stored in (ledger.mapper.to_stored_event(event) for event in new.collect_events()):
        state = as_plain_dicts(json.loads(stored.state))
        state["class_version"] = old_versions[stored.topic.rpartition(".")[2]]
        old.append(StoredEvent(rec_id, stored.originator_version, stored.topic,
                               json.dumps(state).encode()))  # fmt: skip
    [version] = ledger.recorder.select_events(plan_id, gt=1)
    state = as_plain_dicts(json.loads(version.state)) | {"class_version": 2, "label": "3rd"}
    old.append(StoredEvent(plan_id, 3, version.topic, json.dumps(state).encode()))
    assert b'"fuzzy_date"' not in b"".join(e.state for e in old)  # dates as plain dicts
    ledger.recorder.insert_events(old)

    reopened = open_ledger(db_url)
    assert reopened.plan("dhr2").versions[1].date == FuzzyDate.parse("29th May 2014")
    rec = reopened.recommendation("dhr2", "overview/1")
    assert rec.log[0].target == FuzzyDate.parse("July 2014")  # type: ignore[attr-defined]
    assert [u.effective for u in rec.state.updates] == [FuzzyDate.parse("Sep 2013")]
    reopened.rebuild()
    [view] = reopened.status("dhr2", as_at=date(2013, 9, 30))
    assert (view.target, [u.text for u in view.updates]) == (
        FuzzyDate.parse("July 2014"),
        ["Trainng"],
    )
    assert reopened.status("dhr2", as_at=date(2013, 8, 31))[0].updates == ()
    history = reopened.history("dhr2", "overview/1")
    assert history[2].to_json()["data"]["amendment"]["effective"]["text"] == "Sep 2013"
    assert [s.state for s in reopened.recorder.select_events(rec_id)] == [e.state for e in old[:3]]


def test_a_version_1_token_loads_issued_to_no_person_and_is_listed(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """A token issued before the directory: its stored event has no person."""
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        token, secret = AccessToken.issue("lee", Role.AGENCY_LEAD, ["west-mercia-police"], [])
    [issued] = [ledger.mapper.to_stored_event(event) for event in token.collect_events()]
    state = json.loads(issued.state)
    assert state.pop("class_version") == 2
    del state["person"]  # what a version-1 event stored
    old = StoredEvent(token.id, 1, issued.topic, json.dumps(state).encode())
    ledger.recorder.insert_events([old])

    reopened = open_ledger(db_url)
    assert reopened.authenticate(secret).name == "lee"
    with acting_as_owner("coordinator", "test"):
        [listed] = reopened.tokens()
    assert (listed.name, listed.person, listed.agencies) == ("lee", None, ("west-mercia-police",))
