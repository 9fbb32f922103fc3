"""Sign-off through the CLI (in this process: tests/e2e/in_process.py): an agency lead's
later target is proposed, the queue lists it, the lead cannot approve it, a coordinator
does; a plan's rules set by `plan sign-off`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.in_process import InProcessShell

WMP = "imr/west-mercia-police/3"


def test_a_proposal_waits_on_the_queue_and_takes_effect_when_approved(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    lead = shell("token", "add", "lee", "--role", "agency_lead", "--agency",
                 "west-mercia-police").stdout.splitlines()[-1]  # fmt: skip
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
