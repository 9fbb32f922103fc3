"""Hostile values in every parameter of every route, on both backends: numbers past any
database's integers, NUL and other control characters, the first and last days of the
calendar. Each is a 4xx naming what is wrong, or an answer; never a 5xx.

Schemathesis (test_api_schema.py) draws random values from the OpenAPI document, 25 per
operation: it seldom reaches these few values, and never the pages, so they are sent
here, each one to each parameter, deterministically."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from adapters.settings import Settings
from adapters.web import api, follow_up_pages, pages
from adapters.web.app import create_app
from domain.values import COUNT_MAX
from tests.web.conftest import OWN, Seeded, auth
from tests.web.test_pages import sign_in

HOSTILE = [
    str(2**63),  # one past PostgreSQL's bigint and SQLite's INTEGER
    str(2**64 + 1),
    "dhr2\x00",
    "\x01",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+05:00",  # before the calendar's first moment, in UTC
    "9999-12-31T23:59:59-05:00",  # after its last
]
BASE = {"plan": "dhr2", "ref": OWN, "since": "2014-01-01"}
"""The value of a parameter while another one is hostile (those a route needs)."""
SKIPPED = {"/", "/signin", "/docs", "/openapi.json"}


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    """The app as served: an unexpected exception is the 500 a caller would get."""
    app = create_app(Settings(db=seeded.db, actor="server"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _get_routes() -> Iterator[tuple[str, list[str], list[str]]]:
    """Every GET route of the app (API and pages): path, path and query parameters."""
    for route in [*api.router.routes, *pages.router.routes, *follow_up_pages.router.routes]:
        if isinstance(route, APIRoute) and "GET" in route.methods and route.path not in SKIPPED:
            found = route.dependant  # (the token's and the session's take no parameters)
            yield (
                route.path,
                [p.name for p in found.path_params],
                [p.name for p in found.query_params],
            )


def _url(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace(f"{{{name}:path}}", quote(value, safe="/"))
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    return path


def test_no_hostile_value_in_any_parameter_of_any_route_is_a_server_error(
    client: TestClient, seeded: Seeded
) -> None:
    """Issue 25, defect 9: 500s (and 503s on PostgreSQL) where a 4xx is due: an offset of
    2^63, a NUL in a plan id reaching the database, the chart at 9999-12-31."""
    sign_in(client, seeded.tokens["coordinator"])
    headers = auth(seeded.tokens["coordinator"])
    failures = []
    routes = list(_get_routes())
    assert len(routes) >= 20, "the API's reads and the pages"
    for path, path_params, query_params in routes:
        base_path = {name: BASE[name] for name in path_params}
        base_query = {name: BASE[name] for name in query_params if name in BASE}
        for name in path_params + query_params:
            for value in HOSTILE:
                if name in path_params:
                    url, query = _url(path, {**base_path, name: value}), base_query
                else:
                    url, query = _url(path, base_path), {**base_query, name: value}
                answer = client.get(url, params=query, headers=headers)
                if answer.status_code >= 500:
                    failures.append(f"{answer.status_code} {url} {query}: {answer.text[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ["/api/overdue", "/api/audit"])
@pytest.mark.parametrize("parameter", ["offset", "limit"])
def test_a_count_beyond_the_documented_bound_is_a_422_naming_the_parameter(
    client: TestClient, seeded: Seeded, route: str, parameter: str
) -> None:
    """Issue 25, defect 9: ?offset=9223372036854775808 was a 500 on SQLite, a 503 'bigint
    out of range' on PostgreSQL. Offsets go up to COUNT_MAX (10^9), documented in the
    OpenAPI document; limits to each route's page size."""
    headers = auth(seeded.tokens["auditor"])
    for value in (2**63, 2**63 - 1, COUNT_MAX + 1):
        answer = client.get(route, params={parameter: value}, headers=headers)
        assert answer.status_code == 422, (value, answer.text)
        assert answer.json()["detail"][0]["loc"] == ["query", parameter]
    if parameter == "offset":
        answer = client.get(route, params={"offset": COUNT_MAX}, headers=headers)
        assert answer.status_code == 200, answer.text
        documented = client.get("/openapi.json").json()["paths"][route]["get"]["parameters"]
        (offset,) = [p for p in documented if p["name"] == "offset"]
        assert offset["schema"]["maximum"] == COUNT_MAX


PLAN_NAMED = [
    "/api/plans/{plan}",
    "/api/plans/{plan}/recommendations",
    "/api/plans/{plan}/export",
    "/api/plans/{plan}/changes?since=2014-01-01",
    "/api/plans/{plan}/board-report?since=2014-01-01",
    "/api/overdue?plan={plan}",
    "/api/leads?plan={plan}",
    "/api/agencies?plan={plan}",
    "/api/audit?plan={plan}",
    "/plans/{plan}",
    "/plans/{plan}/chart.svg",
    "/plans/{plan}/export",
]


@pytest.mark.parametrize("plan", ["dhr2%00", "dhr2%01", "%00", "dhr2%0A"])
def test_a_plan_id_with_a_control_character_is_refused_before_the_database(
    client: TestClient, seeded: Seeded, plan: str
) -> None:
    """Issue 25, defect 9: /api/plans/dhr2%00 was a 503 on PostgreSQL ('text fields cannot
    contain NUL'): the id reached a query. Every plan id a caller names is checked by the
    value rules first (domain/values.py): 422 saying what a plan id is."""
    sign_in(client, seeded.tokens["coordinator"])
    headers = auth(seeded.tokens["coordinator"])
    for route in PLAN_NAMED:
        answer = client.get(route.replace("{plan}", plan), headers=headers)
        assert answer.status_code == 422, (route, answer.text)
        assert "plan id" in answer.text, (route, answer.text)
    for write in (f"/api/plans/{plan}/versions", f"/api/plans/{plan}/recommendations"):
        answer = client.post(write, json={"label": "v", "ref": "overview/99", "text": "t"},
                             headers=headers)  # fmt: skip
        assert answer.status_code == 422, (write, answer.text)


@pytest.mark.parametrize("as_at", ["0001-01-01", "0001-01", "9999-12-31", "9999-12"])
def test_the_chart_at_the_first_or_last_day_of_the_calendar_is_drawn(
    client: TestClient, seeded: Seeded, as_at: str
) -> None:
    """Issue 25, defect 9: the chart at 9999-12-31 and 0001-01-01 was a 500 (the month
    after December 9999, the year before 0001-01-01, do not exist): it is drawn up to the
    day asked, over months that exist."""
    sign_in(client, seeded.tokens["auditor"])
    answer = client.get(f"/plans/dhr2/chart.svg?as_at={as_at}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in answer.text
