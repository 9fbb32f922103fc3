"""The Plan aggregate: an action plan and the document versions it was issued in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.domain import Aggregate

from domain import values
from domain.access import Role
from domain.document_version import DocumentVersion
from domain.errors import AlreadyExists, InvalidCommand, RuleViolated
from domain.events import AuditedEvent, dates_as_values
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SIGN_OFF_BY_DEFAULT, ReviewKind, SignOff
from domain.refs import plan_aggregate_id
from domain.rules import REMINDER_DAYS, REMINDER_DAYS_MAX


def document_source(file_name: str, label: str) -> str:
    """The source of every event imported from one version of a plan's document."""
    file_name = values.line(file_name, "the file name", values.FILE_NAME_MAX)
    return f"{file_name} ({values.line(label, 'the version label')})"


class Plan(Aggregate):
    """An action plan, identified by a slug such as ``dhr2``."""

    class Event(AuditedEvent):
        pass

    class Opened(Event, Aggregate.Created):
        """The partnership started tracking the plan in the ledger."""

        plan_id: str
        title: str
        partnership: str
        kind: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 kept its date as a plain dict."""
            dates_as_values(state, "effective")

    class DocumentVersionRecorded(Event):
        """A version of the plan's document was issued (the source of later imports)."""

        label: str
        date: FuzzyDate | None
        file_name: str | None
        digest: str | None
        """SHA-256 of the imported file; None when recorded by hand (or before v2)."""

        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 carried no digest."""
            state["digest"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """Version 2 kept its dates as plain dicts."""
            dates_as_values(state, "date", "effective")

        def apply(self, aggregate: Any) -> None:
            aggregate.versions.append(
                DocumentVersion(self.label, self.date, self.file_name, self.digest)
            )

    class SignOffSet(Event):
        """The coordinator set which changes to the plan's recommendations need a
        coordinator's sign-off, and whether a coordinator's own changes need a second one."""

        changes: list[str]
        coordinators_too: bool

        def apply(self, aggregate: Any) -> None:
            aggregate.sign_off = frozenset(SignOff(c) for c in self.changes)
            aggregate.coordinators_sign_off = self.coordinators_too

    class ReminderWindowSet(Event):
        """The coordinator set how many days ahead of its target an open item of the plan is
        due soon, in reminders and the inbox."""

        days: int

        def apply(self, aggregate: Any) -> None:
            aggregate.reminder_days = self.days

    class UpdatesRequested(Event):
        """The coordinator asked the leads of these open items for a progress update (by
        ``due``): a progress update on an item recorded after it answers it for that item."""

        items: list[list[str | None]]
        """Each item asked about: its recommendation's ref, and its sub-action's number or
        None."""
        agency: str
        """The agency asked ("": every agency)."""
        due: FuzzyDate | None
        message: str

    def __init__(self, plan_id: str, title: str, partnership: str, kind: str) -> None:
        self.plan_id = plan_id
        self.title = title
        self.partnership = partnership
        self.kind = ReviewKind(kind)
        self.versions: list[DocumentVersion] = []
        self.sign_off: frozenset[SignOff] = SIGN_OFF_BY_DEFAULT
        self.coordinators_sign_off = False
        self.reminder_days = REMINDER_DAYS

    @classmethod
    def open(
        cls,
        plan_id: str,
        title: str,
        *,
        partnership: str = "",
        kind: ReviewKind = ReviewKind.DHR,
        effective: FuzzyDate | None = None,
    ) -> Plan:
        if not title.strip():
            raise InvalidCommand("a plan needs a title")
        return cls._create(
            cls.Opened,
            id=plan_aggregate_id(values.plan_id(plan_id)),
            plan_id=plan_id,
            title=values.line(title, "the plan's title", values.TITLE_MAX),
            partnership=values.line(partnership, "the partnership"),
            kind=ReviewKind(kind).value,
            reason=None,
            effective=effective,
        )

    def record_document_version(
        self,
        label: str,
        date: FuzzyDate | None = None,
        file_name: str | None = None,
        digest: str | None = None,
    ) -> None:
        label = values.line(label, "the version label")
        if not label:
            raise InvalidCommand("a document version needs a label")
        if self.document_version(label) is not None:
            raise AlreadyExists(f"plan {self.plan_id!r} already has a version {label!r}")
        if date is not None:
            values.line(date.text, "the version's date", values.DATE_TEXT_MAX)
        self.trigger_event(
            self.DocumentVersionRecorded,
            label=label,
            date=date,
            file_name=values.line(file_name, "the file name", values.FILE_NAME_MAX) or None
            if file_name
            else None,
            digest=digest,
            reason=None,
            effective=date,
        )

    def set_sign_off(self, changes: Iterable[SignOff], *, coordinators_too: bool) -> None:
        wanted = sorted({SignOff(c).value for c in changes})
        if (wanted, coordinators_too) == (
            sorted(c.value for c in self.sign_off),
            self.coordinators_sign_off,
        ):
            raise RuleViolated(f"plan {self.plan_id!r} already asks for that sign-off")
        self.trigger_event(
            self.SignOffSet, changes=wanted, coordinators_too=coordinators_too, reason=None,
            effective=None,
        )  # fmt: skip

    def set_reminder_window(self, days: int) -> None:
        if not 0 <= days <= REMINDER_DAYS_MAX:
            raise InvalidCommand(f"a reminder window is 0 to {REMINDER_DAYS_MAX} days, got {days}")
        if days == self.reminder_days:
            raise RuleViolated(f"plan {self.plan_id!r} already reminds {days} days ahead")
        self.trigger_event(self.ReminderWindowSet, days=days, reason=None, effective=None)

    def needs_sign_off(self, kind: SignOff | None, role: Role) -> bool:
        """Whether a change of this kind, made with this role, is a proposal until a
        coordinator approves it: an agency lead's, or a coordinator's where the plan asks
        for a second one."""
        if kind is None or kind not in self.sign_off:
            return False
        return role is Role.AGENCY_LEAD or (role is Role.COORDINATOR and self.coordinators_sign_off)

    def request_updates(
        self,
        items: list[tuple[str, str | None]],
        *,
        agency: str = "",
        due: FuzzyDate | None = None,
        message: str = "",
    ) -> None:
        if not items:
            whose = f" of {agency}" if agency else ""
            raise InvalidCommand(f"plan {self.plan_id!r} has no open item{whose} to ask about")
        self.trigger_event(
            self.UpdatesRequested,
            items=[[ref, action] for ref, action in items],
            agency=values.line(agency, "the agency"),
            due=due,
            message=values.long_text(message, "the message"),
            reason=None,
            effective=None,
        )

    def document_sources(self) -> set[str]:
        """The source of every event imported from one of the plan's document versions."""
        return {document_source(v.file_name, v.label) for v in self.versions if v.file_name}

    def document_version(self, label: str) -> DocumentVersion | None:
        return next((v for v in self.versions if v.label == label), None)
