"""The CLI as a user types it: ``recledger``'s commands, run in this process
(tests/e2e/in_process.py); the installed command itself, in a real process, where the
process is the point: its default ledger in the working directory, and an unreachable
database named in one line by the real interpreter, without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell


@pytest.fixture
def recledger(tmp_path: Path) -> Shell:
    return InProcessShell(tmp_path)


def history(recledger: Shell, ref: str = "overview/1") -> list[dict[str, object]]:
    return json.loads(recledger("history", "dhr2", ref, "--json").stdout)


def test_default_store_is_ledger_db_in_the_working_directory(tmp_path: Path) -> None:
    recledger = Shell(tmp_path)  # the installed command, in a process of its own
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    assert (tmp_path / "ledger.db").is_file()
    assert json.loads(recledger("plans", "--json").stdout)[0]["plan"] == "dhr2"


def test_a_session_of_changes_shows_in_history(recledger: Shell) -> None:
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    recledger(
        "raise", "dhr2", "overview/1", "--text", "Ensure robust action",
        "--agency", "West Mercia Police", "--lead", "Det Supt HQ PVP", "--target", "July 2014",
    )  # fmt: skip
    recledger("update", "dhr2", "overview/1", "--text", "Training done", "--effective", "Aug 2013")
    recledger(
        "reassign", "dhr2", "overview/1", "--lead", "DCI Smith", "--lead", "DS Jones",
        "--reason", "restructure", "--effective", "2014-01-06",
    )  # fmt: skip
    recledger("retarget", "dhr2", "overview/1", "--target", "Autumn 2014", "--reason", "HMIC")
    recledger("mark", "dhr2", "overview/1", "ongoing", "--reason", "embedded")
    recledger("mark", "dhr2", "overview/1", "in_progress")
    recledger("complete", "dhr2", "overview/1", "--effective", "1st April 2014")
    recledger("reopen", "dhr2", "overview/1", "--reason", "audit found gaps")
    recledger("correct", "dhr2", "overview/1", "2", "--reason", "typo", "--text", "Training given")
    recledger("withdraw", "dhr2", "overview/1", "--reason", "superseded")

    entries = history(recledger)
    assert [e["type"] for e in entries] == [
        "Raised", "ProgressRecorded", "LeadsReassigned", "TargetDateRevised", "StatusChanged",
        "StatusChanged", "Completed", "Reopened", "Corrected", "Withdrawn",
    ]  # fmt: skip
    update = entries[1]
    assert update["effective"] == {
        "text": "Aug 2013", "start": "2013-08-01", "end": "2013-08-31",
        "precision": "month", "inferred": False,
    }  # fmt: skip
    assert update["data"] == {"text": "Training done"}
    assert update["corrected_by"] == [entries[8]["event_id"]]
    assert entries[2]["reason"] == "restructure"
    assert all(e["actor"] == "coordinator" and e["source"] == "cli" for e in entries)
    assert all(str(e["recorded_at"]).endswith("+00:00") for e in entries)
    text = recledger("history", "dhr2", "overview/1").stdout
    assert "reason: restructure" in text and "corrected by" in text


def test_the_actor_option_and_variable_attribute_changes(recledger: Shell) -> None:
    recledger("--actor", "alice", "plan", "open", "dhr2", "--title", "DHR Case No 2")
    recledger("--actor", "alice", "raise", "dhr2", "overview/1", "--text", "Act")
    recledger.env["RECLEDGER_ACTOR"] = "bob"
    recledger("update", "dhr2", "overview/1", "--text", "Done", "--effective", "Feb 2014")
    assert [e["actor"] for e in history(recledger)] == ["alice", "bob"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["raise", "dhr2", "overview/1", "--text", "Again"], "already has a recommendation"),
        (["raise", "dhr2", "rec 1", "--text", "x"], "ref 'rec 1' must look like"),
        (["raise", "nope", "overview/9", "--text", "x"], "no plan 'nope'"),
        (["update", "dhr2", "overview/9", "--text", "x", "--effective", "Feb 2014"], "no recom"),
        (["update", "dhr2", "overview/1", "--text", "x", "--effective", "1st July"], "calendar"),
        (["reopen", "dhr2", "overview/1", "--reason", "why"], "only a completed"),
        (["reassign", "dhr2", "overview/1", "--reason", " ", "--lead", "X"], "reason is required"),
        (["correct", "dhr2", "overview/1", "7", "--reason", "x", "--retract"], "has events 1..1"),
        (
            ["correct", "dhr2", "overview/1", "1", "--reason", "x", "--evidence", "e"],
            "a Raised event has no field evidence to amend; it allows: text, agency, leads",
        ),
        (
            ["correct", "dhr2", "overview/1", "1", "--reason", "x", "--effective", "2014-13-01"],
            "looks like a date but is not one",
        ),
        (["mark", "dhr2", "overview/1", "done"], "unknown status 'done'"),
        (
            ["update", "dhr2", "overview/1", "--text", "x", "--effective", "31/02/2014"],
            "'31/02/2014' looks like a date but is not one on the calendar",
        ),
        (
            ["retarget", "dhr2", "overview/1", "--target", "2014-13-01", "--reason", "r"],
            "'2014-13-01' looks like a date but is not one on the calendar",
        ),
        (
            ["raise", "dhr2", "overview/2", "--text", "x", "--target", "30th Feb 2014"],
            "looks like a date but is not one",
        ),
        (
            ["update", "dhr2", "overview/1", "--text", "x", "--effective", "2999-01-01"],
            "a progress update reports what already happened: '2999-01-01' starts after today",
        ),
        (
            ["complete", "dhr2", "overview/1", "--effective", "Summer 2999"],
            "a completion reports what already happened",
        ),
    ],
)
def test_a_refused_command_says_why_in_one_line_and_writes_nothing(
    recledger: Shell, args: list[str], message: str
) -> None:
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    recledger("raise", "dhr2", "overview/1", "--text", "Act")
    before = history(recledger)
    result = recledger(*args, ok=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert history(recledger) == before


def test_a_target_that_is_no_date_at_all_stays_text(recledger: Shell) -> None:
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    for target in ("Ongoing", "Action plan to be updated"):
        recledger("raise", "dhr2", f"overview/{len(target)}", "--text", "x", "--target", target)
    targets = [v["target"] for v in json.loads(recledger("status", "dhr2", "--json").stdout)]
    assert [(t["text"], t["precision"]) for t in targets] == [
        ("Ongoing", "none"), ("Action plan to be updated", "unknown")
    ]  # fmt: skip


def test_a_wrong_reassignment_is_corrected_from_the_cli(recledger: Shell) -> None:
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    recledger("raise", "dhr2", "overview/1", "--text", "Act", "--lead", "Det Supt HQ PVP")
    recledger("reassign", "dhr2", "overview/1", "--lead", "DCI Smith", "--reason", "restructure")
    recledger(
        "correct", "dhr2", "overview/1", "2", "--lead", "DCI Smyth", "--lead", "DS Jones",
        "--reason", "misspelt, and DS Jones shares it",
    )  # fmt: skip
    [view] = json.loads(recledger("status", "dhr2", "--json").stdout)
    assert view["leads"] == ["DCI Smyth", "DS Jones"]
    correction = history(recledger)[-1]
    assert correction["data"]["amendment"] == {"leads": ["DCI Smyth", "DS Jones"]}
    for args in (["--retract", "--text", "x"], []):
        refused = recledger("correct", "dhr2", "overview/1", "2", "--reason", "r", *args, ok=False)
        assert refused.returncode == 2 and "or --retract, not both" in refused.stderr


def test_a_usage_error_exits_2(recledger: Shell) -> None:
    result = recledger("raise", "dhr2", ok=False)
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    shell = Shell(tmp_path, db="postgresql://postgres@127.0.0.1:1/none")
    result = shell("plans", ok=False)
    assert result.returncode == 1
    assert "cannot connect to postgresql://postgres@127.0.0.1:1/none: " in result.stderr
    assert "Connection refused" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
def test_the_cli_records_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    shell = InProcessShell(tmp_path, db=postgres_url)
    shell("plan", "open", "dhr2", "--title", "DHR Case No 2", "--kind", "DHR")
    shell("raise", "dhr2", "imr/west-mercia-police/1", "--text", "Act", "--target", "Dec 2013")
    [entry] = json.loads(shell("history", "dhr2", "imr/west-mercia-police/1", "--json").stdout)
    assert entry["data"]["target"]["end"] == "2013-12-31"
    assert not (tmp_path / "ledger.db").exists()


def test_a_correction_shows_wherever_the_corrected_value_is_shown(recledger: Shell) -> None:
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    recledger("raise", "dhr2", "overview/1", "--text", "Act", "--lead", "Det Supt HQ PVP")
    recledger("update", "dhr2", "overview/1", "--text", "Trainng given", "--effective", "Feb 2014")
    recledger("reassign", "dhr2", "overview/1", "--lead", "DCI Smith", "--reason", "restructure")
    recledger.env["RECLEDGER_ACTOR"] = "auditor"
    recledger("correct", "dhr2", "overview/1", "2", "--text", "Training given", "--reason", "typo")
    recledger("correct", "dhr2", "overview/1", "3", "--lead", "DCI Smyth", "--reason", "misspelt")

    [view] = json.loads(recledger("status", "dhr2", "--json").stdout)
    [update] = view["updates"]
    assert (update["text"], update["sequence"], update["corrected"]) == ("Training given", 2, True)
    assert (
        update["actor"] == "coordinator"
    )  # who wrote the update; the correction says who fixed it
    assert update["correction"]["actor"] == "auditor"
    assert update["correction"]["reason"] == "typo"
    assert "last update Feb 2014 (corrected)" in recledger("status", "dhr2").stdout

    entries = history(recledger)
    assert entries[2]["previous"] == {"leads": ["Det Supt HQ PVP"]}  # the reassignment
    assert (entries[3]["corrects"], entries[3]["previous"]) == (2, {"text": "Trainng given"})
    assert (entries[4]["corrects"], entries[4]["previous"]) == (3, {"leads": ["DCI Smith"]})
    text = recledger("history", "dhr2", "overview/1").stdout
    assert "corrects #3" in text and 'previously: {"leads": ["DCI Smith"]}' in text
    assert view["corrected_fields"]["leads"]["actor"] == "auditor"
    assert view["corrected_fields"]["leads"]["reason"] == "misspelt"
    assert "(* corrected)" in recledger("status", "dhr2").stdout
    detail = recledger("status", "dhr2", "overview/1").stdout
    assert "  leads:     DCI Smyth  (corrected by auditor: misspelt)" in detail
    recledger("reassign", "dhr2", "overview/1", "--lead", "DCI Jones", "--reason", "moved")
    [after] = json.loads(recledger("status", "dhr2", "--json").stdout)
    assert after["corrected_fields"] == {}  # the corrected value is no longer the one shown


def test_a_write_sent_again_with_its_idempotency_key_records_nothing(recledger: Shell) -> None:
    recledger("plan", "open", "dhr2", "--title", "DHR Case No 2")
    recledger("raise", "dhr2", "overview/1", "--text", "Act")
    args = ["update", "dhr2", "overview/1", "--text", "Done", "--effective", "Feb 2014"]
    first = recledger(*args, "--idempotency-key", "2f1c-upd")
    again = recledger("--idempotency-key", "2f1c-upd", *args)
    assert first.stdout == again.stdout and first.stdout.startswith("recorded event ")
    assert "idempotency key '2f1c-upd' was used before: nothing recorded" in again.stderr
    assert [e["type"] for e in history(recledger)] == ["Raised", "ProgressRecorded"]
    refused = recledger("update", "dhr2", "overview/1", "--text", "x", "--effective", "2999",
                        "--idempotency-key", "2f1c-bad", ok=False)  # fmt: skip
    assert refused.returncode == 1  # nothing recorded, so the key stays free
    recledger("update", "dhr2", "overview/1", "--text", "More", "--effective", "Mar 2014",
              "--idempotency-key", "2f1c-bad")  # fmt: skip
    assert len(history(recledger)) == 3


def test_version_names_the_package_the_event_shapes_and_the_read_models() -> None:
    from importlib.metadata import version

    from typer.testing import CliRunner

    from adapters.cli.app import app
    from adapters.storage import PROJECTIONS

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"recledger {version('recledger')}"
    assert "Recommendation.Raised v3" in lines[1] and "Plan.Opened v2" in lines[1]
    assert lines[2] == "read models: " + ", ".join(f"{p.name} v{p.version}" for p in PROJECTIONS)
    assert "recledger-log/2" in lines[3]
