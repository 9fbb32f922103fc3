"""What a document states of an item's status, and from when; conservatively.

- A Status cell ("Complete", "Ongoing - March 2014") states it: dated by a date the cell
  gives after its word; else a completion no later than the latest date the row gives
  anywhere (its updates, its target, its text: the work it describes was done by then; a
  date after the version's is yet to come and does not count), any other status no later
  than the row's latest dated update; else no later than the version's date.
- Else the updates, latest first: an explicit statement of completion -> completed, dated
  by the latest date its sentence states as done (``updates.done_dates``), else by its
  update; "ongoing" -> ongoing, dated by its update.
- Else a target that says "ongoing" -> ongoing, no later than the version's date; any
  update -> in progress; nothing -> open.
- A sub-action that states nothing of its own (no Status cell, no updates) takes the
  status stated for its recommendation when that is ongoing or in progress, from the same
  date, marked inferred, the statement cited (``inherit``). Completing or withdrawing the
  recommendation completes or withdraws its open sub-actions in the ledger itself.

The words each status was read from (its basis) travel with the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from adapters.importing.dating import dates_in, is_evidence, latest, no_later_than
from adapters.importing.model import ParsedRecommendation, ParsedSubAction, ParseWarning
from adapters.importing.updates import done_dates
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from service.documents import SubActionDocument, UpdateDocument

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])|\n+")
_COMPLETED = re.compile(
    r"\b(?:action|recommendation)\s+(?:is\s+|has\s+been\s+|was\s+|now\s+)*(?:fully\s+)?"
    r"(?:completed?|implemented)\b|^\W*(?:fully\s+)?(?:completed?|implemented)\W*$"
    r"|\bhas\s+been\s+(?:fully\s+)?completed\b|\b(?:is|now)\s+complete\b",
    re.IGNORECASE,
)
_NOT_YET = re.compile(
    r"\b(?:not|yet|to be|will|until|once|when|if|before|awaiting|due to be|on track to)\b"
    r"[^.]{0,30}\b(?:completed?|implemented)\b",
    re.IGNORECASE,
)
_ONGOING = re.compile(r"\bon-?\s?going\b", re.IGNORECASE)
_STATED = (
    (
        Status.COMPLETED,
        re.compile(r"^(?:fully\s+)?(?:completed?|closed|achieved|done|implemented)\b"),
    ),
    (Status.ONGOING, re.compile(r"^(?:on-?\s?going|embedded|business as usual|bau)\b")),
    (Status.IN_PROGRESS, re.compile(r"^(?:in\s+progress|in-progress|started|on track|underway)\b")),
    (Status.OPEN, re.compile(r"^(?:not\s+(?:yet\s+)?started|open|not due)\b")),
    (Status.WITHDRAWN, re.compile(r"^(?:withdrawn|no longer (?:applies|applicable))\b")),
)
"""How a Status cell starts ("Complete - see update"): "Partially complete" states none."""
_PASSED_ON = frozenset({Status.ONGOING, Status.IN_PROGRESS})
"""The recommendation's statuses a silent sub-action takes (see ``inherit``)."""


@dataclass(frozen=True)
class Statement:
    """An item's status as the document states it."""

    status: Status
    basis: str | None = None
    """The words it was read from ("Status: Complete", "Target: Ongoing", a sentence)."""
    date: FuzzyDate | None = None
    """When it held by; set whenever ``basis`` is."""
    line: int | None = None
    """The line of the document the words are on."""


