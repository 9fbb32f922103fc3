"""Several writer processes and catch-ups at once: every event is applied exactly once.

Each writer is a process of its own, with its own connections, recording progress on its
own recommendation and on one they all share (where some lose the race and are refused,
writing nothing); every write catches the read models up in that process, and a reader
process queries (and so catches up) all the while. Afterwards the read models must equal
a rebuild from the log, hold one update row per stored update, and track the log's end.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from domain.audit import acting_as_owner
from projections.tables import tracking, updates
from service.command_models import OpenPlan, RaiseRecommendation
from service.ledger import Ledger
from tests.projection_rows import rows

ROOT = Path(__file__).resolve().parents[2]
WRITERS, WRITES = 4, 12

WRITER = """
import sys
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import StaleVersion
from domain.fuzzy_date import FuzzyDate
from service.command_models import RecordProgress

url, writer, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
ledger = bootstrap(Settings(db=url, actor=f"writer {writer}"))
accepted = refused = 0
when = FuzzyDate.parse("Feb 2014")
with acting_as_owner(f"writer {writer}", "test"):
    for n in range(writes):
        ref = f"overview/{writer}" if n % 2 else "overview/0"  # its own, or the shared one
        try:
            ledger.change("dhr2", ref, RecordProgress(text=f"writer {writer} #{n}", effective=when))
            accepted += 1
        except StaleVersion:
            refused += 1
        if ledger.read_models_behind:
            raise SystemExit(ledger.read_models_behind)
print(accepted, refused)
"""

READER = """
import sys
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner

ledger = bootstrap(Settings(db=sys.argv[1], actor="reader"), create=False)
with acting_as_owner("reader", "test"):
    for _ in range(int(sys.argv[2])):
        ledger.status("dhr2")
"""


def run(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_writer_processes_and_catch_ups_at_once_apply_every_event_exactly_once(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        for n in range(WRITERS + 1):
            ledger.raise_recommendation(
                "dhr2", RaiseRecommendation(ref=f"overview/{n}", text="Act", leads=["DCI Smith"])
            )
    processes = [run(WRITER, db_url, str(w), str(WRITES)) for w in range(1, WRITERS + 1)]
    processes.append(run(READER, db_url, "20"))
    accepted = refused = 0
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        if out.strip():
            done, lost = map(int, out.split())
            accepted, refused = accepted + done, refused + lost
    assert accepted + refused == WRITERS * WRITES and accepted >= WRITERS * WRITES // 2
    print(f"{accepted} accepted, {refused} refused as conflicts")

    model = ledger.read_model
    assert model is not None
    ledger.project()
    stored = sum(
        1
        for _, _, e, _ in ledger.notifications_after(0, 10_000)
        if type(e).__name__ == "ProgressRecorded"
    )
    assert stored == accepted  # every accepted write is in the log, once; refused ones are not
    with model.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(updates)).scalar_one() == accepted
        positions = set(conn.execute(select(tracking.c.position)).scalars())
    assert positions == {ledger.recorder.max_notification_id()}
    incremental = rows(model)
    ledger.rebuild()
    assert rows(model) == incremental
