"""The follow-up cycle through the CLI (in this process: tests/e2e/in_process.py): an agency
lead's later target is proposed, the queue lists it, the lead cannot approve it, a
coordinator does; a plan's rules set by `plan sign-off`; a request for updates answered by a
later update, and the response rate."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.in_process import InProcessShell

WMP = "imr/west-mercia-police/3"


def with_a_lead(tmp_path: Path, seed_plan: Path) -> tuple[InProcessShell, str]:
    """A ledger holding the seed plan, and the token of a West Mercia Police lead."""
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    lead = shell("token", "add", "lee", "--role", "agency_lead", "--agency",
                 "west-mercia-police").stdout.splitlines()[-1]  # fmt: skip
    return shell, lead


def test_a_proposal_waits_on_the_queue_and_takes_effect_when_approved(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell, lead = with_a_lead(tmp_path, seed_plan)
    assert "no proposals awaiting sign-off" in shell("proposals").stdout
    proposed = shell("--token", lead, "retarget", "dhr2", WMP, "--target", "Dec 2030",
                     "--reason", "slipping")  # fmt: skip
    assert proposed.stdout.startswith("proposed: awaiting a coordinator's sign-off (proposal ")
    [queued] = json.loads(shell("proposals", "dhr2", "--json").stdout)
    assert (queued["ref"], queued["kind"], queued["actor"], queued["reason"]) == (
        WMP, "extension", "lee", "slipping"
    )  # fmt: skip
    text = shell("proposals").stdout
    assert text.startswith(f"{queued['proposal']}\tdhr2 {WMP}\textension\tby lee ")
    refused = shell("--token", lead, "approve", queued["proposal"], ok=False)
    assert refused.returncode == 1 and "only a coordinator may approve" in refused.stderr
    status = json.loads(shell("status", "dhr2", "--json").stdout)
    assert next(v for v in status if v["ref"] == WMP)["target"]["text"] != "Dec 2030"
    approved = shell("approve", queued["proposal"], "--reason", "agreed by the board")
    assert approved.stdout.count("recorded event ") == 2
    status = json.loads(shell("status", "dhr2", "--json").stdout)
    assert next(v for v in status if v["ref"] == WMP)["target"]["text"] == "Dec 2030"
    [decided] = json.loads(shell("proposals", "--all", "--json").stdout)
    assert decided["decision"] == "approved" and decided["decision_reason"] == "agreed by the board"
    usage = shell("reject", queued["proposal"], ok=False)
    assert usage.returncode == 2  # a rejection needs --reason


def test_plan_sign_off_sets_what_needs_it(tmp_path: Path, seed_plan: Path) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    said = shell("plan", "sign-off", "dhr2", "--change", "completion", "--coordinators-too")
    assert said.stdout.strip() == "plan dhr2: anyone's completion needs sign-off"
    proposed = shell("complete", "dhr2", WMP, "--effective", "2014-03-01")
    assert proposed.stdout.startswith("proposed: ")
    none = shell("plan", "sign-off", "dhr2")
    assert none.stdout.strip() == "plan dhr2: no sign-off"
    bad = shell("plan", "sign-off", "dhr2", "--change", "everything", ok=False)
    assert bad.returncode == 2


def test_a_request_lists_its_items_and_a_later_update_answers_one(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    assert "no requests for updates in dhr2" in shell("requests", "dhr2").stdout
    asked = shell("request", "dhr2", "--agency", "West Mercia Police", "--due", "2014-03-31")
    assert asked.stdout.startswith("asked for updates on ") and "open items of dhr2" in asked.stdout
    shell("update", "dhr2", WMP, "--effective", "2014-03-03", "--text", "Done")
    rows = {r["ref"]: r for r in json.loads(shell("requests", "dhr2", "--json").stdout)}
    assert rows[WMP]["answered"] and rows[WMP]["due"] == "2014-03-31"
    assert sum(not r["answered"] for r in rows.values()) == len(rows) - 1
    [rate] = json.loads(shell("response-rates", "dhr2", "--json").stdout)
    assert (rate["agency"], rate["asked"], rate["answered"]) == (
        "West Mercia Police", len(rows), 1
    )  # fmt: skip
    text = shell("requests", "dhr2").stdout
    assert f"{WMP}\tasked " in text and "\tdue 2014-03-31\tanswered " in text
    nobody = shell("request", "dhr2", "--agency", "Nobody", ok=False)
    assert nobody.returncode == 1 and "no open item of Nobody" in nobody.stderr


def test_status_now_shows_each_items_request_and_what_awaits_sign_off(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell, lead = with_a_lead(tmp_path, seed_plan)
    shell("request", "dhr2", "--agency", "West Mercia Police")
    shell("--token", lead, "complete", "dhr2", WMP, "--effective", "2014-03-01")
    shell("update", "dhr2", "imr/west-mercia-police/2", "--text", "begun", "--effective",
          "2014-03-01")  # fmt: skip
    rows = {v["ref"]: v for v in json.loads(shell("status", "dhr2", "--json").stdout)}
    waiting, answered = rows[WMP]["follow_up"], rows["imr/west-mercia-police/2"]["follow_up"]
    assert waiting["request"]["answered"] is False
    assert [(p["kind"], p["actor"]) for p in waiting["awaiting"]] == [("completion", "lee")]
    assert answered["request"]["answered"] is True and answered["awaiting"] == []
    others = [v["follow_up"] for v in rows.values() if v["agency"] != "West Mercia Police"]
    assert others and all(f == {"request": None, "awaiting": []} for f in others)
    detail = shell("status", "dhr2", WMP).stdout
    assert "not answered; awaiting sign-off: completion" in detail
    line = next(row for row in shell("status", "dhr2").stdout.splitlines() if f" {WMP} " in row)
    assert line.endswith("not answered; awaiting sign-off: completion]")
    as_at = json.loads(shell("status", "dhr2", "--json", "--as-at", "2014-03-01").stdout)
    assert all("follow_up" not in v for v in as_at)  # where it stands is now's, not a past day's
    assert "follow_up" in json.loads(shell("status", "dhr2", WMP, "--json").stdout)


def test_plan_reminders_sets_how_far_ahead_items_are_due_soon(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    said = shell("plan", "reminders", "dhr2", "--days", "90")
    assert said.stdout.strip() == "plan dhr2: items are due soon 90 days ahead of their targets"
    again = shell("plan", "reminders", "dhr2", "--days", "90", ok=False)
    assert again.returncode == 1 and "already reminds 90 days ahead" in again.stderr
    assert shell("plan", "reminders", "dhr2", "--days", "400", ok=False).returncode == 2
