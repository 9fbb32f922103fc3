"""Start-up: `recledger --help`, and `recledger status dhr2` on a ledger holding the seed
plan, against `python -c "import typer, sqlalchemy"` (the floor of any command that reads
a database through them) and a bare two-command Typer app's `--help` (the floor any Typer
CLI pays to render its help), each run in a fresh process, medians of N runs, in the same
run. Issue 26 asks for the status query within 2x the floor.

python -m bench.startup [--runs 15] [--seed PLAN] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_TYPER = """
import typer
app = typer.Typer()
@app.command()
def one(x: int = 1) -> None: ...
@app.command()
def two(y: int = 1) -> None: ...
app()
"""


def median_ms(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--seed", type=Path, default=Path("../shared/data/dhr-case-2-action-plan.txt")
    )
    args = parser.parse_args()
    recledger = shutil.which("recledger") or str(Path(sys.executable).with_name("recledger"))
    with tempfile.TemporaryDirectory() as scratch:
        bare = Path(scratch) / "bare_typer.py"
        bare.write_text(BARE_TYPER)
        db = f"{scratch}/ledger.db"
        subprocess.run([recledger, "--db", db, "import", str(args.seed)], check=True,
                       capture_output=True)  # fmt: skip
        result = {
            "import_typer_ms": median_ms([sys.executable, "-c", "import typer"], args.runs),
            "import_typer_sqlalchemy_ms": median_ms(
                [sys.executable, "-c", "import typer, sqlalchemy"], args.runs
            ),
            "bare_typer_help_ms": median_ms([sys.executable, str(bare), "--help"], args.runs),
            "help_ms": median_ms([recledger, "--help"], args.runs),
            "status_ms": median_ms([recledger, "--db", db, "status", "dhr2"], args.runs),
        }
    result["status_vs_import_typer_sqlalchemy"] = round(
        result["status_ms"] / result["import_typer_sqlalchemy_ms"], 2
    )
    result["help_vs_import_typer"] = round(result["help_ms"] / result["import_typer_ms"], 2)
    result["help_vs_bare_typer_help"] = round(result["help_ms"] / result["bare_typer_help_ms"], 2)
    text = json.dumps({k: round(v, 1) for k, v in result.items()}, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(
        f"recledger --help {result['help_ms']:.0f} ms: {result['help_vs_import_typer']}x "
        f"`import typer`, {result['help_vs_bare_typer_help']}x a bare Typer app's --help; "
        f"status dhr2 {result['status_ms']:.0f} ms: {result['status_vs_import_typer_sqlalchemy']}x "
        "`import typer, sqlalchemy`",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