def read_status(
    item: ParsedRecommendation | ParsedSubAction,
    updates: list[UpdateDocument],
    fallback: FuzzyDate,
    warn: Callable[[str], None],
) -> Statement:
    """The status the row's Status cell states; else what its updates and target say.
    ``fallback`` bounds what is otherwise undated (no later than the version's date)."""
    line = item.line
    if item.status:
        for status, words in _STATED:
            if found := words.match(item.status.casefold()):
                when = _date_after(item.status[found.end() :])
                if when is None and status == Status.COMPLETED:
                    when = _row_latest(item, updates, fallback)
                when = when or _latest_update(updates, fallback)
                return Statement(status, f"Status: {item.status}", when, line)
        warn(
            f"status {item.status!r} is not one the ledger knows (complete, ongoing, "
            "in progress, not started, withdrawn); the status follows the updates"
        )
    for update, written in reversed(list(zip(updates, item.updates, strict=True))):
        for sentence in reversed(_SENTENCE_END.split(update.text)):
            if _COMPLETED.search(sentence) and not _NOT_YET.search(sentence):
                when = _completed_on(sentence) or update.effective
                return Statement(Status.COMPLETED, sentence.strip(), when, written.line)
            if _ONGOING.search(sentence):
                return Statement(Status.ONGOING, sentence.strip(), update.effective, written.line)
    if _ONGOING.search(item.target):
        return Statement(Status.ONGOING, f"Target: {item.target.strip()}", fallback, line)
    return Statement(Status.IN_PROGRESS if updates else Status.OPEN)


def inherit(
    ref: str,
    stated: Statement,
    actions: tuple[SubActionDocument, ...],
    warnings: list[ParseWarning],
) -> tuple[SubActionDocument, ...]:
    """The recommendation's sub-actions, each that states nothing of its own status (no
    Status cell, no updates) taking the one stated for the recommendation when that is
    ongoing or in progress: from the same date, marked inferred, citing the statement
    (which stays on the recommendation, with its narrative)."""
    if stated.basis is None or stated.date is None or stated.status not in _PASSED_ON:
        return actions
    silent = [
        i
        for i, action in enumerate(actions)
        if action.status == Status.OPEN and action.status_basis is None and not action.updates
    ]
    if not silent:
        return actions
    when = stated.date.as_inferred()
    basis = f"{stated.basis} (as {ref} states, line {stated.line})"
    numbers = ", ".join(actions[i].number or str(i + 1) for i in silent)
    warnings.append(
        ParseWarning(
            stated.line or 0,
            f"{ref}: sub-action(s) {numbers} state no status of their own; each takes the "
            f"recommendation's, {stated.status.value}, from {when.text} (inferred from "
            f"{stated.basis!r})",
        )
    )
    return tuple(
        replace(action, status=stated.status, status_basis=basis, status_date=when)
        if i in silent
        else action
        for i, action in enumerate(actions)
    )


def _date_after(rest: str) -> FuzzyDate | None:
    """The date a Status cell gives after its word ("Completed (31/03/2019)", "Closed -
    March 2019"), if it gives one."""
    text = re.sub(r"^[\s(:,\u2013\u2014-]*(?:on\s+|in\s+)?|[\s).]*$", "", rest)
    found = FuzzyDate.parse(text) if text else None
    return found if found is not None and found.is_dated else None


def _row_latest(
    item: ParsedRecommendation | ParsedSubAction,
    updates: list[UpdateDocument],
    fallback: FuzzyDate,
) -> FuzzyDate:
    """No later than the latest date the row gives anywhere, up to the version's date."""
    texts = [item.text, item.target, *item.leads, *(u.text for u in item.updates)]
    if isinstance(item, ParsedRecommendation):
        listed = [a for a in item.sub_actions if a.line is None]  # in the row's own cells
        texts += [item.agency, *(a.text for a in listed), *(a.target for a in listed)]
    given = [
        *dates_in(texts),
        *(u.effective for u in updates if is_evidence(u.effective)),
        FuzzyDate.parse(item.target),
    ]
    up_to = fallback.end or date.max
    found = latest(d for d in given if d.end is not None and d.end <= up_to)
    return no_later_than(found) if found is not None else fallback


def _latest_update(updates: list[UpdateDocument], fallback: FuzzyDate) -> FuzzyDate:
    found = latest(u.effective for u in updates if is_evidence(u.effective))
    return no_later_than(found) if found is not None else fallback


def _completed_on(sentence: str) -> FuzzyDate | None:
    """The latest date a completion's sentence states as done ("Action completed 1st April
    2013"): as the sentence writes it, so not inferred."""
    read = [FuzzyDate.parse(written) for written, _ in done_dates(sentence)]
    return latest(read)
