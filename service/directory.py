"""The directory's commands: agencies and people, their aliases, and who wants reminders.
Kept by coordinators (and the owner); each one transaction, checked against the directory
as it stands (one spelling names one agency, one person)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import AlreadyExists
from domain.spelling import spelling_key
from projections.directory import leads_known, names_known
from service import access
from service.store import Store

if TYPE_CHECKING:  # the commands as values and the write model: a query loads neither
    from domain.agency import Agency
    from domain.person import Person
    from service.command_models import (
        AddAgencyAlias,
        AddPersonAlias,
        ChooseReminders,
        RegisterAgency,
        RegisterPerson,
    )


class Directory(Store):
    """The directory's writes."""

    def register_agency(self, command: RegisterAgency) -> Agency:
        """Enter an agency in the directory, with its aliases: one transaction."""
        access.check_coordinates(None, "keep the directory of agencies")
        from domain.agency import Agency

        agency = Agency.register(command.name, slug=command.slug, kind=command.kind)
        if self._exists(agency.id):
            raise AlreadyExists(f"the directory already has an agency {agency.slug!r}")
        for alias in command.aliases:
            agency.add_alias(alias)
        self._check_names_nobody_else(agency)
        self.save_atomically(agency, conflict=f"agency {agency.slug!r} was entered concurrently")
        return agency

    def add_agency_alias(self, slug: str, command: AddAgencyAlias) -> Agency:
        """Another spelling of an agency's name: every recommendation stored under it, before
        or after, counts under the agency."""
        access.check_coordinates(None, "keep the directory of agencies")
        agency = self.agency(slug)
        agency.add_alias(command.alias)
        self._check_names_nobody_else(agency)
        self.save_atomically(agency, conflict=f"agency {slug!r} changed concurrently; try again")
        return agency

    def _check_names_nobody_else(self, agency: Agency) -> None:
        """Refuse a spelling that already names another agency: one spelling, one agency."""
        names = self._query(None, lambda conn, day: names_known(conn), None)
        _refuse_taken(agency.spellings(), names, agency.name, "the agency ")

    def register_person(self, command: RegisterPerson) -> Person:
        """Enter a person in the directory, with their aliases: one transaction."""
        access.check_coordinates(None, "keep the directory of people")
        if command.agency:
            self.agency(command.agency)  # their agency is the directory's
        from domain.person import Person

        person = Person.register(
            command.name,
            command.email,
            post=command.post,
            agency=command.agency,
            reminders=command.reminders,
        )
        if self._exists(person.id):
            raise AlreadyExists(f"the directory already has {person.email}")
        for alias in command.aliases:
            person.add_alias(alias)
        self._check_leads_nobody_else(person)
        self.save_atomically(person, conflict=f"{person.email} was entered concurrently")
        return person

    def add_person_alias(self, email: str, command: AddPersonAlias) -> Person:
        """Another way plans name a person: the leads written so are linked to them."""
        access.check_coordinates(None, "keep the directory of people")
        person = self.person(email)
        person.add_alias(command.alias)
        self._check_leads_nobody_else(person)
        self.save_atomically(person, conflict=f"{person.email} changed concurrently; try again")
        return person

    def choose_reminders(self, email: str, command: ChooseReminders) -> Person:
        """Whether a person gets reminders by e-mail (a coordinator sets it for them)."""
        access.check_coordinates(None, "keep the directory of people")
        person = self.person(email)
        person.choose_reminders(command.reminders)
        self.save_atomically(person, conflict=f"{person.email} changed concurrently; try again")
        return person

    def _check_leads_nobody_else(self, person: Person) -> None:
        """Refuse a spelling that already names someone else: a lead is linked to one person."""
        known = self._query(None, lambda conn, day: leads_known(conn), None)
        _refuse_taken(person.spellings(), known, person.email, "")


def _refuse_taken(spellings: list[str], known: dict[str, str], owner: str, what: str) -> None:
    """Refuse a spelling the directory ``known`` already gives to another than ``owner``."""
    for spelling in spellings:
        named = known.get(spelling_key(spelling))
        if named is not None and named != owner:
            shown = repr(named) if what else named
            raise AlreadyExists(f"{spelling!r} already names {what}{shown}")
