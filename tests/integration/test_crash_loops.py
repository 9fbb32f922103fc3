"""Crash loops (bench/crashes.py): kill -9 during an import (its write, catch-up and
sealing), during the catch-up after a write, and during a rebuild, on both backends;
after each kill the log holds all or none, verifies, and the read models once caught up
equal a rebuild; the command run again records exactly what was missing. A bounded run
here (RECLEDGER_CRASH_ITERATIONS for more); the 51-iteration figures are in bench/README."""

from __future__ import annotations

import os
import random

from bench.crashes import run

ITERATIONS = int(os.environ.get("RECLEDGER_CRASH_ITERATIONS", "6"))


def test_commands_killed_at_random_moments_lose_duplicate_and_tear_nothing(db_url: str) -> None:
    result = run(db_url, ITERATIONS, random.Random(ITERATIONS))
    problems = ("torn", "lost", "duplicated", "verify failed", "rerun failed",
                "read models differ from a rebuild")  # fmt: skip
    assert {k: result[k] for k in problems} == dict.fromkeys(problems, 0), result
    assert result["kills"] >= ITERATIONS // 2, result  # most kills land mid-command
