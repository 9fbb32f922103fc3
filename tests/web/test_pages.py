"""The pages over HTTP (in-process): the session cookie, CSRF on every form, roles in the
forms shown and in the writes refused, and the plan as at a date."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import OTHERS, OWN, Seeded

PAGE = f"/plans/dhr2/r/{OWN}"


def sign_in(client: TestClient, token: str) -> None:
    form = client.get("/signin")
    answer = client.post(
        "/signin", data={"token": token, "csrf": csrf_of(form.text)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def test_signing_in_sets_a_strict_http_only_session_cookie(
    client: TestClient, seeded: Seeded
) -> None:
    form = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"token": seeded.tokens["auditor"], "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie, "not over TLS here"
    assert "Audrey Auditor" in client.get("/plans").text


def test_a_bad_token_does_not_sign_in(client: TestClient) -> None:
    form = client.get("/signin")
    answer = client.post("/signin", data={"token": "rl_eA.nope", "csrf": csrf_of(form.text)})
    assert answer.status_code == 401 and "not valid" in answer.text
    assert client.get("/plans", follow_redirects=False).headers["location"] == "/signin"


def test_a_form_without_its_csrf_token_writes_nothing(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.tokens["coordinator"])
    assert "Forged" not in client.get("/plans/dhr2").text  # the plan page, now kept
    page = client.get(PAGE).text
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    assert version
    body = {"effective": "2014-03-03", "text": "Forged", "expected_version": version.group(1)}
    for csrf in ({}, {"csrf": "forged"}):
        answer = client.post(f"{PAGE}/updates", data={**body, **csrf})
        assert answer.status_code == 422 and "CSRF" in answer.text
    assert "Forged" not in client.get(PAGE).text
    answer = client.post(f"{PAGE}/updates", data={**body, "csrf": csrf_of(page)})
    assert answer.status_code == 200 and "Recorded (1 event)" in answer.text
    assert "Forged" in answer.text
    assert "Forged" in client.get("/plans/dhr2").text, "the kept page moved on with the log"


def test_the_agency_lead_gets_forms_only_for_their_agencys_recommendations(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["wmp_lead"])
    own = client.get(PAGE).text
    assert 'data-testid="write-controls"' in own
    other = client.get(f"/plans/dhr2/r/{OTHERS}").text
    assert 'data-testid="write-controls"' not in other
    answer = client.post(
        f"/plans/dhr2/r/{OTHERS}/updates",
        data={
            "effective": "2014-03-03",
            "text": "x",
            "expected_version": "1",
            "csrf": csrf_of(own),
        },
    )
    assert answer.status_code == 403 and "may not change" in answer.text


def test_the_auditor_sees_no_write_control_anywhere(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.tokens["auditor"])
    for path in ("/plans", "/plans/dhr2", PAGE, f"/plans/dhr2/r/{OTHERS}", "/requests"):
        html = client.get(path).text
        forms = re.findall(r'<form method="post" action="([^"]+)"', html)
        assert forms == ["/signout"], (path, forms)


def test_the_plan_page_as_at_a_date_shows_the_updates_of_that_date_and_no_later(
    client: TestClient, seeded: Seeded
) -> None:
    sign_in(client, seeded.tokens["auditor"])
    december = client.get("/plans/dhr2?as_at=2013-12-31").text
    february = client.get("/plans/dhr2?as_at=2014-02-28").text
    assert "<strong>Feb 2014</strong>" not in december
    assert "<strong>Feb 2014</strong>" in february
    march = client.get("/plans/dhr2?as_at=2014-03-01").text  # overview/3.1-3.4 overdue
    assert "Overdue as at 2014-03-01 (13: 9 recommendations, 4 sub-actions)" in march
    chart = client.get("/plans/dhr2/chart.svg?as_at=2014-02-28")
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "<polyline" in chart.text and "As at 2014-02-28" in chart.text


def test_a_plan_outside_a_tokens_scope_is_not_found(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.tokens["scoped"])
    assert client.get("/plans/dhr2").status_code == 404
    assert client.get(PAGE).status_code == 404
    assert "dhr2" not in client.get("/plans").text


def test_the_api_docs_are_served_from_this_server(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in html and "<script>" not in html
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert "SwaggerUIBundle" in client.get("/static/docs.js").text
