"""The results table for bench/README.md, from the JSON files the benchmark wrote.

python -m bench.table bench/results/read_*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = [
    ("events", "events", "{:,}"),
    ("backend", "backend", "{}"),
    ("read models kept", "projections", "{}"),
    ("as-at plan p50 / p99 ms", ("as_at_plan_p50_ms", "as_at_plan_p99_ms"), "{} / {}"),
    ("vs replay", "as_at_plan_naive_ratio", "{}x"),
    ("overdue all p50 / p99 ms", ("overdue_all_p50_ms", "overdue_all_p99_ms"), "{} / {}"),
    ("vs replay", "overdue_naive_ratio", "{}x"),
    ("overdue page of 50 p50 ms", "overdue_page_p50_ms", "{}"),
    ("workload p50 ms", "workload_p50_ms", "{}"),
    ("rebuild ev/s", "rebuild_events_per_s", "{:,}"),
    ("of decode ceiling", "rebuild_ceiling_ratio", "{:.0%}"),
    ("rebuild peak RSS MB", "rebuild_peak_rss_mb", "{}"),
    ("append vs bare", "append_ratio", "{:.0%}"),
    ("bulk import vs bare", "bulk_import_ratio", "{:.0%}"),
]


def row(result: dict[str, object]) -> str:
    cells = []
    for _, keys, template in COLUMNS:
        values = [result.get(k) for k in (keys if isinstance(keys, tuple) else (keys,))]
        cells.append("-" if None in values else template.format(*values))  # not measured
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    results = [json.loads(Path(name).read_text()) for name in sys.argv[1:]]
    results.sort(key=lambda r: (r["events"], r["backend"], r.get("projections", "")))
    print("| " + " | ".join(title for title, _, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for result in results:
        print(row(result))


if __name__ == "__main__":
    main()
