"""What the fields of a recommendation's events may hold: the checks a command makes on
what it is given, and a correction on what it amends (each event's ``amendable`` says which
of its fields a correction may amend, and of which ``Field`` kind)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from domain import values
from domain.errors import InvalidCommand, InvalidDate
from domain.fuzzy_date import FuzzyDate


class Field(StrEnum):
    """The kind of value an amendable field holds, and so how an amendment is checked."""

    TEXT = "text"
    """Long text that must not be empty (a recommendation's or an update's text)."""
    NOTE = "note"
    """Long text that may be empty (evidence)."""
    NAME = "name"
    """One line of at most ``values.NAME_MAX`` characters (an agency)."""
    TITLE = "title"
    """One line of at most ``values.TITLE_MAX`` characters (a theme)."""
    LEADS = "leads"
    """A list of one-line names."""
    DATE = "date"
    """A fuzzy date, on the calendar or not (a target); may be cleared."""
    DATED = "dated"
    """A fuzzy date on the calendar (when an update or a completion happened)."""


class Amendable(Protocol):
    """What a correction reads of the event it amends."""

    amendable: ClassVar[dict[str, Field]]

    @property
    def type_name(self) -> str: ...


def checked_date(date: FuzzyDate | None) -> FuzzyDate | None:
    if date is not None:
        values.long_text(date.text, "a date", values.DATE_TEXT_MAX)
    return date


def required_reason(reason: str | None, what: str) -> str:
    if reason is None or not reason.strip():
        raise InvalidCommand(f"a reason is required to {what}")
    return values.long_text(reason, "the reason")


def optional_text(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    return values.long_text(text, what) or None


def required_text(text: str, what: str) -> str:
    if not text.strip():
        raise InvalidCommand(f"{what} must not be empty")
    return values.long_text(text, what)


def clean_leads(leads: Iterable[str]) -> list[str]:
    cleaned = [values.line(lead, "a lead") for lead in leads if lead.strip()]
    return list(dict.fromkeys(cleaned))


def dated(date: FuzzyDate | None, what: str) -> FuzzyDate:
    if date is None or not date.is_dated:
        text = "nothing" if date is None else repr(date.text)
        raise InvalidDate(f"{what} needs a date on the calendar, got {text}")
    return date


def checked_amendment(target: Amendable, amendment: dict[str, Any]) -> dict[str, Any]:
    """The amended fields, each checked by the kind its event declares."""
    checked: dict[str, Any] = {}
    for name, value in amendment.items():
        kind, what = target.amendable[name], f"the amended {name}"
        if kind in (Field.DATE, Field.DATED):
            if value is not None and not isinstance(value, FuzzyDate):
                raise InvalidCommand(f"{what} must be a date")
            if kind == Field.DATED:
                value = dated(value, f"a {target.type_name} event")
            checked[name] = checked_date(value)
        elif kind == Field.LEADS:
            if isinstance(value, str) or not all(isinstance(lead, str) for lead in value):
                raise InvalidCommand(f"{what} must be a list of leads")
            checked[name] = clean_leads(value)
        elif not isinstance(value, str):
            raise InvalidCommand(f"{what} must be text")
        elif kind == Field.TEXT:
            checked[name] = required_text(value, what)
        elif kind == Field.NOTE:
            checked[name] = optional_text(value, what)
        else:
            limit = values.TITLE_MAX if kind == Field.TITLE else values.NAME_MAX
            checked[name] = values.line(value, what, limit)
    return checked
