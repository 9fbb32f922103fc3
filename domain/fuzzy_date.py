"""Fuzzy dates as action plans write them: "July 2014", "Autumn 2013", "Ongoing".

A ``FuzzyDate`` keeps the source text verbatim and, when the text can be placed
on the calendar, the inclusive interval ``start..end`` it covers and how precise
it is (day, month, season, year).

Seasons are meteorological, as UK public bodies use them: Spring is March-May,
Summer June-August, Autumn (or Fall) September-November, and Winter Y runs from
1 December Y to the end of February Y+1. Quarters "Q1 2014".."Q4 2014" are
calendar quarters (Q1 = January-March) and get SEASON precision. A UK financial year
"2019/20" runs from 1 April 2019 to 31 March 2020 (YEAR precision); "Q1 2019/20" is its
first quarter, April-June 2019. A month's year follows it after a space, a hyphen or a
slash ("Feb 2014", "Feb-2014", "Feb/2014"); after a hyphen or a slash also as two digits,
as Excel shows a month ("Mar-19" is March 2019; "March 19" is a day with no year).

The no-year rule: a day and month, a month, a season or a quarter written
without a year ("1st July", "July") is placed on the calendar only when the
caller passes ``year=``; otherwise it is UNKNOWN. A year is never guessed.

Text that says there is no date ("Ongoing", "Implemented and ongoing.", "N/A",
"") has precision NONE; anything else that cannot be placed, including
impossible dates such as "30th Feb 2014", is UNKNOWN. Parsing never raises.

"no later than X", as the ledger writes a date it inferred, reads back as X, inferred.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from domain.errors import InvalidDate


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    UNKNOWN = "unknown"  # text we could not place on the calendar (kept verbatim)
    NONE = "none"  # explicitly no date / no deadline


_Span = tuple[date, date, Precision]

_DATE_SHAPED = re.compile(
    r"^(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{1,2}\s*(?:st|nd|rd|th)?\s+[a-z]+\.?,?\s+\d{4})$"
)
"""Written as a calendar date: ISO, numeric day/month/year, or day, month name and year."""
_NOT_ON_THE_CALENDAR = "looks like a date but is not one on the calendar"

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS: dict[str, int] = (
    {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
    | {name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)}
    | {"sept": 9}
)

_SEASONS: dict[str, int] = {
    "spring": 3,
    "summer": 6,
    "autumn": 9,
    "fall": 9,
    "winter": 12,
}

_NO_DATE = frozenset({"", "ongoing", "on-going", "on going", "implemented and ongoing", "n/a"})

_EDGES = re.compile(r"^[\s.,;:]+|[\s.,;:]+$")
_ONGOING = re.compile(r"\bon[\s-]?going\b", re.IGNORECASE)
_ONGOING_SUFFIX = re.compile(r"\s*[,;-]?\s*(?:and|&)\s+on[\s-]?going$", re.ASCII)
_DEADLINE_PREFIX = re.compile(r"^(?:by\s+)?(?:the\s+)?(?:end\s+(?:of\s+)?)?", re.ASCII)
_NO_LATER_THAN = re.compile(r"^no later than\s+", re.ASCII)
"""How the ledger writes an inferred date ("no later than August 2013"): read back as inferred."""
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
_NUMERIC_DAY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$", re.ASCII)
_DAY_MONTH = re.compile(
    r"^(\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:of\s+)?([a-z]+)\.?(?:,?\s*(\d{4}))?$", re.ASCII
)
_WORD_YEAR = re.compile(r"^([a-z]+)\.?(?:(?:,?\s*|[-/])(\d{4}))?$", re.ASCII)
_QUARTER = re.compile(r"^q([1-4])(?:\s*(\d{4}))?$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
_MONTH_SHORT_YEAR = re.compile(r"^([a-z]+)[-/](\d{2})$", re.ASCII)
"""Excel's "mmm-yy" display ("Mar-19"), as a CSV export writes a date cell; or "Mar/19"."""
_FINANCIAL_YEAR = re.compile(r"^(?:(q[1-4])\s+)?(\d{4})[/-](\d{2}|\d{4})$", re.ASCII)
"""A UK financial year "2019/20" (1 April 2019 to 31 March 2020), or a quarter of it."""


def _normalise(text: str) -> str:
    """Lower-case, trim whitespace and .,;: at both ends, collapse inner spaces."""
    return " ".join(_EDGES.sub("", text).split()).lower()


def _day(year: int, month: int, day: int) -> _Span:
    the_day = date(year, month, day)
    return the_day, the_day, Precision.DAY


def _months(year: int, first_month: int, count: int, precision: Precision) -> _Span:
    """The span of ``count`` whole months starting at ``first_month`` of ``year``."""
    last_year, last_month = divmod(year * 12 + first_month - 1 + count - 1, 12)
    last_month += 1
    end = date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
    return date(year, first_month, 1), end, precision


