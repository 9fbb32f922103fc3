"""A real server (``recledger serve``, uvicorn, over loopback) on a seeded SQLite ledger,
and Debian's Chromium driven by Playwright.

Without Chromium these tests skip with the reason; with RECLEDGER_REQUIRE_BROWSER=1 (set
by .ci/run, which installs it) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.web.conftest import Seeded, seed, serve

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> str:
    found = os.environ.get("RECLEDGER_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    reason = "Chromium is not installed (apt-get install chromium)"
    if os.environ.get("RECLEDGER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; RECLEDGER_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    from tests.conftest import SEED_PLAN

    seeded = seed(str(tmp_path_factory.mktemp("site") / "ledger.db"), SEED_PLAN)
    with serve(seeded.db) as url:
        yield url, seeded


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
