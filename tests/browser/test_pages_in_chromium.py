"""The pages in a real browser: the coordinator moves the plan's date, an agency lead
records an update and is refused another agency's, the auditor finds nothing to write."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import OTHERS, OWN, Seeded

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Any, url: str, token: str) -> None:
    """With the keyboard alone: the field, the token, Enter."""
    page.goto(f"{url}/signin")
    page.get_by_label("Token").focus()
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/plans")


def test_the_coordinator_moves_the_plan_from_december_2013_to_february_2014(
    page: Any, site: tuple[str, Seeded], tmp_path: Path
) -> None:
    url, seeded = site
    sign_in(page, url, seeded.tokens["coordinator"])
    page.get_by_role("link", name="dhr2").click()
    feb = page.locator("[data-testid=update] strong", has_text="Feb 2014")
    page.get_by_label("As at", exact=True).fill("2013-12-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**as_at=2013-12-31**")
    assert page.get_by_test_id("state").inner_text().startswith("As at 2013-12-31")
    assert feb.count() == 0
    page.get_by_label("As at", exact=True).fill("2014-02-28")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**as_at=2014-02-28**")
    assert feb.count() >= 5, "the Feb 2014 updates appear"
    shot = tmp_path / "plan-as-at-2014-02-28.png"
    page.set_viewport_size({"width": 1280, "height": 2200})  # the first rows' Feb 2014 updates
    page.screenshot(path=str(shot))
    if os.environ.get("RECLEDGER_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(shot, DOCS / shot.name)
    assert page.locator("img[alt^='Line chart']").evaluate("i => i.naturalWidth") > 0


def test_an_agency_lead_records_an_update_and_is_refused_another_agencys(
    page: Any, site: tuple[str, Seeded]
) -> None:
    url, seeded = site
    sign_in(page, url, seeded.tokens["wmp_lead"])
    page.goto(f"{url}/plans/dhr2/r/{OWN}")
    page.get_by_label("When (date of the update)").fill("2014-03-05")
    page.get_by_label("What was done").fill("Supervisors briefed on the dashboard")
    page.get_by_role("button", name="Record update").click()
    page.wait_for_load_state()
    assert "Recorded (1 event)" in page.get_by_role("status").inner_text()
    last = page.get_by_test_id("timeline").locator("tbody tr").last
    assert "Supervisors briefed on the dashboard" in last.inner_text()
    assert last.locator(".actor").inner_text() == "Wes Lead"

    page.goto(f"{url}/plans/dhr2/r/{OTHERS}")
    assert page.get_by_test_id("write-controls").count() == 0
    # The form is not offered; sent anyway (the own page's form aimed at the other), refused.
    page.goto(f"{url}/plans/dhr2/r/{OWN}")
    page.locator(f"form[action$='{OWN}/updates']").evaluate(
        "(form, other) => form.setAttribute('action', other)",
        f"/plans/dhr2/r/{OTHERS}/updates",
    )
    page.get_by_label("When (date of the update)").fill("2014-03-05")
    page.get_by_label("What was done").fill("Not mine to record")
    page.get_by_role("button", name="Record update").click()
    page.wait_for_load_state()
    assert "may not change" in page.get_by_role("alert").inner_text()  # on the item's page
    assert page.get_by_role("heading", name=OTHERS).count() == 1
    page.goto(f"{url}/plans/dhr2/r/{OTHERS}")
    assert "Not mine to record" not in page.content()

    # Refused (the page read before someone else's change): shown again, the text kept.
    page.goto(f"{url}/plans/dhr2/r/{OWN}")
    page.locator(f"form[action$='{OWN}/updates'] [name=expected_version]").evaluate(
        "field => { field.value = '1' }"
    )
    page.get_by_label("When (date of the update)").fill("2014-03-06")
    page.get_by_label("What was done").fill("Kept when refused")
    page.get_by_role("button", name="Record update").click()
    page.wait_for_load_state()
    assert "someone changed it since you read it" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("What was done").input_value() == "Kept when refused"
    assert page.get_by_label("When (date of the update)").input_value() == "2014-03-06"


def test_the_auditor_finds_no_write_controls(page: Any, site: tuple[str, Seeded]) -> None:
    url, seeded = site
    sign_in(page, url, seeded.tokens["auditor"])
    for path in ("/plans", "/plans/dhr2", f"/plans/dhr2/r/{OWN}", f"/plans/dhr2/r/{OTHERS}"):
        page.goto(f"{url}{path}")
        assert page.locator("form[method=post]").count() == 1, path  # signing out only
        assert page.locator("textarea").count() == 0, path
        buttons = set(page.get_by_role("button").all_inner_texts())
        assert buttons <= {"Sign out", "Show", "Compare", "Board report"}, (path, buttons)


@pytest.mark.parametrize(
    "path",
    [
        "/signin",
        "/plans",
        "/plans/dhr2?as_at=2014-02-28",
        f"/plans/dhr2/r/{OWN}",
        "/proposals",
        "/requests",
        "/inbox",
        "/directory",
        "/search?q=marac+training*&kind=update",
        "/national",
    ],
)
def test_every_page_passes_axe_core_accessibility_checks(
    page: Any, site: tuple[str, Seeded], path: str
) -> None:
    """axe-core (WCAG 2.x A and AA rules: labels, contrast, landmarks, names of controls)."""
    from axe_playwright_python.sync_playwright import Axe

    url, seeded = site
    if path != "/signin":
        sign_in(page, url, seeded.tokens["coordinator"])
    page.goto(f"{url}{path}")
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    assert results.violations_count == 0, results.generate_report()


def test_a_printed_plan_has_no_controls_and_starts_each_section_on_a_page(
    page: Any, site: tuple[str, Seeded]
) -> None:
    url, seeded = site
    sign_in(page, url, seeded.tokens["coordinator"])
    page.goto(f"{url}/plans/dhr2?as_at=2014-02-28")
    page.emulate_media(media="print")
    assert page.locator("form").count() == 4  # sign out, the dates, board report, raise
    assert not any(form.is_visible() for form in page.locator("form").all())
    assert not page.get_by_role("button", name="Sign out").is_visible()
    breaks = page.locator("section.section").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks[0] == "auto" and set(breaks[1:]) == {"page"}
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_the_coordinator_searches_every_plan_and_narrows_to_updates(
    page: Any, site: tuple[str, Seeded], tmp_path: Path
) -> None:
    url, seeded = site
    sign_in(page, url, seeded.tokens["coordinator"])
    page.get_by_role("link", name="Search").click()
    page.get_by_label('Words, "a phrase", or a prefix*').fill('"risk assessment"')
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=%22risk+assessment%22**")
    hits = page.get_by_test_id("hit")
    assert hits.count() >= 2
    marked = " ".join(page.locator("[data-testid=hit] mark").all_inner_texts()).lower().split()
    assert marked and all(word.startswith(("risk", "assess")) for word in marked)
    page.get_by_text("Filters").click()
    page.get_by_label("Kind").select_option("update")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**kind=update**")
    assert all("update" in t for t in page.locator("[data-testid=hit] small").all_inner_texts())
    shot = tmp_path / "search.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("RECLEDGER_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(shot, DOCS / shot.name)
    hits.first.get_by_role("link").click()
    page.wait_for_url("**/plans/dhr2/r/**")
