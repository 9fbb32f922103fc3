"""The inspector's commands through the CLI (in this process: tests/e2e/in_process.py,
but for a write to /dev/stdout): verify, checkpoint, prove, audit, export-log and
restore; the stand-alone verifier on a machine with only Python and ``cryptography``;
and, on PostgreSQL, an application role that cannot rewrite the log."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.attacker import Attacker
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell
from tests.seed_events import seed_events

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__import__("cryptography").__file__).parents[1]
SEEDED = seed_events()
"""Events of the seed plan: one write."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    return str(request.getfixturevalue("postgres_url"))


def _seeded(tmp_path: Path, db: str, seed_plan: Path) -> Shell:
    shell = InProcessShell(tmp_path, db=db)
    shell("import", str(seed_plan))
    return shell


def test_checkpoint_then_more_events_then_verify_against_it_and_restore_byte_for_byte(
    tmp_path: Path, db: str, seed_plan: Path
) -> None:
    shell = _seeded(tmp_path, db, seed_plan)
    assert shell("verify").stdout.startswith(f"intact: {SEEDED} events in 1 signed writes, head ")
    made = shell("checkpoint", "-o", "cp.json")
    assert "signed by key " in made.stdout
    shell("update", "dhr2", "imr/west-mercia-police/1", "--effective", "Mar 2014", "--text", "x")
    extended = json.loads(shell("verify", "--against", "cp.json", "--json").stdout)
    assert extended["intact"] and extended["size"] == SEEDED + 1

    shell("export-log", "-o", "log.jsonl")
    restored = InProcessShell(tmp_path, db=str(tmp_path / "restored.db"))
    assert f"head {extended['root']}" in restored("restore", "log.jsonl").stdout
    restored("export-log", "-o", "again.jsonl")
    assert (tmp_path / "log.jsonl").read_bytes() == (tmp_path / "again.jsonl").read_bytes()
    assert json.loads(restored("verify", "--against", "cp.json", "--json").stdout)["intact"]
    assert shell("status", "dhr2", "--json").stdout == restored("status", "dhr2", "--json").stdout

    again = restored("restore", "log.jsonl", ok=False)
    assert again.returncode == 1 and "already holds events" in again.stderr


