"""A recommendation's state on both time axes, as versions: the bitemporal model.

For one recommendation and one recorded time, the state as a function of the effective
date D is piecewise constant: it changes only on the days events take effect. That
function is kept as *segments* ``[eff_from, eff_to) -> Summary``. Each new event, at its
recorded time T, turns the open segments into new ones; segments that no longer hold are
closed at T (their recorded interval ends), new ones open at T. So a version row carries
an effective interval and a recorded interval, as in SQL:2011 and XTDB, and "the state
as at D as known at T" is the one row whose two intervals contain (D, T): no replay.

The rules (also in the README):
- an event counts as at D when its effective interval ends on or before D; an event with
  no date on the calendar takes effect on the day it was recorded;
- a correction counts from the moment it is recorded, whatever D (it corrects what is
  known of the past);
- a recommendation exists as at D once its raising counts.

The meaning of events is the domain's: ``domain.recommendation.fold`` on the qualifying
events, in log order. A new non-correction event is the last in log order, so for every
D where it counts the new state is the old one evolved by it (``_step``). A correction
changes the meaning of an earlier event, so the segments are recomputed: the events read
through their corrections, stepped again from the first. The property tests check all
this against a plain fold of the qualifying events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.recommendation import (
    Correction,
    Recommendation,
    RecommendationState,
    SubActionState,
    amendments,
    corrections,
    initial_state,
    read_through,
    retracted,
)

BEGINNING = date.min
FOREVER = date.max


T = TypeVar("T")


def as_shown(own: T, recommendations: T) -> T:
    """A sub-action's agency or leads as shown and counted: its own, or when it has none,
    its recommendation's."""
    return own or recommendations


def _corrected(state: RecommendationState | SubActionState) -> tuple[tuple[str, Correction], ...]:
    return tuple(sorted(state.corrected.items(), key=lambda item: item[0]))


@dataclass(frozen=True)
class SubActionSummary:
    """A sub-action's state without its updates (only whether it has any)."""

    ref: str
    action: str
    text: str
    agency: str
    leads: tuple[str, ...]
    target: FuzzyDate | None
    added: FuzzyDate | None
    status: Status
    completed: FuzzyDate | None
    evidence: str | None
    has_updates: bool
    corrected: tuple[tuple[str, Correction], ...] = ()

    @classmethod
    def of(cls, state: SubActionState) -> SubActionSummary:
        return cls(
            ref=state.ref,
            action=state.action,
            text=state.text,
            agency=state.agency,
            leads=state.leads,
            target=state.target,
            added=state.added,
            status=state.status,
            completed=state.completed,
            evidence=state.evidence,
            has_updates=bool(state.updates),
            corrected=_corrected(state),
        )

    def state(self) -> SubActionState:
        return SubActionState(
            ref=self.ref,
            action=self.action,
            text=self.text,
            agency=self.agency,
            leads=self.leads,
            target=self.target,
            added=self.added,
            status=self.status,
            updates=[None] * self.has_updates,  # type: ignore[list-item]  # only their presence
            completed=self.completed,
            evidence=self.evidence,
            corrected=dict(self.corrected),
        )


@dataclass(frozen=True)
class Summary:
    """A recommendation's state without its updates (kept in their own table).

    Only whether it has any is kept (a reopening depends on it): so a further update, the
    commonest event, leaves the summary as it was and writes no new version row."""

    plan_id: str
    ref: str
    text: str
    agency: str
    leads: tuple[str, ...]
    target: FuzzyDate | None
    raised: FuzzyDate | None
    status: Status
    completed: FuzzyDate | None
    evidence: str | None
    sub_actions: tuple[SubActionSummary, ...]
    has_updates: bool
    theme: str = ""
    corrected: tuple[tuple[str, Correction], ...] = ()
    """Fields whose value a correction set, with that correction (a tuple: hashable)."""

    @classmethod
    def of(cls, state: RecommendationState) -> Summary:
        return cls(
            plan_id=state.plan_id,
            ref=state.ref,
            text=state.text,
            agency=state.agency,
            leads=state.leads,
            target=state.target,
            raised=state.raised,
            status=state.status,
            completed=state.completed,
            evidence=state.evidence,
            sub_actions=tuple(SubActionSummary.of(sub) for sub in state.sub_actions),
            has_updates=bool(state.updates),
            theme=state.theme,
            corrected=_corrected(state),
        )

    def evolved(self, event: Recommendation.Event, data: dict[str, Any]) -> Summary:
        """This state after one more event (with its data), by the domain's own ``evolve``."""
        if isinstance(event, Recommendation.ProgressRecorded) and self._keeps(data["action"]):
            return self  # the commonest event; the domain's evolve changes nothing kept here
        state = RecommendationState(
            plan_id=self.plan_id,
            ref=self.ref,
            text=self.text,
            agency=self.agency,
            leads=self.leads,
            target=self.target,
            raised=self.raised,
            theme=self.theme,
            status=self.status,
            sub_actions=[sub.state() for sub in self.sub_actions],
            updates=[None] * self.has_updates,  # type: ignore[list-item]  # only their presence
            completed=self.completed,
            evidence=self.evidence,
            corrected=dict(self.corrected),
        )
        event.apply_to(state, data)
        return Summary.of(state)

    def _keeps(self, action: str | None) -> bool:
        """Whether one more update (of the item ``action`` names) leaves this summary as it
        is: the item has updates already, and neither it nor the recommendation is open; or
        there is no such item yet (as at a day before the sub-action was added)."""
        if action is None:
            return self.has_updates and self.status != Status.OPEN
        sub = next((s for s in self.sub_actions if s.action == action), None)
        return sub is None or (sub.has_updates and Status.OPEN not in (sub.status, self.status))


