"""The commands as values: one pydantic model per use case, with its validation.

The CLI builds them from its options, the API and the pages take them as request bodies,
the service runs them (``service.commands``): a use case's parameters are written here
once. Dates are the ledger's fuzzy dates, given as text ("2014-02-28", "Feb 2014",
"Autumn 2013") or as ``FuzzyDate`` values; fields it does not know are ignored, so an
"actor" in a body never names who acted.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from domain import values
from domain.access import Role
from domain.errors import EventNotFound, InvalidCommand, InvalidDate
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SETTABLE_STATUSES, AgencyKind, ReviewKind, SignOff, Status
from domain.recommendation import Recommendation
from domain.rules import REMINDER_DAYS_MAX
from service.store import today


def _fuzzy(value: Any) -> FuzzyDate:
    if isinstance(value, FuzzyDate):
        return value
    if not isinstance(value, str):
        raise ValueError("a date is text such as '2014-02-28', 'Feb 2014' or 'Autumn 2013'")
    try:
        return FuzzyDate.given(value)
    except InvalidDate as error:
        raise ValueError(str(error)) from None


def _dated(value: Any) -> FuzzyDate:
    found = _fuzzy(value)
    if not found.is_dated:
        raise ValueError(f"{found.text!r} is not a date on the calendar")
    return found


_DATE_SCHEMA = {"type": "string", "examples": ["2014-02-28", "Feb 2014", "Autumn 2013"]}
Fuzzy = Annotated[FuzzyDate, PlainValidator(_fuzzy), WithJsonSchema(_DATE_SCHEMA)]
"""A date as a plan writes it; text off the calendar ("Ongoing") is kept verbatim."""
Dated = Annotated[FuzzyDate, PlainValidator(_dated), WithJsonSchema(_DATE_SCHEMA)]
"""A date that must be on the calendar (a progress update's, a completion's)."""
Text = Annotated[str, Field(min_length=1, max_length=values.LONG_TEXT_MAX)]
"""Text, updates, reasons, evidence: as long as the ledger keeps (``domain.values``)."""
Line = Annotated[str, Field(min_length=1, max_length=500)]
Version = Annotated[int, Field(ge=1, description="The recommendation's version you read.")]


class Command(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True)


class OpenPlan(Command):
    plan_id: Line
    title: Line
    partnership: str = ""
    kind: ReviewKind = ReviewKind.DHR


class RecordDocumentVersion(Command):
    """A version of a plan's document, e.g. '2nd Version dated 29th May 2014'."""

    label: Line
    date: Fuzzy | None = None
    file_name: str | None = None


class RaiseRecommendation(Command):
    ref: Line = Field(examples=["overview/7", "imr/west-mercia-police/9"])
    text: Text
    agency: str = ""
    leads: list[Line] = []
    target: Fuzzy | None = None
    effective: Fuzzy | None = None


class RegisterAgency(Command):
    """An agency entered in the directory: its canonical name, its slug (default: made
    from the name), its kind, and the other spellings plans write it under."""

    name: Line
    slug: str | None = None
    kind: AgencyKind = AgencyKind.LOCAL
    aliases: list[Line] = []


class AddAgencyAlias(Command):
    alias: Line


class RegisterPerson(Command):
    """A person entered in the directory: their e-mail address is who they are."""

    name: Line
    email: EmailStr
    post: str = ""
    agency: str = ""
    """Their agency's slug in the directory, or "" (the partnership's own)."""
    reminders: bool = True
    aliases: list[Line] = []


class AddPersonAlias(Command):
    alias: Line


class ChooseReminders(Command):
    reminders: bool


class IssueToken(Command):
    """A token for ``name`` with ``role``; or for a ``person`` of the directory, whose name
    it takes, and whose agency an agency lead's token is for (both unless given)."""

    name: Line | None = None
    role: Role | None = None
    agencies: list[Line] = []
    plans: list[Line] = []
    person: EmailStr | None = None

    @model_validator(mode="after")
    def _names_its_holder(self) -> IssueToken:
        if self.person is None and (self.name is None or self.role is None):
            raise ValueError("a token needs a name and a role, or a person of the directory")
        return self


