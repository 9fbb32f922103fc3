"""Sign-off (four eyes, issue 27): an agency lead's extension, withdrawal, change of agency and
completion are proposals until a coordinator approves them; nobody approves their own; a
rejection changes nothing; "as at" and "as known at" answer before and after; on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.importing.document import read_document
from domain.access import Grant, Role
from domain.audit import acting_as
from domain.errors import EventNotFound, InvalidCommand, InvalidDate, NotPermitted, RuleViolated
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SignOff, Status
from service import command_models as cmd
from service.ledger import Ledger

WMP = "imr/west-mercia-police/2"
LEAD = Grant("lee", Role.AGENCY_LEAD, frozenset({"west-mercia-police"}))
CORA = Grant("cora", Role.COORDINATOR)
DEPUTY = Grant("dee", Role.COORDINATOR)


@pytest.fixture
def ledger(db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path) -> Ledger:
    ledger = open_ledger(db_url)
    ledger.import_document(read_document(seed_plan)[0])
    return ledger


def as_(grant: Grant) -> object:
    return acting_as(grant.name, "api", grant)


def item(ledger: Ledger, **when: object) -> object:
    return ledger.detail("dhr2", WMP, **when)


CHANGES = {
    SignOff.EXTENSION: cmd.ReviseTarget(target="December 2030", reason="slipping"),
    SignOff.WITHDRAWAL: cmd.Withdraw(reason="superseded"),
    SignOff.AGENCY: cmd.Reassign(agency="Worcester Community Housing", reason="moved"),
    SignOff.COMPLETION: cmd.Complete(effective="2014-03-01", evidence="audit report"),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_an_agency_leads_change_is_a_proposal_until_a_coordinator_approves_it(
    ledger: Ledger, kind: SignOff
) -> None:
    before = item(ledger)
    overdue = {row.ref for row in ledger.overdue("dhr2").rows}
    with as_(LEAD):
        recorded = ledger.change("dhr2", WMP, CHANGES[kind])
    assert recorded.proposal is not None and recorded.event_ids == [recorded.proposal]
    assert item(ledger) == before  # not a fact yet: every answer as before
    assert {row.ref for row in ledger.overdue("dhr2").rows} == overdue
    [pending] = ledger.proposals("dhr2")
    assert (pending.proposal, pending.ref, pending.kind, pending.actor) == (
        recorded.proposal, WMP, kind.value, "lee"
    )  # fmt: skip
    with as_(LEAD), pytest.raises(NotPermitted):
        ledger.decide(recorded.proposal, cmd.Decide(approve=True))
    known_before = datetime.now(UTC)
    with as_(CORA):
        ids = ledger.decide(recorded.proposal, cmd.Decide(approve=True, reason="seen"))
    after = item(ledger)
    assert after != before and ledger.proposals("dhr2") == []
    assert item(ledger, known_at=known_before) == before  # as known before the approval
    entries = ledger.history("dhr2", WMP)
    proposed, approved, *made = entries[-len(ids) - 1 :]
    assert (proposed.type, proposed.actor) == ("ChangeProposed", "lee")
    assert (approved.type, approved.actor) == ("ProposalApproved", "cora")
    assert made and all(entry.actor == "cora" for entry in made)
    assert proposed.recorded_at < approved.recorded_at
    [decided] = ledger.proposals("dhr2", pending_only=False)
    assert (decided.decision, decided.decided_by) == ("approved", "cora")


def test_a_completion_takes_effect_as_of_the_day_proposed_once_approved(ledger: Ledger) -> None:
    with as_(LEAD):
        proposal = ledger.change("dhr2", WMP, CHANGES[SignOff.COMPLETION]).proposal
    assert proposal is not None
    with as_(CORA):
        ledger.decide(proposal, cmd.Decide(approve=True))
    assert item(ledger).status == Status.COMPLETED
    assert item(ledger).completed == FuzzyDate.parse("2014-03-01")
    assert item(ledger, as_at=date(2014, 2, 28)).status != Status.COMPLETED
    assert item(ledger, as_at=date(2014, 3, 1)).status == Status.COMPLETED


def test_nobody_signs_off_their_own_and_a_rejection_changes_nothing(ledger: Ledger) -> None:
    with as_(CORA):
        ledger.set_sign_off("dhr2", cmd.SetSignOff(changes=[SignOff.WITHDRAWAL],
                                                   coordinators_too=True))  # fmt: skip
        proposal = ledger.change("dhr2", WMP, CHANGES[SignOff.WITHDRAWAL]).proposal
        assert proposal is not None
        with pytest.raises(RuleViolated, match="someone else must sign it off"):
            ledger.decide(proposal, cmd.Decide(approve=True))
        before = item(ledger)
    with as_(DEPUTY):
        with pytest.raises(InvalidCommand, match="a reason is required to reject"):
            ledger.decide(proposal, cmd.Decide(approve=False))
        ledger.decide(proposal, cmd.Decide(approve=False, reason="keep it open"))
    assert item(ledger) == before
    [rejected] = ledger.proposals("dhr2", pending_only=False)
    assert (rejected.decision, rejected.decided_by, rejected.decision_reason) == (
        "rejected", "dee", "keep it open"
    )  # fmt: skip
    with as_(LEAD):  # the plan no longer asks sign-off for an extension: it is made at once
        recorded = ledger.change("dhr2", WMP, CHANGES[SignOff.EXTENSION])
    assert recorded.proposal is None
    assert item(ledger).target == FuzzyDate.parse("December 2030")


def test_an_earlier_target_and_a_change_of_leads_need_no_sign_off(ledger: Ledger) -> None:
    with as_(LEAD):
        sooner = ledger.change("dhr2", WMP, cmd.ReviseTarget(target="2013-01-31", reason="x"))
        leads = ledger.change("dhr2", WMP, cmd.Reassign(leads=["DS Jones"], reason="y"))
    assert sooner.proposal is None and leads.proposal is None
    assert ledger.proposals() == []


def test_a_proposal_is_refused_now_when_the_change_itself_would_be(ledger: Ledger) -> None:
    with as_(LEAD):
        ledger.change("dhr2", WMP, cmd.Reassign(leads=["DS Jones"], reason="y"))
        with pytest.raises(InvalidDate, match="starts after today"):
            ledger.change("dhr2", WMP, cmd.Complete(effective="2099-01-01"))
    assert ledger.proposals() == []


def test_a_retracted_proposal_leaves_the_queue_and_a_decision_cannot_be_retracted(
    ledger: Ledger,
) -> None:
    with as_(LEAD):
        retracted = ledger.change("dhr2", WMP, CHANGES[SignOff.EXTENSION]).proposal
        approved = ledger.change("dhr2", WMP, CHANGES[SignOff.AGENCY]).proposal
    assert retracted is not None and approved is not None
    with as_(CORA):
        ledger.change("dhr2", WMP, cmd.Correct(event=retracted, retract=True, reason="by mistake"))
        [approval, _] = ledger.decide(approved, cmd.Decide(approve=True))
        with pytest.raises(RuleViolated, match="was decided: it can no longer be retracted"):
            ledger.change("dhr2", WMP, cmd.Correct(event=approved, retract=True, reason="x"))
        with pytest.raises(RuleViolated, match="a decision on a proposal stands"):
            ledger.change("dhr2", WMP, cmd.Correct(event=approval, retract=True, reason="x"))
    assert ledger.proposals() == []
    decided = {p.proposal: p for p in ledger.proposals(pending_only=False)}
    assert (decided[retracted].decision, decided[retracted].decided_by) == ("retracted", "cora")
    assert decided[retracted].decision_reason == "by mistake"
    assert decided[approved].decision == "approved"
    with as_(CORA), pytest.raises(EventNotFound):  # nothing left to decide
        ledger.decide(retracted, cmd.Decide(approve=True))
    assert item(ledger).target != FuzzyDate.parse("December 2030")
    ledger.rebuild()  # the read models from the log alone: the same queue
    assert {p.proposal: p for p in ledger.proposals(pending_only=False)} == decided
