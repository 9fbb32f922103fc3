"""The ``recledger`` application object and what every command shares.

Exit codes: 0 done; 1 refused (a domain rule, a conflict, something not found, bad
input) with one line on stderr and nothing written; 2 usage error (from Typer).
"""

from __future__ import annotations

import csv
import inspect
import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from adapters.output import printable, spreadsheet_cell, to_json
from domain.audit import acting_as, acting_as_owner
from domain.errors import LedgerError, NoLedger

if TYPE_CHECKING:  # the storage and the service load when a command runs, not for --help
    from adapters.settings import Settings
    from service.ledger import Ledger

T = TypeVar("T")
M = TypeVar("M")


def reflowed(text: str | None) -> str | None:
    """A docstring's paragraphs, each on one line: the terminal wraps them (a paragraph
    opening with Click's ``\\b`` keeps its lines; what follows ``\\f`` is not help)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text.partition("\f")[0]).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


class Paragraphs(TyperGroup):
    """A group whose help, and each of its commands', shows the paragraphs written, wrapped
    once to the terminal. Typer's rich help keeps a docstring's line breaks and wraps the
    lines again, breaking a sentence where its line ended ("... that every" / "command
    takes.")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in (self, *self.commands.values()):
            command.help = reflowed(command.help)


app = typer.Typer(
    cls=Paragraphs,
    help="recledger: the audit-first ledger of action-plan recommendations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
plan_app = typer.Typer(
    cls=Paragraphs, help="Open plans and record their document versions.", no_args_is_help=True
)
app.add_typer(plan_app, name="plan")
token_app = typer.Typer(
    cls=Paragraphs,
    help="Issue and revoke the bearer tokens of the API (and of --token).",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")
agency_app = typer.Typer(
    cls=Paragraphs,
    help="The directory of agencies: their canonical names, kinds and other spellings.",
    no_args_is_help=True,
)
app.add_typer(agency_app, name="agency")
person_app = typer.Typer(
    cls=Paragraphs,
    help="The directory of people: who leads, answers and is reminded, and how plans name them.",
    no_args_is_help=True,
)
app.add_typer(person_app, name="person")


@dataclass
class CliState:
    settings: Settings
    ledger: Ledger | None = None
    idempotency_key: str | None = None

    def get_ledger(self, *, create: bool, empty_if_missing: bool = False) -> Ledger:
        from adapters.settings import Settings
        from adapters.storage import bootstrap

        if self.ledger is None:
            try:
                self.ledger = bootstrap(self.settings, create=create)
            except NoLedger:
                if not empty_if_missing:
                    raise
                self.ledger = bootstrap(Settings(db="memory:", actor=self.settings.actor))
        return self.ledger


def refuse(message: str) -> NoReturn:
    typer.echo(f"recledger: {printable(message)}", err=True)
    raise typer.Exit(1)


_ARGUMENTS = {"plan_id": "PLAN_ID", "ref": "REF", "event": "EVENT_ID", "label": "LABEL"}
_ARGUMENTS |= {"name": "NAME", "status": "STATUS"}
_REPEATED = {"leads": "--lead", "agencies": "--agency", "plans": "--plan"}


def given(command: Callable[..., M], **options: Any) -> M:
    """The command value (``service.command_models``) of the options given; refused before
    the ledger opens, naming each option that is not valid."""
    from pydantic import ValidationError

    try:
        return command(**options)
    except ValidationError as error:
        refuse("; ".join(_refusal(e["loc"], e["msg"]) for e in error.errors()))


def _refusal(where: tuple[int | str, ...], why: str) -> str:
    """One refusal: the option it is about (none for the command as a whole), and why."""
    why = why.removeprefix("Value error, ")
    return f"{_option(str(where[0]))}: {why}" if where else why


def _option(field: str) -> str:
    named = _ARGUMENTS.get(field) or _REPEATED.get(field)
    return named or f"--{field.replace('_', '-')}"


def run(
    ctx: typer.Context,
    command: Callable[[Ledger], T],
    *,
    writes: bool = True,
    empty_if_missing: bool = False,
    answers: bool = False,
) -> T:
    """Run one use case as the CLI's actor; turn a refusal into one line and exit 1.

    A command that only reads (``writes=False``) never creates a ledger. Once a write is
    stored it has succeeded: if the read models could not follow, that is said, exit 0.
    A command that ``answers`` from the read models says how far behind the log they
    were when it began, where a projection worker keeps them and they were behind."""
    from adapters.stores.common import scrub, storage_cause, storage_errors
    from service.ledger import Earlier

    state: CliState = ctx.obj
    try:
        with acting_as_owner(state.settings.actor, "cli"):
            ledger = state.get_ledger(create=writes, empty_if_missing=empty_if_missing)
            key = state.idempotency_key if writes else None
            grant = ledger.authenticate(state.settings.token) if state.settings.token else None
            with acting_as(grant.name, "cli", grant) if grant else nullcontext():
                lag = ledger.visible_lag() if answers else None
                result = command(ledger) if key is None else ledger.once(key, command)
    except LedgerError as error:
        refuse(scrub(str(error), state.settings.db))
    except storage_errors() as error:  # the database failed under a command: say why, briefly
        refuse(scrub(f"the database failed: {storage_cause(error)}", state.settings.db))
    if isinstance(result, Earlier):
        typer.echo(
            f"note: idempotency key {printable(key or '')!r} was used before: nothing recorded "
            "now; the first time recorded:",
            err=True,
        )
        for event_id in result.recorded:
            typer.echo(f"recorded event {event_id}")
        raise typer.Exit(0)
    if lag is not None and lag.behind:
        typer.echo(
            f"note: answered from the read models at log position {lag.read_models:,}; the "
            f"log is at {lag.log:,}: up to {lag.behind:,} events recorded since are not in "
            "this answer (the projection worker applies them)",
            err=True,
        )
    if ledger.read_models_behind:
        behind = printable(ledger.read_models_behind)
        typer.echo(f"recorded; read models behind: {behind}", err=True)
    return result


def emit_json(value: Any) -> None:
    typer.echo(to_json(value))


def say(line: str, *, err: bool = False) -> None:
    """Print one line of output that may hold stored text: escaped, never obeyed."""
    typer.echo(printable(line), err=err)


Reason = Annotated[str, typer.Option(help="Why: kept with the event for auditors.")]
PlanId = Annotated[str, typer.Argument(metavar="PLAN_ID", help="The plan's id, e.g. dhr2.")]
RefArg = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="overview/N or imr/<agency-slug>/N; a sub-action: its recommendation's ref and its "
        "number, overview/3.2.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV (for a spreadsheet).")]


def listing_format(as_json: bool, as_csv: bool) -> str:
    """ "json", "csv" or "text"; asking for both is a usage error (exit 2)."""
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="'--json' / '--csv'")
    return "json" if as_json else "csv" if as_csv else "text"