@dataclass(frozen=True)
class Segment:
    eff_from: date
    eff_to: date
    summary: Summary


def effective_day(event: Recommendation.Event, data: dict[str, Any] | None = None) -> date:
    """The first as-at date on which the event counts, by its (possibly amended) data."""
    written = (data if data is not None else event.data())["effective"]
    return written.end if written and written.end else event.timestamp.date()


def advance(
    segments: Sequence[Segment],
    event: Recommendation.Event,
    history: Callable[[], Sequence[Recommendation.Event]],
) -> list[Segment]:
    """The open segments after ``event``; ``history`` gives every event up to and including it."""
    if isinstance(event, Recommendation.Corrected):
        return recompute(history())
    return _step(segments, event, event.data())


def recompute(events: Sequence[Recommendation.Event]) -> list[Segment]:
    """The open segments after ``events``: their corrections applied first, then each
    remaining event stepped in log order — what folding at every breakpoint would give."""
    retracted_ids = retracted(events)
    amended, corrected = amendments(events), corrections(events)
    segments: list[Segment] = []
    for event in events:
        if event.event_id in retracted_ids or isinstance(event, Recommendation.Corrected):
            continue
        segments = _step(segments, event, read_through(event, amended, corrected))
    return segments


def _step(
    segments: Sequence[Segment], event: Recommendation.Event, data: dict[str, Any]
) -> list[Segment]:
    """One more event, last in log order: from its day on, every state evolves by it."""
    day = effective_day(event, data)
    if isinstance(event, Recommendation.Raised):
        return [Segment(day, FOREVER, Summary.of(initial_state(data)))]
    result: list[Segment] = []
    for segment in segments:
        if segment.eff_to <= day:
            result.append(segment)
            continue
        if segment.eff_from < day:
            result.append(replace(segment, eff_to=day))
        evolved = segment.summary.evolved(event, data)
        result.append(Segment(max(segment.eff_from, day), segment.eff_to, evolved))
    return merged(result)


def merged(segments: list[Segment]) -> list[Segment]:
    """Join neighbours that hold the same state, so every path yields the same segments."""
    result: list[Segment] = []
    for segment in segments:
        if (
            result
            and result[-1].eff_to == segment.eff_from
            and (result[-1].summary is segment.summary or result[-1].summary == segment.summary)
        ):
            result[-1] = replace(result[-1], eff_to=segment.eff_to)
        else:
            result.append(segment)
    return result


def _date_data(value: FuzzyDate | None) -> dict[str, object] | None:
    return dict(value.to_data()) if value is not None else None


def _date_value(data: dict[str, object] | None) -> FuzzyDate | None:
    return FuzzyDate.from_data(data) if data else None


def _sub_action_data(sub: SubActionSummary) -> dict[str, object]:
    return {
        "ref": sub.ref,
        "action": sub.action,
        "text": sub.text,
        "agency": sub.agency,
        "leads": list(sub.leads),
        "target": _date_data(sub.target),
        "added": _date_data(sub.added),
        "status": sub.status.value,
        "completed": _date_data(sub.completed),
        "evidence": sub.evidence,
        "has_updates": sub.has_updates,
        "corrected": {name: by.to_json() for name, by in sub.corrected},
    }


def _sub_action_from_data(data: dict[str, Any]) -> SubActionSummary:
    return SubActionSummary(
        ref=data["ref"],
        action=data["action"],
        text=data["text"],
        agency=data["agency"],
        leads=tuple(data["leads"]),
        target=_date_value(data["target"]),
        added=_date_value(data["added"]),
        status=Status(data["status"]),
        completed=_date_value(data["completed"]),
        evidence=data["evidence"],
        has_updates=data["has_updates"],
        corrected=_corrections(data),
    )


def _corrections(data: dict[str, Any]) -> tuple[tuple[str, Correction], ...]:
    return tuple((name, Correction.from_json(by)) for name, by in data["corrected"].items())


def summary_data(summary: Summary) -> dict[str, object]:
    return {
        "plan_id": summary.plan_id,
        "ref": summary.ref,
        "text": summary.text,
        "agency": summary.agency,
        "leads": list(summary.leads),
        "target": _date_data(summary.target),
        "raised": _date_data(summary.raised),
        "status": summary.status.value,
        "completed": _date_data(summary.completed),
        "evidence": summary.evidence,
        "sub_actions": [_sub_action_data(sub) for sub in summary.sub_actions],
        "has_updates": summary.has_updates,
        "theme": summary.theme,
        "corrected": {name: by.to_json() for name, by in summary.corrected},
    }


def summary_from_data(data: dict[str, Any]) -> Summary:
    return Summary(
        plan_id=data["plan_id"],
        ref=data["ref"],
        text=data["text"],
        agency=data["agency"],
        leads=tuple(data["leads"]),
        target=_date_value(data["target"]),
        raised=_date_value(data["raised"]),
        status=Status(data["status"]),
        completed=_date_value(data["completed"]),
        evidence=data["evidence"],
        sub_actions=tuple(_sub_action_from_data(sub) for sub in data["sub_actions"]),
        has_updates=data["has_updates"],
        theme=data["theme"],
        corrected=_corrections(data),
    )