class RevokeToken(Command):
    reason: str | None = None


class Change(Command):
    """A change to one recommendation or sub-action (``action``: which one, or None for the
    recommendation itself), made only if it is still at ``expected_version`` when given."""

    what: ClassVar[str]
    """What the change is, in the words of its API route's summary."""
    expected_version: Version | None = None

    def apply(self, rec: Recommendation, action: str | None) -> None:
        raise NotImplementedError

    def sign_off(self, rec: Recommendation, action: str | None) -> SignOff | None:
        """What sign-off this change needs where its plan asks for it (None: none)."""
        return None

    def proposed(self) -> dict[str, Any]:
        """Its fields, as a proposal keeps them until it is approved."""
        fields = (name for name in type(self).model_fields if name != "expected_version")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}

    @classmethod
    def verb(cls) -> str:
        """Its name in ``CHANGES`` (a request body's model is a subclass of its command)."""
        return next(VERBS[c] for c in cls.__mro__ if c in VERBS)


class AddSubAction(Change):
    what = "Add a numbered sub-action (an item of its own, REF.N)"
    text: Text
    leads: list[Line] = []
    target: Fuzzy | None = None
    effective: Fuzzy | None = None
    number: str | None = None

    def apply(self, rec: Recommendation, action: str | None) -> None:
        if action is not None:
            ref = rec.state.item(action).ref
            raise InvalidCommand(f"{ref} is a sub-action; sub-actions do not nest")
        rec.add_sub_action(self.text, self.leads, self.target, self.effective, self.number)


class Reassign(Change):
    what = "Reassign the leads, the agency or both"
    reason: Text
    leads: list[Line] | None = None
    agency: Line | None = None
    effective: Fuzzy | None = None

    def apply(self, rec: Recommendation, action: str | None) -> None:
        if self.leads is None and self.agency is None:
            raise InvalidCommand("say who takes over: new leads, a new agency, or both")
        if self.leads is not None:
            rec.reassign_leads(self.leads, self.reason, self.effective, action=action)
        if self.agency is not None:
            rec.reassign_agency(self.agency, self.reason, self.effective, action=action)

    def sign_off(self, rec: Recommendation, action: str | None) -> SignOff | None:
        agency = rec.state.item(action).agency
        return SignOff.AGENCY if self.agency is not None and self.agency != agency else None


class ReviseTarget(Change):
    what = "Revise the target date"
    target: Fuzzy
    reason: Text
    effective: Fuzzy | None = None

    def apply(self, rec: Recommendation, action: str | None) -> None:
        rec.revise_target(self.target, self.reason, self.effective, action=action)

    def sign_off(self, rec: Recommendation, action: str | None) -> SignOff | None:
        """An extension: a later last day than the target's now, or none at all."""
        now = rec.state.item(action).target
        if now is None or now.deadline is None:
            return None
        later = self.target.deadline is None or self.target.deadline > now.deadline
        return SignOff.EXTENSION if later else None


class RecordProgress(Change):
    what = "Record a dated progress update"
    text: Text
    effective: Dated

    def apply(self, rec: Recommendation, action: str | None) -> None:
        _already_happened(self.effective, "a progress update")
        rec.record_progress(self.text, self.effective, action=action)


class ChangeStatus(Change):
    what = "Set the status to open, in_progress or ongoing"
    status: Literal[tuple(s.value for s in SETTABLE_STATUSES)]  # type: ignore[valid-type]
    reason: str | None = None
    effective: Fuzzy | None = None

    def apply(self, rec: Recommendation, action: str | None) -> None:
        rec.change_status(Status(self.status), self.reason, self.effective, action=action)


