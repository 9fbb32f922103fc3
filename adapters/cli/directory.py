"""The directory: ``recledger agency add|alias|list`` and ``person add|alias|reminders|list``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    agency_app,
    emit_listing,
    given,
    listing_format,
    person_app,
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
    empty = "no agencies yet: enter one with 'recledger agency add NAME'"
    fields = ["slug", "name", "kind", "aliases"]
    emit_listing(
        rows, form, fields, empty, lambda r: f"{r['slug']}\t{r['kind']}\t{r['name']}{_also(r)}"
    )


def _also(row: dict[str, Any]) -> str:
    return f"\t(also: {'; '.join(row['aliases'])})" if row["aliases"] else ""


Email = Annotated[str, typer.Argument(metavar="EMAIL", help="The person's e-mail address.")]


@person_app.command("add")
def add_person(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their name.")],
    email: Annotated[str, typer.Option(help="Their e-mail address: who they are.")],
    post: Annotated[str, typer.Option(help="Their post, e.g. 'Det Supt HQ PVP'.")] = "",
    agency: Annotated[str, typer.Option(help="Their agency's slug in the directory.")] = "",
    reminders: Annotated[
        bool, typer.Option("--reminders/--no-reminders", help="Whether they get reminders.")
    ] = True,
    alias: Annotated[
        list[str] | None,
        typer.Option(help="Another way plans name them (a lead's spelling, a post); repeat."),
    ] = None,
) -> None:
    """Enter a person in the directory."""
    from service.command_models import RegisterPerson

    registering = given(
        RegisterPerson, name=name, email=email, post=post, agency=agency, reminders=reminders,
        aliases=alias or [],
    )  # fmt: skip
    person = run(ctx, lambda ledger: ledger.register_person(registering))
    say(f"{person.email}: {person.name}" + (f", {person.post}" if person.post else ""))


@person_app.command("alias")
def person_alias(
    ctx: typer.Context,
    email: Email,
    spelling: Annotated[str, typer.Argument(metavar="ALIAS", help="Another spelling.")],
) -> None:
    """Add another way plans name a person: the leads written so are linked to them."""
    from service.command_models import AddPersonAlias

    adding = given(AddPersonAlias, alias=spelling)
    person = run(ctx, lambda ledger: ledger.add_person_alias(email, adding))
    say(f"{person.email} is also {spelling!r}")


@person_app.command("reminders")
def reminders(
    ctx: typer.Context,
    email: Email,
    wanted: Annotated[bool, typer.Option("--on/--off", help="Reminders by e-mail, or none.")],
) -> None:
    """Choose whether a person gets reminders by e-mail."""
    from service.command_models import ChooseReminders

    choosing = given(ChooseReminders, reminders=wanted)
    person = run(ctx, lambda ledger: ledger.choose_reminders(email, choosing))
    say(f"{person.email} {'gets' if person.reminders else 'gets no'} reminders")


@person_app.command("list")
def people(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List the people of the directory, with their aliases."""
    form = listing_format(as_json, as_csv)
    rows = [p.to_json() for p in run(ctx, lambda ledger: ledger.people(), writes=False)]
    empty = "no one yet: enter someone with 'recledger person add NAME --email ADDRESS'"
    fields = ["email", "name", "post", "agency", "reminders", "aliases"]
    emit_listing(rows, form, fields, empty, _person_line)


def _person_line(row: dict[str, Any]) -> str:
    quiet = "" if row["reminders"] else "\tno reminders"
    return f"{row['email']}\t{row['name']}\t{row['post']}\t{row['agency']}{quiet}{_also(row)}"
