"""The API's request and response bodies: the same shapes as the CLI's JSON (``to_json``).

Responses are validated against these models on the way out, so the OpenAPI document is
what the API answers. Dates in requests are the ledger's fuzzy dates ("2014-02-28",
"Feb 2014", "Autumn 2013"), refused here with the field named when they are not dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from adapters.web.records import response_model
from domain import values
from domain.access import Role
from domain.errors import InvalidCommand, InvalidDate
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SETTABLE_STATUSES, ReviewKind, Status
from projections.views import Page, RecommendationView
from service.audit_trail import AuditRow

if TYPE_CHECKING:
    from service.ledger import Ledger


def _fuzzy(value: Any) -> FuzzyDate:
    if not isinstance(value, str):
        raise ValueError("a date is text such as '2014-02-28', 'Feb 2014' or 'Autumn 2013'")
    try:
        return FuzzyDate.given(value)
    except InvalidDate as error:
        raise ValueError(str(error)) from None


def _dated(value: Any) -> FuzzyDate:
    found = _fuzzy(value)
    if not found.is_dated:
        raise ValueError(f"{value!r} is not a date on the calendar")
    return found


_DATE_SCHEMA = {"type": "string", "examples": ["2014-02-28", "Feb 2014", "Autumn 2013"]}
Fuzzy = Annotated[FuzzyDate, PlainValidator(_fuzzy), WithJsonSchema(_DATE_SCHEMA)]
"""A date as a plan writes it; text off the calendar ("Ongoing") is kept verbatim."""
Dated = Annotated[FuzzyDate, PlainValidator(_dated), WithJsonSchema(_DATE_SCHEMA)]
"""A date that must be on the calendar (a progress update's, a completion's)."""
Version = Annotated[int, Field(ge=1, description="The recommendation's version you read.")]
Text = Annotated[str, Field(min_length=1, max_length=values.LONG_TEXT_MAX)]
"""Text, updates, reasons, evidence: as long as the ledger keeps (``domain.values``)."""
Line = Annotated[str, Field(min_length=1, max_length=500)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)
    """Fields it does not know are ignored: an "actor" in a body never names who acted."""


class Change(Body):
    """A change to one recommendation or sub-action, made only if it is still at the
    version the caller read: ``apply`` is its use case, for the API and the pages alike."""

    expected_version: Version

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        raise NotImplementedError


# Requests


class PlanIn(Body):
    plan_id: Line
    title: Line
    partnership: str = ""
    kind: ReviewKind = ReviewKind.DHR


class DocumentVersionIn(Body):
    label: Line
    date: Fuzzy | None = None
    file_name: str | None = None


class RaiseIn(Body):
    ref: Line = Field(examples=["overview/7", "imr/west-mercia-police/9"])
    text: Text
    agency: str = ""
    leads: list[Line] = []
    target: Fuzzy | None = None
    effective: Fuzzy | None = None


class SubActionIn(Change):
    text: Text
    leads: list[Line] = []
    target: Fuzzy | None = None
    effective: Fuzzy | None = None
    number: str | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.add_sub_action(
            plan, ref, self.text, leads=self.leads, target=self.target,
            effective=self.effective, number=self.number, expected_version=self.expected_version,
        )  # fmt: skip


class ReassignIn(Change):
    reason: Text
    leads: list[Line] | None = None
    agency: Line | None = None
    effective: Fuzzy | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.reassign(
            plan, ref, reason=self.reason, leads=self.leads, agency=self.agency,
            effective=self.effective, expected_version=self.expected_version,
        )  # fmt: skip


class RetargetIn(Change):
    target: Fuzzy
    reason: Text
    effective: Fuzzy | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.revise_target(
            plan, ref, self.target, reason=self.reason, effective=self.effective,
            expected_version=self.expected_version,
        )  # fmt: skip


class UpdateIn(Change):
    effective: Dated
    text: Text

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.record_progress(
            plan, ref, self.text, self.effective, expected_version=self.expected_version
        )


class StatusIn(Change):
    status: Literal[tuple(s.value for s in SETTABLE_STATUSES)]  # type: ignore[valid-type]
    reason: str | None = None
    effective: Fuzzy | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.change_status(
            plan, ref, Status(self.status), reason=self.reason, effective=self.effective,
            expected_version=self.expected_version,
        )  # fmt: skip


class CompleteIn(Change):
    effective: Dated
    evidence: str | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.complete(
            plan, ref, self.effective, evidence=self.evidence,
            expected_version=self.expected_version,
        )  # fmt: skip


class ReopenIn(Change):
    reason: Text
    effective: Fuzzy | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.reopen(
            plan, ref, reason=self.reason, effective=self.effective,
            expected_version=self.expected_version,
        )  # fmt: skip


class WithdrawIn(Change):
    reason: Text
    effective: Fuzzy | None = None

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        return ledger.withdraw(
            plan, ref, reason=self.reason, effective=self.effective,
            expected_version=self.expected_version,
        )  # fmt: skip


class CorrectIn(Change):
    event: Line = Field(description="The event's id, or its number in the history.")
    reason: Text
    retract: bool = False
    text: str | None = None
    effective: Fuzzy | None = None
    leads: list[Line] | None = None
    agency: str | None = None
    target: Fuzzy | None = None
    evidence: str | None = None
    theme: str | None = None

    def amendment(self) -> dict[str, Any]:
        fields = ("text", "effective", "leads", "agency", "target", "evidence", "theme")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}

    def apply(self, ledger: Ledger, plan: str, ref: str) -> list[str]:
        amendment = self.amendment()
        if self.retract == bool(amendment):
            raise InvalidCommand("give the fields to amend, or retract: true; not both")
        return ledger.correct(
            plan, ref, self.event, reason=self.reason, retract=self.retract,
            amendment=amendment, expected_version=self.expected_version,
        )  # fmt: skip


CHANGES: dict[str, type[Change]] = {
    "updates": UpdateIn,
    "actions": SubActionIn,
    "reassignments": ReassignIn,
    "targets": RetargetIn,
    "status": StatusIn,
    "completion": CompleteIn,
    "reopening": ReopenIn,
    "withdrawal": WithdrawIn,
    "corrections": CorrectIn,
}
"""Each change by the last part of its route: ``POST .../recommendations/{ref}/updates``."""


class TokenIn(Body):
    name: Line
    role: Role
    agencies: list[Line] = []
    plans: list[Line] = []


class RevokeIn(Body):
    reason: str | None = None


# Responses


if TYPE_CHECKING:  # made at import, from the records: to the type checker, models
    FuzzyDateOut: TypeAlias = BaseModel
    RecommendationOut: TypeAlias = BaseModel
    OverduePageOut: TypeAlias = BaseModel
    AuditRowOut: TypeAlias = BaseModel
else:
    FuzzyDateOut = response_model(FuzzyDate)
    RecommendationOut = response_model(RecommendationView)
    OverduePageOut = response_model(Page, "OverduePageOut")
    AuditRowOut = response_model(AuditRow)


class RecommendationDetailOut(RecommendationOut):
    version: int = Field(description="Its version now: send it as expected_version to write.")


class DocumentVersionOut(BaseModel):
    label: str
    date: FuzzyDateOut | None
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
    effective: FuzzyDateOut | None
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


class LeadLoadOut(BaseModel):
    lead: str
    open: int
    overdue: int
    completed: int


class AgencyLoadOut(BaseModel):
    agency: str
    open: int
    overdue: int
    completed: int


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


class OpenedOut(BaseModel):
    plan: str | None = None
    ref: str | None = None
    version: int


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
