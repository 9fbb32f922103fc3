"""What the stores share: which backend a ``--db`` URL names, its password masked in what
is shown, a storage failure as one line, and what every backend provides (``Backend``)."""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from eventsourcing.persistence import PersistenceError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from service.store import first_line

T = TypeVar("T")

POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
"""The URL schemes that name a PostgreSQL ledger (``adapters/stores/postgres.py``)."""

READ_ONLY = (
    "{path} is read-only: recledger writes to its database even to answer "
    "(it keeps its read models there, up to date with the log)"
)


class Backend(Protocol):
    """What the composition root (``adapters.storage``) asks of a backend's module."""

    LEDGER_ENV: Mapping[str, str]
    """What a ledger's process adds to the library's environment (its connection budget)."""

    def read_model_engine(self, env: dict[str, str], *, single: bool = False) -> Engine: ...

    def scratch_engine(self, env: dict[str, str]) -> AbstractContextManager[Engine]: ...

    def check(self, env: dict[str, str], engine: Engine, db: str, *, create: bool) -> None:
        """Refuse, with the reason, a store that cannot be opened, before the library does."""

    def ddl_lock(self, engine: Engine) -> AbstractContextManager[Connection]:
        """A connection on which one process at a time creates the store's tables."""

    def opening(self, open_store: Callable[[], T]) -> T:
        """``open_store()``, tried again where the backend is briefly busy."""

    def ready(self, recorder: Any) -> None:
        """What the recorder needs once its tables are there."""

    def clock_check(self, engine: Engine) -> Callable[[], None]:
        """What refuses a write when the clock that records times cannot be trusted."""


def storage_errors() -> tuple[type[Exception], ...]:
    """The exceptions by which a database says it failed. psycopg's only once it is loaded:
    a ledger on SQLite never loads it (it costs a command's start-up 0.15 s), and then no
    psycopg error can be raised."""
    psycopg = sys.modules.get("psycopg")
    found = (PersistenceError, SQLAlchemyError, sqlite3.Error)
    return (*found, psycopg.Error) if psycopg is not None else found


def storage_cause(error: BaseException) -> str:
    """The real cause of a storage failure, in one line."""
    message = str(getattr(error, "orig", None) or error)
    if "readonly database" in message:
        return "the database is read-only; " + READ_ONLY.split(": ", 1)[1]
    if "file is not a database" in message:
        return "not a SQLite database file"
    if fatal := re.search(r"FATAL:\s+(.+)", message):
        return fatal[1].strip()
    if refused := re.search(r"(Connection refused|could not translate host name.*)", message):
        return refused[1]
    return first_line(error)


def masked(db: str) -> str:
    """``db`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(db)
    if not parts.password:
        return db
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(message: str, db: str) -> str:
    """``message`` with the password of the ``--db`` URL, if it has one, masked."""
    password = urlsplit(db).password if "://" in db else None
    for secret in {password, unquote(password or "")} - {None, ""}:
        message = message.replace(secret, "***")  # type: ignore[arg-type]
    return message
