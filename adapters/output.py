"""Output that cannot be forged: what the ledger prints shows stored text, never obeys it.

Stored text is checked on the way in (``domain.values``), but events stored before that
check, and text that is legal in a document (a newline in an update, ``=1+1`` in a cell),
must still not act on the reader's screen or spreadsheet:

- in text output, control characters become visible escapes (``\\n``, ``\\x1b``,
  ``\\u202e``), so a newline in an actor's name cannot print a fake history line and an
  escape sequence never reaches the terminal; text of several lines (an update's
  paragraphs) shows as lines only where it is laid out so (``block``: every further line
  indented deeper than the output's own);
- in JSON, the characters ``json`` leaves raw (DEL, C1 controls, line separators,
  bidirectional overrides) are written as ``\\uXXXX``;
- in CSV and XLSX cells, text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is prefixed with ``'``, as OWASP recommends against formula injection.
"""

from __future__ import annotations

import json
import re
from typing import Any

_INVISIBLE = "\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff{_INVISIBLE}]")
"""Every control character but tab, lone surrogates, and the invisible movers."""
_JSON_RAW = re.compile(f"[\x7f-\x9f{_INVISIBLE}]")
_CELL_RAW = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_INVISIBLE}]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """``text`` as one line a terminal shows and does not obey."""
    return _UNPRINTABLE.sub(_escape, text)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def block(lead: str, text: str, indent: str, tail: str = "") -> list[str]:
    """The lines that show ``text`` after ``lead``, its own line breaks kept: each further
    line begins with ``indent`` (deeper than the output's own lines, so that none of it
    passes for one of them) and ``tail`` ends the last. Each line is still to be made
    ``printable``."""
    first, *more = _LINE_BREAK.split(text)
    lines = [lead + first, *(indent + line for line in more)]
    lines[-1] += tail
    return lines


def to_json(value: Any) -> str:
    """Indented JSON, readable (non-ASCII kept) and inert on a terminal."""
    dumped = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", dumped)


def cell_text(value: str) -> str:
    """Text a spreadsheet can hold: control characters written as escapes."""
    return _CELL_RAW.sub(_escape, value)


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if not isinstance(value, str):
        return value
    value = cell_text(value)
    return f"'{value}" if value.startswith(_FORMULA_START) else value
