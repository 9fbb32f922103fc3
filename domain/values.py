"""The one validation of every identifier and free-text value the ledger stores.

Every value enters through these checks, at the edge of the domain, so nothing stored can
break a read model (a column too narrow, a NUL that PostgreSQL refuses, a number too long
to read) or forge the output an inspector reads (a newline or an escape sequence in an
actor's name). The limits are stated once, here; the read models' columns are sized from
them. A violation is an ``InvalidCommand`` naming the field: the command writes nothing.
"""

from __future__ import annotations

import re
import unicodedata

from domain.errors import InvalidCommand

PLAN_ID_MAX = 64
SLUG_MAX = 80
"""An agency's slug in a ref (``imr/<slug>/3``)."""
NUMBER_PART_MAX = 6
"""Digits in one part of a recommendation's number (``21.10.1`` has three parts)."""
NUMBER_PARTS_MAX = 6
DUPLICATE_MAX = 999
REF_MAX = 4 + SLUG_MAX + 1 + NUMBER_PARTS_MAX * (NUMBER_PART_MAX + 2) + 4
"""``imr/<slug>/<number>#<n>``: the longest ref the grammar allows."""
NAME_MAX = 200
"""An actor, an agency, a lead, a version label, a plan's partnership."""
SOURCE_MAX = 500
"""The channel or document version an event came from: "<file name> (<version label>)"."""
TITLE_MAX = 500
FILE_NAME_MAX = 255
DATE_TEXT_MAX = 2_000
"""A date as written ("by the end of Autumn 2014 and ongoing"); plans put narrative in their
target cells too, which is kept verbatim."""
LONG_TEXT_MAX = 50_000
"""A recommendation's text, an update, a reason, evidence."""
COUNT_MAX = 10**9
"""The largest offset or number of rows a query takes (``--offset``, ``?limit=``): past any
ledger's size, and far within the 64-bit integers of every database and of Python's
slices, so no count a caller sends can overflow one."""

# Line and paragraph separators and the bidirectional overrides and isolates: invisible
# characters that move or hide what a reader sees on the screen.
_INVISIBLE = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LONG_TEXT_ALLOWED = frozenset("\n\t")


def _refused_character(value: str, allowed: frozenset[str]) -> tuple[int, str] | None:
    """The first character a stored value may not hold (with its index), if any."""
    for index, char in enumerate(value):
        if char in allowed:
            continue
        if char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs"):
            return index, char
    return None


def _check(value: str, field: str, limit: int, allowed: frozenset[str]) -> str:
    if len(value) > limit:
        raise InvalidCommand(f"{field} is {len(value):,} characters long; the limit is {limit:,}")
    if found := _refused_character(value, allowed):
        index, char = found
        raise InvalidCommand(
            f"{field} holds a control character (U+{ord(char):04X}) at position {index + 1}; "
            + ("only newline and tab are allowed" if allowed else "it must be one line of text")
        )
    return value


def line(value: str, field: str, limit: int = NAME_MAX) -> str:
    """One line of text (a name, a label), trimmed: no control characters at all."""
    return _check(value.strip(), field, limit, frozenset())


def long_text(value: str, field: str, limit: int = LONG_TEXT_MAX) -> str:
    """Free text, trimmed, with Windows line ends made plain: newline and tab allowed."""
    text = value.replace("\r\n", "\n").strip()
    return _check(text, field, limit, _LONG_TEXT_ALLOWED)


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
"""A plan id, an agency's part of a ref."""
_PART = rf"[0-9]{{1,{NUMBER_PART_MAX}}}[a-z]?"
NUMBER = re.compile(rf"{_PART}(?:\.{_PART})*", re.ASCII)
"""``3``, ``21.10.1``; a part may end in one letter (``1a``, ``21.3b``), as plans number
the parts of a recommendation."""
ACTION_NUMBER = re.compile(_PART, re.ASCII)
"""A sub-action's number under its recommendation: one part (``2``, ``2a``)."""
DUPLICATE = re.compile(r"[0-9]{1,3}", re.ASCII)
"""ASCII digits only: ``overview/`` and an Arabic-Indic one (U+0661) is not ``overview/1``."""


def count(value: int, field: str) -> int:
    """An offset or a number of rows: 0 to ``COUNT_MAX``."""
    if not 0 <= value <= COUNT_MAX:
        raise InvalidCommand(f"{field} is {value}; it must be 0 to {COUNT_MAX:,}")
    return value


def plan_id(value: str) -> str:
    if len(value) > PLAN_ID_MAX or not SLUG.fullmatch(value):
        raise InvalidCommand(
            f"plan id {value[: PLAN_ID_MAX + 1]!r} must be a lower-case slug of at most "
            f"{PLAN_ID_MAX} characters, such as 'dhr2' or 'sar-2021-3'"
        )
    return value


def number(value: str) -> str:
    """A recommendation's number, canonical: ``01`` is ``1``, ``21.01`` is ``21.1``.

    ``3#2`` is the second recommendation a document numbers 3 (in document order): the
    stable name the importer gives a repeated number, so that both are kept."""
    written, hash_, duplicate = value.partition("#")
    written = written.lower() if written.isascii() else written
    parts = written.split(".")
    if not NUMBER.fullmatch(written) or len(parts) > NUMBER_PARTS_MAX:
        raise InvalidCommand(
            f"number {value[:40]!r} must be ASCII digits, dotted at most "
            f"{NUMBER_PARTS_MAX - 1} times (such as 3, 21.10.1 or 1a), each part at most "
            f"{NUMBER_PART_MAX} digits and one letter"
        )
    canonical = ".".join(_canonical_part(part) for part in parts)
    if not hash_:
        return canonical
    if not (DUPLICATE.fullmatch(duplicate) and 2 <= int(duplicate) <= DUPLICATE_MAX):
        raise InvalidCommand(
            f"number {value[:40]!r}: after '#' comes which repeat of the number it is, "
            f"2 to {DUPLICATE_MAX} (such as 3#2)"
        )
    return f"{canonical}#{int(duplicate)}"


def _canonical_part(part: str) -> str:
    """``01`` -> ``1``, ``03b`` -> ``3b``."""
    letter = part[-1] if part[-1].isalpha() else ""
    return str(int(part.removesuffix(letter))) + letter
