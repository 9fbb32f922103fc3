"""The store the use cases share: the event-sourced application, its read models, and
the plumbing of every command and query (load, save atomically, catch up, snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    PersistenceError,
)
from eventsourcing.utils import Environment

from domain import values
from domain.errors import (
    InvalidCommand,
    LedgerError,
    NotFound,
    PlanNotFound,
    ReadModelsBehind,
    RecommendationNotFound,
    StaleVersion,
    StorageUnavailable,
)
from domain.integrity import Signer, WriteSignature
from domain.refs import (
    Ref,
    agency_aggregate_id,
    command_key_id,
    person_aggregate_id,
    plan_aggregate_id,
    recommendation_aggregate_id,
)
from projections.plans import plan_view
from projections.projection import identity
from projections.runner import Runner
from projections.transactions import read_snapshot
from service import access
from service.transcodings import FuzzyDateAsDict

if TYPE_CHECKING:  # the write model loads when a command loads an aggregate: a query needs none
    from domain.agency import Agency
    from domain.person import Person
    from domain.plan import Plan
    from domain.recommendation import Recommendation

T = TypeVar("T")
A = TypeVar("A")
Q = TypeVar("Q")


class Store(Application[UUID]):
    """The event-sourced application: it loads and saves aggregates (a write is one
    transaction, or nothing), keeps the read models caught up, answers a query from them in
    one snapshot, and is the event source the projections read. The use cases
    (``service.commands``, ``service.tokens``, ``service.queries``) are built on it."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        factory: InfrastructureFactory[Any],
        recorder: ApplicationRecorder,
        read_model: Runner,
        signer: Signer,
        scratch_engine: Callable[[], AbstractContextManager[Any]],
        check_clock: Callable[[], None],
        skeleton: values.Skeleton,
        projects_inline: bool,
    ):
        """Every collaborator is given, built by the composition root
        (``adapters.storage.bootstrap``): the library's infrastructure (the factory and the
        recorder it made, tables created and signing set up before any event is read), the
        read models, and what the use cases need of the outside world."""
        self._infrastructure = (factory, recorder)
        super().__init__(env)
        self.read_model = read_model
        """The read models and the seals, kept by the runner on their database."""
        self.signer = signer
        """The ledger's key: the one every write is signed with, as ``verify`` checks."""
        self.scratch_engine = scratch_engine
        """A database engine for a while, emptied after: where ``verify`` rebuilds the read
        models from the log, to compare them with those kept."""
        self.check_clock = check_clock
        """Refuses a write when the clock that records times cannot be trusted."""
        self.skeleton = skeleton
        """What a token's name looks like (UTS #39), to refuse one confusable with another."""
        self.projects_inline = projects_inline
        """Whether commands and queries catch the read models up themselves; if not, a
        projection worker (``recledger project``) does, and reads answer from the read
        models as they are (``lag`` says how far behind the log)."""
        self.read_models_behind: str | None = None
        """Why the read models could not follow the last write (which is stored), if so."""
        self._pending_key: str | None = None
        """The idempotency key the next save records, under ``once``."""

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return self._infrastructure[0]

    def construct_recorder(self) -> ApplicationRecorder:
        return self._infrastructure[1]

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(FuzzyDateAsDict())

    def close(self) -> None:
        super().close()
        self.read_model.engine.dispose()

    def plan(self, plan_id: str) -> Plan:
        from domain.plan import Plan

        access.check_sees(plan_id)
        try:
            return self._get(plan_aggregate_id(values.plan_id(plan_id)), Plan)
        except AggregateNotFoundError:
            raise PlanNotFound(f"no plan {plan_id!r}; open it first") from None

    def agency(self, slug: str) -> Agency:
        """The directory's agency of that slug."""
        from domain.agency import Agency

        try:
            return self._get(agency_aggregate_id(slug), Agency)
        except AggregateNotFoundError:
            raise NotFound(f"the directory has no agency {slug!r}") from None

    def person(self, email: str) -> Person:
        """The directory's person of that e-mail address."""
        from domain.person import Person, email_address

        try:
            return self._get(person_aggregate_id(email_address(email)), Person)
        except AggregateNotFoundError:
            raise NotFound(f"the directory has no one at {email!r}") from None

    def recommendation(self, plan_id: str, ref: str) -> Recommendation:
        from domain.recommendation import Recommendation

        canonical_ref = str(Ref.parse(ref))
        access.check_sees(plan_id)
        try:
            return self._get(
                recommendation_aggregate_id(values.plan_id(plan_id), canonical_ref), Recommendation
            )
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
            access.check_sees(plan_id)
        model = self.read_model
        day = as_at or today()
        # one connection for the check and the query
        with model.engine.connect() as conn, read_snapshot(conn) as snapshot:
            behind = model.is_behind(snapshot, self) and self.projects_inline
            if not behind:  # the usual case: the snapshot the check saw is current
                answer = query(snapshot, day)
                known = found(answer) or _plan_known(snapshot, plan_id)
        if behind:  # caught up on a connection of its own: the ledger holds one at a time
            self.project(behind=True)
            with model.engine.connect() as conn, read_snapshot(conn) as snapshot:
                answer = query(snapshot, day)
                known = found(answer) or _plan_known(snapshot, plan_id)
        if not known:  # nothing found, nor the plan in the read models: the log says if it exists
            self.plan(cast(str, plan_id))
        return answer

    def position(self) -> int:
        """How many events the log holds (its last notification id): every answer the
        ledger gives is a function of the log up to here, and of the question."""
        found: int | None = self.read(lambda: self.recorder.max_notification_id())
        return found or 0

    def lag(self) -> Lag:
        """How far the read models are behind the log. Inline, reads catch them up first,
        so it is measured only for a ledger whose read models a worker keeps."""
        if self.projects_inline:
            return Lag(0, 0)
        read_models = self.read_model.read_position()
        return Lag(self.position(), read_models)

    def visible_lag(self) -> Lag | None:
        """``lag`` for the one acting: None for a token limited to plans, as the log's
        position counts every plan's events."""
        return self.lag() if access.sees_whole_log() else None

    def read_models_engine(self) -> Any:
        """The database engine of the read models and the seals."""
        return self.read_model.engine

    def _read_model(self) -> Runner:
        """The read models, caught up with the log (unless a worker keeps them)."""
        if self.projects_inline:
            self.project()
        return self.read_model

    def once(self, key: str, command: Callable[[Self], T]) -> T | Earlier:
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
        from domain.command_key import CommandKey

        key_id = command_key_id(values.line(key, "the idempotency key"))
        if not self._exists(key_id):
            return None
        found = self._get(key_id, CommandKey)
        return found.recorded

    def save_atomically(
        self, *aggregates: Any, conflict: str = "a concurrent change won the race"
    ) -> None:
        """Save every pending event of ``aggregates`` in one transaction, or none; under
        ``once``, with the idempotency key that names them.

        Once the events are stored the write has succeeded, whatever the read models do:
        if they cannot follow, ``read_models_behind`` says why, and they catch up later."""
        self.check_clock()
        if self._pending_key is not None:
            from domain.command_key import CommandKey

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
            self.read_models_behind = "; ".join(self.read_model.stopped.values()) or None
        except ReadModelsBehind as error:
            self.read_models_behind = str(error)

    def project(
        self, progress: Callable[[int], None] | None = None, *, behind: bool = False
    ) -> int:
        """Bring the read models up to date with the log (read-your-writes); return the count.

        Raises ``ReadModelsBehind`` when they cannot be: the log is never blocked by them."""
        with _read_model_failures("catch up with the log"):
            return self.read_model.catch_up(self, progress=progress, behind=behind)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild every read model from the first event; return the number of events."""
        with _read_model_failures("be rebuilt"):
            self.read_model.clear()
            return self.read_model.catch_up(self, batch_size=20000, progress=progress)

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
        recorder: Any = self.recorder  # a signing recorder (adapters/stores/)
        found: list[WriteSignature] = self.read(lambda: recorder.select_signatures(after, limit))
        return found

    def events_of(self, aggregate_id: UUID, up_to_version: int | None = None) -> list[Any]:
        """One aggregate's events, first to ``up_to_version`` (default: all)."""
        return self.read(partial(self._events_of, aggregate_id, up_to_version))

    def _events_of(self, aggregate_id: UUID, up_to_version: int | None = None) -> list[Any]:
        return list(self.events.get(aggregate_id, lte=up_to_version))

    def _get(self, aggregate_id: UUID, kind: type[A]) -> A:
        """The aggregate ``aggregate_id`` names, of the class its id was made for."""
        return cast(A, self.read(lambda: self.repository.get(aggregate_id)))

    def _exists(self, aggregate_id: UUID) -> bool:
        return self.read(lambda: any(True for _ in self.events.get(aggregate_id, limit=1)))

    @staticmethod
    def read(query: Callable[[], T]) -> T:
        """Run a read of the event store; its failure as ``StorageUnavailable``."""
        try:
            return query()
        except PersistenceError as error:
            raise StorageUnavailable(f"the event store could not be read: {error}") from None


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


def today() -> date:
    return datetime.now(UTC).date()


def _plan_known(snapshot: Any, plan_id: str | None) -> bool:
    """Whether the read models know the plan a query asked about (or it asked about none)."""
    return plan_id is None or plan_view(snapshot, plan_id) is not None
