"""Figures of the whole log (its size, its head, its verification, how far the read
models are behind it) count every plan's events: a token limited to plans is refused
them, on both backends, through the API, the pages, the reports and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.reports.check import check_report
from adapters.reports.claim import read_claim
from adapters.reports.shape import WITHHELD
from adapters.settings import Settings
from adapters.storage import bootstrap
from adapters.web.app import create_app
from domain.access import Role
from domain.audit import acting_as_owner
from service.command_models import IssueToken
from tests.e2e.in_process import InProcessShell
from tests.web.conftest import Seeded, auth
from tests.web.test_pages import sign_in


@pytest.fixture
def limited(seeded: Seeded) -> str:
    """A coordinator's token limited to the seed's plan."""
    ledger = bootstrap(Settings(db=seeded.db, actor="setup"))
    try:
        with acting_as_owner("setup", "test"):
            return ledger.issue_token(
                IssueToken(name="Pat Plan", role=Role.COORDINATOR, plans=["dhr2"])
            )
    finally:
        ledger.close()


def test_a_token_limited_to_plans_is_refused_the_logs_head_and_verification(
    client: TestClient, seeded: Seeded, limited: str, tmp_path: Path
) -> None:
    """Issue 25, defect 10: a plan-scoped token read the whole log's size and root. Refused
    (403), not narrowed: the head is one tree over every plan's events, and has no part
    of its own for one plan."""
    for token in (limited, seeded.tokens["scoped"]):
        for path in ("/api/head", "/api/verify"):
            answer = client.get(path, headers=auth(token))
            assert answer.status_code == 403, (path, answer.text)
            assert "whole log" in answer.json()["detail"]
    assert client.get("/api/head", headers=auth(seeded.tokens["auditor"])).status_code == 200
    refused = InProcessShell(tmp_path, db=seeded.db)("--token", limited, "head", ok=False)
    assert refused.returncode == 1 and "whole log" in refused.stderr


def test_a_report_made_for_a_token_limited_to_plans_states_no_log_wide_figure(
    client: TestClient, seeded: Seeded, limited: str, tmp_path: Path
) -> None:
    """Issue 25, defect 10: the stamp of a report is the log's position and head; for a
    token limited to plans it says they are withheld, and its claim carries them sealed
    with the ledger's key: ``verify --report`` (for whoever sees the whole log) still
    makes the report again from the log and finds it genuine."""
    whole = client.get("/api/head", headers=auth(seeded.tokens["auditor"])).json()
    reports = [f"/api/plans/dhr2/export?format={form}" for form in ("html", "md", "csv", "txt")] + [
        f"/api/plans/dhr2/board-report?since=2014-01-01&format={f}" for f in ("html", "md")
    ]
    for path in reports:
        mine = client.get(path, headers=auth(limited))
        assert mine.status_code == 200, (path, mine.text)
        assert whole["root"] not in mine.text and "log position" not in mine.text.replace(
            WITHHELD, ""
        ), path
        assert WITHHELD in mine.text, path
        theirs = client.get(path, headers=auth(seeded.tokens["auditor"]))
        assert whole["root"] in theirs.text, path  # the whole log's readers get the stamp
        claim = read_claim(mine.text)
        assert claim is not None and (claim.position, claim.head) == (None, None), path
        assert claim.sealed and whole["root"] not in claim.sealed, path
        form = path.split("format=")[1]
        made = tmp_path / f"{len(list(tmp_path.iterdir()))}.{form}"
        made.write_bytes(mine.content)
        ledger = bootstrap(Settings(db=seeded.db, actor="inspector"))
        try:
            with acting_as_owner("inspector", "test"):
                assert check_report(ledger, made).outcome == "genuine", path
        finally:
            ledger.close()
    sign_in(client, limited)
    page = client.get("/plans/dhr2/export?format=html")
    assert page.status_code == 200 and whole["root"] not in page.text and WITHHELD in page.text


@pytest.fixture
def worker_client(seeded: Seeded) -> Iterator[TestClient]:
    """The app where a projection worker keeps the read models (none runs here: they
    stay behind the log, and each answer says by how much)."""
    app = create_app(Settings(db=seeded.db, actor="server", projections="worker"))
    with TestClient(app) as client:
        yield client


def test_a_token_limited_to_plans_is_not_told_the_logs_position_in_the_lag_headers(
    worker_client: TestClient, seeded: Seeded, limited: str
) -> None:
    """Issue 25, defect 10: X-Recledger-Log-Position is the log's size, as /api/head's."""
    path = "/api/plans/dhr2/recommendations"
    theirs = worker_client.get(path, headers=auth(seeded.tokens["auditor"]))
    assert theirs.status_code == 200 and "x-recledger-log-position" in theirs.headers
    mine = worker_client.get(path, headers=auth(limited))
    assert mine.status_code == 200
    assert not any(name.startswith("x-recledger-") for name in mine.headers)
