"""Schemathesis against the API's own OpenAPI document, as the coordinator (so every write
is really attempted), on a seeded ledger on each backend: no input gives a 500, and every
answer conforms to the document (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from adapters.settings import Settings
from adapters.web.app import create_app
from tests.web.conftest import Seeded, auth, seed

EXAMPLES = 25
"""Per operation: bounded, so the suite stays minutes long."""
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def seeded_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, Seeded]]:
    from tests.conftest import POSTGRES_URL, SEED_PLAN, _postgres_or_skip

    if request.param == "sqlite":
        db = str(tmp_path_factory.mktemp("schema") / "ledger.db")
        yield from _app(seed(db, SEED_PLAN))
        return
    _postgres_or_skip()
    import uuid

    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield from _app(seed(f"{POSTGRES_URL}?schema={schema}", Path(SEED_PLAN)))
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _app(seeded: Seeded) -> Iterator[tuple[FastAPI, Seeded]]:
    app = create_app(Settings(db=seeded.db, actor="server"))
    yield app, seeded
    app.state.gateway.close()


def test_no_input_gives_a_500_or_an_answer_outside_the_openapi_document(
    seeded_app: tuple[FastAPI, Seeded],
) -> None:
    app, seeded = seeded_app
    headers = auth(seeded.tokens["coordinator"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "every route is in the document"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exchange(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        exchange()
