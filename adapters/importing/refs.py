"""Slugs and refs as the domain spells them (``overview/3``, ``imr/west-mercia-police/2``)."""

from __future__ import annotations

import re
import unicodedata

from domain.refs import Ref


def slugify(name: str) -> str:
    """Lower-case slug: "West Mercia police" -> "west-mercia-police"; "&" reads "and"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['\u2019`]", "", text.replace("&", " and ")).lower()
    return "-".join(re.findall(r"[a-z0-9]+", text))


def ref_sort_key(ref: str) -> tuple[object, ...]:
    """The domain's order of refs: overview first, then sections by slug, numbers compared as
    numbers (2 < 10 < 21.10.1); a duplicate kept as ``overview/3#2`` right after ``overview/3``."""
    return Ref.stored(ref).sort_key
