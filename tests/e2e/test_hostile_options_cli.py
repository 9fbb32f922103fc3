"""Hostile values in the CLI's options, on both backends: a usage error naming the option,
never a traceback or the database's complaint."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.values import COUNT_MAX
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell


@pytest.fixture
def shell(tmp_path: Path, db_url: str, seed_plan: Path) -> Shell:
    shell = InProcessShell(tmp_path, db=db_url)
    shell("import", str(seed_plan))
    return shell


@pytest.mark.parametrize("option", ["--offset", "--limit"])
def test_overdue_refuses_a_count_beyond_the_bound_naming_the_option(
    shell: Shell, option: str
) -> None:
    """Issue 25, defect 9: ``overdue --offset 9223372036854775808`` was a traceback
    (SQLite: 'Python int too large to convert to SQLite INTEGER') or 'bigint out of
    range' (PostgreSQL)."""
    for value in (2**63, COUNT_MAX + 1):
        refused = shell("overdue", option, str(value), ok=False)
        assert refused.returncode == 2, refused.stderr
        assert option in refused.stderr and f"{COUNT_MAX}" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert shell("overdue", option, str(COUNT_MAX)).returncode == 0
