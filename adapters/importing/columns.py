"""Which column holds what: header cells matched loosely, so column order may vary.

Shared by every importer (text, CSV, XLSX): they all hand a header row to
``match_columns`` and get back role -> column index.
"""

from __future__ import annotations

import re

RECOMMENDATION = "recommendation"
NUMBER = "number"
AGENCY = "agency"
LEADS = "leads"
TARGET = "target"
UPDATES = "updates"
ACTION = "action"
STATUS = "status"
RAG = "rag"
THEME = "theme"

ROLES = (RECOMMENDATION, AGENCY, LEADS, TARGET, UPDATES, NUMBER, ACTION, STATUS, RAG, THEME)
EXPECTED = (AGENCY, LEADS, TARGET, UPDATES)
"""Roles a plan's table is expected to have; a missing one is reported."""

# Checked in this order: the first role whose pattern matches a header cell wins.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        NUMBER,
        re.compile(
            r"^(?:#|nos?\.?|number|item|ref(?:erence)?\.?(?:\s*(?:no\.?|number))?|rec\.?|"
            r"rec(?:ommendation)?\.?\s*(?:no\.?|number|ref\.?|#))$"
        ),
    ),
    (RAG, re.compile(r"\bb?rag\b|red\s*/\s*amber|amber\s*/\s*green")),
    (THEME, re.compile(r"^(?:theme|section|priority|strand|workstream|key (?:theme|area))s?$")),
    (
        UPDATES,
        re.compile(r"summary|progress|action(?:s)? taken|\bupdates?\b|milestone|current position"),
    ),
    (STATUS, re.compile(r"\bstatus\b")),
    (
        TARGET,
        re.compile(
            r"\btarget|deadline|completion date|date for completion|due date|time\s?scale"
            r"|time\s?frame|by when"
        ),
    ),
    (ACTION, re.compile(r"\bactions?\b")),
    (AGENCY, re.compile(r"lead agency|addressed to|\bagency\b|organi[sz]ation")),
    (LEADS, re.compile(r"implementation lead|\blead|responsible|\bowner")),
    (RECOMMENDATION, re.compile(r"recommendation")),
)


def role_of(header_cell: str) -> str | None:
    """The role a single header cell names, or None if it names none we know."""
    text = re.sub(r"\s+", " ", header_cell).strip().lower()
    if not text:
        return None
    for role, pattern in _RULES:
        if pattern.search(text):
            return role
    return None


def match_columns(header_cells: list[str]) -> dict[str, int]:
    """Map each recognised role to the index of the first header cell naming it.

    "Action Required by Agency" names the actions when another column names the agency,
    else the agency itself (the DHR form, whose cells name the agency and, in some rows,
    list its actions)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        role = role_of(cell)
        if role is not None and role not in columns:
            columns[role] = index
    action = columns.get(ACTION)
    if action is not None and AGENCY not in columns and "agency" in header_cells[action].lower():
        columns[AGENCY] = columns.pop(ACTION)
    return columns


def looks_like_header(cells: list[str]) -> bool:
    """A column-header row: names a recommendation column and another role, all cells short."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if not filled or any(len(cell.split()) > 8 for cell in filled):
        return False
    if any(re.match(r"(?i)recommendation\s+(?:no\.?\s*)?\d", cell) for cell in filled):
        return False
    columns = match_columns(cells)
    return RECOMMENDATION in columns and len(columns) >= 2
