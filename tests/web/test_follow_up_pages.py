"""The requests page (/requests, issue 27 item 5) over HTTP (in-process): a coordinator sees
each request for updates of the plans they see, which of its items an update answered, and
asks again from the page; an agency lead sees the requests but no form, and is refused one
sent anyway on the page itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import OWN, Seeded, auth
from tests.web.test_pages import csrf_of, sign_in

WMP_1 = "imr/west-mercia-police/1"
"""Another open West Mercia Police item, left unanswered."""


def answers(html: str) -> dict[str, str]:
    """The requests page's rows: each item's answer cell, by ref."""
    rows = re.findall(r'<a href="/plans/dhr2/r/([^"]+)">[^<]+</a></td>\s*<td>(.*?)</td>', html)
    return {ref: re.sub(r"<[^>]+>", "", cell) for ref, cell in rows}


def test_the_requests_page_lists_a_request_and_which_of_its_items_are_answered(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    asked = client.post(
        "/api/plans/dhr2/requests",
        json={"agency": "West Mercia Police", "due": "2014-03-31", "message": "For the board"},
        headers=coordinator,
    )
    assert asked.status_code == 201, asked.text
    at = client.get(f"/api/plans/dhr2/recommendations/{OWN}", headers=coordinator).json()
    update = {"effective": "2014-03-03", "text": "Done", "expected_version": at["version"]}
    recorded = client.post(
        f"/api/plans/dhr2/recommendations/{OWN}/updates", json=update, headers=coordinator
    )
    assert recorded.status_code == 201, recorded.text
    sign_in(client, seeded.tokens["coordinator"])
    html = client.get("/requests").text
    assert 'data-testid="requests-dhr2"' in html
    found = answers(html)
    assert len(found) == asked.json()["items"]
    assert found[OWN].startswith("answered 20"), found[OWN]
    assert found[WMP_1].startswith("not answered"), found[WMP_1]
    assert f"to answer by 2014-03-31: 1 of {len(found)} answered" in html


def test_a_coordinator_asks_for_updates_from_the_requests_page(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    form = client.get("/requests").text
    assert "No requests for updates yet." in form
    assert '<option value="dhr2">' in form, "the plans this coordinator may ask about"
    answer = client.post(
        "/requests",
        data={"csrf": csrf_of(form), "form": "request", "plan": "dhr2",
              "agency": "West Mercia Police", "due": "2014-03-31", "message": "Board"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/requests"
    shown = client.get("/requests").text
    assert re.search(r'role="status">Asked for updates on \d+ open items of dhr2\.<', shown)
    assert answers(shown)[OWN] == "not answered (past the date asked)"
    kept = client.get("/api/plans/dhr2/requests", headers=auth(seeded.tokens["auditor"])).json()
    assert {(r["ref"], r["due"]) for r in kept} >= {(OWN, "2014-03-31"), (WMP_1, "2014-03-31")}


def test_a_refused_request_is_shown_again_with_what_was_typed(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    typed = {"form": "request", "plan": "dhr2", "agency": "Nobody's Agency",
             "due": "2014-04-30", "message": "Please say by the board"}  # fmt: skip
    answer = client.post("/requests", data={**typed, "csrf": csrf_of(client.get("/requests").text)})
    assert answer.status_code == 422
    said = "Not recorded: plan &#39;dhr2&#39; has no open item of Nobody&#39;s Agency"
    assert f'role="alert" data-testid="refused">{said} to ask about</p>' in answer.text
    assert 'value="Nobody&#39;s Agency"' in answer.text
    assert 'id="q-due" name="due" type="date" value="2014-04-30"' in answer.text
    assert ">Please say by the board</textarea>" in answer.text
    assert '<option value="dhr2" selected>' in answer.text
    assert "No requests for updates yet." in answer.text, "nothing was recorded"


def test_an_agency_lead_sees_the_requests_without_a_form_and_is_refused_one_sent_anyway(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    assert client.post("/api/plans/dhr2/requests", json={}, headers=coordinator).status_code == 201
    sign_in(client, seeded.tokens["wmp_lead"])
    html = client.get("/requests").text
    assert OWN in answers(html) and 'action="/requests"' not in html
    answer = client.post(
        "/requests",
        data={"csrf": csrf_of(html), "form": "request", "plan": "dhr2", "message": "Mine"},
    )
    assert answer.status_code == 403
    assert "only a coordinator may request updates" in answer.text
    assert 'data-testid="requests-dhr2"' in answer.text, "the requests page, not an error page"
    assert len(client.get("/api/plans/dhr2/requests", headers=coordinator).json()) == len(
        answers(html)
    ), "nothing more was asked"


def test_the_requests_page_shows_a_token_only_its_plans(client: TestClient, seeded: Seeded) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    assert client.post("/api/plans/dhr2/requests", json={}, headers=coordinator).status_code == 201
    sign_in(client, seeded.tokens["scoped"])
    html = client.get("/requests").text
    assert "dhr2" not in html and "No plans to show." in html
    answer = client.post("/requests", data={"csrf": csrf_of(html), "plan": "dhr2"})
    assert answer.status_code == 404 and "dhr2" in answer.text
