"""What a version of a plan's document says, as the importers read it: the plan, and
every recommendation with its sub-actions and dated updates, dates already interpreted.
The importing use case (``service.importing``) records what of it the ledger does not know."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Generic, TypeVar

from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from domain.plan import document_source


@dataclass(frozen=True)
class UpdateDocument:
    effective: FuzzyDate
    text: str


Date = TypeVar("Date")
Act = TypeVar("Act")
Update = TypeVar("Update")
Stated = TypeVar("Stated")


@dataclass(frozen=True)
class Action(Generic[Date, Update, Stated]):
    """What a plan's document writes of an action under a recommendation, whoever reads
    it (as ``Written``)."""

    text: str
    leads: tuple[str, ...]
    target: Date
    _: KW_ONLY
    updates: tuple[Update, ...] = ()
    status: Stated


@dataclass(frozen=True)
class SubActionDocument(Action[FuzzyDate | None, UpdateDocument, Status]):
    _: KW_ONLY
    number: str | None = None
    """Its number under the recommendation, where the document gives it a row of its own
    (None: numbered in turn)."""
    status: Status = Status.OPEN
    status_basis: str | None = None
    status_date: FuzzyDate | None = None


@dataclass(frozen=True)
class Written(Generic[Date, Act, Update, Stated]):
    """What a plan's document writes of a recommendation, whoever reads it: the parser,
    all of it as text (``adapters.importing.model``), or the importer, its dates and
    status read (``RecommendationDocument``)."""

    ref: str
    text: str
    agency: str
    leads: tuple[str, ...]
    target: Date
    _: KW_ONLY
    sub_actions: tuple[Act, ...] = ()
    updates: tuple[Update, ...] = ()
    status: Stated
    theme: str = ""
    """The theme or section heading it sits under in the document."""


@dataclass(frozen=True)
class RecommendationDocument(Written[FuzzyDate | None, SubActionDocument, UpdateDocument, Status]):
    raised: FuzzyDate
    """When it existed by if it is new in a later version: its own earliest dated
    evidence, else that version's date (inferred). On a first import, ``agreed`` counts."""
    _: KW_ONLY
    status: Status = Status.OPEN
    status_basis: str | None = None
    """The sentence the status was inferred from, kept with the event."""
    status_date: FuzzyDate | None = None
    """When the status statement was made (e.g. the date of "Action completed 1st April 2013")."""
    line: int = 0
    """Where the document states it (1-based; 0: not known)."""


@dataclass(frozen=True)
class Note:
    """A difference an import saw about one item but would not act on by itself, for a
    person to review; ``line``: where the document states the item (0: it does not)."""

    ref: str
    text: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.ref}: {self.text}"


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
