"""What an inspector asks of the log: is it intact, what is its head, prove that an event
is in it, show it entry by entry.

``verify`` recomputes every entry's Merkle leaf from the stored events (raw, undecoded)
and compares it with the leaf sealed when the event was appended
(``projections/seals.py``). The first position where they differ is named, with the kind
of change that explains it. A signed checkpoint (size, root) kept elsewhere also catches
a rewrite that recomputed the seals: the first ``size`` entries must still hash to its
root.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from domain import values
from domain.errors import EventNotFound, InvalidCommand
from domain.integrity import Entry, Frontier, inclusion_path, root_of
from domain.plan import Plan
from domain.recommendation import Recommendation, sub_action_ref
from projections import queries, seals
from projections.seals import Head

if TYPE_CHECKING:
    from service.ledger import Ledger

Change = Literal["edited", "deleted", "reordered", "inserted", "truncated", "rewritten"]


@dataclass(frozen=True)
class Divergence:
    position: int
    """The first position (1-based) at which the log is not what was sealed."""
    change: Change
    detail: str


@dataclass(frozen=True)
class Verification:
    size: int
    """How many events the log holds."""
    root: bytes
    """The Merkle root over all of them, recomputed from the stored events."""
    sealed: int
    """How many of them were sealed (the rest were appended since; they seal next)."""
    divergence: Divergence | None = None

    @property
    def intact(self) -> bool:
        return self.divergence is None

    def to_json(self) -> dict[str, Any]:
        found = self.divergence
        return {
            "intact": self.intact,
            "size": self.size,
            "root": self.root.hex(),
            "sealed": self.sealed,
            "divergence": None
            if found is None
            else {"position": found.position, "change": found.change, "detail": found.detail},
        }


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint states: the log's size and root then (its signature is the
    adapter's business)."""

    size: int
    root: bytes


def log_entries(ledger: Ledger, batch: int = 10_000) -> Iterator[tuple[Any, Entry]]:
    """(stored event, entry) for every stored event, in log order, undecoded."""
    after = position = 0
    while notes := ledger.read(
        lambda start=after: ledger.recorder.select_notifications(
            start, batch, inclusive_of_start=False
        )
    ):
        for note in notes:
            position += 1
            yield note, seals.entry(position, note)
        after = notes[-1].id


def verify(ledger: Ledger, against: Checkpoint | None = None) -> Verification:
    """Recompute the log's tree from the stored events and compare it with the seals and,
    if given, with a checkpoint."""
    frontier = Frontier()
    at_checkpoint: bytes | None = None
    with ledger.read_models_engine().connect() as conn:
        last = seals.head(conn)
        sealed = seals.seals_from(conn, 1)
        for note, entry in log_entries(ledger):
            leaf = entry.leaf()
            seal = next(sealed, None)
            if seal is not None and seal.leaf != leaf:
                found = _diverged(ledger, conn, entry, note.id, seal)
                return Verification(frontier.size, frontier.root(), seal.position - 1, found)
            frontier.append(leaf)
            if against is not None and frontier.size == against.size:
                at_checkpoint = frontier.root()
            if last is not None and frontier.size == last.size and frontier.root() != last.root:
                found = Divergence(
                    last.size,
                    "rewritten",
                    f"the seals' head at position {last.size} is not the root of the log "
                    "there: the seals were changed",
                )
                return Verification(frontier.size, frontier.root(), last.size, found)
        size, root = frontier.size, frontier.root()
        missing = next(sealed, None)
        if missing is not None:
            count = seals.sealed_count(conn)
            found = Divergence(
                size + 1,
                "truncated",
                f"the log ends at position {size:,}, but {count:,} events were sealed: "
                f"the last {count - size:,} were removed",
            )
            return Verification(size, root, count, found)
    result = Verification(size, root, min(size, last.size if last else 0))
    if against is None:
        return result
    if size < against.size:
        found = Divergence(
            size + 1,
            "truncated",
            f"the log holds {size:,} events, the checkpoint {against.size:,}: the log was cut",
        )
    elif at_checkpoint != against.root and against.size:
        found = Divergence(
            1,
            "rewritten",
            f"the first {against.size:,} events no longer hash to the checkpoint's root: "
            "history before the checkpoint was rewritten, and its seals with it",
        )
    else:
        return result
    return Verification(size, root, result.sealed, found)


def _diverged(
    ledger: Ledger, conn: Any, entry: Entry, notification_id: int, seal: seals.Seal
) -> Divergence:
    """Name the change that explains an entry whose leaf is not the one sealed there."""
    here = f"position {entry.position:,} (notification {notification_id})"
    sealed_event = f"{seal.originator_id}/{seal.originator_version}"
    found_event = f"{entry.originator_id}/{entry.originator_version}"
    if sealed_event == found_event:
        return Divergence(
            entry.position,
            "edited",
            f"event {found_event} at {here} was edited: it no longer hashes to its seal",
        )
    moved_from = seals.sealed_at(conn, entry.originator_id, entry.originator_version)
    still_there = ledger.read(
        lambda: ledger.recorder.select_events(
            UUID(seal.originator_id),
            gt=seal.originator_version - 1,
            lte=seal.originator_version,
            limit=1,
        )
    )
    if not still_there:
        instead = "" if moved_from else f"; event {found_event}, never sealed, is in its place"
        return Divergence(
            entry.position,
            "deleted",
            f"event {sealed_event}, sealed at {here}, was deleted from the log{instead}",
        )
    if moved_from is None:
        return Divergence(
            entry.position,
            "inserted",
            f"event {found_event} at {here} was never sealed: it was inserted into the log",
        )
    return Divergence(
        entry.position,
        "reordered",
        f"{here} holds event {found_event}, sealed at position {moved_from:,}: the log's "
        "order was changed",
    )


