"""Who may do what: roles, the grant a token carries, and the rules, written once.

Every command and query of the service asks these rules through the audit context
(``domain.audit.current_grant``), so the CLI and the HTTP API cannot differ. The ledger's
owner at the terminal (the database is theirs anyway) acts with a grant too:
``Grant.owner``, a coordinator of every plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import InvalidCommand, NotPermitted, PlanNotFound


class Role(StrEnum):
    COORDINATOR = "coordinator"
    """Every write, on every recommendation of the plans in scope."""
    AGENCY_LEAD = "agency_lead"
    """Writes only on the recommendations (and sub-actions) of their agencies."""
    AUDITOR = "auditor"
    """Reads only: history, audit and verify included."""


@dataclass(frozen=True)
class Grant:
    """What one token allows: its name is the actor its events record."""

    name: str
    role: Role
    agencies: frozenset[str] = field(default_factory=frozenset)
    """Agency slugs (``west-mercia-police``): an agency lead's."""
    plans: frozenset[str] = field(default_factory=frozenset)
    """The plans it sees; empty: all."""

    @classmethod
    def owner(cls, name: str) -> Grant:
        """The ledger's owner, acting at the terminal without a token: every right a
        token can carry (a coordinator of every plan), and no more."""
        return cls(name, Role.COORDINATOR)

    def sees(self, plan_id: str) -> bool:
        return not self.plans or plan_id in self.plans

    def check_sees(self, plan_id: str) -> None:
        """A plan outside the token's scope does not exist for it (404, not 403)."""
        if not self.sees(plan_id):
            raise PlanNotFound(f"no plan {plan_id!r}")

    def narrow(self, plan_id: str | None) -> str | None:
        """The plan a query is about: the one named (if in scope), else for a token limited
        to one plan that plan, else all (None); a token limited to several must name one."""
        if plan_id is not None:
            self.check_sees(plan_id)
            return plan_id
        if not self.plans:
            return None
        if len(self.plans) == 1:
            return next(iter(self.plans))
        raise InvalidCommand(
            f"{self.name} sees only the plans {', '.join(sorted(self.plans))}: name one"
        )

    def sees_whole_log(self) -> bool:
        return not self.plans

    def check_sees_whole_log(self, what: str) -> None:
        """The log's size and root, and its verification, are figures of every plan's
        events: a token limited to plans is refused them (403), as it is those events."""
        if self.plans:
            raise NotPermitted(
                f"{self.name} sees only the plans {', '.join(sorted(self.plans))}: {what} "
                "is of the whole log, every plan's events"
            )

    def check_coordinates(self, plan_id: str | None, what: str) -> None:
        """Opening plans, raising recommendations, importing, issuing tokens."""
        if plan_id is not None:
            self.check_sees(plan_id)
        if self.role is not Role.COORDINATOR:
            raise NotPermitted(f"{self.name} is {self._as()}: only a coordinator may {what}")

    def check_issues(self, plans: frozenset[str]) -> None:
        """Issuing a token: a coordinator, and one limited to some plans only within them
        (no token may give more than its issuer has)."""
        self.check_coordinates(None, "issue tokens")
        if self.plans and not (plans and plans <= self.plans):
            raise NotPermitted(
                f"{self.name} sees only the plans {', '.join(sorted(self.plans))}: a token it "
                "issues must be limited to some of them (--plan)"
            )

    def check_writes(self, plan_id: str, agencies: set[str], ref: str) -> None:
        """A change to one recommendation or sub-action owned by ``agencies`` (slugs)."""
        self.check_sees(plan_id)
        if self.role is Role.COORDINATOR:
            return
        if self.role is Role.AGENCY_LEAD and agencies & self.agencies:
            return
        raise NotPermitted(f"{self.name} is {self._as()} and may not change {ref}")

    def _as(self) -> str:
        if self.role is Role.AGENCY_LEAD:
            return f"an agency lead of {', '.join(sorted(self.agencies)) or 'no agency'}"
        return "an auditor" if self.role is Role.AUDITOR else "a coordinator"
