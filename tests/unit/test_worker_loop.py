"""The projection worker's loop (adapters/projection_worker.py) on an in-memory ledger:
it stops when told, and a failing catch-up is one line and another try, not an exit.
(As real processes on both backends: tests/integration/test_projection_worker.py.)"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from adapters import projection_worker
from domain.errors import StorageUnavailable
from service.ledger import Ledger


def test_a_failing_catch_up_is_said_in_one_line_and_tried_again_until_stopped(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []
    project = ledger.project

    def fails_twice(*args: Any, **kwargs: Any) -> int:
        tries.append(1)
        if len(tries) <= 2:
            raise StorageUnavailable("the database is gone")
        return project(*args, **kwargs)

    monkeypatch.setattr(ledger, "project", fails_twice)
    monkeypatch.setattr(projection_worker, "FIRST_WAIT_SECONDS", 0.01)
    stop, said = threading.Event(), list[str]()

    def stop_after_five_tries() -> None:  # failed twice, then caught up and polled
        deadline = time.monotonic() + 10
        while len(tries) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()

    threading.Thread(target=stop_after_five_tries).start()
    projection_worker.follow(ledger, stop, said.append)  # here: the ledger is this thread's
    assert len(tries) >= 5
    assert said == ["cannot catch up: the database is gone; trying again in 0 s"] * 2
