"""The tracking rows: one per projection, holding its position in the log, the identity of
the event there and its schema version; for a read model, its tables' digests
(``projections.digest``) too, sealed with a hash keyed by the ledger's key over the
position they are of, so that a row written by someone without the key is told apart.

And how a tracked position is checked against the log: the event applied there must still
be there, or the log was changed outside the ledger.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from projections.projection import EventSource, Projection

REBUILD = "rebuild the read models from it"
"""What to do when a read model's tracking row, or the log under it, does not hold."""


@dataclass(frozen=True)
class Tracked:
    position: int
    digests: dict[str, int] | None
    sealed: bool
    """Whether its seal holds: the row is as the ledger wrote it."""


def encode_digests(digests: Mapping[str, int]) -> str:
    return json.dumps({name: f"{value:064x}" for name, value in sorted(digests.items())})


def decode_digests(text: str | None) -> dict[str, int] | None:
    try:
        return None if text is None else {k: int(v, 16) for k, v in json.loads(text).items()}
    except (ValueError, AttributeError):
        return None


def empty_digests(projection: Projection) -> dict[str, int] | None:
    """The digests of a projection's tables when they hold nothing (evidence keeps none)."""
    return None if projection.evidence else {t.name: 0 for t in projection.tables}


def tracking_seal(
    key: bytes, name: str, position: int, last_event: str | None, digests: str | None
) -> str:
    """The keyed hash that says a tracking row was written by the ledger: its
    projection, position, the event there, and its tables' digests then."""
    data = json.dumps([name, position, last_event, digests]).encode("utf-8")
    return hashlib.blake2b(data, key=key, digest_size=32).hexdigest()


def sealed_columns(
    key: bytes,
    projection: Projection,
    position: int,
    last_event: str | None,
    digests: dict[str, int] | None,
) -> dict[str, str | None]:
    """The ``digests`` and ``seal`` columns of a projection's tracking row (empty digests
    where ``digests`` is None: a read model just cleared)."""
    found = digests if digests is not None else empty_digests(projection)
    text = None if found is None else encode_digests(found)
    return {
        "digests": text,
        "seal": tracking_seal(key, projection.name, position, last_event, text),
    }


def position_fails(position: int, applied: str | None, source: EventSource) -> str | None:
    """Why not to go on from ``position`` (the log no longer holds the event applied
    there), or None."""
    if not position:
        return None
    return check_position(position, applied, source.log_from(position, 1))


def check_position(
    position: int, applied: str | None, log: Sequence[tuple[int, str]]
) -> str | None:
    """Why not to go on from ``position``, given the log from there, or None."""
    if not log or log[0][0] != position:
        why = "ends before it" if not log else "no longer holds it"
    elif applied is not None and log[0][1] != applied:
        why = f"holds another event there ({log[0][1]}, not {applied})"
    else:
        return None
    return (
        f"applied the log up to event {position}, but the log {why}: "
        "the log was changed outside the ledger"
    )
