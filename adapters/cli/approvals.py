"""Sign-off: ``recledger plan sign-off``, ``proposals``, ``approve`` and ``reject``."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    PlanId,
    app,
    emit_csv,
    emit_json,
    given,
    listing_format,
    plan_app,
    run,
    say,
)
from domain.kinds import SignOff

Proposal = Annotated[
    str, typer.Argument(metavar="PROPOSAL", help="The proposal's id (as `proposals` lists it).")
]


@plan_app.command("sign-off")
def sign_off(
    ctx: typer.Context,
    plan_id: PlanId,
    change: Annotated[
        list[SignOff] | None,
        typer.Option(help="A kind of change that needs sign-off; repeat. None: no sign-off."),
    ] = None,
    coordinators_too: Annotated[
        bool, typer.Option(help="A coordinator's own changes need a second coordinator's.")
    ] = False,
) -> None:
    """Set which changes to the plan's recommendations are proposals until a coordinator
    signs them off (by default: extension, withdrawal, agency, completion)."""
    from service.command_models import SetSignOff

    setting = given(SetSignOff, changes=change or [], coordinators_too=coordinators_too)
    plan = run(ctx, lambda ledger: ledger.set_sign_off(plan_id, setting))
    kinds = ", ".join(sorted(k.value for k in plan.sign_off))
    who = "anyone's" if plan.coordinators_sign_off else "an agency lead's"
    say(
        f"plan {plan_id}: {who} {kinds} needs sign-off" if kinds else f"plan {plan_id}: no sign-off"
    )


@app.command("proposals")
def proposals(
    ctx: typer.Context,
    plan_id: Annotated[str | None, typer.Argument(metavar="[PLAN_ID]", help="One plan.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The approvals queue: the changes awaiting sign-off, oldest first."""
    form = listing_format(as_json, as_csv)
    found = run(ctx, lambda ledger: ledger.proposals(plan_id, pending_only=not every), writes=False)
    rows = [p.to_json() for p in found]
    if form == "json":
        emit_json(rows)
    elif form == "csv":
        emit_csv(rows, ["proposal", "plan", "ref", "kind", "actor", "recorded_at", "reason",
                        "decision", "decided_by", "decided_at"])  # fmt: skip
    elif not rows:
        say("no proposals awaiting sign-off" if not every else "no proposals")
    for row in rows if form == "text" else ():
        by = f"by {row['actor']} {row['recorded_at'][:10]}"
        decided = (
            "" if row["decision"] == "pending" else f"\t{row['decision']}: {row['decided_by']}"
        )
        where = f"{row['plan']} {row['ref']}"
        say(f"{row['proposal']}\t{where}\t{row['kind']}\t{by}\t{row['reason'] or ''}{decided}")


def _decide(ctx: typer.Context, proposal: str, approve: bool, reason: str | None) -> None:
    from service.command_models import Decide

    deciding = given(Decide, approve=approve, reason=reason)
    for event_id in run(ctx, lambda ledger: ledger.decide(proposal, deciding)):
        typer.echo(f"recorded event {event_id}")


@app.command("approve")
def approve(
    ctx: typer.Context,
    proposal: Proposal,
    reason: Annotated[str | None, typer.Option(help="Why: kept with the decision.")] = None,
) -> None:
    """Sign off a proposed change: it takes effect now, as of the date it proposed."""
    _decide(ctx, proposal, True, reason)


@app.command("reject")
def reject(
    ctx: typer.Context,
    proposal: Proposal,
    reason: Annotated[str, typer.Option(help="Why: kept with the decision.")],
) -> None:
    """Reject a proposed change: nothing of it takes effect."""
    _decide(ctx, proposal, False, reason)
