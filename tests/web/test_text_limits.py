"""The limit on free text is the one of domain/values.py (LONG_TEXT_MAX, 50,000 characters,
as docs/concepts.md says), through the API as through the CLI and the importer, on both
backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.values import LONG_TEXT_MAX
from tests.web.conftest import OWN, Seeded, auth
from tests.web.test_api import ITEM, version_of


def test_an_update_of_50000_characters_is_recorded_and_one_more_is_refused_naming_the_field(
    client: TestClient, seeded: Seeded
) -> None:
    """Issue 25, defect 10: the API capped text at 20,000 characters where the README, now
    docs/concepts.md (and the CLI and the importer), said 50,000."""
    assert LONG_TEXT_MAX == 50_000
    token = seeded.tokens["coordinator"]
    for length, expected in ((LONG_TEXT_MAX + 1, 422), (LONG_TEXT_MAX, 201)):
        body = {
            "effective": "2014-03-03",
            "text": "x" * length,
            "expected_version": version_of(client, token, OWN),
        }
        answer = client.post(f"{ITEM}/{OWN}/updates", json=body, headers=auth(token))
        assert answer.status_code == expected, answer.text[:300]
        if expected == 422:
            assert answer.json()["detail"][0]["loc"] == ["body", "text"]
    detail = client.get(f"{ITEM}/{OWN}", headers=auth(token)).json()
    assert any(len(u["text"]) == LONG_TEXT_MAX for u in detail["updates"])
