"""Append-only storage: the database itself refuses to change or remove a stored event,
and accepts evidence only where it is what the ledger would write.

Triggers, installed when a ledger is opened if any is missing, whoever asks afterwards,
through recledger or not:

- the events, the seals, the heads and the write signatures (``projections/seals.py``,
  ``adapters/stores/signed.py``) refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL);
- a seal can only be appended at the next position, for the next stored event (on
  PostgreSQL its leaf is recomputed from the event and must match); a head only at the
  size the seals have reached (on PostgreSQL its frontier and root are recomputed from
  the previous head and the new leaves and must match); a write signature only for a
  stored event; and, on PostgreSQL, an event only at the end of the log, with the id its
  sequence gives (never an id chosen to jump ahead or to fill a gap).

On PostgreSQL the application can also run as a role that has no UPDATE, DELETE or
TRUNCATE rights on those tables and owns nothing, so it can neither change them nor drop
the triggers (``application_role_sql``; ``recledger app-role``): such a role can append
events, but not ones signed with the ledger's key, which it does not hold (``verify``
names them). Whoever owns the database can drop the triggers; on SQLite whoever can write
the file does: ``verify``, the signatures and signed checkpoints catch what they do.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from adapters.stores.signed import SIGNATURES
from projections.seals import heads, seals
from projections.tables import metadata

PROTECTED = (seals.name, heads.name, SIGNATURES)
"""Beside the events: the tables that are evidence, never changed once written."""
TRIGGER_PREFIX = "rl_append_only"
RULE_PREFIX = "rl_append_rule"


def protected_tables(events_table: str) -> list[str]:
    return [events_table, *PROTECTED]


def protect(conn: Connection, events_table: str, schema: str | None = None) -> None:
    """Install the triggers where any is missing (one read when none is), in one
    transaction on ``conn``."""
    with conn.begin():
        if conn.dialect.name == "postgresql":
            schema = schema or "public"
            statements = _postgres_statements(schema, events_table)
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :schema AND c.relname = ANY(:tables) "
                    "AND (t.tgname LIKE :prefix OR t.tgname LIKE :rule)"
                ),
                {
                    "schema": schema,
                    "tables": protected_tables(events_table),
                    "prefix": TRIGGER_PREFIX + "%",
                    "rule": RULE_PREFIX + "%",
                },
            ).scalar_one()
            if found < _postgres_trigger_count():
                for statement in statements:
                    conn.execute(text(statement))
        else:
            statements = _sqlite_statements(events_table)
            found = conn.execute(
                text(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                    "AND (name LIKE :prefix OR name LIKE :rule)"
                ),
                {"prefix": TRIGGER_PREFIX + "%", "rule": RULE_PREFIX + "%"},
            ).scalar_one()
            if found < len(statements):
                for statement in statements:
                    conn.exec_driver_sql(statement)


def _sqlite_statements(events: str) -> list[str]:
    refuse = [
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}_{operation.lower()}_{table} "
        f"BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, "
        f"'recledger: {table} is append-only: {operation} refused'); END"
        for table in protected_tables(events)
        for operation in ("UPDATE", "DELETE")
    ]
    last_seal = f"(SELECT notification_id FROM {seals.name} ORDER BY position DESC LIMIT 1)"
    rules = {
        seals.name: (
            f"NEW.position <> 1 + ifnull((SELECT max(position) FROM {seals.name}), 0) "
            f"OR NEW.notification_id IS NOT (SELECT min(rowid) FROM {events} "
            f"WHERE rowid > ifnull({last_seal}, 0)) "
            f"OR NOT EXISTS (SELECT 1 FROM {events} WHERE rowid = NEW.notification_id "
            "AND originator_id = replace(NEW.originator_id, '-', '') "
            "AND originator_version = NEW.originator_version)",
            "a seal is appended at the next position, for the next stored event",
        ),
        heads.name: (
            f"NEW.size IS NOT (SELECT max(position) FROM {seals.name}) "
            f"OR NEW.size <= ifnull((SELECT max(size) FROM {heads.name}), 0)",
            "a head is appended at the size the seals have reached",
        ),
        SIGNATURES: (
            f"NEW.count < 1 OR NOT EXISTS (SELECT 1 FROM {events} WHERE rowid = NEW.last_id)",
            "a write signature is of stored events",
        ),
    }
    return refuse + [
        f"CREATE TRIGGER IF NOT EXISTS {RULE_PREFIX}_{table} BEFORE INSERT ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'recledger: {table}: {rule}; refused') WHERE {condition}; END"
        for table, (condition, rule) in rules.items()
    ]


def _postgres_trigger_count() -> int:
    """Per protected table: one for rows, one for truncate, and its insert rule."""
    return 3 * len(protected_tables(""))


def _postgres_statements(schema: str, events: str) -> list[str]:
    s = f'"{schema}"'
    function = f"{s}.{TRIGGER_PREFIX}"
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'recledger: % is append-only: % refused', "
        "TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$"
    ]
    for table in protected_tables(events):
        target = f'{s}."{table}"'
        statements += [
            f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}_rows BEFORE UPDATE OR DELETE "
            f"ON {target} FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}_truncate BEFORE TRUNCATE "
            f"ON {target} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    for table, (body, per_statement) in _postgres_rules(s, f'{s}."{events}"').items():
        name, target = f"{s}.{RULE_PREFIX}_{table}", f'{s}."{table}"'
        when = (
            "AFTER INSERT ON {} REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
            if per_statement
            else "BEFORE INSERT ON {} FOR EACH ROW"
        )
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$",
            f"CREATE OR REPLACE TRIGGER {RULE_PREFIX} {when.format(target)} "
            f"EXECUTE FUNCTION {name}()",
        ]
    return statements


def _refusal(what: str) -> str:
    return f"RAISE EXCEPTION 'recledger: {what}; refused' USING ERRCODE = 'insufficient_privilege'"


_LEAF = (
    "sha256('\\x00'::bytea || convert_to(E'recledger-entry/1\\n', 'UTF8') "
    "|| int8send(a.position) || int8send(e.originator_version) || uuid_send(e.originator_id) "
    "|| int4send(octet_length(convert_to(coalesce(e.topic, ''), 'UTF8'))) "
    "|| convert_to(coalesce(e.topic, ''), 'UTF8') "
    "|| int8send(octet_length(coalesce(e.state, ''::bytea))) || coalesce(e.state, ''::bytea))"
)
"""A seal's leaf recomputed from its event (``domain.integrity.Entry.leaf``)."""


