"""Crash loops: python -m bench.crashes --backend sqlite|postgres [--iterations N]

Each iteration starts one command in a process of its own and kills it (SIGKILL) after a
random part (5-95%) of the time that command took when run once, unkilled, at the start
(so that most kills land mid-command on a fast machine or a slow one): in turn an import
of the seed plan (which also catches the read models up and seals the new events), a
progress update (the write, then the catch-up), and a ``rebuild`` of every read model.
After each kill, from the log itself:

- the import's plan holds all of the plan's events or none (``torn`` otherwise);
- the update is there once or not at all;
- ``verify`` passes, and the read models, once caught up, equal a fresh rebuild;

then the interrupted command is run again to the end, and must record exactly what is
missing: the whole plan once, the update once (its idempotency key makes a second run of
a stored write record nothing). Counts what was ``lost`` or ``duplicated`` (must be 0).
Prints and writes JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import NotFound
from service.ledger import Ledger

SEED_PLAN = Path(__file__).parents[2] / "shared" / "data" / "dhr-case-2-action-plan.txt"
RECLEDGER = str(Path(sys.executable).with_name("recledger"))
KINDS = ("import", "update", "rebuild")


def command(kind: str, n: int | str) -> list[str]:
    if kind == "import":
        return ["import", str(SEED_PLAN), "--plan", f"p{n}"]
    if kind == "update":
        text = ["--text", f"crash {n}", "--effective", "2014-03-01"]
        return ["--idempotency-key", f"crash-{n}", "update", "ref", "overview/1", *text]
    return ["rebuild"]


def plan_events(ledger: Ledger, plan: str) -> int:
    try:
        return sum(len(events) for _, events in ledger.plan_events(plan))
    except NotFound:  # the import left none of it
        return 0


def updates_named(ledger: Ledger, n: int) -> int:
    rec = ledger.recommendation("ref", "overview/1")
    return sum(1 for u in rec.state.updates if u.text == f"crash {n}")


def consistent(ledger: Ledger, failures: list[str]) -> tuple[bool, bool]:
    """(the log verifies, the caught-up read models equal a fresh rebuild); what verify
    found, if anything, is added to ``failures``."""
    from tests.projection_rows import rows

    verified = ledger.verify()
    intact = verified.intact
    if not intact:
        failures.append(str(verified.divergence))
    ledger.project()
    caught_up = rows(ledger.read_model)
    ledger.rebuild()
    return intact, rows(ledger.read_model) == caught_up


def timed_run(recledger: Any, args: list[str]) -> float:
    """Seconds one command takes, run to the end."""
    start = time.monotonic()
    assert recledger(*args).returncode == 0, args
    return time.monotonic() - start


def run(db: str, iterations: int, rng: random.Random) -> dict[str, Any]:
    env = {**os.environ, "RECLEDGER_DB": db, "RECLEDGER_ACTOR": "crash loop"}

    def recledger(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([RECLEDGER, *args], env=env, capture_output=True, text=True)

    assert recledger("import", str(SEED_PLAN), "--plan", "ref").returncode == 0
    checker = bootstrap(Settings(db=db, actor="checker"))
    full = plan_events(checker, "ref")
    took = {kind: timed_run(recledger, command(kind, "calibration")) for kind in KINDS}
    counts: Counter[str] = Counter()
    failures: list[str] = []
    try:
        for n in range(iterations):
            kind = KINDS[n % len(KINDS)]
            process = subprocess.Popen(
                [RECLEDGER, *command(kind, n)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(0.05, 0.95) * took[kind])
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                counts[f"{kind} killed"] += 1
            else:
                counts[f"{kind} finished before the kill"] += 1
            process.wait()
            if kind == "import":
                found = plan_events(checker, f"p{n}")
                counts["torn"] += found not in (0, full)
                counts[f"import left {'all' if found == full else 'none'} of the plan"] += 1
            elif kind == "update":
                found = updates_named(checker, n)
                counts["duplicated"] += found > 1
                counts[f"update left {'it stored' if found else 'nothing'}"] += 1
            intact, equal = consistent(checker, failures)
            counts["verify failed"] += not intact
            counts["read models differ from a rebuild"] += not equal
            again = recledger(*command(kind, n))  # what is missing, recorded once
            counts["rerun failed"] += again.returncode != 0
            if kind == "import":
                found = plan_events(checker, f"p{n}")
                counts["lost"] += found < full
                counts["duplicated"] += found > full
            elif kind == "update":
                found = updates_named(checker, n)
                counts["lost"] += found == 0
                counts["duplicated"] += found > 1
        intact, equal = consistent(checker, failures)
        counts["verify failed"] += not intact
        counts["read models differ from a rebuild"] += not equal
    finally:
        checker.close()
    problems = ("torn", "lost", "duplicated", "verify failed", "rerun failed",
                "read models differ from a rebuild")  # fmt: skip
    return {
        "iterations": iterations,
        "kills": sum(v for k, v in counts.items() if k.endswith("killed")),
        **{k: counts[k] for k in problems},
        "by_kind": {k: v for k, v in sorted(counts.items()) if k not in problems},
        "plan_events": full,
        "unkilled_seconds": {kind: round(seconds, 2) for kind, seconds in took.items()},
        "first_failures": failures[:3],
    }


def main() -> None:
    from bench.stores import fresh_stores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--iterations", type=int, default=51)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    started = time.monotonic()
    with fresh_stores(args.backend) as fresh:
        result = run(fresh(), args.iterations, random.Random(args.seed))
    result = {"backend": args.backend, **result, "seconds": round(time.monotonic() - started)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    bad = ("torn", "lost", "duplicated", "verify failed", "rerun failed",
           "read models differ from a rebuild")  # fmt: skip
    sys.exit(1 if any(result[k] for k in bad) else 0)


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
