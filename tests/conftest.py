"""Shared fixtures: ledgers on each backend, and the PostgreSQL server when reachable.

PostgreSQL tests skip with a reason on a laptop without a server; with
RECLEDGER_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable server fails them instead.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from adapters.settings import Settings
from adapters.signing import LedgerKey, load_key
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from service.command_models import OpenPlan, RaiseRecommendation, RecordProgress
from service.ledger import Ledger

POSTGRES_URL = os.environ.get(
    "RECLEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
SEED_PLAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "dhr-case-2-action-plan.txt"

# The ledgers' signing key, for every test and every process a test starts: one key for
# the session, outside the repository (a test about keys sets its own).
os.environ.setdefault(
    "RECLEDGER_SIGNING_KEY", str(Path(tempfile.mkdtemp(prefix="recledger-keys-")) / "key.pem")
)


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {error}".strip()
        if os.environ.get("RECLEDGER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (RECLEDGER_REQUIRE_POSTGRES=1 makes this a failure)")
        pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``long`` first (the order otherwise kept): started last, one would
    leave a test worker (test.sh runs one per core) running it alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def session_key() -> LedgerKey:
    """The session's signing key (``RECLEDGER_SIGNING_KEY``), as the ledgers use it."""
    key, _ = load_key(Path(os.environ["RECLEDGER_SIGNING_KEY"]), create=True)
    return key


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh, empty schema on the real server, dropped afterwards."""
    _postgres_or_skip()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def seed_plan() -> Path:
    """The real published plan the product starts from (shared/, beside the repository)."""
    if not SEED_PLAN.is_file():
        pytest.fail(f"the seed plan is missing: {SEED_PLAN}")
    return SEED_PLAN


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each integration test runs once on a SQLite file and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def open_ledger() -> Iterator[object]:
    """Open ledgers on a URL; every one opened is closed at the end of the test."""
    opened: list[Ledger] = []

    def _open(db: str) -> Ledger:
        ledger = bootstrap(Settings(db=db, actor="test"))
        opened.append(ledger)
        return ledger

    yield _open
    for ledger in opened:
        ledger.close()


@pytest.fixture(autouse=True)
def owner_at_the_terminal() -> Iterator[None]:
    """Every test acts as the ledger's owner at the terminal, as the CLI without a token
    does, unless it acts as someone else (``acting_as`` with a token's grant). A use case
    outside any context refuses (tests/unit/test_access.py runs some in an empty one)."""
    with acting_as_owner("owner", "test"):
        yield


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A ledger on the in-memory store, for unit tests of the service."""
    ledger = bootstrap(Settings(db="memory:", actor="test"))
    yield ledger
    ledger.close()


@pytest.fixture
def coordinator() -> Iterator[None]:
    """Run the test as an authenticated coordinator using the CLI channel."""
    with acting_as_owner("coordinator", "test"):
        yield


@contextmanager
def application_role(postgres_url: str) -> Iterator[str]:
    """The URL of a role made as ``recledger app-role`` makes it, on the ledger at
    ``postgres_url`` (which must exist): the restricted application login. Dropped after."""
    from adapters.append_only import application_role_sql

    role = f"rl_app_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(postgres_url)
    schema = parts.query.removeprefix("schema=")
    owner = parts._replace(query="").geturl()
    try:
        with psycopg.connect(owner, autocommit=True) as conn:
            for statement in application_role_sql(role, "test", schema, "recledger_events"):
                conn.execute(statement)  # type: ignore[arg-type]
        yield parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()
    finally:
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')  # type: ignore[arg-type]
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[arg-type]


def seeded(db: str, seed_plan: Path) -> str:
    """``db`` holding the seed plan, imported by a coordinator; its URL."""
    from adapters.importing.document import read_document

    ledger = bootstrap(Settings(db=db, actor="setup"))
    try:
        with acting_as_owner("coord", "test"):
            document, _, _ = read_document(seed_plan)
            ledger.import_document(document)
    finally:
        ledger.close()
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hostile(request: pytest.FixtureRequest, seed_plan: Path) -> Iterator[tuple[str, str]]:
    """A ledger with the seed plan, and the URL of someone who writes to its database
    directly, without the ledger's key: the file's owner on SQLite (triggers left in
    place), the restricted application role on PostgreSQL."""
    db = request.getfixturevalue(f"{request.param}_url")
    seeded(db, seed_plan)
    if request.param == "sqlite":
        yield db, db
        return
    with application_role(db) as role_url:
        yield db, role_url


@pytest.fixture
def hostile_role(postgres_url: str, seed_plan: Path) -> Iterator[tuple[str, str]]:
    """``hostile`` on PostgreSQL only: the seeded ledger, and the application role's URL."""
    seeded(postgres_url, seed_plan)
    with application_role(postgres_url) as role_url:
        yield postgres_url, role_url


def plan_with_updates(ledger: Ledger, recommendations: int) -> None:
    """Plan dhr2, its recommendations overview/1.. raised and each given one update, by a
    coordinator."""
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        for n in range(1, recommendations + 1):
            ref, update = f"overview/{n}", RecordProgress(text="Done", effective="Feb 2014")
            raised = RaiseRecommendation(ref=ref, text="Act", leads=["DCI Smith"])
            ledger.raise_recommendation("dhr2", raised)
            ledger.change("dhr2", ref, update)
