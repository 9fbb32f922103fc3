"""An empty answer names the time axis that was asked (issue 31, item 6.3: ``--known-at
2014-01-01`` before any event said "no recommendations as at that date")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import seeded
from tests.e2e.in_process import Recledger


@pytest.fixture(scope="module")
def recledger(tmp_path_factory: pytest.TempPathFactory) -> Recledger:
    seed = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
    return Recledger(seeded(str(tmp_path_factory.mktemp("empty") / "ledger.db"), seed))


def test_nothing_known_at_a_moment_names_the_recorded_axis(recledger: Recledger) -> None:
    said = recledger("status", "dhr2", "--known-at", "2014-01-01").stdout
    assert said == "no recommendations as known at (recorded) 2014-01-01 23:59:59 UTC\n"


def test_nothing_as_at_a_day_names_the_effective_axis(recledger: Recledger) -> None:
    said = recledger("status", "dhr2", "--as-at", "2010-01-31").stdout
    assert said == "no recommendations as at (effective) 2010-01-31\n"


def test_both_axes_asked_are_both_named(recledger: Recledger) -> None:
    said = recledger("status", "--as-at", "Jan-2010", "--known-at", "2014-01-01T10:00").stdout
    assert said == (
        "no recommendations as at (effective) 2010-01-31, "
        "as known at (recorded) 2014-01-01 10:00:00 UTC\n"
    )


def test_nothing_overdue_names_the_axis_asked(recledger: Recledger) -> None:
    said = recledger("overdue", "--known-at", "2014-01-01").stdout
    assert said == "nothing overdue as known at (recorded) 2014-01-01 23:59:59 UTC\n"
