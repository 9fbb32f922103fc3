"""What a version of a plan's document says, as the importers read it: the plan, and
every recommendation with its sub-actions and dated updates, dates already interpreted.
The importing use case (``service.importing``) records what of it the ledger does not know."""

from __future__ import annotations

from dataclasses import dataclass

from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from domain.plan import document_source


@dataclass(frozen=True)
class UpdateDocument:
    effective: FuzzyDate
    text: str


@dataclass(frozen=True)
class SubActionDocument:
    text: str
    leads: tuple[str, ...]
    target: FuzzyDate | None
    number: str | None = None
    """Its number under the recommendation, where the document gives it a row of its own
    (None: numbered in turn)."""
    updates: tuple[UpdateDocument, ...] = ()
    status: Status = Status.OPEN
    status_basis: str | None = None
    status_date: FuzzyDate | None = None


@dataclass(frozen=True)
class RecommendationDocument:
    ref: str
    text: str
    agency: str
    leads: tuple[str, ...]
    target: FuzzyDate | None
    raised: FuzzyDate
    """When it existed by if it is new in a later version: its own earliest dated
    evidence, else that version's date (inferred). On a first import, ``agreed`` counts."""
    sub_actions: tuple[SubActionDocument, ...] = ()
    updates: tuple[UpdateDocument, ...] = ()
    status: Status = Status.OPEN
    status_basis: str | None = None
    """The sentence the status was inferred from, kept with the event."""
    status_date: FuzzyDate | None = None
    """When the status statement was made (e.g. the date of "Action completed 1st April 2013")."""
    theme: str = ""
    """The theme or section heading it sits under in the document."""


@dataclass(frozen=True)
class PlanDocument:
    plan_id: str
    title: str
    partnership: str
    kind: ReviewKind
    version_label: str
    version_date: FuzzyDate | None
    file_name: str
    digest: str
    """SHA-256 of the file: the same label with other content is another document."""
    recommendations: tuple[RecommendationDocument, ...]
    agreed: FuzzyDate | None = None
    """When the plan was agreed by, so when every recommendation of a first import existed:
    stated (``--plan-date``), or inferred from the earliest dated evidence in the document."""

    @property
    def source(self) -> str:
        return document_source(self.file_name, self.version_label)
