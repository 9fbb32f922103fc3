"""Issue 25, defect 8, through the API on both backends: a token name that looks like an
existing one is refused, and so is an event number in other digits than ASCII."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Seeded, auth

EXISTING = "Clare Coordinator"
REF = "/api/plans/dhr2/recommendations/overview/1"


@pytest.mark.parametrize(
    ("name", "status", "why"),
    [
        ("\u0421lare Coordinator", 409, "is confusable with the existing token name"),
        ("clare coordinator", 409, "is confusable with the existing token name"),
        ("\uff23lare \uff23oordinator", 409, "a token was issued to 'Clare Coordinator'"),
        ("Clare\u200b Coordinator", 422, "holds U+200B (ZERO WIDTH SPACE) at position 6"),
        ("Clare  Coordinator", 422, "has two in a row"),
    ],
    ids=["cyrillic", "lower case", "full-width", "zero-width", "two spaces"],
)
def test_issuing_a_look_alike_token_name_is_refused_and_nothing_is_recorded(
    client: TestClient, seeded: Seeded, name: str, status: int, why: str
) -> None:
    """Issue 25, defect 8: beside the seeded coordinator's token."""
    headers = auth(seeded.tokens["coordinator"])
    before = client.get("/api/head", headers=headers).json()
    answer = client.post("/api/tokens", json={"name": name, "role": "auditor"}, headers=headers)
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]  # a conflict's is one message, bad input's a list
    assert why in (detail if status == 409 else detail[0]["msg"])
    assert client.get("/api/head", headers=headers).json() == before


def test_a_correction_through_the_api_names_its_event_in_ascii_digits_only(
    client: TestClient, seeded: Seeded
) -> None:
    """Issue 25, defect 8: the correction route, as the CLI."""
    headers = auth(seeded.tokens["coordinator"])
    version = client.get(REF, headers=headers).json()["version"]
    assert version >= 2
    for number in ("\uff12", "\u00b2"):
        body = {"event": number, "retract": True, "reason": "typo", "expected_version": version}
        answer = client.post(f"{REF}/corrections", json=body, headers=headers)
        assert answer.status_code == 422, answer.text
        message = answer.json()["detail"][0]["msg"]
        assert message == f"event {number!r}: write the number in ASCII digits (0-9)"
    body = {"event": "2", "retract": True, "reason": "typo", "expected_version": version}
    answer = client.post(f"{REF}/corrections", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
