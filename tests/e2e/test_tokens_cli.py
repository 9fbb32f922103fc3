"""Tokens through the CLI (in this process: tests/e2e/in_process.py): issued once, used
with --token (or RECLEDGER_TOKEN) with the same rules as the API will use, revoked."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.in_process import InProcessShell

WMP = "imr/west-mercia-police/2"
CRI = "imr/cri-pathway-to-recovery/1"


def test_tokens_act_with_their_role_and_scope_and_stop_when_revoked(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    issued = shell("token", "add", "lead@wmp", "--role", "agency_lead", "--agency",
                   "west-mercia-police").stdout.splitlines()  # fmt: skip
    token = issued[-1]
    assert token.startswith("rl_") and " " not in token
    auditor = shell("token", "add", "inspector", "--role", "auditor").stdout.splitlines()[-1]

    shell("--token", token, "update", "dhr2", WMP, "--effective", "Mar 2014", "--text", "ok")
    [entry] = [e for e in json.loads(shell("history", "dhr2", WMP, "--json").stdout)
               if e["data"].get("text") == "ok"]  # fmt: skip
    assert entry["actor"] == "lead@wmp"  # the token's name, not the login name
    other = shell("--token", token, "update", "dhr2", CRI, "--effective", "Mar 2014",
                  "--text", "no", ok=False)  # fmt: skip
    assert other.returncode == 1 and f"may not change {CRI}" in other.stderr

    as_auditor = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    as_auditor.env["RECLEDGER_TOKEN"] = auditor
    assert as_auditor("verify").stdout.startswith("intact: ")
    refused = as_auditor("update", "dhr2", WMP, "--effective", "Mar 2014", "--text", "x", ok=False)
    assert refused.returncode == 1 and "is an auditor" in refused.stderr

    shell("token", "revoke", "lead@wmp", "--reason", "left the force")
    gone = shell("--token", token, "status", "dhr2", ok=False)
    assert gone.returncode == 1 and gone.stderr == "recledger: the token is not valid\n"


def test_token_list_shows_whom_role_scope_and_dates_and_never_a_secret(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    lead = shell("token", "add", "lead@wmp", "--role", "agency_lead", "--agency",
                 "west-mercia-police").stdout.splitlines()[-1]  # fmt: skip
    shell("token", "add", "inspector", "--role", "auditor", "--plan", "dhr2")
    shell("token", "revoke", "inspector", "--reason", "left")
    listed = json.loads(shell("token", "list", "--json").stdout)
    assert [(t["name"], t["role"], t["agencies"], t["plans"]) for t in listed] == [
        ("lead@wmp", "agency_lead", ["west-mercia-police"], []),
        ("inspector", "auditor", [], ["dhr2"]),
    ]
    assert listed[0]["revoked"] is None and listed[1]["revoked"] >= listed[1]["issued"]
    text = shell("token", "list").stdout
    assert "inspector\tauditor\tplan dhr2\tissued " in text and "\trevoked " in text
    secret = lead.split(".")[-1]
    csv_text = shell("token", "list", "--csv").stdout
    assert secret not in text + csv_text + json.dumps(listed)
    refused = shell("--token", lead, "token", "list", ok=False)
    assert refused.returncode == 1 and "list the tokens" in refused.stderr


def test_a_token_with_no_name_and_no_person_is_refused_in_one_line(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    refused = shell("token", "add", ok=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "recledger: a token needs a name and a role, or a person of the directory"
    )
