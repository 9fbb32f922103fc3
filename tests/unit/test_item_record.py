"""The item record (projections/item.py) and the domain's fold it is made from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from domain.state import Correction as FoldedCorrection
from projections.item import Correction as RecordedCorrection

MOMENT = datetime(2026, 12, 7, 20, 54, tzinfo=UTC)


def test_a_recorded_correction_equals_the_folded_one_it_was_made_from_either_way_round() -> None:
    """A record's correction is a subclass (its moment written as Python writes it): it
    must not differ from the fold's by its class, as a dataclass's own ``==`` would make it
    (the projection state machine found an item whose completion was corrected)."""
    folded = FoldedCorrection("e1", "coordinator", MOMENT, "mistake")
    recorded = RecordedCorrection(**vars(folded))
    assert recorded == folded and folded == recorded
    assert {"completed": folded} == {"completed": recorded}
    assert hash(recorded) == hash(folded)
    assert replace(recorded, reason="another") != folded
    assert folded != replace(recorded, actor="someone else")
