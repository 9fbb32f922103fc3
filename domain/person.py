"""The Person aggregate: someone of the directory, who leads recommendations, answers
requests and is reminded: a name, a post, an agency, an e-mail address (their identity),
whether they want reminders, and the other ways plans name them (aliases: "DCI Smith", or a
post, "Det Supt HQ PVP"). A lead a recommendation names is linked to the person one of
those spellings names (``domain.spelling.spelling_key``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from domain import values
from domain.errors import AlreadyExists, InvalidCommand, RuleViolated
from domain.events import AuditedEvent
from domain.refs import person_aggregate_id
from domain.spelling import new_spelling, spelling_key


def email_address(value: str) -> str:
    """An e-mail address as the directory keys it: one line, lower-case, ``local@domain``
    (its full syntax is checked where it is given: ``service.command_models``)."""
    address = values.line(value.strip(), "the e-mail address").lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        raise InvalidCommand(f"{value!r} is not an e-mail address")
    return address


class Person(Aggregate):
    """A person of the directory, identified by their e-mail address."""

    class Event(AuditedEvent):
        pass

    class Registered(Event, Aggregate.Created):
        """The person was entered in the directory."""

        name: str
        post: str
        agency: str
        """The slug of their agency in the directory, or "" (the partnership's own)."""
        email: str
        reminders: bool

    class AliasAdded(Event):
        """Another way plans name the person: leads written so are linked to them."""

        alias: str

        def apply(self, aggregate: Any) -> None:
            aggregate.aliases.append(self.alias)

    class RemindersChosen(Event):
        """The person chose to get reminders by e-mail, or not."""

        reminders: bool

        def apply(self, aggregate: Any) -> None:
            aggregate.reminders = self.reminders

    class Reminded(Event):
        """A digest of what awaits the person was sent to them (recorded before it is sent:
        a digest is sent at most once a day, even if a run is killed and run again)."""

        day: str
        """The day it was for (ISO 8601)."""
        items: list[str]
        """What it listed: "plan ref" of each item due soon or overdue, and of each request
        and proposal waiting for them."""

        def apply(self, aggregate: Any) -> None:
            aggregate.reminded_on = self.day

    class ReminderFailed(Event):
        """The digest recorded as sent could not be sent (the mail server refused it): a
        run the same day sends it again."""

        day: str
        why: str

        def apply(self, aggregate: Any) -> None:
            if aggregate.reminded_on == self.day:
                aggregate.reminded_on = None

    def __init__(self, name: str, post: str, agency: str, email: str, reminders: bool) -> None:
        self.name, self.post, self.agency = name, post, agency
        self.email, self.reminders = email, reminders
        self.aliases: list[str] = []
        self.reminded_on: str | None = None

    @classmethod
    def register(
        cls, name: str, email: str, *, post: str = "", agency: str = "", reminders: bool = True
    ) -> Person:
        name = values.person_name(name, "the person's name")
        if not spelling_key(name):
            raise InvalidCommand("a person needs a name")
        address = email_address(email)
        return cls._create(
            cls.Registered,
            id=person_aggregate_id(address),
            name=name,
            post=values.line(post, "the post"),
            agency=agency,
            email=address,
            reminders=reminders,
            reason=None,
            effective=None,
        )

    def spellings(self) -> list[str]:
        """Their name, then their aliases."""
        return [self.name, *self.aliases]

    def add_alias(self, alias: str) -> None:
        alias = new_spelling(alias, self.spellings(), self.email)
        self.trigger_event(self.AliasAdded, alias=alias, reason=None, effective=None)

    def choose_reminders(self, reminders: bool) -> None:
        if reminders == self.reminders:
            wants = "wants" if reminders else "does not want"
            raise RuleViolated(f"{self.email} already {wants} reminders")
        self.trigger_event(self.RemindersChosen, reminders=reminders, reason=None, effective=None)

    def remind(self, day: date, items: list[str]) -> None:
        """Record a digest for ``day``: refused when one was already for that day."""
        if not self.reminders:
            raise RuleViolated(f"{self.email} does not want reminders")
        if self.reminded_on == day.isoformat():
            raise AlreadyExists(f"{self.email} was reminded for {day.isoformat()} already")
        self.trigger_event(
            self.Reminded, day=day.isoformat(), items=items, reason=None, effective=None
        )

    def reminder_failed(self, day: date, why: str) -> None:
        self.trigger_event(
            self.ReminderFailed, day=day.isoformat(), why=values.line(why[:500], "why"),
            reason=None, effective=None,
        )  # fmt: skip
