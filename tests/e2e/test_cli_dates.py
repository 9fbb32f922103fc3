"""The CLI's date options read the forms the documents write, by the domain's one rule
(issue 31, item 6.2: ``--as-at Feb-2014`` was refused while the importer reads "Mar-19")."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import seeded
from tests.e2e.in_process import Recledger


@pytest.fixture(scope="module")
def recledger(tmp_path_factory: pytest.TempPathFactory) -> Recledger:
    seed = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
    return Recledger(seeded(str(tmp_path_factory.mktemp("dates") / "ledger.db"), seed))


@pytest.mark.parametrize("month", ["Feb-2014", "Feb 2014", "Feb/2014", "February 2014"])
def test_an_as_at_month_as_documents_write_it_is_its_last_day(
    recledger: Recledger, month: str
) -> None:
    typed = json.loads(recledger("status", "dhr2", "--as-at", month, "--json").stdout)
    day = json.loads(recledger("status", "dhr2", "--as-at", "2014-02-28", "--json").stdout)
    assert typed == day
    assert any(u["effective"]["text"] == "Feb 2014" for view in typed for u in view["updates"])


@pytest.mark.parametrize("form", ["%b-%Y", "%b %Y", "%B %Y", "%b-%y"])
def test_a_known_at_month_is_the_end_of_its_last_day(recledger: Recledger, form: str) -> None:
    today = date.today()  # the seed was imported today: known this month, not in the last
    last = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    known = recledger("status", "dhr2", "--known-at", f"{today:{form}}", "--json").stdout
    now = recledger("status", "dhr2", "--as-at", today.isoformat(), "--json").stdout
    assert json.loads(known) == json.loads(now)  # "now" asked as at a day: no follow_up
    assert known == recledger("status", "dhr2", "--known-at", last.isoformat(), "--json").stdout
    before = date(today.year, today.month, 1) - timedelta(days=1)
    assert recledger("status", "dhr2", "--known-at", f"{before:{form}}", "--json").stdout == "[]\n"


def test_an_excel_month_is_read_as_the_importer_reads_it(recledger: Recledger) -> None:
    overdue = recledger("overdue", "dhr2", "--as-at", "Mar-14", "--json").stdout
    assert overdue == recledger("overdue", "dhr2", "--as-at", "2014-03-31", "--json").stdout


@pytest.mark.parametrize(
    "command",
    [
        ("changes", "dhr2", "--until", "Mar-2014", "--json"),
        ("board-report", "dhr2", "--until", "Mar-2014", "--format", "md", "-o", "-"),
    ],
)
def test_a_period_given_by_months_runs_from_the_first_day_to_the_last(
    recledger: Recledger, command: tuple[str, ...]
) -> None:
    typed = recledger(*command, "--since", "Jan-2014").stdout
    days = [a.replace("Mar-2014", "2014-03-31") for a in command]
    assert _made(typed) == _made(recledger(*days, "--since", "2014-01-01").stdout)


def test_the_audit_since_a_month_starts_on_its_first_day(recledger: Recledger) -> None:
    every = json.loads(recledger("audit", "--json").stdout)
    month = every[0]["recorded_at"][:7]  # the seed was imported this month
    since = json.loads(recledger("audit", "--since", month, "--json").stdout)
    assert since == every


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("status", "dhr2"), "--as-at"),
        (("status", "dhr2"), "--known-at"),
        (("changes", "dhr2"), "--since"),
        (("board-report", "dhr2", "-o", "-"), "--since"),
        (("audit",), "--until"),
    ],
)
def test_a_date_it_cannot_read_is_refused_naming_the_option_and_the_forms(
    recledger: Recledger, command: tuple[str, ...], option: str
) -> None:
    refused = recledger(*command, option, "Febtember 2014", code=1).stderr
    assert refused.startswith(f"recledger: {option}: ") and "'Febtember 2014'" in refused
    assert "Feb 2014" in refused and "Feb-2014" in refused and "2014-02-28" in refused


def _made(report: str) -> str:
    """A report or listing without what differs between two makings of it."""
    made = ("recledger-report/1:", "Generated at")
    return "\n".join(line for line in report.splitlines() if not any(m in line for m in made))
