"""An attacker with the database owner's rights: raw SQL on a ledger's database."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import psycopg

from adapters.append_only import protected_tables
from adapters.signing import LedgerKey
from adapters.stores.signed import SIGNATURES
from domain.integrity import WriteSignature, sign_write


@dataclass
class Attacker:
    """Someone with the database owner's rights, writing to it directly."""

    url: str

    @property
    def postgres(self) -> bool:
        return "://" in self.url

    @property
    def events(self) -> str:
        return "recledger_events" if self.postgres else "stored_events"

    @property
    def position(self) -> str:
        return "notification_id" if self.postgres else "rowid"

    def sql(self, *statements: str) -> None:
        if not self.postgres:
            with sqlite3.connect(self.url) as conn:
                for statement in statements:
                    conn.execute(statement)
            return
        parts = urlsplit(self.url)
        schema = parts.query.removeprefix("schema=")
        with psycopg.connect(parts._replace(query="").geturl()) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def query(self, statement: str) -> list[tuple[Any, ...]]:
        if not self.postgres:
            with sqlite3.connect(self.url) as conn:
                return list(conn.execute(statement))
        parts = urlsplit(self.url)
        schema = parts.query.removeprefix("schema=")
        with psycopg.connect(parts._replace(query="").geturl()) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            return list(conn.execute(statement))  # type: ignore[arg-type]

    def _connect(self) -> Any:
        if not self.postgres:
            return sqlite3.connect(self.url)
        parts = urlsplit(self.url)
        conn = psycopg.connect(parts._replace(query="").geturl())
        conn.execute(f'SET search_path TO "{parts.query.removeprefix("schema=")}"')  # type: ignore[arg-type]
        return conn

    def append_event(self, originator_id: UUID, version: int, topic: str, state: bytes) -> int:
        """Append an event directly (no signature); return its notification id."""
        mark = "%s" if self.postgres else "?"
        key: Any = originator_id if self.postgres else originator_id.hex
        with self._connect() as conn:
            row = conn.execute(
                f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) "
                f"VALUES ({mark}, {mark}, {mark}, {mark}) RETURNING {self.position}",
                (key, version, topic, state),
            ).fetchone()
        return int(row[0])

    def append_signature(self, signed: WriteSignature) -> None:
        mark = "%s" if self.postgres else "?"
        with self._connect() as conn:
            conn.execute(
                f"INSERT INTO {SIGNATURES} (last_id, count, key, signature) "
                f"VALUES ({mark}, {mark}, {mark}, {mark})",
                (signed.last_id, signed.count, signed.key, signed.signature),
            )

    def resign_writes(self, key: LedgerKey) -> None:
        """Sign every write again, over the events as they now stand: what an attacker
        who holds the ledger's key can do after rewriting them (protection dropped)."""
        events = self.query(
            f"SELECT {self.position}, originator_id, originator_version, topic, state "
            f"FROM {self.events} ORDER BY {self.position}"
        )
        stored = [
            SimpleNamespace(
                originator_id=UUID(str(i)), originator_version=v, topic=t, state=bytes(s)
            )
            for _, i, v, t, s in events
        ]
        index = {row[0]: n for n, row in enumerate(events)}
        mark = "%s" if self.postgres else "?"
        statements = []
        for last_id, count in self.query(f"SELECT last_id, count FROM {SIGNATURES}"):
            end = index[last_id] + 1
            found = sign_write(key, stored[end - count : end], last_id)
            statements.append(
                (
                    f"UPDATE {SIGNATURES} SET signature = {mark} WHERE last_id = {last_id}",
                    found.signature,
                )
            )
        if not self.postgres:
            with sqlite3.connect(self.url) as conn:
                for statement, value in statements:
                    conn.execute(statement, (value,))
            return
        parts = urlsplit(self.url)
        with psycopg.connect(parts._replace(query="").geturl()) as conn:
            conn.execute(f'SET search_path TO "{parts.query.removeprefix("schema=")}"')
            for statement, value in statements:
                conn.execute(statement, (value,))  # type: ignore[arg-type]

    def drop_protection(self) -> None:
        """Drop every trigger recledger installs (the owner may): the append-only ones
        and the rules on what may be appended."""
        tables = protected_tables(self.events)
        if self.postgres:
            names = ("rl_append_only_rows", "rl_append_only_truncate", "rl_append_rule")
            self.sql(*(f"DROP TRIGGER IF EXISTS {n} ON {t}" for t in tables for n in names))
        else:
            self.sql(
                *(
                    f"DROP TRIGGER IF EXISTS {prefix}_{table}"
                    for table in tables
                    for prefix in (
                        "rl_append_only_update",
                        "rl_append_only_delete",
                        "rl_append_rule",
                    )
                )
            )

    def shift_after(self, position: int) -> None:
        """Move every event after ``position`` one place on (two steps: ids are unique)."""
        t, p = self.events, self.position
        self.sql(
            f"UPDATE {t} SET {p} = {p} + 1000000 WHERE {p} > {position}",
            f"UPDATE {t} SET {p} = {p} - 999999 WHERE {p} > 1000000",
        )

    def tamper(self, change: str, k: int) -> None:
        t, p = self.events, self.position
        if change == "edited":
            edited = "state || '\\x20'::bytea" if self.postgres else "CAST(state || ' ' AS BLOB)"
            self.sql(f"UPDATE {t} SET state = {edited} WHERE {p} = {k}")
        elif change == "deleted":
            self.sql(f"DELETE FROM {t} WHERE {p} = {k}")
        elif change == "reordered":
            self.sql(
                f"UPDATE {t} SET {p} = -1 WHERE {p} = {k}",
                f"UPDATE {t} SET {p} = {k} WHERE {p} = {k + 1}",
                f"UPDATE {t} SET {p} = {k + 1} WHERE {p} = -1",
            )
        elif change == "inserted":
            self.shift_after(k)
            forged = f"'{uuid.uuid4()}'::uuid" if self.postgres else f"'{uuid.uuid4().hex}'"
            self.sql(
                f"INSERT INTO {t} ({p}, originator_id, originator_version, topic, state) "
                f"SELECT {k + 1}, {forged}, originator_version, topic, state FROM {t} "
                f"WHERE {p} = {k}"
            )
        elif change == "truncated":
            self.sql(f"DELETE FROM {t} WHERE {p} > {k}")
        else:
            raise ValueError(change)
