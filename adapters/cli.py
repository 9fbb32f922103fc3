"""The ``recledger`` command line: parse arguments, set the audit context, call the ledger.

Exit codes: 0 done; 1 refused (a domain rule, a conflict, something not found, bad
input) with one line on stderr and nothing written; 2 usage error (from Typer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from adapters.import_report import report_json, report_text
from adapters.importing.document import plan_identity, to_plan_document
from adapters.importing.model import ParseWarning
from adapters.importing.reader import read_plan
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from domain.plan import ReviewKind
from domain.recommendation import SETTABLE_STATUSES, Status
from service.importing import ImportOutcome, PlanDocument
from service.ledger import Ledger

T = TypeVar("T")

app = typer.Typer(
    help="recledger: the audit-first ledger of action-plan recommendations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
plan_app = typer.Typer(help="Open plans and record their document versions.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")


@dataclass
class CliState:
    settings: Settings
    ledger: Ledger | None = None

    def get_ledger(self) -> Ledger:
        if self.ledger is None:
            self.ledger = bootstrap(self.settings)
        return self.ledger


def refuse(message: str) -> NoReturn:
    typer.echo(f"recledger: {message}", err=True)
    raise typer.Exit(1)


def run(ctx: typer.Context, command: Callable[[Ledger], T]) -> T:
    """Run one use case as the CLI's actor; turn a refusal into one line and exit 1."""
    state: CliState = ctx.obj
    try:
        with acting_as(state.settings.actor, "cli"):
            return command(state.get_ledger())
    except LedgerError as error:
        refuse(str(error))


def fuzzy(text: str, what: str) -> FuzzyDate:
    """Parse a date option; text off the calendar is kept verbatim, with a note."""
    date = FuzzyDate.parse(text)
    if date.precision == "unknown":
        typer.echo(f"note: {what} {text!r} is not on the calendar; kept as text", err=True)
    return date


def maybe_fuzzy(text: str | None, what: str) -> FuzzyDate | None:
    return None if text is None else fuzzy(text, what)


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


Effective = Annotated[
    str | None,
    typer.Option(help="When it happened in the world: '2014-02-28', 'Feb 2014', 'Autumn 2013'."),
]
Reason = Annotated[str, typer.Option(help="Why: kept with the event for auditors.")]
PlanId = Annotated[str, typer.Argument(metavar="PLAN_ID", help="The plan's id, e.g. dhr2.")]
RefArg = Annotated[str, typer.Argument(metavar="REF", help="overview/N or imr/<agency-slug>/N.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            envvar="RECLEDGER_DB",
            help="SQLite file or URL (default ledger.db), postgresql://... or memory:.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(envvar="RECLEDGER_ACTOR", help="Who is acting (default: login name)."),
    ] = None,
) -> None:
    overrides = {k: v for k, v in {"db": db, "actor": actor}.items() if v is not None}
    ctx.obj = CliState(Settings(**overrides))


@plan_app.command("open")
def plan_open(
    ctx: typer.Context,
    plan_id: PlanId,
    title: Annotated[str, typer.Option(help="The plan's title.")],
    kind: Annotated[ReviewKind, typer.Option(help="The kind of review.")] = ReviewKind.DHR,
    partnership: Annotated[str, typer.Option(help="The partnership that owns it.")] = "",
) -> None:
    """Open a new plan."""
    run(ctx, lambda ledger: ledger.open_plan(plan_id, title, partnership=partnership, kind=kind))
    typer.echo(f"opened plan {plan_id}")


@plan_app.command("version")
def plan_version(
    ctx: typer.Context,
    plan_id: PlanId,
    label: Annotated[str, typer.Argument(help="e.g. '2nd Version dated 29th May 2014'.")],
    date: Annotated[str | None, typer.Option(help="The version's date.")] = None,
    file: Annotated[str | None, typer.Option(help="The document's file name.")] = None,
) -> None:
    """Record a version of the plan's document."""
    issued = maybe_fuzzy(date, "date")
    run(ctx, lambda ledger: ledger.record_document_version(plan_id, label, issued, file))
    typer.echo(f"recorded version {label!r} of {plan_id}")


