"""The read-side benchmark: python -m bench --events N --backend sqlite|postgres --out FILE.json

Builds a deterministic synthetic corpus (bench/corpus.py) through the service layer, then
measures, within one run so that the ratios are fair:

- as-at snapshot of one plan at random (D, T) through the service: p50/p99 ms, and the
  same answer by naive replay of that plan's aggregates through the repository;
- overdue across all plans as at D: p50/p99 ms, and the same by naive replay of everything;
- search of every text (a word of the corpus's vocabulary, each as likely; a phrase of two
  words as the corpus writes them; a prefix), as known now or as at D: p50/p99 ms, each hit
  checked to hold what was asked;
- rebuild: events/s against reading and decoding every stored event (the ceiling), and
  the rebuild's peak RSS (each in its own process);
- append (one command, one transaction) and bulk import (one plan a transaction): events/s
  against the bare eventsourcing Application saving the same events with no projections.

The naive answers are compared with the service's, so a fast wrong answer fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from eventsourcing.application import Application

from adapters.settings import Settings
from adapters.storage import bootstrap, event_store_env
from bench.corpus import VOCABULARY, corpus, prose
from bench.naive import naive_overdue, naive_snapshot
from bench.stores import BareLibrary, fresh_stores, settle
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from domain.recommendation import Recommendation
from service.command_models import RecordProgress
from service.ledger import Ledger

SEED = 7


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(action: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    result = action(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


Plans = dict[str, list[str]]
"""Plan id -> the refs of its recommendations."""


def load(ledger: Ledger, bare: Application | None, events: int) -> tuple[Plans, dict[str, float]]:
    """The corpus, saved plan by plan through the service and (unless None) through the
    bare library."""
    plans: Plans = {}
    service_s = bare_s = 0.0
    count = 0
    with acting_as_owner("bench", "bench"):
        for generated in corpus(SEED, events):
            plans[generated.plan.plan_id] = [r.state.ref for r in generated.recommendations]
            batch = [e for a in generated.aggregates for e in a.collect_events()]
            count += len(batch)
            start = time.perf_counter()
            ledger.save_atomically(*batch)
            middle = time.perf_counter()
            if bare is not None:
                bare.save(*batch)
            bare_s += time.perf_counter() - middle
            service_s += middle - start
    return plans, {
        "events": count,
        "service_per_s": count / service_s,
        "bare_per_s": count / bare_s if bare is not None else 0.0,
    }


def appends(
    ledger: Ledger, bare: Application, plans: Plans, rng: random.Random, n: int
) -> dict[str, float]:
    """One progress update per command, through the service and through the bare library."""
    service_ms: list[float] = []
    bare_ms: list[float] = []
    when = FuzzyDate.parse("June 2026")
    with acting_as_owner("bench", "bench"):
        while len(service_ms) < n:
            plan_id = rng.choice(list(plans))
            ref = rng.choice(plans[plan_id])
            try:
                update = RecordProgress(text="Benchmark update", effective=when)
                ms, _ = timed(ledger.change, plan_id, ref, update)
            except LedgerError:
                continue  # e.g. withdrawn: the rules refuse it
            service_ms.append(ms)
            rec_id = ledger.recommendation(plan_id, ref).id

            def bare_append(rec_id: Any = rec_id) -> None:
                rec: Recommendation = bare.repository.get(rec_id)
                rec.record_progress("Benchmark update", when)
                bare.save(rec)

            bare_ms.append(timed(bare_append)[0])
    return {
        "service_per_s": 1000 / statistics.mean(service_ms),
        "bare_per_s": 1000 / statistics.mean(bare_ms),
    }


def snapshots(
    ledger: Ledger, plans: Plans, rng: random.Random, first: datetime, n: int
) -> dict[str, float]:
    now = datetime.now(UTC)
    service_ms: list[float] = []
    naive_ms: list[float] = []
    for i in range(n):
        plan_id = rng.choice(list(plans))
        as_at = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365))
        known_at = first + (now - first) * rng.random()
        ms, views = timed(ledger.status, plan_id, as_at=as_at, known_at=known_at)
        service_ms.append(ms)
        if i < n // 4:
            ms, expected = timed(naive_snapshot, ledger, plan_id, plans[plan_id], as_at, known_at)
            naive_ms.append(ms)
            got = {v.ref: (v.status, v.target, v.leads, len(v.updates)) for v in views}
            if got != expected:
                raise AssertionError(
                    f"as-at of {plan_id} at {as_at}, {known_at} differs from replay"
                )
    p50 = statistics.median(service_ms)
    return {
        "p50": p50,
        "p99": percentile(service_ms, 0.99),
        "naive_p50": statistics.median(naive_ms),
        "naive_ratio": statistics.median(naive_ms) / p50,
    }


def overdues(
    ledger: Ledger, plans: Plans, rng: random.Random, n: int, naive_runs: int
) -> dict[str, float]:
    """Overdue across all plans as at random days: every summary row, the first page of
    50 with the total, and the workload per lead, all as known now."""
    service_ms: list[float] = []
    page_ms: list[float] = []
    workload_ms: list[float] = []
    naive_ms: list[float] = []
    for i in range(n):
        as_at = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365))
        ms, every = timed(ledger.overdue, as_at=as_at)
        service_ms.append(ms)
        ms, first = timed(ledger.overdue, as_at=as_at, limit=50)
        page_ms.append(ms)
        if (first.total, first.rows) != (every.total, every.rows[:50]):
            raise AssertionError(f"the first page as at {as_at} is not the listing's start")
        workload_ms.append(timed(ledger.workload, "lead", as_at=as_at)[0])
        if i < naive_runs:
            ms, expected = timed(naive_overdue, ledger, plans, as_at)
            naive_ms.append(ms)
            if {(v.plan, v.ref) for v in every.rows} != expected:
                raise AssertionError(f"overdue as at {as_at} differs from replay")
    p50 = statistics.median(service_ms)
    found = {
        "p50": p50,
        "p99": percentile(service_ms, 0.99),
        "page_p50": statistics.median(page_ms),
        "workload_p50": statistics.median(workload_ms),
    }
    if naive_ms:
        found["naive_ms"] = statistics.median(naive_ms)
        found["naive_ratio"] = found["naive_ms"] / p50
    return found


def searches(ledger: Ledger, rng: random.Random, n: int) -> dict[str, float]:
    """Searches of the first 20 hits, three words in five a word, then phrases and prefixes;
    half as known now, half as at a day."""
    service_ms: list[float] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.6:
            word = rng.choice(VOCABULARY)
            query, held = word, word[:4]
        elif roll < 0.8:
            words = prose(rng, 4, 8).rstrip(".").lower().split()
            start = rng.randrange(len(words) - 1)
            query, held = f'"{words[start]} {words[start + 1]}"', words[start][:4]
        else:
            prefix = rng.choice(VOCABULARY)[:4]
            query, held = f"{prefix}*", prefix
        as_at = None if i % 2 else date(2010, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365))
        ms, hits = timed(ledger.search, query, as_at=as_at, limit=20)
        service_ms.append(ms)
        if any(held.lower() not in hit.text.lower() for hit in hits):
            raise AssertionError(f"a search for {query} found a text without {held!r}")
    return {"p50": statistics.median(service_ms), "p99": percentile(service_ms, 0.99)}


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def in_subprocess(mode: str, db: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.rebuild", mode, db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


@contextmanager
def projection_worker(db: str, wanted: bool) -> Iterator[None]:
    """``recledger project`` on ``db`` for the duration (if ``wanted``), stopped as an
    operator would (SIGTERM)."""
    if not wanted:
        yield
        return
    env = {**os.environ, "RECLEDGER_DB": db, "RECLEDGER_ACTOR": "bench worker"}
    recledger = str(Path(sys.executable).with_name("recledger"))
    process = subprocess.Popen([recledger, "project"], env=env, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=600)


def drained(ledger: Ledger) -> dict[str, float]:
    """Wait for the worker to apply the whole log: how far behind it was, and how long
    it took to catch up."""
    behind = ledger.lag().behind
    start = time.perf_counter()
    while ledger.lag().behind:
        time.sleep(0.05)
    return {"behind": behind, "seconds": time.perf_counter() - start}


def run(
    events: int,
    backend: str,
    samples: int,
    *,
    worker: bool = False,
    rebuild: bool = True,
    overdue_replays: int | None = None,
    settled: bool = False,
) -> dict[str, Any]:
    """The measurements above; with ``worker``, the read models are kept by a separate
    ``recledger project`` process (RECLEDGER_PROJECTIONS=worker): commands do not catch
    them up, and before the queries are timed the worker is waited for (so their
    answers can be compared with replay)."""
    rng = random.Random(SEED)
    projections: Literal["inline", "worker"] = "worker" if worker else "inline"
    with fresh_stores(backend) as fresh:
        db = fresh()
        ledger = bootstrap(Settings(db=db, actor="bench", projections=projections))
        bare_db = fresh()
        bare = BareLibrary(env=event_store_env(bare_db))
        started = datetime.now(UTC)
        with projection_worker(db, worker):
            load_s, (plans, bulk) = timed(load, ledger, bare, events)
            print(f"loaded {bulk['events']} events in {load_s / 1000:.0f} s", file=sys.stderr)
            after_load = drained(ledger) if worker else None
            settle_s = timed(settle, db, bare_db)[0] if settled else None
            append = appends(ledger, bare, plans, rng, max(50, samples // 2))
            after_appends = drained(ledger) if worker else None
            as_at = snapshots(ledger, plans, rng, started, samples)
            naive_runs = (
                (1 if events > 200_000 else 3) if overdue_replays is None else overdue_replays
            )
            overdue = overdues(ledger, plans, rng, max(10, samples // 10), naive_runs)
            search = searches(ledger, rng, samples)
        ledger.close()
        bare.close()
        ceiling = in_subprocess("decode", db) if rebuild else None
        rebuilt = in_subprocess("rebuild", db) if rebuild else None
    found: dict[str, Any] = {
        "events": bulk["events"],
        "backend": backend,
        "projections": projections,
        "load_s": round(load_s / 1000),
        "plans": len(plans),
        "as_at_plan_p50_ms": round(as_at["p50"], 3),
        "as_at_plan_p99_ms": round(as_at["p99"], 3),
        "as_at_plan_naive_p50_ms": round(as_at["naive_p50"], 3),
        "as_at_plan_naive_ratio": round(as_at["naive_ratio"], 2),
        "overdue_all_p50_ms": round(overdue["p50"], 2),
        "overdue_all_p99_ms": round(overdue["p99"], 2),
        "overdue_page_p50_ms": round(overdue["page_p50"], 2),
        "workload_p50_ms": round(overdue["workload_p50"], 2),
        "search_p50_ms": round(search["p50"], 2),
        "search_p99_ms": round(search["p99"], 2),
        "overdue_naive_ms": _rounded(overdue.get("naive_ms"), 1),
        "overdue_naive_ratio": _rounded(overdue.get("naive_ratio"), 2),
        "append_events_per_s": round(append["service_per_s"], 1),
        "append_bare_events_per_s": round(append["bare_per_s"], 1),
        "append_ratio": round(append["service_per_s"] / append["bare_per_s"], 3),
        "bulk_import_events_per_s": round(bulk["service_per_s"]),
        "bulk_import_bare_events_per_s": round(bulk["bare_per_s"]),
        "bulk_import_ratio": round(bulk["service_per_s"] / bulk["bare_per_s"], 3),
    }
    if settle_s is not None:
        found["settle_s"] = round(settle_s / 1000, 1)
    if after_load is not None and after_appends is not None:
        found |= {
            "worker_behind_after_load_events": after_load["behind"],
            "worker_drain_after_load_s": round(after_load["seconds"], 1),
            "worker_behind_after_appends_events": after_appends["behind"],
        }
    if ceiling is not None and rebuilt is not None:
        found |= {
            "rebuild_events_per_s": round(rebuilt["events_per_s"]),
            "decode_ceiling_events_per_s": round(ceiling["events_per_s"]),
            "rebuild_ceiling_ratio": round(rebuilt["events_per_s"] / ceiling["events_per_s"], 3),
            "rebuild_peak_rss_mb": round(rebuilt["peak_rss_mb"], 1),
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--samples", type=int, default=200, help="as-at queries to time")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--worker",
        action="store_true",
        help="keep the read models with a `recledger project` process, not inline",
    )
    parser.add_argument(
        "--no-rebuild", action="store_true", help="skip the rebuild and decode measurements"
    )
    parser.add_argument(
        "--overdue-replays",
        type=int,
        help="overdue answers checked by replaying every aggregate (default 3, 1 above 200k "
        "events; 0 skips it: at 5M one replay takes over an hour here)",
    )
    parser.add_argument(
        "--settle",
        action="store_true",
        help="after the load, gather table statistics and write dirty pages (VACUUM ANALYZE "
        "and CHECKPOINT; SQLite: ANALYZE), as a server with autovacuum would have",
    )
    args = parser.parse_args()
    result = run(
        args.events,
        args.backend,
        args.samples,
        worker=args.worker,
        rebuild=not args.no_rebuild,
        overdue_replays=args.overdue_replays,
        settled=args.settle,
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    r = result
    replayed = f"{r['overdue_naive_ratio']}x" if r["overdue_naive_ratio"] else "not replayed"
    print(
        f"{r['events']} events on {r['backend']}: as-at plan p50 {r['as_at_plan_p50_ms']} ms "
        f"({r['as_at_plan_naive_ratio']}x faster than replay); overdue all p50 "
        f"{r['overdue_all_p50_ms']} ms ({replayed}), first page "
        f"{r['overdue_page_p50_ms']} ms; workload {r['workload_p50_ms']} ms; "
        f"search p50 {r['search_p50_ms']} ms; "
        + (
            f"rebuild {r['rebuild_ceiling_ratio']:.0%} of the decode ceiling, "
            f"{r['rebuild_peak_rss_mb']} MB; "
            if "rebuild_ceiling_ratio" in r
            else ""
        )
        + f"append {r['append_ratio']:.0%} and bulk import {r['bulk_import_ratio']:.0%} "
        "of the bare library",
        file=sys.stderr,
    )


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
