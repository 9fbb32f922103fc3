"""The file a command writes: ``-o FILE``, or ``-o -`` for standard output, as every Unix
tool reads a dash (``./-`` is a file of that name). One option and one way of writing,
for every command that writes a file: export, board-report, checkpoint, prove,
export-log, backup."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from adapters.cli.app import refuse, say

STDOUT = "-"
OUT_HELP = "('-': standard output)."


def out_option(what: str) -> Any:
    """The ``-o``/``--out`` option, its help ``what`` it writes."""
    return typer.Option("-o", "--out", help=f"{what} {OUT_HELP}")


def shown(out: str) -> str:
    """How a message names where the file went."""
    return "standard output" if out == STDOUT else out


@contextmanager
def written(out: str) -> Iterator[Path]:
    """The path the command writes its file at: ``out`` itself; for "-", a file in a
    temporary folder, copied to standard output once the command has written it whole
    (nothing, if the command stops). A file that cannot be written is refused in one line."""
    try:
        if out != STDOUT:
            yield Path(out)
            return
        with tempfile.TemporaryDirectory(prefix="recledger-") as folder:
            path = Path(folder) / "out"
            yield path
            sys.stdout.flush()
            stream = typer.get_binary_stream("stdout")
            with path.open("rb") as content:
                shutil.copyfileobj(content, stream)
            stream.flush()
    except OSError as error:
        refuse(f"cannot write {shown(out)}: {error.strerror or error}")


def wrote(out: str, line: str) -> None:
    """Say what was written: on standard error when standard output holds the file."""
    say(line, err=out == STDOUT)
