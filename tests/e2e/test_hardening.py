"""Issue 14: no value, race or file can break the ledger or make it lie.

Each test reproduces one of the defects a hostile or unlucky user found, through the
command line, on a SQLite file and on the real PostgreSQL server where the defect concerns
storage: in this process (tests/e2e/in_process.py), or in real processes of the installed
command where the process is the point: parallel first starts, a database the process may
not write, a server that refuses the connection, and reading a device or a pipe (in this
process a read that never ends would hang the test run instead of timing out).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain import audit
from domain.access import Grant
from domain.fuzzy_date import FuzzyDate
from domain.recommendation import Recommendation
from service.command_models import RecordProgress
from tests.attacker import Attacker
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import RECLEDGER, Shell

SEED_TITLE = ("plan", "open", "dhr2", "--title", "DHR Case No 2")


@dataclass
class Ledger:
    """A ledger on one backend: the CLI on it, and raw SQL for what only an attacker or a
    failing disk would do to the database."""

    shell: Shell
    url: str
    events_table: str

    def sql(self, statement: str) -> None:
        if "://" not in self.url:
            with sqlite3.connect(self.url) as conn:
                conn.executescript(statement)
            return
        parts = urlsplit(self.url)
        schema = parts.query.removeprefix("schema=")
        with psycopg.connect(parts._replace(query="").geturl(), autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            conn.execute(statement)  # type: ignore[arg-type]

    def history(self, ref: str = "overview/1") -> list[dict[str, object]]:
        return json.loads(self.shell("history", "dhr2", ref, "--json").stdout)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Ledger:
    """A ledger with plan dhr2 and overview/1 in it, on each backend."""
    if request.param == "sqlite":
        url, table = str(tmp_path / "ledger.db"), "stored_events"
    else:
        url, table = request.getfixturevalue("postgres_url"), "recledger_events"
    shell = InProcessShell(tmp_path, db=url)
    shell(*SEED_TITLE)
    shell("raise", "dhr2", "overview/1", "--text", "Act robustly", "--target", "July 2014")
    return Ledger(shell, url, table)


def refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 1 with one line naming the cause, never a traceback."""
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("recledger: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


# 1. Over-long and NUL values are refused at the edge; the read models never block the log.


def test_over_long_or_nul_values_are_refused_and_nothing_is_written(ledger: Ledger) -> None:
    shell = ledger.shell
    before = ledger.history()
    refused(
        shell("--actor", "a" * 300, "update", "dhr2", "overview/1", "--effective", "Feb 2014",
              "--text", "t", ok=False),
        "the actor is 300 characters long; the limit is 200",
    )  # fmt: skip
    refused(
        shell("raise", "dhr2", "overview/" + "1" * 300, "--text", "x", ok=False),
        "309 characters long; the limit is",
    )
    refused(
        shell("update", "dhr2", "overview/1", "--effective", "Feb 2014", "--text", "a\x1b[2Kb",
              ok=False),
        "control character (U+001B)",
    )  # fmt: skip
    assert ledger.history() == before
    assert shell("status", "--json").returncode == 0
    for command in ("overdue", "leads", "agencies", "rebuild"):
        shell(command)


def test_an_over_long_version_label_is_refused(ledger: Ledger, seed_plan: Path) -> None:
    result = ledger.shell("import", str(seed_plan), "--version", "v" * 600, ok=False)
    refused(result, "the version label is 600 characters long")
    assert len(json.loads(ledger.shell("plans", "--json").stdout)) == 1


def test_a_nul_byte_after_the_first_4_kb_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "".join(f"line {n} of a plan, long enough to fill a page or two\n" for n in range(100))
    (tmp_path / "plan.txt").write_bytes(text.encode() + b"more\x00text\n")
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    refused(shell("import", "plan.txt", ok=False), "plan.txt:101: this is a binary file")
    assert not (tmp_path / "ledger.db").exists()


def _inject_failure(ledger: Ledger) -> None:
    """A read-model table that refuses every new row, as a full disk or a bug would."""
    if "://" in ledger.url:
        ledger.sql(
            "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; "
            "CREATE TRIGGER refuse_rows BEFORE INSERT ON rl_versions "
            "FOR EACH ROW EXECUTE FUNCTION refuse_row()"
        )
    else:
        ledger.sql(
            "CREATE TRIGGER refuse_rows BEFORE INSERT ON rl_versions "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        )


def test_a_stored_write_is_never_reported_failed_and_read_models_recover(ledger: Ledger) -> None:
    shell = ledger.shell
    _inject_failure(ledger)
    result = shell("update", "dhr2", "overview/1", "--effective", "Feb 2014", "--text", "Done")
    assert result.stdout.startswith("recorded event ")
    assert "recorded; read models behind: " in result.stderr
    assert "injected failure" in result.stderr
    assert [e["type"] for e in ledger.history()] == ["Raised", "ProgressRecorded"]  # once
    refused(shell("status", ok=False), "read models", "injected failure")
    ledger.sql("DROP TRIGGER refuse_rows" + (" ON rl_versions" if "://" in ledger.url else ""))
    [view] = json.loads(shell("status", "dhr2", "--json").stdout)
    assert [u["text"] for u in view["updates"]] == ["Done"]
    shell("rebuild")
    assert json.loads(shell("status", "dhr2", "--json").stdout) == [view]


# 3. A number too long to read is refused; one stored before the check still reads.


def test_a_ref_of_thousands_of_digits_is_refused(ledger: Ledger) -> None:
    refused(ledger.shell("raise", "dhr2", "overview/" + "1" * 5000, "--text", "x", ok=False))
    assert len(json.loads(ledger.shell("status", "--json").stdout)) == 1


def test_a_stored_ref_of_thousands_of_digits_does_not_break_queries(tmp_path: Path) -> None:
    """Written by an earlier version that had no limit (SQLite does not enforce column
    widths): every query still answers."""
    db = str(tmp_path / "ledger.db")
    shell = InProcessShell(tmp_path, db=db)
    shell(*SEED_TITLE)
    huge = "overview/" + "1" * 5000
    ledger = bootstrap(Settings(db=db, actor="old"))
    with audit.acting_as_owner("old-version", "cli"):
        legacy = Recommendation._create(
            Recommendation.Raised, id=uuid.uuid4(), plan_id="dhr2", ref=huge,
            text="x", agency="", leads=[], target=None, theme="", reason=None, effective=None,
        )  # fmt: skip
        ledger.save_atomically(legacy)
    ledger.close()
    shell("raise", "dhr2", "overview/2", "--text", "y")
    refs = [view["ref"] for view in json.loads(shell("status", "--json").stdout)]
    assert refs == ["overview/2", huge]
    shell("overdue")
    shell("rebuild")


# 4. Output cannot forge the audit trail.


def test_text_output_shows_control_characters_instead_of_obeying_them(tmp_path: Path) -> None:
    """An actor stored by an earlier version without the check: a fake history line and an
    escape sequence. The history shows them escaped, on the line they belong to."""
    db = str(tmp_path / "ledger.db")
    shell = InProcessShell(tmp_path, db=db)
    shell(*SEED_TITLE)
    shell("raise", "dhr2", "overview/1", "--text", "Act")
    forged = "mallory\n  9  2014-02-28 10:00:00+0000  chief.inspector  Completed\x1b[2K\u202e"
    ledger = bootstrap(Settings(db=db, actor="x"))
    owner = Grant.owner(forged)
    token = audit._context.set(audit.AuditContext(forged, "cli", owner))  # bypasses acting_as
    try:
        ledger.change(
            "dhr2", "overview/1", RecordProgress(text="note", effective=FuzzyDate.parse("Feb 2014"))
        )
    finally:
        audit._context.reset(token)
        ledger.close()
    shell("update", "dhr2", "overview/1", "--effective", "Mar 2014",
          "--text", "two\nlines\tend")  # fmt: skip
    output = shell("history", "dhr2", "overview/1").stdout
    assert "\x1b" not in output and "\u202e" not in output
    assert "chief.inspector" in output
    assert not any(line.lstrip().startswith("9  ") for line in output.splitlines())
    assert "mallory\\n  9  2014-02-28" in output and "\\x1b[2K" in output
    [status] = json.loads(shell("status", "dhr2", "--json").stdout)
    assert status["updates"][-1]["text"] == "two\nlines\tend"  # JSON keeps the data
    assert "\\u202e" in shell("history", "dhr2", "overview/1", "--json").stdout  # inert


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(recledger_sqlite: Shell) -> None:
    shell = recledger_sqlite
    shell("raise", "dhr2", "overview/1", "--text", '=HYPERLINK("http://x.example/","click")',
          "--agency", "=1+1", "--lead", "@SUM(A1)", "--target", "July 2014")  # fmt: skip
    output = shell("status", "--csv").stdout
    assert "'=HYPERLINK(" in output and "'=1+1" in output and "'@SUM(A1)" in output
    assert ",=" not in output and ",@" not in output


@pytest.fixture
def recledger_sqlite(tmp_path: Path) -> Shell:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell(*SEED_TITLE)
    return shell


# 5. Look-alike identifiers are one identifier, or refused.


def test_look_alike_identifiers_cannot_make_duplicates(recledger_sqlite: Shell) -> None:
    shell = recledger_sqlite
    refused(shell("plan", "open", "dhr2\n", "--title", "Again", ok=False), "plan id")
    shell("raise", "dhr2", "overview/1", "--text", "x")
    refused(shell("raise", "dhr2", "overview/01", "--text", "x", ok=False), "already has")
    refused(shell("raise", "dhr2", "overview/\u0661", "--text", "x", ok=False), "ASCII digits")
    refused(shell("raise", "dhr2", "overview/1\n", "--text", "x", ok=False))
    assert shell("history", "dhr2", "overview/01").returncode == 0  # the same recommendation
    assert len(json.loads(shell("plans", "--json").stdout)) == 1
    assert len(json.loads(shell("status", "--json").stdout)) == 1


# 6. Start-up is idempotent under concurrency.


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "fresh.db")
    return str(request.getfixturevalue("postgres_url"))


