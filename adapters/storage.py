"""Storage choice and the composition root.

The event store is the eventsourcing library's own persistence modules:
``eventsourcing.sqlite`` for the embedded default, ``eventsourcing.postgres``
(psycopg 3 with a connection pool) for PostgreSQL, ``eventsourcing.popo`` in memory.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import PersistenceError
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from adapters.settings import Settings
from domain.errors import InvalidCommand, StorageUnavailable
from projections.read_model import ReadModel
from service.ledger import Ledger

_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}


def event_store_env(db: str) -> dict[str, str]:
    """The eventsourcing environment for a ``--db`` value."""
    if db in {"memory:", ":memory:"}:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    parts = urlsplit(db)
    if parts.scheme in _POSTGRES_SCHEMES:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }
        schema = parse_qs(parts.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env
    if parts.scheme == "sqlite":
        path = db.removeprefix("sqlite:///")
    elif parts.scheme in {"", "file"} or len(parts.scheme) == 1:  # a path (or C:\ on Windows)
        path = db.removeprefix("file:")
    else:
        raise InvalidCommand(
            f"--db {db!r}: use a SQLite file path, sqlite:///PATH, postgresql://... or memory:"
        )
    if not path:
        raise InvalidCommand(f"--db {db!r} names no file")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(Path(path)),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


def read_model_engine(env: dict[str, str]) -> Engine:
    """A SQLAlchemy engine on the same database as the events, for the read models."""
    module = env["PERSISTENCE_MODULE"]
    if module == "eventsourcing.popo":
        return create_engine("sqlite://", poolclass=StaticPool)
    if module == "eventsourcing.sqlite":
        engine = create_engine(
            URL.create("sqlite", database=env["SQLITE_DBNAME"]), connect_args={"timeout": 30}
        )
        # The read models are derived and commit with their tracking position: in WAL mode
        # they need not wait for the disk (see ReadModel._relax_durability).
        event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
        return engine
    url = URL.create(
        "postgresql+psycopg",
        username=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        database=env["POSTGRES_DBNAME"],
    )
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    schema = env.get("POSTGRES_SCHEMA")
    return engine.execution_options(schema_translate_map={None: schema}) if schema else engine


def bootstrap(settings: Settings | None = None) -> Ledger:
    """Build the ledger on the configured store, creating its tables if needed."""
    settings = settings or Settings()
    env = event_store_env(settings.db)
    try:
        ledger = Ledger(env=env)
    except PersistenceError as error:
        raise StorageUnavailable(f"cannot open the event store {settings.db!r}: {error}") from None
    try:
        ledger.read_model = ReadModel(read_model_engine(env))
    except SQLAlchemyError as error:
        ledger.close()
        raise StorageUnavailable(
            f"cannot open the read models in {settings.db!r}: {error}"
        ) from None
    return ledger
