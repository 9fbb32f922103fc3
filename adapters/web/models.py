"""The API's request and response bodies: the same shapes as the CLI's JSON (``to_json``).

Responses are validated against these models on the way out, so the OpenAPI document is
what the API answers. Dates in requests are the ledger's fuzzy dates ("2014-02-28",
"Feb 2014", "Autumn 2013"), refused here with the field named when they are not dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from domain.access import Role
from domain.kinds import AgencyKind, SignOff
from projections.record import FuzzyDateData
from projections.views import Page, RecommendationView
from service.audit_trail import AuditRow
from service.command_models import CHANGES as COMMANDS
from service.command_models import Change, Version

# Requests: the service's commands (``service.command_models``); a change through the API
# must name the version its caller read.


def _as_read(command: type[Change], name: str) -> type[Change]:
    """``command`` as a request body: ``expected_version`` required."""
    return create_model(name, __base__=command, expected_version=(Version, ...))


CHANGES: dict[str, type[Change]] = {
    verb: _as_read(command, f"{command.__name__}In") for verb, command in COMMANDS.items()
}
"""Each change by the last part of its route: ``POST .../recommendations/{ref}/updates``."""


# Responses: the ledger's records where it has them (their JSON form is pydantic's, so
# their schemas are what the routes answer), else models of the service's plain answers.

OverduePageOut = Page
AuditRowOut = AuditRow


class SnippetPieceOut(BaseModel):
    text: str
    found: bool = Field(description="A word of the query found here.")


class SearchHitOut(BaseModel):
    plan: str
    ref: str
    kind: Literal["recommendation", "sub_action", "update"]
    status: str = Field(description="The item's status as at the day asked.")
    agency: str
    counts_from: date = Field(description="The first day as at which the text counts.")
    text: str
    snippet: list[SnippetPieceOut]


class ResponseOut(BaseModel):
    effective: str = Field(description="When, as written.")
    text: str


class NationalItemOut(BaseModel):
    plan: str
    ref: str
    agency: str = Field(description="The national body, by the directory's name for it.")
    status: str
    raised: date | None
    days: int | None = Field(description="Its age as at the day: to its completion, if done.")
    overdue: bool
    response: ResponseOut | None = Field(description="Its latest progress update then.")


class StandingOut(BaseModel):
    """Where an item stands now in the follow-up cycle."""

    request: RequestOut | None = Field(description="Its latest request for an update.")
    awaiting: list[ProposalOut] = Field(description="The changes to it awaiting sign-off.")


@dataclass(frozen=True, kw_only=True)
class RecommendationOut(RecommendationView):
    follow_up: Annotated[
        StandingOut | None,
        Field(
            description="Now only (neither as_at nor known_at given): where it stands in "
            "the follow-up cycle; its sub-actions carry theirs."
        ),
    ] = None


@dataclass(frozen=True, kw_only=True)
class RecommendationDetailOut(RecommendationOut):
    version: Annotated[
        int, Field(description="Its version now: send it as expected_version to write.")
    ]


class DocumentVersionOut(BaseModel):
    label: str
    date: FuzzyDateData | None
    file_name: str | None


class PlanOut(BaseModel):
    plan: str
    title: str
    partnership: str
    kind: str
    versions: list[DocumentVersionOut]


class HistoryEntryOut(BaseModel):
    event_id: str
    sequence: int
    ref: str
    type: str
    effective: FuzzyDateData | None
    recorded_at: datetime
    actor: str
    reason: str | None
    source: str
    data: dict[str, Any]
    corrected_by: list[str]
    corrects: int | None
    previous: dict[str, Any] | None


class ChangeOut(HistoryEntryOut):
    plan: str
    ref: str | None  # type: ignore[assignment]  # None: the plan's own event


class LoadOut(BaseModel):
    """Items open, overdue and completed (``open``...), then the same of recommendations
    (``open_recommendations``...) and of sub-actions (``open_sub_actions``...) apart."""

    open: int
    overdue: int
    completed: int
    open_recommendations: int
    overdue_recommendations: int
    completed_recommendations: int
    open_sub_actions: int
    overdue_sub_actions: int
    completed_sub_actions: int


class LeadLoadOut(LoadOut):
    lead: str


class AgencyLoadOut(LoadOut):
    agency: str


class DivergenceOut(BaseModel):
    position: int
    change: str
    detail: str


class ReadModelDifferenceOut(BaseModel):
    table: str
    item: str = Field(description="The item whose rows differ (a plan and ref, a lead...).")
    detail: str


class VerificationOut(BaseModel):
    intact: bool
    size: int
    root: str
    sealed: int
    signed_writes: int = Field(description="How many signed writes cover the log's events.")
    divergence: DivergenceOut | None
    read_models: list[ReadModelDifferenceOut] = Field(
        description="Where the read models do not hold what the (intact) log says."
    )
    deep: bool = Field(description="Whether the read models were rebuilt from the log to compare.")


class HeadOut(BaseModel):
    size: int
    root: str


class RecordedOut(BaseModel):
    event_ids: list[str]
    version: int = Field(description="The recommendation's version after this write.")
    proposal: str | None = Field(
        description="Where the change awaits a coordinator's sign-off: its proposal's id."
    )


class OpenedOut(BaseModel):
    plan: str | None = None
    ref: str | None = None
    version: int


class AgencyOut(BaseModel):
    slug: str
    name: str
    kind: AgencyKind
    aliases: list[str]


class ProposalOut(BaseModel):
    proposal: str
    plan: str
    ref: str
    kind: SignOff
    change: str
    proposed: dict[str, Any]
    reason: str | None
    actor: str
    recorded_at: datetime
    decision: Literal["pending", "approved", "rejected", "retracted"]
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class RequestedOut(BaseModel):
    items: int = Field(description="How many open items the request asks about.")


class RequestOut(BaseModel):
    plan: str
    ref: str
    requested_at: datetime
    due: date | None
    answered: bool
    answered_at: datetime | None


class ResponseRateOut(BaseModel):
    agency: str
    asked: int
    answered: int
    rate: float | None


class DecidedOut(BaseModel):
    event_ids: list[str]


class ReminderWindowOut(BaseModel):
    days: int


class SignOffOut(BaseModel):
    changes: list[SignOff]
    coordinators_too: bool


class PersonOut(BaseModel):
    email: str
    name: str
    post: str
    agency: str
    reminders: bool
    aliases: list[str]


class TokenListedOut(BaseModel):
    name: str
    role: Role
    agencies: list[str]
    plans: list[str]
    person: str | None
    issued: datetime
    revoked: datetime | None


class TokenOut(BaseModel):
    name: str
    token: str = Field(description="Shown once: the ledger keeps only its hash.")


class ImportEventOut(BaseModel):
    subject: str
    type: str
    event_id: str
    effective: Any
    reason: str | None
    data: dict[str, Any]


class ImportWarningOut(BaseModel):
    line: int | None
    message: str


class SaidBeforeOut(BaseModel):
    ref: str = Field(description="The recommendation raised.")
    plan: str = Field(description="The other plan.")
    other_ref: str = Field(description="Its recommendation most like the one raised.")
    text: str
    score: float = Field(description="How alike, 0-100 (rapidfuzz's token-set ratio).")
    status: str
    days: int | None = Field(description="Days from raised to completed, once completed.")


class ImportOut(BaseModel):
    plan: str
    version: dict[str, Any]
    encoding: str | None
    recommendations: int
    sections: Any
    themes: Any
    dry_run: bool
    already_imported: bool
    events: list[ImportEventOut]
    warnings: list[ImportWarningOut]
    said_before: list[SaidBeforeOut] = Field(
        description="Each recommendation it raises, and the closest of another plan's."
    )


class ErrorOut(BaseModel):
    detail: str


class ConflictOut(BaseModel):
    detail: str
    current_version: int | None = None


class FieldErrorOut(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(BaseModel):
    detail: list[FieldErrorOut]
