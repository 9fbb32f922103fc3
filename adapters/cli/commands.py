"""The commands that record changes, import documents and show history."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    PlanId,
    Reason,
    RefArg,
    app,
    emit_csv,
    emit_json,
    given,
    listing_format,
    plan_app,
    refuse,
    run,
    say,
)
from adapters.cli.dates import Effective, dated, fuzzy, maybe_fuzzy
from adapters.cli.tables import rows_table, terminal
from adapters.output import block
from domain.errors import InvalidCommand
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SETTABLE_STATUSES, ReviewKind, Status

if TYPE_CHECKING:
    from service.command_models import Change


@plan_app.command("open")
def plan_open(
    ctx: typer.Context,
    plan_id: PlanId,
    title: Annotated[str, typer.Option(help="The plan's title.")],
    kind: Annotated[ReviewKind, typer.Option(help="The kind of review.")] = ReviewKind.DHR,
    partnership: Annotated[str, typer.Option(help="The partnership that owns it.")] = "",
) -> None:
    """Open a new plan."""
    from service.command_models import OpenPlan

    opening = given(OpenPlan, plan_id=plan_id, title=title, partnership=partnership, kind=kind)
    run(ctx, lambda ledger: ledger.open_plan(opening))
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
    from service.command_models import RecordDocumentVersion

    issued = maybe_fuzzy(date, "date")
    version = given(RecordDocumentVersion, label=label, date=issued, file_name=file)
    run(ctx, lambda ledger: ledger.record_document_version(plan_id, version))
    say(f"recorded version {label!r} of {plan_id}")


@app.command("plans")
def plans(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List the plans."""
    form = listing_format(as_json, as_csv)
    found = run(ctx, lambda ledger: ledger.plans(), writes=False, answers=True)
    if not found and form == "text":
        typer.echo("no plans yet: import one with 'recledger import FILE' or 'recledger plan open'")
        return
    rows = [p.to_json() for p in found]
    if form == "json":
        emit_json(rows)
        return
    if form == "csv":
        labels = [{**row, "versions": [v["label"] for v in row["versions"]]} for row in rows]
        emit_csv(labels, ["plan", "title", "partnership", "kind", "versions"])
        return
    if (console := terminal()) is not None:
        listed = [
            {**row, "latest version": row["versions"][-1]["label"] if row["versions"] else ""}
            for row in rows
        ]
        fields = ["plan", "kind", "title", "latest version"]
        console.print(rows_table(listed, fields, console.width))
        return
    for row in rows:
        latest = row["versions"][-1]["label"] if row["versions"] else "no document version"
        say(f"{row['plan']}\t{row['kind']}\t{row['title']}\t({latest})")


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
    from service.command_models import RaiseRecommendation

    due, when = maybe_fuzzy(target, "target"), maybe_fuzzy(effective, "effective date")
    raising = given(
        RaiseRecommendation,
        ref=ref, text=text, agency=agency, leads=lead or [], target=due, effective=when,
    )  # fmt: skip
    rec = run(ctx, lambda ledger: ledger.raise_recommendation(plan_id, raising))
    typer.echo(f"raised {plan_id} {rec.state.ref}")


@app.command("add-action")
def add_action(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    text: Annotated[str, typer.Option(help="The action's text.")],
    lead: Annotated[list[str] | None, typer.Option(help="A lead (repeat for more).")] = None,
    target: Annotated[str | None, typer.Option(help="Target date.")] = None,
    number: Annotated[
        str | None, typer.Option(help="Its number, e.g. 2 or 2a (default: after the highest).")
    ] = None,
    effective: Effective = None,
) -> None:
    """Add a numbered sub-action to a recommendation: an item of its own (REF.N) that every
    command takes."""
    from service.command_models import AddSubAction

    due, when = maybe_fuzzy(target, "target"), maybe_fuzzy(effective, "effective date")
    change(
        ctx, plan_id, ref,
        given(AddSubAction, text=text, leads=lead or [], target=due, effective=when, number=number),
    )  # fmt: skip


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
    from service.command_models import Reassign

    when = maybe_fuzzy(effective, "effective date")
    change(
        ctx, plan_id, ref, given(Reassign, reason=reason, leads=lead, agency=agency, effective=when)
    )


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
    from service.command_models import ReviseTarget

    due, when = fuzzy(target, "target"), maybe_fuzzy(effective, "effective date")
    change(ctx, plan_id, ref, given(ReviseTarget, target=due, reason=reason, effective=when))


