"""The JSON API end to end on both backends: every write endpoint for every role, the
scope of plan-limited tokens, expected versions, and the error table (401/403/404/409/422)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.settings import Settings
from adapters.storage import bootstrap
from adapters.web.app import create_app
from tests.web.conftest import OTHERS, OWN, Seeded, auth
from tests.web.test_pages import sign_in

ITEM = "/api/plans/dhr2/recommendations"

ITEM_WRITES: list[tuple[str, dict[str, Any]]] = [
    ("updates", {"effective": "2014-03-03", "text": "Training delivered to all sergeants"}),
    ("actions", {"text": "Audit the dashboards", "leads": ["DI Smith"], "target": "June 2015"}),
    ("reassignments", {"reason": "restructure", "leads": ["DCI Jones"]}),
    ("targets", {"target": "December 2015", "reason": "the new system slipped"}),
    ("status", {"status": "ongoing", "reason": "embedded in practice"}),
    ("completion", {"effective": "2015-01-31", "evidence": "the audit report"}),
    ("reopening", {"reason": "the audit found gaps"}),
    ("corrections", {"event": "1", "text": "Corrected wording", "reason": "typo"}),
    ("withdrawal", {"reason": "superseded by the county plan"}),
]
"""Every change to a recommendation, in an order in which each one is allowed."""
SIGNED_OFF = {"targets", "completion", "withdrawal"}
"""The changes above that need a coordinator's sign-off by default, when a lead makes them."""

EXPECTED = {
    # who: (status on West Mercia Police's recommendation, on another agency's)
    "coordinator": (201, 201),
    "wmp_lead": (201, 403),
    "auditor": (403, 403),
    "scoped": (404, 404),
}


def version_of(client: TestClient, token: str, ref: str) -> int:
    found = client.get(f"{ITEM}/{ref}", headers=auth(token))
    assert found.status_code == 200, found.text
    version: int = found.json()["version"]
    return version


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_item_write_is_allowed_exactly_to_the_roles_that_may_make_it(
    client: TestClient, seeded: Seeded, who: str
) -> None:
    token = seeded.tokens[who]
    coordinator = seeded.tokens["coordinator"]
    for ref, expected in zip((OWN, OTHERS), EXPECTED[who], strict=True):
        for verb, body in ITEM_WRITES:
            before = version_of(client, coordinator, ref)
            answer = client.post(
                f"{ITEM}/{ref}/{verb}",
                json={**body, "expected_version": before},
                headers=auth(token),
            )
            assert answer.status_code == expected, (who, ref, verb, answer.text)
            after = version_of(client, coordinator, ref)
            if expected == 201:
                assert answer.json()["version"] == after > before
                if proposal := answer.json()["proposal"]:  # an agency lead's: signed off
                    assert who == "wmp_lead" and verb in SIGNED_OFF
                    decided = client.post(
                        f"/api/proposals/{proposal}/decision",
                        json={"approve": True},
                        headers=auth(coordinator),
                    )
                    assert decided.status_code == 201, decided.text  # fmt: skip
            else:
                assert after == before, "a refused write wrote nothing"


