"""``recledger serve`` itself, over loopback: several workers on one database (SQLite file
and PostgreSQL) agree, and concurrent writers with the same expected version get exactly
one acceptance and clear conflicts for the rest."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import OWN, auth, seed, serve

ITEM = f"/api/plans/dhr2/recommendations/{OWN}"
WRITERS = 8


@pytest.mark.parametrize("workers", [2])
def test_concurrent_writers_through_two_workers_one_wins_the_rest_get_409(
    db_url: str, seed_plan: Path, workers: int
) -> None:
    seeded = seed(db_url, seed_plan)
    headers = auth(seeded.tokens["wmp_lead"])
    with (
        serve(seeded.db, workers=workers) as url,
        httpx.Client(base_url=url, headers=headers, timeout=30) as client,
    ):
        version = client.get(ITEM).json()["version"]

        def write(n: int) -> httpx.Response:
            body = {
                "effective": "2014-03-03",
                "text": f"writer {n}",
                "expected_version": version,
            }
            with httpx.Client(base_url=url, headers=headers, timeout=30) as own:
                return own.post(f"{ITEM}/updates", json=body)

        with ThreadPoolExecutor(WRITERS) as pool:
            answers = list(pool.map(write, range(WRITERS)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201] + [409] * (WRITERS - 1), [a.text for a in answers]
        assert all(
            a.json()["current_version"] == version + 1 for a in answers if a.status_code == 409
        )
        # every worker answers the same, having caught up with the other's write
        for _ in range(2 * workers):
            history = client.get(f"{ITEM}/history").json()
            assert len(history) == version + 1
            assert sum(e["data"].get("text", "").startswith("writer ") for e in history) == 1
            assert client.get(ITEM).json()["version"] == version + 1
        verified = client.get("/api/verify").json()
        assert verified["intact"] and verified["size"] == verified["sealed"]


def test_answers_kept_by_a_worker_follow_writes_and_revocations_made_through_another(
    db_url: str, seed_plan: Path
) -> None:
    """Each worker keeps answers per log position: whichever worker answers after a write
    or a revocation (through any worker) answers from the log as it now is."""
    seeded = seed(db_url, seed_plan)
    lead, auditor = auth(seeded.tokens["wmp_lead"]), auth(seeded.tokens["auditor"])
    plan = "/api/plans/dhr2/recommendations?as_at=2014-03-31"
    with serve(seeded.db, workers=2) as url, httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(8):  # both workers answer, and keep, the plan and the auditor's grant
            assert client.get(plan, headers=auditor).status_code == 200
        version = client.get(ITEM, headers=lead).json()["version"]
        body = {
            "effective": "2014-03-07",
            "text": "Kept answers move on",
            "expected_version": version,
        }
        assert client.post(f"{ITEM}/updates", json=body, headers=lead).status_code == 201
        for _ in range(8):
            rec = next(r for r in client.get(plan, headers=auditor).json() if r["ref"] == OWN)
            assert rec["updates"][-1]["text"] == "Kept answers move on"
        revoked = client.post(
            "/api/tokens/Audrey Auditor/revocation",
            json={"reason": "left"},
            headers=auth(seeded.tokens["coordinator"]),
        )
        assert revoked.status_code == 204
        for _ in range(8):
            assert client.get(plan, headers=auditor).status_code == 401


@pytest.mark.postgres
def test_each_worker_keeps_a_bounded_number_of_postgresql_connections(
    postgres_url: str, seed_plan: Path
) -> None:
    """Each worker opens a few ledgers (one per thread): each keeps one connection to the
    event store, not the library's default pool of five (74 connections for two workers
    before, which a third worker would have taken past PostgreSQL's default limit of 100)."""
    import psycopg

    from tests.conftest import POSTGRES_URL

    def connections() -> int:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchone()
            return int(row[0]) if row else 0

    seeded = seed(postgres_url, seed_plan)
    before = connections()
    with serve(seeded.db, workers=2) as url:
        headers = auth(seeded.tokens["auditor"])

        def ask(n: int) -> int:
            path = f"/api/plans/dhr2/recommendations?as_at=2014-0{1 + n % 9}-01"
            return httpx.get(url + path, headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(16) as pool:
            assert set(pool.map(ask, range(200))) == {200}
        assert connections() - before <= 2 * 25
