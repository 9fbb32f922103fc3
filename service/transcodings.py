"""How the ledger's value objects travel inside stored events (the library's transcoder)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from domain.fuzzy_date import FuzzyDate


class FuzzyDateAsDict(Transcoding):
    """A ``FuzzyDate`` as its verbatim text, interval, precision and whether inferred."""

    type = FuzzyDate
    name = "fuzzy_date"

    def encode(self, obj: FuzzyDate) -> dict[str, Any]:
        return obj.to_data()

    def decode(self, data: dict[str, Any]) -> FuzzyDate:
        return FuzzyDate.from_data(data)
