"""A seeded ledger on each backend with a token per role, and the real app on it.

The app is the one ``recledger serve`` runs (``create_app``), called in-process through
Starlette's test client (real routing, validation, service and database), or served by
uvicorn over loopback where the test is about the server itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.importing.document import read_document
from adapters.settings import Settings
from adapters.storage import bootstrap
from adapters.web.app import create_app
from domain.access import Role
from domain.audit import acting_as_owner
from service.command_models import IssueToken

WMP = "west-mercia-police"
OWN = "imr/west-mercia-police/6"
"""A recommendation of West Mercia Police (its agency lead may change it)."""
OTHERS = "imr/cri-pathway-to-recovery/2"
"""Another agency's (the West Mercia lead may not)."""


@dataclass
class Seeded:
    db: str
    tokens: dict[str, str]
    """By who: coordinator, wmp_lead, auditor, scoped (a coordinator of another plan)."""


def seed(db: str, seed_plan: Path) -> Seeded:
    ledger = bootstrap(Settings(db=db, actor="setup"))
    try:
        with acting_as_owner("setup", "test"):
            document, _, _ = read_document(seed_plan)
            ledger.import_document(document)
            tokens = {
                "coordinator": ledger.issue_token(
                    IssueToken(name="Clare Coordinator", role=Role.COORDINATOR)
                ),
                "wmp_lead": ledger.issue_token(
                    IssueToken(name="Wes Lead", role=Role.AGENCY_LEAD, agencies=[WMP])
                ),
                "auditor": ledger.issue_token(IssueToken(name="Audrey Auditor", role=Role.AUDITOR)),
                "scoped": ledger.issue_token(
                    IssueToken(name="Sam Scoped", role=Role.COORDINATOR, plans=["elsewhere"])
                ),
            }
    finally:
        ledger.close()
    return Seeded(db, tokens)


@pytest.fixture
def seeded(db_url: str, seed_plan: Path) -> Seeded:
    return seed(db_url, seed_plan)


@pytest.fixture
def seeded_sqlite(sqlite_url: str, seed_plan: Path) -> Seeded:
    return seed(sqlite_url, seed_plan)


def client_for(seeded: Seeded) -> Iterator[TestClient]:
    app = create_app(Settings(db=seeded.db, actor="server"))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    yield from client_for(seeded)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(db: str, workers: int = 1) -> Iterator[str]:
    """``recledger serve`` in its own process until the test ends; yields its URL."""
    with serving(db, workers) as (url, _):
        yield url


@contextmanager
def serving(db: str, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As ``serve``, and the server's process (with one worker, the one that answers)."""
    port = free_port()
    recledger = Path(sys.executable).with_name("recledger")
    process = subprocess.Popen(
        [str(recledger), "--db", db, "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "RECLEDGER_ACTOR": "server"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/signin", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"recledger serve did not start: {output}")
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)
