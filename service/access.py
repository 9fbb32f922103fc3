"""What the one acting may see and change: the checks every use case makes, against the
grant of the audit context (``domain.access`` holds the rules; here they meet the items).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import values
from domain.audit import current_grant
from domain.refs import (
    Ref,
    slugify,
)

if TYPE_CHECKING:
    from domain.recommendation import Recommendation


def sees(plan_id: str) -> bool:
    return current_grant().sees(plan_id)


def check_sees_whole_log(what: str) -> None:
    current_grant().check_sees_whole_log(what)


def check_sees(plan_id: str) -> None:
    """A plan id a caller names: one by the rules (nothing else reaches a query: a NUL
    would be a 503 from PostgreSQL), of a plan the caller's grant sees."""
    values.plan_id(plan_id)
    current_grant().check_sees(plan_id)


def narrow(plan_id: str | None) -> str | None:
    """A query across plans, for a token limited to some: its one plan, or refused."""
    return current_grant().narrow(plan_id)


def check_writes(plan_id: str, rec: Recommendation, action: str | None) -> None:
    """May the one acting change this item? Its agency's lead, or a coordinator, may."""
    item = rec.state.item(action)
    agencies = owners(item.agency or rec.state.agency, rec.state.ref)
    current_grant().check_writes(plan_id, agencies, item.ref)


def owners(agency: str, ref: str) -> set[str]:
    """The agencies (slugs) whose leads own an item: its agency's, and that of the section
    of the plan its recommendation (``ref``) sits in (``imr/<agency>/N``)."""
    return ({slugify(agency)} | {Ref.parse(ref).agency_slug or ""}) - {""}


def check_coordinates(plan_id: str | None, what: str) -> None:
    current_grant().check_coordinates(plan_id, what)


def sees_whole_log() -> bool:
    """Whether the one acting may see figures of the whole log (its size, its head, how
    far the read models are behind it): not a token limited to plans."""
    return current_grant().sees_whole_log()
