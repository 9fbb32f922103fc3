"""What an inspector asks of the log: is it intact, what is its head, prove that an event
is in it (``service.audit_trail`` shows it entry by entry).

``verify`` recomputes every entry's Merkle leaf from the stored events (raw, undecoded)
and compares it with the leaf sealed when the event was appended
(``projections/seals.py``). The first position where they differ is named, with the kind
of change that explains it. A signed checkpoint (size, root) kept elsewhere also catches
a rewrite that recomputed the seals: the first ``size`` entries must still hash to its
root.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from uuid import UUID

from domain import values
from domain.errors import EventNotFound, InvalidCommand
from domain.integrity import (
    Entry,
    Frontier,
    WriteSignature,
    inclusion_path,
    root_of,
    sign_write,
)
from domain.refs import plan_aggregate_id
from projections import seals
from projections.seals import Head
from service import read_model_check
from service.log_checks import Divergence, RecordedTimes, SignedWrites, signatures_in_order
from service.read_model_check import Difference
from service.store import Store


@dataclass(frozen=True)
class Verification:
    size: int
    """How many events the log holds."""
    root: bytes
    """The Merkle root over all of them, recomputed from the stored events."""
    sealed: int
    """How many of them were sealed (the rest were appended since; they seal next)."""
    divergence: Divergence | None = None
    writes: int = 0
    """How many signed writes cover them."""
    read_models: tuple[Difference, ...] = ()
    """Where the read models do not hold what the (intact) log says."""
    deep: bool = False
    """Whether the read models were rebuilt from the log to compare, not only digested."""

    @property
    def intact(self) -> bool:
        return self.divergence is None and not self.read_models

    def to_json(self) -> dict[str, Any]:
        found = self.divergence
        return {
            "intact": self.intact,
            "size": self.size,
            "root": self.root.hex(),
            "sealed": self.sealed,
            "signed_writes": self.writes,
            "read_models": [d.to_json() for d in self.read_models],
            "deep": self.deep,
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


def log_entries(ledger: Store, batch: int = 10_000) -> Iterator[tuple[Any, Entry]]:
    """(stored event, entry) for every stored event, in log order, undecoded."""
    after = position = 0
    while notes := ledger.read(
        partial(ledger.recorder.select_notifications, after, batch, inclusive_of_start=False)
    ):
        for note in notes:
            position += 1
            yield note, seals.entry(position, note)
        after = notes[-1].id


def every_signature(ledger: Store) -> Iterator[WriteSignature]:
    """Every write signature, in the order of their last events."""
    return signatures_in_order(ledger.signatures)


def verify(ledger: Store, against: Checkpoint | None = None, *, deep: bool = False) -> Verification:
    """The log, then (where it holds) the read models: see ``verify_log`` and
    ``service.read_model_check``."""
    found = verify_log(ledger, against)
    if not found.intact:
        return found
    differences = tuple(read_model_check.check(ledger, deep=deep))
    return replace(found, read_models=differences, deep=deep)


def verify_log(ledger: Store, against: Checkpoint | None = None) -> Verification:
    """Recompute the log's tree from the stored events and compare it with the seals, the
    sealed heads and, if given, a checkpoint; check that a write signed with the ledger's
    key covers every event, and that recorded times do not go backwards."""
    key = ledger.signer
    frontier = Frontier()
    at_checkpoint: bytes | None = None
    signed = SignedWrites(key, ledger.signatures)
    times = RecordedTimes()
    with ledger.read_models_engine().connect() as conn:
        sealed = seals.seals_from(conn, 1)
        heads = seals.heads_from(conn)
        head = next(heads, None)
        for note, entry in log_entries(ledger):
            leaf = entry.leaf()
            seal = next(sealed, None)
            if seal is not None and seal.leaf != leaf:
                found = _diverged(ledger, conn, entry, note.id, seal)
                return Verification(frontier.size, frontier.root(), seal.position - 1, found)
            frontier.append(leaf)
            wrong = signed.see(note.id, entry) or times.see(entry)
            if wrong is not None:
                return Verification(frontier.size, frontier.root(), frontier.size, wrong)
            if against is not None and frontier.size == against.size:
                at_checkpoint = frontier.root()
            while head is not None and head.size == frontier.size:
                if frontier.root() != head.root:
                    found = Divergence(
                        head.size,
                        "rewritten",
                        f"the seals' head at position {head.size:,} is not the root of the log "
                        "there: the seals were changed",
                    )
                    return Verification(frontier.size, frontier.root(), head.size, found)
                head = next(heads, None)
        size, root = frontier.size, frontier.root()
        extra = next(sealed, None)
        if extra is not None:
            return Verification(size, root, size, _beyond_the_log(ledger, conn, size, extra))
        if head is not None:
            found = Divergence(
                size + 1,
                "truncated",
                f"the log ends at position {size:,}, but a head was sealed at position "
                f"{head.size:,}: the log was cut, or the heads were changed",
            )
            return Verification(size, root, size, found)
        unsigned = signed.end()
        if unsigned is not None:
            return Verification(size, root, size, unsigned)
        last = seals.head(conn)
    result = Verification(size, root, min(size, last.size if last else 0), writes=signed.writes)
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


def root_at(ledger: Store, size: int) -> bytes | None:
    """The root of the first ``size`` stored events, recomputed from them (not from the
    seals); None where the log holds fewer."""
    frontier = Frontier()
    if size == 0:
        return frontier.root()
    for _, entry in log_entries(ledger):
        frontier.append(entry.leaf())
        if frontier.size == size:
            return frontier.root()
    return None


def plan_log(ledger: Store, plan_id: str, size: int) -> list[Any]:
    """The stored events of a plan (its own and its recommendations') among the first
    ``size`` of the log, in log order, as stored: the plan as the log held it then."""
    wanted = {plan_aggregate_id(plan_id)}
    found = []
    for note, entry in log_entries(ledger):
        if entry.position > size:
            break
        if entry.topic.endswith("Recommendation.Raised"):
            raised: Any = ledger.mapper.to_domain_event(note)
            if raised.plan_id == plan_id:
                wanted.add(note.originator_id)
        if note.originator_id in wanted:
            found.append(note)
    return found


def attest(ledger: Store) -> tuple[int, bytes]:
    """Sign, with the ledger's key, the events recorded before writes were signed (the
    log's unsigned beginning), where ``verify`` finds nothing else wrong: the key's holder
    vouches for them as they stand. Returns how many, and the root over them."""
    key = ledger.signer
    found = verify_log(ledger).divergence
    if found is None:
        raise InvalidCommand("every event is signed already: nothing to attest")
    if (found.change, found.position) != ("unsigned", 1):
        raise InvalidCommand(
            "attest signs only the unsigned beginning of a log that is otherwise intact; "
            f"verify finds {found.change} at position {found.position:,}: {found.detail}"
        )
    first = next(every_signature(ledger), None)
    notes = []
    for note, entry in log_entries(ledger):
        notes.append((note.id, entry))
        if first is not None and note.id == first.last_id:
            del notes[len(notes) - first.count :]
            break
    signed = sign_write(key, [entry for _, entry in notes], notes[-1][0])
    recorder: Any = ledger.recorder
    ledger.read(lambda: recorder.add_signature(signed))
    return len(notes), root_of([entry.leaf() for _, entry in notes])


def _holds(ledger: Store, originator_id: str, version: int) -> bool:
    """Whether the log holds this version of this aggregate, wherever."""
    found = ledger.read(
        lambda: ledger.recorder.select_events(
            UUID(originator_id), gt=version - 1, lte=version, limit=1
        )
    )
    return bool(found)


def _beyond_the_log(ledger: Store, conn: Any, size: int, extra: seals.Seal) -> Divergence:
    """A seal after the log's last event: the events it sealed were removed, or (if it
    names an event the log still holds, earlier) the seals were added to."""
    count = seals.sealed_count(conn)
    if _holds(ledger, extra.originator_id, extra.originator_version):
        return Divergence(
            extra.position,
            "rewritten",
            f"the log ends at position {size:,}, but a seal at position {extra.position:,} "
            f"names event {extra.originator_id}/{extra.originator_version}, which the log "
            "holds earlier: the seals were added to",
        )
    return Divergence(
        size + 1,
        "truncated",
        f"the log ends at position {size:,}, but {count:,} events were sealed: "
        f"the last {count - size:,} were removed",
    )


def _diverged(
    ledger: Store, conn: Any, entry: Entry, notification_id: int, seal: seals.Seal
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
    if not _holds(ledger, seal.originator_id, seal.originator_version):
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


def head(ledger: Store) -> Head:
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


def prove(ledger: Store, plan_id: str, ref: str, event: str, size: int | None = None) -> Proof:
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