def head(ledger: Ledger) -> Head:
    """The log's head as sealed, after sealing whatever was appended since."""
    ledger.project(behind=True)
    with ledger.read_models_engine().connect() as conn:
        found = seals.head(conn)
    if found is None:
        return Head(0, Frontier().root(), 0)
    return found


@dataclass(frozen=True)
class Proof:
    """That an entry is in the log of ``size`` entries whose root is ``root``."""

    entry: Entry
    size: int
    root: bytes
    path: list[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry.to_line(),
            "position": self.entry.position,
            "size": self.size,
            "root": self.root.hex(),
            "path": [sibling.hex() for sibling in self.path],
        }


def prove(ledger: Ledger, plan_id: str, ref: str, event: str, size: int | None = None) -> Proof:
    """An inclusion proof (RFC 9162) of one event of a recommendation, in the log of
    ``size`` entries (default: as sealed now)."""
    rec, _ = ledger.item(plan_id, ref)
    number = values.ascii_number(event, "event")
    version = rec.event(event).originator_version if number is None else number
    if not 1 <= version <= len(rec.log):
        raise EventNotFound(f"{rec.state.ref} has events 1..{len(rec.log)}, not {event}")
    current = head(ledger)
    size = current.size if size is None else size
    with ledger.read_models_engine().connect() as conn:
        position = seals.sealed_at(conn, rec.id, version)
        if position is None or position > size:
            raise InvalidCommand(
                f"event {version} of {rec.state.ref} is not among the first {size:,} entries"
            )
        leaves = seals.leaves(conn, size)
    if len(leaves) < size:
        raise InvalidCommand(f"the log has {len(leaves):,} sealed entries, not {size:,}")
    [stored] = ledger.read(
        lambda: ledger.recorder.select_events(rec.id, gt=version - 1, lte=version, limit=1)
    )
    entry = seals.entry(position, stored)
    if entry.leaf() != leaves[position - 1]:
        raise InvalidCommand(
            f"event {version} of {rec.state.ref} no longer hashes to its seal: run verify"
        )
    return Proof(entry, size, root_of(leaves), inclusion_path(leaves, position - 1))


@dataclass(frozen=True)
class AuditRow:
    position: int
    event_id: str
    recorded_at: datetime
    actor: str
    plan: str
    ref: str
    type: str
    effective: str
    reason: str
    source: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "recorded_at": self.recorded_at.isoformat()}


def audit(
    ledger: Ledger,
    plan_id: str | None = None,
    *,
    actor: str | None = None,
    event_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[AuditRow]:
    """The log as an inspector reads it, entry by entry, filtered; each row with its
    entry's hash (its Merkle leaf)."""
    wanted: set[UUID] | None = None
    if plan_id is not None:
        plan_aggregate = ledger.plan(plan_id).id
        with ledger.read_models_engine().connect() as conn:
            rec_ids = queries.recommendation_ids(conn, plan_id)
        wanted = {plan_aggregate, *(UUID(rec_id) for rec_id in rec_ids)}
    places: dict[UUID, tuple[str, str]] = {}
    for note, entry in log_entries(ledger):
        if wanted is not None and entry.originator_id not in wanted:
            continue
        names_a_place = entry.topic.endswith((".Opened", ".Raised"))  # read for plan and ref
        if not names_a_place and event_type and not entry.topic.endswith(f".{event_type}"):
            continue
        event: Any = ledger.mapper.to_domain_event(note)
        if isinstance(event, Plan.Opened):
            places[event.originator_id] = (event.plan_id, "")
        elif isinstance(event, Recommendation.Raised):
            places[event.originator_id] = (event.plan_id, event.ref)
        if (event_type is not None and event.type_name != event_type) or (
            actor is not None and event.actor != actor
        ):
            continue
        if (since is not None and event.timestamp < since) or (
            until is not None and event.timestamp > until
        ):
            continue
        plan, ref = places.get(event.originator_id, ("", ""))
        if ref and getattr(event, "action", None):
            ref = sub_action_ref(ref, event.action)
        yield AuditRow(
            position=entry.position,
            event_id=event.event_id,
            recorded_at=event.timestamp,
            actor=event.actor,
            plan=plan,
            ref=ref,
            type=event.type_name,
            effective=event.effective.text if getattr(event, "effective", None) else "",
            reason=getattr(event, "reason", None) or "",
            source=event.source,
            hash=entry.leaf().hex(),
        )
