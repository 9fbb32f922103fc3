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
from collections.abc import Callable, Iterable

from domain.errors import AlreadyExists, InvalidCommand

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


# Default-ignorable code points that are not format characters (Cf): drawn as nothing.
# (DerivedCoreProperties.txt: the combining grapheme joiner, the Hangul fillers, Khmer's
# inherent vowels, the Mongolian and the other variation selectors.)
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
"""Control, format (zero-width, bidirectional), surrogate, private-use and unassigned
characters, and every separator: a name's only space is U+0020."""


def person_name(value: str, field: str, limit: int = NAME_MAX) -> str:
    """A name that stands for someone in the log (an actor, a token's holder), as NFKC
    makes it (full-width "\uff43\uff4f\uff4f\uff52\uff44" is "coord"): refused with an
    invisible, control or formatting character, or a space at either end or doubled, any of
    which would make two names that look the same differ."""
    name = unicodedata.normalize("NFKC", value)
    if len(name) > limit:
        raise InvalidCommand(f"{field} is {len(name):,} characters long; the limit is {limit:,}")
    for index, char in enumerate(name):
        if char != " " and (char in _IGNORABLE or unicodedata.category(char) in _UNSEEN):
            what = unicodedata.name(char, "an invisible or control character")
            raise InvalidCommand(
                f"{field} holds U+{ord(char):04X} ({what}) at position {index + 1}: a name "
                "may hold no invisible, control or formatting character"
            )
    if name != name.strip(" ") or "  " in name:
        raise InvalidCommand(
            f"{field} {name!r} starts or ends with a space, or has two in a row: write it "
            "with single spaces between words"
        )
    return name


Skeleton = Callable[[str], str]
"""The Unicode confusables skeleton of a text (UTS #39): two texts that look alike have the
same one. Given by the adapter that carries the Unicode data."""


def look_alike_key(name: str, skeleton: Skeleton) -> str:
    """What a name looks like, case aside: its skeleton, case-folded and skeleton again ("I"
    looks like "l" before it folds to "i"; "C" is "c" only once folded)."""
    return skeleton(skeleton(name).casefold())


def check_not_confusable(name: str, existing: Iterable[str], skeleton: Skeleton) -> None:
    """Refuse a token's ``name`` that looks like the name of an existing token: a second
    holder whose name reads the same would forge the first one's attribution."""
    key = look_alike_key(name, skeleton)
    for other in existing:
        if look_alike_key(other, skeleton) == key:
            raise AlreadyExists(
                f"the token name {name!r} is confusable with the existing token name "
                f"{other!r}: choose a name that does not look like it"
            )


_ASCII_NUMBER = re.compile(r"[0-9]+", re.ASCII)


def ascii_number(text: str, field: str) -> int | None:
    """A number a person typed: ASCII digits only (``str.isdigit`` and ``int`` also take a
    full-width "\uff12" or an Arabic-Indic "\u0663", ``isdigit`` a "\u00b2"); None for text
    that is no number at all; refused for one in other digits."""
    if _ASCII_NUMBER.fullmatch(text):
        return int(text)
    if text and all(char.isnumeric() for char in text):
        raise InvalidCommand(f"{field} {text!r}: write the number in ASCII digits (0-9)")
    return None


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
