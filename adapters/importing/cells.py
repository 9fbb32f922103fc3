"""Reading the contents of single cells: prose-vs-name, sub-action lists (lead cells have
module ``leads`` of their own).

The heuristics are deliberately conservative; wherever one changes the shape of the
text the caller records a warning.
"""

from __future__ import annotations

import re

from adapters.importing.html_text import split_numbered
from adapters.importing.updates import has_date_header

_FUNCTION_WORDS = frozenset(
    """
    a an the and or but nor of to in on at by for with from into onto as since that which who
    whose are is was were be been being has have had will would should could can may must not
    than this these those their its our about under over between within via per including
    regarding such both either
    """.split()  # noqa: SIM905
)
_QUOTES = "'\"\u2018\u2019\u201c\u201d"


def continues_sentence(previous: str, following: str) -> bool:
    """Does ``following`` (start of a continuation fragment) carry on ``previous``'s sentence?"""
    previous, following = previous.rstrip(), following.lstrip()
    if not previous or not following:
        return False
    if following[0].islower():
        return True
    if previous[-1] in ".!?:;)":
        return False
    last_word = previous.split()[-1].lower()
    return last_word in _FUNCTION_WORDS or previous[-1] in ",\u2013\u2014-"


def lower_case_share(text: str) -> float:
    words = [w.strip(f"()[]{_QUOTES},.;:") for w in text.split()]
    words = [w for w in words if w[:1].isalpha()]
    if not words:
        return 0.0
    return sum(w[0].islower() for w in words) / len(words)


def looks_like_prose(text: str, *, dates: bool = True) -> bool:
    """Running text (an action, a narrative) rather than a name, post or agency.

    With ``dates``, a dated update header ("Action completed 1st April 2013") counts too;
    target cells turn that off, since a bare "Autumn 2013" is exactly what they should hold.
    """
    if dates and has_date_header(text):
        return True
    words = [word for word in text.split() if word.strip(f"()[]{_QUOTES}")[:1].isalpha()]
    return len(words) >= 6 and lower_case_share(text) >= 0.5


def sub_action_items(lines: list[str]) -> list[tuple[int, str]]:
    """Numbered ("1. ...") or bulleted action lines as (number, text); unnumbered by position."""
    items: list[tuple[int, str]] = []
    for line in lines:
        for piece in split_numbered(line) if re.match(r"1[.)]\s", line) else [line]:
            match = re.match(r"^(\d{1,2})[.)]\s+(.*)$", piece, re.DOTALL)
            if match:
                items.append((int(match.group(1)), match.group(2).strip()))
            else:
                items.append((len(items) + 1, piece.strip()))
    return items
