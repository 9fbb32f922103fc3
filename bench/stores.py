"""Empty stores for benchmarks: SQLite files or PostgreSQL schemas, removed afterwards."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from service.transcodings import FuzzyDateAsDict

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_stores(backend: str) -> Iterator[Callable[[], str]]:
    """Hand out empty stores (as --db values); remove them all on the way out."""
    workdir = Path(tempfile.mkdtemp(prefix="recledger-bench-"))
    schemas: list[str] = []

    def fresh() -> str:
        if backend == "sqlite":
            return str(workdir / f"{uuid.uuid4().hex}.db")
        schemas.append(f"bench_{uuid.uuid4().hex[:10]}")
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schemas[-1]}"')
        return f"{POSTGRES}?schema={schemas[-1]}"

    try:
        yield fresh
    finally:
        shutil.rmtree(workdir)
        if schemas:
            with psycopg.connect(POSTGRES, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def settle(*dbs: str) -> None:
    """Bring stores to the state a running server keeps them in after a bulk load: table
    statistics gathered, visibility maps set, dirty pages written. On PostgreSQL that is
    autovacuum's work, and this machine's server runs with autovacuum off, so freshly
    loaded tables would otherwise never have statistics."""
    for db in dbs:
        schemas = parse_qs(urlsplit(db).query).get("schema")
        if not schemas:
            with sqlite3.connect(db) as conn:
                conn.execute("ANALYZE")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            continue
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schemas[0],),
            ).fetchall()
            for (table,) in tables:
                conn.execute(f'VACUUM (ANALYZE) "{schemas[0]}"."{table}"')
            conn.execute("CHECKPOINT")


def sign_nothing(recorder: Any) -> None:
    """Take signing out of a ledger's recorder (for the benchmarks alone: a ledger never
    records unsigned), leaving the rest of its insert as it is."""
    recorder.signature_of = lambda stored, last_id: None
    recorder.insert_signature = lambda *args: None


class BareLibrary(Application[UUID]):
    """The library alone, with only what it needs to store the same events: the transcoding
    of the dates they carry. It uses the store's recorder, which signs nothing here."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env=env)
        sign_nothing(self.recorder)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(FuzzyDateAsDict())
