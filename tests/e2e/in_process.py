"""The CLI as a user types it, run in this process: the program's options are moved as
``recledger`` moves them, its output kept apart.

A process of its own costs about a second a command (the interpreter, the imports); most
CLI tests are about what a command does and says, not about the process, and run here.
What only a real process shows stays in one (tests/e2e/shell.py): crashes and signals,
concurrent starts and writers, reading devices and pipes, the real interpreter's output on
a failure at start-up, the installed command itself.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner, Result

from adapters.cli import where_click_reads_them
from adapters.cli.app import CliState, app
from tests.e2e.shell import Shell


@functools.cache
def _command() -> Any:
    """The click command Typer makes of ``app``: made once (``recledger`` makes it once a
    process; Typer's test runner makes it again for every command, most of its time)."""
    return typer.main.get_command(app)


class Recledger:
    """``recledger`` on the ledger ``db``, as ``actor``, at a terminal ``columns`` wide."""

    def __init__(self, db: str, actor: str = "coordinator", columns: int = 100) -> None:
        self.env = {"RECLEDGER_DB": db, "RECLEDGER_ACTOR": actor, "COLUMNS": str(columns)}

    def __call__(self, *args: str, code: int = 0) -> Result:
        result = _invoke(list(args), self.env)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        return result


def _invoke(args: list[str], env: Mapping[str, str | None], input: str | None = None) -> Result:
    """``recledger`` with ``args`` as Typer's test runner runs it (``catch_exceptions=False``),
    but with the command made once."""
    runner = CliRunner()
    with runner.isolation(input, env) as (out, err, mixed):
        returned, code, exception = None, 0, None
        try:
            returned = _command().main(args=where_click_reads_them(args), prog_name="recledger")
        except SystemExit as exit:
            code = _exit_status(exit.code)
            exception = exit if code else None
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(
            runner, out.getvalue(), err.getvalue(), mixed.getvalue(), returned, code, exception
        )


class InProcessShell(Shell):
    """:class:`Shell`'s ``recledger``, with its environment and working directory, run in
    this process: the same arguments give the same exit code, standard output and
    standard error, read as ``subprocess.run(..., text=True)`` reads them.

    As in a process of its own: only the variables of ``env`` are set (``RECLEDGER_DB``
    unset without ``db``); standard input is empty, or ``input``; the output is a pipe,
    80 columns unless ``COLUMNS`` says otherwise; a warning, or a log record that no
    handler of the program takes, is written to standard error as the interpreter writes
    it; the ledger the command opened is closed when it ends. An exception the program
    lets escape is raised here, failing the test, where the interpreter would print a
    traceback and exit 1. What a child process of the command writes to its inherited
    standard error is not caught here: a test of that runs ``recledger`` in a process."""

    def __call__(
        self, *args: str | os.PathLike[str], ok: bool = True, input: str | None = None,
        **options: Any,
    ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        if options:
            raise TypeError(f"in this process, {sorted(options)} cannot be honoured")
        env: dict[str, str | None] = {name: None for name in os.environ}
        env |= {"COLUMNS": "80"} | self.env
        argv = [os.fspath(arg) for arg in args]
        with _as_a_process(self.cwd):
            result = _invoke(argv, env, input)
        done = subprocess.CompletedProcess(
            ["recledger", *argv], result.exit_code, _text(result.stdout_bytes),
            _text(result.stderr_bytes),
        )  # fmt: skip
        if ok:
            assert done.returncode == 0, done.stderr
        return done


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` gives a process: a message is printed, status 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _text(output: bytes) -> str:
    """Output as ``subprocess.run(..., text=True)`` reads it: UTF-8, universal newlines."""
    return output.decode().replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _as_a_process(cwd: Path) -> Iterator[None]:
    """The working directory, warnings, logging and ledgers of a process of its own."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    opened: list[Any] = []
    get_ledger = CliState.get_ledger

    def recorded(state: CliState, **kwargs: Any) -> Any:
        ledger = get_ledger(state, **kwargs)
        if ledger not in opened:
            opened.append(ledger)
        return ledger

    here = os.getcwd()
    os.chdir(cwd)
    root.handlers, root.level = [], logging.WARNING  # records go to logging.lastResort: stderr
    CliState.get_ledger = recorded  # type: ignore[method-assign]
    try:
        with warnings.catch_warnings():
            warnings.resetwarnings()  # the interpreter's own filters, not pytest's
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                             ResourceWarning):  # fmt: skip
                warnings.simplefilter("ignore", category)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            warnings.showwarning = _on_stderr  # pytest's would keep them from the output
            try:
                yield
            finally:
                for ledger in opened:
                    ledger.close()
    finally:
        CliState.get_ledger = get_ledger  # type: ignore[method-assign]
        root.handlers, root.level = handlers, level
        os.chdir(here)


def _on_stderr(
    message: Warning | str, category: type[Warning], filename: str, lineno: int,
    file: Any = None, line: str | None = None,
) -> None:  # fmt: skip
    """A warning as the interpreter shows it: on standard error (the command's, captured)."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
