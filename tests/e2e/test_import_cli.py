"""Importing the seed plan with the CLI, as a coordinator would (in this process:
tests/e2e/in_process.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.in_process import InProcessShell


def recledger(cwd: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    result = InProcessShell(cwd)(*args, ok=False)  # without RECLEDGER_DB, as "coordinator"
    assert result.returncode == code, result.stderr
    return result


def test_importing_the_seed_reports_counts_and_every_quirk(tmp_path: Path, seed_plan: Path) -> None:
    report = recledger(tmp_path, "import", str(seed_plan)).stdout
    assert "plan dhr2: Domestic Homicide Review Case No 2" in report
    assert "version: 2nd Version dated 29th May 2014" in report
    for line in ("recommendations: 20", "overview: 12", "imr/west-mercia-police: 6",
                 "imr/cri-pathway-to-recovery: 2"):  # fmt: skip
        assert line in report
    for quirk in (
        "line 20: Overview rec 2: text 'the recent HMIC inspection.'",
        "line 26: Overview rec 3: 5 sub-actions",
        "line 58: Overview rec 5: 'Implementation Lead' cell is blank",
        "line 67: Overview rec 8: 'Implementation Lead' cell looks like action text",
        "line 145: CRI Pathway to Recovery rec 2: row cut off at end of file",
    ):
        assert quirk in report


def test_history_shows_the_seeds_dated_updates(tmp_path: Path, seed_plan: Path) -> None:
    recledger(tmp_path, "import", str(seed_plan))
    entries = json.loads(recledger(tmp_path, "history", "dhr2", "overview/1", "--json").stdout)
    updates = [e for e in entries if e["type"] == "ProgressRecorded"]
    assert [
        (u["effective"]["text"], u["effective"]["start"], u["effective"]["end"]) for u in updates
    ] == [
        ("August 2013", "2013-08-01", "2013-08-31"),
        ("Feb 2014", "2014-02-01", "2014-02-28"),
    ]
    assert updates[1]["data"]["text"].startswith("Following an HMIC Review in December 2013")
    assert updates[1]["data"]["text"].endswith("the recent HMIC inspection.")
    assert {e["source"] for e in entries} == {
        "dhr-case-2-action-plan.txt (2nd Version dated 29th May 2014)"
    }
    # Raised when the plan was agreed: no later than its earliest dated evidence.
    assert entries[0]["effective"]["text"] == "no later than 1st April 2013"
    assert entries[0]["effective"]["inferred"] is True


def test_json_report_and_a_second_import_that_records_nothing(
    tmp_path: Path, seed_plan: Path
) -> None:
    first = json.loads(recledger(tmp_path, "import", str(seed_plan), "--json").stdout)
    assert set(first) >= {"plan", "version", "recommendations", "events", "warnings"}
    assert (first["plan"], first["recommendations"]) == ("dhr2", 20)
    assert {"line": 145, "message": first["warnings"][-1]["message"]} == first["warnings"][-1]
    second = json.loads(recledger(tmp_path, "import", str(seed_plan), "--json").stdout)
    assert second["already_imported"] is True and second["events"] == []
    again = recledger(tmp_path, "import", str(seed_plan)).stdout
    assert "imported before: nothing recorded" in again
    assert "  line " not in again and f"its {len(first['warnings'])} reading warnings" in again


def test_a_new_version_that_changes_nothing_says_since_when_and_repeats_no_warning(
    tmp_path: Path, seed_plan: Path
) -> None:
    recledger(tmp_path, "import", str(seed_plan))
    same = tmp_path / "v3.txt"
    same.write_text(seed_plan.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = json.loads(
        recledger(tmp_path, "import", str(same), "--version", "3rd", "--json").stdout
    )
    assert report["unchanged_since"] == "2nd Version dated 29th May 2014"
    assert [e["type"] for e in report["events"]] == ["DocumentVersionRecorded"]
    text = recledger(tmp_path, "import", str(same), "--version", "4th").stdout
    assert "unchanged since 3rd: recorded this version only" in text and "  line " not in text


def test_a_dry_run_prints_the_events_and_writes_nothing(tmp_path: Path, seed_plan: Path) -> None:
    report = recledger(tmp_path, "import", str(seed_plan), "--dry-run").stdout
    assert "dry run: would record" in report
    assert "overview/1  ProgressRecorded  effective Feb 2014" in report
    assert not (tmp_path / "ledger.db").exists()  # not even an empty ledger


def test_plan_and_version_can_be_named(tmp_path: Path, seed_plan: Path) -> None:
    recledger(tmp_path, "import", str(seed_plan), "--plan", "south-worcs-dhr2",
              "--version", "v2", "--plan-date", "2013-03-14")  # fmt: skip
    [plan] = json.loads(recledger(tmp_path, "plans", "--json").stdout)
    assert (plan["plan"], plan["versions"][0]["label"]) == ("south-worcs-dhr2", "v2")
    [raised, *_] = json.loads(
        recledger(tmp_path, "history", "south-worcs-dhr2", "overview/5", "--json").stdout
    )
    assert raised["effective"]["text"] == "2013-03-14"
    bad = recledger(tmp_path, "import", str(seed_plan), "--plan-date", "soon", code=1)
    assert bad.stderr == "recledger: --plan-date 'soon' is not a date on the calendar\n"


def test_a_refused_import_leaves_no_trace(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    result = recledger(tmp_path, "import", "empty.txt", code=1)
    assert result.stderr == "recledger: empty.txt: the file is empty\n"
    assert not (tmp_path / "ledger.db").exists()


def test_a_plan_date_on_a_reimport_corrects_the_raised_dates_never_ignored(
    tmp_path: Path, seed_plan: Path
) -> None:
    recledger(tmp_path, "import", str(seed_plan))
    assert status_count(tmp_path, "2013-03-31") == 0  # agreed no later than 1st April 2013
    report = json.loads(
        recledger(tmp_path, "import", str(seed_plan), "--plan-date", "14th March 2013",
                  "--json").stdout
    )  # fmt: skip
    assert not report["already_imported"]
    assert [e["type"] for e in report["events"]] == ["Corrected"] * 20
    entries = json.loads(recledger(tmp_path, "history", "dhr2", "overview/1", "--json").stdout)
    [correction] = [e for e in entries if e["type"] == "Corrected"]
    assert entries[0]["corrected_by"] == [correction["event_id"]]
    assert correction["actor"] == "coordinator"
    assert "the plan was agreed on 14th March 2013" in correction["reason"]
    assert status_count(tmp_path, "2013-03-31") == 20
    again = recledger(tmp_path, "import", str(seed_plan), "--plan-date", "14th March 2013")
    assert "nothing recorded" in again.stdout  # the stated date already holds


def test_a_plan_date_after_the_documents_own_evidence_is_refused(
    tmp_path: Path, seed_plan: Path
) -> None:
    bad = recledger(tmp_path, "import", str(seed_plan), "--plan-date", "2014-01-01", code=1)
    assert "earliest dated evidence, '1st April 2013'" in bad.stderr
    assert bad.stderr.count("\n") == 1
    assert not (tmp_path / "ledger.db").exists()


def status_count(cwd: Path, as_at: str) -> int:
    return len(json.loads(recledger(cwd, "status", "dhr2", "--as-at", as_at, "--json").stdout))


def test_a_document_that_numbers_two_recommendations_alike_imports_both(tmp_path: Path) -> None:
    header = "Recommendation\tLead agency\tLead officer\tTarget date\tProgress update"
    rows = [
        "Recommendation 2 First.\tCSP\tAnn Cole\tJuly 2014\t",
        "Recommendation 2 Second.\tCSP\tAnn Cole\tJuly 2014\t",
    ]
    (tmp_path / "twice.txt").write_text("\n".join([header, *rows]) + "\n")
    report = recledger(tmp_path, "import", "twice.txt", "--plan", "twice").stdout
    assert "duplicate ref 'overview/2'; kept as 'overview/2#2'" in report
    second = json.loads(recledger(tmp_path, "history", "twice", "overview/2#2", "--json").stdout)
    assert second[0]["data"]["text"] == "Second."
    views = json.loads(recledger(tmp_path, "status", "twice", "--json").stdout)
    assert [(v["ref"], v["number"]) for v in views] == [
        ("overview/2", "2"),
        ("overview/2#2", "2#2"),
    ]


def test_a_later_version_that_drops_a_recommendation_reports_it_and_withdraws_nothing(
    tmp_path: Path,
) -> None:
    header = "Addressed to,Recommendation,Responsible officer,Deadline,Actions taken\n"
    rows = [
        f"Riverton Police,Recommendation {n} Review the policy {n}.,Sam Okafor,30/06/2016,\n"
        for n in (1, 2, 3)
    ]
    (tmp_path / "v1.csv").write_text(header + "".join(rows))
    (tmp_path / "v2.csv").write_text(header + "".join(rows[:2]))
    recledger(tmp_path, "import", "v1.csv", "--plan", "sar7", "--version-date", "2016-01-31")
    report = json.loads(
        recledger(tmp_path, "import", "v2.csv", "--plan", "sar7", "--version-date", "2016-03-31",
                  "--json").stdout
    )  # fmt: skip
    [dropped] = [w for w in report["warnings"] if "not in this version" in w["message"]]
    assert dropped["message"].startswith("overview/3: not in this version")
    assert dropped["line"] == 0  # the document no longer states it
    views = json.loads(recledger(tmp_path, "status", "sar7", "--json").stdout)
    assert [(v["ref"], v["status"]) for v in views] == [
        ("overview/1", "open"), ("overview/2", "open"), ("overview/3", "open")
    ]  # fmt: skip


def test_a_later_version_that_rewords_a_recommendation_records_the_new_text_as_a_correction(
    tmp_path: Path,
) -> None:
    header = "Addressed to,Recommendation,Responsible officer,Deadline,Actions taken\n"
    row = "Riverton Police,Recommendation 1 {text},Sam Okafor,30/06/2016,\n"
    (tmp_path / "v1.csv").write_text(header + row.format(text="Review the policy."))
    (tmp_path / "v2.csv").write_text(header + row.format(text="Review  the policy  and  audit it."))
    recledger(tmp_path, "import", "v1.csv", "--plan", "sar7", "--version-date", "2016-01-31")
    report = json.loads(
        recledger(tmp_path, "import", "v2.csv", "--plan", "sar7", "--version-date", "2016-03-31",
                  "--json").stdout
    )  # fmt: skip
    assert [(e["type"], e["data"]["amendment"]) for e in report["events"][1:]] == [
        ("Corrected", {"text": "Review the policy and audit it."})
    ]
    assert report["events"][1]["reason"].startswith("as stated in v2.csv")
    [view] = json.loads(recledger(tmp_path, "status", "sar7", "--json").stdout)
    assert view["text"] == "Review the policy and audit it."