def test_a_tampered_export_is_refused_at_its_first_bad_line_and_nothing_is_restored(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = _seeded(tmp_path, str(tmp_path / "ledger.db"), seed_plan)
    shell("export-log", "-o", "log.jsonl")
    lines = (tmp_path / "log.jsonl").read_text().splitlines(keepends=True)
    edited = lines[5].replace("2013", "2012")
    assert edited != lines[5]
    (tmp_path / "bad.jsonl").write_text("".join([*lines[:5], edited, *lines[6:]]))
    (tmp_path / "cut.jsonl").write_text("".join(lines[:-1]))

    target = InProcessShell(tmp_path, db=str(tmp_path / "target.db"))
    bad = target("restore", "bad.jsonl", ok=False)
    assert bad.returncode == 1 and "bad.jsonl, line 6:" in bad.stderr
    cut = target("restore", "cut.jsonl", ok=False)
    assert cut.returncode == 1 and "without its trailer" in cut.stderr
    assert target("head").stdout.startswith("position 0,")


def test_verify_names_the_change_in_one_line_and_as_json(
    tmp_path: Path, db: str, seed_plan: Path
) -> None:
    shell = _seeded(tmp_path, db, seed_plan)
    attacker = Attacker(db)
    attacker.drop_protection()
    attacker.tamper("reordered", 20)

    text = shell("verify", ok=False)
    assert text.returncode == 1 and text.stderr.count("\n") == 1
    assert "the log was changed: reordered at position 20" in text.stderr
    found = json.loads(shell("verify", "--json", ok=False).stdout)
    assert not found["intact"]
    assert found["divergence"]["change"] == "reordered" and found["divergence"]["position"] == 20
    refused = shell("checkpoint", "-o", "cp.json", ok=False)
    assert refused.returncode == 1 and not (tmp_path / "cp.json").exists()


def test_the_audit_view_filters_and_carries_each_entrys_hash(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = _seeded(tmp_path, str(tmp_path / "ledger.db"), seed_plan)
    other = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"), actor="lead@wmp")
    other("update", "dhr2", "imr/west-mercia-police/1", "--effective", "Mar 2014", "--text", "x")

    rows = json.loads(shell("audit", "dhr2", "--type", "ProgressRecorded", "--json").stdout)
    assert rows and {(r["plan"], r["type"]) for r in rows} == {("dhr2", "ProgressRecorded")}
    [mine] = json.loads(shell("audit", "--actor", "lead@wmp", "--json").stdout)
    assert (mine["ref"], mine["effective"], mine["source"]) == (
        "imr/west-mercia-police/1",
        "Mar 2014",
        "cli",
    )
    # /dev/stdout is the standard output of a process of its own
    real = Shell(tmp_path, db=str(tmp_path / "ledger.db"))
    lines = real("export-log", "-o", "/dev/stdout").stdout.splitlines()[1:-2]
    entries = [json.loads(line) for line in lines if '"position"' in line]
    exported = {entry["position"]: entry["hash"] for entry in entries}
    assert mine["hash"] == exported[mine["position"]]
    table = list(csv.DictReader(io.StringIO(shell("audit", "--csv").stdout)))
    assert len(table) == SEEDED + 1 and table[0]["type"] == "Opened"
    assert json.loads(shell("audit", "--since", "2999-01-01", "--json").stdout) == []


def _inspector_python(where: Path) -> tuple[list[str], dict[str, str]]:
    """A Python that sees the standard library and ``cryptography`` (with what it needs),
    nothing of recledger: no site-packages, the packages linked into a directory."""
    site = where / "site"
    site.mkdir()
    for entry in SITE.iterdir():
        if entry.name.split(".")[0] in {"cryptography", "cffi", "_cffi_backend", "pycparser"}:
            (site / entry.name).symlink_to(entry)
    return [sys.executable, "-S"], {"PYTHONPATH": str(site), "PATH": os.environ["PATH"]}


def test_the_stand_alone_verifier_checks_a_checkpoint_a_log_and_a_proof(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = _seeded(tmp_path, str(tmp_path / "ledger.db"), seed_plan)
    made = shell("checkpoint", "-o", "cp.json").stdout
    fingerprint = made.split("signed by key ")[1].split(";")[0]
    shell("update", "dhr2", "overview/1", "--effective", "Mar 2014", "--text", "later")
    shell("export-log", "-o", "log.jsonl")
    shell("prove", "dhr2", "overview/1", "2", "--against", "cp.json", "-o", "proof.json")

    inspector = tmp_path / "inspector"
    inspector.mkdir()
    shutil.copy(ROOT / "domain" / "integrity.py", inspector)
    shutil.copy(ROOT / "adapters" / "verifier.py", inspector)
    for name in ("cp.json", "log.jsonl", "proof.json"):
        shutil.copy(tmp_path / name, inspector)
    python, env = _inspector_python(tmp_path)

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*python, "verifier.py", "cp.json", *args],
            cwd=inspector,
            env=env,
            capture_output=True,
            text=True,
        )

    good = check("--log", "log.jsonl", "--proof", "proof.json", "--key", fingerprint)
    assert good.returncode == 0, good.stderr
    assert f"log: {SEEDED + 1} entries" in good.stdout
    assert "extends the checkpoint unchanged" in good.stdout
    assert "is in the checkpoint's log" in good.stdout

    wrong_key = check("--key", "00" * 32)
    assert wrong_key.returncode == 1 and "not by the key" in wrong_key.stderr
    lines = (inspector / "log.jsonl").read_text().splitlines(keepends=True)
    (inspector / "log.jsonl").write_text("".join(lines[:3] + lines[4:]))
    cut = check("--log", "log.jsonl")
    assert cut.returncode == 1 and "line 4: entry at position 4 where 3 was due" in cut.stderr
    statement = json.loads((inspector / "cp.json").read_text())
    statement["statement"] = statement["statement"].replace(f"size {SEEDED}", f"size {SEEDED - 1}")
    (inspector / "cp.json").write_text(json.dumps(statement))
    forged = check()
    assert forged.returncode == 1 and "the file was altered" in forged.stderr


@pytest.mark.postgres
def test_the_application_role_appends_but_cannot_change_the_log(
    tmp_path: Path, postgres_url: str, seed_plan: Path
) -> None:
    owner = _seeded(tmp_path, postgres_url, seed_plan)
    role = f"rl_app_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(postgres_url)
    as_role = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()
    try:
        owner("app-role", role)
        app = InProcessShell(tmp_path, db=as_role)
        app("update", "dhr2", "overview/1", "--effective", "Mar 2014", "--text", "by the app")
        assert app("verify").stdout.startswith(f"intact: {SEEDED + 1} events")
        schema = parts.query.removeprefix("schema=")
        for statement in (
            "UPDATE recledger_events SET topic = 'x'",
            "DELETE FROM recledger_events",
            "TRUNCATE recledger_events",
            "DELETE FROM rl_seals",
            "DROP TRIGGER rl_append_only_rows ON recledger_events",
        ):
            with psycopg.connect(
                parts._replace(query="", netloc=urlsplit(as_role).netloc).geturl()
            ) as conn:
                conn.execute(f'SET search_path TO "{schema}"')
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)  # type: ignore[arg-type]
    finally:
        with psycopg.connect(parts._replace(query="").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
