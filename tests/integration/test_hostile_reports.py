"""A hostile plan's Markdown reports, on both backends: markup and table syntax typed into
any field (title, recommendation text, agency, leads, updates, reasons, evidence, the
actor's name) is shown as text by a viewer that renders HTML, never obeyed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest
from markdown_it import MarkdownIt

from adapters.reports.render import board_report, plan_report
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from service import command_models as cmd
from service.ledger import Ledger

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE = f"a | b {SCRIPT}\nsecond line {IMAGE} \\| c \\<i>d\\\n&lt; end \\"
"""Text with markup, a pipe, newlines, backslashes (before a pipe, markup, a newline, the
end) and an entity."""
ONE_LINE = f"x | {IMAGE} {SCRIPT}"
"""The same, for the fields that are one line (title, agency, leads, actor)."""
ACTOR = f"<b>Eve</b> | {IMAGE}"


@pytest.fixture
def hostile(db_url: str) -> Iterator[Ledger]:
    ledger = bootstrap(Settings(db=db_url, actor="setup"))
    with acting_as_owner(ACTOR, "test"):
        ledger.open_plan(cmd.OpenPlan(plan_id="evil", title=ONE_LINE, partnership=ONE_LINE))
        rec = "imr/evil-agency/1"
        ledger.raise_recommendation(
            "evil",
            cmd.RaiseRecommendation(
                ref=rec,
                text=HOSTILE,
                agency=ONE_LINE,
                leads=[ONE_LINE, "=HYPERLINK(1)"],
                target=FuzzyDate.given("2014-01-31"),
                effective=FuzzyDate.given("2014-01-01"),
            ),
        )
        ledger.raise_recommendation(
            "evil",
            cmd.RaiseRecommendation(
                ref="overview/1",
                text="=1+1",
                target=FuzzyDate.given("2014-06-30"),
                effective=FuzzyDate.given("2014-01-01"),
            ),
        )
        ledger.change("evil", rec, cmd.AddSubAction(text=HOSTILE, leads=[ONE_LINE]))
        ledger.change(
            "evil", rec, cmd.RecordProgress(text=HOSTILE, effective=FuzzyDate.given("2014-02-01"))
        )
        ledger.change(
            "evil",
            rec,
            cmd.ReviseTarget(
                target=FuzzyDate.given("2014-12-31"),
                reason=HOSTILE,
                effective=FuzzyDate.given("2014-02-02"),
            ),
        )
        ledger.change("evil", rec, cmd.Reassign(reason=HOSTILE, leads=[ONE_LINE, "second"]))
        ledger.change(
            "evil",
            "overview/1",
            cmd.Complete(effective=FuzzyDate.given("2014-03-01"), evidence=HOSTILE),
        )
        ledger.change("evil", rec, cmd.Correct(event="3", reason=HOSTILE, text=HOSTILE + " fixed"))
    yield ledger
    ledger.close()


def _rendered(markdown: str) -> str:
    """The report as a Markdown viewer that renders HTML shows it (GFM tables)."""
    return str(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))


def _tables(html: str) -> list[list[int]]:
    """Each table's cells per row, header first."""
    return [
        [len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
        for table in re.findall(r"<table>(.*?)</table>", html, re.S)
    ]


def _markdown_reports(ledger: Ledger) -> dict[str, str]:
    with acting_as_owner(ACTOR, "test"):
        return {
            "plan": plan_report(ledger.plan_as_at("evil", date(2026, 1, 1)), "md").decode(),
            "board": board_report(
                ledger.board_report("evil", date(2014, 1, 1), date(2026, 1, 1)), "md"
            ).decode(),
        }


def test_no_markup_typed_into_a_field_survives_into_the_markdown_reports(
    hostile: Ledger,
) -> None:
    """Issue 25, defect 10: the Markdown export passed raw <script> and <img onerror>
    from the fields people type (text, updates, leads, agency, title, reasons)."""
    for name, markdown in _markdown_reports(hostile).items():
        html = _rendered(markdown)
        for tag in ("<script", "<img", "<b>"):
            assert tag not in html, (name, tag)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name  # shown, as text
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, name


def test_pipes_newlines_and_backslashes_in_a_field_show_as_typed_in_one_cell(
    hostile: Ledger,
) -> None:
    """Issue 25, defect 10: escaping the markup must not change what a cell shows: its
    pipes stay in the cell (every row has its header's number of cells), its lines are
    lines, and a backslash before markup or a line end is shown, not taken as Markdown's
    escape (which turned the line break into the text '<br>')."""
    for name, markdown in _markdown_reports(hostile).items():
        html = _rendered(markdown)
        tables = _tables(html)
        assert tables, name
        for rows in tables:
            assert len(rows) > 1 and set(rows) == {rows[0]}, (name, rows)
        cells = [
            unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br ?/?>", "\n", cell)))
            for cell in re.findall(r"<td>(.*?)</td>", html, re.S)
        ]
        assert any(HOSTILE in cell for cell in cells), (name, [c for c in cells if "a | b" in c])
