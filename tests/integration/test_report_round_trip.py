"""Round trip: a plan exported as it stood at D, in the seed's text shape and as XLSX, and
imported into an empty ledger, is the same plan as at D.

"The same plan" is what the document shows of every item, recommendation and sub-action:
section, number, text, agency, leads, target, theme, status and completion date, and each
update's text and effective interval, in order. Who recorded what, and when, is not in a
document, nor is a recommendation's own raised date (the import dates it by the plan's
agreement); those are left out of the comparison.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.importing.document import read_document
from adapters.reports.render import plan_report
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from projections.views import RecommendationView
from service import command_models as cmd
from service.ledger import Ledger

FORMATS = ("txt", "xlsx")


def _text(text: str) -> str:
    return " ".join(text.split())


def _when(when: FuzzyDate | None) -> tuple[Any, ...] | None:
    if when is None:
        return None
    return (when.start, when.end, when.precision, when.inferred)


def item_state(view: RecommendationView) -> tuple[Any, ...]:
    target = (_text(view.target.text), _when(view.target)) if view.target else None
    return (
        view.ref,
        _text(view.text),
        view.agency,
        view.leads,
        target,
        view.theme,
        view.status,
        _when(view.completed),
        tuple((_when(u.effective), _text(u.text)) for u in view.updates),
    )


def plan_state(views: list[RecommendationView]) -> list[tuple[Any, ...]]:
    """What a document of the plan shows, item by item, in document order."""
    return [item_state(item) for view in views for item in view.items()]


def round_trip(ledger: Ledger, plan: str, as_at: date, form: str, into: str, tmp: Path) -> Ledger:
    """Export ``plan`` as at ``as_at`` in ``form`` (or, ``WRITTEN``, as text written again
    as a Word document or a PDF) and import the file into an empty ledger."""
    path = tmp / f"{plan}-{as_at.isoformat()}.{form}"
    if form in WRITTEN:
        written_as(ledger.plan_as_at(plan, as_at), form, path)
    else:
        path.write_bytes(plan_report(ledger.plan_as_at(plan, as_at), form))
    again = bootstrap(Settings(db=into, actor="importer"))
    with acting_as_owner("importer", "test"):
        document, _, _ = read_document(path, plan_id=plan)
        again.import_document(document)
    return again


WRITTEN = ("docx", "pdf")
"""The export in the seed's text shape, written as a Word document or a PDF, as a person
keeping the plan in Word would (tests/documents.py, tests/pdf_documents.py)."""


def written_as(report: Any, form: str, path: Path) -> Path:
    from tests.documents import seed_shape, write_docx
    from tests.pdf_documents import write_pdf

    shape = seed_shape(plan_report(report, "txt").decode("utf-8"))
    if form == "docx":
        return write_docx(shape, path)
    return write_pdf(shape, path, sections_outside=True, spaced=True)


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("as_at", [date(2013, 12, 31), date(2014, 2, 28), date(2014, 7, 31)])
def test_the_seed_plan_exported_and_imported_again_is_the_same_plan_as_at_that_date(
    seed_plan: Path, db_url: str, tmp_path: Path, form: str, as_at: date
) -> None:
    source = bootstrap(Settings(db=str(tmp_path / "source.db"), actor="setup"))
    with acting_as_owner("setup", "test"):
        document, _, _ = read_document(seed_plan)
        source.import_document(document)
    again = round_trip(source, "dhr2", as_at, form, db_url, tmp_path)
    try:
        expected = plan_state(source.status("dhr2", as_at=as_at))
        assert len(expected) >= 20
        assert plan_state(again.status("dhr2", as_at=as_at)) == expected
        assert again.verify().intact
    finally:
        source.close()
        again.close()


# Generated plans -------------------------------------------------------------------------

AGENCIES = [
    "West Mercia Police",
    "Worcestershire County Council",
    "West Mercia Women's Aid",
    "CRI Pathway to Recovery",
]
LEADS = ["DCI Smith", "Head of Safeguarding", "Det Supt HQ PVP", "Dr Amy Fox", "Named Nurse"]
WORDS = [  # "&", "<all>" and quotes: a document's text is escaped, and read back as written
    *("review", "the", "referral", "pathway", "&", "training", "for", "staff", "<all>"),
    *("agencies", "share", "risk", "assessments", "with", '"named"', "leads;", "audit"),
    *("café", "records", "quarterly", "and", "report"),
]
TARGETS = [
    "July 2014",
    "Autumn 2013",
    "1st April 2013",
    "2013-09-30",
    "Q1 2014",
    "2014/15",
    "31/03/2014",
    "Ongoing",
    "To be agreed",
]
DAYS = ["2013-02-15", "2013-05-01", "2013-08-20", "2013-11-30", "2014-01-10", "2014-02-27"]
EFFECTIVE = [*DAYS, "August 2013", "Feb 2014", "Spring 2013", "Q4 2013", "5th June 2014"]
AS_AT = [date(2013, 6, 30), date(2013, 12, 31), date(2014, 2, 28), date(2014, 12, 31)]

sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=10).map(
    lambda words: " ".join(words).capitalize() + "."
)
texts = st.lists(sentences, min_size=1, max_size=2).map("\n".join)
leads = st.lists(st.sampled_from(LEADS), max_size=2, unique=True)
targets = st.one_of(st.none(), st.sampled_from(TARGETS).map(FuzzyDate.parse))
effective = st.sampled_from(EFFECTIVE).map(FuzzyDate.parse)
settable = st.sampled_from([Status.OPEN, Status.IN_PROGRESS, Status.ONGOING])

operation = st.one_of(
    st.tuples(st.just("update"), effective, texts),
    st.tuples(st.just("action"), texts, leads, targets, effective),
    st.tuples(st.just("action update"), st.integers(1, 3), effective, texts),
    st.tuples(st.just("action complete"), st.integers(1, 3), effective),
    st.tuples(st.just("action withdraw"), st.integers(1, 3), effective),
    st.tuples(st.just("action status"), st.integers(1, 3), settable, effective),
    st.tuples(st.just("retarget"), st.sampled_from(TARGETS).map(FuzzyDate.parse), effective),
    st.tuples(st.just("reassign"), leads, st.sampled_from(AGENCIES), effective),
    st.tuples(st.just("status"), settable, effective),
    st.tuples(st.just("complete"), effective),
    st.tuples(st.just("withdraw"), effective),
    st.tuples(st.just("reopen"), effective),
    st.tuples(st.just("correct text"), texts),
    st.tuples(st.just("correct update"), texts),
)
recommendation = st.fixed_dictionaries(
    {
        "section": st.sampled_from(["overview", *AGENCIES]),
        "number": st.sampled_from(["1", "2", "3", "4", "1a", "21.10.1"]),
        "text": texts,
        "agency": st.sampled_from(["", *AGENCIES]),
        "leads": leads,
        "target": targets,
        "operations": st.lists(operation, max_size=8),
    }
)
plans = st.fixed_dictionaries(
    {
        "recommendations": st.lists(
            recommendation,
            min_size=1,
            max_size=6,
            unique_by=lambda r: (r["section"], r["number"]),
        ),
        "themed": st.booleans(),
    }
)


def _ref(section: str, number: str) -> str:
    from adapters.importing.refs import slugify

    return f"overview/{number}" if section == "overview" else f"imr/{slugify(section)}/{number}"


def build(ledger: Ledger, plan: dict[str, Any]) -> None:
    """Open the plan and apply each generated command; the ledger refuses what its rules
    forbid (completing a withdrawn item...), and a refused command is simply skipped."""
    agreed = FuzzyDate.parse("2013-01-15")
    ledger.open_plan(
        cmd.OpenPlan(
            plan_id="dhr7", title="Domestic Homicide Review Case No 7", partnership="Test CSP"
        )
    )
    for n, rec in enumerate(plan["recommendations"]):
        ref = _ref(rec["section"], rec["number"])
        agency = rec["section"] if rec["section"] != "overview" else rec["agency"]
        raised = ledger.raise_recommendation(
            "dhr7",
            cmd.RaiseRecommendation(
                ref=ref,
                text=rec["text"],
                agency=agency,
                leads=rec["leads"],
                target=rec["target"],
                effective=agreed,
            ),
        )
        if plan["themed"]:
            ledger.change(
                "dhr7",
                ref,
                cmd.Correct(
                    event=raised.log[0].event_id,
                    reason="themed",
                    theme=f"Theme {n % 2 + 1} - Practice",
                ),
            )
        latest = agreed
        for op in rec["operations"]:
            if op[0] in STATUS_CHANGES:  # in the order they took effect: see below
                when = max(op[-1], latest, key=lambda d: d.end)
                op, latest = (*op[:-1], when), when
            with contextlib.suppress(LedgerError):
                _apply(ledger, ref, op)


STATUS_CHANGES = {
    "status", "complete", "withdraw", "reopen", "action complete", "action withdraw",
    "action status",
}  # fmt: skip
"""Status changes are recorded in the order they took effect (updates, retargets and
reassignments may be back-dated). A history recorded out of order can show, as at a day
between, a state the rules forbid: a recommendation withdrawn, recorded before its
completion was reopened with a later effective date, reads as withdrawn with every action
completed. No document can be imported into that state, so none is generated."""


def _apply(ledger: Ledger, ref: str, op: tuple[Any, ...]) -> None:
    kind, *args = op
    why = "generated"
    if kind == "update":
        ledger.change("dhr7", ref, cmd.RecordProgress(text=args[1], effective=args[0]))
    elif kind == "action":
        ledger.change(
            "dhr7",
            ref,
            cmd.AddSubAction(text=args[0], leads=args[1], target=args[2], effective=args[3]),
        )
    elif kind == "action update":
        ledger.change(
            "dhr7", f"{ref}.{args[0]}", cmd.RecordProgress(text=args[2], effective=args[1])
        )
    elif kind == "action complete":
        ledger.change("dhr7", f"{ref}.{args[0]}", cmd.Complete(effective=args[1]))
    elif kind == "action withdraw":
        ledger.change("dhr7", f"{ref}.{args[0]}", cmd.Withdraw(reason=why, effective=args[1]))
    elif kind == "action status":
        ledger.change(
            "dhr7",
            f"{ref}.{args[0]}",
            cmd.ChangeStatus(status=args[1], reason=why, effective=args[2]),
        )
    elif kind == "retarget":
        ledger.change("dhr7", ref, cmd.ReviseTarget(target=args[0], reason=why, effective=args[1]))
    elif kind == "reassign":
        ledger.change(
            "dhr7", ref, cmd.Reassign(leads=args[0], agency=args[1], reason=why, effective=args[2])
        )
    elif kind == "status":
        ledger.change("dhr7", ref, cmd.ChangeStatus(status=args[0], reason=why, effective=args[1]))
    elif kind == "complete":
        ledger.change("dhr7", ref, cmd.Complete(effective=args[0]))
    elif kind == "withdraw":
        ledger.change("dhr7", ref, cmd.Withdraw(reason=why, effective=args[0]))
    elif kind == "reopen":
        ledger.change("dhr7", ref, cmd.Reopen(reason=why, effective=args[0]))
    elif kind == "correct text":
        raising = ledger.recommendation("dhr7", ref).log[0].event_id
        ledger.change("dhr7", ref, cmd.Correct(event=raising, reason=why, text=args[0]))
    elif kind == "correct update":
        updates = ledger.recommendation("dhr7", ref).state.updates
        if updates:
            event = updates[-1].event_id
            ledger.change("dhr7", ref, cmd.Correct(event=event, reason=why, text=args[0]))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans, as_at=st.sampled_from(AS_AT), form=st.sampled_from(FORMATS))
def test_export_then_import_into_an_empty_ledger_equals_the_plan_as_at_that_date(
    plan: dict[str, Any], as_at: date, form: str
) -> None:
    same_after_round_trip(plan, as_at, form)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans, as_at=st.sampled_from(AS_AT), form=st.sampled_from(WRITTEN))
def test_export_written_as_word_or_pdf_then_imported_equals_the_plan_as_at_that_date(
    plan: dict[str, Any], as_at: date, form: str
) -> None:
    same_after_round_trip(plan, as_at, form)


def same_after_round_trip(plan: dict[str, Any], as_at: date, form: str) -> None:
    """Build the generated plan, round-trip it as at ``as_at`` in ``form``, and check the
    ledger it lands in shows the same plan then."""
    with tempfile.TemporaryDirectory() as tmp:
        source = bootstrap(Settings(db=str(Path(tmp) / "source.db"), actor="generator"))
        again: Ledger | None = None
        try:
            with acting_as_owner("generator", "test"):
                build(source, plan)
            expected = plan_state(source.status("dhr7", as_at=as_at))
            if not expected:
                return  # nothing of the plan stood yet: there is no document to export
            again = round_trip(source, "dhr7", as_at, form, str(Path(tmp) / "b.db"), Path(tmp))
            assert plan_state(again.status("dhr7", as_at=as_at)) == expected
        finally:
            source.close()
            if again is not None:
                again.close()
