"""16 writers at once, 8 through the CLI and 8 through the HTTP API of a two-worker
server, on one shared recommendation and on their own across two plans (bench/writers.py
for the scenario and the longer measured run): nothing lost, duplicated or leaked, every
refusal a clear conflict, read models equal to a rebuild, the log intact."""

from __future__ import annotations

from bench.writers import free_port, run


def test_sixteen_cli_and_http_writers_lose_nothing_and_are_refused_only_with_conflicts(
    db_url: str,
) -> None:
    result = run(db_url, free_port(), seconds=8)
    counts = {k: result[k] for k in ("errors", "lost", "duplicated", "leaked", "unknown")}
    assert counts == dict.fromkeys(counts, 0), result
    assert result["accepted"] > 0 and result["refused"] > 0, result  # the race was real
    assert any(k.startswith("cli ") for k in result["by_kind"]), result  # CLI writers wrote
    assert result["read_models_equal_rebuild"] and result["verified"], result
