"""From a parsed table to what the document states: dates placed, status inferred.

The parser keeps text as written; here it is interpreted, conservatively:

- a date the document writes is parsed as a fuzzy date; one it does not write gets the
  tightest date the document supports, marked inferred: undated text before a dated
  update happened no later than that update; a recommendation existed no later than its
  earliest dated update; anything else no later than the version date (or, failing one,
  the day of the import). A plan is agreed as a whole: on its first import every
  recommendation counts as raised by the plan's agreement (``PlanDocument.agreed``):
  ``plan_date`` when given, else no later than the earliest dated evidence anywhere in the
  document. One that first appears in a later version counts as raised no later than its
  own earliest dated evidence, else that version's date (``RecommendationDocument.raised``);
- status: an explicit statement of completion -> completed (with its date); "ongoing"
  -> ongoing; any update -> in progress; nothing -> open. The sentence each inference
  came from travels with the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from adapters.importing.model import (
    ParsedPlan,
    ParsedRecommendation,
    ParsedSubAction,
    ParsedUpdate,
    ParseWarning,
)
from domain.errors import InvalidCommand
from domain.fuzzy_date import FuzzyDate, Precision
from domain.kinds import ReviewKind, Status
from service.documents import (
    PlanDocument,
    RecommendationDocument,
    SubActionDocument,
    UpdateDocument,
)

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
_DATE_IN_SENTENCE = re.compile(
    r"\b\d{1,2}\s*(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4}\b|\b[A-Z][a-z]+\s+\d{4}\b"
)


def no_later_than(bound: FuzzyDate) -> FuzzyDate:
    """An inferred date: happened by the end of ``bound``. Only its end is meaningful."""
    return FuzzyDate(
        text=f"no later than {bound.text}",
        start=bound.start,
        end=bound.end,
        precision=bound.precision,
        inferred=True,
    )


def to_plan_document(
    parsed: ParsedPlan,
    *,
    plan_id: str,
    file_name: str,
    version_label: str | None = None,
    version_date: FuzzyDate | None = None,
    plan_date: FuzzyDate | None = None,
    kind: ReviewKind = ReviewKind.DHR,
    today: date | None = None,
) -> tuple[PlanDocument, list[ParseWarning]]:
    warnings: list[ParseWarning] = []
    if version_date is None and parsed.version_date:
        version_date = FuzzyDate.parse(parsed.version_date)
    if version_date is None or not version_date.is_dated:
        fallback = FuzzyDate.on(today or date.today(), text="the day of the import")
        warnings.append(
            ParseWarning(
                1,
                "the document states no version date: undated facts are dated "
                "no later than the day of the import (state one with --version-date)",
            )
        )
        version_date = None
    else:
        fallback = version_date
    recommendations = tuple(
        _recommendation(rec, no_later_than(fallback), warnings) for rec in parsed.recommendations
    )
    agreed = _agreed(plan_date, parsed.recommendations, recommendations, no_later_than(fallback))
    rated = [rec for rec in parsed.recommendations if rec.rag]
    if rated:
        warnings.append(
            ParseWarning(
                rated[0].line,
                "the document's own RAG ratings are not recorded (the ledger derives RAG from "
                "target and status): " + ", ".join(f"{rec.ref}={rec.rag}" for rec in rated),
            )
        )
    label = version_label or parsed.version_label or f"{file_name} ({parsed.digest[:12]})"
    document = PlanDocument(
        plan_id=plan_id,
        title=parsed.title or plan_id,
        partnership=parsed.partnership,
        kind=kind,
        version_label=label,
        version_date=version_date,
        file_name=file_name,
        digest=parsed.digest,
        recommendations=recommendations,
        agreed=agreed,
    )
    return document, warnings


def _agreed(
    plan_date: FuzzyDate | None,
    parsed: tuple[ParsedRecommendation, ...],
    interpreted: tuple[RecommendationDocument, ...],
    fallback: FuzzyDate,
) -> FuzzyDate:
    """When the plan was agreed by: the date stated, or the earliest dated evidence in it."""
    evidence = [
        (update.effective, f"{doc.ref}, line {written.line}")
        for rec, doc in zip(parsed, interpreted, strict=True)
        for written, update in zip(rec.updates, doc.updates, strict=True)
        if not update.effective.inferred and update.effective.end is not None
    ]
    earliest = min(evidence, key=lambda found: found[0].end or date.max, default=None)
    if plan_date is None:
        return no_later_than(earliest[0]) if earliest else fallback
    if earliest and plan_date.start and earliest[0].end and plan_date.start > earliest[0].end:
        raise InvalidCommand(
            f"--plan-date {plan_date.text!r} is later than the document's earliest dated "
            f"evidence, {earliest[0].text!r} ({earliest[1]}): the plan was agreed before that"
        )
    return plan_date


def _recommendation(
    rec: ParsedRecommendation, fallback: FuzzyDate, warnings: list[ParseWarning]
) -> RecommendationDocument:
    updates = _updates(rec.ref, rec.updates, fallback, warnings)
    sub_actions = tuple(_sub_action(rec, action, fallback, warnings) for action in rec.sub_actions)
    dated = [
        u.effective
        for u in (*updates, *(u for a in sub_actions for u in a.updates))
        if not u.effective.inferred
    ]
    earliest = min(dated, key=lambda d: d.end or date.max) if dated else None
    raised = no_later_than(earliest) if earliest else fallback
    status, basis, status_date = _status(
        rec,
        updates,
        fallback,
        lambda message: warnings.append(ParseWarning(rec.line, f"{rec.ref}: {message}")),
    )
    if basis is not None and status_date is None:  # stated in the target column: by this version
        status_date = fallback
    return RecommendationDocument(
        ref=rec.ref,
        text=rec.text,
        agency=rec.agency,
        leads=rec.leads,
        target=_own_target(rec, sub_actions, warnings),
        raised=raised,
        sub_actions=sub_actions,
        updates=tuple(updates),
        status=status,
        status_basis=basis,
        status_date=status_date,
        theme=rec.theme,
    )


def _sub_action(
    rec: ParsedRecommendation,
    action: ParsedSubAction,
    fallback: FuzzyDate,
    warnings: list[ParseWarning],
) -> SubActionDocument:
    """An action under the recommendation; with a row of its own, its number, updates and
    status are its own too."""
    if action.line is None:  # listed in a cell: nothing is stated of it but its text
        return SubActionDocument(action.text, action.leads, _target(action.target, rec, warnings))
    ref, line = f"{rec.ref} action {action.number}", action.line
    updates = _updates(ref, action.updates, fallback, warnings)
    status, basis, when = _status(
        action,
        updates,
        fallback,
        lambda message: warnings.append(ParseWarning(line, f"{ref}: {message}")),
    )
    return SubActionDocument(
        text=action.text,
        leads=action.leads,
        target=_target(action.target, rec, warnings),
        number=action.number,
        updates=tuple(updates),
        status=status,
        status_basis=basis,
        status_date=fallback if basis is not None and when is None else when,
    )


def _own_target(
    rec: ParsedRecommendation,
    sub_actions: tuple[SubActionDocument, ...],
    warnings: list[ParseWarning],
) -> FuzzyDate | None:
    """The recommendation's target; where its cell lists one target per sub-action, it is
    due when its last sub-action is (the text kept as written, the date marked inferred).
    Where actions have rows of their own, only if its cell is the list of their targets."""
    dated = [a.target for a in sub_actions if a.target is not None and a.target.is_dated]
    listed = "; ".join(a.target.text for a in sub_actions if a.target is not None)
    rows = any(action.line is not None for action in rec.sub_actions)
    if len(dated) < 2 or (rows and rec.target.split() != listed.split()):
        return _target(rec.target, rec, warnings)
    last = max(dated, key=lambda target: target.end or date.min)
    warnings.append(
        ParseWarning(
            rec.line,
            f"{rec.ref}: target {rec.target!r} lists its sub-actions' targets; "
            f"due by the last of them, {last.text}",
        )
    )
    return FuzzyDate(rec.target, last.start, last.end, last.precision, inferred=True)


def _target(text: str, rec: ParsedRecommendation, warnings: list[ParseWarning]) -> FuzzyDate | None:
    if not text.strip():
        return None
    target = FuzzyDate.parse(text)
    if target.precision == Precision.UNKNOWN:
        warnings.append(
            ParseWarning(
                rec.line,
                f"{rec.ref}: target {text!r} is not on the calendar "
                "(no year, or not a date); kept as written",
            )
        )
    return target


def _updates(
    ref: str,
    updates: tuple[ParsedUpdate, ...],
    fallback: FuzzyDate,
    warnings: list[ParseWarning],
) -> list[UpdateDocument]:
    """Each update with its written date, or the next written date after it, or the fallback."""
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
            placed.append(UpdateDocument(bound, update.text))
        else:
            placed.append(UpdateDocument(effective, update.text))
            bound = no_later_than(effective)
    return placed[::-1]


def _status(
    item: ParsedRecommendation | ParsedSubAction,
    updates: list[UpdateDocument],
    fallback: FuzzyDate,
    warn: Callable[[str], None],
) -> tuple[Status, str | None, FuzzyDate | None]:
    """The status the row's Status cell states; else what its updates and target say."""
    if item.status:
        for status, words in _STATED:
            if found := words.match(item.status.casefold()):
                written = _date_after(item.status[found.end() :])
                when = written or _stated_on(updates, fallback)
                return status, f"Status: {item.status}", when
        warn(
            f"status {item.status!r} is not one the ledger knows (complete, ongoing, "
            "in progress, not started, withdrawn); the status follows the updates"
        )
    for update in reversed(updates):
        for sentence in reversed(_SENTENCE_END.split(update.text)):
            if _COMPLETED.search(sentence) and not _NOT_YET.search(sentence):
                return Status.COMPLETED, sentence.strip(), _date_in(sentence) or update.effective
            if _ONGOING.search(sentence):
                return Status.ONGOING, sentence.strip(), update.effective
    if _ONGOING.search(item.target):
        return Status.ONGOING, f"Target: {item.target.strip()}", None
    if updates:
        return Status.IN_PROGRESS, None, None
    return Status.OPEN, None, None


