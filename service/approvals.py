"""Sign-off (four eyes): which changes a plan requires it for, the approvals queue, and a
coordinator's decision. A change that needs sign-off is recorded as a proposal
(``Commands.change``); approving it records the decision and then the change itself, in one
write, recorded then and effective as proposed; rejecting it changes nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import EventNotFound
from projections.proposals import ProposalView, proposal_found, proposals_listed
from service import access
from service.store import Store

if TYPE_CHECKING:  # the commands as values and the write model: a query loads neither
    from domain.plan import Plan
    from service.command_models import Decide, SetSignOff


class Approvals(Store):
    """The sign-off rules of a plan, its proposals, and the decisions on them."""

    def set_sign_off(self, plan_id: str, command: SetSignOff) -> Plan:
        access.check_coordinates(plan_id, "set what needs sign-off")
        plan = self.plan(plan_id)
        plan.set_sign_off(command.changes, coordinators_too=command.coordinators_too)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was changed concurrently; try again")
        return plan

    def proposals(
        self, plan_id: str | None = None, *, pending_only: bool = True
    ) -> list[ProposalView]:
        """The changes proposed for sign-off (of one plan, or all the caller sees), oldest
        first: those pending, or every one with its decision."""
        plan_id = access.narrow(plan_id)
        found = self._query(
            plan_id,
            lambda conn, day: proposals_listed(conn, plan_id, pending=pending_only),
            None,
        )
        return [p for p in found if access.sees(p.plan)]

    def decide(self, proposal: str, command: Decide) -> list[str]:
        """Approve or reject a pending proposal (a coordinator of its plan, never the one who
        proposed it); return the ids of the events recorded."""
        from service.command_models import CHANGES

        found = self._query(None, lambda conn, day: proposal_found(conn, proposal), None)
        if found is None or not access.sees(found.plan):
            raise EventNotFound(f"no proposal {proposal}")
        what = "approve" if command.approve else "reject"
        access.check_coordinates(found.plan, f"{what} a proposed change")
        rec, _ = self.item(found.plan, found.ref)
        before = len(rec.log)
        decided = rec.decide(proposal, command.approve, command.reason)
        if command.approve:
            CHANGES[decided.change](**decided.proposed).apply(rec, decided.action)
        self.save_atomically(rec, conflict=f"{found.ref} changed concurrently; try again")
        return [event.event_id for event in rec.log[before:]]
