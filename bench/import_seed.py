"""How long importing the seed plan takes, against the bare library saving the same events.

    python -m bench.import_seed [--backend sqlite|postgres] [--repeat 7] [--out FILE.json]

Measures, each on a fresh store: parsing and interpreting the document; the import use
case (diff against the ledger + one atomic save); the bare eventsourcing Application
saving the same aggregates (the baseline); and the CLI as a user runs it (a new process,
interpreter start-up included).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from adapters.importing.document import plan_identity, to_plan_document
from adapters.importing.reader import read_plan
from adapters.settings import Settings
from adapters.storage import bootstrap, event_store_env
from bench.stores import BareLibrary, fresh_stores
from domain.audit import acting_as_owner

SEED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dhr-case-2-action-plan.txt"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def document():
    parsed = read_plan(SEED)
    plan_id, kind = plan_identity(parsed.title, SEED.stem)
    return to_plan_document(parsed, plan_id=plan_id, file_name=SEED.name, kind=kind)[0]


def run(backend: str, repeat: int) -> dict[str, object]:
    parse_ms, import_ms, bare_ms, cli_ms, events = [], [], [], [], 0
    recledger = str(Path(sys.executable).with_name("recledger"))
    with fresh_stores(backend) as fresh:
        for _ in range(repeat):
            parse_ms.append(timed(document))
            doc = document()

            ledger = bootstrap(Settings(db=fresh(), actor="bench"))
            with acting_as_owner("bench", "bench"):
                import_ms.append(timed(partial(ledger.import_document, doc)))
            ledger.close()

            # Baseline: the same events, built by a dry run, saved by a bare Application.
            scratch = bootstrap(Settings(db="memory:", actor="bench"))
            with acting_as_owner("bench", "bench"):
                pending = [event for _, event in scratch.import_document(doc, dry_run=True).events]
            events = len(pending)
            bare = BareLibrary(env=event_store_env(fresh()))
            bare_ms.append(timed(partial(bare.save, *pending)))
            bare.close()

            command = [recledger, "--db", fresh(), "import", str(SEED)]
            cli_ms.append(timed(partial(subprocess.run, command, check=True, capture_output=True)))
    median = statistics.median
    return {
        "benchmark": "import_seed",
        "backend": backend,
        "repeat": repeat,
        "events": events,
        "parse_ms": round(median(parse_ms), 2),
        "import_ms": round(median(import_ms), 2),
        "bare_save_ms": round(median(bare_ms), 2),
        "import_vs_bare_save_ratio": round(median(import_ms) / median(bare_ms), 2),
        "import_events_per_s": round(events / (median(import_ms) / 1000)),
        "cli_wall_ms": round(median(cli_ms), 1),
        "cli_target_ms": 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.backend, args.repeat)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(
        f"seed import: {result['import_ms']} ms in process "
        f"({result['import_vs_bare_save_ratio']}x the bare library's save of the same "
        f"{result['events']} events); CLI end to end {result['cli_wall_ms']} ms (target < 1000)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
