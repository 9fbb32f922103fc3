"""Identifiers: plan ids, recommendation refs, and the aggregate and event ids derived from them.

A recommendation is identified by plan + section + number, never by number alone:
``overview/3`` in the Overview Report, ``imr/west-mercia-police/2`` in an agency's
Individual Management Report. Aggregate ids are derived deterministically from
these, so raising the same ref twice in a plan is caught by the event store itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID, uuid5

from domain import values
from domain.errors import InvalidCommand

NAMESPACE = UUID("5d0c6f4e-2b1a-4c55-9f0e-7e4b3d9a1c20")
"""Fixed namespace of every recledger id; changing it would orphan every stored plan."""


@dataclass(frozen=True)
class Ref:
    """``overview/<n>`` or ``imr/<agency-slug>/<n>``; n may be dotted (``21.10.1``)."""

    section: str
    number: str

    @classmethod
    def parse(cls, text: str) -> Ref:
        """A ref as a command names it: checked, and canonical (``overview/01`` is
        ``overview/1``), so a look-alike cannot become a second recommendation."""
        if len(text) > values.REF_MAX:
            raise InvalidCommand(
                f"ref {text[:40]!r}... is {len(text):,} characters long; "
                f"the limit is {values.REF_MAX}"
            )
        section, _, number = text.rpartition("/")
        slug = section.removeprefix("imr/")
        if section != "overview" and not (
            section != slug and len(slug) <= values.SLUG_MAX and values.SLUG.fullmatch(slug)
        ):
            raise InvalidCommand(
                f"ref {text!r} must look like 'overview/3' or 'imr/west-mercia-police/2' "
                f"(an agency slug of at most {values.SLUG_MAX} characters)"
            )
        return cls(section=section, number=values.number(number))

    @classmethod
    def stored(cls, text: str) -> Ref:
        """A ref read back from the log, unchecked: what was stored must always read."""
        section, _, number = text.rpartition("/")
        return cls(section=section, number=number)

    @property
    def agency_slug(self) -> str | None:
        return self.section.removeprefix("imr/") if self.section != "overview" else None

    @property
    def sort_key(self) -> tuple[bool, str, tuple[tuple[int, str], ...], tuple[int, str]]:
        """Overview first, then agencies by name; numbers compared as numbers (2 < 10 <
        21.10.1), by length then digits, so that no stored number is too long to compare;
        a repeat (``3#2``) right after the first."""
        written, _, duplicate = self.number.partition("#")
        parts = tuple(_as_number(part) for part in written.split("."))
        return (self.section != "overview", self.section, parts, _as_number(duplicate or "1"))

    def __str__(self) -> str:
        return f"{self.section}/{self.number}"


class Placed:
    """Something with a ref (an item of a plan): its section and number, read from it."""

    ref: str

    @property
    def section(self) -> str:
        return Ref.stored(self.ref).section

    @property
    def number(self) -> str:
        return Ref.stored(self.ref).number


def _as_number(part: str) -> tuple[int, str]:
    """``10`` after ``9``, ``3a`` after ``3`` and before ``3b`` and ``4``."""
    digits = part.lstrip("0")
    letter = digits[-1] if digits[-1:].isalpha() else ""
    return len(digits) - len(letter), digits


def plan_aggregate_id(plan_id: str) -> UUID:
    return uuid5(NAMESPACE, f"plan:{plan_id}")


def recommendation_aggregate_id(plan_id: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"recommendation:{plan_id}:{ref}")


def command_key_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"command-key:{key}")


@lru_cache(maxsize=1 << 16)
def token_aggregate_id(name: str) -> UUID:
    return uuid5(NAMESPACE, f"access-token:{name}")


def event_id(originator_id: UUID, version: int) -> str:
    """The id by which an inspector or a correction names one stored event."""
    return str(uuid5(originator_id, str(version)))


def slugify(name: str) -> str:
    """Lower-case slug: "West Mercia police" -> "west-mercia-police"; "&" reads "and"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['\u2019`]", "", text.replace("&", " and ")).lower()
    return "-".join(re.findall(r"[a-z0-9]+", text))


def agency_aggregate_id(slug: str) -> UUID:
    return uuid5(NAMESPACE, f"agency:{slug}")


def person_aggregate_id(email: str) -> UUID:
    return uuid5(NAMESPACE, f"person:{email}")