@app.command("plans")
def plans(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the plans."""
    found = run(ctx, lambda ledger: ledger.plans())
    if not found and not as_json:
        typer.echo("no plans yet: import one with 'recledger import FILE' or 'recledger plan open'")
        return
    rows = [
        {
            "plan": p.plan_id,
            "title": p.title,
            "partnership": p.partnership,
            "kind": p.kind.value,
            "versions": [
                {
                    "label": v.label,
                    "date": v.date.to_data() if v.date else None,
                    "file_name": v.file_name,
                }
                for v in p.versions
            ],
        }
        for p in found
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        latest = row["versions"][-1]["label"] if row["versions"] else "no document version"
        typer.echo(f"{row['plan']}\t{row['kind']}\t{row['title']}\t({latest})")


@app.command("raise")
def raise_recommendation(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    text: Annotated[str, typer.Option(help="The recommendation's text.")],
    agency: Annotated[str, typer.Option(help="The agency that owns it.")] = "",
    lead: Annotated[list[str] | None, typer.Option(help="A lead (repeat for more).")] = None,
    target: Annotated[str | None, typer.Option(help="Target date, e.g. 'July 2014'.")] = None,
    effective: Effective = None,
) -> None:
    """Raise a recommendation in a plan."""
    due, when = maybe_fuzzy(target, "target"), maybe_fuzzy(effective, "effective date")
    rec = run(
        ctx,
        lambda ledger: ledger.raise_recommendation(
            plan_id, ref, text, agency=agency, leads=lead or (), target=due, effective=when
        ),
    )
    typer.echo(f"raised {plan_id} {rec.state.ref}")


@app.command("add-action")
def add_action(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    text: Annotated[str, typer.Option(help="The action's text.")],
    lead: Annotated[list[str] | None, typer.Option(help="A lead (repeat for more).")] = None,
    target: Annotated[str | None, typer.Option(help="Target date.")] = None,
    effective: Effective = None,
) -> None:
    """Add a numbered sub-action to a recommendation."""
    due, when = maybe_fuzzy(target, "target"), maybe_fuzzy(effective, "effective date")
    ids = run(
        ctx,
        lambda ledger: ledger.add_sub_action(
            plan_id, ref, text, leads=lead or (), target=due, effective=when
        ),
    )
    recorded(ids)


@app.command("reassign")
def reassign(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    reason: Reason,
    lead: Annotated[list[str] | None, typer.Option(help="A new lead (repeat for more).")] = None,
    agency: Annotated[str | None, typer.Option(help="The new agency.")] = None,
    effective: Effective = None,
) -> None:
    """Reassign a recommendation's leads, agency or both."""
    when = maybe_fuzzy(effective, "effective date")
    ids = run(
        ctx,
        lambda ledger: ledger.reassign(
            plan_id, ref, reason=reason, leads=lead, agency=agency, effective=when
        ),
    )
    recorded(ids)


@app.command("retarget")
def retarget(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    target: Annotated[str, typer.Option(help="The new target date.")],
    reason: Reason,
    effective: Effective = None,
) -> None:
    """Revise a recommendation's target date."""
    due, when = fuzzy(target, "target"), maybe_fuzzy(effective, "effective date")
    recorded(
        run(
            ctx,
            lambda ledger: ledger.revise_target(plan_id, ref, due, reason=reason, effective=when),
        )
    )


@app.command("update")
def update(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    text: Annotated[str, typer.Option(help="What was done.")],
    effective: Annotated[str, typer.Option(help="When, e.g. 'Feb 2014' or '2014-02-28'.")],
) -> None:
    """Record a dated progress update."""
    when = FuzzyDate.parse(effective)
    recorded(run(ctx, lambda ledger: ledger.record_progress(plan_id, ref, text, when)))


@app.command("mark")
def mark(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    status: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(s.value for s in SETTABLE_STATUSES)}.")
    ],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    effective: Effective = None,
) -> None:
    """Set the status to open, in_progress or ongoing (embedded as business as usual)."""
    if status not in {s.value for s in Status}:
        refuse(f"unknown status {status!r}; use one of {[s.value for s in SETTABLE_STATUSES]}")
    when = maybe_fuzzy(effective, "effective date")
    recorded(
        run(
            ctx,
            lambda ledger: ledger.change_status(
                plan_id, ref, Status(status), reason=reason, effective=when
            ),
        )
    )


@app.command("complete")
def complete(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    effective: Annotated[str, typer.Option(help="When it was completed.")],
    evidence: Annotated[str | None, typer.Option(help="What shows it is done.")] = None,
) -> None:
    """Mark a recommendation completed."""
    when = FuzzyDate.parse(effective)
    recorded(run(ctx, lambda ledger: ledger.complete(plan_id, ref, when, evidence=evidence)))


