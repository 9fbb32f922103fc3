"""The ledger application: every use case is a method; every command is one transaction.

Commands run inside an audit context (``domain.audit.acting_as``) set by the adapter
that authenticated the caller; each use case checks the context's grant (the owner's
too), and outside a context refuses (``NoActor``). A command either appends all its
events atomically or raises a ``LedgerError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, PersistenceError
from eventsourcing.utils import get_topic

from domain import values
from domain.access import Grant, Role
from domain.access_token import AccessToken, holder
from domain.audit import current_grant
from domain.command_key import CommandKey
from domain.errors import (
    AlreadyExists,
    EventNotFound,
    InvalidCommand,
    InvalidDate,
    LedgerError,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    PlanNotFound,
    ReadModelsBehind,
    RecommendationNotFound,
    StaleVersion,
    StorageUnavailable,
    VersionConflict,
)
from domain.fuzzy_date import FuzzyDate
from domain.integrity import Signer, WriteSignature
from domain.kinds import ReviewKind, Status
from domain.plan import Plan
from domain.recommendation import Recommendation, sub_action_ref
from domain.refs import (
    Ref,
    command_key_id,
    plan_aggregate_id,
    recommendation_aggregate_id,
    slugify,
    token_aggregate_id,
)
from projections import queries
from projections.changes import Bound, changes_in
from projections.history import HistoryEntry, history
from projections.plans import PlanView, plan_view, plans_in_order
from projections.projection import identity
from projections.runner import Runner
from projections.transactions import read_snapshot
from projections.views import ChangeView, Page, RecommendationView
from service import integrity, reports
from service.importing import ImportOutcome, PlanDocument, import_document
from service.transcodings import FuzzyDateAsDict

T = TypeVar("T")
Q = TypeVar("Q")


class Ledger(Application[UUID]):
    name = "RecLedger"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        read_model: Runner | None = None,
        check_clock: Callable[[], None] | None = None,
        skeleton: values.Skeleton | None = None,
    ):
        super().__init__(env)
        self.skeleton = skeleton
        """What a token's name looks like (UTS #39), to refuse one confusable with another."""
        self.read_model = read_model
        self.signer: Signer | None = None
        """The ledger's key: the one every write is signed with, as ``verify`` checks."""
        self.scratch_engine: Callable[[], AbstractContextManager[Any]] = _no_scratch
        """A database engine for a while, emptied after: where ``verify`` rebuilds the read
        models from the log, to compare them with those kept."""
        self.check_clock = check_clock
        """Refuses a write when this machine's clock cannot be trusted for recorded times."""
        self.read_models_behind: str | None = None
        """Why the read models could not follow the last write (which is stored), if so."""
        self.projects_inline = True
        """Whether commands and queries catch the read models up themselves; if not, a
        projection worker (``recledger project``) does, and reads answer from the read
        models as they are (``lag`` says how far behind the log)."""
        self._pending_key: str | None = None
        """The idempotency key the next save records, under ``once``."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(FuzzyDateAsDict())

    def close(self) -> None:
        super().close()
        if self.read_model is not None:
            self.read_model.engine.dispose()

    # Commands

    def open_plan(
        self,
        plan_id: str,
        title: str,
        *,
        partnership: str = "",
        kind: ReviewKind = ReviewKind.DHR,
    ) -> Plan:
        _grant_coordinates(plan_id, "open a plan")
        if self._exists(plan_aggregate_id(values.plan_id(plan_id))):
            raise AlreadyExists(f"plan {plan_id!r} is already open")
        plan = Plan.open(plan_id, title, partnership=partnership, kind=kind)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was opened concurrently")
        return plan

    def record_document_version(
        self,
        plan_id: str,
        label: str,
        date: FuzzyDate | None = None,
        file_name: str | None = None,
    ) -> None:
        _grant_coordinates(plan_id, "record a version of a plan's document")
        plan = self.plan(plan_id)
        plan.record_document_version(label, date, file_name)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was changed concurrently; try again")

    def raise_recommendation(
        self,
        plan_id: str,
        ref: str,
        text: str,
        *,
        agency: str = "",
        leads: Iterable[str] = (),
        target: FuzzyDate | None = None,
        effective: FuzzyDate | None = None,
    ) -> Recommendation:
        _grant_coordinates(plan_id, "raise a recommendation")
        self.plan(plan_id)
        canonical_ref = str(Ref.parse(ref))
        if self._exists(recommendation_aggregate_id(plan_id, canonical_ref)):
            raise AlreadyExists(f"plan {plan_id!r} already has a recommendation {canonical_ref}")
        parent, dot, action = canonical_ref.rpartition(".")
        if (
            dot
            and self._exists(recommendation_aggregate_id(plan_id, parent))
            and any(
                s.action == action for s in self.recommendation(plan_id, parent).state.sub_actions
            )
        ):
            raise AlreadyExists(f"plan {plan_id!r} already has a sub-action {canonical_ref}")
        recommendation = Recommendation.raise_recommendation(
            plan_id=plan_id,
            ref=canonical_ref,
            text=text,
            agency=agency,
            leads=leads,
            target=target,
            effective=effective,
        )
        self.save_atomically(recommendation, conflict=f"{canonical_ref} was raised concurrently")
        return recommendation

    def add_sub_action(
        self,
        plan_id: str,
        ref: str,
        text: str,
        *,
        leads: Iterable[str] = (),
        target: FuzzyDate | None = None,
        effective: FuzzyDate | None = None,
        number: str | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Add a numbered sub-action (an item of its own, ``<ref>.<number>``)."""

        def add(rec: Recommendation, action: str | None) -> None:
            if action is not None:
                raise InvalidCommand(f"{ref} is a sub-action; sub-actions do not nest")
            added = sub_action_ref(
                rec.state.ref, rec.add_sub_action(text, leads, target, effective, number)
            )
            if self._exists(recommendation_aggregate_id(plan_id, added)):
                raise AlreadyExists(f"plan {plan_id!r} already has a recommendation {added}")

        return self._change(plan_id, ref, add, expected_version)

    def reassign(
        self,
        plan_id: str,
        ref: str,
        *,
        reason: str,
        leads: Iterable[str] | None = None,
        agency: str | None = None,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Reassign leads, agency or both, in one transaction."""
        if leads is None and agency is None:
            raise InvalidCommand("say who takes over: new leads, a new agency, or both")

        def reassign(rec: Recommendation, action: str | None) -> None:
            if leads is not None:
                rec.reassign_leads(leads, reason, effective, action=action)
            if agency is not None:
                rec.reassign_agency(agency, reason, effective, action=action)

        return self._change(plan_id, ref, reassign, expected_version)

    def revise_target(
        self,
        plan_id: str,
        ref: str,
        target: FuzzyDate,
        *,
        reason: str,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.revise_target(target, reason, effective, action=a),
            expected_version,
        )

    def record_progress(
        self,
        plan_id: str,
        ref: str,
        text: str,
        effective: FuzzyDate,
        *,
        expected_version: int | None = None,
    ) -> list[str]:
        _already_happened(effective, "a progress update")
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.record_progress(text, effective, action=a),
            expected_version,
        )

    def change_status(
        self,
        plan_id: str,
        ref: str,
        status: Status,
        *,
        reason: str | None = None,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.change_status(status, reason, effective, action=a),
            expected_version,
        )

    def complete(
        self,
        plan_id: str,
        ref: str,
        effective: FuzzyDate,
        *,
        evidence: str | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        _already_happened(effective, "a completion")
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.complete(effective, evidence, action=a),
            expected_version,
        )

    def reopen(
        self,
        plan_id: str,
        ref: str,
        *,
        reason: str,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id, ref, lambda rec, a: rec.reopen(reason, effective, action=a), expected_version
        )

    def withdraw(
        self,
        plan_id: str,
        ref: str,
        *,
        reason: str,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.withdraw(reason, effective, action=a),
            expected_version,
        )

    def correct(
        self,
        plan_id: str,
        ref: str,
        event: str,
        *,
        reason: str,
        retract: bool = False,
        amendment: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Retract or amend one event, named by its id or its sequence number in the history."""
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.correct(
                self._resolve_event_id(rec, event),
                reason,
                retract=retract,
                amendment=amendment,
                action=a,
            ),
            expected_version,
        )

    # The log's integrity (service.integrity)

    def verify(
        self, against: integrity.Checkpoint | None = None, *, deep: bool = False
    ) -> integrity.Verification:
        _check_sees_whole_log("verifying the log")
        return integrity.verify(self, against, deep=deep)

    def attest(self) -> tuple[int, bytes]:
        """Sign the events recorded before writes were signed (``integrity.attest``)."""
        _grant_coordinates(None, "attest the log")
        return integrity.attest(self)

    def head(self) -> integrity.Head:
        _check_sees_whole_log("the log's head")
        return integrity.head(self)

    def prove(self, plan_id: str, ref: str, event: str, size: int | None = None) -> integrity.Proof:
        _check_sees_whole_log("a proof against the log's head")
        return integrity.prove(self, plan_id, ref, event, size)

    @staticmethod
    def check_sees_whole_log(what: str) -> None:
        """Refuse a token limited to plans what is a figure of every plan's events."""
        _check_sees_whole_log(what)

    @staticmethod
    def sees_whole_log() -> bool:
        """Whether the one acting may see figures of the whole log (its size, its head, how
        far the read models are behind it): not a token limited to plans."""
        return current_grant().sees_whole_log()

    def audit(self, plan_id: str | None = None, **filters: Any) -> Iterator[integrity.AuditRow]:
        return integrity.audit(self, _narrow(plan_id), **filters)

    def import_document(self, document: PlanDocument, *, dry_run: bool = False) -> ImportOutcome:
        """Record what a version of a plan's document says that the ledger does not know."""
        _grant_coordinates(document.plan_id, "import a plan's document")
        return import_document(self, document, dry_run=dry_run)

    # Access: tokens

    def issue_token(
        self,
        name: str,
        role: Role,
        *,
        agencies: Iterable[str] = (),
        plans: Iterable[str] = (),
    ) -> str:
        """Issue a token to ``name``; return it (the ledger keeps only its hash)."""
        plans = list(plans)
        current_grant().check_issues(frozenset(plans))
        token, secret = AccessToken.issue(name, role, list(agencies), plans)
        if self._exists(token.id):
            raise AlreadyExists(
                f"a token was issued to {token.name!r} before: a name is an identity in the "
                "log, choose another"
            )
        if self.skeleton is None:
            raise LedgerError("this ledger cannot tell look-alike names apart: open it with one")
        values.check_not_confusable(token.name, self._token_names(), self.skeleton)
        self.save_atomically(token, conflict=f"a token for {token.name!r} was issued concurrently")
        return secret

    def revoke_token(self, name: str, *, reason: str | None = None) -> None:
        _grant_coordinates(None, "revoke tokens")
        token = self._token(name)
        current_grant().check_issues(frozenset(token.plans))  # one it could have issued
        token.revoke(reason)
        self.save_atomically(token, conflict=f"the token of {name!r} changed concurrently")

    def authenticate(self, token: str) -> Grant:
        """The grant a bearer token carries; ``NotAuthenticated`` for any other string."""
        name, secret = holder(token)
        try:
            found = self._token(name)
        except NotFound:
            raise NotAuthenticated("the token is not valid") from None
        return found.grant_for(secret)

    def grant_of(self, name: str) -> Grant:
        """The grant of the token issued to ``name``, while it is not revoked: for a
        session that checked the token's secret when it began (``NotAuthenticated`` once
        it is revoked, or for a name never issued)."""
        try:
            found = self._token(name)
        except NotFound:
            raise NotAuthenticated("the token is not valid") from None
        return found.grant()

    def _token_names(self) -> Iterator[str]:
        """The name of every token ever issued, from the log (tokens are few, and issued
        rarely; old ones, issued before names were normalised, included)."""
        topic, start, page = get_topic(AccessToken.Issued), 1, 1000
        while True:
            found = self.read(
                lambda after=start: self.recorder.select_notifications(after, page, topics=[topic])
            )
            for issued in found:
                event: AccessToken.Issued = self.mapper.to_domain_event(issued)  # type: ignore[assignment]
                yield event.name
            if len(found) < page:
                return
            start = found[-1].id + 1

    def _token(self, name: str) -> AccessToken:
        try:
            return self._get(token_aggregate_id(name))
        except AggregateNotFoundError:
            raise NotFound(f"no token was issued to {name!r}") from None

    # Queries

    def plan(self, plan_id: str) -> Plan:
        _check_sees(plan_id)
        try:
            return self._get(plan_aggregate_id(values.plan_id(plan_id)))
        except AggregateNotFoundError:
            raise PlanNotFound(f"no plan {plan_id!r}; open it first") from None

    def plan_view(self, plan_id: str) -> PlanView:
        """One plan as the plans projection holds it (title, kind, document versions)."""
        _check_sees(plan_id)
        with self._read_model().engine.connect() as conn:
            found = plan_view(conn, plan_id)
        if found is None:
            raise PlanNotFound(f"no plan {plan_id!r}; open it first")
        return found

    def plans(self) -> list[PlanView]:
        """Every plan, in the order they were opened (from the plans projection)."""
        with self._read_model().engine.connect() as conn:
            found = plans_in_order(conn)
        return [plan for plan in found if _sees(plan.plan_id)]

    def recommendation(self, plan_id: str, ref: str) -> Recommendation:
        canonical_ref = str(Ref.parse(ref))
        _check_sees(plan_id)
        try:
            return self._get(recommendation_aggregate_id(values.plan_id(plan_id), canonical_ref))
        except AggregateNotFoundError:
            self.plan(plan_id)  # say which is missing: the plan, or the recommendation
            raise RecommendationNotFound(
                f"plan {plan_id!r} has no recommendation {canonical_ref}"
            ) from None

    def item(self, plan_id: str, ref: str) -> tuple[Recommendation, str | None]:
        """The recommendation a ref names, and which of its sub-actions (None: itself).

        ``overview/3.2`` is the recommendation numbered 3.2 if there is one, else the
        sub-action 2 of ``overview/3``: one grammar for both, never both at once."""
        try:
            return self.recommendation(plan_id, ref), None
        except RecommendationNotFound as missing:
            parent, dot, action = ref.rpartition(".")
            if not dot or "/" in action:
                raise
            try:
                rec = self.recommendation(plan_id, parent)
            except (RecommendationNotFound, InvalidCommand):
                raise missing from None
            if not any(sub.action == action for sub in rec.state.sub_actions):
                raise RecommendationNotFound(
                    f"plan {plan_id!r} has no recommendation {ref}, and {rec.state.ref} has "
                    f"no sub-action {action}"
                ) from None
            return rec, action

    def may_change(self, plan_id: str, ref: str) -> bool:
        """Whether the one acting may record changes to this item (to offer the forms)."""
        rec, action = self.item(plan_id, ref)
        try:
            _check_writes(plan_id, rec, action)
        except NotPermitted:
            return False
        return True

    def may_coordinate(self, plan_id: str) -> bool:
        try:
            _grant_coordinates(plan_id, "coordinate")
        except NotPermitted:
            return False
        return True

    def trend(self, plan_id: str, days: Iterable[date]) -> list[tuple[date, dict[str, int]]]:
        """Open, overdue and completed items of a plan as at each day (as known now)."""
        found = []
        for day in days:
            rows = self.workload("agency", plan_id, as_at=day)
            found.append(
                (day, {m: sum(r[m] for r in rows) for m in ("open", "overdue", "completed")})
            )
        return found

    def history(self, plan_id: str, ref: str) -> list[HistoryEntry]:
        """Every event of a recommendation (its sub-actions' too), or of one sub-action."""
        rec, action = self.item(plan_id, ref)
        entries = history(rec.log)
        if action is None:
            return entries
        wanted = rec.state.item(action).ref
        return [entry for entry in entries if entry.ref == wanted]

    # Read side: each query first catches up with the log, so it never answers stale.

    def status(
        self,
        plan_id: str | None = None,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> list[RecommendationView]:
        """Every recommendation (of one plan, or all) as at a day, as known at a moment."""
        found = self._query(
            plan_id, lambda conn, day: queries.snapshot(conn, plan_id, day, known_at), as_at
        )
        return found if plan_id is not None else [v for v in found if _sees(v.plan)]

    def detail(
        self,
        plan_id: str,
        ref: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> RecommendationView:
        """One recommendation or sub-action as at a day, as known at a moment: everything
        about it."""
        rec, action = self.item(plan_id, ref)
        wanted = rec.state.item(action).ref
        for view in self.status(plan_id, as_at=as_at, known_at=known_at):
            for item in view.items():
                if item.ref == wanted:
                    return item
        when = f" as at {as_at.isoformat()}" if as_at else ""
        raise RecommendationNotFound(f"plan {plan_id!r} has no recommendation {wanted}{when}")

    def overdue(
        self,
        plan_id: str | None = None,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page:
        """The overdue items as at a day, most overdue first: ``limit`` summary rows from
        ``offset``, and how many there are in all."""
        values.count(offset, "offset")
        if limit is not None:
            values.count(limit, "limit")
        plan_id = _narrow(plan_id)
        return self._query(
            plan_id,
            lambda conn, day: queries.overdue_page(conn, plan_id, day, known_at, limit, offset),
            as_at,
            found=lambda page: bool(page.total),
        )

    def changes(
        self,
        plan_id: str,
        since: Bound,
        until: Bound | None = None,
        *,
        recorded: bool = False,
        corrected: bool = False,
    ) -> list[ChangeView]:
        """What changed from ``since`` to ``until`` (both included; default today), on the
        effective axis (days) or the recorded one (days or moments): every event as stored,
        or, ``corrected``, as its corrections leave it (retracted ones and the corrections
        themselves left out).

        Read from the plan's own events (a plan holds a few hundred): always exact."""
        aggregates = self.plan_events(plan_id)
        return changes_in(
            plan_id, aggregates, since, until or _today(), recorded=recorded, corrected=corrected
        )

    def plan_events(self, plan_id: str) -> list[tuple[str | None, list[Any]]]:
        """Every event of a plan: its own (ref None), then each recommendation's."""
        plan = self.plan(plan_id)
        self.project()  # every one of them, even where a worker keeps the read models
        with self._runner().engine.connect() as conn:
            rec_ids = queries.recommendation_ids(conn, plan_id)
        aggregates: list[tuple[str | None, list[Any]]] = [
            (None, self.events_of(plan.id, plan.version))
        ]
        for rec_id in rec_ids:
            events = self.read(lambda r=rec_id: list(self.events.get(UUID(r))))
            aggregates.append((events[0].ref, events))
        return aggregates

    def plan_as_at(
        self, plan_id: str, as_at: date | None = None, known_at: datetime | None = None
    ) -> reports.PlanAsAt:
        """The plan as it stood on a day, as known at a moment, stamped with the log's head."""
        return reports.plan_as_at(self, plan_id, as_at or _today(), known_at)

    def board_report(
        self, plan_id: str, since: date, until: date | None = None
    ) -> reports.BoardReport:
        """What changed in a plan between two days, and where it stands at the second."""
        return reports.board_report(self, plan_id, since, until or _today())

    def workload(
        self,
        by: Literal["lead", "agency"],
        plan_id: str | None = None,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Open, overdue and completed counts per lead or per agency (of one plan, or all),
        over every item: as known now, counted from the items' index."""
        plan_id = _narrow(plan_id)
        if known_at is not None:
            return queries.workload(self.status(plan_id, as_at=as_at, known_at=known_at), by)
        return self._query(
            plan_id, lambda conn, day: queries.workload_now(conn, by, plan_id, day), as_at
        )

    def _query(
        self,
        plan_id: str | None,
        query: Callable[[Any, date], Q],
        as_at: date | None,
        *,
        found: Callable[[Q], bool] = bool,
    ) -> Q:
        """Run ``query`` on the read models caught up with the log, in one snapshot, as at
        ``as_at`` (default today)."""
        if plan_id is not None:
            _check_sees(plan_id)
        model = self._runner()
        day = as_at or _today()
        # one connection for the check and the query
        with model.engine.connect() as conn, read_snapshot(conn) as snapshot:
            behind = model.is_behind(snapshot, self) and self.projects_inline
            if not behind:  # the usual case: the snapshot the check saw is current
                answer = query(snapshot, day)
        if behind:  # caught up on a connection of its own: the ledger holds one at a time
            self.project(behind=True)
            with model.engine.connect() as conn, read_snapshot(conn) as snapshot:
                answer = query(snapshot, day)
        if not found(answer) and plan_id is not None:
            self.plan(plan_id)  # nothing found: say so if the plan itself does not exist
        return answer

    def position(self) -> int:
        """How many events the log holds (its last notification id): every answer the
        ledger gives is a function of the log up to here, and of the question."""
        found: int | None = self.read(lambda: self.recorder.max_notification_id())
        return found or 0

    def lag(self) -> Lag:
        """How far the read models are behind the log. Inline, reads catch them up first,
        so it is measured only for a ledger whose read models a worker keeps."""
        if self.projects_inline or self.read_model is None:
            return Lag(0, 0)
        read_models = self.read_model.read_position()
        return Lag(self.position(), read_models)

    def visible_lag(self) -> Lag | None:
        """``lag`` for the one acting: None for a token limited to plans, as the log's
        position counts every plan's events."""
        return self.lag() if self.sees_whole_log() else None

    def read_models_engine(self) -> Any:
        """The database engine of the read models and the seals."""
        return self._runner().engine

    def _runner(self) -> Runner:
        if self.read_model is None:
            raise StorageUnavailable("this ledger was opened without read models")
        return self.read_model

    def _read_model(self) -> Runner:
        """The read models, caught up with the log (unless a worker keeps them)."""
        if self.projects_inline:
            self.project()
        return self._runner()

    # Plumbing: load, change, save, translating the library's errors into ours.

    def _change(
        self,
        plan_id: str,
        ref: str,
        command: Callable[[Recommendation, str | None], None],
        expected_version: int | None = None,
    ) -> list[str]:
        """Load, run one command on the item the ref names (the recommendation, or which
        sub-action of it), save atomically; return the ids of the events recorded.

        ``expected_version``: the recommendation's version the caller saw (its sub-actions
        are in it); if it has moved on, ``VersionConflict`` with the current one."""
        rec, action = self.item(plan_id, ref)
        _check_writes(plan_id, rec, action)
        if expected_version is not None and expected_version != rec.version:
            raise VersionConflict(
                f"{rec.state.ref} is at version {rec.version}, not {expected_version}: "
                "someone changed it since you read it; nothing was written, read it again",
                rec.version,
            )
        before = len(rec.log)
        command(rec, action)
        try:
            self.save_atomically(rec)
        except StaleVersion:  # a race lost (under ``once``, perhaps to the same key)
            current = self._get(rec.id).version
            raise VersionConflict(
                f"{rec.state.ref} was changed by someone else while this command ran (it is "
                f"at version {current} now); nothing was written, try again",
                current,
            ) from None
        return [event.event_id for event in rec.log[before:]]

    def once(self, key: str, command: Callable[[Ledger], T]) -> T | Earlier:
        """Run a write at most once per idempotency ``key``. Sent again with the same key,
        it records nothing and returns ``Earlier``: the ids of what the first recorded."""
        first = self._key_used(key)
        if first is not None:
            return Earlier(first)
        self._pending_key = key
        try:
            return command(self)
        except StaleVersion:  # perhaps the same key, sent twice at once: the other won
            first = self._key_used(key)
            if first is None:
                raise
            return Earlier(first)
        finally:
            self._pending_key = None

    def _key_used(self, key: str) -> list[str] | None:
        key_id = command_key_id(values.line(key, "the idempotency key"))
        if not self._exists(key_id):
            return None
        found: CommandKey = self._get(key_id)
        return found.recorded

    def save_atomically(
        self, *aggregates: Any, conflict: str = "a concurrent change won the race"
    ) -> None:
        """Save every pending event of ``aggregates`` in one transaction, or none; under
        ``once``, with the idempotency key that names them.

        Once the events are stored the write has succeeded, whatever the read models do:
        if they cannot follow, ``read_models_behind`` says why, and they catch up later."""
        if self.check_clock is not None:
            self.check_clock()
        if self._pending_key is not None:
            recorded = [e.event_id for a in aggregates for e in a.pending_events]
            aggregates = (*aggregates, CommandKey.use(self._pending_key, recorded))
            self._pending_key = None
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise StaleVersion(conflict) from None
        except PersistenceError as error:
            raise StorageUnavailable(f"the event store refused the write: {error}") from None
        if not self.projects_inline:
            return  # the projection worker applies it
        try:
            self.project(behind=True)
            stopped = self.read_model.stopped.values() if self.read_model else ()
            self.read_models_behind = "; ".join(stopped) or None
        except ReadModelsBehind as error:
            self.read_models_behind = str(error)

    def project(
        self, progress: Callable[[int], None] | None = None, *, behind: bool = False
    ) -> int:
        """Bring the read models up to date with the log (read-your-writes); return the count.

        Raises ``ReadModelsBehind`` when they cannot be: the log is never blocked by them."""
        if self.read_model is None:
            return 0
        with _read_model_failures("catch up with the log"):
            return self.read_model.catch_up(self, progress=progress, behind=behind)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild every read model from the first event; return the number of events."""
        if self.read_model is None:
            return 0
        with _read_model_failures("be rebuilt"):
            self.read_model.clear()
            return self.read_model.catch_up(self, batch_size=20000, progress=progress)

    # The projections' view of the event store (projections.projection.EventSource).

    def notifications_after(self, position: int, limit: int) -> list[tuple[int, str, Any, Any]]:
        notifications = self.read(
            lambda: self.recorder.select_notifications(position, limit, inclusive_of_start=False)
        )
        return [(n.id, identity(n), self.mapper.to_domain_event(n), n) for n in notifications]

    def log_from(self, position: int, limit: int) -> list[tuple[int, str]]:
        notifications = self.read(lambda: self.recorder.select_notifications(position, limit))
        return [(n.id, identity(n)) for n in notifications]

    def signatures(self, after: int, limit: int) -> list[WriteSignature]:
        """The write signatures whose last event comes after notification ``after``."""
        recorder: Any = self.recorder  # a signing recorder (adapters/event_stores.py)
        found: list[WriteSignature] = self.read(lambda: recorder.select_signatures(after, limit))
        return found

    def events_of(self, aggregate_id: UUID, up_to_version: int) -> list[Any]:
        return self.read(lambda: list(self.events.get(aggregate_id, lte=up_to_version)))

    def _get(self, aggregate_id: UUID) -> Any:
        return self.read(lambda: self.repository.get(aggregate_id))

    def _exists(self, aggregate_id: UUID) -> bool:
        return self.read(lambda: any(True for _ in self.events.get(aggregate_id, limit=1)))

    @staticmethod
    def read(query: Any) -> Any:
        """Run a read of the event store; its failure as ``StorageUnavailable``."""
        try:
            return query()
        except PersistenceError as error:
            raise StorageUnavailable(f"the event store could not be read: {error}") from None

    @staticmethod
    def _resolve_event_id(rec: Recommendation, event: str) -> str:
        sequence = values.ascii_number(event, "event")
        if sequence is not None:
            if 1 <= sequence <= len(rec.log):
                return rec.log[sequence - 1].event_id
            raise EventNotFound(f"{rec.state.ref} has events 1..{len(rec.log)}, not {sequence}")
        return rec.event(event).event_id


@contextmanager
def _read_model_failures(what: str) -> Iterator[None]:
    """Any failure of the read models as ``ReadModelsBehind``: derived data, whatever
    went wrong there, the log is intact and the next catch-up or rebuild tries again."""
    try:
        yield
    except LedgerError:
        raise
    except Exception as error:
        raise ReadModelsBehind(f"the read models cannot {what}: {first_line(error)}") from error


def _no_scratch() -> AbstractContextManager[Any]:
    raise StorageUnavailable("this ledger was opened without a scratch database")


def first_line(error: BaseException) -> str:
    """The cause of a failure in one line: the database's own message where there is one."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


@dataclass(frozen=True)
class Lag:
    """The log's position and the read models' (every event up to it applied)."""

    log: int
    read_models: int

    @property
    def behind(self) -> int:
        """At most this many events are not in the read models' answers (fewer where
        the log's ids have gaps: PostgreSQL's sequence skips the ids of failed writes)."""
        return max(0, self.log - self.read_models)


@dataclass(frozen=True)
class Earlier:
    """A write sent again under its idempotency key: what the first one recorded."""

    recorded: list[str]


def _sees(plan_id: str) -> bool:
    return current_grant().sees(plan_id)


def _check_sees_whole_log(what: str) -> None:
    current_grant().check_sees_whole_log(what)


def _check_sees(plan_id: str) -> None:
    """A plan id a caller names: one by the rules (nothing else reaches a query: a NUL
    would be a 503 from PostgreSQL), of a plan the caller's grant sees."""
    values.plan_id(plan_id)
    current_grant().check_sees(plan_id)


def _narrow(plan_id: str | None) -> str | None:
    """A query across plans, for a token limited to some: its one plan, or refused."""
    return current_grant().narrow(plan_id)


def _check_writes(plan_id: str, rec: Recommendation, action: str | None) -> None:
    """May the one acting change this item? Its agency's lead, or a coordinator, may."""
    item = rec.state.item(action)
    owners = {slugify(item.agency or rec.state.agency)} - {""}
    section = Ref.parse(rec.state.ref).agency_slug or ""
    current_grant().check_writes(plan_id, owners | {section}, item.ref)


def _grant_coordinates(plan_id: str | None, what: str) -> None:
    current_grant().check_coordinates(plan_id, what)


def _already_happened(effective: FuzzyDate, what: str) -> None:
    """An event that reports what happened cannot have happened after today (UTC)."""
    if effective.start is not None and effective.start > _today():
        raise InvalidDate(
            f"{what} reports what already happened: {effective.text!r} starts after today, "
            f"{_today().isoformat()}"
        )


def _today() -> date:
    return datetime.now(UTC).date()
