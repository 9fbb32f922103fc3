"""The API's as_at and known_at read the forms the documents write, by the domain's one
rule, and refuse the rest as bad input naming the parameter (issue 31, item 6.2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Seeded, auth, client_for
from tests.web.test_pages import sign_in

ITEMS = "/api/plans/dhr2/recommendations"


@pytest.fixture
def auditor(seeded_sqlite: Seeded) -> Iterator[TestClient]:
    for client in client_for(seeded_sqlite):
        client.headers.update(auth(seeded_sqlite.tokens["auditor"]))
        yield client


@pytest.mark.parametrize("month", ["Feb-2014", "Feb 2014", "Feb/2014", "February 2014"])
def test_as_at_a_month_as_documents_write_it_is_its_last_day(
    auditor: TestClient, month: str
) -> None:
    answer = auditor.get(ITEMS, params={"as_at": month})
    assert answer.status_code == 200, answer.text
    assert answer.json() == auditor.get(ITEMS, params={"as_at": "2014-02-28"}).json()


def test_known_at_a_month_is_the_end_of_its_last_day(auditor: TestClient) -> None:
    answer = auditor.get(ITEMS, params={"known_at": "Mar-19"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == auditor.get(ITEMS, params={"known_at": "2019-03-31"}).json() == []


@pytest.mark.parametrize("parameter", ["as_at", "known_at"])
@pytest.mark.parametrize("path", [ITEMS, "/api/overdue", "/api/leads"])
def test_a_date_it_cannot_read_is_422_naming_the_parameter_and_the_forms(
    auditor: TestClient, path: str, parameter: str
) -> None:
    answer = auditor.get(path, params={parameter: "Febtember 2014"})
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["query", parameter]
    assert "'Febtember 2014'" in error["msg"]
    assert "Feb 2014" in error["msg"] and "Feb-2014" in error["msg"]


@pytest.mark.parametrize("length", [10, 7])  # a day, a month
def test_the_audit_since_a_day_or_month_starts_at_its_beginning(
    auditor: TestClient, length: int
) -> None:
    every = auditor.get("/api/audit").json()
    since = every[0]["recorded_at"][:length]  # the seed was imported today
    assert auditor.get("/api/audit", params={"since": since}).json() == every


def test_the_plan_page_with_nothing_known_then_names_the_recorded_axis(
    seeded_sqlite: Seeded,
) -> None:
    for client in client_for(seeded_sqlite):
        sign_in(client, seeded_sqlite.tokens["auditor"])
        page = client.get("/plans/dhr2", params={"known_at": "2014-01-01T00:00:00"}).text
        assert "No recommendations as known at (recorded) 2014-01-01 00:00:00 UTC." in page
        page = client.get("/plans/dhr2", params={"as_at": "2010-01-31"}).text
        assert "No recommendations as at (effective) 2010-01-31." in page
