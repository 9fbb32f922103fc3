"""Append-only storage: the database itself refuses to change or remove a stored event.

Triggers on the events table and on the seals' tables (``projections/seals.py``) refuse
UPDATE and DELETE (and TRUNCATE on PostgreSQL), whoever asks, through recledger or not.
They are installed when a ledger is opened, if missing. On PostgreSQL the application
can also run as a role that has no UPDATE, DELETE or TRUNCATE rights on those tables and
does not own them, so it can neither change them nor drop the triggers
(``application_role_sql``; ``recledger app-role``). Someone who owns the database can
still drop the triggers and rewrite rows: that is what ``recledger verify`` and signed
checkpoints catch.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from projections.seals import heads, seals

PROTECTED_READ_MODELS = (seals.name, heads.name)
TRIGGER_PREFIX = "rl_append_only"


def protected_tables(events_table: str) -> list[str]:
    return [events_table, *PROTECTED_READ_MODELS]


def protect(conn: Connection, events_table: str, schema: str | None = None) -> None:
    """Install the triggers where they are missing (one read when none are), in one
    transaction on ``conn``."""
    tables = protected_tables(events_table)
    with conn.begin():
        if conn.dialect.name == "postgresql":
            schema = schema or "public"
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :schema AND c.relname = ANY(:tables) "
                    "AND t.tgname LIKE :prefix"
                ),
                {"schema": schema, "tables": tables, "prefix": TRIGGER_PREFIX + "%"},
            ).scalar_one()
            if found < 2 * len(tables):
                for statement in _postgres_statements(schema, tables):
                    conn.execute(text(statement))
        else:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                    "AND name LIKE :prefix"
                ),
                {"prefix": TRIGGER_PREFIX + "%"},
            ).scalar_one()
            if found < 2 * len(tables):
                for statement in _sqlite_statements(tables):
                    conn.exec_driver_sql(statement)


def _sqlite_statements(tables: Sequence[str]) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}_{operation.lower()}_{table} "
        f"BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, "
        f"'recledger: {table} is append-only: {operation} refused'); END"
        for table in tables
        for operation in ("UPDATE", "DELETE")
    ]


def _postgres_statements(schema: str, tables: Sequence[str]) -> list[str]:
    function = f'"{schema}".{TRIGGER_PREFIX}'
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'recledger: % is append-only: % refused', "
        "TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
    ]
    for table in tables:
        target = f'"{schema}"."{table}"'
        statements += [
            f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}_rows BEFORE UPDATE OR DELETE "
            f"ON {target} FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}_truncate BEFORE TRUNCATE "
            f"ON {target} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


def application_role_sql(
    role: str, database: str, schema: str, events_table: str, read_models: Sequence[str]
) -> list[str]:
    """What makes ``role`` the application's login on PostgreSQL: it reads and appends
    to the protected tables and keeps the read models; it owns nothing, so it cannot drop
    the triggers, and it has no UPDATE, DELETE or TRUNCATE on the log or the seals.
    (Rebuilding the read models drops and recreates their tables: run it as the owner.)"""
    who, where = f'"{role}"', f'"{schema}"'
    protected = ", ".join(f'{where}."{t}"' for t in protected_tables(events_table))
    kept = ", ".join(f'{where}."{t}"' for t in read_models)
    return [
        f"DO $$ BEGIN CREATE ROLE {who} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        f'GRANT CONNECT ON DATABASE "{database}" TO {who}',
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"GRANT SELECT, INSERT ON {protected} TO {who}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {kept} TO {who}",
    ]