def _year_of(written: str | None, default: int | None) -> int | None:
    return int(written) if written else default


def _span(key: str, year: int | None) -> _Span | None:
    """Place a normalised text on the calendar; None if it cannot be placed."""
    if m := _ISO_DAY.match(key):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if (m := _ISO_MONTH.match(key)) and 1 <= int(m[2]) <= 12:
        return _months(int(m[1]), int(m[2]), 1, Precision.MONTH)
    if m := _NUMERIC_DAY.match(key):
        written = int(m[4])
        return _day(written + 2000 if len(m[4]) == 2 else written, int(m[3]), int(m[1]))
    if (m := _DAY_MONTH.match(key)) and m[2] in _MONTHS:
        if (y := _year_of(m[3], year)) is None:
            return None
        return _day(y, _MONTHS[m[2]], int(m[1]))
    if (m := _WORD_YEAR.match(key)) and (m[1] in _MONTHS or m[1] in _SEASONS):
        if (y := _year_of(m[2], year)) is None:
            return None
        if m[1] in _MONTHS:
            return _months(y, _MONTHS[m[1]], 1, Precision.MONTH)
        return _months(y, _SEASONS[m[1]], 3, Precision.SEASON)
    if m := _QUARTER.match(key):
        if (y := _year_of(m[2], year)) is None:
            return None
        return _months(y, int(m[1]) * 3 - 2, 3, Precision.SEASON)
    if m := _YEAR.match(key):
        return _months(int(m[1]), 1, 12, Precision.YEAR)
    if (m := _MONTH_SHORT_YEAR.match(key)) and m[1] in _MONTHS:
        return _months(2000 + int(m[2]), _MONTHS[m[1]], 1, Precision.MONTH)
    if (m := _FINANCIAL_YEAR.match(key)) and int(m[3]) % 100 == (int(m[2]) + 1) % 100:
        if m[1] is None:
            return _months(int(m[2]), 4, 12, Precision.YEAR)
        later_year, month = divmod(3 + (int(m[1][1]) - 1) * 3, 12)  # Q1 starts in April
        return _months(int(m[2]) + later_year, month + 1, 3, Precision.SEASON)
    return None


