"""The commands that ask: status, overdue, changes, leads, agencies; and rebuild."""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    app,
    emit_csv,
    emit_json,
    listing_format,
    run,
    say,
)
from adapters.cli.dates import AsAt, KnownAt, as_at_day, known_at_moment, period_day, read
from adapters.cli.tables import rows_table, terminal, views_table
from adapters.output import block
from domain.fuzzy_date import parse_known_at
from domain.time_axes import asked_at
from domain.values import COUNT_MAX

if TYPE_CHECKING:  # the read side loads when a query runs, not for --help
    from projections.views import OverdueRow, RecommendationView
    from service.ledger import Ledger
    from service.reminders import Standing

Notes = dict[tuple[str, str], str]
"""Where items stand now in the follow-up cycle, in a few words, by plan and ref."""

PlanOption = Annotated[
    str | None, typer.Argument(metavar="[PLAN_ID]", help="One plan (default all).")
]


def _line(view: RecommendationView | OverdueRow, note: str = "") -> str:
    target = view.target.text if view.target else "-"
    target = target[:24] + ("*" if "target" in view.corrected else "")
    late = f"{view.days_overdue} days overdue" if view.overdue else ""
    latest = view.last_update
    last = "no updates" if latest is None else latest.effective.text[:30]
    if latest is not None and latest.correction is not None:
        last += " (corrected)"
    ref = f"  {view.ref}" if view.parent else view.ref  # under its recommendation
    return (
        f"{view.plan:<8} {ref:<34} {view.status.value:<11} {(view.rag or '-'):<5} "
        f"target {target:<25} {late:<18} last update {last}  {view.agency[:40]}"
        + ("  (* corrected)" if view.corrected else "")
        + (f"  [{note}]" if note else "")
    )


def _notes(standing: dict[tuple[str, str], Standing] | None) -> Notes:
    return {key: _follow_up(found) for key, found in (standing or {}).items()}


def _follow_up(found: Standing) -> str:
    """Its latest request for an update and the changes awaiting sign-off, in a few words."""
    parts = []
    if found.request is not None:
        answered = "answered" if found.request.answered_at else "not answered"
        parts.append(f"update asked {found.request.requested_at.date().isoformat()}, {answered}")
    if found.awaiting:
        parts.append("awaiting sign-off: " + ", ".join(p.kind for p in found.awaiting))
    return "; ".join(parts)


CSV_FIELDS = [
    "plan", "ref", "parent", "section", "theme", "number", "agency", "leads", "text", "target",
    "status", "completed", "updates", "last_update", "overdue", "days_overdue", "rag",
]  # fmt: skip


def _csv_row(view: RecommendationView) -> dict[str, Any]:
    return {
        **view.to_json(),
        "parent": view.parent or "",
        "leads": "; ".join(view.leads),
        "target": view.target.text if view.target else "",
        "completed": view.completed.text if view.completed else "",
        "updates": [f"{u.effective.text}: {u.text}" for u in view.updates],
        "last_update": view.updates[-1].effective.text if view.updates else "",
    }


def _show(
    views: list[RecommendationView],
    form: str,
    empty: str,
    *,
    nested: bool = False,
    standing: dict[tuple[str, str], Standing] | None = None,
) -> None:
    """A listing; ``nested``: recommendations, each with its sub-actions (as their own
    rows in a table or CSV, under it; inside its object in JSON); ``standing``: where each
    item stands now in the follow-up cycle (JSON's ``follow_up``, a note in a table)."""
    if form == "json":
        emit_json([_json(view, standing) for view in views])
        return
    notes = _notes(standing)
    if nested:
        views = [item for view in views for item in view.items()]
    if form == "csv":
        emit_csv([_csv_row(view) for view in views], CSV_FIELDS)
    elif not views:
        typer.echo(empty)
    elif (console := terminal()) is not None:
        console.print(views_table(views, console.width, notes))
    else:
        for view in views:
            say(_line(view, notes.get((view.plan, view.ref), "")))


def _json(
    view: RecommendationView, standing: dict[tuple[str, str], Standing] | None
) -> dict[str, Any]:
    from service.reminders import with_standing

    return view.to_json() if standing is None else with_standing(view.to_json(), standing)