@app.command("update")
def update(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    text: Annotated[str, typer.Option(help="What was done.")],
    effective: Annotated[str, typer.Option(help="When, e.g. 'Feb 2014' or '2014-02-28'.")],
) -> None:
    """Record a dated progress update."""
    from service.command_models import RecordProgress

    when = dated(effective, "effective date")
    change(ctx, plan_id, ref, given(RecordProgress, text=text, effective=when))


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
    from service.command_models import ChangeStatus

    when = maybe_fuzzy(effective, "effective date")
    change(ctx, plan_id, ref, given(ChangeStatus, status=status, reason=reason, effective=when))


@app.command("complete")
def complete(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    effective: Annotated[str, typer.Option(help="When it was completed.")],
    evidence: Annotated[str | None, typer.Option(help="What shows it is done.")] = None,
) -> None:
    """Mark a recommendation completed."""
    from service.command_models import Complete

    when = dated(effective, "effective date")
    change(ctx, plan_id, ref, given(Complete, effective=when, evidence=evidence))


@app.command("reopen")
def reopen(
    ctx: typer.Context, plan_id: PlanId, ref: RefArg, reason: Reason, effective: Effective = None
) -> None:
    """Reopen a completed recommendation."""
    from service.command_models import Reopen

    when = maybe_fuzzy(effective, "effective date")
    change(ctx, plan_id, ref, given(Reopen, reason=reason, effective=when))


@app.command("withdraw")
def withdraw(
    ctx: typer.Context, plan_id: PlanId, ref: RefArg, reason: Reason, effective: Effective = None
) -> None:
    """Withdraw a recommendation that no longer applies."""
    from service.command_models import Withdraw

    when = maybe_fuzzy(effective, "effective date")
    change(ctx, plan_id, ref, given(Withdraw, reason=reason, effective=when))


@app.command("correct")
def correct(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    event_id: Annotated[str, typer.Argument(help="The event's id, or its number in history.")],
    reason: Reason,
    text: Annotated[str | None, typer.Option(help="Amend the text to this.")] = None,
    effective: Annotated[str | None, typer.Option(help="Amend when it happened.")] = None,
    lead: Annotated[
        list[str] | None, typer.Option(help="Amend the leads to these (repeat for more).")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="Amend the agency to this.")] = None,
    target: Annotated[str | None, typer.Option(help="Amend the target date to this.")] = None,
    evidence: Annotated[str | None, typer.Option(help="Amend a completion's evidence.")] = None,
    theme: Annotated[str | None, typer.Option(help="Amend the theme to this.")] = None,
    retract: Annotated[bool, typer.Option(help="Retract the event instead.")] = False,
) -> None:
    """Correct one earlier event: amend some of its fields, or retract it.

    Each kind of event allows its own fields (a progress update: text, effective; a
    reassignment: leads or agency; a retarget: target; a completion: effective, evidence).
    The original stays in the log and in the history.
    """
    from service.command_models import Correct

    correction = given(
        Correct,
        event=event_id, reason=reason, retract=retract, text=text, leads=lead, agency=agency,
        effective=maybe_fuzzy(effective, "effective date"), target=maybe_fuzzy(target, "target"),
        evidence=evidence, theme=theme,
    )  # fmt: skip
    if retract == bool(correction.amendment()):
        raise typer.BadParameter(
            "give the fields to amend (--text, --effective, --lead, --agency, --target, "
            "--evidence, --theme) or --retract, not both",
            param_hint="correction",
        )
    change(ctx, plan_id, ref, correction)


