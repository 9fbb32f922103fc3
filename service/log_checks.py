"""What ``verify`` checks of each stored event besides its seal: that a write signed with
the ledger's key covers it, and that it was not recorded long before the events before it.

Both read the events as stored (undecoded), in log order, as ``verify`` walks them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from domain.integrity import Entry, Signer, WriteSignature, write_statement

BACKWARDS_TOLERANCE = timedelta(minutes=10)
"""How far a recorded time may fall behind one recorded before it in the log. Events are
stamped when a command makes them and stored when it commits: a command that commits
after a later one (a long import beside a quick update) stores earlier times after later
ones, by the time it took. Ten minutes covers any command; a forged or mis-clocked event
falls further back."""


Change = Literal[
    "edited",
    "deleted",
    "reordered",
    "inserted",
    "truncated",
    "rewritten",
    "unsigned",
    "forged",
    "backdated",
]


@dataclass(frozen=True)
class Divergence:
    position: int
    """The first position (1-based) at which the log is not what was sealed and signed."""
    change: Change
    detail: str


class SignedWrites:
    """Checks, event by event in log order, that every event is covered by exactly one
    write signature that holds under ``key``: the ``count`` events ending at the one
    stored with the signature's ``last_id``. (Several rows may end at one event: a row
    left by an event removed from the end of a SQLite log, whose id the next one took;
    one of them must hold.)"""

    def __init__(self, key: Signer, signatures: Callable[[int, int], list[WriteSignature]]):
        self.key = key
        self._stream = signatures_in_order(signatures)
        self._next: WriteSignature | None = next(self._stream, None)
        self._pending: list[tuple[int, bytes]] = []
        """(position, digest) of the events seen since the last signed write."""
        self.writes = 0
        """How many signed writes have been checked."""

    def see(self, notification_id: int, entry: Entry) -> Divergence | None:
        self._pending.append((entry.position, entry.event_digest()))
        if self._next is not None and self._next.last_id < notification_id:
            return Divergence(
                entry.position,
                "forged",
                f"a signature row names notification {self._next.last_id}, which the log does "
                "not hold: it was added to the signatures, or its events were removed",
            )
        ending_here = []
        while self._next is not None and self._next.last_id == notification_id:
            ending_here.append(self._next)
            self._next = next(self._stream, None)
        if not ending_here:
            return None
        pending, self._pending = self._pending, []
        problems = [self._check(found, pending) for found in ending_here]
        return None if None in problems else problems[0]

    def _check(self, found: WriteSignature, pending: list[tuple[int, bytes]]) -> Divergence | None:
        first, last = pending[0][0], pending[-1][0]
        if found.count > len(pending):
            return Divergence(
                first,
                "forged",
                f"the write signed at position {last:,} claims {found.count:,} events, but "
                f"only {len(pending):,} follow the last signed write",
            )
        if found.key != self.key.fingerprint:
            return Divergence(
                first,
                "forged",
                f"{_span(first, last)} signed by key {found.key[:16]}…, not by this ledger's "
                f"key {self.key.fingerprint[:16]}…",
            )
        covered = pending[len(pending) - found.count :]
        if not self.key.holds(write_statement([d for _, d in covered]), found.signature):
            return Divergence(
                covered[0][0],
                "forged",
                f"the signature of {_span(covered[0][0], last)} does not hold: the events or "
                "the signature were changed, or it was made without the key",
            )
        if found.count < len(pending):
            return _unsigned(first, pending[-found.count - 1][0])
        self.writes += 1
        return None

    def end(self) -> Divergence | None:
        """After the last event: events no signature covers yet."""
        if not self._pending:
            return None
        return _unsigned(self._pending[0][0], self._pending[-1][0])


def signatures_in_order(
    fetch: Callable[[int, int], list[WriteSignature]], batch: int = 5000
) -> Iterator[WriteSignature]:
    """Every write signature, in the order of their last events, read in batches (a
    batch that ends inside a run of rows with one last event is read again from it)."""
    after = 0
    while found := fetch(after, batch):
        final = found[-1].last_id
        if len(found) < batch or found[0].last_id == final:
            yield from found
            after = final
            if len(found) < batch:
                return
            continue
        yield from (row for row in found if row.last_id < final)
        after = final - 1


def _span(first: int, last: int) -> str:
    return f"position {first:,}" if first == last else f"positions {first:,}-{last:,}"


def _unsigned(first: int, last: int) -> Divergence:
    events = "this event" if first == last else f"the {last - first + 1:,} events to {last:,}"
    return Divergence(
        first,
        "unsigned",
        f"no write signed with the ledger's key holds {events}: appended without the key "
        "(or recorded before writes were signed: `recledger attest` signs those, if you "
        "trust them)",
    )


_STAMP = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'


def recorded_time(state: bytes) -> datetime | None:
    """When an event says it was recorded (its stored ``timestamp``), read without
    decoding the whole state where it has the usual shape; None if it has none."""
    text: object = None
    if state.startswith(_STAMP) and state.count(b'"timestamp"') == 1:
        text = state[len(_STAMP) : state.find(b'"', len(_STAMP))].decode("ascii", "replace")
    else:
        try:
            stamp = json.loads(state).get("timestamp")
            text = stamp.get("_data_") if isinstance(stamp, dict) else None
        except (ValueError, AttributeError):
            return None
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


class RecordedTimes:
    """Checks that no event was recorded long before one that precedes it in the log."""

    def __init__(self) -> None:
        self.latest: datetime | None = None
        self._at = 0

    def see(self, entry: Entry) -> Divergence | None:
        when = recorded_time(entry.state)
        if when is None or when.tzinfo is None:
            return None
        if self.latest is not None and when < self.latest - BACKWARDS_TOLERANCE:
            return Divergence(
                entry.position,
                "backdated",
                f"recorded {when.isoformat(timespec='seconds')}, "
                f"{_ago(self.latest - when)} before the event at position {self._at:,} "
                f"({self.latest.isoformat(timespec='seconds')}): recorded times go backwards",
            )
        if self.latest is None or when > self.latest:
            self.latest, self._at = when, entry.position
        return None


def _ago(gap: timedelta) -> str:
    days = gap.days
    return f"{days:,} days" if days else f"{gap.total_seconds() / 60:,.0f} minutes"
