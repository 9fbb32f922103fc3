"""The shapes of the stored events: each event class of each aggregate and its version.

A stored event keeps the version of the class that wrote it; an older one is upcast when
it is read (the class's ``upcast_vN_vN+1`` methods), never rewritten. ``recledger
--version`` prints these, so two installations can tell whether they read the same log.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.agency import Agency
from domain.person import Person
from domain.plan import Plan
from domain.recommendation import Recommendation

AGGREGATES: tuple[type[Aggregate], ...] = (Plan, Recommendation, Agency, Person)


def event_shapes() -> dict[str, int]:
    """``{"Recommendation.Raised": 3, ...}``: every event class an aggregate records, and its
    version. Left out: base classes (``Event``, ``ItemEvent``) and the ``Created`` class the
    library makes for an aggregate that names its own creation event (``Raised``, ``Opened``)."""
    shapes: dict[str, int] = {}
    for aggregate in AGGREGATES:
        events = {
            name: member
            for name, member in vars(aggregate).items()
            if isinstance(member, type) and issubclass(member, Aggregate.Event)
        }
        for name, event in sorted(events.items()):
            others = [other for other in events.values() if other is not event]
            based_on = any(issubclass(other, event) for other in others)
            made_by_library = name == "Created" and any(
                issubclass(other, Aggregate.Created) for other in others
            )
            if not based_on and not made_by_library:
                shapes[f"{aggregate.__name__}.{name}"] = getattr(event, "class_version", 1)
    return shapes
