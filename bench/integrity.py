"""The integrity benchmark: python -m bench.integrity --events N --backend B --out FILE.json

Measures, within one run so that the ratios are fair:

- the cost on writes of what makes the ledger verifiable: the same corpus
  (``--overhead-events`` of it) saved plan by plan (bulk import), then the same progress
  updates appended one command at a time, into three ledgers in turn: one as it is (every
  write signed, sealed, its read models' digests kept), one that does not sign its writes,
  and one whose read models keep no digests. The ratios are the full ledger's time over
  each of the others';
- verify: the full ledger grown to ``--events``, then, each in a process of its own,
  reading and decoding every stored event (the ceiling every read of the log pays);
  ``verify`` of the log alone (every entry's hash against its seal, every write's
  signature); ``verify`` (the log, then every read model's rows against their digests);
  and ``verify --deep`` (the log, then the read models rebuilt from it in a scratch
  database and compared): events/s, and each as a share of the ceiling.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from adapters.settings import Settings
from adapters.storage import bootstrap
from bench.__main__ import SEED, in_subprocess
from bench.corpus import corpus
from bench.stores import fresh_stores, sign_nothing
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from projections.digest import Tally
from service.command_models import RecordProgress
from service.ledger import Ledger

CONFIGS = ("full", "unsigned", "undigested")


class NoTally(Tally):
    """Keeps no digest (the rows a projection reads to tally are still read)."""

    def rows(self, table: Table, rows: Iterable[Mapping[str, Any]], sign: int = 1) -> None:
        pass


def configured(db: str, config: str) -> Ledger:
    """A ledger as it is, or with one of the integrity measures taken out (for the bench
    alone: a ledger never runs without them)."""
    ledger = bootstrap(Settings(db=db, actor="bench"))
    if config == "unsigned":
        sign_nothing(ledger.recorder)
    elif config == "undigested":
        ledger.read_model.tally = NoTally
    return ledger


def _appends(
    ledgers: dict[str, Ledger], plans: dict[str, list[str]], appends: int, rng: random.Random
) -> dict[str, list[float]]:
    """The same progress update appended to each ledger in turn, ``appends`` times: ms each."""
    found: dict[str, list[float]] = {c: [] for c in CONFIGS}
    when = FuzzyDate.parse("June 2026")
    while len(found["full"]) < appends:
        plan_id = rng.choice(list(plans))
        ref = rng.choice(plans[plan_id])
        k = len(found["full"]) % 3
        timings = {}
        try:
            for name in CONFIGS[k:] + CONFIGS[:k]:
                start = time.perf_counter()
                ledgers[name].change(
                    plan_id, ref, RecordProgress(text="Benchmark update", effective=when)
                )
                timings[name] = (time.perf_counter() - start) * 1000
        except LedgerError:
            continue  # e.g. withdrawn: the rules refuse it, in all
        for name, ms in timings.items():
            found[name].append(ms)
    return found


def run(events: int, overhead_events: int, backend: str, appends: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    with fresh_stores(backend) as fresh:
        db = fresh()
        ledgers = {c: configured(db if c == "full" else fresh(), c) for c in CONFIGS}
        seconds = dict.fromkeys(CONFIGS, 0.0)
        plans: dict[str, list[str]] = {}
        compared = 0
        with acting_as_owner("bench", "bench"):
            plans_of = corpus(SEED, events)
            for n, generated in enumerate(plans_of):  # the same plans into each, in turn
                batch = [e for a in generated.aggregates for e in a.collect_events()]
                plans[generated.plan.plan_id] = [r.state.ref for r in generated.recommendations]
                for name in CONFIGS[n % 3 :] + CONFIGS[: n % 3]:
                    start = time.perf_counter()
                    ledgers[name].save_atomically(*batch)
                    seconds[name] += time.perf_counter() - start
                compared += len(batch)
                if compared >= overhead_events:
                    break
            append_ms = _appends(ledgers, plans, appends, rng)  # the ledgers still alike
            count = compared
            for generated in plans_of:  # then the full one grown to --events
                batch = [e for a in generated.aggregates for e in a.collect_events()]
                ledgers["full"].save_atomically(*batch)
                count += len(batch)
            print(f"loaded {count} events", file=sys.stderr)
        for ledger in ledgers.values():
            ledger.close()
        measured = {
            m: in_subprocess(m, db) for m in ("decode", "verify-log", "verify", "verify-deep")
        }
    mean = {c: statistics.mean(append_ms[c]) for c in CONFIGS}
    ceiling = measured["decode"]["events_per_s"]
    result: dict[str, Any] = {
        "events": measured["verify"]["events"],
        "backend": backend,
        "overhead_events": compared,
        "appends": appends,
        "decode_ceiling_events_per_s": round(ceiling),
    }
    for c in CONFIGS:
        result[f"bulk_import_{c}_events_per_s"] = round(compared / seconds[c])
        result[f"append_{c}_ms"] = round(mean[c], 3)
    for c in CONFIGS[1:]:
        what = c.removeprefix("un")  # signed, digested
        result[f"bulk_import_{what}_added"] = round(seconds["full"] / seconds[c] - 1, 3)
        result[f"append_{what}_added"] = round(mean["full"] / mean[c] - 1, 3)
    for mode in ("verify-log", "verify", "verify-deep"):
        key = mode.replace("-", "_")
        result[f"{key}_seconds"] = round(measured[mode]["seconds"], 2)
        result[f"{key}_events_per_s"] = round(measured[mode]["events_per_s"])
        result[f"{key}_ceiling_ratio"] = round(measured[mode]["events_per_s"] / ceiling, 3)
        result[f"{key}_peak_rss_mb"] = round(measured[mode]["peak_rss_mb"], 1)
    return result


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
        f"{r['events']} events on {r['backend']}: verify {r['verify_seconds']} s "
        f"({r['verify_ceiling_ratio']:.0%} of reading and decoding the log; the log alone "
        f"{r['verify_log_ceiling_ratio']:.0%}), verify --deep {r['verify_deep_seconds']} s "
        f"({r['verify_deep_ceiling_ratio']:.0%}); signing adds {r['bulk_import_signed_added']:.1%} "
        f"to bulk import and {r['append_signed_added']:.1%} to an append, the read models' "
        f"digests {r['bulk_import_digested_added']:.1%} and {r['append_digested_added']:.1%} "
        f"({r['overhead_events']:,} events, {r['appends']} appends)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
