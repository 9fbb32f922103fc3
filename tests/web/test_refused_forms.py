"""A refused form (issue 27 item 5) over HTTP (in-process): the page it was on comes back,
with the refusal's status and message where messages are shown and what was typed in that
form, and only that form; nothing is recorded; the way back never leads off the site."""

from __future__ import annotations

import html as markup
import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import OWN, Seeded, auth
from tests.web.test_pages import PAGE, csrf_of, sign_in


def version_of(html: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found
    return found.group(1)


def field(html: str, id: str) -> str:
    """The value a page's input or text area (by its id) is shown with."""
    found = re.search(rf'<textarea id="{id}"[^>]*>([^<]*)</textarea>', html) or re.search(
        rf'<input id="{id}"[^>]*value="([^"]*)"', html
    )
    assert found, f"no field {id}"
    return markup.unescape(found.group(1))


def refusal(html: str) -> str:
    found = re.search(r'<p class="error" role="alert" data-testid="refused">([^<]*)</p>', html)
    assert found, "the refusal is shown where messages are"
    return markup.unescape(found.group(1))


def test_a_refused_update_shows_the_item_again_with_the_text_in_that_form_only(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["wmp_lead"])
    page = client.get(PAGE).text
    typed = "Supervisors briefed <b>twice</b>"
    answer = client.post(
        f"{PAGE}/updates",
        data={"csrf": csrf_of(page), "form": "updates", "expected_version": version_of(page),
              "effective": "2014-02-30", "text": typed},
    )  # fmt: skip
    assert answer.status_code == 422
    assert f"<h1>{OWN}</h1>" in answer.text, "the item's own page"
    assert "not one on the calendar" in refusal(answer.text)
    assert field(answer.text, "u-text") == typed and "<b>twice" not in answer.text
    assert field(answer.text, "u-effective") == "2014-02-30"
    for other in ("n-text", "x-text", "a-leads", "t-reason", "c-evidence"):
        assert field(answer.text, other) == "", other
    assert version_of(answer.text) == version_of(page), "nothing was recorded"
    assert typed not in client.get(PAGE).text


def test_a_refused_completion_opens_its_form_with_the_evidence_typed(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    page = client.get(PAGE).text
    assert "<details open><summary>Complete" not in page
    answer = client.post(
        f"{PAGE}/completion",
        data={"csrf": csrf_of(page), "form": "completion", "expected_version": version_of(page),
              "effective": "Ongoing", "evidence": "The audit of March"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "'Ongoing' is not a date on the calendar" in refusal(answer.text)
    assert field(answer.text, "c-evidence") == "The audit of March"
    assert field(answer.text, "c-effective") == "Ongoing"
    assert "<details open><summary>Complete" in answer.text
    assert field(answer.text, "u-text") == ""


def test_a_change_on_a_stale_version_is_shown_again_to_send_on_the_current_one(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    page = client.get(PAGE).text
    read = version_of(page)
    meanwhile = client.post(
        f"/api/plans/dhr2/recommendations/{OWN}/targets",
        json={"target": "Jan 2014", "reason": "brought forward", "expected_version": int(read)},
        headers=auth(seeded.tokens["coordinator"]),
    )
    assert meanwhile.status_code == 201, meanwhile.text
    sent = {"csrf": csrf_of(page), "form": "updates", "effective": "2014-03-03",
            "text": "Written on the old version"}  # fmt: skip
    answer = client.post(f"{PAGE}/updates", data={**sent, "expected_version": read})
    assert answer.status_code == 409
    assert "someone changed it since you read it" in refusal(answer.text)
    assert field(answer.text, "u-text") == "Written on the old version"
    current = version_of(answer.text)
    assert int(current) > int(read), "the page as it is now, to send again"
    again = client.post(f"{PAGE}/updates", data={**sent, "expected_version": current})
    assert again.status_code == 200 and "Recorded (1 event)" in again.text


def test_a_refused_update_from_the_inbox_stays_on_the_inbox_with_its_text(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["wmp_lead"])
    inbox = client.get("/inbox").text
    name = f"overdue dhr2 {OWN}"
    form = re.search(
        rf'<form method="post" action="([^"]+)"[^>]*>(?:(?!</form>).)*value="{name}"', inbox, re.S
    )
    assert form, "the update form of the overdue item"
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    answer = client.post(
        form.group(1),
        data={**fields, "csrf": csrf_of(inbox), "effective": "2014-13-01",
              "text": "Typed in the inbox"},
    )  # fmt: skip
    assert fields["back"] == "/inbox" and fields["form"] == name
    assert answer.status_code == 422 and "<h1>Inbox</h1>" in answer.text
    assert "not one on the calendar" in refusal(answer.text)
    assert answer.text.count('value="Typed in the inbox"') == 1, "in the form posted only"
    posted = answer.text.split(f'value="{name}"', 1)[1].split("</form>", 1)[0]
    assert 'value="Typed in the inbox"' in posted and 'value="2014-13-01"' in posted


def test_a_change_never_goes_back_to_a_page_not_listed(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    for back in ("https://evil.example/", "/plans", "//evil.example/inbox"):
        page = client.get(PAGE).text
        body = {"csrf": csrf_of(page), "form": "updates", "back": back,
                "effective": "2014-03-03", "text": f"Back to {back}"}  # fmt: skip
        refused = client.post(f"{PAGE}/updates", data={**body, "expected_version": "1"},
                              follow_redirects=False)  # fmt: skip
        assert refused.status_code == 409 and f"<h1>{OWN}</h1>" in refused.text, back
        answer = client.post(f"{PAGE}/updates", data={**body, "expected_version": version_of(page)},
                             follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == PAGE, back


def test_the_raise_and_alias_forms_are_shown_again_with_what_was_typed(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    for name, slug in (("Alpha Trust", "alpha"), ("Beta Council", "beta")):
        entered = client.post("/api/directory/agencies", json={"name": name, "slug": slug},
                              headers=coordinator)  # fmt: skip
        assert entered.status_code == 201, entered.text
    sign_in(client, seeded.tokens["coordinator"])
    plan = client.get("/plans/dhr2").text
    raised = client.post(
        "/plans/dhr2/recommendations",
        data={"csrf": csrf_of(plan), "form": "raise", "ref": "overview/1",
              "text": "A second overview/1", "leads": "Ann\nBob"},
    )  # fmt: skip
    assert raised.status_code == 409 and "<h1>Domestic Homicide Review" in raised.text
    assert "Not recorded" in refusal(raised.text)
    assert field(raised.text, "r-ref") == "overview/1"
    assert field(raised.text, "r-text") == "A second overview/1"
    assert field(raised.text, "r-leads") == "Ann\nBob"

    directory = client.get("/directory").text
    action = "/directory/agencies/alpha/aliases"
    taken = client.post(action, data={"csrf": csrf_of(directory), "form": action,
                                      "alias": "Beta Council"})  # fmt: skip
    assert taken.status_code == 409 and "<h1>Directory</h1>" in taken.text
    assert "Beta Council" in refusal(taken.text)
    assert taken.text.count('value="Beta Council"') == 1, "in Alpha's form only"
    alpha = taken.text.split(f'value="{action}"', 1)[1].split("</form>", 1)[0]
    assert 'value="Beta Council"' in alpha


def test_an_import_preview_shows_what_would_be_recorded_and_records_nothing(
    client: TestClient, seeded: Seeded, seed_plan: Path
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    csrf = csrf_of(client.get("/plans").text)
    typed = {"plan": "copy", "version": "v9", "version_date": "29 May 2014",
             "plan_date": "March 2013"}  # fmt: skip
    preview = client.post(
        "/import",
        files={"file": ("case 2.txt", seed_plan.read_bytes())},
        data={"csrf": csrf, "form": "import", "preview": "yes", **typed},
    )
    assert preview.status_code == 200, preview.text[:500]
    assert "Importing it would record" in preview.text
    assert "Nothing has been recorded" in preview.text
    assert "<td>overview/1</td><td>ProgressRecorded</td>" in preview.text
    assert "line 145: CRI Pathway to Recovery rec 2" in preview.text  # the warnings
    assert all(field(preview.text, name) == value for name, value in typed.items())
    assert "/plans/copy" not in client.get("/plans").text  # nothing recorded
    recorded = client.post(
        "/import",
        files={"file": ("case 2.txt", seed_plan.read_bytes())},
        data={"csrf": csrf, "form": "import", **typed},
        follow_redirects=False,
    )
    assert recorded.status_code == 303 and recorded.headers["location"] == "/plans/copy"


def test_a_refused_import_keeps_its_fields(
    client: TestClient, seeded: Seeded, seed_plan: Path
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    answer = client.post(
        "/import",
        files={"file": ("case 2.txt", seed_plan.read_bytes())},
        data={"csrf": csrf_of(client.get("/plans").text), "form": "import", "plan": "copy",
              "plan_date": "someday"},
    )  # fmt: skip
    assert answer.status_code == 422 and "plan_date" in refusal(answer.text)
    assert field(answer.text, "plan") == "copy" and field(answer.text, "plan_date") == "someday"
