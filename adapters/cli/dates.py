"""The CLI's date options, read by one rule: the domain's (``domain.fuzzy_date``), the one
the importer reads documents by ("2014-02-28", "Feb 2014", "Feb-2014", "Mar-19", "Autumn
2013"). A date it cannot read is refused in one line naming the option and the forms it
takes (``read``, the one place that turns a date error into a refusal)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar

import typer

from adapters.cli.app import refuse
from domain.errors import InvalidDate
from domain.fuzzy_date import FuzzyDate, parse_as_at, parse_known_at, parse_since

T = TypeVar("T")

AsAt = Annotated[
    str | None,
    typer.Option(
        help="Effective date: 2014-02-28, or a month (2014-02, Feb 2014, Feb-2014, Mar-19) "
        "for its last day (default today)."
    ),
]
KnownAt = Annotated[
    str | None,
    typer.Option(
        help="As the ledger stood at: 2015-03-01T12:00:00+00:00, or a day or a month (Mar "
        "2015, Mar-2015) for the end of its last day (UTC)."
    ),
]
Effective = Annotated[
    str | None,
    typer.Option(help="When it happened in the world: '2014-02-28', 'Feb 2014', 'Autumn 2013'."),
]


def read(parse: Callable[[str], T], text: str, option: str) -> T:
    """``text`` as the domain's ``parse`` reads it; refused, naming ``option``, if it cannot."""
    try:
        return parse(text)
    except InvalidDate as error:
        refuse(f"{option}: {error}")


def fuzzy(text: str, option: str) -> FuzzyDate:
    """A date as a plan writes it; text off the calendar ("Ongoing") is kept verbatim, with
    a note. One shaped like a calendar date that is not one ("2014-02-30") is refused."""
    found = read(FuzzyDate.given, text, option)
    if found.precision == "unknown":
        typer.echo(f"note: {option} {text!r} is not on the calendar; kept as text", err=True)
    return found


def maybe_fuzzy(text: str | None, option: str) -> FuzzyDate | None:
    return None if text is None else fuzzy(text, option)


def dated(text: str, option: str) -> FuzzyDate:
    """A date as a plan writes it, that must be on the calendar."""
    found = read(FuzzyDate.given, text, option)
    if not found.is_dated:
        refuse(f"{option} {text!r} is not a date on the calendar")
    return found


def as_at_day(text: str | None, option: str = "--as-at") -> date | None:
    """A day on the effective axis: of a month or season given, its last."""
    return None if text is None else read(parse_as_at, text, option)


def period_day(text: str, option: str, *, first: bool) -> date:
    """A bound of a period: of a month or season given, its first or its last day."""
    return read(parse_since if first else parse_as_at, text, option)


def known_at_moment(
    text: str | None, option: str = "--known-at", *, first: bool = False
) -> datetime | None:
    """A moment on the recorded axis: an ISO 8601 time (UTC if no offset), or of a day or
    month given, the end of its last day (UTC), or with ``first`` the start of its first."""
    if text is None:
        return None
    return read(lambda given: parse_known_at(given, first=first), text, option)
