"""Importing the seed plan and a later version of it, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.importing.document import plan_identity, to_plan_document
from adapters.importing.reader import read_plan
from domain.audit import acting_as_owner
from domain.errors import AlreadyExists, InvalidCommand
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from service.command_models import ChangeStatus, Correct, Reassign
from service.documents import PlanDocument, RecommendationDocument
from service.importing import ImportOutcome
from service.ledger import Ledger

OpenLedger = Callable[[str], Ledger]

SEED_REFS = [
    *(f"overview/{n}" for n in range(1, 13)),
    *(f"imr/west-mercia-police/{n}" for n in range(1, 7)),
    "imr/cri-pathway-to-recovery/1",
    "imr/cri-pathway-to-recovery/2",
]


def import_file(
    ledger: Ledger, path: Path, *, dry_run: bool = False, plan_date: str | None = None
) -> ImportOutcome:
    parsed = read_plan(path)
    plan_id, kind = plan_identity(parsed.title, path.stem)
    document, _ = to_plan_document(
        parsed,
        plan_id=plan_id,
        file_name=path.name,
        kind=kind,
        plan_date=FuzzyDate.parse(plan_date) if plan_date else None,
    )
    with acting_as_owner("coordinator", "cli"):
        return ledger.import_document(document, dry_run=dry_run)


def stored(ledger: Ledger) -> list[tuple[int, bytes]]:
    return [(n.id, bytes(n.state)) for n in ledger.recorder.select_notifications(1, 10_000)]


@pytest.fixture
def third_version(tmp_path: Path, seed_plan: Path) -> Path:
    """The seed as its next version might read: one target date changed, one update added,
    one lead changed, and a new version label."""
    text = seed_plan.read_text(encoding="utf-8")
    edits = [
        ("Det Supt HQ PVP\tJuly 2014\t", "Det Supt HQ PVP\tSeptember 2014\t"),
        ("Viv Marriott Senior Neighbourhood Manager", "Sam Jones Senior Neighbourhood Manager"),
        (
            "Worcestershire Safer Communities Board Chair.</p>",
            "Worcestershire Safer Communities Board Chair.</p>"
            "<p>Update May 2014: the Board Chair was briefed on 12th May.</p>",
        ),
        ("2nd Version dated 29th May 2014", "3rd Version dated 30th June 2014"),
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "dhr-case-2-action-plan-v3.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_seed_imports_as_dhr2_with_its_twenty_recommendations(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    outcome = import_file(ledger, seed_plan)
    [plan] = ledger.plans()
    assert (plan.plan_id, plan.kind) == ("dhr2", ReviewKind.DHR)
    assert plan.versions[0].label == "2nd Version dated 29th May 2014"
    assert sorted({subject for subject, _ in outcome.events} - {"dhr2"}) == sorted(SEED_REFS)
    assert all(
        e.source == "dhr-case-2-action-plan.txt (2nd Version dated 29th May 2014)"
        for _, e in outcome.events
    )
    state = ledger.recommendation("dhr2", "overview/1").state
    assert [u.effective.text for u in state.updates] == ["August 2013", "Feb 2014"]
    assert state.status == Status.IN_PROGRESS


def test_importing_the_same_version_twice_records_nothing_the_second_time(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    import_file(ledger, seed_plan)
    before = stored(ledger)
    again = import_file(open_ledger(db_url), seed_plan)
    assert again.already_imported and again.events == []
    assert stored(ledger) == before


def test_a_later_version_records_exactly_what_changed(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path, third_version: Path
) -> None:
    ledger = open_ledger(db_url)
    import_file(ledger, seed_plan)
    outcome = import_file(ledger, third_version)
    changes = [(subject, event.type_name) for subject, event in outcome.events]
    assert changes == [
        ("dhr2", "DocumentVersionRecorded"),
        ("overview/1", "TargetDateRevised"),
        ("overview/9", "LeadsReassigned"),
        ("overview/12", "ProgressRecorded"),
    ]
    source = "dhr-case-2-action-plan-v3.txt (3rd Version dated 30th June 2014)"
    assert all(event.source == source for _, event in outcome.events)
    assert outcome.events[1][1].reason == "as stated in 3rd Version dated 30th June 2014"
    assert ledger.recommendation("dhr2", "overview/1").state.target == FuzzyDate.parse(
        "September 2014"
    )
    assert ledger.recommendation("dhr2", "overview/9").state.leads == (
        "Paul Adams Estate Manager Lead on DV",
        "Sam Jones Senior Neighbourhood Manager",
    )
    [*_, added] = ledger.recommendation("dhr2", "overview/12").state.updates
    assert added.effective == FuzzyDate.parse("May 2014")
    assert "Board Chair was briefed" in added.text


def test_hand_edits_between_versions_are_never_reverted_and_a_clash_is_reported(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path, third_version: Path, tmp_path: Path
) -> None:
    ledger = open_ledger(db_url)
    import_file(ledger, seed_plan)
    wmp2 = ledger.recommendation("dhr2", "imr/west-mercia-police/2")
    first_update = wmp2.state.updates[0]
    with acting_as_owner("Jo Reed", "cli"):
        ledger.change(
            "dhr2",
            "imr/west-mercia-police/2",
            Correct(event=first_update.event_id, reason="typo", text="Corrected by hand."),
        )
        ledger.change(
            "dhr2", "overview/2", Reassign(reason="post holder left", leads=["DCI Ann Hall"])
        )
    by_hand = len(ledger.recommendation("dhr2", "overview/2").log)

    v3 = import_file(ledger, third_version)

    assert [(subject, event.type_name) for subject, event in v3.events] == [
        ("dhr2", "DocumentVersionRecorded"),
        ("overview/1", "TargetDateRevised"),
        ("overview/9", "LeadsReassigned"),
        ("overview/12", "ProgressRecorded"),
    ]
    assert ledger.recommendation("dhr2", "overview/2").state.leads == ("DCI Ann Hall",)
    texts = [
        u.text for u in ledger.recommendation("dhr2", "imr/west-mercia-police/2").state.updates
    ]
    assert texts[0] == "Corrected by hand." and len(texts) == len(wmp2.state.updates)
    assert not [note for note in v3.notes if "conflict" in note.text]

    fourth = tmp_path / "dhr-case-2-action-plan-v4.txt"
    text = third_version.read_text(encoding="utf-8")
    for old, new in (
        ("<p>Ch Supt Local Policing (strategic alliance).</p>", "<p>Supt Rachel Hart</p>"),
        ("3rd Version dated 30th June 2014", "4th Version dated 31st July 2014"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    fourth.write_text(text, encoding="utf-8")
    v4 = import_file(ledger, fourth)

    assert [(subject, event.type_name) for subject, event in v4.events] == [
        ("dhr2", "DocumentVersionRecorded"),
        ("overview/2", "LeadsReassigned"),
    ]
    rec = ledger.recommendation("dhr2", "overview/2")
    assert rec.state.leads == ("Supt Rachel Hart",) and len(rec.log) == by_hand + 1
    assert rec.log[-1].source == "dhr-case-2-action-plan-v4.txt (4th Version dated 31st July 2014)"
    [noted] = [note for note in v4.notes if "conflict" in note.text]
    conflict = str(noted)
    rec_2 = next(
        i
        for i, line in enumerate(fourth.read_text().splitlines(), 1)
        if "Recommendation No 2 " in line
    )
    assert noted.line == rec_2  # where the document states overview/2, never line 0
    assert conflict.startswith("overview/2: conflict on leads: changed by hand by Jo Reed on ")
    assert conflict.endswith(
        "to 'DCI Ann Hall'; 4th Version dated 31st July 2014 says 'Supt Rachel Hart'; "
        "recorded the document's"
    )


def test_a_later_version_newly_stating_ongoing_reaches_the_sub_actions_already_held(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path, tmp_path: Path
) -> None:
    """Seed overview/3: a first version states nothing for it; the seed (the second) says
    "Completed /Ongoing". Its sub-actions, silent in both, take the recommendation's status
    from the second version on, as a first import of the seed gives them; a sub-action's
    status changed by hand meanwhile is reported as a conflict."""
    first = tmp_path / "dhr-case-2-action-plan-v1.txt"
    text = seed_plan.read_text(encoding="utf-8")
    for old, new in (
        ("<p>Completed /Ongoing</p> ", ""),
        ("2nd Version dated 29th May 2014", "1st Version dated 30th April 2014"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    first.write_text(text, encoding="utf-8")
    ledger = open_ledger(db_url)
    import_file(ledger, first)
    held = ledger.recommendation("dhr2", "overview/3").state
    assert {sub.status for sub in held.sub_actions} == {Status.OPEN}
    with acting_as_owner("Jo Reed", "cli"):
        ledger.change("dhr2", "overview/3.2", ChangeStatus(status="in_progress", reason="started"))

    second = import_file(ledger, seed_plan)

    state = ledger.recommendation("dhr2", "overview/3").state
    assert state.status == Status.ONGOING
    fresh = open_ledger("memory:")
    import_file(fresh, seed_plan)
    first_import = fresh.recommendation("dhr2", "overview/3").state.sub_actions
    assert (
        [(sub.action, sub.status) for sub in state.sub_actions]
        == [(sub.action, sub.status) for sub in first_import]
        == [(str(n), Status.ONGOING) for n in range(1, 6)]
    )
    changed = [e for subject, e in second.events if subject == "overview/3" and e.action]
    assert len(changed) == 5 and all(e.type_name == "StatusChanged" for e in changed)
    [rec_status] = [
        e for subject, e in second.events
        if subject == "overview/3" and e.type_name == "StatusChanged" and not e.action
    ]  # fmt: skip
    assert {e.effective for e in changed} == {rec_status.effective}  # from the same date
    assert all("as overview/3 states" in (e.reason or "") for e in changed)  # citing the cell
    [noted] = [note for note in second.notes if "conflict" in note.text]
    assert str(noted).startswith(
        "overview/3: conflict on the status of sub-action 2: changed by hand by Jo Reed on "
    )
    assert str(noted).endswith(
        "to 'in_progress'; 2nd Version dated 29th May 2014 says 'ongoing'; "
        "settled as for any import"
    )
    assert import_file(ledger, seed_plan).events == []


def test_a_dry_run_reports_the_events_and_writes_nothing(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    outcome = import_file(ledger, seed_plan, dry_run=True)
    assert len(outcome.events) > 40
    assert stored(ledger) == []


def test_an_import_that_fails_part_way_writes_nothing(db_url: str, open_ledger: OpenLedger) -> None:
    ledger = open_ledger(db_url)
    raised = FuzzyDate.parse("May 2014")
    document = PlanDocument(
        plan_id="sar7",
        title="SAR 7",
        partnership="",
        kind=ReviewKind.SAR,
        version_label="v1",
        version_date=raised,
        file_name="sar7.csv",
        digest="0" * 64,
        recommendations=(
            RecommendationDocument("overview/1", "Fine", "ASC", ("Head",), None, raised),
            RecommendationDocument("overview/2", "   ", "ASC", ("Head",), None, raised),
        ),
    )
    with acting_as_owner("coordinator", "cli"), pytest.raises(InvalidCommand, match="text"):
        ledger.import_document(document)
    assert stored(ledger) == []


def test_a_plan_date_dates_every_recommendation(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    import_file(ledger, seed_plan, plan_date="2013-03-14")
    for ref in ("overview/5", "imr/cri-pathway-to-recovery/2"):
        assert ledger.recommendation("dhr2", ref).state.raised == FuzzyDate.parse("2013-03-14")


def test_the_same_label_with_other_content_is_refused(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path, tmp_path: Path
) -> None:
    ledger = open_ledger(db_url)
    import_file(ledger, seed_plan)
    before = stored(ledger)
    edited = tmp_path / seed_plan.name
    edited.write_text(seed_plan.read_text().replace("July 2014", "August 2014"))
    with pytest.raises(AlreadyExists, match="imported from other content; name this version"):
        import_file(ledger, edited)
    assert stored(ledger) == before