def _date_after(rest: str) -> FuzzyDate | None:
    """The date a Status cell gives after its word ("Completed (31/03/2019)", "Closed -
    March 2019"), if it gives one."""
    text = re.sub(r"^[\s(:,\u2013\u2014-]*(?:on\s+|in\s+)?|[\s).]*$", "", rest)
    found = FuzzyDate.parse(text) if text else None
    return found if found is not None and found.is_dated else None


def _stated_on(updates: list[UpdateDocument], fallback: FuzzyDate) -> FuzzyDate:
    """When a Status cell's status held by: the row's latest dated evidence, else the
    version's date; inferred either way."""
    dated = [u.effective for u in updates if not u.effective.inferred]
    latest = max(dated, key=lambda d: d.end or date.min, default=None)
    return no_later_than(latest) if latest is not None else fallback


def _date_in(sentence: str) -> FuzzyDate | None:
    for match in _DATE_IN_SENTENCE.finditer(sentence):
        found = FuzzyDate.parse(match.group())
        if found.is_dated:
            return found
    return None


_REVIEW_TITLES = (
    (re.compile(r"domestic homicide review\D*(\d+)", re.IGNORECASE), "dhr", ReviewKind.DHR),
    (re.compile(r"safeguarding adults? review\D*(\d+)", re.IGNORECASE), "sar", ReviewKind.SAR),
    (
        re.compile(r"child safeguarding practice review\D*(\d+)", re.IGNORECASE),
        "cspr",
        ReviewKind.CSPR,
    ),
)