def test_eight_parallel_first_starts_on_a_fresh_database(fresh_db: str, tmp_path: Path) -> None:
    shell = Shell(tmp_path, db=fresh_db)

    def open_plan(n: int) -> subprocess.CompletedProcess[str]:
        return shell("plan", "open", f"p{n}", "--title", f"Plan {n}", ok=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(open_plan, range(8)))
    assert [r.stderr for r in results if r.returncode] == []
    with ThreadPoolExecutor(max_workers=8) as pool:  # 5 rounds of 8 starts that only read
        listings = list(pool.map(lambda _: shell("plans", "--json", ok=False), range(40)))
    assert [r.stderr for r in listings if r.returncode] == []
    assert {p["plan"] for p in json.loads(listings[0].stdout)} == {f"p{n}" for n in range(8)}


# 7. --db problems are one line naming the real cause, without secrets.


def test_a_file_that_is_not_a_database_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("shopping list\n" * 100)
    shell = InProcessShell(tmp_path, db=str(tmp_path / "notes.db"))
    refused(shell("status", ok=False), "not a SQLite database file")
    refused(shell(*SEED_TITLE, ok=False), "not a SQLite database file")


def test_a_read_command_never_creates_a_ledger(tmp_path: Path) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledgr.db"))
    for command in (("plans",), ("status",), ("overdue",), ("history", "dhr2", "overview/1")):
        refused(shell(*command, ok=False), "there is no ledger at", "ledgr.db")
    assert not (tmp_path / "ledgr.db").exists()