def _postgres_rules(s: str, events: str) -> dict[str, tuple[str, bool]]:
    """Each table's insert rule: the function's body, and whether it runs once per
    statement (on the rows it added) rather than before each row."""
    seal_table, head_table = f'{s}."{seals.name}"', f'{s}."{heads.name}"'
    seal_rule = f"""
DECLARE first bigint; last bigint; a record; e record; prev bigint; next_id bigint;
BEGIN
  SELECT min(position), max(position) INTO first, last FROM added;
  IF (SELECT count(*) FROM added) <> last - first + 1
     OR first <> 1 + coalesce((SELECT max(position) FROM {seal_table} WHERE position < first), 0)
     OR EXISTS (SELECT 1 FROM {seal_table} WHERE position > last) THEN
    {_refusal("rl_seals: seals are appended at the next positions")};
  END IF;
  prev := coalesce(
    (SELECT p.notification_id FROM {seal_table} p WHERE p.position = first - 1), 0);
  -- Row by row, by index only: a join the planner may run as a scan of the whole log
  -- (a statistics-less table looks small) would make every catch-up cost the log's size.
  FOR a IN SELECT * FROM added ORDER BY position LOOP
    SELECT x.notification_id INTO next_id FROM {events} x
      WHERE x.notification_id > prev ORDER BY x.notification_id LIMIT 1;
    SELECT * INTO e FROM {events} x WHERE x.notification_id = a.notification_id;
    IF next_id IS DISTINCT FROM a.notification_id OR e.notification_id IS NULL
       OR e.originator_id::text <> a.originator_id
       OR e.originator_version <> a.originator_version
       OR a.leaf <> {_LEAF} THEN
      {_refusal("rl_seals: a seal is of the next stored event, with its leaf")};
    END IF;
    prev := a.notification_id;
  END LOOP;
  RETURN NULL;
END"""
    head_rule = f"""
DECLARE prev record; hashes bytea[] := '{{}}'; carry bytea; fsize bigint := 0; s bigint;
  root bytea; i int; leaf bytea; expected bytea := ''::bytea;
BEGIN
  IF NEW.size IS DISTINCT FROM (SELECT max(position) FROM {seal_table})
     OR NEW.size <= coalesce((SELECT max(size) FROM {head_table}), 0) THEN
    {_refusal("rl_log_heads: a head is appended at the size the seals have reached")};
  END IF;
  SELECT h.size, h.frontier INTO prev FROM {head_table} h ORDER BY h.size DESC LIMIT 1;
  IF FOUND THEN
    fsize := prev.size;
    FOR i IN 0 .. octet_length(prev.frontier) / 32 - 1 LOOP
      hashes := hashes || substring(prev.frontier FROM i * 32 + 1 FOR 32);
    END LOOP;
  END IF;
  FOR leaf IN SELECT l.leaf FROM {seal_table} l
      WHERE l.position > fsize AND l.position <= NEW.size ORDER BY l.position LOOP
    carry := leaf; s := fsize;
    WHILE s & 1 = 1 LOOP
      carry := sha256('\\x01'::bytea || hashes[array_length(hashes, 1)] || carry);
      hashes := hashes[1 : array_length(hashes, 1) - 1];
      s := s >> 1;
    END LOOP;
    hashes := hashes || carry;
    fsize := fsize + 1;
  END LOOP;
  IF coalesce(array_length(hashes, 1), 0) = 0 THEN
    root := sha256(''::bytea);
  ELSE
    root := hashes[array_length(hashes, 1)];
    FOR i IN REVERSE array_length(hashes, 1) - 1 .. 1 LOOP
      root := sha256('\\x01'::bytea || hashes[i] || root);
    END LOOP;
  END IF;
  FOR i IN 1 .. coalesce(array_length(hashes, 1), 0) LOOP
    expected := expected || hashes[i];
  END LOOP;
  IF NEW.root <> root OR NEW.frontier <> expected THEN
    {_refusal("rl_log_heads: the root and frontier of a head are those of the seals")};
  END IF;
  RETURN NEW;
END"""
    signature_rule = f"""
BEGIN
  IF NEW.count < 1 OR NOT EXISTS (SELECT 1 FROM {events} WHERE notification_id = NEW.last_id)
  THEN
    {_refusal("rl_signatures: a write signature is of stored events")};
  END IF;
  RETURN NEW;
END"""
    event_rule = f"""
DECLARE low bigint; added_count bigint; found bigint;
BEGIN
  SELECT min(notification_id), count(*) INTO low, added_count FROM added;
  -- The rows from the lowest id added on: only the ones added (by index: ORDER BY, LIMIT).
  SELECT count(*) INTO found FROM (SELECT 1 FROM {events}
    WHERE notification_id >= low ORDER BY notification_id LIMIT added_count + 1) t;
  IF EXISTS (SELECT 1 FROM added WHERE notification_id > currval(pg_get_serial_sequence(
       quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME), 'notification_id')))
     OR found <> added_count THEN
    {_refusal("the events: an event is appended at the end, with the id its sequence gives")};
  END IF;
  RETURN NULL;
END"""
    return {
        seals.name: (seal_rule, True),
        heads.name: (head_rule, False),
        SIGNATURES: (signature_rule, False),
        events.split(".")[-1].strip('"'): (event_rule, True),
    }


