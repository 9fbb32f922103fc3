"""Listings for a person at a terminal: a table with a header row, columns that fit the
content and the terminal, and an ellipsis where a value is cut (``rich``). Output that is
not a terminal stays plain text, a line per row, for scripts."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from adapters.output import block, printable

if TYPE_CHECKING:  # rich loads only to draw a table, never for a script's plain text
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from projections.views import OverdueRow, RecommendationView

_COLUMNS = (
    # header, the ratio of the spare width it takes (0: as wide as its content)
    ("Ref", 0),
    ("Status", 0),
    ("RAG", 0),
    ("Target", 2),
    ("Overdue", 0),
    ("Leads", 3),
    ("Last update", 2),
    ("Agency", 2),
)
_ROOM_FOR_AGENCY = 130
"""Narrower than this, the agency column is left out so that the others stay legible."""


def views_table(
    views: Sequence[RecommendationView | OverdueRow],
    width: int,
    notes: dict[tuple[str, str], str] | None = None,
) -> Table:
    """One row per item (a sub-action's ref indented under its recommendation), and where
    ``notes`` say anything, where each stands in the follow-up cycle; stored text is
    shown, never obeyed (no markup)."""
    from rich.table import Table

    table = Table(header_style="bold", expand=True)
    several = len({view.plan for view in views}) > 1
    if several:
        table.add_column("Plan", no_wrap=True, overflow="ellipsis")
    shown = _COLUMNS if width >= _ROOM_FOR_AGENCY else _COLUMNS[:-1]
    notes = {key: note for key, note in (notes or {}).items() if note}
    if notes:
        shown = (*shown, ("Follow-up", 2))
    for header, ratio in shown:
        table.add_column(header, no_wrap=True, overflow="ellipsis", ratio=ratio or None)
    for view in views:
        latest = view.last_update
        last = "-" if latest is None else latest.effective.text
        if latest is not None and latest.correction is not None:
            last += " (corrected)"

        def mark(name: str, value: str, view: RecommendationView | OverdueRow = view) -> str:
            return f"{value} (corrected)" if name in view.corrected else value

        cells = [
            f"  {view.ref}" if view.parent else view.ref,
            view.status.value,
            view.rag or "-",
            mark("target", view.target.text if view.target else "-"),
            f"{view.days_overdue} days" if view.overdue else "",
            mark("leads", "; ".join(view.leads) or "-"),
            last,
            mark("agency", view.agency or "-"),
        ][: len(shown) - bool(notes)]
        if notes:
            cells.append(notes.get((view.plan, view.ref), ""))
        row = [view.plan, *cells] if several else cells
        table.add_row(*(_text(cell) for cell in row))
    return table


def rows_table(rows: list[dict[str, object]], fields: list[str], width: int) -> Table:
    """Any listing's rows (``leads``, ``agencies``) under a header row, within ``width``:
    counts keep their width, text gives way."""
    from rich.table import Table

    table = Table(header_style="bold")
    cells = [[_cell(row[field]) for field in fields] for row in rows]
    headers = [field.replace("_", " ").capitalize() for field in fields]
    numeric = [bool(rows) and all(isinstance(row[f], int) for row in rows) for f in fields]
    widths = [
        max(len(header), *(len(line[index]) for line in cells)) if numeric[index] else 0
        for index, header in enumerate(headers)
    ]
    texts = numeric.count(False) or 1
    room = max(8, (width - sum(widths) - 3 * len(fields) - 1) // texts)
    for header, is_number, fixed in zip(headers, numeric, widths, strict=True):
        if is_number:
            table.add_column(header, justify="right", width=fixed)
        else:
            table.add_column(header, no_wrap=True, overflow="ellipsis", max_width=room)
    for line in cells:
        table.add_row(*(_text(cell) for cell in line))
    return table


def _text(cell: str) -> Text:
    """A cell as shown, never obeyed (no markup, escapes visible); its own lines kept,
    each further one indented."""
    from rich.text import Text

    return Text("\n".join(printable(line) for line in block("", cell, "  ")))


def _cell(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def terminal() -> Console | None:
    """The terminal standard output is, if it is one. Output to a pipe or a file, where
    nothing tells rich otherwise (``TTY_COMPATIBLE``, ``FORCE_COLOR``), is none: known
    without loading rich."""
    if not {"TTY_COMPATIBLE", "FORCE_COLOR"} & os.environ.keys() and not _a_tty(sys.stdout):
        return None
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else None


def _a_tty(stream: object) -> bool:
    """Whether ``stream`` says it is a terminal, as rich asks it."""
    isatty = getattr(stream, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:  # closed
        return False
