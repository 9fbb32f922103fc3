"""Tokens and roles, checked once in the service: every write by every role, plan scope,
and the token itself (only its hash is kept; wrong, unknown, revoked ones fail)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.importing.document import to_plan_document
from adapters.importing.model import ParsedPlan
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.access import Grant, Role
from domain.audit import acting_as, acting_as_owner
from domain.errors import (
    AlreadyExists,
    NoActor,
    NotAuthenticated,
    NotPermitted,
    PlanNotFound,
    VersionConflict,
)
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from service.command_models import (
    AddSubAction,
    ChangeStatus,
    Complete,
    Correct,
    IssueToken,
    OpenPlan,
    RaiseRecommendation,
    Reassign,
    RecordDocumentVersion,
    RecordProgress,
    ReviseTarget,
    RevokeToken,
    Withdraw,
)
from service.ledger import Ledger

FEB = FuzzyDate.parse("Feb 2014")
WMP = "imr/west-mercia-police/1"


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """Two plans; in dhr2 one recommendation of West Mercia Police and one overview one."""
    ledger = bootstrap(Settings(db="memory:", actor="owner"))
    with acting_as_owner("owner", "test"):
        for plan in ("dhr2", "dhr3"):
            ledger.open_plan(OpenPlan(plan_id=plan, title=f"DHR {plan}"))
        ledger.raise_recommendation(
            "dhr2", RaiseRecommendation(ref=WMP, text="Train staff", agency="West Mercia Police")
        )
        ledger.raise_recommendation(
            "dhr2", RaiseRecommendation(ref="overview/1", text="Review", agency="CCG")
        )
        ledger.raise_recommendation(
            "dhr3",
            RaiseRecommendation(ref="overview/1", text="Review", agency="West Mercia Police"),
        )
    yield ledger
    ledger.close()


WRITES: dict[str, Callable[[Ledger, str], Any]] = {
    "update": lambda led, ref: led.change("dhr2", ref, RecordProgress(text="Done", effective=FEB)),
    "reassign": lambda led, ref: led.change(
        "dhr2", ref, Reassign(leads=["DI Jones"], reason="moved")
    ),
    "retarget": lambda led, ref: led.change("dhr2", ref, ReviseTarget(target=FEB, reason="later")),
    "status": lambda led, ref: led.change("dhr2", ref, ChangeStatus(status=Status.IN_PROGRESS)),
    "complete": lambda led, ref: led.change("dhr2", ref, Complete(effective=FEB)),
    "withdraw": lambda led, ref: led.change("dhr2", ref, Withdraw(reason="superseded")),
    "sub-action": lambda led, ref: led.change("dhr2", ref, AddSubAction(text="Audit")),
    "correct": lambda led, ref: led.change(
        "dhr2", ref, Correct(event="1", reason="typo", text="x")
    ),
}
COORDINATING: dict[str, Callable[[Ledger], Any]] = {
    "raise": lambda led: led.raise_recommendation(
        "dhr2", RaiseRecommendation(ref="overview/9", text="New")
    ),
    "open plan": lambda led: led.open_plan(OpenPlan(plan_id="dhr9", title="DHR 9")),
    "document version": lambda led: led.record_document_version(
        "dhr2", RecordDocumentVersion(label="v3")
    ),
    "issue token": lambda led: led.issue_token(IssueToken(name="zed", role=Role.AUDITOR)),
    "import": lambda led: led.import_document(
        to_plan_document(
            ParsedPlan("DHR dhr2", "CSP", "3rd Version", "29th May 2014", (), ()),
            plan_id="dhr2",
            file_name="plan.txt",
        )[0]
    ),
}
GRANTS = {
    "coordinator": Grant("cora", Role.COORDINATOR),
    "lead of west-mercia-police": Grant("lee", Role.AGENCY_LEAD, frozenset({"west-mercia-police"})),
    "lead of another agency": Grant("ann", Role.AGENCY_LEAD, frozenset({"cri"})),
    "auditor": Grant("audrey", Role.AUDITOR),
}
ALLOWED = {
    ("coordinator", WMP),
    ("coordinator", "overview/1"),
    ("lead of west-mercia-police", WMP),
}


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("who", GRANTS)
@pytest.mark.parametrize("ref", [WMP, "overview/1"])
def test_every_write_is_allowed_exactly_to_the_roles_that_own_it(
    ledger: Ledger, write: str, who: str, ref: str
) -> None:
    grant = GRANTS[who]
    with acting_as(grant.name, "api", grant):
        if (who, ref) in ALLOWED:
            WRITES[write](ledger, ref)
            assert ledger.history("dhr2", ref)[-1].actor == grant.name
        else:
            before = len(ledger.history("dhr2", ref))
            with pytest.raises(NotPermitted):
                WRITES[write](ledger, ref)
            assert len(ledger.history("dhr2", ref)) == before


@pytest.mark.parametrize("command", COORDINATING)
@pytest.mark.parametrize("who", GRANTS)
def test_only_a_coordinator_opens_plans_raises_imports_and_issues_tokens(
    ledger: Ledger, command: str, who: str
) -> None:
    grant = GRANTS[who]
    with acting_as(grant.name, "api", grant):
        if grant.role is Role.COORDINATOR:
            COORDINATING[command](ledger)
        else:
            with pytest.raises(NotPermitted):
                COORDINATING[command](ledger)


def test_a_token_limited_to_a_plan_sees_nothing_else(ledger: Ledger) -> None:
    grant = Grant("cora", Role.COORDINATOR, plans=frozenset({"dhr3"}))
    with acting_as(grant.name, "api", grant):
        assert [plan.plan_id for plan in ledger.plans()] == ["dhr3"]
        assert {view.plan for view in ledger.status()} == {"dhr3"}
        assert ledger.overdue(as_at=None).total == 0
        for outside in (
            lambda: ledger.status("dhr2"),
            lambda: ledger.history("dhr2", WMP),
            lambda: ledger.change("dhr2", WMP, RecordProgress(text="x", effective=FEB)),
            lambda: ledger.plan("dhr2"),
        ):
            with pytest.raises(PlanNotFound):  # 404, not 403: it does not exist for them
                outside()
        ledger.change("dhr3", "overview/1", RecordProgress(text="Done", effective=FEB))


def test_a_coordinator_limited_to_plans_issues_and_revokes_only_tokens_within_them(
    ledger: Ledger,
) -> None:
    with acting_as_owner("owner", "test"):
        ledger.issue_token(IssueToken(name="everywhere", role=Role.AUDITOR))
    grant = Grant("cora", Role.COORDINATOR, plans=frozenset({"dhr3"}))
    with acting_as(grant.name, "api", grant):
        for plans in ((), ("dhr2",), ("dhr2", "dhr3")):  # none may see more than cora
            with pytest.raises(NotPermitted):
                ledger.issue_token(
                    IssueToken(name=f"wider {len(plans)}", role=Role.AUDITOR, plans=plans)
                )
        with pytest.raises(NotPermitted):
            ledger.revoke_token("everywhere", RevokeToken())
        ledger.issue_token(IssueToken(name="deputy", role=Role.COORDINATOR, plans=["dhr3"]))
        ledger.revoke_token("deputy", RevokeToken())


def test_a_version_the_item_has_moved_on_from_is_refused_with_the_current_one(
    ledger: Ledger,
) -> None:
    with acting_as_owner("owner", "test"):
        current = ledger.recommendation("dhr2", WMP).version
        ledger.change(
            "dhr2", WMP, RecordProgress(text="First", effective=FEB, expected_version=current)
        )
        with pytest.raises(VersionConflict) as refused:
            ledger.change(
                "dhr2", WMP, RecordProgress(text="Second", effective=FEB, expected_version=current)
            )
        assert refused.value.current == current + 1
        assert ledger.recommendation("dhr2", WMP).version == current + 1


def test_a_token_works_once_issued_and_never_after_revocation(ledger: Ledger) -> None:
    with acting_as_owner("owner", "test"):
        token = ledger.issue_token(
            IssueToken(name="lee", role=Role.AGENCY_LEAD, agencies=["west-mercia-police"])
        )
        assert ledger.authenticate(token) == GRANTS["lead of west-mercia-police"]
        with pytest.raises(AlreadyExists):
            ledger.issue_token(IssueToken(name="lee", role=Role.AUDITOR))
        secret = token.rsplit(".", 1)[1]
        stored = [n.state for n in ledger.recorder.select_notifications(0, 1000)]
        assert not any(secret.encode() in state for state in stored)  # only its hash
        for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "rl_bm9ib2R5.x", "", "x"):
            with pytest.raises(NotAuthenticated):
                ledger.authenticate(wrong)
        ledger.revoke_token("lee", RevokeToken(reason="left"))
        with pytest.raises(NotAuthenticated):
            ledger.authenticate(token)


def test_outside_any_audit_context_every_use_case_is_refused_not_allowed(ledger: Ledger) -> None:
    """No grant is never read as every right: a use case run without a principal (in an
    empty context: no test's, no adapter's) refuses."""
    position = ledger.position()
    calls: list[Callable[[], Any]] = [
        *(lambda w=write: w(ledger, WMP) for write in WRITES.values()),
        *(lambda c=command: c(ledger) for command in COORDINATING.values()),
        ledger.plans, lambda: ledger.status("dhr2"), ledger.head, ledger.verify,
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(NoActor):
            contextvars.Context().run(call)
    assert ledger.position() == position


def test_every_nested_step_of_an_import_runs_under_the_callers_grant(
    ledger: Ledger, seed_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import re-enters the audit context (its events' source is the document): it
    keeps the caller's grant there, so its nested queries and checks (the plan, each
    recommendation, what the version dropped) are the caller's, never the owner's. Every
    grant the service reads during the import is recorded (the real function, called
    through)."""
    import service.access
    from adapters.importing.document import read_document
    from domain.audit import current_grant

    seen: list[Grant] = []

    def recording() -> Grant:
        seen.append(current_grant())
        return seen[-1]

    monkeypatch.setattr(service.access, "current_grant", recording)
    grant = Grant("cora", Role.COORDINATOR, plans=frozenset({"dhr2"}))
    with acting_as(grant.name, "api", grant):
        ledger.import_document(read_document(seed_plan)[0])
    assert len(seen) > 20  # the door, then a check for every recommendation looked up
    assert set(seen) == {grant}


@pytest.mark.parametrize("who", ["lead of west-mercia-police", "auditor"])
def test_an_agency_lead_gains_no_rights_by_wrapping_a_write_in_another(
    ledger: Ledger, who: str, seed_plan: Path
) -> None:
    """Under an idempotency key (``once``, which runs the write it is given) or inside an
    import, the grant is the caller's: refused, and nothing is recorded."""
    from adapters.importing.document import read_document

    grant = GRANTS[who]
    position = ledger.position()
    document = read_document(seed_plan)[0]
    with acting_as(grant.name, "api", grant):
        with pytest.raises(NotPermitted):
            ledger.once("key-1", lambda led: led.import_document(document))
        with pytest.raises(NotPermitted):
            ledger.once("key-2", lambda led: WRITES["update"](led, "overview/1"))
    assert ledger.position() == position
