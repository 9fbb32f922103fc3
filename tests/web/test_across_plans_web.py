"""Across plans over HTTP (in-process). Search: ``GET /api/search`` answers what the ledger
finds, in the shape the OpenAPI document gives, filtered, and for a token limited to another
plan, nothing of this one; the page ``/search`` keeps its query and filters in its URL,
marks the words found (escaped: a text is never markup), and links each to its item. What
was asked of national bodies: ``GET /api/national``."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import Seeded, auth
from tests.web.test_pages import sign_in


def test_the_api_finds_by_stem_phrase_and_prefix_with_filters(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    found = client.get("/api/search", params={"q": '"harm assessment"'}, headers=coordinator)
    assert found.status_code == 200, found.text
    hits = found.json()
    assert hits and all("harm assessment" in hit["text"].lower() for hit in hits)
    marked = {
        w for h in hits for p in h["snippet"] if p["found"] for w in p["text"].lower().split()
    }
    assert marked and all(word.startswith(("harm", "assess")) for word in marked)  # or stems
    updates = client.get(
        "/api/search",
        params={"q": "safeguard*", "kind": "update", "agency": "West Mercia Police",
                "as_at": "2014-03"},
        headers=coordinator,
    ).json()  # fmt: skip
    assert updates and {(h["kind"], h["agency"]) for h in updates} == {
        ("update", "West Mercia Police")
    }
    before = client.get(
        "/api/search", params={"q": "safeguard*", "as_at": "2012-12-31"}, headers=coordinator
    ).json()
    assert before == []
    refused = client.get("/api/search", params={"q": "***"}, headers=coordinator)
    assert refused.status_code == 422 and "nothing to search for" in refused.text


def test_a_token_limited_to_another_plan_finds_nothing_of_this_one(
    client: TestClient, seeded: Seeded
) -> None:
    scoped = auth(seeded.tokens["scoped"])
    answer = client.get("/api/search", params={"q": "police"}, headers=scoped)
    assert answer.status_code == 404, answer.text  # narrowed to its plan, which is not here
    assert "dhr2" not in answer.text


def test_the_page_keeps_the_query_in_its_url_and_marks_the_words_found(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    page = client.get("/search", params={"q": "marac", "kind": "sub_action"})
    assert page.status_code == 200, page.text
    assert 'value="marac"' in page.text and '<option value="sub_action" selected>' in page.text
    items = re.findall(r'<li data-testid="hit">(.*?)</li>', page.text, re.S)
    assert items and all("<mark>MARAC</mark>" in item for item in items)
    assert all('href="/plans/dhr2/r/' in item for item in items)
    empty = client.get("/search")
    assert empty.status_code == 200 and 'data-testid="search-results"' not in empty.text
    nothing = client.get("/search", params={"q": "xylophone"})
    assert "Nothing found" in nothing.text


def test_the_api_lists_what_was_asked_of_a_national_body(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    assert client.get("/api/national", headers=coordinator).json() == []
    made = client.post(
        "/api/directory/agencies",
        json={"name": "West Mercia Police", "kind": "national"},  # as if it were one
        headers=coordinator,
    )
    assert made.status_code == 201, made.text
    found = client.get("/api/national", params={"as_at": "2014-03"}, headers=coordinator)
    assert found.status_code == 200, found.text
    items = found.json()
    assert items and {i["agency"] for i in items} == {"West Mercia Police"}
    assert all(i["days"] is not None and i["days"] >= 0 for i in items)
    assert any(i["response"] and i["response"]["text"] for i in items)
    sign_in(client, seeded.tokens["coordinator"])
    page = client.get("/national", params={"as_at": "2014-03"})
    assert page.status_code == 200, page.text
    rows = re.findall(r'<tr>\s*<td><a href="/plans/dhr2/r/([^"]+)">', page.text)
    assert sorted(rows) == sorted(i["ref"] for i in items)


def test_a_recommendation_page_shows_what_other_plans_said_before(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    assert client.post("/api/plans", json={"plan_id": "dhr9", "title": "Nine"},
                       headers=coordinator).status_code == 201  # fmt: skip
    raised = client.post(
        "/api/plans/dhr9/recommendations",
        json={"ref": "overview/1", "text": "Review the management of the operational "
              "information system so that it is dynamic and open to scrutiny"},
        headers=coordinator,
    )  # fmt: skip
    assert raised.status_code == 201, raised.text
    sign_in(client, seeded.tokens["coordinator"])
    page = client.get("/plans/dhr9/r/overview/1")
    assert page.status_code == 200, page.text
    said = re.search(r'data-testid="said-before">(.*?)</section>', page.text, re.S)
    assert said and 'href="/plans/dhr2/r/imr/west-mercia-police/6"' in said.group(1)
