"""The directory projection: every agency's spellings (its name and its aliases), and which
agency a spelling names, as known at any moment.

A recommendation keeps the agency its document or its author named; the answers that count
by agency count it under the agency its spelling names (``refiled``), so an alias added
later re-files what was stored before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, delete, select

from domain.kinds import AgencyKind
from domain.spelling import spelling_key
from projections.bulk import insert_rows, rows_matching
from projections.digest import Tally
from projections.projection import EventSource
from projections.tables import agency_names, micros, people, person_names

if TYPE_CHECKING:  # the write model loads to apply events: a query needs none
    from domain.agency import Agency
    from domain.person import Person


@dataclass(frozen=True)
class AgencyView:
    slug: str
    name: str
    kind: AgencyKind
    aliases: tuple[str, ...]

    @classmethod
    def of(cls, agency: Agency) -> AgencyView:
        return cls(agency.slug, agency.name, agency.kind, tuple(agency.aliases))

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind.value,
            "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class PersonView:
    email: str
    name: str
    post: str
    agency: str
    reminders: bool
    aliases: tuple[str, ...]

    @classmethod
    def of(cls, person: Person) -> PersonView:
        return cls(person.email, person.name, person.post, person.agency, person.reminders,
                   tuple(person.aliases))  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "post": self.post,
            "agency": self.agency,
            "reminders": self.reminders,
            "aliases": list(self.aliases),
        }


class Directory:
    name = "directory"
    version = 2
    evidence = False
    tables: tuple[Table, ...] = (agency_names, people, person_names)

    def forget(self) -> None:
        """Nothing is kept in memory."""

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        from domain.agency import Agency
        from domain.person import Person

        rows: list[dict[str, Any]] = []
        agencies: dict[str, dict[str, Any]] = {}
        persons: dict[str, dict[str, Any]] = {}
        spellings: list[dict[str, Any]] = []
        for event in events:
            key = str(event.originator_id)
            if isinstance(event, Agency.Registered):
                agencies[key] = {
                    "agency_key": key, "slug": event.slug, "name": event.name, "kind": event.kind,
                }  # fmt: skip
                rows.append(_spelling(agencies[key], event.name, event))
            elif isinstance(event, Agency.AliasAdded):
                agency = agencies.get(key) or _stored(conn, key)
                rows.append(_spelling(agency, event.alias, event))
            elif isinstance(event, Person.Registered):
                persons[key] = {
                    "person_key": key, "email": event.email, "name": event.name,
                    "post": event.post, "agency": event.agency, "reminders": int(event.reminders),
                    "registered": micros(event.timestamp),
                }  # fmt: skip
                spellings.append(_spelling({"person_key": key}, event.name, event))
            elif isinstance(event, Person.AliasAdded):
                spellings.append(_spelling({"person_key": key}, event.alias, event))
            elif isinstance(event, Person.RemindersChosen):
                person = persons.get(key) or _stored_person(conn, key)
                persons[key] = {**person, "reminders": int(event.reminders)}
        insert_rows(conn, agency_names, rows, tally)
        if persons:
            keys = [(key,) for key in persons]
            tally.rows(people, rows_matching(conn, people, ["person_key"], keys), -1)
            conn.execute(delete(people).where(people.c.person_key.in_(list(persons))))
            insert_rows(conn, people, list(persons.values()), tally)
        insert_rows(conn, person_names, spellings, tally)


def _spelling(agency: dict[str, Any], spelling: str, event: Any) -> dict[str, Any]:
    return {
        **agency,
        "spelling": spelling,
        "spelling_key": spelling_key(spelling),
        "recorded": micros(event.timestamp),
    }


def _stored_person(conn: Connection, key: str) -> dict[str, Any]:
    return dict(conn.execute(select(people).where(people.c.person_key == key)).one()._mapping)


def _stored(conn: Connection, key: str) -> dict[str, Any]:
    columns = (agency_names.c[c] for c in ("agency_key", "slug", "name", "kind"))
    row = conn.execute(select(*columns).where(agency_names.c.agency_key == key).limit(1)).one()
    return dict(row._mapping)


def agencies_in_order(conn: Connection) -> list[AgencyView]:
    """Every agency of the directory, by name, with its aliases in the order added."""
    found: dict[str, AgencyView] = {}
    rows = conn.execute(select(agency_names).order_by(agency_names.c.recorded, agency_names.c.id))
    for row in rows:
        known = found.get(row.slug)
        if known is None:
            found[row.slug] = AgencyView(row.slug, row.name, AgencyKind(row.kind), ())
        elif row.spelling != row.name:
            found[row.slug] = AgencyView(
                known.slug, known.name, known.kind, (*known.aliases, row.spelling)
            )
    return sorted(found.values(), key=lambda agency: spelling_key(agency.name))


def names_known(conn: Connection, known_at: int | None = None) -> dict[str, str]:
    """Each spelling's key, and the canonical name of the agency it names: as known at
    ``known_at`` (micros), or now."""
    query = select(agency_names.c.spelling_key, agency_names.c.name)
    if known_at is not None:
        query = query.where(agency_names.c.recorded <= known_at)
    return {row.spelling_key: row.name for row in conn.execute(query)}


def canonical(names: dict[str, str], agency: str) -> str:
    """The agency ``agency`` names, by the directory's ``names``: its canonical name, or
    the spelling itself when the directory does not know it."""
    return names.get(spelling_key(agency), agency)


def refiled(rows: Iterable[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Counts per agency (``workload``'s rows), each spelling's counted under the agency it
    names, in order of name."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = canonical(names, row["agency"])
        into = merged.setdefault(name, {"agency": name})
        for count, value in row.items():
            if count != "agency":
                into[count] = into.get(count, 0) + value
    return sorted(merged.values(), key=lambda row: row["agency"])


def people_in_order(conn: Connection) -> list[PersonView]:
    """Every person of the directory, by name, with their aliases in the order added."""
    aliases: dict[str, list[str]] = {}
    names = select(person_names).order_by(person_names.c.recorded, person_names.c.id)
    for row in conn.execute(names):
        aliases.setdefault(row.person_key, []).append(row.spelling)
    found = [
        PersonView(row.email, row.name, row.post, row.agency, bool(row.reminders),
                   tuple(aliases.get(row.person_key, [])[1:]))
        for row in conn.execute(select(people))
    ]  # fmt: skip
    return sorted(found, key=lambda person: (spelling_key(person.name), person.email))


def leads_known(conn: Connection) -> dict[str, str]:
    """Each spelling of a person the directory knows, and their e-mail address."""
    query = select(person_names.c.spelling_key, people.c.email).join(
        people, people.c.person_key == person_names.c.person_key
    )
    return {row.spelling_key: row.email for row in conn.execute(query)}
