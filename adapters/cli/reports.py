"""``recledger export`` (the plan as it stood) and ``recledger board-report``."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.app import PlanId, app, refuse, run
from adapters.cli.dates import AsAt, KnownAt, as_at_day, known_at_moment, period_day
from adapters.cli.output_file import out_option, shown, written, wrote

Out = Annotated[str, out_option("The file to write")]


def _write(out: str, content: bytes) -> None:
    with written(out) as path:
        path.write_bytes(content)


@app.command("export")
def export(
    ctx: typer.Context,
    plan_id: PlanId,
    out: Out,
    form: Annotated[
        str,
        typer.Option("--format", help="html (printable), md, csv, xlsx or txt (the seed's shape)."),
    ] = "html",
    as_at: AsAt = None,
    known_at: KnownAt = None,
) -> None:
    """The plan as it stood on a day (as known at a moment), in the document's shape,
    stamped with the log's position and head (check it with verify --report)."""
    from adapters.reports.render import PLAN_FORMATS, plan_report

    if form not in PLAN_FORMATS:
        refuse(f"--format {form!r}: use one of {', '.join(PLAN_FORMATS)}")
    day, moment = as_at_day(as_at), known_at_moment(known_at)
    report = run(ctx, lambda ledger: ledger.plan_as_at(plan_id, day, moment), writes=False)
    _write(out, plan_report(report, form))
    wrote(
        out,
        f"wrote {shown(out)}: {plan_id} as at {report.as_at.isoformat()}, {len(report.views)} "
        f"recommendations, log position {_position(report.stamp.position)}",
    )


def _position(position: int | None) -> str:
    return "withheld (the token sees only some plans)" if position is None else f"{position:,}"


@app.command("board-report")
def board_report(
    ctx: typer.Context,
    plan_id: PlanId,
    since: Annotated[
        str, typer.Option(help="From this day (included): 2014-01-01; a month from its first day.")
    ],
    out: Out,
    until: Annotated[
        str | None, typer.Option(help="To this day (included; default today).")
    ] = None,
    form: Annotated[str, typer.Option("--format", help="html, md or xlsx.")] = "html",
) -> None:
    """What changed between two days (updates, completions, revised targets,
    reassignments, newly overdue) and the overdue list, with counts."""
    from adapters.reports.render import BOARD_FORMATS
    from adapters.reports.render import board_report as render

    if form not in BOARD_FORMATS:
        refuse(f"--format {form!r}: use one of {', '.join(BOARD_FORMATS)}")
    start = period_day(since, "--since", first=True)
    end = None if until is None else period_day(until, "--until", first=False)
    board = run(ctx, lambda ledger: ledger.board_report(plan_id, start, end), writes=False)
    _write(out, render(board, form))
    wrote(
        out,
        f"wrote {shown(out)}: {plan_id} from {board.since.isoformat()} to "
        f"{board.until.isoformat()}: progress updates {len(board.updates)}, "
        f"completions {len(board.completions)}, newly overdue {len(board.newly_overdue)}",
    )
