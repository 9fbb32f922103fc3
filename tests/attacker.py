"""An attacker with the database owner's rights: raw SQL on a ledger's database."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg

from projections.seals import heads, seals


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

    def drop_protection(self) -> None:
        tables = (self.events, seals.name, heads.name)
        if self.postgres:
            self.sql(
                *(
                    f"DROP TRIGGER {name} ON {table}"
                    for table in tables
                    for name in ("rl_append_only_rows", "rl_append_only_truncate")
                )
            )
        else:
            self.sql(
                *(
                    f"DROP TRIGGER rl_append_only_{operation}_{table}"
                    for table in tables
                    for operation in ("update", "delete")
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