@pytest.mark.parametrize("verb", [verb for verb, _ in ITEM_WRITES])
def test_no_token_or_a_bad_one_is_401_on_every_write(
    client: TestClient, seeded: Seeded, verb: str
) -> None:
    body = {**dict(ITEM_WRITES)[verb], "expected_version": 1}
    for headers in ({}, auth("rl_bm9ib2R5.wrong"), auth("garbage"), {"Authorization": "Basic x"}):
        answer = client.post(f"{ITEM}/{OWN}/{verb}", json=body, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == "Bearer"


def coordinating_writes(seed_plan: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, path, request) of every write that only a coordinator may make."""
    upload = {"files": {"file": ("plan.txt", seed_plan.read_bytes())}, "data": {"plan": "copy"}}
    return [
        ("open plan", "/api/plans", {"json": {"plan_id": "dhr9", "title": "Case 9"}}),
        ("version", "/api/plans/dhr2/versions", {"json": {"label": "3rd Version"}}),
        (
            "raise",
            ITEM,
            {"json": {"ref": "imr/west-mercia-police/7", "text": "Review the policy"}},
        ),
        ("import", "/api/imports", upload),
        ("token", "/api/tokens", {"json": {"name": "New Person", "role": "auditor"}}),
        ("revoke", "/api/tokens/Audrey Auditor/revocation", {"json": {"reason": "left"}}),
    ]


COORDINATING = {
    "coordinator": {"open plan": 201, "version": 201, "raise": 201, "import": 201,
                    "token": 201, "revoke": 204},
    "wmp_lead": dict.fromkeys(("open plan", "version", "raise", "import", "token", "revoke"), 403),
    "auditor": dict.fromkeys(("open plan", "version", "raise", "import", "token", "revoke"), 403),
    # a coordinator of another plan: dhr2 does not exist for it; it may not issue a token
    # wider than its own, nor revoke one
    "scoped": {"open plan": 404, "version": 404, "raise": 404, "import": 404,
               "token": 403, "revoke": 403},
}  # fmt: skip


@pytest.mark.parametrize("who", sorted(COORDINATING))
def test_coordinating_writes_are_the_coordinators_alone(
    client: TestClient, seeded: Seeded, seed_plan: Path, who: str
) -> None:
    for name, path, request in coordinating_writes(seed_plan):
        answer = client.post(path, headers=auth(seeded.tokens[who]), **request)
        assert answer.status_code == COORDINATING[who][name], (who, name, answer.text)
    if who != "coordinator":
        plans = client.get("/api/plans", headers=auth(seeded.tokens["coordinator"])).json()
        assert [p["plan"] for p in plans] == ["dhr2"], "nothing was written"


def test_a_plan_limited_coordinator_may_issue_tokens_within_its_plans(
    client: TestClient, seeded: Seeded
) -> None:
    answer = client.post(
        "/api/tokens",
        json={"name": "Deputy", "role": "auditor", "plans": ["elsewhere"]},
        headers=auth(seeded.tokens["scoped"]),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["token"].startswith("rl_")


def test_a_plan_limited_token_sees_no_other_plan_anywhere(
    client: TestClient, seeded: Seeded
) -> None:
    headers = auth(seeded.tokens["scoped"])
    assert client.get("/api/plans", headers=headers).json() == []
    for path in (
        "/api/plans/dhr2",
        f"{ITEM}",
        f"{ITEM}/{OWN}",
        f"{ITEM}/{OWN}/history",
        "/api/plans/dhr2/changes?since=2013-01-01",
        "/api/overdue?plan=dhr2",
        "/api/leads?plan=dhr2",
        "/api/audit?plan=dhr2",
        "/api/audit",  # its only plan, which does not exist
        "/api/overdue",
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404, (path, answer.text)


def test_the_auditor_reads_everything_including_history_audit_and_verify(
    client: TestClient, seeded: Seeded
) -> None:
    headers = auth(seeded.tokens["auditor"])
    for path in (
        "/api/plans",
        f"{ITEM}?as_at=2014-02-28",
        f"{ITEM}/{OWN}",
        f"{ITEM}/{OWN}/history",
        "/api/overdue?as_at=2014-03-01",
        "/api/plans/dhr2/changes?since=2014-01-01&until=2014-02-28",
        "/api/leads",
        "/api/agencies?plan=dhr2",
        "/api/audit?plan=dhr2&limit=5",
        "/api/verify",
        "/api/head",
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text)
    verified = client.get("/api/verify", headers=headers).json()
    assert verified["intact"] is True and verified["size"] == verified["sealed"] > 0


def test_the_counts_per_agency_say_recommendations_and_sub_actions_apart(
    client: TestClient, seeded: Seeded
) -> None:
    """The seed's sub-actions: CRI's three, open, and overview/3's five, ongoing (from the
    29th May 2014 version on), each counted apart from the recommendations."""
    headers = auth(seeded.tokens["auditor"])
    for path in ("/api/agencies?as_at=2014-06-30", "/api/agencies?plan=dhr2&as_at=2014-06-30"):
        rows = client.get(path, headers=headers).json()
        for row in rows:
            for count in ("open", "overdue", "completed"):
                split = row[f"{count}_recommendations"] + row[f"{count}_sub_actions"]
                assert row[count] == split, (path, row)
        assert sum(row["open_sub_actions"] for row in rows) == 3, path
        assert sum(row["open_recommendations"] for row in rows) > 0, path


def test_the_plan_as_at_a_date_is_what_status_json_says(client: TestClient, seeded: Seeded) -> None:
    from adapters.settings import Settings
    from adapters.storage import bootstrap

    answer = client.get(f"{ITEM}?as_at=2014-02-28", headers=auth(seeded.tokens["auditor"]))
    ledger = bootstrap(Settings(db=seeded.db, actor="test"), create=False)
    try:
        from datetime import date

        expected = [v.to_json() for v in ledger.status("dhr2", as_at=date(2014, 2, 28))]
    finally:
        ledger.close()
    assert answer.json() == expected
    feb = [u for r in answer.json() for u in r["updates"] if u["effective"]["text"] == "Feb 2014"]
    assert feb, "the Feb 2014 updates are in the plan as at 2014-02-28"
    before = client.get(f"{ITEM}?as_at=2013-12-31", headers=auth(seeded.tokens["auditor"]))
    assert not [
        u for r in before.json() for u in r["updates"] if u["effective"]["text"] == "Feb 2014"
    ]


def test_a_stale_expected_version_is_409_with_the_current_version(
    client: TestClient, seeded: Seeded
) -> None:
    headers = auth(seeded.tokens["wmp_lead"])
    current = version_of(client, headers and seeded.tokens["coordinator"], OWN)
    body = {"effective": "2014-03-03", "text": "First", "expected_version": current}
    assert client.post(f"{ITEM}/{OWN}/updates", json=body, headers=headers).status_code == 201
    again = client.post(f"{ITEM}/{OWN}/updates", json={**body, "text": "Second"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["current_version"] == current + 1
    history = client.get(f"{ITEM}/{OWN}/history", headers=headers).json()
    assert [e["data"].get("text") for e in history].count("Second") == 0


def test_the_actor_recorded_is_the_tokens_name_whatever_the_body_says(
    client: TestClient, seeded: Seeded
) -> None:
    headers = auth(seeded.tokens["wmp_lead"])
    body = {
        "effective": "2014-03-03",
        "text": "Sergeants trained",
        "expected_version": version_of(client, seeded.tokens["coordinator"], OWN),
        "actor": "Mallory",
    }
    assert client.post(f"{ITEM}/{OWN}/updates", json=body, headers=headers).status_code == 201
    last = client.get(f"{ITEM}/{OWN}/history", headers=headers).json()[-1]
    assert (last["actor"], last["source"], last["data"]["text"]) == (
        "Wes Lead",
        "api",
        "Sergeants trained",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"effective": "2014-02-31", "text": "x", "expected_version": 1}, "effective"),
        ({"effective": "Ongoing", "text": "x", "expected_version": 1}, "effective"),
        ({"effective": "2014-03-01", "text": "", "expected_version": 1}, "text"),
        ({"effective": "2014-03-01", "text": "x", "expected_version": 0}, "expected_version"),
        ({"effective": "2014-03-01", "text": "x"}, "expected_version"),
        ({"effective": 20140301, "text": "x", "expected_version": 1}, "effective"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, seeded: Seeded, body: dict[str, Any], field: str
) -> None:
    answer = client.post(
        f"{ITEM}/{OWN}/updates", json=body, headers=auth(seeded.tokens["coordinator"])
    )
    assert answer.status_code == 422, answer.text
    assert ["body", field] in [e["loc"][:2] for e in answer.json()["detail"]]


def test_unknown_plan_ref_or_event_is_404(client: TestClient, seeded: Seeded) -> None:
    headers = auth(seeded.tokens["coordinator"])
    for path in (
        "/api/plans/nope/recommendations",
        f"{ITEM}/overview/99",
        f"{ITEM}/imr/nobody/1/history",
        f"{ITEM}/overview/3.9",
    ):
        assert client.get(path, headers=headers).status_code == 404, path
    body = {"event": "99", "reason": "r", "text": "t", "expected_version": 1}
    assert client.post(f"{ITEM}/{OWN}/corrections", json=body, headers=headers).status_code in (
        404,
        409,
    )


def test_a_revoked_token_stops_at_once(client: TestClient, seeded: Seeded) -> None:
    headers = auth(seeded.tokens["auditor"])
    assert client.get("/api/plans", headers=headers).status_code == 200
    revoked = client.post(
        "/api/tokens/Audrey Auditor/revocation",
        json={},
        headers=auth(seeded.tokens["coordinator"]),
    )
    assert revoked.status_code == 204
    assert client.get("/api/plans", headers=headers).status_code == 401


def test_an_uploaded_document_is_imported_and_a_bad_one_refused_with_its_line(
    client: TestClient, seeded: Seeded, seed_plan: Path
) -> None:
    headers = auth(seeded.tokens["coordinator"])
    answer = client.post(
        "/api/imports",
        files={"file": ("case.txt", seed_plan.read_bytes())},
        data={"plan": "copy"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["plan"] == "copy" and answer.json()["events"]
    bad = client.post(
        "/api/imports",
        files={"file": ("bad.xlsx", b"PK\x03\x04 not really a workbook")},
        headers=headers,
    )
    assert bad.status_code == 422 and "bad.xlsx" in bad.json()["detail"][0]["msg"]
    plans = [p["plan"] for p in client.get("/api/plans", headers=headers).json()]
    assert plans == ["dhr2", "copy"]


def test_the_openapi_document_names_the_routes_scripts_rely_on(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/plans",
        "/api/plans/{plan}/recommendations",
        "/api/plans/{plan}/recommendations/{ref}",
        "/api/plans/{plan}/recommendations/{ref}/history",
        "/api/overdue",
        "/api/plans/{plan}/recommendations/{ref}/updates",
    ):
        assert path in paths, path
    update = paths["/api/plans/{plan}/recommendations/{ref}/updates"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(update["responses"])


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/api/plans", "/signin", "/static/style.css", "/openapi.json"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_with_a_projection_worker_requests_do_not_wait_and_say_how_far_behind_they_are(
    seeded: Seeded,
) -> None:
    app = create_app(Settings(db=seeded.db, actor="server", projections="worker"))
    headers = auth(seeded.tokens["coordinator"])

    def update_texts() -> tuple[list[str], dict[str, str]]:
        answer = client.get(ITEM, headers=headers)
        assert answer.status_code == 200
        texts = [u["text"] for v in answer.json() if v["ref"] == OWN for u in v["updates"]]
        return texts, {k: v for k, v in answer.headers.items() if k.startswith("x-recledger")}

    with TestClient(app) as client:
        texts, lag = update_texts()
        assert lag["x-recledger-read-models-behind"] == "0"
        version = version_of(client, seeded.tokens["coordinator"], OWN)
        body = {"effective": "2014-03-03", "text": "Not yet applied", "expected_version": version}
        written = client.post(f"{ITEM}/{OWN}/updates", json=body, headers=headers)
        assert written.status_code == 201
        texts, lag = update_texts()  # the write did not catch the read models up
        assert "Not yet applied" not in texts
        log, read_models = (
            int(lag["x-recledger-log-position"]),
            int(lag["x-recledger-read-models-position"]),
        )
        assert log > read_models and int(lag["x-recledger-read-models-behind"]) == log - read_models
        sign_in(client, seeded.tokens["coordinator"])
        assert "may not show here yet" in client.get("/plans/dhr2").text  # the page says so

        worker = bootstrap(Settings(db=seeded.db, actor="worker"))
        try:
            worker.project()  # what `recledger project` does when the write wakes it
        finally:
            worker.close()
        texts, lag = update_texts()  # the log did not move: no answer kept from before
        assert "Not yet applied" in texts and lag["x-recledger-read-models-behind"] == "0"
        assert "may not show here yet" not in client.get("/plans/dhr2").text
