"""The inspector's commands: verify, checkpoint, prove, audit, head, export-log, restore,
backup;
and app-role, which gives the application a PostgreSQL role that cannot rewrite the log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from adapters.cli.app import (
    AsCsv,
    AsJson,
    PlanId,
    RefArg,
    app,
    emit_csv,
    emit_json,
    listing_format,
    refuse,
    run,
    say,
)
from adapters.cli.dates import known_at_moment
from adapters.cli.output_file import STDOUT, out_option, shown, written, wrote
from adapters.cli.queries import PlanOption
from adapters.output import to_json

if TYPE_CHECKING:
    from service.integrity import Checkpoint, Verification
    from service.ledger import Ledger

CheckpointFile = Annotated[
    Path | None,
    typer.Option(
        "--against",
        help="A checkpoint file (recledger checkpoint): the log must extend it unchanged.",
    ),
]
TrustedKey = Annotated[
    str | None,
    typer.Option("--key-fingerprint", help="The fingerprint of the signing key you trust (hex)."),
]


def _checkpoint(path: Path | None, fingerprint: str | None) -> Checkpoint | None:
    """A checkpoint file whose signature holds, as the service reads it."""
    if path is None:
        return None
    from adapters.verifier import VerificationFailed, read_checkpoint
    from service.integrity import Checkpoint

    try:
        signed = read_checkpoint(path, fingerprint)
    except VerificationFailed as failure:
        refuse(str(failure))
    return Checkpoint(signed.size, signed.root)


def _report(result: Verification, as_json: bool) -> None:
    if as_json:
        emit_json(result.to_json())
    found = result.divergence
    if found is not None:
        refuse(
            f"the log was changed: {found.change} at position {found.position:,}: {found.detail}"
        )
    if result.read_models:
        shown = "; ".join(str(d) for d in result.read_models[:8])
        more = len(result.read_models) - 8
        refuse(
            f"the log is intact, but the read models do not hold what it says: {shown}"
            + (f"; and {more:,} more" if more > 0 else "")
            + ": what they show cannot be trusted; rebuild them (recledger rebuild)"
        )
    if not as_json:
        unsealed = result.size - result.sealed
        tail = f" ({unsealed:,} appended since the last seal)" if unsealed else ""
        how = "rebuilt from the log and compared" if result.deep else "checked by their digests"
        say(
            f"intact: {result.size:,} events in {result.writes:,} signed writes, head "
            f"{result.root.hex()}{tail}; read models {how}"
        )


@app.command("verify")
def verify(
    ctx: typer.Context,
    against: CheckpointFile = None,
    key_fingerprint: TrustedKey = None,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Rebuild the read models from the log in a scratch space to compare."
        ),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            help="A report (recledger export or board-report, any format): made again from "
            "the log at the head it states, and compared: genuine, altered (where), or of a "
            "log since changed."
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Recompute the log's hashes from the stored events and check every write's
    signature; then check that the read models hold what the log says. Exit 1 naming the
    first position where the log was changed, and how (edited, deleted, reordered,
    inserted, truncated, unsigned, forged, backdated), or where it no longer extends the
    checkpoint or the report's head; or which read model, and which item, differs."""
    if against is not None and report is not None:
        raise typer.BadParameter("give --against or --report, not both", param_hint="--report")
    if report is not None:
        _check_report(ctx, report, as_json)
        return
    checkpoint = _checkpoint(against, key_fingerprint)
    _report(run(ctx, lambda ledger: ledger.verify(checkpoint, deep=deep), writes=False), as_json)


def _check_report(ctx: typer.Context, report: Path, as_json: bool) -> None:
    """Genuine (exit 0), altered or of a log since changed (exit 1): one line saying which."""
    from adapters.reports.check import check_report

    found = run(ctx, lambda ledger: check_report(ledger, report), writes=False)
    if as_json:
        emit_json(found.to_json())
    if found.outcome != "genuine":
        refuse(f"{report}: {found.outcome}: {found.detail}")
    if not as_json:
        say(f"{report}: genuine: {found.detail}")


