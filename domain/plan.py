"""The Plan aggregate: an action plan and the document versions it was issued in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from domain import values
from domain.errors import AlreadyExists, InvalidCommand
from domain.events import AuditedEvent, dates_as_values
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind
from domain.refs import plan_aggregate_id


@dataclass(frozen=True)
class DocumentVersion:
    label: str
    date: FuzzyDate | None
    file_name: str | None
    digest: str | None = None


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

    def __init__(self, plan_id: str, title: str, partnership: str, kind: str) -> None:
        self.plan_id = plan_id
        self.title = title
        self.partnership = partnership
        self.kind = ReviewKind(kind)
        self.versions: list[DocumentVersion] = []

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

    def document_sources(self) -> set[str]:
        """The source of every event imported from one of the plan's document versions."""
        return {document_source(v.file_name, v.label) for v in self.versions if v.file_name}

    def document_version(self, label: str) -> DocumentVersion | None:
        return next((v for v in self.versions if v.label == label), None)
