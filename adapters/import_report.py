"""The import report: counts per section, the events written, every warning with its line."""

from __future__ import annotations

from collections import Counter
from typing import Any

from adapters.importing.model import ParseWarning
from projections.history import json_ready
from service.documents import PlanDocument
from service.importing import ImportOutcome


def report_json(
    document: PlanDocument,
    outcome: ImportOutcome,
    warnings: list[ParseWarning],
    *,
    dry_run: bool,
    encoding: str = "",
) -> dict[str, Any]:
    return {
        "plan": document.plan_id,
        "version": {
            "label": document.version_label,
            "date": document.version_date.to_data() if document.version_date else None,
            "file_name": document.file_name,
        },
        "encoding": encoding or None,
        "recommendations": len(document.recommendations),
        "sections": _sections(document),
        "themes": _themes(document),
        "dry_run": dry_run,
        "already_imported": outcome.already_imported,
        "unchanged_since": outcome.unchanged_since,
        "events": [
            {
                "subject": subject,
                "type": event.type_name,
                "event_id": event.event_id,
                "effective": json_ready(event.effective),
                "reason": event.reason,
                "data": json_ready(event.payload()),
            }
            for subject, event in outcome.events
        ],
        "warnings": [{"line": w.line, "message": w.message} for w in _all(warnings, outcome)],
        "said_before": [
            {**said.to_json(), "ref": ref, "other_ref": said.ref}
            for ref, said in outcome.said_before
        ],
    }


def report_text(
    document: PlanDocument,
    outcome: ImportOutcome,
    warnings: list[ParseWarning],
    *,
    dry_run: bool,
    encoding: str = "",
) -> list[str]:
    lines = [
        f"plan {document.plan_id}: {document.title}",
        f"version: {document.version_label} (from {document.file_name})",
        *([f"read as: {encoding}"] if encoding else []),
        f"recommendations: {len(document.recommendations)}",
    ]
    lines += [f"  {section}: {count}" for section, count in _sections(document).items()]
    lines += [f"  theme {theme!r}: {count}" for theme, count in _themes(document).items()]
    if outcome.already_imported:
        lines.append("this version was imported before: nothing recorded")
    elif outcome.unchanged_since is not None:
        would = "would record" if dry_run else "recorded"
        lines.append(f"unchanged since {outcome.unchanged_since}: {would} this version only")
    elif dry_run:
        lines.append(f"dry run: would record {len(outcome.events)} events (nothing written)")
        lines += [
            f"  {subject}  {event.type_name}  effective {event.effective or '-'}"
            for subject, event in outcome.events
        ]
    else:
        lines.append(f"recorded {len(outcome.events)} events")
    if outcome.unchanged_since is not None and warnings:  # given when it was read before
        lines.append(f"its {len(warnings)} reading warnings are those of {outcome.unchanged_since}")
        warnings = []
    if outcome.said_before:
        lines.append("said before: each new recommendation's closest in another plan (0-100):")
        lines += [
            f"  {ref}: {said.score:.0f} {said.plan} {said.ref} ({said.status})"
            for ref, said in outcome.said_before
        ]
    found = _all(warnings, outcome)
    if found:
        lines.append(f"warnings ({len(found)}), for a person to review:")
        lines += [f"  line {w.line}: {w.message}" if w.line else f"  {w.message}" for w in found]
    return lines


def _sections(document: PlanDocument) -> dict[str, int]:
    return dict(Counter(rec.ref.rsplit("/", 1)[0] for rec in document.recommendations))


def _themes(document: PlanDocument) -> dict[str, int]:
    return dict(Counter(rec.theme for rec in document.recommendations if rec.theme))


def _all(warnings: list[ParseWarning], outcome: ImportOutcome) -> list[ParseWarning]:
    noted = (ParseWarning(note.line, str(note)) for note in outcome.notes)
    return sorted([*warnings, *noted], key=lambda w: w.line)
