"""Reports: the plan as it stood at a date, and what changed between two dates.

Each report carries a ``Stamp``: when and by whom it was made, and the log's position and
head hash then, so a printed report ties to a state of the log that ``verify --report``
confirms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.audit import current_context
from domain.errors import NoActor
from domain.kinds import Status
from projections.plans import PlanView
from projections.views import ChangeView, OverdueRow, RecommendationView
from service import access, integrity
from service.follow_up import FollowUp, ResponseRate
from service.queries import Queries


@dataclass(frozen=True)
class Stamp:
    generated_at: datetime
    generated_by: str
    position: int | None
    """The log's size when the report was made: its last event's position."""
    head: bytes | None
    """The Merkle root of the log at ``position`` (``recledger head``). Both None in a
    report made for a token limited to plans: they are figures of every plan's events."""
    sealed: str = ""
    """Where they are withheld: the position and head, sealed with the ledger's key, so
    that the ledger (and only it) can check the report against the log."""
    claim: str = ""
    """What the report says of itself, for ``verify --report`` (set where it is
    rendered: ``adapters/reports/claim.py``)."""


@dataclass(frozen=True)
class PlanAsAt:
    """A plan as it stood on ``as_at``, as the ledger knew it at ``known_at`` (None: now)."""

    plan: PlanView
    as_at: date
    known_at: datetime | None
    views: list[RecommendationView]
    events: int
    """The plan's events (its own and its recommendations') known then."""
    stamp: Stamp


@dataclass(frozen=True)
class BoardReport:
    """What changed in a plan from ``since`` to ``until`` (effective dates, both included),
    and where it stands at ``until``. "Before" is as at the day before ``since``, so a
    change on ``since`` itself is in the period."""

    plan: PlanView
    since: date
    until: date
    updates: list[ChangeView]
    """Progress updates that happened in the period (their dates lie in it)."""
    bounded_updates: list[ChangeView]
    """Updates dated only "no later than" a day in the period: they may be older."""
    completions: list[ChangeView]
    retargets: list[ChangeView]
    reassignments: list[ChangeView]
    corrections: list[ChangeView]
    """Corrections recorded in the period (on the recorded axis: whatever they correct)."""
    overdue: list[OverdueRow]
    """Overdue as at ``until``, most overdue first."""
    newly_overdue: list[OverdueRow]
    """Of those, the ones that were not overdue before the period."""
    counts: dict[str, dict[str, int]]
    """Items, open, completed and overdue: ``before`` the period and ``after`` it (as at
    ``until``); each over every item, and over recommendations and sub-actions apart
    (``COUNT_ROWS``)."""
    responses: list[ResponseRate]
    """Per agency: the items the requests for updates recorded in the period asked about,
    and how many were answered."""
    stamp: Stamp
    items: dict[str, tuple[str, str]]
    """Each item's text and agency as at ``until``, by ref: what a change is about."""


REASSIGNMENTS = ("LeadsReassigned", "AgencyReassigned")


def stamp(ledger: Queries) -> Stamp:
    try:
        by = current_context().actor
    except NoActor:
        by = "unknown"
    head = integrity.head(ledger)  # sealing catches the read models up (a worker's too)
    if not access.sees_whole_log():
        sealed = ledger.signer.encrypt(f"{head.size} {head.root.hex()}".encode())
        return Stamp(datetime.now(UTC), by, None, None, sealed)
    return Stamp(datetime.now(UTC), by, head.size, head.root)


def plan_as_at(
    ledger: Queries,
    plan_id: str,
    as_at: date,
    known_at: datetime | None = None,
    stamped: Stamp | None = None,
) -> PlanAsAt:
    """The plan as at a day; ``stamped``: made again, as a report said it was made."""
    sealed = stamped or stamp(ledger)  # first: sealing catches the read models up
    views = ledger.status(plan_id, as_at=as_at, known_at=known_at)
    events = sum(
        1
        for _, found in ledger.plan_events(plan_id)
        for event in found
        if known_at is None or event.timestamp <= known_at
    )
    return PlanAsAt(ledger.plan_view(plan_id), as_at, known_at, views, events, sealed)


