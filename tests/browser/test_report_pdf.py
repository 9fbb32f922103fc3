"""The HTML report printed by Chromium to PDF, read back page by page: nothing is cut."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from adapters.reports.render import plan_report
from adapters.reports.shape import sections
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from tests.conftest import SEED_PLAN
from tests.web.conftest import seed


def words(text: str) -> str:
    """Lower-case words, the PDF's ligatures (ﬀ, ﬁ) spelled out."""
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def test_the_printed_plan_as_at_february_2014_loses_nothing_at_page_breaks(
    browser: Any, tmp_path: Path
) -> None:
    seeded = seed(str(tmp_path / "ledger.db"), SEED_PLAN)
    ledger = bootstrap(Settings(db=seeded.db, actor="test"))
    try:
        with acting_as_owner("Audrey Auditor", "test"):
            report = ledger.plan_as_at("dhr2", date(2014, 2, 28))
    finally:
        ledger.close()
    page = browser.new_page()
    page.set_content(plan_report(report, "html").decode())
    page.emulate_media(media="print")
    # A4 landscape less 12 mm margins: 186 mm of height for a row at 96 px an inch
    tallest = page.locator("tbody tr").evaluate_all(
        "rows => Math.max(...rows.map(r => r.getBoundingClientRect().height))"
    )
    assert tallest < 186 / 25.4 * 96, "every row fits a page, so none is split (break-inside)"
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    page.close()
    pages = [set(words(p.extract_text()).split()) for p in pdf.pages]
    assert len(pages) >= len(list(sections(report.views))), "a section starts a page"
    texts = [
        text
        for view in report.views
        for item in view.items()
        for text in (item.text, *(u.text for u in item.updates))
    ]
    assert len(texts) > 40
    for text in texts:
        found = words(text).split()
        first, last = set(found[:6]), set(found[-6:])
        assert any(first <= p and last <= p for p in pages), f"cut across pages: {text[:60]}"
