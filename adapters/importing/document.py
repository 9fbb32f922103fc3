"""From a parsed table to what the document states: dates placed, status inferred.

The parser keeps text as written; here it is interpreted, conservatively:

- dates (``adapters.importing.dating``): a date the document writes is parsed as a fuzzy
  date; an update that writes none is dated by the date its sentence states as done
  ("Guidance circulated 26.11.2018"), marked inferred; else it gets the tightest date the
  document supports, marked inferred: undated text before a dated update happened no later
  than that update; a recommendation existed no later than its earliest dated update;
  anything else no later than the version date (or, failing one, the day of the import).
  A plan is agreed as a whole: on its first import every recommendation counts as raised
  by the plan's agreement (``PlanDocument.agreed``): ``plan_date`` when given, else no
  later than the earliest dated evidence anywhere in the document. One that first appears
  in a later version counts as raised no later than its own earliest dated evidence, else
  that version's date (``RecommendationDocument.raised``);
- status (``adapters.importing.status``): a Status cell, else an explicit statement of
  completion -> completed (with its date); "ongoing" -> ongoing; any update -> in
  progress; nothing -> open; a sub-action stating none of its own takes its
  recommendation's. The sentence each inference came from travels with the event.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from adapters.importing.dating import is_evidence, no_later_than, place_updates
from adapters.importing.model import (
    ParsedPlan,
    ParsedRecommendation,
    ParsedSubAction,
    ParseWarning,
)
from adapters.importing.status import inherit, read_status
from domain.errors import InvalidCommand
from domain.fuzzy_date import FuzzyDate, Precision
from domain.kinds import ReviewKind
from service.documents import (
    PlanDocument,
    RecommendationDocument,
    SubActionDocument,
)

__all__ = ["no_later_than", "plan_identity", "read_document", "to_plan_document"]


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
    """When the plan was agreed by: the date stated, or the earliest dated evidence in it
    (a date read from a sentence counts; a stated date is refused only by written ones)."""
    evidence = [
        (update.effective, f"{doc.ref}, line {written.line}")
        for rec, doc in zip(parsed, interpreted, strict=True)
        for written, update in zip(rec.updates, doc.updates, strict=True)
        if is_evidence(update.effective)
    ]
    if plan_date is None:
        earliest = min(evidence, key=lambda found: found[0].end or date.max, default=None)
        return no_later_than(earliest[0]) if earliest else fallback
    evidence = [found for found in evidence if not found[0].inferred]
    earliest = min(evidence, key=lambda found: found[0].end or date.max, default=None)
    if earliest and plan_date.start and earliest[0].end and plan_date.start > earliest[0].end:
        raise InvalidCommand(
            f"--plan-date {plan_date.text!r} is later than the document's earliest dated "
            f"evidence, {earliest[0].text!r} ({earliest[1]}): the plan was agreed before that"
        )
    return plan_date


def _recommendation(
    rec: ParsedRecommendation, fallback: FuzzyDate, warnings: list[ParseWarning]
) -> RecommendationDocument:
    updates = place_updates(rec.ref, rec.updates, fallback, warnings)
    sub_actions = tuple(_sub_action(rec, action, fallback, warnings) for action in rec.sub_actions)
    dated = [
        u.effective
        for u in (*updates, *(u for a in sub_actions for u in a.updates))
        if is_evidence(u.effective)
    ]
    earliest = min(dated, key=lambda d: d.end or date.max) if dated else None
    raised = no_later_than(earliest) if earliest else fallback
    stated = read_status(
        rec,
        updates,
        fallback,
        lambda message: warnings.append(ParseWarning(rec.line, f"{rec.ref}: {message}")),
    )
    sub_actions = inherit(rec.ref, stated, sub_actions, warnings)
    return RecommendationDocument(
        ref=rec.ref,
        text=rec.text,
        agency=rec.agency,
        leads=rec.leads,
        target=_own_target(rec, sub_actions, warnings),
        raised=raised,
        sub_actions=sub_actions,
        updates=tuple(updates),
        status=stated.status,
        status_basis=stated.basis,
        status_date=stated.date,
        theme=rec.theme,
        line=rec.line,
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
    updates = place_updates(ref, action.updates, fallback, warnings)
    stated = read_status(
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
        status=stated.status,
        status_basis=stated.basis,
        status_date=stated.date,
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
