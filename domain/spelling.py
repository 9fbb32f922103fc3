"""When two spellings of a name are one name: the directory's rule for agencies and people
alike, and the check of a new alias."""

from __future__ import annotations

import re
import unicodedata

from domain import values
from domain.errors import AlreadyExists, InvalidCommand


def spelling_key(name: str) -> str:
    """What two spellings of one agency share: the same letters, digits and words, whatever
    their case, spacing, punctuation or compatibility forms ("NHS  Trust." is "nhs trust")."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return " ".join(re.findall(r"\w+", text))


def new_spelling(alias: str, known: list[str], whose: str) -> str:
    """``alias`` as a new spelling of a name already spelt ``known``: one line, with letters
    or digits, and not one of those spellings again."""
    alias = values.line(alias, "the alias")
    key = spelling_key(alias)
    if not key:
        raise InvalidCommand("an alias needs letters or digits")
    if key in {spelling_key(spelling) for spelling in known}:
        raise AlreadyExists(f"{whose} is already known as {alias!r}")
    return alias
