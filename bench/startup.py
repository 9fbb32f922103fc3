"""Start-up: `recledger --help`, and `recledger status dhr2` on a ledger holding the seed
plan, against `python -c "import typer, sqlalchemy"` (the floor of any command that reads
a database through them) and a bare two-command Typer app's `--help` (the floor any Typer
CLI pays to render its help), each run in a fresh process. The commands are taken in turns
(each round runs every command once), so a change in the machine's load between one
command's runs and the next's moves both alike; the figures are the medians of the rounds'
wall times, and of the processes' user and system CPU time. Issue 26 asks for the status
query within 2x the floor.

python -m bench.startup [--runs 15] [--seed PLAN] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
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


def run_ms(command: list[str]) -> tuple[float, float]:
    """One fresh process: its wall time and its CPU time (user and system), in ms."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = (time.perf_counter() - start) * 1000
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu * 1000


def medians_in_turns(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Each command's median wall and CPU time over ``runs`` rounds, one run each a round."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            wall, cpu = run_ms(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    result = {f"{name}_ms": statistics.median(walls[name]) for name in commands}
    result.update({f"{name}_cpu_ms": statistics.median(cpus[name]) for name in commands})
    return result


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
        commands = {
            "import_typer": [sys.executable, "-c", "import typer"],
            "import_typer_sqlalchemy": [sys.executable, "-c", "import typer, sqlalchemy"],
            "bare_typer_help": [sys.executable, str(bare), "--help"],
            "help": [recledger, "--help"],
            "status": [recledger, "--db", db, "status", "dhr2"],
        }
        result = medians_in_turns(commands, args.runs)
    result["status_vs_import_typer_sqlalchemy"] = round(
        result["status_ms"] / result["import_typer_sqlalchemy_ms"], 2
    )
    result["status_cpu_vs_import_typer_sqlalchemy"] = round(
        result["status_cpu_ms"] / result["import_typer_sqlalchemy_cpu_ms"], 2
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
        f"`import typer, sqlalchemy` ({result['status_cpu_vs_import_typer_sqlalchemy']}x in "
        "CPU time)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
