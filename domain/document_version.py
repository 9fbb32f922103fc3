"""A version of a plan's document: the label it was issued under, its date, the file and
its digest. A value of its own so that reading a plan's versions needs no aggregate."""

from __future__ import annotations

from dataclasses import dataclass

from domain.fuzzy_date import FuzzyDate


@dataclass(frozen=True)
class DocumentVersion:
    label: str
    date: FuzzyDate | None
    file_name: str | None
    digest: str | None = None
