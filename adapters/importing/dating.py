"""Placing a document's facts on the calendar: the date each update states, or the
tightest one the document supports, every inference marked.

- An update with a date of its own ("Update Feb 2014:", "August 2013.") has it, as written.
- One without has the latest date its sentences state as when something was done
  (``updates.done_dates``: "Guidance circulated 26.11.2018", "re-issued March 2015 and
  completed June 2015" -> June 2015; never "by December 2014", "due 31/03/2020" or "the
  March 2013 guidance"), marked inferred and reported with the update's line; unless that
  date is after the update's bound below (then the document contradicts itself: not used).
- Otherwise it happened no later than the next update that is dated, else the version's
  date (or the day of the import): a bound, "no later than ...".

``is_evidence`` tells the dates the document gives (written, or read from a sentence) from
the bounds inferred from other facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from adapters.importing.model import ParsedUpdate, ParseWarning
from adapters.importing.updates import DATE, done_dates
from domain.fuzzy_date import FuzzyDate
from service.documents import UpdateDocument

NO_LATER_THAN = "no later than "


def no_later_than(bound: FuzzyDate) -> FuzzyDate:
    """An inferred date: happened by the end of ``bound``. Only its end is meaningful."""
    return FuzzyDate(
        text=f"{NO_LATER_THAN}{bound.text}",
        start=bound.start,
        end=bound.end,
        precision=bound.precision,
        inferred=True,
    )


def is_evidence(when: FuzzyDate) -> bool:
    """A date the document gives for a fact (written, or read from its sentence), not a
    bound inferred from other facts ("no later than ...")."""
    return when.is_dated and not (when.inferred and when.text.startswith(NO_LATER_THAN))


def latest(dates: Iterable[FuzzyDate]) -> FuzzyDate | None:
    return max((d for d in dates if d.is_dated), key=lambda d: d.end or date.min, default=None)


def sentence_date(text: str) -> tuple[FuzzyDate, str] | None:
    """The latest date a sentence of ``text`` states as when something was done, marked
    inferred, with its sentence."""
    read = [(FuzzyDate.parse(written), sentence) for written, sentence in done_dates(text)]
    dated = [(found, sentence) for found, sentence in read if found.is_dated]
    if not dated:
        return None
    found, sentence = max(dated, key=lambda pair: pair[0].end or date.min)
    return found.as_inferred(), sentence


def dates_in(texts: Iterable[str]) -> list[FuzzyDate]:
    """Every date written anywhere in ``texts``, whatever its role (a target, a reference)."""
    found = (FuzzyDate.parse(m.group()) for text in texts for m in re.finditer(DATE, text))
    return [d for d in found if d.is_dated]


def place_updates(
    ref: str,
    updates: tuple[ParsedUpdate, ...],
    fallback: FuzzyDate,
    warnings: list[ParseWarning],
) -> list[UpdateDocument]:
    """Each update with its written date, or the date its sentence states, or the next
    written date after it, or the fallback (see the module's docstring)."""
    written: list[FuzzyDate | None] = []
    for update in updates:
        effective = FuzzyDate.parse(update.date_text) if update.date_text else None
        if effective is not None and not effective.is_dated:
            warnings.append(
                ParseWarning(
                    update.line,
                    f"{ref}: update date {update.date_text!r} has "
                    "no year or is not a date; dated by the updates after it",
                )
            )
            effective = None
        written.append(effective)
    placed: list[UpdateDocument] = []
    bound = fallback
    for update, effective in reversed(list(zip(updates, written, strict=True))):
        if effective is None:
            effective = _from_sentence(ref, update, bound, warnings) or bound
        placed.append(UpdateDocument(effective, update.text))
        bound = no_later_than(effective) if is_evidence(effective) else bound
    return placed[::-1]


def _from_sentence(
    ref: str, update: ParsedUpdate, bound: FuzzyDate, warnings: list[ParseWarning]
) -> FuzzyDate | None:
    read = sentence_date(update.text)
    if read is None:
        return None
    found, sentence = read
    if found.start is not None and bound.end is not None and found.start > bound.end:
        warnings.append(
            ParseWarning(
                update.line,
                f"{ref}: an update states {found.text}, later than it can be dated "
                f"({bound.text}); dated {bound.text}: {sentence!r}",
            )
        )
        return None
    warnings.append(
        ParseWarning(
            update.line,
            f"{ref}: an update with no date of its own is dated {found.text} (inferred), "
            f"as its sentence states: {sentence!r}",
        )
    )
    return found