def board_report(
    ledger: FollowUp, plan_id: str, since: date, until: date, stamped: Stamp | None = None
) -> BoardReport:
    """What changed in a period; ``stamped``: made again, as a report said it was made."""
    sealed = stamped or stamp(ledger)  # first: sealing catches the read models up
    # as the ledger now knows them: a retracted update is not shown, an amended one as amended
    changes = ledger.changes(plan_id, since, until, corrected=True)  # refuses a backward period
    recorded = ledger.changes(plan_id, since, until, recorded=True)
    before_day = since - timedelta(days=1) if since > date.min else since  # nothing stood then

    def of(*types: str) -> list[ChangeView]:
        return [c for c in changes if c.entry.type in types]

    before = ledger.overdue(plan_id, as_at=before_day).rows
    after = ledger.overdue(plan_id, as_at=until).rows
    was_overdue = {row.ref for row in before}
    now = ledger.status(plan_id, as_at=until)
    updates = of("ProgressRecorded")

    def bounded(c: ChangeView) -> bool:
        return c.entry.effective is not None and c.entry.effective.only_bounds

    return BoardReport(
        plan=ledger.plan_view(plan_id),
        since=since,
        until=until,
        updates=[c for c in updates if not bounded(c)],
        bounded_updates=[c for c in updates if bounded(c)],
        completions=of("Completed"),
        retargets=of("TargetDateRevised"),
        reassignments=of(*REASSIGNMENTS),
        corrections=[c for c in recorded if c.entry.type == "Corrected"],
        overdue=after,
        newly_overdue=[row for row in after if row.ref not in was_overdue],
        counts={
            "before": _counts(ledger.status(plan_id, as_at=before_day)),
            "after": _counts(now),
        },
        responses=ledger.response_rates(plan_id, *_moments(since, until)),
        stamp=sealed,
        items={item.ref: (item.text, item.agency) for view in now for item in view.items()},
    )


def _moments(since: date, until: date) -> tuple[datetime, datetime]:
    """A period of days as moments: from the start of its first to the end of its last (UTC)."""
    first = datetime.combine(since, time.min, UTC)
    return first, datetime.combine(until, time.max, UTC)


def _count_key(measure: str, kind: str | None) -> str:
    """``items``, ``open``... over every item; ``recommendations``, ``open_sub_actions``...
    over one kind of item."""
    if kind is None:
        return measure
    return kind if measure == "items" else f"{measure}_{kind}"


_MEASURES = ("items", "open", "completed", "overdue")
_KINDS = (None, "recommendations", "sub_actions")
COUNT_ROWS = tuple(
    (_count_key(m, kind).replace("_", " ").replace("sub ", "sub-"), _count_key(m, kind))
    for m in _MEASURES
    for kind in _KINDS
)
"""(label, key) of each count a board report shows, in order: "items", "recommendations",
"sub-actions", "open", "open recommendations", "open sub-actions", ..."""


def _counts(views: Iterable[RecommendationView]) -> dict[str, int]:
    """Each measure over every item, and over recommendations and sub-actions apart."""
    items = [item for view in views for item in view.items()]
    counts: dict[str, int] = {}
    for kind in _KINDS:
        recommendation = kind == "recommendations"  # else sub-actions, or both (None)
        found = [i for i in items if kind is None or (i.parent is None) == recommendation]
        counts[_count_key("items", kind)] = len(found)
        counts[_count_key("open", kind)] = sum(
            item.status in (Status.OPEN, Status.IN_PROGRESS) for item in found
        )
        counts[_count_key("completed", kind)] = sum(
            item.status is Status.COMPLETED for item in found
        )
        counts[_count_key("overdue", kind)] = sum(item.overdue for item in found)
    return counts
