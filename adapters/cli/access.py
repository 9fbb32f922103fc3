"""Tokens: ``recledger token add``, ``token revoke`` and ``token list``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    emit_listing,
    given,
    listing_format,
    run,
    say,
    token_app,
)
from domain.access import Role


@token_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="Whose token: the actor its events record. Default: the person's."),
    ] = None,
    role: Annotated[
        Role | None,
        typer.Option(help="What it may do. Default, for a person of an agency: agency_lead."),
    ] = None,
    agency: Annotated[
        list[str] | None,
        typer.Option(help="An agency lead's agency, as its slug (west-mercia-police); repeat."),
    ] = None,
    plan: Annotated[
        list[str] | None, typer.Option(help="Limit it to this plan; repeat. Default: all plans.")
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(help="A person of the directory, by e-mail: their name and agency."),
    ] = None,
) -> None:
    """Issue a token and print it once, alone on the last line: only its hash is kept."""
    from domain.access_token import holder
    from service.command_models import IssueToken

    issuing = given(
        IssueToken, name=name, role=role, agencies=agency or [], plans=plan or [], person=person
    )
    token = run(ctx, lambda ledger: ledger.issue_token(issuing))
    say(f"token for {holder(token)[0]}; keep it secret, it is not shown again:")
    say(token)


@token_app.command("revoke")
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Whose token.")],
    reason: Annotated[str | None, typer.Option(help="Why: kept with the event.")] = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from service.command_models import RevokeToken

    revoking = given(RevokeToken, reason=reason)
    run(ctx, lambda ledger: ledger.revoke_token(name, revoking))
    say(f"the token of {name} is revoked")


@token_app.command("list")
def listing(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List the tokens issued: to whom, role, scope, issued and revoked (never a secret)."""
    form = listing_format(as_json, as_csv)
    rows = [t.to_json() for t in run(ctx, lambda ledger: ledger.tokens(), writes=False)]
    empty = "no tokens yet: issue one with 'recledger token add NAME --role ROLE'"
    fields = ["name", "role", "agencies", "plans", "person", "issued", "revoked"]
    emit_listing(rows, form, fields, empty, _token_line)


def _token_line(row: dict[str, Any]) -> str:
    scope = ", ".join([*row["agencies"], *(f"plan {p}" for p in row["plans"])]) or "all plans"
    revoked = f"revoked {row['revoked'][:10]}" if row["revoked"] else "active"
    return f"{row['name']}\t{row['role']}\t{scope}\tissued {row['issued'][:10]}\t{revoked}"
