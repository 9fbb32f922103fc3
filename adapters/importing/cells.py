"""Reading the contents of single cells: leads, prose-vs-name, sub-action lists.

The heuristics are deliberately conservative; wherever one changes the shape of the
text (splitting two people written run together) the caller records a warning.
"""

from __future__ import annotations

import itertools
import re

from adapters.importing.html_text import split_numbered
from adapters.importing.updates import has_date_header

# Words that make up posts, ranks and organisations, never personal names.
_POST_WORDS = frozenset(
    """
    named general practitioner safeguarding designated nurse manager senior director officer
    lead leader head matron coordinator co-ordinator executive clinical service services estate
    neighbourhood strategic det supt ch chief superintendent inspector insp sergeant sgt
    constable pc dc ds di dci dr mr mrs ms miss cllr local policing quality patient safety
    justice department emergency team consultant midwife specialist advisor adviser
    commissioner commissioners commissioning partnership board chair deputy assistant
    principal project programme development operations operational adult adults children child
    social care health public mental domestic abuse violence protection county council royal
    hospital university city district trust unit group housing police community all agency
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_FUNCTION_WORDS = frozenset(
    """
    a an the and or but nor of to in on at by for with from into onto as since that which who
    whose are is was were be been being has have had will would should could can may must not
    than this these those their its our about under over between within via per including
    regarding such both either
    """.split()  # noqa: SIM905
)
_QUOTES = "'\"\u2018\u2019\u201c\u201d"
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z'\u2019-]*[a-z][A-Za-z'\u2019-]*$")


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


def _is_name(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and word.lower() not in _POST_WORDS


def _is_post(word: str) -> bool:
    return word.strip("(),.").lower() in _POST_WORDS


def _starts_with_person(words: list[str]) -> bool:
    if len(words) >= 2 and _is_name(words[0]) and _is_name(words[1]):
        return True
    return len(words) >= 2 and _is_post(words[0]) and _is_name(words[1])


def _name_boundaries(words: list[str]) -> list[int]:
    """Indexes where a second "Firstname Lastname" starts right after someone's post."""
    if not _starts_with_person(words):
        return []
    cuts = []
    for i in range(3, len(words) - 1):
        after = words[i + 2] if i + 2 < len(words) else None
        if (
            _is_post(words[i - 1])
            and _is_name(words[i])
            and _is_name(words[i + 1])
            and (after is None or _is_post(after))
        ):
            cuts.append(i)
    return cuts


def _split_on_and(text: str) -> list[str]:
    parts = re.split(r"\s+and\s+", text)
    merged = [parts[0]]
    for part in parts[1:]:
        if _starts_with_person(part.split()):
            merged.append(part)
        else:
            merged[-1] = f"{merged[-1]} and {part}"
    return merged


def _clean_lead(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t,\u2013\u2014-").rstrip(".").strip()


def split_leads(text: str) -> tuple[list[str], list[str]]:
    """Split one lead entry into people/posts; also return the run-together splits made."""
    leads: list[str] = []
    guessed: list[str] = []
    for chunk in _split_outside_brackets(text):
        for part in _split_on_and(chunk):
            words = part.split()
            cuts = _name_boundaries(words)
            bounds = [0, *cuts, len(words)]
            pieces = [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
            if cuts:
                guessed.append(part)
            leads.extend(p for p in map(_clean_lead, pieces) if p)
    return leads, guessed


def _split_outside_brackets(text: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if depth == 0 and char in ";/":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [piece for piece in pieces if piece.strip()]


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
