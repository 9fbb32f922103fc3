"""The reference answers: replay aggregates, fold exactly the events that qualify.

Plain and obviously right, on purpose: the property tests check the read models against
``state_as_at``, and the benchmark times the read models against the same replay.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.fold import fold
from domain.fuzzy_date import FuzzyDate
from domain.recommendation import Recommendation
from domain.refs import recommendation_aggregate_id
from domain.rules import assess
from domain.state import RecommendationState
from service.ledger import Ledger


def _counts_by(effective: FuzzyDate | None, recorded: datetime) -> date:
    return effective.end if effective and effective.end else recorded.date()


def state_as_at(
    log: list[Recommendation.Event], as_at: date, known_at: datetime
) -> RecommendationState | None:
    """Fold exactly the events that count as at ``as_at`` as known at ``known_at``."""
    known = [e for e in log if e.timestamp <= known_at]
    amended: dict[str, dict[str, Any]] = {}
    for e in known:
        if isinstance(e, Recommendation.Corrected) and not e.retract:
            amended.setdefault(e.corrects, {}).update(e.amendment)
    qualifying = [
        e
        for e in known
        if isinstance(e, Recommendation.Corrected)
        or _counts_by(amended.get(e.event_id, {}).get("effective", e.effective), e.timestamp)
        <= as_at
    ]
    if not any(isinstance(e, Recommendation.Raised) for e in qualifying):
        return None
    return fold(qualifying)


def _replayed(ledger: Ledger, plan_id: str, ref: str) -> list[Recommendation.Event]:
    return ledger.repository.get(recommendation_aggregate_id(plan_id, ref)).log


def naive_snapshot(
    ledger: Ledger, plan_id: str, refs: list[str], as_at: date, known_at: datetime
) -> dict[str, tuple[Any, ...]]:
    found = {}
    for ref in refs:
        state = state_as_at(_replayed(ledger, plan_id, ref), as_at, known_at)
        if state is not None:
            found[ref] = (state.status, state.target, state.leads, len(state.updates))
    return found


def naive_overdue(ledger: Ledger, plans: dict[str, list[str]], as_at: date) -> set[tuple[str, str]]:
    now = datetime.now(UTC)
    found = set()
    for plan_id, refs in plans.items():
        for ref in refs:
            state = state_as_at(_replayed(ledger, plan_id, ref), as_at, now)
            for item in (state, *state.sub_actions) if state is not None else ():
                if assess(item.target, item.status, as_at)[0]:
                    found.add((plan_id, item.ref))
    return found
