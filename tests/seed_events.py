"""How many events importing the seed plan records, for the tests that count positions in
the log after it: derived from an import, not written down, since it changes whenever the
importer reads more of the document (a status a sub-action takes from its recommendation,
an update no longer split in three)."""

from __future__ import annotations

from functools import cache

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from tests.conftest import SEED_PLAN


@cache
def seed_events() -> int:
    """The events of one import of the seed into an empty ledger (one signed write)."""
    from adapters.importing.document import read_document

    ledger = bootstrap(Settings(db="memory:", actor="setup"))
    try:
        with acting_as_owner("coord", "test"):
            document, _, _ = read_document(SEED_PLAN)
            ledger.import_document(document)
            return ledger.head().size
    finally:
        ledger.close()
