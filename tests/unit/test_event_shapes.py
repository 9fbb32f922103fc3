"""The event shapes ``recledger --version`` names are the ones the ledger writes, and each
version above 1 can be reached from every older one by upcasting (never by migrating)."""

from __future__ import annotations

from pathlib import Path

from eventsourcing.utils import resolve_topic

from adapters.importing.document import read_document
from domain.schema import event_shapes
from service.ledger import Ledger


def test_every_event_a_seeded_ledger_stores_is_a_named_shape_at_its_version(
    ledger: Ledger, coordinator: None, seed_plan: Path
) -> None:
    ledger.import_document(read_document(seed_plan)[0])
    shapes = event_shapes()
    stored = {record.topic for record in ledger.recorder.select_notifications(0, 10_000)}
    assert stored, "the seed stored no events"
    for topic in stored:
        event, name = resolve_topic(topic), topic.split(":")[1]
        assert name in shapes, f"{name} is stored but not named by --version"
        assert shapes[name] == getattr(event, "class_version", 1)


def test_each_shape_above_version_1_has_an_upcast_for_every_step() -> None:
    for name, version in event_shapes().items():
        event = resolve_topic(f"domain.{name.split('.')[0].lower()}:{name}")
        for step in range(1, version):
            assert hasattr(event, f"upcast_v{step}_v{step + 1}"), f"{name} v{step} cannot be read"


def test_every_recommendation_event_keeps_the_topic_it_was_first_stored_under() -> None:
    """Their code moved to domain.recommendation_events: what the log names stays."""
    from eventsourcing.utils import get_topic

    from domain.recommendation import Recommendation

    named = [n for n in event_shapes() if n.startswith("Recommendation.")]
    assert len(named) >= 14  # Raised ... Corrected
    for name in named:
        event = getattr(Recommendation, name.split(".")[1])
        assert get_topic(event) == f"domain.recommendation:{name}"
        assert resolve_topic(f"domain.recommendation:{name}") is event
