"""The ledger: every use case the adapters call, composed from the use-case modules.

Commands run inside an audit context (``domain.audit.acting_as``) set by the adapter
that authenticated the caller; each use case checks the context's grant (the owner's
too), and outside a context refuses (``NoActor``). A command either appends all its
events atomically or raises a ``LedgerError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from service import access
from service.commands import Commands
from service.directory import Directory
from service.reminders import Reminders
from service.store import Earlier, Lag, Store, first_line, today
from service.tokens import Tokens

if TYPE_CHECKING:  # each loads when its use case runs: a command that reads needs none
    from projections.seals import Head
    from service import audit_trail, integrity, reports
    from service.documents import PlanDocument
    from service.importing import ImportOutcome

__all__ = ["Earlier", "Lag", "Ledger", "Store", "first_line"]


class Ledger(Commands, Directory, Tokens, Reminders):
    """Every use case, for the adapters: the commands, the directory, tokens, the queries
    with the follow-up cycle (sign-off, requests, reminders), and the integrity, import and
    report use cases that build on them."""

    name = "RecLedger"
    """The library derives the event store's table (``recledger_events`` on PostgreSQL) and
    its variables' prefix from the name of the class it runs, and names every subclass
    after itself: so it is set here, on the one that runs."""

    def verify(
        self, against: integrity.Checkpoint | None = None, *, deep: bool = False
    ) -> integrity.Verification:
        from service import integrity

        access.check_sees_whole_log("verifying the log")
        return integrity.verify(self, against, deep=deep)

    def attest(self) -> tuple[int, bytes]:
        """Sign the events recorded before writes were signed (``integrity.attest``)."""
        from service import integrity

        access.check_coordinates(None, "attest the log")
        return integrity.attest(self)

    def head(self) -> Head:
        from service import integrity

        access.check_sees_whole_log("the log's head")
        return integrity.head(self)

    def prove(self, plan_id: str, ref: str, event: str, size: int | None = None) -> integrity.Proof:
        from service import integrity

        access.check_sees_whole_log("a proof against the log's head")
        return integrity.prove(self, plan_id, ref, event, size)

    def audit(self, plan_id: str | None = None, **filters: Any) -> Iterator[audit_trail.AuditRow]:
        from service import audit_trail

        return audit_trail.audit(self, access.narrow(plan_id), **filters)

    def import_document(self, document: PlanDocument, *, dry_run: bool = False) -> ImportOutcome:
        """Record what a version of a plan's document says that the ledger does not know."""
        from service.importing import import_document

        access.check_coordinates(document.plan_id, "import a plan's document")
        return import_document(self, document, dry_run=dry_run)

    def plan_as_at(
        self, plan_id: str, as_at: date | None = None, known_at: datetime | None = None
    ) -> reports.PlanAsAt:
        """The plan as it stood on a day, as known at a moment, stamped with the log's head."""
        from service import reports

        return reports.plan_as_at(self, plan_id, as_at or today(), known_at)

    def board_report(
        self, plan_id: str, since: date, until: date | None = None
    ) -> reports.BoardReport:
        """What changed in a plan between two days, and where it stands at the second."""
        from service import reports

        return reports.board_report(self, plan_id, since, until or today())
