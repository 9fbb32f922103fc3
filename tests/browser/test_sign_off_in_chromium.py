"""The follow-up cycle in a real browser (issue 27): an agency lead's inbox lists their
overdue items and records an update from there; the lead proposes a completion with its
evidence; the coordinator approves it on the approvals page; the item shows completed, and
its timeline names both."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.browser.test_pages_in_chromium import DOCS, sign_in
from tests.web.conftest import OWN, Seeded


def test_a_leads_completion_is_signed_off_by_the_coordinator(
    browser: Any, site: tuple[str, Seeded], tmp_path: Path
) -> None:
    url, seeded = site
    lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(lead, url, seeded.tokens["wmp_lead"])
    lead.get_by_role("link", name="Inbox").click()
    overdue = lead.get_by_test_id("overdue")
    assert "imr/west-mercia-police/1" in overdue.inner_text()
    assert "cri-pathway" not in lead.content()  # another agency's items are not theirs
    row = overdue.locator("tbody tr", has_text="imr/west-mercia-police/1")
    row.get_by_label("When").fill("2014-03-05")
    row.get_by_label("What was done").fill("Analyst appointed")
    row.get_by_role("button", name="Record update").click()
    lead.wait_for_url(f"{url}/inbox")
    assert "Recorded (1 event)" in lead.get_by_role("status").inner_text()
    lead.goto(f"{url}/plans/dhr2/r/{OWN}")
    lead.get_by_text("Complete", exact=True).click()
    lead.get_by_label("Completed on").fill("2014-03-31")
    lead.get_by_label("Evidence").fill("Audit report of March 2014")
    lead.get_by_role("button", name="Mark completed").click()
    lead.wait_for_load_state()
    assert "Proposed: it takes effect when a coordinator signs it off" in (
        lead.get_by_role("status").inner_text()
    )
    assert "completion proposed by Wes Lead" in lead.get_by_test_id("awaiting").inner_text()
    assert "completed" not in lead.locator("dl.facts").inner_text()
    lead.goto(f"{url}/inbox")
    assert "completion proposed by Wes Lead" in lead.get_by_test_id("proposals").inner_text()
    inbox = tmp_path / "inbox.png"
    lead.screenshot(path=str(inbox), full_page=True)
    if os.environ.get("RECLEDGER_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(inbox, DOCS / inbox.name)
    lead.goto(f"{url}/proposals")
    assert lead.get_by_role("button", name="Approve").count() == 0  # an agency lead's view

    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(coordinator, url, seeded.tokens["coordinator"])
    coordinator.get_by_role("link", name="Approvals").click()
    row = coordinator.get_by_test_id("pending").locator("tbody tr", has_text=OWN)
    assert "Audit report of March 2014" in row.inner_text()
    shot = tmp_path / "approvals-queue.png"
    coordinator.screenshot(path=str(shot), full_page=True)
    if os.environ.get("RECLEDGER_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(shot, DOCS / shot.name)
    row.get_by_label("Why (required to reject)").fill("Evidence seen at the board")
    row.get_by_role("button", name="Approve").click()
    coordinator.wait_for_load_state()
    assert "Approved: the change is made." in coordinator.get_by_role("status").inner_text()
    assert "Nothing awaits sign-off." in coordinator.get_by_test_id("pending").inner_text()
    assert "approved by Clare Coordinator" in coordinator.get_by_test_id("decided").inner_text()

    coordinator.goto(f"{url}/plans/dhr2/r/{OWN}")
    assert "completed 2014-03-31" in coordinator.locator("dl.facts").inner_text()
    timeline = coordinator.get_by_test_id("timeline").locator("tbody tr")
    who = {row.locator("td").nth(3).inner_text().split()[0]: row.locator(".actor").inner_text()
           for row in timeline.all()[-3:]}  # fmt: skip
    assert who == {
        "ChangeProposed": "Wes Lead",
        "ProposalApproved": "Clare Coordinator",
        "Completed": "Clare Coordinator",
    }
    for opened in (lead, coordinator):
        opened.context.close()


def test_the_coordinator_adds_an_agencys_other_spelling_on_the_directory_page(
    browser: Any, site: tuple[str, Seeded]
) -> None:
    import httpx

    url, seeded = site
    coordinator_token = seeded.tokens["coordinator"]
    entered = httpx.post(
        f"{url}/api/directory/agencies",
        json={"name": "South Worcestershire Community Safety Partnership", "slug": "swcsp"},
        headers={"Authorization": f"Bearer {coordinator_token}"},
    )
    assert entered.status_code == 201, entered.text
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, url, coordinator_token)
    page.get_by_role("link", name="Directory").click()
    assert "Steve Sanger" in page.get_by_test_id("unlinked").inner_text()
    row = page.get_by_test_id("agencies").locator("tbody tr", has_text="swcsp")
    row.get_by_label("Alias").fill("South Worcestershire Safety Community Partnership")
    row.get_by_role("button", name="Add alias").click()
    page.wait_for_url(f"{url}/directory")
    assert "now names the agency swcsp" in page.get_by_role("status").inner_text()
    assert "South Worcestershire Safety Community Partnership" in row.inner_text()
    counts = httpx.get(f"{url}/api/agencies", params={"plan": "dhr2"},
                       headers={"Authorization": f"Bearer {coordinator_token}"}).json()  # fmt: skip
    assert "South Worcestershire Safety Community Partnership" not in {r["agency"] for r in counts}
    page.context.close()
