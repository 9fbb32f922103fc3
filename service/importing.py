"""Importing a plan document: record what a version of the document says, as events.

The adapters read a document (extracted text, CSV, XLSX) into a ``PlanDocument``:
what that version states about every recommendation, with dates already interpreted.
This use case compares it with the ledger and records only the differences, each as
its own event attributed to the version. The first import of a plan records
everything; importing the same version again records nothing. All or nothing: the
events of one import are saved in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.audit import acting_as, current_actor, current_grant
from domain.errors import AlreadyExists, InvalidCommand, NotFound
from domain.events import AuditedEvent
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.plan import Plan, document_source
from domain.recommendation import Recommendation
from projections.similar import Said
from service.documents import (
    Note,
    PlanDocument,
    RecommendationDocument,
)
from service.filing import filed
from service.queries import Queries
from service.revising import add_action, revise, settle_statuses

SAID_BEFORE = 50
"""How alike (0-100) another plan's recommendation must be to be named in the report: the
reworded ones of ``bench.similar`` scored 57-86, unrelated ones of the seed 10-30."""


@dataclass
class ImportOutcome:
    already_imported: bool = False
    events: list[tuple[str, AuditedEvent]] = field(default_factory=list)
    """(plan id or ref, event) for every event recorded, or that would be in a dry run."""
    notes: list[Note] = field(default_factory=list)
    """Differences the import saw but would not act on by itself (for a person to review)."""
    unchanged_since: str | None = None
    """The version the document says nothing new since (this one, if imported before), so
    its reading's warnings were given then; None: it changed something."""
    said_before: list[tuple[str, Said]] = field(default_factory=list)
    """For each recommendation it raises, the closest of another plan's (issue 29)."""


def import_document(ledger: Queries, document: PlanDocument, *, dry_run: bool) -> ImportOutcome:
    """Record what ``document`` says that the ledger does not know yet."""
    outcome = ImportOutcome()
    with acting_as(current_actor(), document.source, current_grant()):  # the caller's grant
        plan = _plan(ledger, document)
        first = not plan.versions
        known = plan.document_version(document.version_label)
        if known is not None and known.digest not in (None, document.digest):
            raise AlreadyExists(
                f"{document.file_name}: version {document.version_label!r} of plan "
                f"{document.plan_id!r} was imported from other content; "
                "name this version with --version"
            )
        stated = document.agreed if document.agreed and not document.agreed.inferred else None
        if known is not None and stated is None:
            outcome.already_imported, outcome.unchanged_since = True, known.label
            return outcome
        recs: dict[str, Recommendation | None] = {
            doc.ref: _existing(ledger, document.plan_id, doc.ref)
            for doc in document.recommendations
        }
        document = filed(document, ledger.agencies(), recs, outcome.notes)
        if known is None:
            plan.record_document_version(
                document.version_label, document.version_date, document.file_name, document.digest
            )
            for rec_doc in document.recommendations:
                try:
                    rec = recs[rec_doc.ref]
                    if rec is None:
                        raised = document.agreed if first and document.agreed else rec_doc.raised
                        recs[rec_doc.ref] = _raise(document, rec_doc, raised)
                    else:
                        revise(rec, rec_doc, document, plan.document_sources(), outcome.notes)
                except InvalidCommand as error:  # say where: the file and the recommendation
                    raise InvalidCommand(f"{document.file_name}: {rec_doc.ref}: {error}") from None
        if known is None and not first:
            _report_dropped(ledger, document, outcome.notes)
        if stated is not None and not first:
            loaded = [rec for rec in recs.values() if rec is not None]
            _restate_agreement(plan, loaded, document, stated)
    changed: list[Any] = [a for a in (plan, *recs.values()) if a is not None and a.pending_events]
    outcome.already_imported = known is not None and not changed
    if outcome.already_imported:
        outcome.unchanged_since = document.version_label
    elif changed == [plan] and not first and len(plan.pending_events) == 1:  # the version alone
        outcome.unchanged_since = plan.versions[-2].label
    outcome.events = [
        (getattr(aggregate, "plan_id", None) or aggregate.state.ref, event)
        for aggregate in changed
        for event in aggregate.pending_events
    ]
    if changed and not dry_run:
        ledger.save_atomically(*changed, conflict=f"{document.plan_id!r} changed during the import")
    for _, event in outcome.events:
        if isinstance(event, Recommendation.Raised):
            found = ledger.said_before(document.plan_id, event.text, limit=1)
            outcome.said_before += [(event.ref, s) for s in found if s.score >= SAID_BEFORE]
    return outcome


def _report_dropped(ledger: Queries, document: PlanDocument, notes: list[Note]) -> None:
    """A recommendation the ledger holds that this version no longer lists is reported;
    it is not withdrawn: withdrawal is a person's decision, with a reason."""
    listed = {doc.ref for doc in document.recommendations}
    ledger.project()  # all it holds, even where a worker keeps the read models
    for view in ledger.status(document.plan_id):
        if view.ref not in listed and view.status != Status.WITHDRAWN:
            notes.append(
                Note(
                    view.ref,
                    "not in this version of the document; kept as it is "
                    "(withdraw it if it no longer applies)",
                )
            )


def _restate_agreement(
    plan: Plan, recs: list[Recommendation], document: PlanDocument, agreed: FuzzyDate
) -> None:
    """``--plan-date`` on a plan imported before is never ignored: the recommendations its
    first version raised are corrected to have existed from the stated agreement."""
    first = plan.versions[0]
    first_source = document_source(first.file_name, first.label) if first.file_name else None
    for rec in recs:
        raising, raised = rec.log[0], rec.state.raised
        if first_source not in (None, raising.source):
            continue
        if raised is not None and (raised.start, raised.end, raised.inferred) == (
            agreed.start,
            agreed.end,
            False,
        ):
            continue
        rec.correct(
            raising.event_id,
            f"the plan was agreed on {agreed.text} (stated on importing "
            f"{document.version_label!r})",
            amendment={"effective": agreed},
        )


def _plan(ledger: Queries, document: PlanDocument) -> Plan:
    try:
        return ledger.plan(document.plan_id)
    except NotFound:
        return Plan.open(
            document.plan_id,
            document.title,
            partnership=document.partnership,
            kind=document.kind,
        )


def _existing(ledger: Queries, plan_id: str, ref: str) -> Recommendation | None:
    try:
        return ledger.recommendation(plan_id, ref)
    except NotFound:
        return None


def _raise(
    document: PlanDocument, doc: RecommendationDocument, raised: FuzzyDate
) -> Recommendation:
    rec = Recommendation.raise_recommendation(
        plan_id=document.plan_id,
        ref=doc.ref,
        text=doc.text,
        agency=doc.agency,
        leads=doc.leads,
        target=doc.target,
        effective=raised,
        theme=doc.theme,
    )
    numbers = [add_action(rec, action, raised) for action in doc.sub_actions]
    for update in doc.updates:
        rec.record_progress(update.text, update.effective)
    settle_statuses(rec, list(zip(numbers, doc.sub_actions, strict=True)), doc, document)
    return rec
