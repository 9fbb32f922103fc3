"""Slugs and refs as the domain spells them (``overview/3``, ``imr/west-mercia-police/2``)."""

from __future__ import annotations

from domain.refs import Ref, slugify

__all__ = ["ref_sort_key", "slugify"]


def ref_sort_key(ref: str) -> tuple[object, ...]:
    """The domain's order of refs: overview first, then sections by slug, numbers compared as
    numbers (2 < 10 < 21.10.1); a duplicate kept as ``overview/3#2`` right after ``overview/3``."""
    return Ref.stored(ref).sort_key
