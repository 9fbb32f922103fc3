"""The integrity benchmark: python -m bench.integrity --events N --backend B --out FILE.json

Measures, within one run so that the ratios are fair:

- sealing's cost: the same corpus (``--overhead-events`` of it) saved plan by plan (bulk
  import) and the same progress updates appended one command at a time, into two ledgers
  alternately: one keeping the read models only, one keeping the read models and the
  seals. The ratio is sealed time over unsealed time;
- verify: the sealed ledger grown to ``--events``, then, each in a process of its own,
  reading and decoding every stored event (the ceiling every read of the log pays) and
  ``verify`` (recompute every entry's hash, compare it with its seal): events/s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from adapters.settings import Settings
from adapters.storage import bootstrap
from bench.__main__ import SEED, in_subprocess
from bench.corpus import corpus
from bench.stores import fresh_stores
from domain.audit import acting_as
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from projections.plans import Plans
from projections.recommendations import Recommendations
from projections.runner import Runner
from service.ledger import Ledger


def unsealed(db: str) -> Ledger:
    """A ledger whose runner keeps the read models and not the seals."""
    ledger = bootstrap(Settings(db=db, actor="bench"))
    assert ledger.read_model is not None
    ledger.read_model = Runner(
        ledger.read_model.engine, [Recommendations(), Plans()], ledger.read_model.key
    )
    return ledger


def run(events: int, overhead_events: int, backend: str, appends: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    with fresh_stores(backend) as fresh:
        db = fresh()
        sealed = bootstrap(Settings(db=db, actor="bench"))
        plain = unsealed(fresh())
        seconds = {"sealed": 0.0, "plain": 0.0}
        plans: dict[str, list[str]] = {}
        count = compared = 0
        with acting_as("bench", "bench"):
            for n, generated in enumerate(corpus(SEED, events)):
                batch = [e for a in generated.aggregates for e in a.collect_events()]
                if count < overhead_events:
                    plans[generated.plan.plan_id] = [r.state.ref for r in generated.recommendations]
                    order = [("sealed", sealed), ("plain", plain)]
                    for name, ledger in order if n % 2 else order[::-1]:
                        start = time.perf_counter()
                        ledger.save_atomically(*batch)
                        seconds[name] += time.perf_counter() - start
                    compared += len(batch)
                else:
                    sealed.save_atomically(*batch)
                count += len(batch)
            print(f"loaded {count} events", file=sys.stderr)
            append_ms: dict[str, list[float]] = {"sealed": [], "plain": []}
            when = FuzzyDate.parse("June 2026")
            while len(append_ms["sealed"]) < appends:
                plan_id = rng.choice(list(plans))
                ref = rng.choice(plans[plan_id])
                order = [("sealed", sealed), ("plain", plain)]
                timings = {}
                try:
                    for name, ledger in order if len(append_ms["plain"]) % 2 else order[::-1]:
                        start = time.perf_counter()
                        ledger.record_progress(plan_id, ref, "Benchmark update", when)
                        timings[name] = (time.perf_counter() - start) * 1000
                except LedgerError:
                    continue  # e.g. withdrawn: the rules refuse it, in both
                for name, ms in timings.items():
                    append_ms[name].append(ms)
        sealed.close()
        plain.close()
        ceiling = in_subprocess("decode", db)
        verified = in_subprocess("verify", db)
    bulk_ratio = seconds["sealed"] / seconds["plain"]
    append_ratio = statistics.mean(append_ms["sealed"]) / statistics.mean(append_ms["plain"])
    return {
        "events": verified["events"],
        "backend": backend,
        "overhead_events": compared,
        "bulk_import_sealed_events_per_s": round(compared / seconds["sealed"]),
        "bulk_import_unsealed_events_per_s": round(compared / seconds["plain"]),
        "bulk_import_sealing_added": round(bulk_ratio - 1, 3),
        "appends": appends,
        "append_sealed_ms": round(statistics.mean(append_ms["sealed"]), 3),
        "append_unsealed_ms": round(statistics.mean(append_ms["plain"]), 3),
        "append_sealing_added": round(append_ratio - 1, 3),
        "verify_events_per_s": round(verified["events_per_s"]),
        "decode_ceiling_events_per_s": round(ceiling["events_per_s"]),
        "verify_ceiling_ratio": round(verified["events_per_s"] / ceiling["events_per_s"], 3),
        "verify_peak_rss_mb": round(verified["peak_rss_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.integrity", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--overhead-events", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.events, args.overhead_events, args.backend, args.appends)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    r = result
    print(
        f"{r['events']} events on {r['backend']}: verify {r['verify_events_per_s']:,} events/s, "
        f"{r['verify_ceiling_ratio']:.0%} of reading and decoding the log; sealing adds "
        f"{r['bulk_import_sealing_added']:.1%} to bulk import and {r['append_sealing_added']:.1%} "
        f"to an append ({r['overhead_events']:,} events, {r['appends']} appends)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
