"""The Recommendation aggregate: given events, when a command, then events (or a refusal)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator

import pytest

from domain.audit import acting_as_owner, current_actor
from domain.errors import (
    EventNotFound,
    InvalidCommand,
    InvalidDate,
    NoActor,
    RuleViolated,
)
from domain.fold import fold
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from domain.plan import Plan
from domain.recommendation import Recommendation
from domain.refs import Ref, recommendation_aggregate_id


@pytest.fixture(autouse=True)
def actor() -> Iterator[None]:
    with acting_as_owner("alice", "cli"):
        yield


def raised(ref: str = "overview/1") -> Recommendation:
    return Recommendation.raise_recommendation(
        plan_id="dhr2",
        ref=ref,
        text="Ensure officers act robustly",
        agency="West Mercia Police",
        leads=["Det Supt HQ PVP"],
        target=FuzzyDate.parse("July 2014"),
    )


def new_events(rec: Recommendation) -> list[Recommendation.Event]:
    return list(rec.collect_events())  # type: ignore[arg-type]


def test_raising_records_every_field_and_the_audit_envelope() -> None:
    rec = raised()
    [event] = new_events(rec)
    assert isinstance(event, Recommendation.Raised)
    assert (event.plan_id, event.ref, event.agency, event.leads) == (
        "dhr2",
        "overview/1",
        "West Mercia Police",
        ["Det Supt HQ PVP"],
    )
    assert event.target == FuzzyDate.parse("July 2014")  # the value object, not a dict
    assert (event.actor, event.source) == ("alice", "cli")
    assert event.timestamp.tzinfo is not None
    assert rec.state.status == Status.OPEN


def test_the_aggregate_id_derives_from_plan_and_ref() -> None:
    assert raised().id == recommendation_aggregate_id("dhr2", "overview/1")
    assert raised().id != raised("overview/2").id


def test_an_event_cannot_be_created_without_an_actor() -> None:
    rec = raised()
    outside = contextvars.Context()  # a fresh context: no actor was ever set in it
    with pytest.raises(NoActor):
        outside.run(rec.record_progress, "done", FuzzyDate.parse("Feb 2014"))
    with pytest.raises(NoActor):
        outside.run(current_actor)
    assert len(rec.log) == 1


def test_a_bad_ref_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="ref 'rec 3'"):
        raised("rec 3")


def test_refs_sort_numerically_overview_first() -> None:
    refs = ["imr/west-mercia-police/10", "overview/10", "imr/west-mercia-police/2", "overview/2"]
    assert sorted(refs, key=lambda r: Ref.parse(r).sort_key) == [
        "overview/2",
        "overview/10",
        "imr/west-mercia-police/2",
        "imr/west-mercia-police/10",
    ]


def test_progress_moves_an_open_recommendation_in_progress() -> None:
    rec = raised()
    rec.record_progress("Training delivered", FuzzyDate.parse("August 2013"))
    assert rec.state.status == Status.IN_PROGRESS
    [update] = rec.state.updates
    assert (update.text, update.effective.text, update.actor) == (
        "Training delivered",
        "August 2013",
        "alice",
    )


def test_progress_needs_a_date_on_the_calendar() -> None:
    rec = raised()
    with pytest.raises(InvalidDate, match="'1st July'"):
        rec.record_progress("Done", FuzzyDate.parse("1st July"))
    assert len(rec.log) == 1


@pytest.mark.parametrize(
    "command",
    [
        lambda rec: rec.reassign_leads(["DCI Smith"], ""),
        lambda rec: rec.reassign_agency("Probation", "  "),
        lambda rec: rec.revise_target(FuzzyDate.parse("Dec 2014"), ""),
        lambda rec: rec.withdraw(""),
    ],
)
def test_revisions_reassignments_and_withdrawals_need_a_reason(command: object) -> None:
    rec = raised()
    with pytest.raises(InvalidCommand, match="a reason is required"):
        command(rec)  # type: ignore[operator]
    assert len(rec.log) == 1


def test_reassigning_leads_and_agency() -> None:
    rec = raised()
    rec.reassign_leads(["DCI Smith", "DS Jones"], "restructure", FuzzyDate.parse("Jan 2014"))
    rec.reassign_agency("Worcestershire County Council", "moved to the council")
    assert rec.state.leads == ("DCI Smith", "DS Jones")
    assert rec.state.agency == "Worcestershire County Council"
    assert [e.reason for e in rec.log[1:]] == ["restructure", "moved to the council"]


def test_reassigning_to_the_same_leads_is_refused() -> None:
    with pytest.raises(RuleViolated, match="already led by"):
        raised().reassign_leads(["Det Supt HQ PVP"], "no change")


def test_revising_the_target() -> None:
    rec = raised()
    rec.revise_target(FuzzyDate.parse("Autumn 2014"), "HMIC review")
    assert rec.state.target == FuzzyDate.parse("Autumn 2014")


def test_completion_of_a_withdrawn_recommendation_is_refused() -> None:
    rec = raised()
    rec.withdraw("superseded by the national review")
    with pytest.raises(RuleViolated, match="withdrawn"):
        rec.complete(FuzzyDate.parse("1st April 2013"))


def test_complete_then_reopen() -> None:
    rec = raised()
    rec.record_progress("Started", FuzzyDate.parse("Feb 2013"))
    rec.complete(FuzzyDate.parse("1st April 2013"), evidence="Audit report")
    assert rec.state.status == Status.COMPLETED
    assert rec.state.completed == FuzzyDate.parse("1st April 2013")
    rec.reopen("the audit found gaps")
    assert rec.state.status == Status.IN_PROGRESS
    assert rec.state.completed is None


def test_only_a_completed_recommendation_can_be_reopened() -> None:
    with pytest.raises(RuleViolated, match="only a completed"):
        raised().reopen("why not")


def test_completing_twice_is_refused() -> None:
    rec = raised()
    rec.complete(FuzzyDate.parse("May 2014"))
    with pytest.raises(RuleViolated, match="already completed"):
        rec.complete(FuzzyDate.parse("June 2014"))


def test_status_can_be_set_to_ongoing_but_not_to_completed() -> None:
    rec = raised()
    rec.change_status(Status.ONGOING, "embedded in practice")
    assert rec.state.status == Status.ONGOING
    with pytest.raises(InvalidCommand, match="own command"):
        rec.change_status(Status.COMPLETED)


def test_sub_actions_keep_their_own_leads_and_targets() -> None:
    rec = raised()
    rec.add_sub_action("Review the policy", ["Head of Service"], FuzzyDate.parse("Autumn 2013"))
    [action] = rec.state.sub_actions
    assert action.leads == ("Head of Service",)
    assert action.target == FuzzyDate.parse("Autumn 2013")


def test_retracting_an_event_keeps_it_in_the_log_and_undoes_its_effect() -> None:
    rec = raised()
    rec.reassign_leads(["DCI Smith"], "restructure")
    wrong = rec.log[-1].event_id
    rec.correct(wrong, "entered against the wrong recommendation", retract=True)
    assert rec.state.leads == ("Det Supt HQ PVP",)
    assert [e.type_name for e in rec.log] == ["Raised", "LeadsReassigned", "Corrected"]
    assert fold(rec.log[:2]).leads == ("DCI Smith",)  # as known before the correction


def test_amending_an_update_changes_its_text_but_not_the_original_event() -> None:
    rec = raised()
    rec.record_progress("Trainng deliverd", FuzzyDate.parse("Aug 2013"))
    original = rec.log[-1]
    rec.correct(original.event_id, "typo", amendment={"text": "Training delivered"})
    assert rec.state.updates[0].text == "Training delivered"
    assert original.text == "Trainng deliverd"  # type: ignore[attr-defined]


def test_a_correction_must_name_an_event_of_the_same_recommendation() -> None:
    rec = raised()
    other = raised("overview/2")
    with pytest.raises(EventNotFound):
        rec.correct(other.log[0].event_id, "wrong one", retract=True)


def test_a_correction_needs_a_reason_and_a_kind() -> None:
    rec = raised()
    rec.record_progress("x", FuzzyDate.parse("Aug 2013"))
    event_id = rec.log[-1].event_id
    with pytest.raises(InvalidCommand, match="reason"):
        rec.correct(event_id, "", retract=True)
    with pytest.raises(InvalidCommand, match="either retracts"):
        rec.correct(event_id, "why")
    with pytest.raises(InvalidCommand, match="no field leads"):
        rec.correct(event_id, "why", amendment={"leads": ["X"]})


CATALOGUE = {
    "Raised": {"text", "agency", "leads", "target", "theme", "effective"},
    "SubActionAdded": {"text", "leads", "target", "effective"},
    "LeadsReassigned": {"leads", "effective"},
    "AgencyReassigned": {"agency", "effective"},
    "TargetDateRevised": {"target", "effective"},
    "ProgressRecorded": {"text", "effective"},
    "StatusChanged": {"effective"},
    "Completed": {"effective", "evidence"},
    "Reopened": {"effective"},
    "Withdrawn": {"effective"},
    "Corrected": set(),
    "ChangeProposed": set(),  # a proposal is decided, not amended
    "ProposalApproved": set(),
    "ProposalRejected": set(),
}


def test_every_event_type_declares_what_a_correction_may_amend() -> None:
    declared = {
        kind.__name__: set(kind.amendable)
        for kind in vars(Recommendation).values()
        if isinstance(kind, type) and issubclass(kind, Recommendation.Event)
        and kind not in (Recommendation.Event, Recommendation.ItemEvent, Recommendation.Created)
    }  # fmt: skip
    assert declared == CATALOGUE
    for kind, fields in CATALOGUE.items():  # each field is one the event holds
        event_fields = getattr(Recommendation, kind).__annotations__.keys() | {"effective"}
        assert fields <= event_fields, kind


def test_a_reassignment_target_and_completion_can_each_be_amended() -> None:
    rec = raised()
    rec.reassign_leads(["DCI Smith"], "restructure")
    rec.correct(rec.log[-1].event_id, "wrong officer", amendment={"leads": ["DCI Smyth"]})
    rec.revise_target(FuzzyDate.parse("Sept 2014"), "slipped")
    rec.correct(rec.log[-1].event_id, "typo", amendment={"target": FuzzyDate.parse("June 2014")})
    rec.record_progress("Done", FuzzyDate.parse("May 2014"))
    rec.complete(FuzzyDate.parse("May 2014"), evidence="audit")
    completion = rec.log[-1].event_id
    rec.correct(completion, "wrong report", amendment={"evidence": "audit report of May 2014"})
    assert rec.state.leads == ("DCI Smyth",)
    assert rec.state.target == FuzzyDate.parse("June 2014")
    assert rec.state.evidence == "audit report of May 2014"
    assert fold(rec.log[:2]).leads == ("DCI Smith",)  # as known before the correction


@pytest.mark.parametrize(
    ("amendment", "message"),
    [
        ({"text": "x"},
         "a LeadsReassigned event has no field text to amend; it allows: leads, effective"),
        ({"leads": "DCI Smyth"}, "the amended leads must be a list of leads"),
        ({"effective": "June 2014"}, "the amended effective must be a date"),
        ({"leads": []}, None),
    ],
)  # fmt: skip
def test_an_amendment_outside_the_catalogue_or_of_the_wrong_type_is_refused(
    amendment: dict[str, object], message: str | None
) -> None:
    rec = raised()
    rec.reassign_leads(["DCI Smith"], "restructure")
    if message is None:  # an empty list of leads is allowed: it clears them
        rec.correct(rec.log[-1].event_id, "why", amendment=amendment)
        assert rec.state.leads == ()
        return
    with pytest.raises(InvalidCommand) as refused:
        rec.correct(rec.log[-1].event_id, "why", amendment=amendment)
    assert str(refused.value) == message


def test_the_state_marks_each_value_a_correction_set_until_a_later_event_replaces_it() -> None:
    rec = raised()
    rec.reassign_leads(["DCI Smith"], "restructure")
    rec.correct(rec.log[-1].event_id, "misspelt", amendment={"leads": ["DCI Smyth"]})
    rec.correct(rec.log[0].event_id, "typo", amendment={"text": "Ensure officers act"})
    assert set(rec.state.corrected) == {"leads", "text"}
    assert rec.state.corrected["leads"].reason == "misspelt"
    assert fold(rec.log[:3]).corrected.keys() == {"leads"}  # as known before the second
    rec.reassign_leads(["DCI Jones"], "moved on")
    assert set(rec.state.corrected) == {"text"}
    rec.record_progress("Done", FuzzyDate.parse("May 2014"))
    rec.complete(FuzzyDate.parse("May 2014"), evidence="audit")
    rec.correct(
        rec.log[-1].event_id, "wrong month", amendment={"effective": FuzzyDate.parse("June 2014")}
    )
    assert set(rec.state.corrected) == {"text", "completed"}
    rec.reopen("not done after all")
    assert set(rec.state.corrected) == {"text"}


def test_an_update_or_completion_cannot_be_amended_off_the_calendar() -> None:
    rec = raised()
    rec.record_progress("Started", FuzzyDate.parse("Feb 2013"))
    with pytest.raises(InvalidDate):
        rec.correct(
            rec.log[-1].event_id, "why", amendment={"effective": FuzzyDate.parse("Ongoing")}
        )


def test_raising_cannot_be_retracted_and_corrections_cannot_be_corrected() -> None:
    rec = raised()
    with pytest.raises(RuleViolated, match="withdraw"):
        rec.correct(rec.log[0].event_id, "oops", retract=True)
    rec.correct(rec.log[0].event_id, "typo", amendment={"text": "Ensure officers act"})
    with pytest.raises(RuleViolated, match="cannot be corrected"):
        rec.correct(rec.log[-1].event_id, "undo", retract=True)


def test_retracting_a_completion_restores_the_earlier_status() -> None:
    rec = raised()
    rec.record_progress("Started", FuzzyDate.parse("Feb 2013"))
    rec.complete(FuzzyDate.parse("1st April 2013"))
    rec.correct(rec.log[-1].event_id, "completed in error", retract=True)
    assert rec.state.status == Status.IN_PROGRESS
    with pytest.raises(RuleViolated, match="already retracted"):
        rec.correct(rec.log[2].event_id, "again", retract=True)


def test_plan_records_document_versions() -> None:
    plan = Plan.open("dhr2", "DHR Case No 2", kind=ReviewKind.DHR)
    plan.record_document_version("2nd Version", FuzzyDate.parse("29th May 2014"), "plan.txt")
    assert plan.document_version("2nd Version") is not None
    assert plan.versions[0].date == FuzzyDate.parse("29th May 2014")


def test_a_plan_id_must_be_a_slug() -> None:
    with pytest.raises(InvalidCommand, match="slug"):
        Plan.open("DHR 2", "x")
