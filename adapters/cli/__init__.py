"""The ``recledger`` command line: parse arguments, set the audit context, call the ledger."""

import copy
import sys

import typer
from typer.main import get_command_name

from adapters.cli import (  # noqa: F401
    access,
    across_plans,
    commands,
    directory,
    follow_up,
    integrity,
    queries,
    reports,
    serve,
)
from adapters.cli.app import app

_LEDGER_OPTIONS = ("--db", "--actor", "--token", "--idempotency-key")
"""Options of the whole program, which users also type after the subcommand."""
_FORMAT_OPTIONS = ("--json", "--csv")
"""Options of each listing, which users also type before the subcommand."""
_OWN_OPTIONS = {"audit": ("--actor",)}
"""Options a subcommand has of its own under a program option's name: after it, they are
its own (``recledger audit --actor NAME`` filters by actor)."""


def where_click_reads_them(argv: list[str]) -> list[str]:
    """``--db``, ``--actor``, ``--idempotency-key`` moved before the subcommand and
    ``--json``/``--csv`` after it.

    Click reads a group's options only before its subcommand and a command's only after
    it; users type both anywhere (``recledger status --db x.db``, ``recledger --json
    plans``). Nothing after ``--`` is moved."""
    ledger: list[str] = []
    formats: list[str] = []
    rest: list[str] = []
    seen_command = False
    command = ""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            rest += argv[index:]
            break
        name = arg.split("=", 1)[0]
        if name in _LEDGER_OPTIONS and name not in _OWN_OPTIONS.get(command, ()):
            taken = 1 if "=" in arg else 2
            ledger += argv[index : index + taken]
            index += taken
            continue
        if arg in _FORMAT_OPTIONS and not seen_command:
            formats.append(arg)
        else:
            rest.append(arg)
            if not seen_command and not arg.startswith("-"):
                seen_command, command = True, arg
        index += 1
    if "--" in rest:
        cut = rest.index("--")
        return ledger + rest[:cut] + formats + rest[cut:]
    return ledger + rest + formats


def asked(args: list[str]) -> str | None:
    """The subcommand ``args`` (as ``where_click_reads_them`` orders them) name, if they
    name one and ask for no help of the whole program before it."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("--", "--help"):
            return None
        if arg in _LEDGER_OPTIONS:
            index += 2
            continue
        if not arg.startswith("-"):
            return arg
        index += 1
    return None


def only_the_command_asked(args: list[str]) -> typer.Typer:
    """The program with only the subcommand ``args`` name, or whole where they name none
    it knows (its help, and Click's suggestions for a name mistyped, list every one).

    Typer builds every command, reading the options of each from its annotations, before
    it runs one: a tenth of a second of a command's start-up, for one command of 40."""
    name = asked(args)
    named = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(info.callback.__name__ if info.callback else "")) == name
    ]
    groups = [info for info in app.registered_groups if info.name == name]
    if not named and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = named, groups
    return only


def main() -> None:
    """Console entry point."""
    args = where_click_reads_them(sys.argv[1:])
    only_the_command_asked(args)(args=args, prog_name="recledger")