def emit_listing(
    rows: list[dict[str, Any]],
    form: str,
    fields: list[str],
    empty: str,
    line: Callable[[dict[str, Any]], str],
) -> None:
    """A listing's rows as JSON, as CSV (``fields``), or a ``line`` of text each (``empty``
    when there are none)."""
    if form == "json":
        emit_json(rows)
    elif form == "csv":
        emit_csv(rows, fields)
    elif not rows:
        say(empty)
    else:
        for row in rows:
            say(line(row))


def emit_csv(rows: list[dict[str, Any]], fields: list[str]) -> None:
    """Rows as CSV: a list is one cell, its items on lines; no cell runs as a formula."""
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                field: spreadsheet_cell(
                    "\n".join(row[field]) if isinstance(row[field], list) else row[field]
                )
                for field in fields
            }
        )


def version_text() -> str:
    """The package's version, and what it reads and writes: the version of each event shape,
    of each read model's tables, and of the exported log's and the reports' formats."""
    from importlib.metadata import PackageNotFoundError, version

    from adapters.reports.claim import PREFIX
    from adapters.storage import PROJECTIONS
    from domain.integrity import EXPORT_FORMAT
    from domain.schema import event_shapes

    try:
        package = version("recledger")
    except PackageNotFoundError:  # run from a checkout that was never installed
        package = "(not installed)"
    shapes = ", ".join(f"{name} v{v}" for name, v in event_shapes().items())
    models = ", ".join(f"{p.name} v{p.version}" for p in PROJECTIONS)
    return "\n".join([
        f"recledger {package}",
        f"event shapes: {shapes}",
        f"read models: {models}",
        f"formats: {EXPORT_FORMAT} (exported log), {PREFIX.rstrip(':')} (report claims)",
    ])  # fmt: skip


def show_version(asked: bool) -> None:
    if asked:
        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            envvar="RECLEDGER_DB",
            help="SQLite file or URL (default ledger.db), postgresql://... or memory:.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(envvar="RECLEDGER_ACTOR", help="Who is acting (default: login name)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="RECLEDGER_TOKEN",
            help="Act as a token's holder, with its role and scope (as the API does).",
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            help="Name this write: sent again with the same key, it records nothing and "
            "prints what the first recorded."
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=show_version,
            is_eager=True,
            help="Print the version, and those of the event shapes and read models.",
        ),
    ] = False,
) -> None:
    given = {"db": db, "actor": actor, "token": token}
    overrides: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    from pydantic import ValidationError

    from adapters.settings import Settings

    try:
        settings = Settings(**overrides)
    except ValidationError as error:  # a RECLEDGER_* variable the settings cannot take
        refuse("; ".join(
            f"RECLEDGER_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}"
            for e in error.errors()
        ))  # fmt: skip
    ctx.obj = CliState(settings, idempotency_key=idempotency_key)
