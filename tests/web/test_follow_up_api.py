"""The follow-up cycle through the API (issue 27): an agency lead's completion is a proposal
(201 with its id), on the approvals queue until a coordinator decides; the plan's rules are
set by a coordinator; a request for updates, answered by a later update, and its rates."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import OWN, Seeded, auth


def version(client: TestClient, token: str) -> int:
    found = client.get(f"/api/plans/dhr2/recommendations/{OWN}", headers=auth(token))
    assert found.status_code == 200, found.text
    number: int = found.json()["version"]
    return number


def test_a_leads_completion_waits_on_the_queue_until_a_coordinator_approves_it(
    client: TestClient, seeded: Seeded
) -> None:
    lead, coordinator = seeded.tokens["wmp_lead"], seeded.tokens["coordinator"]
    at = version(client, lead)
    proposed = client.post(
        f"/api/plans/dhr2/recommendations/{OWN}/completion",
        json={"effective": "2014-03-01", "evidence": "audit report", "expected_version": at},
        headers=auth(lead),
    )
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()["proposal"]
    assert proposal and proposed.json()["event_ids"] == [proposal]
    detail = client.get(f"/api/plans/dhr2/recommendations/{OWN}", headers=auth(lead)).json()
    assert detail["status"] != "completed"
    queue = client.get("/api/proposals", params={"plan": "dhr2"}, headers=auth(coordinator))
    assert [(p["proposal"], p["kind"], p["actor"]) for p in queue.json()] == [
        (proposal, "completion", "Wes Lead")
    ]
    refused = client.post(f"/api/proposals/{proposal}/decision", json={"approve": True},
                          headers=auth(lead))  # fmt: skip
    assert refused.status_code == 403
    approved = client.post(
        f"/api/proposals/{proposal}/decision", json={"approve": True, "reason": "seen"},
        headers=auth(coordinator),
    )  # fmt: skip
    assert approved.status_code == 201, approved.text
    detail = client.get(f"/api/plans/dhr2/recommendations/{OWN}", headers=auth(lead)).json()
    assert detail["status"] == "completed" and detail["completed"]["text"] == "2014-03-01"
    assert client.get("/api/proposals", headers=auth(coordinator)).json() == []
    decided = client.get("/api/proposals", params={"decided": "true"},
                         headers=auth(coordinator)).json()  # fmt: skip
    assert [(p["decision"], p["decided_by"]) for p in decided] == [
        ("approved", "Clare Coordinator")
    ]
    missing = client.post("/api/proposals/nothing/decision", json={"approve": True},
                          headers=auth(coordinator))  # fmt: skip
    assert missing.status_code == 404


def test_a_coordinator_sets_what_needs_sign_off(client: TestClient, seeded: Seeded) -> None:
    lead, coordinator = seeded.tokens["wmp_lead"], seeded.tokens["coordinator"]
    body = {"changes": ["withdrawal"], "coordinators_too": False}
    assert client.put("/api/plans/dhr2/sign-off", json=body, headers=auth(lead)).status_code == 403
    answer = client.put("/api/plans/dhr2/sign-off", json=body, headers=auth(coordinator))
    assert answer.status_code == 200, answer.text
    assert answer.json() == body
    at = version(client, lead)
    done = client.post(
        f"/api/plans/dhr2/recommendations/{OWN}/completion",
        json={"effective": "2014-03-01", "expected_version": at},
        headers=auth(lead),
    )
    assert done.status_code == 201 and done.json()["proposal"] is None
    bad = client.put("/api/plans/dhr2/sign-off", json={"changes": ["everything"]},
                     headers=auth(coordinator))  # fmt: skip
    assert bad.status_code == 422


def test_a_coordinator_requests_updates_and_the_rates_count_the_answers(
    client: TestClient, seeded: Seeded
) -> None:
    lead, coordinator = seeded.tokens["wmp_lead"], seeded.tokens["coordinator"]
    body = {"agency": "West Mercia Police", "due": "2014-03-31", "message": "For the board"}
    refused = client.post("/api/plans/dhr2/requests", json=body, headers=auth(lead))
    assert refused.status_code == 403
    asked = client.post("/api/plans/dhr2/requests", json=body, headers=auth(coordinator))
    assert asked.status_code == 201, asked.text
    items = asked.json()["items"]
    at = version(client, lead)
    update = {"effective": "2014-03-03", "text": "Briefed", "expected_version": at}
    assert client.post(f"/api/plans/dhr2/recommendations/{OWN}/updates", json=update,
                       headers=auth(lead)).status_code == 201  # fmt: skip
    listed = client.get("/api/plans/dhr2/requests", headers=auth(lead)).json()
    assert len(listed) == items and [r["ref"] for r in listed if r["answered"]] == [OWN]
    rates = client.get("/api/plans/dhr2/response-rates", headers=auth(coordinator))
    assert rates.status_code == 200, rates.text
    assert rates.json() == [
        {"agency": "West Mercia Police", "asked": items, "answered": 1,
         "rate": round(1 / items, 3)}
    ]  # fmt: skip
    later = client.get("/api/plans/dhr2/response-rates", params={"since": "2999-01-01"},
                       headers=auth(coordinator))  # fmt: skip
    assert later.status_code == 200 and later.json() == []
    detail = client.get(f"/api/plans/dhr2/recommendations/{OWN}", headers=auth(lead)).json()
    assert detail["follow_up"]["request"]["answered"] is True
    assert detail["follow_up"]["awaiting"] == []
    status = client.get("/api/plans/dhr2/recommendations", headers=auth(coordinator)).json()
    follow_ups = {v["ref"]: v["follow_up"] for v in status}
    assert sum(bool(f["request"]) for f in follow_ups.values()) == items
    assert follow_ups[OWN]["request"]["answered"] is True
    then = client.get("/api/plans/dhr2/recommendations", params={"as_at": "2014-03-01"},
                      headers=auth(coordinator)).json()  # fmt: skip
    assert all("follow_up" not in v for v in then)  # where it stands is now's


def test_a_coordinator_sets_a_plans_reminder_window(client: TestClient, seeded: Seeded) -> None:
    lead, coordinator = seeded.tokens["wmp_lead"], seeded.tokens["coordinator"]
    url = "/api/plans/dhr2/reminder-window"
    assert client.put(url, json={"days": 60}, headers=auth(lead)).status_code == 403
    answer = client.put(url, json={"days": 60}, headers=auth(coordinator))
    assert answer.status_code == 200 and answer.json() == {"days": 60}
    assert client.put(url, json={"days": 60}, headers=auth(coordinator)).status_code == 409
    assert client.put(url, json={"days": -1}, headers=auth(coordinator)).status_code == 422