@app.command("attest")
def attest(ctx: typer.Context) -> None:
    """Sign, with the ledger's key, the events recorded before this recledger signed
    every write (a ledger made by an earlier version, or restored from its export): only
    the log's unsigned beginning, and only where verify finds nothing else wrong."""
    count, root = run(ctx, lambda ledger: ledger.attest())
    say(f"attested: the first {count:,} events, root {root.hex()}, signed with the ledger's key")


@app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    out: Annotated[str, out_option("The checkpoint file to write")],
) -> None:
    """Verify the log, then write a statement of its size and root, signed with the
    ledger's key (the one its writes are signed with): keep it elsewhere, note the key's
    fingerprint, and later `verify --against` it."""
    from adapters.verifier import signed_checkpoint

    def taken(ledger: Ledger) -> tuple[Verification, Any]:
        return ledger.verify(), ledger.signer

    with written(out) as path:
        if path.exists():
            refuse(f"{out} exists: a checkpoint is never overwritten; choose another file")
        result, key = run(ctx, taken, writes=False)
        if result.divergence is not None:
            _report(result, as_json=False)
        time = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        path.write_text(signed_checkpoint(key.private, result.size, result.root, time))
    wrote(
        out,
        f"checkpoint: {result.size:,} events, root {result.root.hex()}, at {time}; "
        f"signed by key {key.fingerprint}; written to {shown(out)}",
    )


@app.command("prove")
def prove(
    ctx: typer.Context,
    plan_id: PlanId,
    ref: RefArg,
    event: Annotated[str, typer.Argument(help="The event: its id, or its number (history).")],
    against: CheckpointFile = None,
    key_fingerprint: TrustedKey = None,
    out: Annotated[str | None, out_option("Write it to a file")] = None,
) -> None:
    """An inclusion proof (RFC 9162) that the event is in the log as sealed now, or in the
    log of a checkpoint: check it with the stand-alone verifier."""
    checkpoint = _checkpoint(against, key_fingerprint)
    size = checkpoint.size if checkpoint else None
    proof = run(ctx, lambda ledger: ledger.prove(plan_id, ref, event, size), writes=False)
    if checkpoint is not None and proof.root != checkpoint.root:
        refuse("the log's root at the checkpoint's size is not the checkpoint's: run verify")
    text = to_json(proof.to_json())
    if out is None or out == STDOUT:
        typer.echo(text)
        return
    with written(out) as path:
        path.write_text(text + "\n")
    say(f"proof of entry {proof.entry.position:,} in {proof.size:,} written to {out}")


AUDIT_FIELDS = [
    "position",
    "recorded_at",
    "actor",
    "plan",
    "ref",
    "type",
    "effective",
    "reason",
    "source",
    "hash",
    "event_id",
]


@app.command("audit")
def audit(
    ctx: typer.Context,
    plan_id: PlanOption = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor's events.")] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help="Only this type, e.g. ProgressRecorded.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Recorded at or after: an ISO time, or a day or month.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Recorded at or before: an ISO time, or a day or month.")
    ] = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The event log as an inspector reads it: recorded time, actor, plan, ref, type,
    effective date, reason, source, and each entry's hash."""
    form = listing_format(as_json, as_csv)
    filters = {
        "actor": actor,
        "event_type": event_type,
        "since": known_at_moment(since, "--since", first=True),
        "until": known_at_moment(until, "--until"),
    }
    rows = run(ctx, lambda ledger: list(ledger.audit(plan_id, **filters)), writes=False)
    records: list[dict[str, Any]] = [row.to_json() for row in rows]
    if form == "json":
        emit_json(records)
    elif form == "csv":
        emit_csv(records, AUDIT_FIELDS)
    else:
        for r in records:
            say(
                f"{r['position']:>8} {r['recorded_at'][:19]} {r['actor'][:20]:<20} "
                f"{r['plan']:<8} {r['ref'][:30]:<30} {r['type']:<20} {r['effective'][:14]:<14} "
                f"{r['hash'][:16]}  {r['reason'][:60]}"
            )


