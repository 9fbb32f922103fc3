"""The ledger's closed vocabularies: a recommendation's status, a review's kind.

Kept apart from the aggregates so that what only names them (the CLI's options) loads
without the event classes.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ONGOING = "ongoing"
    """Embedded as business as usual: done, but never 'finished'."""
    WITHDRAWN = "withdrawn"


SETTABLE_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.ONGOING)
"""Statuses a plain status change may set; completion, reopening and withdrawal have own events."""


class ReviewKind(StrEnum):
    DHR = "DHR"
    """Domestic Homicide Review."""
    SAR = "SAR"
    """Safeguarding Adults Review."""
    CSPR = "CSPR"
    """Child Safeguarding Practice Review."""
    AUDIT = "audit"
    OTHER = "other"


class AgencyKind(StrEnum):
    """Whether an agency is a local body or a national one (the Home Office, NHS England):
    recommendations to national bodies are followed across plans."""

    LOCAL = "local"
    NATIONAL = "national"


class SignOff(StrEnum):
    """The kinds of change a plan may require a coordinator's sign-off for (four eyes)."""

    EXTENSION = "extension"
    """A target revised to a later day (or removed)."""
    WITHDRAWAL = "withdrawal"
    AGENCY = "agency"
    """A change of the agency responsible."""
    COMPLETION = "completion"
    """A completion: "completed, awaiting sign-off" until the partnership accepts it."""


SIGN_OFF_BY_DEFAULT = frozenset(SignOff)
"""What needs sign-off in a plan whose coordinator has not said otherwise."""
