"""The fold: what a recommendation's events mean, read through their corrections. A
correction retracts or amends one earlier event; the original stays in the log and the fold
reads it through the correction, so replaying the log as it stood before the correction
still shows the mistake."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.recommendation_events import Corrected, Event, ItemEvent, Raised, SubActionAdded
from domain.state import Correction, RecommendationState, mark, sub_action_ref


def retracted(events: Iterable[Event]) -> set[str]:
    return {e.corrects for e in events if isinstance(e, Corrected) and e.retract}


def amendments(events: Iterable[Event]) -> dict[str, dict[str, Any]]:
    amendments: dict[str, dict[str, Any]] = {}
    for e in events:
        if isinstance(e, Corrected) and not e.retract:
            amendments.setdefault(e.corrects, {}).update(e.amendment)
    return amendments


def corrections(events: Iterable[Event]) -> dict[str, dict[str, Correction]]:
    """For each amended event, by field: the latest correction that amended it."""
    found: dict[str, dict[str, Correction]] = {}
    for e in events:
        if isinstance(e, Corrected) and not e.retract:
            by = Correction(e.event_id, e.actor, e.timestamp, e.reason)
            found.setdefault(e.corrects, {}).update(dict.fromkeys(e.amendment, by))
    return found


def read_through(
    event: Event,
    amended: Mapping[str, dict[str, Any]],
    corrected: Mapping[str, dict[str, Correction]],
) -> dict[str, Any]:
    """An event's data as its corrections amend it, with ``corrected``: which of its fields
    they amended, and by which correction."""
    key = event.event_id
    return {**event.data(), **amended.get(key, {}), "corrected": corrected.get(key, {})}


def item_refs(events: Sequence[Event]) -> dict[str, str]:
    """The ref of the item (the recommendation or one of its sub-actions) each event is
    about, by event id; a correction is about what the event it corrects is about."""
    raised = events[0]
    if not isinstance(raised, Raised):
        raise ValueError("a recommendation's events must start with Raised")
    found: dict[str, str] = {}
    for index, event in enumerate(events):
        ref = raised.ref
        if isinstance(event, SubActionAdded):
            number = event.number or _legacy_number(events[: index + 1])
            ref = sub_action_ref(raised.ref, number)
        elif isinstance(event, ItemEvent) and event.action is not None:
            ref = sub_action_ref(raised.ref, event.action)
        elif isinstance(event, Corrected):
            ref = found.get(event.corrects, raised.ref)
        found[event.event_id] = ref
    return found


def _legacy_number(events: Sequence[Event]) -> str:
    """The number a version-1 sub-action (the last of ``events``) is known by: its position
    in the fold, as ``SubActionAdded.evolve`` gives it."""
    return fold(events).sub_actions[-1].action


def initial_state(raised: Mapping[str, Any]) -> RecommendationState:
    """The state a Raised event's (possibly amended) data starts."""
    return _marked(
        RecommendationState(
            plan_id=raised["plan_id"],
            ref=raised["ref"],
            text=raised["text"],
            agency=raised["agency"],
            leads=tuple(raised["leads"]),
            target=raised["target"],
            raised=raised["effective"],
            theme=raised["theme"],
        ),
        raised,
    )


def _marked(state: RecommendationState, raised: Mapping[str, Any]) -> RecommendationState:
    mark(state, Raised.shows, raised)
    return state


def fold(events: Iterable[Event]) -> RecommendationState:
    """The state after ``events`` (in log order), read through their corrections.

    The one definition of what a sequence of events means. Projections answering
    "as at" call it with only the events that qualify.
    """
    events = list(events)
    retracted_ids = retracted(events)
    amended, corrected = amendments(events), corrections(events)
    state: RecommendationState | None = None
    for event in events:
        if event.event_id in retracted_ids or isinstance(event, Corrected):
            continue
        data = read_through(event, amended, corrected)
        if isinstance(event, Raised):
            state = initial_state(data)
        elif state is None:
            raise ValueError("a recommendation's events must start with Raised")
        else:
            event.apply_to(state, data)
    if state is None:
        raise ValueError("a recommendation's events must start with Raised")
    return state
