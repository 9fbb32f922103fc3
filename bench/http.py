"""The HTTP load test: python -m bench.http --events N --backend sqlite|postgres --out FILE.json

Loads the synthetic corpus (bench/corpus.py) through the service, serves it with uvicorn
on loopback (the app ``recledger serve`` runs, plus one bare FastAPI endpoint that
returns a constant body the size of a plan's as-at JSON: the baseline, measured in the
same server and the same run), and puts ``--clients`` concurrent keep-alive connections on
each of these for ``--seconds``, after ``--warmup`` seconds of the same load unmeasured:

- ``constant``: the bare endpoint (the baseline);
- ``as_at_json``: ``GET /api/plans/{plan}/recommendations?as_at=D`` over 200 random
  (plan, D), asked again and again as users do (the answers kept per log position serve
  the repeats: ``adapters/web/gateway.py``);
- ``as_at_json_cold``: the same over 50,000 random (plan, D): mostly computed afresh;
- ``plan_page``: ``GET /plans/{plan}?as_at=D`` (the HTML page, signed in);
- ``overdue_page``: ``GET /api/overdue?as_at=D&limit=50`` (the first page, with the total);
- ``write``: ``POST .../updates`` with the expected version, each client on its own
  recommendation.

Reads are driven by wrk (Debian's ``wrk``: C, so the load generator takes little of the
two cores); writes by an asyncio httpx client, since each depends on the last answer.
Every answer's status is checked: any error is reported and fails the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Response

from adapters.settings import Settings
from adapters.storage import bootstrap
from adapters.web.app import create_app
from bench.__main__ import SEED, load, percentile
from bench.stores import fresh_stores
from domain.access import Role
from domain.audit import acting_as_owner
from service.command_models import IssueToken

_CONSTANT: dict[int, bytes] = {}


def server() -> FastAPI:
    """The served app (uvicorn --factory), with the baseline endpoint beside the API."""
    app = create_app()

    @app.get("/bench/constant", include_in_schema=False)
    async def constant(size: int) -> Response:
        body = _CONSTANT.get(size)
        if body is None:
            body = _CONSTANT[size] = b'["' + b"x" * max(0, size - 4) + b'"]'
        return Response(body, media_type="application/json")

    return app


def wrk_script(paths: list[str], headers: dict[str, str]) -> str:
    """A wrk Lua script: each request a random one of ``paths``, with ``headers``."""
    listed = ",\n".join(json.dumps(p) for p in paths)
    set_headers = "\n".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()
    )
    return f"""
{set_headers}
local paths = {{
{listed}
}}
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def run_wrk(url: str, script: str, clients: int, seconds: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--latency",
             "--timeout", "10s", "-s", file.name, url],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(file.name)
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, Any]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": round(ms(percentiles["50"]), 3),
        "p99_ms": round(ms(percentiles["99"]), 3),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(n) for n in socket.groups()) if socket else 0),
    }


async def writes(
    url: str, token: str, targets: list[tuple[str, str]], seconds: int
) -> dict[str, Any]:
    """Each client records progress on its own recommendation, version after version."""
    latencies: list[float] = []
    errors: list[str] = []
    day = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=len(targets))
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=30
    ) as client:

        async def writer(plan: str, ref: str) -> None:
            item = f"/api/plans/{plan}/recommendations/{ref}"
            version = (await client.get(item)).json()["version"]
            while time.monotonic() < deadline:
                body = {"effective": day, "text": "Load test update", "expected_version": version}
                start = time.perf_counter()
                answer = await client.post(f"{item}/updates", json=body)
                latencies.append((time.perf_counter() - start) * 1000)
                if answer.status_code != 201:
                    errors.append(f"{answer.status_code} {answer.text[:200]}")
                    return
                version = answer.json()["version"]

        started = time.perf_counter()
        await asyncio.gather(*(writer(plan, ref) for plan, ref in targets))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def start_server(db: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RECLEDGER_DB": db, "RECLEDGER_ACTOR": "server"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.http:server", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/signin", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def run(
    events: int, backend: str, clients: int, seconds: int, workers: int, warmup: int
) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench.http needs wrk: apt-get install wrk")
    rng = random.Random(SEED)
    with fresh_stores(backend) as fresh:
        db = fresh()
        ledger = bootstrap(Settings(db=db, actor="bench"))
        plans, bulk = load(ledger, None, events)
        with acting_as_owner("bench", "bench"):
            token = ledger.issue_token(IssueToken(name="bench coordinator", role=Role.COORDINATOR))
        ledger.close()
        print(f"loaded {bulk['events']} events, {len(plans)} plans", file=sys.stderr)
        port = 8000 + rng.randrange(1000)
        process = start_server(db, port, workers)
        url = f"http://127.0.0.1:{port}"
        try:
            found = measure(url, token, plans, rng, int(bulk["events"]), clients, seconds, warmup)
            return found | {"backend": backend, "workers": workers}
        finally:
            process.terminate()
            process.wait(timeout=30)


