"""A recommendation's state on both time axes, as versions: the bitemporal model.

For one recommendation and one recorded time, the state as a function of the effective
date D is piecewise constant: it changes only on the days events take effect. That
function is kept as *segments* ``[eff_from, eff_to) -> Item`` (``projections.item``). Each
new event, at its recorded time T, turns the open segments into new ones; segments that
no longer hold are closed at T (their recorded interval ends), new ones open at T. So a
version row carries an effective interval and a recorded interval, as in SQL:2011 and
XTDB, and "the state as at D as known at T" is the one row whose two intervals contain
(D, T): no replay.

The rules (also in the README):
- an event counts as at D when its effective interval ends on or before D; an event with
  no date on the calendar takes effect on the day it was recorded;
- a correction counts from the moment it is recorded, whatever D (it corrects what is
  known of the past);
- a recommendation exists as at D once its raising counts.

The meaning of events is the domain's: ``domain.fold.fold`` on the qualifying
events, in log order. A new non-correction event is the last in log order, so for every
D where it counts the new state is the old one evolved by it (``_step``). A correction
changes the meaning of an earlier event, so the segments are recomputed: the events read
through their corrections, stepped again from the first. The property tests check all
this against a plain fold of the qualifying events.

The events' classes and the fold load when events are stepped, not with this module: a
query that only reads the versions needs neither (start-up, ``bench.startup``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from domain.kinds import Status
from domain.rules import counts_from
from projections.item import Item, record, state_of

if TYPE_CHECKING:
    from domain.recommendation import Recommendation

BEGINNING = date.min
FOREVER = date.max


T = TypeVar("T")


def as_shown(own: T, recommendations: T) -> T:
    """A sub-action's agency or leads as shown and counted: its own, or when it has none,
    its recommendation's."""
    return own or recommendations


def evolved(summary: Item, event: Recommendation.Event, data: dict[str, Any]) -> Item:
    """A recommendation's record (the state kept in a version, without its updates: only
    whether it has any, which a reopening depends on) after one more event (with its
    data), by the domain's own ``evolve``."""
    from domain.recommendation import Recommendation

    if isinstance(event, Recommendation.ProgressRecorded) and _keeps(summary, data["action"]):
        return summary  # the commonest event; the domain's evolve changes nothing kept here
    state = state_of(summary)
    event.apply_to(state, data)
    return record(state)


def _keeps(summary: Item, action: str | None) -> bool:
    """Whether one more update (of the item ``action`` names) leaves this record as it
    is: so a further update writes no new version row. The item has updates already, and
    neither it nor the recommendation is open; or there is no such item yet (as at a day
    before the sub-action was added)."""
    if action is None:
        return summary.has_updates and summary.status != Status.OPEN
    sub = next((s for s in summary.sub_actions if s.action == action), None)
    return sub is None or (sub.has_updates and Status.OPEN not in (sub.status, summary.status))


@dataclass(frozen=True)
class Segment:
    eff_from: date
    eff_to: date
    summary: Item


def effective_day(event: Recommendation.Event, data: dict[str, Any] | None = None) -> date:
    """The first as-at date on which the event counts, by its (possibly amended) data."""
    return counts_from((data if data is not None else event.data())["effective"], event.timestamp)


def advance(
    segments: Sequence[Segment],
    event: Recommendation.Event,
    history: Callable[[], Sequence[Recommendation.Event]],
) -> list[Segment]:
    """The open segments after ``event``; ``history`` gives every event up to and including it."""
    from domain.recommendation import Recommendation

    if isinstance(event, Recommendation.Corrected):
        return recompute(history())
    return _step(segments, event, event.data())


def recompute(events: Sequence[Recommendation.Event]) -> list[Segment]:
    """The open segments after ``events``: their corrections applied first, then each
    remaining event stepped in log order — what folding at every breakpoint would give."""
    from domain.fold import amendments, corrections, read_through, retracted
    from domain.recommendation import Recommendation

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
    from domain.fold import initial_state
    from domain.recommendation import Recommendation

    day = effective_day(event, data)
    if isinstance(event, Recommendation.Raised):
        return [Segment(day, FOREVER, record(initial_state(data)))]
    result: list[Segment] = []
    for segment in segments:
        if segment.eff_to <= day:
            result.append(segment)
            continue
        if segment.eff_from < day:
            result.append(replace(segment, eff_to=day))
        after = evolved(segment.summary, event, data)
        result.append(Segment(max(segment.eff_from, day), segment.eff_to, after))
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