@dataclass(frozen=True)
class FuzzyDate:
    """A possibly fuzzy date: the verbatim text and the interval it covers."""

    text: str
    start: date | None
    end: date | None
    precision: Precision
    inferred: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "precision", Precision(self.precision))
        if (self.start is None) != (self.end is None):
            raise ValueError(f"{self.text!r}: start and end must both be set or both be None")
        undated = self.precision in (Precision.UNKNOWN, Precision.NONE)
        if undated != (self.start is None):
            raise ValueError(f"{self.text!r}: precision {self.precision} does not fit the dates")
        if self.start is not None and self.end is not None:
            if self.start > self.end:
                raise ValueError(f"{self.text!r}: start {self.start} is after end {self.end}")
            if (self.precision == Precision.DAY) != (self.start == self.end):
                raise ValueError(f"{self.text!r}: precision day iff start equals end")

    @classmethod
    def parse(cls, text: str, *, year: int | None = None) -> FuzzyDate:
        """Read ``text`` as written in a plan; ``year`` supplies a missing year."""
        key = _normalise(text)
        if key in _NO_DATE:
            return cls(text, None, None, Precision.NONE)
        key = _normalise(_ONGOING_SUFFIX.sub("", key))
        inferred = _NO_LATER_THAN.match(key) is not None
        key = _DEADLINE_PREFIX.sub("", _NO_LATER_THAN.sub("", key, count=1), count=1)
        try:
            span = _span(key, year)
        except (ValueError, OverflowError):  # impossible dates, years out of range
            span = None
        if span is None:
            return cls(text, None, None, Precision.UNKNOWN)
        return cls(text, *span, inferred=inferred)

    @classmethod
    def given(cls, text: str) -> FuzzyDate:
        """A date typed by a person: as ``parse``, but a value shaped like a calendar date
        that is not one ("2014-13-01", "31/02/2014") is refused rather than kept as text.
        Text that is no date at all ("Ongoing", "Action plan to be updated") stays text."""
        found = cls.parse(text)
        if found.precision == Precision.UNKNOWN and _DATE_SHAPED.match(_normalise(text)):
            raise InvalidDate(f"{text.strip()!r} {_NOT_ON_THE_CALENDAR}")
        return found

    @classmethod
    def on(cls, day: date, text: str | None = None, *, inferred: bool = False) -> FuzzyDate:
        """A DAY-precision date; ``text`` defaults to the ISO form of ``day``."""
        return cls(day.isoformat() if text is None else text, day, day, Precision.DAY, inferred)

    def to_data(self) -> dict[str, str | bool | None]:
        return {
            "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "precision": self.precision.value,
            "inferred": self.inferred,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FuzzyDate:
        start, end = data.get("start"), data.get("end")
        return cls(
            text=data["text"],
            start=date.fromisoformat(start) if start is not None else None,
            end=date.fromisoformat(end) if end is not None else None,
            precision=Precision(data["precision"]),
            inferred=bool(data.get("inferred", False)),
        )

    @property
    def is_dated(self) -> bool:
        """True when the date has an end (DAY, MONTH, SEASON or YEAR precision)."""
        return self.end is not None

    @property
    def deadline(self) -> date | None:
        """The last day it allows, as a target: none for "Ongoing" or "1st April 2013 and
        ongoing" (a start date, no deadline), nor for text off the calendar."""
        return None if self.is_ongoing else self.end

    @property
    def only_bounds(self) -> bool:
        """True for "no later than X": it says by when something happened, not when."""
        return self.inferred and _NO_LATER_THAN.match(self.text.lower()) is not None

    @property
    def is_ongoing(self) -> bool:
        """True when the text says "ongoing" (or "on-going"), whatever the precision."""
        return _ONGOING.search(self.text) is not None

    def plain(self) -> str:
        """A text that ``parse`` reads back as this interval ("2014-03-05", "March 2014",
        "Spring 2014", "Q1 2014", "2014", "2019/20"), prefixed "no later than" if inferred;
        the text as written if it is not on the calendar."""
        if self.start is None or self.end is None:
            return self.text
        start = self.start
        if self.precision == Precision.DAY:
            plain = start.isoformat()
        elif self.precision == Precision.MONTH:
            plain = f"{_MONTH_NAMES[start.month - 1].capitalize()} {start.year}"
        elif self.precision == Precision.SEASON and start.month % 3 == 0:
            season = {3: "Spring", 6: "Summer", 9: "Autumn", 12: "Winter"}[start.month]
            plain = f"{season} {start.year}"
        elif self.precision == Precision.SEASON:
            plain = f"Q{(start.month + 2) // 3} {start.year}"
        elif start.month == 1:
            plain = str(start.year)
        else:
            plain = f"{start.year}/{(start.year + 1) % 100:02d}"
        return f"no later than {plain}" if self.inferred else plain

    def as_inferred(self) -> FuzzyDate:
        return replace(self, inferred=True)

    def __str__(self) -> str:
        return f"{self.text} (inferred)" if self.inferred else self.text


DATE_FORMS = (
    "a day (2014-02-28, 28/02/2014, 28 Feb 2014), a month (2014-02, Feb 2014, Feb-2014, "
    "Feb/2014, Mar-19), a season or quarter (Autumn 2013, Q1 2014) or a year (2014, 2019/20)"
)
"""The forms a date asked about may take: those a plan's document writes."""


def parse_as_at(text: str) -> date:
    """A query date: a day, or the last day of a month, season, quarter or year given
    ("2014-02" and "Feb-2014" are 28 February 2014)."""
    return _dated(text)[1]


def parse_since(text: str) -> date:
    """The first day of a period: a day, or the first of a month, season, quarter or year
    given ("2014-02" and "Feb-2014" are 1 February 2014)."""
    return _dated(text)[0]


def parse_known_at(text: str, *, first: bool = False) -> datetime:
    """A moment on the recorded axis: ISO 8601 (UTC if no offset); or a date as
    ``parse_as_at`` reads it, meaning the end of its last day (UTC), or with ``first`` the
    start of its first day."""
    days = _days(text)
    if days is not None:
        return datetime.combine(*((days[0], time.min) if first else (days[1], time.max)), UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        forms = f"an ISO 8601 time such as 2015-03-01T12:00:00+00:00, or {DATE_FORMS}"
        raise _not_read(text, "a moment", forms) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(text: str) -> tuple[date, date] | None:
    """The first and last days of the period ``text`` names, if it names one."""
    found = FuzzyDate.parse(text)
    if found.start is None or found.end is None:
        return None
    return found.start, found.end


def _dated(text: str) -> tuple[date, date]:
    days = _days(text)
    if days is None:
        raise _not_read(text, "a date", DATE_FORMS)
    return days


def _not_read(text: str, what: str, forms: str) -> InvalidDate:
    """Why ``text`` is not ``what`` was asked for, and the ``forms`` it may take."""
    shaped = _DATE_SHAPED.match(_normalise(text)) is not None
    why = _NOT_ON_THE_CALENDAR if shaped else f"is not {what}"
    return InvalidDate(f"{text.strip()!r} {why}: use {forms}")


__all__ = [
    "DATE_FORMS", "FuzzyDate", "Precision", "parse_as_at", "parse_known_at", "parse_since",
]  # fmt: skip
