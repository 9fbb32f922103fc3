"""The follow-up cycle: sign-off (``recledger plan sign-off``, ``proposals``, ``approve``,
``reject``), the requests for updates (``request``, ``requests``, ``response-rates``) and the
reminders (``remind``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    PlanId,
    app,
    emit_listing,
    given,
    listing_format,
    plan_app,
    run,
    say,
)
from domain.kinds import SignOff
from domain.rules import REMINDER_DAYS, REMINDER_DAYS_MAX

if TYPE_CHECKING:  # loaded when a command runs
    from service.ledger import Ledger

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


@plan_app.command("reminders")
def reminder_window(
    ctx: typer.Context,
    plan_id: PlanId,
    days: Annotated[
        int,
        typer.Option(
            min=0,
            max=REMINDER_DAYS_MAX,
            help=f"Open items are due soon this many days ahead (default {REMINDER_DAYS}).",
        ),
    ],
) -> None:
    """Set how far ahead of their targets the plan's open items are due soon, in reminders
    and the inbox."""
    from service.command_models import SetReminderWindow

    setting = given(SetReminderWindow, days=days)
    plan = run(ctx, lambda ledger: ledger.set_reminder_window(plan_id, setting))
    say(f"plan {plan_id}: items are due soon {plan.reminder_days} days ahead of their targets")


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
    fields = ["proposal", "plan", "ref", "kind", "actor", "recorded_at", "reason", "decision",
              "decided_by", "decided_at"]  # fmt: skip
    empty = "no proposals" if every else "no proposals awaiting sign-off"
    emit_listing(rows, form, fields, empty, _proposal_line)


def _proposal_line(row: dict[str, Any]) -> str:
    by = f"by {row['actor']} {row['recorded_at'][:10]}"
    pending = row["decision"] == "pending"
    decided = "" if pending else f"\t{row['decision']}: {row['decided_by']}"
    where = f"{row['plan']} {row['ref']}"
    return f"{row['proposal']}\t{where}\t{row['kind']}\t{by}\t{row['reason'] or ''}{decided}"


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


@app.command("request")
def request(
    ctx: typer.Context,
    plan_id: PlanId,
    agency: Annotated[str, typer.Option(help="Ask only this agency's leads.")] = "",
    due: Annotated[str | None, typer.Option(help="Answer by this day.")] = None,
    message: Annotated[str, typer.Option(help="What to say to the leads.")] = "",
) -> None:
    """Ask the leads of the plan's open items for a progress update: a progress update on
    an item recorded after it answers it."""
    from adapters.cli.dates import maybe_fuzzy
    from service.command_models import RequestUpdates

    asking = given(RequestUpdates, agency=agency, due=maybe_fuzzy(due, "due"), message=message)
    _, items = run(ctx, lambda ledger: ledger.request_updates(plan_id, asking))
    say(f"asked for updates on {items} open item{'s' * (items != 1)} of {plan_id}")


@app.command("requests")
def requests(
    ctx: typer.Context,
    plan_id: PlanId,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Each item asked for an update: its latest request, and whether it is answered."""
    form = listing_format(as_json, as_csv)
    found = run(ctx, lambda ledger: ledger.requests(plan_id), writes=False)
    rows = [view.to_json() for view in found.values()]
    fields = ["plan", "ref", "requested_at", "due", "answered", "answered_at"]
    empty = f"no requests for updates in {plan_id}: ask with 'recledger request {plan_id}'"
    emit_listing(rows, form, fields, empty, _request_line)


def _request_line(row: dict[str, Any]) -> str:
    answered = f"answered {row['answered_at'][:10]}" if row["answered"] else "not answered"
    due = f"\tdue {row['due']}" if row["due"] else ""
    return f"{row['ref']}\tasked {row['requested_at'][:10]}{due}\t{answered}"


@app.command("response-rates")
def response_rates(
    ctx: typer.Context,
    plan_id: PlanId,
    since: Annotated[str | None, typer.Option(help="Requests recorded from then.")] = None,
    until: Annotated[str | None, typer.Option(help="Requests recorded up to then.")] = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Per agency: the items the period's requests asked about, and how many were answered."""
    from datetime import UTC, datetime

    from adapters.cli.dates import known_at_moment

    form = listing_format(as_json, as_csv)
    first = known_at_moment(since, "--since", first=True) or datetime.min.replace(tzinfo=UTC)
    last = known_at_moment(until, "--until") or datetime.now(UTC)
    found = run(ctx, lambda ledger: ledger.response_rates(plan_id, first, last), writes=False)
    rows = [rate.to_json() for rate in found]
    empty = f"no requests for updates in {plan_id} in that period"
    emit_listing(rows, form, ["agency", "asked", "answered", "rate"], empty, _rate_line)


def _rate_line(row: dict[str, Any]) -> str:
    return f"{row['agency'] or '(none)'}\tasked {row['asked']}\tanswered {row['answered']}"


@app.command("remind")
def remind(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(help="Print what would be sent; send nothing.")] = False,
    as_at: Annotated[str | None, typer.Option(help="The day (default: today).")] = None,
    days: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=REMINDER_DAYS_MAX,
            help="Due soon: within this many days, for every plan (default: each plan's window).",
        ),
    ] = None,
) -> None:
    """Send each person who wants reminders one digest of what awaits them: items due soon
    and overdue, requests not answered, proposals to sign off. At most once a person a day:
    run it from cron as often as you like."""
    from adapters.cli.dates import as_at_day
    from adapters.mail import Mailer
    from service.store import today

    state = ctx.obj
    day = as_at_day(as_at) or today()
    found = run(ctx, lambda ledger: ledger.digests(day, days), writes=False)
    settings = state.settings
    if not dry_run and found and not settings.smtp_url:
        raise typer.BadParameter("set RECLEDGER_SMTP_URL to send reminders", param_hint="remind")
    mailer = Mailer(settings.smtp_url) if not dry_run and settings.smtp_url else None
    sent = 0
    try:
        for digest in found:
            sent += _remind(ctx, digest, mailer, settings)
    finally:
        if mailer is not None:
            mailer.close()
    if mailer is not None:
        say(f"sent {sent} reminder{'s' * (sent != 1)} for {day.isoformat()}")


def _remind(ctx: typer.Context, digest: Any, mailer: Any, settings: Any) -> int:
    """Print (no ``mailer``: a dry run) or record and send one digest; 1 if it was sent."""
    from smtplib import SMTPException

    from adapters.mail import message

    mail = message(digest, sender=settings.mail_from, base_url=settings.base_url)
    if mailer is None:
        say(f"would send to {digest.person.email}: {len(digest.listed())} item(s)")
        for line in str(mail.get_body(("plain",)).get_content()).splitlines():  # type: ignore[union-attr]
            say(line)
        return 0

    def record(ledger: Ledger) -> bool:
        recorded: bool = ledger.record_reminder(digest)
        return recorded

    if not run(ctx, record):
        return 0  # another run has sent it today
    try:
        mailer.send(mail)
    except (SMTPException, OSError) as error:
        why = str(error) or type(error).__name__
        run(ctx, lambda ledger: ledger.record_reminder_failed(digest, why))
        say(f"not sent to {digest.person.email}: {why}", err=True)
        return 0
    return 1
