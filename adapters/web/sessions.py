"""The pages' sessions, held by the server in the ledger's database.

The cookie holds a random id (256 bits) and nothing else; the database holds the id's
SHA-256, the name of the token signed in with (its secret is checked once, at sign-in,
and never kept), the session's CSRF token and its next flash message. So signing out
ends a session at once for every worker and server on the database; revoking the token
ends its sessions at once too (every request checks the token by its name,
``adapters.web.gateway.SessionOf``); a session ends after ``IDLE`` unused and ``LIFETIME``
after it began, and expired rows are removed at each sign-in.

The table is operational state, not part of the log: it is made if missing (one process
at a time), and ``recledger app-role`` makes it and grants it to the application's role.

A small store of our own rather than ``starsessions``: that library saves the session
(its last-access time) on every response, a database write per page read here, and has
no notion of a session bound to a token that can be revoked; this one writes only when
a session begins, ends, changes its message, or (at most once a minute) is used.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from starlette.concurrency import run_in_threadpool

from domain.values import NAME_MAX

T = TypeVar("T")

LIFETIME = 12 * 3600
"""A session ends this many seconds after signing in, however used."""
IDLE = 3600
"""... or after this many seconds unused."""
TOUCH = 60
"""How stale the record of a session's last use may be (seconds): a write at most this
often per session."""
COOKIE = "recledger_session"
_DDL_LOCK = 0x72656C03
"""The PostgreSQL advisory lock held while the sessions' table is made."""

sessions = Table(
    "rl_sessions",
    MetaData(),
    Column("id_sha256", String(64), primary_key=True),
    Column("token_name", String(NAME_MAX), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("flash", Text),
    Column("created_at", Float, nullable=False),  # seconds since the Unix epoch
    Column("seen_at", Float, nullable=False),
)
Index("rl_sessions_by_token", sessions.c.token_name)


@dataclass
class Session:
    """One signed-in session, as the pages use it during a request."""

    key: str
    """The SHA-256 of its id (the id itself is only in the cookie)."""
    name: str
    """The name of the token it was signed in with: the actor of what it records."""
    csrf: str
    flash: str | None = None
    id: str | None = field(default=None, repr=False)
    """The id, for the cookie: only when it has just begun."""
    changed: bool = False
    ended: bool = False

    def say(self, message: str) -> None:
        """A message for the next page shown."""
        self.flash, self.changed = message, True

    def said(self) -> str | None:
        """The message for this page, if any (shown once)."""
        message = self.flash
        if message is not None:
            self.flash, self.changed = None, True
        return message


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def ensure_table(engine: Engine) -> None:
    """Make the sessions' table if it is missing (one process at a time: the write lock
    on SQLite, an advisory lock on PostgreSQL)."""
    schema = engine.get_execution_options().get("schema_translate_map", {}).get(None)
    if inspect(engine).has_table(sessions.name, schema=schema):
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DDL_LOCK})
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        sessions.create(conn, checkfirst=True)


class SessionStore:
    """The sessions' rows (blocking calls: run them off the event loop)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_table(engine)

    def begin(self, name: str, message: str | None = None) -> Session:
        """A new session for the token ``name`` (its secret checked by the caller); the
        expired sessions of every token are removed."""
        session_id, now = secrets.token_urlsafe(32), time.time()
        found = Session(digest(session_id), name, secrets.token_urlsafe(32), message, session_id)
        with self.engine.begin() as conn:
            conn.execute(sessions.delete().where(_expired(now)))
            conn.execute(
                sessions.insert().values(
                    id_sha256=found.key,
                    token_name=name,
                    csrf=found.csrf,
                    flash=message,
                    created_at=now,
                    seen_at=now,
                )
            )
        return found

    def find(self, session_id: str) -> Session | None:
        """The live session of this id, if any; an expired one is removed. Its use is
        recorded (at most every ``TOUCH`` seconds) for the idle limit."""
        key, now = digest(session_id), time.time()
        where = sessions.c.id_sha256 == key
        with self.engine.connect() as conn:  # a read; a write, when one is due, of its own
            row = conn.execute(sessions.select().where(where)).first()
        if row is None:
            return None
        if row.created_at < now - LIFETIME or row.seen_at < now - IDLE:
            with self.engine.begin() as conn:
                conn.execute(sessions.delete().where(where))
            return None
        if row.seen_at < now - TOUCH:
            with self.engine.begin() as conn:
                conn.execute(sessions.update().where(where).values(seen_at=now))
        return Session(key, row.token_name, row.csrf, row.flash)

    def save(self, session: Session) -> None:
        """Keep its message; end it if it ended."""
        with self.engine.begin() as conn:
            where = sessions.c.id_sha256 == session.key
            if session.ended:
                conn.execute(sessions.delete().where(where))
            elif session.changed:
                conn.execute(sessions.update().where(where).values(flash=session.flash))

    def end_all(self, name: str) -> None:
        """End every session of the token ``name`` (it is revoked)."""
        with self.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_name == name))


def _expired(now: float) -> ColumnElement[bool]:
    return (sessions.c.created_at < now - LIFETIME) | (sessions.c.seen_at < now - IDLE)


class Sessions:
    """The store, for the event loop: each call runs in a thread; the store (and its
    table) is made at the first call, on the database of ``engine()``."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self._engine = engine
        self._store: SessionStore | None = None

    async def begin(self, name: str, message: str | None = None) -> Session:
        return await self._run(lambda store: store.begin(name, message))

    async def find(self, session_id: str) -> Session | None:
        return await self._run(lambda store: store.find(session_id))

    async def save(self, session: Session) -> None:
        await self._run(lambda store: store.save(session))

    async def end_all(self, name: str) -> None:
        await self._run(lambda store: store.end_all(name))

    async def _run(self, work: Callable[[SessionStore], T]) -> T:
        def run() -> T:
            if self._store is None:
                self._store = SessionStore(self._engine())
            return work(self._store)

        return await run_in_threadpool(run)