def measure(
    url: str,
    token: str,
    plans: dict[str, list[str]],
    rng: random.Random,
    events: int,
    clients: int,
    seconds: int,
    warmup: int,
) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    days = [date(2010, 1, 1) + timedelta(days=rng.randrange(6200)) for _ in range(200)]
    chosen = [(rng.choice(list(plans)), day.isoformat()) for day in days]
    as_at = [f"/api/plans/{p}/recommendations?as_at={d}" for p, d in chosen]
    sizes = [len(httpx.get(url + path, headers=auth).content) for path in as_at[:50]]
    size = round(statistics.median(sizes))
    with httpx.Client(base_url=url) as browser:  # sign in as the pages do, for the cookie
        form = browser.get("/signin").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        browser.post("/signin", data={"token": token, "csrf": csrf})
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        assert browser.get(f"/plans/{chosen[0][0]}").status_code == 200, "signed in"
    cold = [  # distinct questions, asked once or so each: answers seldom kept
        f"/api/plans/{rng.choice(list(plans))}/recommendations?as_at="
        f"{date(2010, 1, 1) + timedelta(days=rng.randrange(6200))}"
        for _ in range(50_000)
    ]
    reads = {
        "constant": ([f"/bench/constant?size={size}"], {}),
        "as_at_json": (as_at, auth),
        "as_at_json_cold": (cold, auth),
        "plan_page": ([f"/plans/{p}?as_at={d}" for p, d in chosen], {"Cookie": cookie}),
        "overdue_page": ([f"/api/overdue?as_at={d}&limit=50" for _, d in chosen], auth),
    }
    results: dict[str, Any] = {}
    for name, (paths, headers) in reads.items():
        for path in paths[:3]:
            answer = httpx.get(url + path, headers=headers)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
        script = wrk_script(paths, headers)
        if warmup:  # unmeasured: every worker's ledgers opened, their caches filled
            run_wrk(url, script, clients, warmup)
        results[name] = run_wrk(url, script, clients, seconds)
        print(f"{name}: {results[name]}", file=sys.stderr)
    open_items = []
    for plan in plans:
        found = httpx.get(f"{url}/api/plans/{plan}/recommendations", headers=auth).json()
        open_items += [(plan, r["ref"]) for r in found if r["status"] in ("open", "in_progress")]
        if len(open_items) >= clients:
            break
    results["write"] = asyncio.run(writes(url, token, open_items[:clients], seconds))
    print(f"write: {results['write']}", file=sys.stderr)
    ratio = results["as_at_json"]["rps"] / results["constant"]["rps"]
    return {
        "events": events,
        "plans": len(plans),
        "clients": clients,
        "seconds": seconds,
        "warmup_seconds": warmup,
        "as_at_body_bytes": size,
        **results,
        "as_at_vs_constant_rps": round(ratio, 3),
        "errors": sum(r["errors"] for r in results.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.http", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--warmup", type=int, default=5, help="unmeasured seconds of the same load before each read"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = run(args.events, args.backend, args.clients, args.seconds, args.workers, args.warmup)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    r = result
    print(
        f"{r['events']} events on {r['backend']}, {r['clients']} clients x {r['seconds']} s: "
        + "; ".join(
            f"{name} {r[name]['rps']:.0f} req/s p50 {r[name]['p50_ms']} p99 {r[name]['p99_ms']} ms"
            for name in (
                "constant",
                "as_at_json",
                "as_at_json_cold",
                "plan_page",
                "overdue_page",
                "write",
            )
        )
        + f"; as-at JSON {r['as_at_vs_constant_rps']:.0%} of the constant endpoint; "
        f"{r['errors']} errors",
        file=sys.stderr,
    )
    if r["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    with acting_as_owner("bench", "bench"):  # the owner at the terminal, as the CLI
        main()
