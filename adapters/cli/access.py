"""Tokens: ``recledger token add`` and ``recledger token revoke``."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.app import given, run, say, token_app
from domain.access import Role


@token_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Whose token: the actor its events record.")],
    role: Annotated[Role, typer.Option(help="What it may do.")],
    agency: Annotated[
        list[str] | None,
        typer.Option(help="An agency lead's agency, as its slug (west-mercia-police); repeat."),
    ] = None,
    plan: Annotated[
        list[str] | None, typer.Option(help="Limit it to this plan; repeat. Default: all plans.")
    ] = None,
) -> None:
    """Issue a token and print it once, alone on the last line: only its hash is kept."""
    from service.command_models import IssueToken

    issuing = given(IssueToken, name=name, role=role, agencies=agency or [], plans=plan or [])
    token = run(ctx, lambda ledger: ledger.issue_token(issuing))
    say(f"token for {name} ({role.value}); keep it secret, it is not shown again:")
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
