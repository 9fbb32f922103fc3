"""Across plans (issue 29): `recledger search`, every recommendation, sub-action and update
of every plan by word; `recledger similar`, what other plans said before; `recledger
national`, what was asked of national bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from adapters.cli.app import AsCsv, AsJson, app, emit_csv, emit_json, listing_format, run, say
from adapters.cli.dates import AsAt, as_at_day, period_day
from domain.kinds import Status
from domain.time_axes import asked_at
from domain.values import COUNT_MAX

if TYPE_CHECKING:  # the read side loads when the query runs, not for --help
    from projections.national import NationalItem
    from projections.search import SearchHit

FIELDS = ["plan", "ref", "kind", "status", "agency", "counts_from", "text"]
NATIONAL_FIELDS = ["plan", "ref", "agency", "status", "raised", "days", "overdue",
                   "response_effective", "response"]  # fmt: skip


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help='Words (each must appear; "assessments" finds "assessment"), "a phrase" '
            "in quotes, a prefix* .",
        ),
    ],
    plan_id: Annotated[str | None, typer.Option("--plan", help="One plan (default all).")] = None,
    agency: Annotated[
        str | None, typer.Option(help="The item's agency (any spelling the directory knows).")
    ] = None,
    status: Annotated[Status | None, typer.Option(help="The item's status as at the day.")] = None,
    kind: Annotated[
        Literal["recommendation", "sub_action", "update"] | None,
        typer.Option(help="Only recommendations, sub-actions or progress updates."),
    ] = None,
    raised_from: Annotated[
        str | None, typer.Option(help="Of recommendations raised on or after this day.")
    ] = None,
    raised_to: Annotated[
        str | None, typer.Option(help="Of recommendations raised on or before this day.")
    ] = None,
    as_at: AsAt = None,
    limit: Annotated[int, typer.Option(min=0, max=COUNT_MAX, help="At most this many.")] = 20,
    offset: Annotated[int, typer.Option(min=0, max=COUNT_MAX, help="Skip this many.")] = 0,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The texts that match QUERY as at a date (default today), best first, each with the
    words found marked: recommendations, sub-actions and progress updates of every plan."""
    form = listing_format(as_json, as_csv)
    day = as_at_day(as_at)
    since = None if raised_from is None else period_day(raised_from, "--raised-from", first=True)
    until = None if raised_to is None else period_day(raised_to, "--raised-to", first=False)
    hits = run(
        ctx,
        lambda ledger: ledger.search(
            query,
            plan_id,
            agency=agency,
            status=status,
            kind=kind,
            raised_from=since,
            raised_to=until,
            as_at=day,
            limit=limit,
            offset=offset,
        ),
        writes=False,
        answers=True,
    )
    if form == "json":
        emit_json([hit.to_json() for hit in hits])
    elif form == "csv":
        emit_csv([_row(hit) for hit in hits], FIELDS)
    elif not hits:
        typer.echo(f"nothing found for {query!r} {asked_at(day, None)}")
    else:
        for hit in hits:
            say(f"{hit.plan}  {hit.ref}  {hit.kind}  {hit.status}  {hit.agency}")
            say("    " + "".join(f"«{text}»" if found else text for text, found in hit.snippet))
        if len(hits) == limit:
            typer.echo(f"--offset {offset + limit} for more", err=True)


def _row(hit: SearchHit) -> dict[str, Any]:
    return {name: value for name, value in hit.to_json().items() if name in FIELDS}


@app.command("similar")
def similar(
    ctx: typer.Context,
    plan_id: Annotated[str, typer.Argument(metavar="PLAN_ID", help="The plan's id, e.g. dhr2.")],
    ref: Annotated[str, typer.Argument(metavar="REF", help="The recommendation, e.g. overview/3.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 5,
    as_json: AsJson = False,
) -> None:
    """Said before: the recommendations of other plans most like this one (by their texts'
    words, rapidfuzz's token-set ratio, 0-100), with their status now and the days they
    took to complete."""
    found = run(ctx, lambda ledger: ledger.similar(plan_id, ref, limit=limit), writes=False)
    if as_json:
        emit_json([said.to_json() for said in found])
    elif not found:
        typer.echo("no other plan's recommendation to compare with")
    else:
        for said in found:
            took = "" if said.days is None else f", completed in {said.days} days"
            say(f"{said.score:5.1f}  {said.plan}  {said.ref}  ({said.status}{took})")
            say(f"       {said.text}")


@app.command("national")
def national(
    ctx: typer.Context, as_at: AsAt = None, as_json: AsJson = False, as_csv: AsCsv = False
) -> None:
    """Every recommendation and sub-action addressed to a national body (an agency the
    directory marks national: `agency add --kind national`), across the plans, as at a
    date: its status, its age in days (to its completion, if completed) and its latest
    response, oldest first."""
    form = listing_format(as_json, as_csv)
    day = as_at_day(as_at)
    found = run(ctx, lambda ledger: ledger.national(as_at=day), writes=False, answers=True)
    if form == "json":
        emit_json([item.to_json() for item in found])
    elif form == "csv":
        emit_csv([_national_row(item) for item in found], NATIONAL_FIELDS)
    elif not found:
        typer.echo(f"nothing addressed to a national body {asked_at(day, None)}")
    else:
        for item in found:
            age = "" if item.days is None else f"  {item.days} days"
            late = "  overdue" if item.overdue else ""
            say(f"{item.plan}  {item.ref}  {item.agency}  {item.status}{age}{late}")
            if item.response is not None:
                say(f"    {item.response.effective.text}: {item.response.text}")


def _national_row(item: NationalItem) -> dict[str, Any]:
    row = item.to_json()
    response = row.pop("response") or {}
    return {**row, "response_effective": response.get("effective", ""),
            "response": response.get("text", "")}  # fmt: skip
