"""The directory: ``recledger agency add``, ``agency alias`` and ``agency list``."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    agency_app,
    emit_csv,
    emit_json,
    given,
    listing_format,
    run,
    say,
)
from domain.kinds import AgencyKind

Slug = Annotated[
    str, typer.Argument(metavar="SLUG", help="The agency's slug, e.g. west-mercia-police.")
]


@agency_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Its canonical name.")],
    slug: Annotated[str | None, typer.Option(help="Its slug. Default: made from the name.")] = None,
    kind: Annotated[AgencyKind, typer.Option(help="A local or a national body.")] = (
        AgencyKind.LOCAL
    ),
    alias: Annotated[
        list[str] | None, typer.Option(help="Another spelling plans write it under; repeat.")
    ] = None,
) -> None:
    """Enter an agency in the directory."""
    from service.command_models import RegisterAgency

    registering = given(RegisterAgency, name=name, slug=slug, kind=kind, aliases=alias or [])
    agency = run(ctx, lambda ledger: ledger.register_agency(registering))
    say(f"agency {agency.slug}: {agency.name} ({agency.kind.value})")


@agency_app.command("alias")
def alias(
    ctx: typer.Context,
    slug: Slug,
    spelling: Annotated[str, typer.Argument(metavar="ALIAS", help="Another spelling.")],
) -> None:
    """Add another spelling of an agency's name: recommendations stored under it, before or
    after, count under the agency."""
    from service.command_models import AddAgencyAlias

    adding = given(AddAgencyAlias, alias=spelling)
    agency = run(ctx, lambda ledger: ledger.add_agency_alias(slug, adding))
    say(f"agency {agency.slug} is also {spelling!r}")


@agency_app.command("list")
def listing(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List the agencies of the directory, with their aliases."""
    form = listing_format(as_json, as_csv)
    rows = [a.to_json() for a in run(ctx, lambda ledger: ledger.agencies(), writes=False)]
    if form == "json":
        emit_json(rows)
    elif form == "csv":
        emit_csv(rows, ["slug", "name", "kind", "aliases"])
    elif not rows:
        say("no agencies yet: enter one with 'recledger agency add NAME'")
    for row in rows if form == "text" else ():
        also = f"\t(also: {'; '.join(row['aliases'])})" if row["aliases"] else ""
        say(f"{row['slug']}\t{row['kind']}\t{row['name']}{also}")
