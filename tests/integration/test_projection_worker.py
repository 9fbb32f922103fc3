"""The projection worker (``recledger project``, RECLEDGER_PROJECTIONS=worker), as real
processes on both backends (the commands beside it run in this one): commands do not
catch the read models up, the worker does (on PostgreSQL woken by the log's
notifications), reads say how far behind they are, and a worker stopped, killed or
restarted loses nothing and applies nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from adapters.settings import Settings
from adapters.storage import bootstrap
from service.ledger import Ledger
from tests.e2e.in_process import InProcessShell
from tests.projection_rows import rows

RECLEDGER = str(Path(sys.executable).with_name("recledger"))


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {**os.environ, "RECLEDGER_DB": db_url, "RECLEDGER_ACTOR": "coordinator",
            "RECLEDGER_PROJECTIONS": "worker"}  # fmt: skip


def recledger(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A command, in this process (tests/e2e/in_process.py): the worker is the process."""
    shell = InProcessShell(Path.cwd())
    shell.env = dict(env)
    return shell(*args)


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([RECLEDGER, "project"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


def caught_up(ledger: Ledger, seconds: float = 60) -> float:
    """Wait until the read models hold the whole log; how long that took."""
    started = time.monotonic()
    while ledger.lag().behind:
        assert time.monotonic() - started < seconds, ledger.lag()
        time.sleep(0.05)
    return time.monotonic() - started


def equal_to_a_rebuild(db_url: str) -> bool:
    checker = bootstrap(Settings(db=db_url, actor="checker"))  # inline: catches up itself
    try:
        caught = rows(checker.read_model)
        checker.rebuild()
        return rows(checker.read_model) == caught and checker.verify().intact
    finally:
        checker.close()


def test_commands_do_not_wait_for_the_worker_and_a_restarted_worker_loses_nothing(
    env: dict[str, str], db_url: str, seed_plan: Path, tmp_path: Path
) -> None:
    recledger(env, "import", str(seed_plan), "--plan", "a")
    ledger = bootstrap(Settings(db=db_url, actor="reader", projections="worker"))
    try:
        lag = ledger.lag()
        assert lag.read_models == 0 and lag.behind == lag.log > 0  # the import did not wait

        status = recledger(env, "status", "a", "--json")
        assert json.loads(status.stdout) == []  # nothing applied yet, and it says so:
        assert f"read models at log position 0; the log is at {lag.log:,}" in status.stderr

        with worker(env) as process:
            caught_up(ledger)
            status = recledger(env, "status", "a", "--json")
            assert len(json.loads(status.stdout)) > 10 and "note:" not in status.stderr
            # a write while the worker runs: on PostgreSQL only a notification wakes it
            recledger(env, "update", "a", "overview/1", "--text", "Worker 1", "--effective",
                      "2014-03-01")  # fmt: skip
            assert caught_up(ledger) < 10
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            assert process.stderr is not None and "stopped" in process.stderr.read()

        recledger(env, "update", "a", "overview/1", "--text", "Worker 2", "--effective",
                  "2014-03-02")  # fmt: skip
        history = recledger(env, "status", "a", "--json")
        texts = [u["text"] for v in json.loads(history.stdout) for u in v["updates"]]
        assert "Worker 1" in texts and "Worker 2" not in texts  # behind, and said so
        assert "up to " in history.stderr
        report = tmp_path / "a.md"  # a report is of the whole log:
        recledger(env, "export", "a", "--format", "md", "-o", str(report))
        assert "Worker 2" in report.read_text()  # it caught the read models up itself

        for plan in ("b", "c", "d"):  # a backlog, and a worker killed while applying it
            recledger(env, "import", str(seed_plan), "--plan", plan)
        with worker(env) as process:
            assert process.stderr is not None
            assert "following the log" in process.stderr.readline()
            process.kill()  # as it begins to apply them (crash loops: bench/crashes.py)
        with worker(env):
            caught_up(ledger)
            texts = [u.text for v in ledger.status("a") for u in v.updates]
            assert texts.count("Worker 1") == texts.count("Worker 2") == 1
            assert {p.plan_id for p in ledger.plans()} == {"a", "b", "c", "d"}
        assert equal_to_a_rebuild(db_url)
    finally:
        ledger.close()