@app.command("history")
def history(ctx: typer.Context, plan_id: PlanId, ref: RefArg, as_json: AsJson = False) -> None:
    """Every event of a recommendation (its sub-actions' too, each named), or of one
    sub-action, in order: who, when recorded, effective when, why."""
    entries = run(ctx, lambda ledger: ledger.history(plan_id, ref), writes=False)
    if as_json:
        emit_json([entry.to_json() for entry in entries])
        return
    for e in entries:
        effective = str(e.effective) if e.effective else "-"
        line = f"{e.sequence:>3}  {e.recorded_at:%Y-%m-%d %H:%M:%S%z}  {e.actor}  {e.type}"
        if e.ref != entries[0].ref:
            line += f" on {e.ref}"
        say(f"{line}  effective {effective}  [{e.source}]  id {e.event_id}")
        if e.corrects is not None:
            say(f"     corrects #{e.corrects}")
        shown = e.to_json()
        lines = [
            *(block("     reason: ", e.reason, _FURTHER_LINES) if e.reason else []),
            *block("     ", _json_lines(shown["data"]), _FURTHER_LINES),
            *(
                block("     previously: ", _json_lines(shown["previous"]), _FURTHER_LINES)
                if e.previous
                else []
            ),
        ]
        for line in lines:
            say(line)
        for later in e.corrected_by:
            say(f"     corrected by {later}")


_FURTHER_LINES = " " * 7
"""Where a text's further lines begin in a history: deeper than any line of its own."""
_JSON_NEWLINE = re.compile(r"(?<!\\)((?:\\\\)*)\\n")
"""JSON's escape for a line break: a "\\n" after an even number of backslashes."""


def _json_lines(value: Any) -> str:
    """``value`` as compact JSON, its texts' line breaks real ones (for ``block``)."""
    return _JSON_NEWLINE.sub(lambda m: m[1] + "\n", json.dumps(value, ensure_ascii=False))


@app.command("import")
def import_document(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH", help="Extracted text (.txt), .csv, .xlsx, Word (.docx) or .pdf."
        ),
    ],
    plan: Annotated[str | None, typer.Option(help="Plan id (default: from the title).")] = None,
    version: Annotated[str | None, typer.Option(help="Version label (default: stated).")] = None,
    version_date: Annotated[
        str | None, typer.Option(help="The version's date (default: stated in the document).")
    ] = None,
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
    from adapters.import_report import report_json, report_text  # only this command reads
    from adapters.importing.document import read_document  # documents

    agreed, issued = (
        calendar_date(plan_date, "--plan-date"),
        calendar_date(version_date, "--version-date"),
    )
    try:  # read the document before opening the store: bad input leaves no trace
        document, warnings, encoding = read_document(
            path,
            plan_id=plan,
            version_label=version,
            version_date=issued,
            plan_date=agreed,
            kind=kind,
        )
    except InvalidCommand as error:
        refuse(str(error))
    outcome = run(
        ctx,
        lambda ledger: ledger.import_document(document, dry_run=dry_run),
        writes=not dry_run,
        empty_if_missing=dry_run,  # a dry run on a new ledger: everything would be new
    )
    if as_json:
        emit_json(report_json(document, outcome, warnings, dry_run=dry_run, encoding=encoding))
    else:
        for line in report_text(document, outcome, warnings, dry_run=dry_run, encoding=encoding):
            say(line)


def calendar_date(text: str | None, option: str) -> FuzzyDate | None:
    """A date option that must be on the calendar, when given."""
    return None if text is None else dated(text, option)


def change(ctx: typer.Context, plan_id: str, ref: str, command: Change) -> None:
    """Make one change to an item; say the events it recorded."""
    recorded = run(ctx, lambda ledger: ledger.change(plan_id, ref, command))
    if recorded.proposal is not None:
        typer.echo(f"proposed: awaiting a coordinator's sign-off (proposal {recorded.proposal})")
        return
    for event_id in recorded.event_ids:
        typer.echo(f"recorded event {event_id}")