class Complete(Change):
    what = "Mark it completed"
    effective: Dated
    evidence: str | None = None

    def apply(self, rec: Recommendation, action: str | None) -> None:
        _already_happened(self.effective, "a completion")
        rec.complete(self.effective, self.evidence, action=action)

    def sign_off(self, rec: Recommendation, action: str | None) -> SignOff | None:
        return SignOff.COMPLETION


class Explained(Change):
    """A change that needs only why, and when it took effect if not when recorded."""

    reason: Text
    effective: Fuzzy | None = None


class Reopen(Explained):
    what = "Reopen it"

    def apply(self, rec: Recommendation, action: str | None) -> None:
        rec.reopen(self.reason, self.effective, action=action)


class Withdraw(Explained):
    what = "Withdraw it"

    def apply(self, rec: Recommendation, action: str | None) -> None:
        rec.withdraw(self.reason, self.effective, action=action)

    def sign_off(self, rec: Recommendation, action: str | None) -> SignOff | None:
        return SignOff.WITHDRAWAL


class Correct(Change):
    """Retract or amend one event, named by its id or its sequence number in the history;
    each kind of event allows its own fields (``Recommendation.Event.amendable``)."""

    what = "Amend some fields of one earlier event, or retract it (the original stays)"
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

    AMENDABLE: ClassVar = ("text", "effective", "leads", "agency", "target", "evidence", "theme")

    def amendment(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in self.AMENDABLE if getattr(self, name) is not None
        }

    def apply(self, rec: Recommendation, action: str | None) -> None:
        amendment = self.amendment()
        if self.retract == bool(amendment):
            raise InvalidCommand(
                "give the fields to amend (text, effective, leads, agency, target, evidence, "
                "theme) or retract, not both"
            )
        event_id = _event_id(rec, self.event)
        rec.correct(event_id, self.reason, retract=self.retract, amendment=amendment, action=action)


class RequestUpdates(Command):
    """Ask the leads of a plan's open items (of one agency, or all) for a progress update."""

    agency: str = ""
    due: Fuzzy | None = None
    message: str = ""


class SetSignOff(Command):
    """Which changes to a plan's recommendations need a coordinator's sign-off (none: an
    empty list), and whether a coordinator's own need a second coordinator's."""

    changes: list[SignOff]
    coordinators_too: bool = False


class SetReminderWindow(Command):
    """How many days ahead of its target an open item of a plan is due soon, in reminders
    and the inbox."""

    days: int = Field(ge=0, le=REMINDER_DAYS_MAX)


class Decide(Command):
    """A coordinator's decision on a proposed change, and why."""

    approve: bool
    reason: str | None = None


CHANGES: dict[str, type[Change]] = {
    "updates": RecordProgress,
    "actions": AddSubAction,
    "reassignments": Reassign,
    "targets": ReviseTarget,
    "status": ChangeStatus,
    "completion": Complete,
    "reopening": Reopen,
    "withdrawal": Withdraw,
    "corrections": Correct,
}
"""Each change by its name in the API and the pages: ``POST .../recommendations/{ref}/updates``."""

VERBS: dict[type[Change], str] = {command: verb for verb, command in CHANGES.items()}
"""Each change's name (``CHANGES``'s key): a proposal keeps it, to make the change later."""


def _event_id(rec: Recommendation, event: str) -> str:
    sequence = values.ascii_number(event, "event")
    if sequence is None:
        return rec.event(event).event_id
    if 1 <= sequence <= len(rec.log):
        return rec.log[sequence - 1].event_id
    raise EventNotFound(f"{rec.state.ref} has events 1..{len(rec.log)}, not {sequence}")


def _already_happened(effective: FuzzyDate, what: str) -> None:
    """An event that reports what happened cannot have happened after today (UTC)."""
    if effective.start is not None and effective.start > today():
        raise InvalidDate(
            f"{what} reports what already happened: {effective.text!r} starts after today, "
            f"{today().isoformat()}"
        )
