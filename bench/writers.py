"""Many writers at once: python -m bench.writers --backend sqlite|postgres [--seconds S]

16 writer processes (8 running ``recledger update`` again and again, 8 posting to the
HTTP API of ``recledger serve --workers 2``) write for ``--seconds`` on one
recommendation they all share and on one of their own, across two plans. An HTTP writer
sends the version it read (``expected_version``), so it loses when someone wrote in
between; a CLI writer loses when another saves between its read and its write.

Afterwards, from the log itself: every accepted write's update is there exactly once
(``duplicated`` and ``lost`` count the others), no refused write's update is there
(``leaked``), every refusal was a conflict (CLI exit 1 saying so, HTTP 409) and nothing
else (``errors``), the read models equal a rebuild, and ``verify`` passes. Prints and
writes JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adapters.importing.document import read_document
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.access import Role
from domain.audit import acting_as_owner
from service.command_models import IssueToken

SEED_PLAN = Path(__file__).parents[2] / "shared" / "data" / "dhr-case-2-action-plan.txt"
PLANS = ("dhr2", "dhr2b")
SHARED = ("dhr2", "overview/1")
OWN = [f"overview/{n}" for n in range(2, 13)] + [f"imr/west-mercia-police/{n}" for n in range(1, 7)]
CONFLICT = ("was changed by someone else", "is at version")

WRITER = r"""
import json, os, subprocess, sys, time
import httpx
kind, name, url, token, seconds, own_plan, own_ref = sys.argv[1:8]
recledger = os.path.join(os.path.dirname(sys.executable), "recledger")
end, n = time.monotonic() + float(seconds), 0
client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
while time.monotonic() < end:
    n += 1
    plan, ref = ("dhr2", "overview/1") if n % 2 else (own_plan, own_ref)
    text = f"{name} write {n}"
    if kind == "cli":
        done = subprocess.run(
            [recledger, "update", plan, ref, "--text", text, "--effective", "2014-03-01"],
            capture_output=True, text=True,
        )
        outcome = {0: "accepted", 1: "refused"}.get(done.returncode, "error")
        detail = done.stderr.strip()
    else:
        item = f"/api/plans/{plan}/recommendations/{ref}"
        read = client.get(item)
        if read.status_code != 200:
            outcome, detail = "error", f"GET {read.status_code}: {read.text[:300]}"
        else:
            version = read.json()["version"]
            body = {"text": text, "effective": "2014-03-01", "expected_version": version}
            answer = client.post(f"{item}/updates", json=body)
            outcome = {201: "accepted", 409: "refused"}.get(answer.status_code, "error")
            detail = f"{answer.status_code}: {answer.text[:300]}"
    print(json.dumps({"text": text, "plan": plan, "ref": ref, "outcome": outcome,
                      "detail": detail}), flush=True)
"""


def seed(db: str) -> str:
    """Two plans from the seed document; a coordinator token for the HTTP writers."""
    ledger = bootstrap(Settings(db=db, actor="setup"))
    try:
        with acting_as_owner("setup", "bench"):
            for plan in PLANS:
                document, _, _ = read_document(SEED_PLAN, plan_id=plan)
                ledger.import_document(document)
            return ledger.issue_token(IssueToken(name="HTTP writers", role=Role.COORDINATOR))
    finally:
        ledger.close()


@contextmanager
def serving(db: str, port: int) -> Any:
    import httpx

    recledger = Path(sys.executable).with_name("recledger")
    command = [str(recledger), "--db", db, "serve", "--port", str(port), "--workers", "2"]
    env = {**os.environ, "RECLEDGER_ACTOR": "server"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/signin", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("recledger serve did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(db: str, port: int, seconds: float, writers: int = 16) -> dict[str, Any]:
    """The scenario above on the database ``db``; the counts and checks as a dict."""
    token = seed(db)
    env = {**os.environ, "RECLEDGER_DB": db}
    outcomes: list[dict[str, Any]] = []
    with serving(db, port) as url:
        started = time.monotonic()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WRITER,
                    "cli" if n < writers // 2 else "http",
                    f"w{n:02d}",
                    url,
                    token,
                    str(seconds),
                    PLANS[n % 2],
                    OWN[n % len(OWN)],
                ],
                env={**env, "RECLEDGER_ACTOR": f"w{n:02d}"},
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(writers)
        ]
        for process in processes:
            out, _ = process.communicate(timeout=seconds + 300)
            outcomes += [json.loads(line) for line in out.splitlines() if line.strip()]
        elapsed = time.monotonic() - started
    return check(db, outcomes, elapsed, writers)


def check(db: str, outcomes: list[dict[str, Any]], elapsed: float, writers: int) -> dict[str, Any]:
    ledger = bootstrap(Settings(db=db, actor="checker"))
    try:
        logged: Counter[str] = Counter(
            event.text
            for plan in PLANS
            for _, events in ledger.plan_events(plan)
            for event in events
            if type(event).__name__ == "ProgressRecorded" and " write " in event.text
        )
        accepted = {o["text"] for o in outcomes if o["outcome"] == "accepted"}
        refused = [o for o in outcomes if o["outcome"] == "refused"]
        unclear = [
            o
            for o in refused
            if o["detail"]
            and not any(c in o["detail"] for c in CONFLICT)
            and '"current_version"' not in o["detail"]
        ]
        before = {p: [v.to_json() for v in ledger.status(p)] for p in PLANS}
        ledger.rebuild()
        rebuilt = {p: [v.to_json() for v in ledger.status(p)] for p in PLANS}
        verified = ledger.verify()
        by_kind = Counter(
            (("cli" if int(o["text"][1:3]) < writers // 2 else "http"), o["outcome"])
            for o in outcomes
        )
        return {
            "writers": writers,
            "seconds": round(elapsed, 1),
            "accepted": len(accepted),
            "refused": len(refused),
            "errors": sum(o["outcome"] == "error" for o in outcomes) + len(unclear),
            "lost": sum(1 for text in accepted if logged[text] == 0),
            "duplicated": sum(1 for text in accepted if logged[text] > 1),
            "leaked": sum(1 for o in refused if logged[o["text"]] > 0),
            "unknown": sum(1 for text in logged if text not in accepted),
            "on_shared": sum(
                1
                for o in outcomes
                if o["outcome"] == "accepted" and o["ref"] == SHARED[1] and o["plan"] == SHARED[0]
            ),
            "by_kind": {f"{kind} {outcome}": n for (kind, outcome), n in sorted(by_kind.items())},
            "writes_per_second": round(len(accepted) / elapsed, 1),
            "read_models_equal_rebuild": before == rebuilt,
            "verified": verified.intact,
            "examples_of_errors": [o for o in outcomes if o["outcome"] == "error"][:3]
            + unclear[:3],
        }
    finally:
        ledger.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main() -> None:
    from bench.stores import fresh_stores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with fresh_stores(args.backend) as fresh:
        result = {"backend": args.backend, **run(fresh(), free_port(), args.seconds, args.writers)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    ok = not any(result[k] for k in ("errors", "lost", "duplicated", "leaked", "unknown"))
    sys.exit(0 if ok and result["read_models_equal_rebuild"] and result["verified"] else 1)


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
