"""The composition root: the backend a ``--db`` value names, and the ledger built on it.

The event store is the eventsourcing library's own persistence modules, one module of
recledger's per backend (``adapters/stores/``): ``memory`` (``eventsourcing.popo``),
``sqlite`` for the embedded default, ``postgres`` (psycopg 3 with a connection pool),
each with a recorder that signs every write with the ledger's key
(``adapters/stores/signed.py``). PostgreSQL's module loads only for a PostgreSQL ledger.

Opening a store is safe when many processes start at once: its tables are created
only when missing, and then one process at a time (an advisory lock on PostgreSQL; on
SQLite ``IF NOT EXISTS``, the database's write lock and a retry). A command that only
reads never creates a ledger. Every failure to open is one line naming the real cause,
with any password masked.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from sqlalchemy import Engine, inspect

from adapters.append_only import protect
from adapters.names import skeleton
from adapters.settings import Settings
from adapters.signing import LedgerKey, load_key
from adapters.stores import memory, sqlite
from adapters.stores.common import (
    POSTGRES_SCHEMES,
    Backend,
    masked,
    scrub,
    storage_cause,
    storage_errors,
)
from adapters.stores.signed import SIGNATURES
from domain.errors import InvalidCommand, LedgerError, NoLedger, StorageUnavailable
from projections.directory import Directory
from projections.plans import Plans
from projections.proposals import Proposals
from projections.recommendations import Recommendations
from projections.requests import Requests
from projections.runner import Runner
from projections.seals import Sealer
from projections.search import Search
from service.ledger import Ledger


def event_store_env(db: str) -> dict[str, str]:
    """The eventsourcing environment for a ``--db`` value."""
    if db in {"memory:", ":memory:"}:
        return memory.env()
    parts = urlsplit(db)
    if parts.scheme in POSTGRES_SCHEMES:
        from adapters.stores import postgres

        return postgres.env(db)
    if sqlite.names_a_file(parts):
        return sqlite.env(db, parts)
    raise InvalidCommand(
        f"--db {db!r}: use a SQLite file path, sqlite:///PATH, postgresql://... or memory:"
    )


def backend(env: dict[str, str]) -> Backend:
    """The module of the backend that ``env`` (``event_store_env``) names."""
    module = env["PERSISTENCE_MODULE"]
    if module == memory.PERSISTENCE_MODULE:
        return memory
    if module == sqlite.PERSISTENCE_MODULE:
        return sqlite
    from adapters.stores import postgres

    return postgres


def postgres_conninfo(db: str) -> str | None:
    """A libpq connection string for a PostgreSQL ``--db`` value (None for other stores)."""
    env = event_store_env(db)
    if env["PERSISTENCE_MODULE"] in {memory.PERSISTENCE_MODULE, sqlite.PERSISTENCE_MODULE}:
        return None
    from adapters.stores import postgres

    return postgres.conninfo(env)


def read_model_engine(env: dict[str, str], *, single: bool = False) -> Engine:
    """A SQLAlchemy engine on the same database as the events, for the read models
    (``single``: on one connection, kept)."""
    return backend(env).read_model_engine(env, single=single)


def scratch_engine(env: dict[str, str]) -> AbstractContextManager[Engine]:
    """An empty database for a while, gone after: a SQLite file in a temporary directory
    beside a SQLite or in-memory ledger; on PostgreSQL, the session's own temporary
    schema (one connection, so the application's role needs no right to create a schema)."""
    return backend(env).scratch_engine(env)


PROJECTIONS = (Recommendations, Plans, Directory, Proposals, Requests, Search, Sealer)
"""Every projection the ledger keeps: a new read model is one more entry here."""


def read_models(engine: Engine, key: LedgerKey) -> Runner:
    """The ledger's projections, run on ``engine``. Their digests are keyed by a secret
    derived from the ledger's key."""
    return Runner(engine, [projection() for projection in PROJECTIONS], digest_key(key))


def digest_key(key: LedgerKey) -> bytes:
    """The secret that keys the read models' digests (``projections.digest``)."""
    return key.derived("read-model-digests")


def bootstrap(settings: Settings | None = None, *, create: bool = True) -> Ledger:
    """Build the ledger on the configured store. ``create``: make the store's tables if
    there are none (a command that writes); otherwise a missing ledger is refused.

    A ledger is used by one thread at a time (a server opens one per thread), so on
    PostgreSQL it holds at most 2 connections, which is all a CLI command opens: one to
    the event store (the library's pool would open 5 at once, and grow to 15) and one to
    the read models (``read_model_engine``); the first check that the server answers is
    made on the latter, and kept. The event store's pool has 2 spares, opened only when
    uses overlap, as only in the projection worker: its subscription's LISTEN and reader
    beside its catch-up."""
    settings = settings or Settings()
    env = {**event_store_env(settings.db), "CREATE_TABLE": "no"}  # made below, under a lock
    store = backend(env)
    env |= store.LEDGER_ENV
    where = masked(settings.db)
    engine = store.read_model_engine(env)
    try:
        store.check(env, engine, settings.db, create=create)
        ledger = store.opening(lambda: _open(store, env, engine, where, settings, create=create))
    except BaseException as error:
        engine.dispose()
        if isinstance(error, LedgerError):
            raise type(error)(scrub(str(error), settings.db)) from None
        if isinstance(error, storage_errors()):
            cause = scrub(storage_cause(error), settings.db)
            raise StorageUnavailable(f"cannot open the ledger at {where}: {cause}") from None
        raise
    return ledger


def _open(
    store: Backend,
    env: dict[str, str],
    engine: Engine,
    where: str,
    settings: Settings,
    *,
    create: bool,
) -> Ledger:
    """The composition root's last step: the library's infrastructure for ``env`` (the
    event store's tables made where ``create`` allows, its writes signed), then the ledger
    built with every collaborator it needs."""
    factory: Any = InfrastructureFactory.construct(Environment(Ledger.name, {**os.environ, **env}))
    try:
        recorder: Any = factory.application_recorder()
        table = getattr(recorder, "events_table_name", None)
        schema = env.get("POSTGRES_SCHEMA")
        if table is not None:
            found = inspect(engine)
            if not found.has_table(table, schema=schema):
                if not create:
                    raise NoLedger(
                        f"there is no ledger at {where}: check --db, or import a plan there first"
                    )
                with store.ddl_lock(engine):
                    recorder.create_table()
            if not found.has_table(SIGNATURES, schema=schema):
                with store.ddl_lock(engine):
                    recorder.create_signatures_table()
        key = _ledger_key(settings, recorder, memory=store is memory)
        recorder.signer = key
        runner = read_models(engine, key)  # its tables, which the protection covers too
        if table is not None:
            with store.ddl_lock(engine) as conn:
                protect(conn, table, schema)
        store.ready(recorder)
        return Ledger(
            env,
            factory=factory,
            recorder=recorder,
            read_model=runner,
            signer=key,
            scratch_engine=lambda: store.scratch_engine(env),
            check_clock=store.clock_check(engine),
            skeleton=skeleton,
            projects_inline=settings.projections == "inline",
        )
    except BaseException:
        factory.close()  # the read models' engine is the caller's to dispose
        raise


def _ledger_key(settings: Settings, recorder: Any, *, memory: bool) -> LedgerKey:
    """The ledger's signing key: made where the ledger has signed nothing yet (a new
    ledger, or one from before writes were signed), else the one that signed it."""
    if memory:
        return LedgerKey.generate()
    signed = bool(recorder.select_signatures(0, 1))
    key, _ = load_key(Path(settings.signing_key), create=not signed)
    return key