@app.command("head")
def head(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The log's position and head hash (its Merkle root) as sealed now."""
    found = run(ctx, lambda ledger: ledger.head(), writes=False)
    if as_json:
        emit_json({"size": found.size, "root": found.root.hex()})
    else:
        say(f"position {found.size:,}, head {found.root.hex()}")


@app.command("export-log")
def export_log(
    ctx: typer.Context,
    out: Annotated[str, out_option("The .jsonl file to write")],
) -> None:
    """Write every stored event, as stored, with its hash, to a JSON-lines file."""
    from adapters.log_file import export_log as export

    with written(out) as path:
        size, root = run(ctx, lambda ledger: export(ledger, path), writes=False)
    wrote(out, f"exported {size:,} events, root {root.hex()}, to {shown(out)}")


@app.command("restore")
def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(metavar="FILE", help="An exported log (.jsonl).")],
) -> None:
    """Restore an exported log into an empty ledger, all or nothing; a tampered file is
    refused at its first bad line."""
    from adapters.log_file import restore as restore_log

    if not source.is_file():
        refuse(f"restore refused: {source} is not a file; nothing was restored")

    def restored(ledger: Ledger) -> tuple[int, str]:
        count = restore_log(ledger, source)
        return count, ledger.head().root.hex()

    count, root = run(ctx, restored)
    say(f"restored {count:,} events, head {root}")


@app.command("backup")
def backup(
    ctx: typer.Context,
    out: Annotated[str, out_option("The backup file to write")],
) -> None:
    """Back up the whole database while it is in use: SQLite's online backup, or pg_dump.
    Take a checkpoint first; a restored backup verifies --against it."""
    from adapters.backup import backup as back_up

    def head_then_back_up(ledger: Ledger, path: Path) -> tuple[Any, str]:
        head = ledger.head()
        ledger.close()  # pg_dump's connection is then the command's only one, not its third
        return head, back_up(ctx.obj.settings.db, path, "the output" if out == STDOUT else out)

    with written(out) as path:
        head, how = run(ctx, lambda ledger: head_then_back_up(ledger, path), writes=False)
    wrote(out, f"backed up the ledger at position {head.size:,} or later to {shown(out)}; {how}")


@app.command("app-role")
def app_role(
    ctx: typer.Context,
    role: Annotated[str, typer.Argument(help="The PostgreSQL role the application logs in as.")],
) -> None:
    """PostgreSQL, as the database's owner: make ROLE the application's login, with no
    right to change or remove stored events, seals or signatures (SELECT and INSERT only
    there); it keeps the read models and the pages' sessions."""
    from adapters.append_only import application_role_sql
    from adapters.storage import event_store_env
    from adapters.web.sessions import ensure_table, sessions

    env = event_store_env(ctx.obj.settings.db)
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
        refuse("app-role is for PostgreSQL: --db must be a postgresql:// URL")

    def grant(ledger: Ledger) -> None:
        ensure_table(ledger.read_models_engine())  # the pages' sessions: the role keeps them
        statements = application_role_sql(
            role,
            env["POSTGRES_DBNAME"],
            env.get("POSTGRES_SCHEMA", "public"),
            ledger.recorder.events_table_name,  # type: ignore[attr-defined]
            also=[sessions.name],
        )
        from sqlalchemy import text

        with ledger.read_models_engine().begin() as conn:
            for statement in statements:
                conn.execute(text(statement))

    run(ctx, grant)
    say(
        f"role {role!r} may read the ledger and append to it, and cannot change or remove "
        "stored events, seals or signatures; rebuilds of the read models run as the owner"
    )