def plan_identity(title: str, file_stem: str) -> tuple[str, ReviewKind]:
    """A plan id and review kind from the title ("Domestic Homicide Review Case No 2" -> dhr2)."""
    for pattern, prefix, kind in _REVIEW_TITLES:
        match = pattern.search(title)
        if match:
            return f"{prefix}{match.group(1)}", kind
    slug = re.sub(r"[^a-z0-9]+", "-", file_stem.lower()).strip("-") or "plan"
    return slug, ReviewKind.OTHER


def read_document(
    path: Path,
    *,
    plan_id: str | None = None,
    file_name: str | None = None,
    version_label: str | None = None,
    version_date: FuzzyDate | None = None,
    plan_date: FuzzyDate | None = None,
    kind: ReviewKind | None = None,
) -> tuple[PlanDocument, list[ParseWarning], str]:
    """Read a plan's document file into what it states, with the warnings a person should
    review and the text encoding it was read in; a ``DocumentError`` or ``InvalidCommand``
    (saying where) if it cannot be read. Nothing touches the ledger."""
    from adapters.importing.reader import read_plan

    name = file_name or path.name
    parsed = read_plan(path)
    found_id, guessed_kind = plan_identity(parsed.title, Path(name).stem)
    try:
        document, notes = to_plan_document(
            parsed,
            plan_id=plan_id or found_id,
            file_name=name,
            version_label=version_label,
            version_date=version_date,
            plan_date=plan_date,
            kind=kind or guessed_kind,
        )
    except InvalidCommand as error:
        raise InvalidCommand(f"{name}: {error}") from None
    return document, [*parsed.warnings, *notes], parsed.encoding