def test_a_read_only_database_is_named_read_only(tmp_path: Path) -> None:
    """As a user without write permission: root bypasses file permissions, so as root the
    command runs without that capability (setpriv)."""
    db = tmp_path / "ledger.db"
    InProcessShell(tmp_path, db=str(db))(*SEED_TITLE)
    db.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
        command = [*(drop if os.geteuid() == 0 else []), RECLEDGER, "--db", str(db), "status"]
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    finally:
        tmp_path.chmod(0o755)
    refused(result, "read-only")


@pytest.mark.postgres
def test_postgres_errors_name_the_cause_and_mask_the_password(
    tmp_path: Path, postgres_url: str
) -> None:
    server = urlsplit(postgres_url)
    for url, cause in (
        (f"postgresql://postgres:s3cr%40t@{server.netloc}/no_such_db", 'database "no_such_db"'),
        (f"postgresql://nobody_here:s3cr%40t@{server.netloc}/test", 'role "nobody_here"'),
    ):
        result = Shell(tmp_path, db=url)("plans", ok=False, timeout=30)
        refused(result, cause, "does not exist", ":***@")
        assert "s3cr" not in result.stderr


# 8. Input limits.


def test_import_refuses_devices_pipes_and_huge_files(tmp_path: Path) -> None:
    shell = Shell(tmp_path, db=str(tmp_path / "ledger.db"))
    refused(shell("import", "/dev/zero", ok=False, timeout=30), "not a regular file")
    os.mkfifo(tmp_path / "pipe.txt")
    refused(shell("import", "pipe.txt", ok=False, timeout=30), "not a regular file")
    with (tmp_path / "huge.txt").open("wb") as huge:
        huge.truncate(21 * 1024 * 1024)  # sparse: no need to write 21 MB
    refused(shell("import", "huge.txt", ok=False, timeout=30), "the limit is 20,971,520 bytes")
    assert not (tmp_path / "ledger.db").exists()


