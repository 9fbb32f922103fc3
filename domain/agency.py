"""The Agency aggregate: an agency of the directory, with one canonical name, a slug, a
kind, and the other spellings (aliases) plans write it under. A recommendation keeps the
agency its document named; the directory says which agency that spelling is, so an alias
added later re-files every recommendation already stored under it without rewriting one
event."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from domain import values
from domain.errors import InvalidCommand
from domain.events import AuditedEvent
from domain.kinds import AgencyKind
from domain.refs import agency_aggregate_id, slugify
from domain.spelling import new_spelling, spelling_key


def agency_slug(value: str) -> str:
    if len(value) > values.SLUG_MAX or not values.SLUG.fullmatch(value):
        raise InvalidCommand(
            f"agency slug {value[: values.SLUG_MAX + 1]!r} must be a lower-case slug of at "
            f"most {values.SLUG_MAX} characters, such as 'west-mercia-police'"
        )
    return value


class Agency(Aggregate):
    """An agency of the directory, identified by its slug."""

    class Event(AuditedEvent):
        pass

    class Registered(Event, Aggregate.Created):
        """The agency was entered in the directory under its canonical name."""

        slug: str
        name: str
        kind: str

    class AliasAdded(Event):
        """Another spelling of the agency's name: documents and recommendations that use it
        name this agency."""

        alias: str

        def apply(self, aggregate: Any) -> None:
            aggregate.aliases.append(self.alias)

    def __init__(self, slug: str, name: str, kind: str) -> None:
        self.slug = slug
        self.name = name
        self.kind = AgencyKind(kind)
        self.aliases: list[str] = []

    @classmethod
    def register(
        cls, name: str, *, slug: str | None = None, kind: AgencyKind = AgencyKind.LOCAL
    ) -> Agency:
        name = values.line(name, "the agency's name")
        if not spelling_key(name):
            raise InvalidCommand("an agency needs a name")
        slug = agency_slug(slug if slug is not None else slugify(name))
        return cls._create(
            cls.Registered,
            id=agency_aggregate_id(slug),
            slug=slug,
            name=name,
            kind=AgencyKind(kind).value,
            reason=None,
            effective=None,
        )

    def spellings(self) -> list[str]:
        """Its canonical name, then its aliases."""
        return [self.name, *self.aliases]

    def add_alias(self, alias: str) -> None:
        alias = new_spelling(alias, self.spellings(), f"agency {self.slug!r}")
        self.trigger_event(self.AliasAdded, alias=alias, reason=None, effective=None)
