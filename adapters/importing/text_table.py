"""Importer for action plans extracted from Word tables as text: one row per line, cells
separated by tabs, HTML fragments in cells, page headers/footers and column-header rows
repeated at every page break.

This module is the public face of the importing package:

* ``parse_plan_text(text)`` \u2014 the whole text document -> ``ParsedPlan``;
* ``parse_rows(rows)`` \u2014 the core any table reader (CSV, XLSX) can feed with
  ``(line number, cells)`` rows, section headings included as one-cell rows;
* ``match_columns``, ``html_to_text``, ``slugify``, ``ref_sort_key`` \u2014 reusable helpers.

The parser never interprets dates and never drops text silently: what it cannot place it
keeps verbatim in a ``ParseWarning`` for a person to review.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from adapters.importing.assemble import assemble, is_heading
from adapters.importing.columns import match_columns
from adapters.importing.finalise import finalise
from adapters.importing.html_text import html_to_text
from adapters.importing.model import (
    ParsedPlan,
    ParsedRecommendation,
    ParsedSubAction,
    ParsedUpdate,
    ParseWarning,
    PlanParseError,
)
from adapters.importing.refs import ref_sort_key, slugify

__all__ = [
    "ParseWarning",
    "ParsedPlan",
    "ParsedRecommendation",
    "ParsedSubAction",
    "ParsedUpdate",
    "PlanParseError",
    "html_to_text",
    "match_columns",
    "parse_plan_text",
    "parse_rows",
    "ref_sort_key",
    "slugify",
]

_FURNITURE = re.compile(
    r"confidential|not to be (?:photo)?copied|^page \d+(?: of \d+)?$|^\d+$", re.IGNORECASE
)
_ACTION_PLAN = re.compile(r"^action plan$", re.IGNORECASE)
_PARTNERSHIP = re.compile(r"\b(?:partnership|board|csp)\b", re.IGNORECASE)
_TITLE = re.compile(r"\b(?:review|case|inquiry|audit|inspection|plan)\b", re.IGNORECASE)
_VERSION = re.compile(
    r"(?:\b\d+(?:st|nd|rd|th)\s+|\b(?:first|second|third|final|draft)\s+)?\bversion\b"
    r"(?:\s+\d+(?:\.\d+)*)?(?:\s*,?\s*dated\s+(?P<date>.+?))?\s*$",
    re.IGNORECASE,
)


def parse_rows(
    rows: list[tuple[int, list[str]]],
    *,
    columns: dict[str, int] | None = None,
    truncated: bool | None = None,
) -> tuple[tuple[ParsedRecommendation, ...], tuple[ParseWarning, ...]]:
    """Rows of cells -> recommendations and warnings (sorted by line).

    Column-header rows (found with ``match_columns``) may appear anywhere and repeat; pass
    ``columns`` when the source has none. One-cell rows "Overview Report Recommendations"
    and "Agency: X" open sections. ``truncated`` says whether the source ends mid-row;
    None lets the parser judge from the last row.
    """
    raws, warnings = assemble(rows, columns, truncated)
    if not raws:
        first = rows[0][0] if rows else None
        raise PlanParseError(
            "no recommendations found: no row under a column header row has a number in its "
            "number column ('No', '#', 'Ref') or starts 'Recommendation No N'",
            first,
        )
    recommendations = finalise(raws, warnings)
    return tuple(recommendations), tuple(sorted(warnings, key=lambda warning: warning.line))


@dataclass
class _Scan:
    preamble: list[tuple[int, str]] = field(default_factory=list)
    furniture: list[tuple[int, str]] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _scan(lines: list[str]) -> _Scan:
    """Sort lines into the title block, page furniture and table rows (headings included)."""
    first_row = next((i for i, line in enumerate(lines) if "\t" in line), None)
    if first_row is None:
        raise PlanParseError("no table found: no line has tab-separated cells")
    plain = Counter(line.strip() for line in lines if line.strip() and "\t" not in line)
    scan = _Scan()
    for index, line in enumerate(lines):
        number, stripped = index + 1, line.strip()
        if not stripped:
            continue
        if "\t" in line or is_heading(stripped):
            scan.rows.append((number, line.split("\t") if "\t" in line else [stripped]))
        elif index < first_row:
            scan.preamble.append((number, stripped))
        elif (
            plain[stripped] > 1
            or _FURNITURE.search(stripped)
            or _ACTION_PLAN.match(stripped)
            or any(stripped == text for _, text in scan.preamble)
        ):
            scan.furniture.append((number, stripped))
        else:
            scan.rows.append((number, [stripped]))
    return scan


@dataclass(frozen=True)
class _TitleBlock:
    title: str = ""
    partnership: str = ""
    version_label: str = ""
    version_date: str = ""
    warnings: tuple[ParseWarning, ...] = ()


def _first(lines: list[tuple[int, str]], pattern: re.Pattern[str]) -> tuple[int, str] | None:
    return next(((n, text) for n, text in lines if pattern.search(text)), None)


def _title_block(scan: _Scan) -> _TitleBlock:
    """Title, partnership and version from the lines above the table (version also from
    the page footer); title-block lines that are none of these are warned, not dropped."""
    unread = [(n, text) for n, text in scan.preamble if not _ACTION_PLAN.match(text)]
    version = next(
        ((n, m) for n, text in unread + scan.furniture if (m := _VERSION.search(text))), None
    )
    if version is not None and version[1].start() == 0:  # a line that is only the version
        unread = [(n, text) for n, text in unread if n != version[0]]
    partnership = _first(unread, _PARTNERSHIP)
    unread = [line for line in unread if line != partnership]
    title = _first(unread, _TITLE) or (unread[0] if unread else None)
    warnings = tuple(
        ParseWarning(n, f"text above the table not read as title, partnership or version: {t!r}")
        for n, t in unread
        if (n, t) != title
    )
    return _TitleBlock(
        title=title[1] if title else (partnership[1] if partnership else ""),
        partnership=partnership[1] if partnership else "",
        version_label=version[1].group(0).strip() if version else "",
        version_date=(version[1]["date"] or "").strip() if version else "",
        warnings=warnings,
    )


def _ends_mid_row(text: str, lines: list[str]) -> bool | None:
    """No final newline and a last row that stops mid-sentence: the extract was cut short."""
    last = next((line for line in reversed(lines) if line.strip()), "")
    if text.endswith("\n") or "\t" not in last:
        return None
    ending = html_to_text(last.split("\t")[-1] or last).rstrip()
    return True if ending and ending[-1] not in ".!?)\"'\u2019\u201d" else None


def parse_plan_text(text: str) -> ParsedPlan:
    """Parse a whole text-extracted action plan; raises ``PlanParseError`` if it is not one."""
    if not text.strip():
        raise PlanParseError("empty document: there is no text to parse")
    lines = text.splitlines()
    scan = _scan(lines)
    recommendations, warnings = parse_rows(scan.rows, truncated=_ends_mid_row(text, lines))
    block = _title_block(scan)
    return ParsedPlan(
        title=block.title,
        partnership=block.partnership,
        version_label=block.version_label,
        version_date=block.version_date,
        recommendations=recommendations,
        warnings=tuple(sorted(block.warnings + warnings, key=lambda warning: warning.line)),
    )