# 10. A log changed under the read models is noticed, never skipped.


def _delete_last_event(ledger: Ledger) -> None:
    """As someone with the database owner's rights would: the log is append-only."""
    Attacker(ledger.url).drop_protection()
    position = "notification_id" if "://" in ledger.url else "rowid"
    table = ledger.events_table
    ledger.sql(f"DELETE FROM {table} WHERE {position} = (SELECT max({position}) FROM {table})")


def test_a_log_shorter_than_the_read_models_is_noticed(ledger: Ledger) -> None:
    shell = ledger.shell
    shell("update", "dhr2", "overview/1", "--effective", "Feb 2014", "--text", "Done")
    _delete_last_event(ledger)
    refused(shell("status", ok=False), "the log ends before it", "rebuild")
    shell("rebuild")
    [view] = json.loads(shell("status", "dhr2", "--json").stdout)
    assert view["updates"] == []


def test_an_event_stored_at_a_reused_position_is_not_skipped(tmp_path: Path) -> None:
    """SQLite reuses the position of a deleted last row: the next event lands there."""
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    ledger = Ledger(shell, str(tmp_path / "ledger.db"), "stored_events")
    shell(*SEED_TITLE)
    shell("raise", "dhr2", "overview/1", "--text", "Act")
    shell("update", "dhr2", "overview/1", "--effective", "Feb 2014", "--text", "Done")
    _delete_last_event(ledger)
    result = shell("update", "dhr2", "overview/1", "--effective", "Feb 2014", "--text", "Again")
    assert "recorded; read models behind: " in result.stderr
    assert "holds another event there" in result.stderr
    refused(shell("status", ok=False), "holds another event there")
    shell("rebuild")
    [view] = json.loads(shell("status", "dhr2", "--json").stdout)
    assert [u["text"] for u in view["updates"]] == ["Again"]


def test_a_setting_it_cannot_take_is_refused_in_one_line_naming_the_variable(
    tmp_path: Path,
) -> None:
    shell = InProcessShell(tmp_path, str(tmp_path / "ledger.db"))
    shell.env["RECLEDGER_PROJECTIONS"] = "sometimes"
    refused = shell("plans", ok=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        "recledger: RECLEDGER_PROJECTIONS='sometimes': Input should be 'inline' or 'worker'"
    ]
    assert not (tmp_path / "ledger.db").exists()