@app.command("reopen")
def reopen(
    ctx: typer.Context, plan_id: PlanId, ref: RefArg, reason: Reason, effective: Effective = None
) -> None:
    """Reopen a completed recommendation."""
    when = maybe_fuzzy(effective, "effective date")
    recorded(run(ctx, lambda ledger: ledger.reopen(plan_id, ref, reason=reason, effective=when)))


@app.command("withdraw")
def withdraw(
    ctx: typer.Context, plan_id: PlanId, ref: RefArg, reason: Reason, effective: Effective = None
) -> None:
    """Withdraw a recommendation that no longer applies."""
    when = maybe_fuzzy(effective, "effective date")
    recorded(run(ctx, lambda ledger: ledger.withdraw(plan_id, ref, reason=reason, effective=when)))


@app.command("correct")
def correct(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    event_id: Annotated[str, typer.Argument(help="The event's id, or its number in history.")],
    reason: Reason,
    text: Annotated[str | None, typer.Option(help="Amend the event's text to this.")] = None,
    effective: Annotated[
        str | None, typer.Option(help="Amend the event's effective date to this.")
    ] = None,
) -> None:
    """Correct one earlier event: amend its text or date, or (with neither) retract it.

    The original stays in the log and in the history.
    """
    amendment: dict[str, Any] = {}
    if text is not None:
        amendment["text"] = text
    if effective is not None:
        amendment["effective"] = FuzzyDate.parse(effective)
    recorded(
        run(
            ctx,
            lambda ledger: ledger.correct(
                plan_id, ref, event_id, reason=reason, retract=not amendment, amendment=amendment
            ),
        )
    )


@app.command("history")
def history(ctx: typer.Context, plan_id: PlanId, ref: RefArg, as_json: AsJson = False) -> None:
    """Every event of a recommendation, in order: who, when recorded, effective when, why."""
    entries = run(ctx, lambda ledger: ledger.history(plan_id, ref))
    if as_json:
        emit_json([entry.to_json() for entry in entries])
        return
    for e in entries:
        effective = str(e.effective) if e.effective else "-"
        line = f"{e.sequence:>3}  {e.recorded_at:%Y-%m-%d %H:%M:%S%z}  {e.actor}  {e.type}"
        typer.echo(f"{line}  effective {effective}  [{e.source}]  id {e.event_id}")
        if e.reason:
            typer.echo(f"     reason: {e.reason}")
        typer.echo(f"     {json.dumps(e.data, ensure_ascii=False)}")
        for later in e.corrected_by:
            typer.echo(f"     corrected by {later}")


@app.command("import")
def import_document(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Extracted text (.txt), .csv or .xlsx.")],
    plan: Annotated[str | None, typer.Option(help="Plan id (default: from the title).")] = None,
    version: Annotated[str | None, typer.Option(help="Version label (default: stated).")] = None,
    plan_date: Annotated[
        str | None, typer.Option(help="When the plan was agreed: every recommendation's date.")
    ] = None,
    kind: Annotated[ReviewKind | None, typer.Option(help="Kind of review.")] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Report what would be written; write nothing.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Import a plan document; a later version of it records only what changed."""
    agreed = FuzzyDate.parse(plan_date) if plan_date is not None else None
    if agreed is not None and not agreed.is_dated:
        refuse(f"--plan-date {plan_date!r} is not a date on the calendar")

    def use_case(ledger: Ledger) -> tuple[PlanDocument, list[ParseWarning], ImportOutcome]:
        parsed = read_plan(path)
        plan_id, guessed_kind = plan_identity(parsed.title, path.stem)
        document, notes = to_plan_document(
            parsed,
            plan_id=plan or plan_id,
            file_name=path.name,
            version_label=version,
            plan_date=agreed,
            kind=kind or guessed_kind,
        )
        outcome = ledger.import_document(document, dry_run=dry_run)
        return document, [*parsed.warnings, *notes], outcome

    document, warnings, outcome = run(ctx, use_case)
    if as_json:
        emit_json(report_json(document, outcome, warnings, dry_run=dry_run))
    else:
        typer.echo(report_text(document, outcome, warnings, dry_run=dry_run))


def recorded(event_ids: list[str]) -> None:
    for event_id in event_ids:
        typer.echo(f"recorded event {event_id}")


def main() -> None:
    """Console entry point."""
    app(prog_name="recledger")
