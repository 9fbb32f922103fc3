"""The ledger's refusals as HTTP answers: one table, for the API and the pages alike.

401 no or bad token; 403 not permitted; 404 not found (a plan outside a token's scope
too); 409 a conflict (a stale expected version, with the current one; a race lost;
something that exists already; a rule the current state forbids); 422 bad input, with
the field where it is known; 503 the storage failed. Never a 500 for anything a caller
sends.
"""

from __future__ import annotations

from domain.errors import (
    AlreadyExists,
    InvalidCommand,
    LedgerError,
    NoActor,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    RuleViolated,
    StaleVersion,
    StorageUnavailable,
    VersionConflict,
)

STATUS: list[tuple[type[LedgerError], int]] = [
    (NotAuthenticated, 401),
    (NoActor, 401),
    (NotPermitted, 403),
    (NotFound, 404),
    (StaleVersion, 409),
    (AlreadyExists, 409),
    (RuleViolated, 409),
    (InvalidCommand, 422),
    (StorageUnavailable, 503),
]


def status_of(error: LedgerError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 422


def body_of(error: LedgerError, status: int, where: str = "body") -> dict[str, object]:
    """The JSON body: 422 in FastAPI's own shape (a list of errors with their place)."""
    if status == 422:
        return {"detail": [{"loc": [where], "msg": str(error), "type": "invalid"}]}
    if isinstance(error, VersionConflict):
        return {"detail": str(error), "current_version": error.current}
    return {"detail": str(error)}