def application_role_sql(
    role: str, database: str, schema: str, events_table: str, also: Sequence[str] = ()
) -> list[str]:
    """What makes ``role`` the application's login on PostgreSQL: it reads and appends
    to the protected tables and keeps the read models; it owns nothing, so it cannot drop
    the triggers, and it has no UPDATE, DELETE or TRUNCATE on the log, the seals or the
    signatures. (Rebuilding the read models drops and recreates their tables: run it as
    the owner.) ``also``: other tables it keeps (the pages' sessions). The role is made
    only where missing, so an owner without CREATEROLE can grant to one made for it."""
    who, where = f'"{role}"', f'"{schema}"'
    name = "'" + role.replace("'", "''") + "'"
    protected = ", ".join(f'{where}."{t}"' for t in protected_tables(events_table))
    read_models = [t.name for t in metadata.sorted_tables if t.name not in PROTECTED]
    read_models += also
    kept = ", ".join(f'{where}."{t}"' for t in read_models)
    return [
        # Made only where missing: CREATE ROLE needs CREATEROLE even for a role that exists,
        # and an owner without it can keep a role its administrator made.
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
        f"CREATE ROLE {who} LOGIN; END IF; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        f'GRANT CONNECT ON DATABASE "{database}" TO {who}',
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"GRANT SELECT, INSERT ON {protected} TO {who}",
        # SELECT too: pg_dump reads each sequence's value, so the role can take a backup.
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {kept} TO {who}",
    ]