@app.command("status")
def status(
    ctx: typer.Context,
    plan_id: PlanOption = None,
    ref: Annotated[
        str | None,
        typer.Argument(metavar="[REF]", help="One recommendation, in detail (needs PLAN_ID)."),
    ] = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Every recommendation as at a date (effective axis), as known at a time (recorded axis);
    or, given a REF, that one in detail. Now (neither date given), each item also shows
    whether its latest request for an update is answered, and any change to it awaiting
    sign-off."""
    form = listing_format(as_json, as_csv)
    day, moment = as_at_day(as_at), known_at_moment(known_at)
    now = day is None and moment is None

    def standing(ledger: Ledger, plan: str | None) -> dict[tuple[str, str], Standing] | None:
        return ledger.standing(plan) if now else None

    if ref is not None:
        assert plan_id is not None  # REF comes second
        view, found = run(
            ctx,
            lambda ledger: (
                ledger.detail(plan_id, ref, as_at=day, known_at=moment),
                standing(ledger, plan_id),
            ),
            writes=False,
            answers=True,
        )
        if form == "json":
            emit_json(_json(view, found))
        elif form == "csv":
            _show([view], form, "")
        else:
            for line in _detail(view, _notes(found).get((view.plan, view.ref), "")):
                say(line)
        return
    views, found = run(
        ctx,
        lambda ledger: (
            ledger.status(plan_id, as_at=day, known_at=moment),
            standing(ledger, plan_id),
        ),
        writes=False,
        answers=True,
    )
    _show(views, form, f"no recommendations {asked_at(day, moment)}", nested=True, standing=found)


def _detail(view: RecommendationView, note: str = "") -> list[str]:
    """Everything about one recommendation or sub-action, a field a line, its updates last."""
    target = view.target.text if view.target else "-"
    late = f" ({view.days_overdue} days overdue)" if view.overdue else ""

    def fixed(name: str) -> str:
        """How a corrected value is marked: by whom and why."""
        found = view.corrected.get(name)
        return f"  (corrected by {found.actor}: {found.reason})" if found else ""

    raised = "added" if view.parent else "raised"
    lines = [
        f"{view.plan} {view.ref}"
        + (f"  (a sub-action of {view.parent})" if view.parent else "")
        + (f"  [{view.theme}]" if view.theme else ""),
        *block("  text:      ", view.text, _FURTHER_LINES, fixed("text")),
        f"  agency:    {view.agency or '(unknown)'}{fixed('agency')}",
        f"  leads:     {'; '.join(view.leads) or '-'}{fixed('leads')}",
        f"  target:    {target}{late}{fixed('target')}",
        f"  status:    {view.status.value}"
        + (f", completed {view.completed.text}{fixed('completed')}" if view.completed else ""),
        f"  RAG:       {view.rag or '-'}",
        f"  {raised + ':':<11}{view.raised.text if view.raised else '-'}{fixed(raised)}",
    ]
    if note:
        lines.append(f"  follow-up: {note}")
    if not view.parent:
        lines.append(f"  actions:   {len(view.sub_actions) or 'none'}")
    for sub in view.sub_actions:
        due = sub.target.text if sub.target else "-"
        if sub.overdue:
            due += f", {sub.days_overdue} days overdue"
        lines += block(
            f"    {sub.ref}  {sub.status.value}  ",
            sub.text,
            _FURTHER_LINES,
            f"  (leads: {'; '.join(sub.leads) or '-'}; target: {due}; updates: {len(sub.updates)})",
        )
    lines.append(f"  updates:   {len(view.updates) or 'none'}")
    for update in view.updates:
        by = update.correction
        note = f"; corrected by {by.actor}: {by.reason}" if by else ""
        lines += block(
            f"    #{update.sequence} {update.effective.text}: ",
            update.text,
            _FURTHER_LINES,
            f"  [{update.source}, by {update.actor}{note}]",
        )
    return lines


_FURTHER_LINES = " " * 8
"""Where a text's further lines begin in a detail: deeper than any line of its own."""


@app.command("overdue")
def overdue(
    ctx: typer.Context,
    plan_id: PlanOption = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
    limit: Annotated[
        int | None, typer.Option(min=0, max=COUNT_MAX, help="At most this many rows.")
    ] = None,
    offset: Annotated[
        int, typer.Option(min=0, max=COUNT_MAX, help="Skip this many rows first.")
    ] = 0,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The overdue recommendations and sub-actions as at a date, most overdue first: a
    summary row each (the full updates are in status), LIMIT of them from OFFSET."""
    form = listing_format(as_json, as_csv)
    day, moment = as_at_day(as_at), known_at_moment(known_at)
    page = run(
        ctx,
        lambda ledger: ledger.overdue(
            plan_id, as_at=day, known_at=moment, limit=limit, offset=offset
        ),
        writes=False,
        answers=True,
    )
    rows = page.rows
    if form == "json":
        emit_json(page.to_json())
    elif form == "csv":
        emit_csv([_overdue_csv(row) for row in rows], OVERDUE_FIELDS)
    elif not rows:
        empty = f"nothing overdue {asked_at(day, moment)}"
        typer.echo(empty if not page.total else f"none past row {page.total}")
    elif (console := terminal()) is not None:
        console.print(views_table(rows, console.width))
    else:
        for row in rows:
            say(_line(row))
    if form == "text" and len(rows) < page.total:
        typer.echo(
            f"rows {offset + 1}-{offset + len(rows)} of {page.total}; "
            f"--offset {offset + len(rows)} for more",
            err=True,
        )


OVERDUE_FIELDS = [
    "plan", "ref", "parent", "agency", "leads", "target", "status", "days_overdue", "rag",
    "last_update", "last_update_text",
]  # fmt: skip


def _overdue_csv(row: OverdueRow) -> dict[str, Any]:
    last = row.last_update
    return {
        **row.to_json(),
        "parent": row.parent or "",
        "leads": "; ".join(row.leads),
        "target": row.target.text if row.target else "",
        "last_update": last.effective.text if last else "",
        "last_update_text": last.text if last else "",
    }


@app.command("changes")
def changes(
    ctx: typer.Context,
    plan_id: Annotated[str, typer.Argument(metavar="PLAN_ID")],
    since: Annotated[
        str,
        typer.Option(
            help="From (included): a day or month ('2014-01-31', 'Jan 2014'); with --recorded "
            "also a moment ('2026-11-26T14:00:00+00:00')."
        ),
    ],
    until: Annotated[str | None, typer.Option(help="To (included; default today).")] = None,
    recorded: Annotated[
        bool, typer.Option("--recorded", help="Use the recorded axis, not the effective one.")
    ] = False,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """What changed between two dates, per recommendation."""
    form = listing_format(as_json, as_csv)
    start = _bound(since, "--since", recorded, first=True)
    end = None if until is None else _bound(until, "--until", recorded, first=False)
    found = run(
        ctx,
        lambda ledger: ledger.changes(plan_id, start, end, recorded=recorded),
        writes=False,
        answers=True,
    )
    if form == "json":
        emit_json([change.to_json() for change in found])
        return
    rows = [
        {
            **change.to_json(),
            "effective": change.entry.effective.text if change.entry.effective else "",
        }
        for change in found
    ]
    if form == "csv":
        emit_csv(rows, CHANGE_FIELDS)
        return
    for row in rows:  # for a person: the plan's own events under its id, to the minute
        row["ref"] = row["ref"] or row["plan"]
        row["recorded_at"] = row["recorded_at"][:16].replace("T", " ")
    if not found:
        typer.echo("no changes in that period")
    elif (console := terminal()) is not None:
        fields = ["ref", "type", "effective", "recorded_at", "actor", "reason"]
        console.print(rows_table(rows, fields, console.width))
    else:
        for row in rows:
            say(
                f"{row['ref']:<34} {row['type']:<24} effective {row['effective'][:30] or '-':<30} "
                f"recorded {row['recorded_at']} by {row['actor']}"
                + (f" — {row['reason']}" if row["reason"] else "")
            )


def _bound(text: str, option: str, recorded: bool, *, first: bool) -> date | datetime:
    """A day (the first or last of a month or season given), or with ``recorded`` a moment."""
    if recorded and "T" in text:
        return read(parse_known_at, text, option)
    return period_day(text, option, first=first)


CHANGE_FIELDS = [
    "plan", "ref", "sequence", "type", "effective", "recorded_at", "actor", "reason", "source",
    "event_id",
]  # fmt: skip


def _workload(
    ctx: typer.Context,
    by: Literal["lead", "agency"],
    plan_id: str | None,
    as_at: str | None,
    known_at: str | None,
    form: str,
    unlinked: bool = False,
) -> None:
    from projections.workload import COUNTS, load_fields

    day, moment = as_at_day(as_at), known_at_moment(known_at)
    if unlinked and (day or moment):
        raise typer.BadParameter("--unlinked lists the leads as known now", param_hint="--unlinked")
    rows = run(
        ctx,
        lambda ledger: (
            ledger.unlinked_leads(plan_id)
            if unlinked
            else ledger.workload(by, plan_id, as_at=day, known_at=moment)
        ),
        writes=False,
        answers=True,
    )
    if form == "json":
        emit_json(rows)
    elif form == "csv":
        emit_csv(rows, load_fields(by))
    elif (console := terminal()) is not None:
        shown = [{by: row[by], **{c: _split(row, c) for c in COUNTS}} for row in rows]
        console.print(rows_table(shown, [by, *COUNTS], console.width))
        say("each count: all items (recommendations + sub-actions)")
    else:
        for row in rows:
            say(f"{row[by][:60]:<60} " + "  ".join(f"{c} {_split(row, c)}" for c in COUNTS))


def _split(row: dict[str, Any], count: str) -> str:
    """``7 (2 + 5)``: a workload count, then its recommendations and sub-actions."""
    return f"{row[count]} ({row[count + '_recommendations']} + {row[count + '_sub_actions']})"


@app.command("leads")
def leads(
    ctx: typer.Context,
    plan_id: PlanOption = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    unlinked: Annotated[
        bool, typer.Option("--unlinked", help="Only the leads no one in the directory is.")
    ] = False,
) -> None:
    """Open, overdue and completed counts per lead; --unlinked: only the leads the directory
    knows no one as (link them with 'recledger person add' or 'person alias')."""
    form = listing_format(as_json, as_csv)
    _workload(ctx, "lead", plan_id, as_at, known_at, form, unlinked)


@app.command("agencies")
def agencies(
    ctx: typer.Context,
    plan_id: PlanOption = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Open, overdue and completed counts per agency."""
    _workload(ctx, "agency", plan_id, as_at, known_at, listing_format(as_json, as_csv))


@app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Rebuild every read model from the event log."""

    def with_progress(ledger: Any) -> int:
        total = ledger.recorder.max_notification_id() or 0
        with typer.progressbar(length=total, label="rebuilding", file=sys.stderr) as bar:
            return ledger.rebuild(progress=bar.update)

    started = time.perf_counter()
    count = run(ctx, with_progress, writes=False)
    seconds = time.perf_counter() - started
    rate = count / max(seconds, 1e-9)
    typer.echo(f"rebuilt from {count} events in {seconds:.2f} s ({rate:,.0f} events/s)")


@app.command("project")
def project(ctx: typer.Context) -> None:
    """Keep the read models and the seals current, until stopped (Ctrl-C or SIGTERM): the
    projection worker for RECLEDGER_PROJECTIONS=worker. It follows the log through
    PostgreSQL's notifications (on SQLite it looks every 0.2 s); stopped and started again,
    it goes on where it stopped."""
    import signal
    import threading
    from datetime import UTC

    from adapters.output import printable
    from adapters.projection_worker import follow

    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())

    def told(line: str) -> None:
        typer.echo(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} {printable(line)}", err=True)

    def worker(ledger: Any) -> None:
        told("following the log")
        follow(ledger, stop, told)
        told("stopped")

    run(ctx, worker)  # as a writer would, it makes the store's tables if there are none
