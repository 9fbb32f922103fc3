"""A 20k-event import, in one transaction, on PostgreSQL, never hangs (10 runs in a row).

The regression: the library's recorder sent a ~16k-event INSERT through psycopg's
pipeline and hung in ``pipeline.sync()`` (14 of 32 runs), the tail of the message left
in libpq's buffer while the server waited for it (``ClientRead``). See
``adapters/stores/postgres.py``.

Each run imports 5,000 recommendations, each with 3 dated progress updates (20,000
recommendation events + 2 plan events), through the real service. Each run gets a fresh
schema (the ``postgres_url`` fixture, one per parametrised case): every run is the
reported case exactly — the first import of a large plan, all of it in one save — and
runs are independent, so one failure cannot make the next one pass or fail.

The import runs in a forked child process that is killed when it overruns: a hang
fails the test instead of hanging CI, and killing the process closes its connection,
so the server rolls back, releases the table lock, and the fixture can drop the schema
(a stuck thread would keep the lock and block that drop).
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.sharedctypes import Synchronized

import pytest

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind
from service.documents import PlanDocument, RecommendationDocument, UpdateDocument

PLAN_ID = "big"
RECOMMENDATIONS = 5_000
UPDATES = 3
PLAN_EVENTS = 2  # Plan.Opened, Plan.DocumentVersionRecorded
EVENTS = PLAN_EVENTS + RECOMMENDATIONS * (1 + UPDATES)  # + Recommendation.Raised each
TIMEOUT = 120.0  # seconds per import; one takes a few seconds when it does not hang
UPDATE_DATES = ("March 2014", "June 2014", "September 2014")
REFS = [f"overview/{n}" for n in range(1, RECOMMENDATIONS + 1)]


def large_plan() -> PlanDocument:
    raised = FuzzyDate.parse("14th March 2013")
    target = FuzzyDate.parse("July 2015")
    recommendations = tuple(
        RecommendationDocument(
            ref=ref,
            text=f"Recommendation {n}: review the multi-agency procedure and train the staff",
            agency=f"Agency {n % 40}",
            leads=(f"Lead {n % 97}",),
            target=target,
            raised=raised,
            updates=tuple(
                UpdateDocument(FuzzyDate.parse(when), f"Update {k} on recommendation {n}.")
                for k, when in enumerate(UPDATE_DATES, start=1)
            ),
        )
        for n, ref in enumerate(REFS, start=1)
    )
    return PlanDocument(
        plan_id=PLAN_ID,
        title="A very large action plan",
        partnership="Test partnership",
        kind=ReviewKind.DHR,
        version_label="1st Version",
        version_date=FuzzyDate.parse("1st October 2014"),
        file_name="large-plan.csv",
        digest="0" * 64,
        recommendations=recommendations,
    )


def _import(url: str, seconds: Synchronized[float]) -> None:
    """In the child: import the plan through the service; report how long the import took."""
    document = large_plan()
    ledger = bootstrap(Settings(db=url, actor="test"))
    try:
        with acting_as_owner("test", "cli"):
            started = time.monotonic()
            ledger.import_document(document)
            seconds.value = time.monotonic() - started
    finally:
        ledger.close()


@pytest.mark.postgres
@pytest.mark.parametrize("run", range(1, 11))
def test_a_20k_event_import_completes_and_records_every_event(postgres_url: str, run: int) -> None:
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        pytest.skip("needs fork() to run the import in a child that can be killed")
    seconds: Synchronized[float] = context.Value("d", -1.0)
    child = context.Process(target=_import, args=(postgres_url, seconds), daemon=True)
    child.start()
    child.join(TIMEOUT)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"run {run}: the {EVENTS}-event import did not finish in {TIMEOUT:.0f} s")
    assert child.exitcode == 0, f"run {run}: the import failed (exit code {child.exitcode})"
    assert seconds.value >= 0

    ledger = bootstrap(Settings(db=postgres_url, actor="test"))
    try:
        assert len(ledger.recorder.select_notifications(1, EVENTS + 1)) == EVENTS
        views = ledger.status(PLAN_ID)
        assert len(views) == RECOMMENDATIONS
        assert sorted(view.ref for view in views) == sorted(REFS)
        assert all(len(view.updates) == UPDATES for view in views)
    finally:
        ledger.close()
    print(f"run {run}: {EVENTS} events imported in {seconds.value:.1f} s")
