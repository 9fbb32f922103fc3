"""The projection worker (``recledger project``): one long-lived process that keeps the
read models and the seals current, so that commands and queries need not.

It catches up with what the log holds, then follows it. On PostgreSQL it waits on the
library's subscription (``PostgresApplicationRecorder.subscribe``: LISTEN on the events'
channel, which every write NOTIFYs when it commits), and each notification that is not
applied yet wakes one catch-up, which applies everything stored by then; on SQLite, which
has no notifications, it looks every ``POLL_SECONDS``.

Stopping it loses nothing and applies nothing twice: each catch-up is the runner's (one
transaction holds a batch's rows and the positions it moves), so a worker stopped, killed
or restarted, or two of them at once, go on from the positions stored with the read
models. A failure (the database gone, a log changed outside the ledger) is said in one
line; the worker waits and tries again, twice as long each time (1 s, up to 30 s).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from eventsourcing.postgres import PostgresApplicationRecorder

from domain.errors import LedgerError
from service.ledger import Ledger

POLL_SECONDS = 0.2
FIRST_WAIT_SECONDS = 1.0
MOST_WAIT_SECONDS = 30.0

Say = Callable[[str], None]


def follow(ledger: Ledger, stop: threading.Event, say: Say) -> None:
    """Keep ``ledger``'s read models current until ``stop`` is set."""
    wait = FIRST_WAIT_SECONDS
    while not stop.is_set():
        try:
            _catch_up(ledger, say)
            wait = FIRST_WAIT_SECONDS  # it works (again)
            if isinstance(ledger.recorder, PostgresApplicationRecorder):
                _follow_notifications(ledger, stop, say)
            else:
                while not stop.wait(POLL_SECONDS):
                    _catch_up(ledger, say)
            return
        except LedgerError as error:
            say(f"cannot catch up: {error}; trying again in {wait:.0f} s")
        except Exception as error:  # the subscription's connection failed, say
            say(f"cannot follow the log: {error}; trying again in {wait:.0f} s")
        stop.wait(wait)
        wait = min(wait * 2, MOST_WAIT_SECONDS)


def _follow_notifications(ledger: Ledger, stop: threading.Event, say: Say) -> None:
    runner = ledger.read_model
    assert isinstance(ledger.recorder, PostgresApplicationRecorder)
    subscription = ledger.recorder.subscribe(gt=runner.position())

    def stop_when_told() -> None:
        stop.wait()
        subscription.stop()

    threading.Thread(target=stop_when_told, daemon=True).start()
    with subscription:
        applied = runner.position()
        for notification in subscription:
            if notification.id <= applied:
                continue  # applied by an earlier catch-up
            _catch_up(ledger, say, behind=True)
            applied = runner.position()


def _catch_up(ledger: Ledger, say: Say, *, behind: bool = False) -> None:
    count = ledger.project(behind=behind)
    if count:
        say(f"applied {count:,} events; the read models are at log position "
            f"{ledger.read_model.position():,}")  # fmt: skip
