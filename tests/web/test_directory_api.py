"""The directory and the tokens through the API (issue 27): coordinators enter agencies and
aliases, anyone signed in reads them, the counts per agency follow an alias at once; tokens
are listed to coordinators, never with a secret."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import Seeded, auth

CANONICAL = "South Worcestershire Community Safety Partnership"
MISSPELT = "South Worcestershire Safety Community Partnership"


def open_counts(client: TestClient, token: str) -> dict[str, int]:
    answer = client.get("/api/agencies", params={"plan": "dhr2"}, headers=auth(token))
    assert answer.status_code == 200, answer.text
    return {row["agency"]: row["open"] for row in answer.json()}


def test_a_coordinator_enters_an_agency_and_an_alias_and_the_counts_follow(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    before = open_counts(client, seeded.tokens["auditor"])
    entered = client.post(
        "/api/directory/agencies",
        json={"name": CANONICAL, "slug": "swcsp", "kind": "local"},
        headers=coordinator,
    )
    assert entered.status_code == 201, entered.text
    assert entered.json() == {"slug": "swcsp", "name": CANONICAL, "kind": "local", "aliases": []}
    aliased = client.post(
        "/api/directory/agencies/swcsp/aliases", json={"alias": MISSPELT}, headers=coordinator
    )
    assert aliased.status_code == 201, aliased.text
    assert aliased.json()["aliases"] == [MISSPELT]
    after = open_counts(client, seeded.tokens["auditor"])
    assert after[CANONICAL] == before[CANONICAL] + before[MISSPELT] and MISSPELT not in after
    listed = client.get("/api/directory/agencies", headers=auth(seeded.tokens["wmp_lead"]))
    assert listed.status_code == 200
    assert listed.json() == [aliased.json()]


def test_the_directory_is_kept_by_coordinators_only_and_refuses_a_second_owner_of_a_name(
    client: TestClient, seeded: Seeded
) -> None:
    body = {"name": "West Mercia Police"}
    for who in ("wmp_lead", "auditor"):
        refused = client.post(
            "/api/directory/agencies", json=body, headers=auth(seeded.tokens[who])
        )
        assert refused.status_code == 403, (who, refused.text)
    coordinator = auth(seeded.tokens["coordinator"])
    assert client.post("/api/directory/agencies", json=body, headers=coordinator).status_code == 201
    again = client.post(
        "/api/directory/agencies", json={"name": "WEST MERCIA POLICE", "slug": "wmp"},
        headers=coordinator,
    )  # fmt: skip
    assert again.status_code == 409 and "already names the agency" in again.text
    bad = client.post(
        "/api/directory/agencies", json={"name": "X", "slug": "Not A Slug"}, headers=coordinator
    )
    assert bad.status_code in (400, 422) and "slug" in bad.text
    missing = client.post(
        "/api/directory/agencies/nobody/aliases", json={"alias": "Y"}, headers=coordinator
    )
    assert missing.status_code == 404


def test_the_tokens_are_listed_to_a_coordinator_without_secrets(
    client: TestClient, seeded: Seeded
) -> None:
    for who in ("wmp_lead", "auditor"):
        assert client.get("/api/tokens", headers=auth(seeded.tokens[who])).status_code == 403
    listed = client.get("/api/tokens", headers=auth(seeded.tokens["coordinator"]))
    assert listed.status_code == 200, listed.text
    names = {t["name"]: t for t in listed.json()}
    assert names["Wes Lead"]["agencies"] == ["west-mercia-police"]
    assert names["Sam Scoped"]["plans"] == ["elsewhere"]
    for token in seeded.tokens.values():
        assert token.split(".")[-1] not in listed.text
    assert "sha256" not in listed.text


def test_people_are_entered_aliased_and_opted_out_and_link_the_leads(
    client: TestClient, seeded: Seeded
) -> None:
    coordinator = auth(seeded.tokens["coordinator"])
    unlinked = client.get("/api/directory/unlinked-leads", params={"plan": "dhr2"},
                          headers=coordinator)  # fmt: skip
    assert unlinked.status_code == 200
    leads = {row["lead"] for row in unlinked.json()}
    assert "Steve Sanger" in leads
    body = {"name": "Steve Sanger", "email": "Steve@Example.org", "post": "Manager"}
    entered = client.post("/api/directory/people", json=body, headers=coordinator)
    assert entered.status_code == 201, entered.text
    assert entered.json()["email"] == "steve@example.org" and entered.json()["reminders"]
    aliased = client.post(
        "/api/directory/people/steve@example.org/aliases", json={"alias": "S Sanger"},
        headers=coordinator,
    )  # fmt: skip
    assert aliased.status_code == 201 and aliased.json()["aliases"] == ["S Sanger"]
    quiet = client.put(
        "/api/directory/people/steve@example.org/reminders", json={"reminders": False},
        headers=coordinator,
    )  # fmt: skip
    assert quiet.status_code == 200, quiet.text
    assert quiet.json()["reminders"] is False
    after = client.get("/api/directory/unlinked-leads", params={"plan": "dhr2"},
                       headers=coordinator)  # fmt: skip
    assert {row["lead"] for row in after.json()} == leads - {"Steve Sanger"}
    listed = client.get("/api/directory/people", headers=auth(seeded.tokens["auditor"]))
    assert [p["email"] for p in listed.json()] == ["steve@example.org"]
    bad = client.post("/api/directory/people", json={"name": "X", "email": "not-an-address"},
                      headers=coordinator)  # fmt: skip
    assert bad.status_code == 422 and "email" in bad.text
    lead = client.post("/api/directory/people", json={"name": "Y", "email": "y@example.org"},
                       headers=auth(seeded.tokens["wmp_lead"]))  # fmt: skip
    assert lead.status_code == 403
