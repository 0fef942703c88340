"""PostgreSQL, the team server: connection, schema, the SQL fragments that differ, errors (docs/team.md).

Store's SQL is written once, for SQLite. Each statement is translated here once per process (cached):
placeholders (`?`, `:name`) become the driver's, and a fixed table of fragments is swapped for the
PostgreSQL spelling (INDEXED BY hints dropped, group_concat, 3-argument max, COLLATE NOCASE, LIKE). The schema
defines the few SQLite functions the queries use (total, julianday, casefold, instr), so the same
text runs on both engines. The driver is psycopg2: it imports in ~30 ms against psycopg 3's ~150 ms
(benchmarks/bench_driver_import.py), and this module is imported only for a `postgresql://` URL.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import unquote

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
import psycopg2.extras

from ..errors import Invalid, SalesError, StoreError, Words
from ..i18n import N_

NAME = "postgresql"
BUSY_TIMEOUT_S = 15
Error = psycopg2.Error
IntegrityError = psycopg2.IntegrityError
HAS_FTS = False  # search uses ILIKE '%word%' per word, served by pg_trgm indexes
# Every read-modify-write takes this transaction-level advisory lock first: BEGIN IMMEDIATE's equivalent.
BEGIN = "BEGIN; SELECT pg_advisory_xact_lock(1511939185)"


# --- connecting ------------------------------------------------------------------------------------


def _params(url: str, field: str) -> dict:
    try:
        return ext.parse_dsn(url)
    except psycopg2.ProgrammingError:
        raise Invalid(
            field,
            _without_secrets(url),
            N_("is not a PostgreSQL URL"),
            N_("write postgresql://HOST/DATABASE or postgresql:///DATABASE?service=NAME"),
        ) from None


def _without_secrets(url: str) -> str:
    """The URL with any password (user:PASSWORD@host, ?password=…) masked."""
    url = re.sub(r"(//[^/@:]*):[^/@]*@", r"\1:***@", url)
    # libpq decodes %XX in a parameter's name as in its value: ?pass%77ord=… is a password too
    return re.sub(
        r"([?&])([^=&#]*)=([^&]*)",
        lambda m: f"{m[1]}{m[2]}=***" if unquote(m[2]).lower() == "password" else m[0],
        url,
    )


def check_url(url: str, field: str = "--db") -> dict:
    """The URL's parameters; a password in it is refused (it would sit in argv and shell history)."""
    params = _params(url, field)
    if "password" in params:
        raise Invalid(
            field,
            _without_secrets(url),
            N_("has a password in it"),
            N_(
                "give it through ~/.pgpass, PGPASSWORD or a service file (docs/team.md), never in the URL"
            ),
        )
    return params


def describe(url: object) -> str:
    """Where the database is, for messages: user@host:port/dbname, never a password."""
    try:
        p = ext.parse_dsn(str(url))
    except psycopg2.ProgrammingError:
        return "PostgreSQL"
    user = p.get("user")
    if p.get("service") and not p.get("host"):  # the host is in the service file
        dbname = "/" + p["dbname"] if p.get("dbname") else ""
        return f"PostgreSQL {(user + '@') if user else ''}service {p['service']}{dbname}"
    host = p.get("host") or "the local socket"
    where = host + (":" + p["port"] if p.get("port") else "")
    return f"PostgreSQL {(user + '@') if user else ''}{where}/{p.get('dbname') or '?'}"


def _bool_as_int(value, cursor):
    return None if value is None else int(value == "t")


def _numeric(value, cursor):
    """sum(bigint) is numeric: an int when whole (as SQLite gives), else a float."""
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else float(value)


BOOL_INT = ext.new_type((16,), "SALESCTL_BOOL", _bool_as_int)
NUMERIC = ext.new_type((1700,), "SALESCTL_NUMERIC", _numeric)
# SQLite stores booleans as 0/1 in INTEGER columns; so does this schema.
ext.register_adapter(bool, lambda b: ext.AsIs("1" if b else "0"))


class UnlockedWrite(RuntimeError):
    """A statement that changes the database ran outside `Store.write()`: a bug, refused (docs/team.md)."""


@lru_cache(maxsize=512)
def _changes_data(sql: str) -> bool:
    """Whether a statement writes: it must run under the advisory lock (BEGIN), like every change."""
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in _WRITING or "setval(" in sql


_WRITING = frozenset(("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE"))


# COPY's text format: a tab between fields, \N for NULL, backslash escapes inside text.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class Connection:
    """A psycopg2 connection with sqlite3's small surface: execute, executemany, in_transaction.

    It refuses a change made outside a transaction that holds the write lock (`begin`), so no
    read-modify-write can skip the lock; and it counts round trips to the server, printed on stderr
    at close when $SALESCTL_ROUND_TRIPS is set (benchmarks/, docs/speed.md)."""

    def __init__(self, raw, url: str):
        self.raw = raw
        self.url = url
        self.round_trips = 0
        self.locked = False  # the advisory lock is held by the open transaction

    def _check_locked(self, sql: str) -> None:
        if _changes_data(sql) and not (self.locked and self.in_transaction):
            raise UnlockedWrite(f"a change outside Store.write(): {sql.split(None, 3)[:3]}")

    def execute(self, sql: str, params=()):
        if sql == BEGIN:
            self.locked = True
        elif sql in ("COMMIT", "ROLLBACK"):
            self.locked = False
        else:
            self._check_locked(sql)
        cursor = self.raw.cursor(cursor_factory=psycopg2.extras.DictCursor)
        self.round_trips += 1
        cursor.execute(translate(sql), params if params is not None else ())
        return cursor

    def executemany(self, sql: str, rows) -> None:
        self._check_locked(sql)
        cursor = self.raw.cursor()
        rows = list(rows)
        self.round_trips += (len(rows) + 999) // 1000
        psycopg2.extras.execute_batch(cursor, translate(sql), rows, page_size=1000)

    def copy_in(self, statement: str, rows: list[tuple]) -> None:
        """`COPY table (columns) FROM STDIN` with `rows`: one round trip for a whole batch, many
        times faster than INSERTs for `db copy` (docs/speed.md)."""
        if not (self.locked and self.in_transaction):
            raise UnlockedWrite(f"a change outside Store.write(): {statement.split(' (')[0]}")
        text = "".join("\t".join(map(_copy_field, row)) + "\n" for row in rows)
        self.round_trips += 1
        self.raw.cursor().copy_expert(statement, io.StringIO(text), size=1 << 16)

    @property
    def in_transaction(self) -> bool:
        return (
            self.raw.closed == 0 and self.raw.info.transaction_status != ext.TRANSACTION_STATUS_IDLE
        )

    def close(self) -> None:
        if os.environ.get("SALESCTL_ROUND_TRIPS") and not self.raw.closed:
            print(
                f"salesctl: {self.round_trips} round trips to {describe(self.url)} (+ connecting)",
                file=sys.stderr,
            )
        self.raw.close()


def connect(url: str, *, create: bool = True) -> Connection:
    check_url(url)
    try:
        raw = psycopg2.connect(
            url,
            connect_timeout=10,
            application_name="salesctl",
            options=f"-c TimeZone=UTC -c lock_timeout={BUSY_TIMEOUT_S}s -c jit=off",
        )
    except psycopg2.OperationalError as exc:
        raise connect_error(url, exc) from None
    raw.autocommit = True
    ext.register_type(BOOL_INT, raw)
    ext.register_type(NUMERIC, raw)
    return Connection(raw, url)


# What libpq says when a connection fails (its messages carry no SQLSTATE) -> what the user can do.
_CONNECT_FAILURES = (
    (
        ("no password supplied", "authentication failed", "pg_hba.conf"),
        N_(
            "{where} refused the login ({reason}); give the password through ~/.pgpass, PGPASSWORD or a service file, never in the URL (docs/team.md)"
        ),
    ),
    (
        ("ssl", "certificate", "tls"),
        N_(
            "no secure connection to {where} ({reason}); check the URL's sslmode and the server's certificate (docs/team.md)"
        ),
    ),
    (
        ("does not exist",),
        N_(
            "{where} has no such database or role ({reason}); the owner creates them (docs/team.md)"
        ),
    ),
    (
        ("starting up", "shutting down", "in recovery", "too many"),
        N_("{where} cannot take the connection now ({reason}); try again in a moment"),
    ),
)


# libpq names the server it tried: 'connection to server at "h" (1.2.3.4), port 5432 failed: …'
_SERVER_IN_MESSAGE = re.compile(
    r'connection to server (?:at "(?P<host>[^"]*)"(?: \([^)]*\))?, port (?P<port>\d+)'
    r'|on socket "(?P<socket>[^"]*)") failed'
)


def connect_error(url: str, exc: Exception) -> StoreError:
    """A failed connection as exit 3, naming the host; an unreachable server unless libpq says more."""
    where = describe(url)
    server = _SERVER_IN_MESSAGE.match(_first_line(exc))
    if server and not ext.parse_dsn(str(url)).get("host"):
        # a service file or libpq's defaults chose the server: say which one libpq tried
        where += " at " + (server["socket"] or f"{server['host']}:{server['port']}")
    # 'connection to server at "h", port 5432 failed: FATAL:  why' -> 'why' (`where` names the server)
    reason = re.sub(r"^connection to server .*? failed: ", "", _first_line(exc))
    reason = reason.removeprefix("FATAL:").strip()
    lowered = reason.lower()
    for words, template in _CONNECT_FAILURES:
        if any(w in lowered for w in words):
            return StoreError(template, where=where, reason=reason)
    return StoreError(
        N_(
            "cannot reach {where} ({reason}); check the host and port, and that the server is running"
        ),
        where=where,
        reason=reason,
    )


def begin(conn: Connection) -> None:
    conn.execute(BEGIN)


def clock(conn: Connection) -> datetime:
    """The server's time (reminder claims): one clock for every client, however theirs are set."""
    return conn.execute("SELECT clock_timestamp()").fetchone()[0].astimezone(UTC)


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "pgerror", None) or exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    return text.removeprefix("ERROR:").strip()


def storage_error(url: object, exc: Exception) -> SalesError:
    where = describe(url)
    if isinstance(exc, (psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected)):
        return StoreError(
            N_("{where} is busy (another salesctl is writing); try again in a moment"), where=where
        )
    if isinstance(exc, psycopg2.errors.InsufficientPrivilege):
        # Grants and row-level security (docs/team.md, "Who may do what"): what the checks before
        # the write did not catch. Exit 1, as the checks' own refusals.
        from ..errors import Refused

        return Refused(
            N_(
                "{where} refused the change ({reason}): a rep changes only their own leads; ask an owner (docs/team.md)"
            ),
            where=where,
            reason=_first_line(exc),
        )
    if isinstance(exc, psycopg2.errors.UndefinedTable):
        return StoreError(
            N_("{where} has no salesctl schema ({reason}); the owner runs: salesctl db init URL"),
            where=where,
            reason=_first_line(exc),
        )
    if isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return StoreError(
            N_("lost the connection to {where} ({reason}); the change in progress was not saved"),
            where=where,
            reason=_first_line(exc),
        )
    return StoreError(N_("{where}: {reason}"), where=where, reason=_first_line(exc))


# --- SQL: one text, translated once ----------------------------------------------------------------

# SQLite spelling → PostgreSQL spelling, fixed text only (docs/team.md, "What differs").
FRAGMENTS = (
    (" CROSS JOIN reps r ON ", " JOIN reps r ON "),  # SQLite's CROSS JOIN fixes the join order
    ("group_concat(tag, char(31))", "string_agg(tag::text, chr(31) ORDER BY tag)"),
    ("max(l.created_at, l.stage_changed_at,", "greatest(l.created_at, l.stage_changed_at,"),
    ("max(p.created_at, coalesce(", "greatest(p.created_at, coalesce("),
    ("max(l.created_at, coalesce((SELECT", "greatest(l.created_at, coalesce((SELECT"),  # IDLE_SINCE
    (
        "SELECT furthest, count(*) AS n FROM (SELECT max(",
        "SELECT furthest, count(*) AS n FROM (SELECT greatest(",
    ),
    ("printf('%d:%d', ", "concat_ws(':', "),  # store.EXACT_SUM
    (
        " LIKE ? ESCAPE",
        " ILIKE ? ESCAPE",
    ),  # SQLite's LIKE ignores ASCII case; PostgreSQL's does not
    (  # store.OPEN_AT_CANDIDATES: a scan of leads beats joining 17k ids back (docs/speed.md)
        "l.id IN (SELECT id FROM leads WHERE stage < 'lost' OR (stage > 'lost' AND stage < 'won')"
        " OR stage > 'won' UNION ALL SELECT id FROM leads WHERE won_at >= :t"
        " UNION ALL SELECT id FROM leads WHERE lost_at >= :t)",
        "(l.stage NOT IN ('won', 'lost') OR l.won_at >= :t OR l.lost_at >= :t)",
    ),
    (  # store.EFFECTIVE_BY_REP_DAY: PostgreSQL hashes the grouping; 2,800 counts cost it 4x more
        "SELECT r.id AS rep_id, d.day, (SELECT count(*) FROM activities a WHERE a.rep_id = r.id"
        " AND a.effective = 1 AND a.at >= d.lo AND a.at < d.hi) AS n FROM reps r CROSS JOIN d",
        "SELECT a.rep_id, d.day, count(*) AS n FROM d JOIN activities a ON a.at >= d.lo"
        " AND a.at < d.hi WHERE a.effective = 1 GROUP BY a.rep_id, d.day",
    ),
    (" IS NOT ?", " IS DISTINCT FROM ?"),
    (" IS ?", " IS NOT DISTINCT FROM ?"),
)
# SQLite's index hints (INDEXED BY name): PostgreSQL's planner picks the partial index itself.
_INDEXED_BY = re.compile(r" INDEXED BY \w+")
_NOCASE_EQ = re.compile(r"([\w.]+) = \? COLLATE NOCASE")
_NOCASE = re.compile(r"([\w.]+) COLLATE NOCASE")
_LITERAL = re.compile(r"('(?:[^']|'')*')")
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    for sqlite_text, pg_text in FRAGMENTS:
        sql = sql.replace(sqlite_text, pg_text)
    sql = _INDEXED_BY.sub("", sql)
    if sql.startswith("INSERT OR IGNORE INTO"):
        sql = sql.replace("INSERT OR IGNORE INTO", "INSERT INTO", 1) + " ON CONFLICT DO NOTHING"
    sql = _NOCASE_EQ.sub(r"nocase(\1) = nocase(?)", sql)
    sql = _NOCASE.sub(r"nocase(\1)", sql)
    parts = _LITERAL.split(sql)  # placeholders only outside '…' literals
    for i in range(0, len(parts), 2):
        part = parts[i].replace("%", "%%").replace("?", "%s")
        parts[i] = _NAMED.sub(r"%(\1)s", part)
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace("%", "%%")
    return "".join(parts)


# --- schema ----------------------------------------------------------------------------------------

SCHEMA_TABLE = "salesctl_schema"


def schema_version(conn: Connection) -> int:
    """The schema's version, -1 without the schema. Every command asks, so outside a transaction it
    is one round trip: the missing table is the rare case, seen from its error."""
    if not conn.in_transaction:
        try:
            return conn.execute("SELECT version FROM salesctl_schema").fetchone()[0]
        except psycopg2.errors.UndefinedTable:
            return -1
    row = conn.execute("SELECT to_regclass('salesctl_schema') IS NOT NULL").fetchone()
    if not row[0]:
        return -1
    return conn.execute("SELECT version FROM salesctl_schema").fetchone()[0]


def migrate(conn: Connection, migrations: list, from_version: int) -> None:
    """Run each named migration's PostgreSQL version after `from_version`; record the version."""
    if from_version < 0:
        raise StoreError(
            N_("{where} has no salesctl schema; the owner runs: salesctl db init URL"),
            where=describe(conn.url),
        )
    for name, _sqlite_version in migrations[from_version:]:
        if name not in MIGRATIONS:
            raise StoreError(
                N_(
                    "migration {name} has no PostgreSQL version; this salesctl cannot upgrade {where}"
                ),
                name=name,
                where=describe(conn.url),
            )
        for statement in MIGRATIONS[name]:
            if statement == "default plays":
                _default_plays(conn)
            else:
                conn.execute(statement)
    conn.execute("UPDATE salesctl_schema SET version = ?", (len(migrations),))
    if any(name == "0008_migration_names" for name, _m in migrations):
        conn.executemany(
            "INSERT INTO migrations (name, applied_at) VALUES (?, to_char(now() AT TIME ZONE 'UTC',"
            ' \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')) ON CONFLICT DO NOTHING',
            [(name,) for name, _m in migrations[from_version:]],
        )


def _default_plays(conn: Connection) -> None:
    from ..store import DEFAULT_PLAYS

    conn.executemany(
        "INSERT INTO plays (name, text, stage, persona, created_at) VALUES (?, ?, NULL, ?,"
        " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ON CONFLICT DO NOTHING",
        [(name, text, persona) for name, persona, text in DEFAULT_PLAYS],
    )


def init_schema(conn: Connection, migrations: list) -> None:
    """`db init`: extensions, SQLite's functions, the version table, then every migration."""
    for statement in _BASE:
        conn.execute(statement)
    migrate(conn, migrations, 0)


def after_explicit_ids(conn: Connection, table: str) -> None:
    """Rows inserted with their own ids do not move the id sequence: set it past the largest id."""
    if table not in _TABLES:  # no id column of its own (lead_tags, settings, recurrences …)
        return
    conn.execute(
        "SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce(max(id), 0) + 1, false) FROM "
        + _TABLES[table],
        (table,),
    )


@contextmanager
def undone(conn: Connection) -> Iterator[None]:
    """A dry run (Store.write), inside its transaction: ROLLBACK undoes the rows but not the id
    sequences that inserts moved (sequences stand outside transactions), so a dry run would leave gaps
    in lead ids. Each sequence the dry run moved is set back while the write lock is still held, never
    below an id in use. Only those: a rep's role may not set sequences, and a rep's dry run refused
    before it inserted anything (import, handoff) must end in that refusal, not in a denied setval."""

    def positions() -> dict:
        return {
            table: tuple(
                conn.execute(
                    "SELECT last_value, is_called FROM " + _TABLES[table] + "_id_seq"
                ).fetchone()
            )
            for table in _TABLES
        }

    marks = positions()
    conn.execute("SAVEPOINT dry_run")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO SAVEPOINT dry_run")  # also after an error in the block
            moved = positions()
            for table, (last_value, is_called) in marks.items():
                if moved[table] == (last_value, is_called):
                    continue
                conn.execute(
                    "SELECT CASE WHEN ? >= coalesce(max(id), 0) + 1"
                    " THEN setval(pg_get_serial_sequence(?, 'id'), ?, ? = 1)"
                    " ELSE setval(pg_get_serial_sequence(?, 'id'), coalesce(max(id), 0) + 1, false)"
                    " END FROM " + _TABLES[table],
                    (last_value + int(is_called), table, last_value, int(is_called), table),
                )


_TABLES = {
    t: t
    for t in (
        "reps",
        "plays",
        "leads",
        "activities",
        "stage_history",
        "assignments",
        "targets",
        "activity_removals",
        "cadence_runs",
    )
}


@contextmanager
def bulk_index(conn: Connection, table: str, first_id: int) -> Iterator[None]:
    """pg_trgm indexes keep themselves up to date: nothing to do."""
    yield


@contextmanager
def bulk_load(conn: Connection) -> Iterator[None]:
    """Fill empty tables (`db copy`) the way pg_restore does: without the secondary indexes and
    foreign keys, which are made again at the end (index builds and one validating join per key
    instead of per-row upkeep: measured 2.3× faster on 10k leads). The caller's transaction holds
    it all, so a failure restores them; re-adding a key checks every row."""
    for statement in _BULK_DROP:
        conn.execute(statement)
    yield
    for statement in _BULK_RESTORE:
        conn.execute(statement)


_BULK_DROP = (
    "CREATE TEMP TABLE salesctl_bulk_ddl ON COMMIT DROP AS"
    " SELECT 1 AS step, format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)"
    "  AS drop_it, format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,"
    "  pg_get_constraintdef(c.oid)) AS restore_it"
    " FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
    " UNION ALL SELECT 2, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)"
    " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
    " WHERE t.relnamespace = current_schema()::regnamespace AND NOT i.indisprimary AND NOT i.indisunique",
    "DO $$DECLARE s text; BEGIN"
    " FOR s IN SELECT drop_it FROM salesctl_bulk_ddl ORDER BY step LOOP EXECUTE s; END LOOP; END$$",
)
_BULK_RESTORE = (
    "SET LOCAL maintenance_work_mem = '256MB'",
    "DO $$DECLARE s text; BEGIN"
    " FOR s IN SELECT restore_it FROM salesctl_bulk_ddl ORDER BY step DESC LOOP EXECUTE s; END LOOP; END$$",
)


_BASE = (
    "CREATE EXTENSION IF NOT EXISTS citext",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE salesctl_schema (version integer NOT NULL)",
    "INSERT INTO salesctl_schema VALUES (0)",
    # SQLite's functions that the shared queries use.
    "CREATE FUNCTION nocase(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE"
    " RETURN translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
    "CREATE FUNCTION casefold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN lower($1)",
    "CREATE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN strpos($1, $2)",
    "CREATE FUNCTION julianday(text) RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE"
    " RETURN extract(epoch FROM $1::timestamptz)::double precision / 86400.0 + 2440587.5",
    "CREATE FUNCTION salesctl_add_bool(double precision, boolean) RETURNS double precision"
    " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN $1 + $2::integer",
    "CREATE FUNCTION salesctl_count_bool(bigint, boolean) RETURNS bigint"
    " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN $1 + $2::integer",
    "CREATE AGGREGATE total(double precision) (SFUNC = float8pl, STYPE = double precision, INITCOND = '0')",
    "CREATE AGGREGATE total(boolean) (SFUNC = salesctl_add_bool, STYPE = double precision, INITCOND = '0')",
    "CREATE AGGREGATE sum(boolean) (SFUNC = salesctl_count_bool, STYPE = bigint, INITCOND = '0')",
)

# --- team logins: roles, grants, row-level security (docs/team.md, "Who may do what") ---------------

# Group roles: a person's login role is a member of one (team grant). Roles belong to the whole server,
# not to one database; which rep a role is, and whether it is an owner, is per database (team_logins).
REP_GROUP, OWNER_GROUP = "salesctl_rep", "salesctl_owner"

# Tables whose rows belong to a lead: a rep changes rows of the leads they own.
_LEAD_ROWS = (
    "lead_tags",
    "cadence_runs",
    "recurrences",
    "followup_revisions",
    "assignments",
)
# What a rep may do to each table (besides SELECT on all); row-level security narrows it to their rows.
_REP_WRITES = {
    "leads": "INSERT, UPDATE",
    "lead_tags": "INSERT, DELETE",
    "activities": "INSERT, UPDATE, DELETE",
    "stage_history": "INSERT",
    "assignments": "INSERT",
    "activity_removals": "INSERT",
    "cadence_runs": "INSERT, UPDATE",
    "recurrences": "INSERT, UPDATE, DELETE",
    "followup_revisions": "INSERT, UPDATE, DELETE",
    "reminders": "INSERT, UPDATE, DELETE",
}
_ME = "(SELECT salesctl_rep_id())"
_OWNER = "(SELECT salesctl_is_owner())"


def _policies(table: str, rep_rule: str, insert_rule: str | None = None) -> tuple[str, ...]:
    """Everyone mapped reads every row; an owner changes any; a rep only rows that pass `rep_rule`."""
    insert_rule = insert_rule or rep_rule
    writes = _REP_WRITES[table]
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY team_reads ON {table} FOR SELECT USING ({_ME} IS NOT NULL)",
        f"CREATE POLICY owner_changes ON {table} USING ({_OWNER}) WITH CHECK ({_OWNER})",
        f"CREATE POLICY rep_inserts ON {table} FOR INSERT WITH CHECK ({insert_rule})",
    ]
    if "UPDATE" in writes:
        statements.append(
            f"CREATE POLICY rep_updates ON {table} FOR UPDATE USING ({rep_rule}) WITH CHECK ({insert_rule})"
        )
    if "DELETE" in writes:
        statements.append(f"CREATE POLICY rep_deletes ON {table} FOR DELETE USING ({rep_rule})")
    return tuple(statements)


_TEAM_LOGINS = (
    # The group roles exist once per server; another database may have made them (duplicate_object), or
    # a db init running at the same moment on another database (unique_violation on pg_authid).
    f"DO $$ BEGIN CREATE ROLE {REP_GROUP} NOLOGIN;"
    " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    f"DO $$ BEGIN CREATE ROLE {OWNER_GROUP} NOLOGIN;"
    " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    """CREATE TABLE team_logins (
        role text COLLATE "C" PRIMARY KEY,
        rep_id bigint NOT NULL UNIQUE REFERENCES reps(id),
        owner integer NOT NULL DEFAULT 0 CHECK (owner IN (0, 1)),
        granted_at text COLLATE "C" NOT NULL)""",
    # Evaluated as the person connecting: the rep their role is mapped to, and whether it is an owner.
    "CREATE FUNCTION salesctl_rep_id() RETURNS bigint LANGUAGE sql STABLE"
    " RETURN (SELECT rep_id FROM team_logins WHERE role = current_user)",
    "CREATE FUNCTION salesctl_is_owner() RETURNS boolean LANGUAGE sql STABLE"
    " RETURN coalesce((SELECT owner = 1 FROM team_logins WHERE role = current_user), false)",
    "CREATE FUNCTION salesctl_owns_lead(bigint) RETURNS boolean LANGUAGE sql STABLE"
    " RETURN EXISTS (SELECT 1 FROM leads WHERE id = $1 AND owner_id = salesctl_rep_id())",
    # Table privileges: reps read everything and write only what _REP_WRITES lists; owners write all.
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {REP_GROUP}",
    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {REP_GROUP}",
    # Any role may see the schema's version, so one that is no rep here hears that, not a failed read.
    "GRANT SELECT ON salesctl_schema TO PUBLIC",
    *(f"GRANT {writes} ON {table} TO {REP_GROUP}" for table, writes in _REP_WRITES.items()),
    f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {OWNER_GROUP}",
    f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {OWNER_GROUP}",
    # Tables later migrations add: readable by reps, writable by owners, until a migration says more.
    f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {REP_GROUP}",
    f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {REP_GROUP}",
    f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO {OWNER_GROUP}",
    f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO {OWNER_GROUP}",
    # Row-level security. A lead is a rep's to change when they own it, or when nobody does (a lead in
    # the shared pool, which a rep may claim); a rep never gives a lead to someone else.
    *_policies(
        "leads",
        f"owner_id = {_ME} OR owner_id IS NULL",
        f"owner_id = {_ME} OR owner_id IS NULL",
    ),
    *_policies(
        "activities",
        f"rep_id = {_ME} AND salesctl_owns_lead(lead_id)",
    ),
    *_policies("stage_history", f"rep_id = {_ME} AND salesctl_owns_lead(lead_id)"),
    *_policies("activity_removals", f"rep_id = {_ME} AND salesctl_owns_lead(lead_id)"),
    *_policies("reminders", f"rep_id = {_ME}"),
    *(p for table in _LEAD_ROWS for p in _policies(table, "salesctl_owns_lead(lead_id)")),
)


_TEXT = 'TEXT COLLATE "C"'  # byte order, as SQLite sorts, whatever the database's locale
_NOCASE_TEXT = 'citext COLLATE "C"'  # SQLite's COLLATE NOCASE columns

MIGRATIONS: dict[str, tuple[str, ...]] = {
    "0001_initial": tuple(
        s.replace("TEXT_NOCASE", _NOCASE_TEXT).replace("TEXT", _TEXT)
        for s in (
            """CREATE TABLE reps (
            id bigserial PRIMARY KEY,
            name TEXT_NOCASE NOT NULL UNIQUE,
            email TEXT,
            active integer NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL)""",
            """CREATE TABLE plays (
            id bigserial PRIMARY KEY,
            name TEXT_NOCASE NOT NULL UNIQUE,
            text TEXT NOT NULL,
            stage TEXT,
            persona TEXT,
            created_at TEXT NOT NULL)""",
            """CREATE TABLE leads (
            id bigserial PRIMARY KEY,
            name TEXT NOT NULL, company TEXT, contact TEXT, email TEXT, phone TEXT, phone_digits TEXT,
            source TEXT, intent TEXT CHECK (intent IN ('hot', 'warm', 'cold')), industry TEXT, persona TEXT,
            value bigint CHECK (value >= 0), currency TEXT NOT NULL,
            owner_id bigint NOT NULL REFERENCES reps(id),
            stage TEXT NOT NULL, created_at TEXT NOT NULL, stage_changed_at TEXT NOT NULL,
            last_activity_at TEXT, next_at TEXT, next_step TEXT, close_by TEXT,
            key integer NOT NULL DEFAULT 0 CHECK (key IN (0, 1)),
            won_at TEXT, won_amount bigint CHECK (won_amount >= 0), lost_at TEXT, lost_reason TEXT,
            lost_stage TEXT, snoozed_until TEXT)""",
            "CREATE INDEX leads_owner_stage ON leads(owner_id, stage)",
            "CREATE INDEX leads_stage ON leads(stage)",
            "CREATE INDEX leads_created ON leads(created_at)",
            "CREATE INDEX leads_won ON leads(won_at) WHERE won_at IS NOT NULL",
            "CREATE INDEX leads_lost ON leads(lost_at) WHERE lost_at IS NOT NULL",
            "CREATE INDEX leads_email ON leads(nocase(email)) WHERE email IS NOT NULL",
            "CREATE INDEX leads_phone ON leads(phone_digits) WHERE phone_digits IS NOT NULL",
            """CREATE TABLE lead_tags (
            lead_id bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            tag TEXT_NOCASE NOT NULL,
            PRIMARY KEY (lead_id, tag))""",
            "CREATE INDEX lead_tags_tag ON lead_tags(tag)",
            """CREATE TABLE activities (
            id bigserial PRIMARY KEY,
            lead_id bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            rep_id bigint NOT NULL REFERENCES reps(id),
            kind TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
            effective integer NOT NULL CHECK (effective IN (0, 1)),
            at TEXT NOT NULL, play_id bigint REFERENCES plays(id), created_at TEXT NOT NULL)""",
            "CREATE INDEX activities_lead ON activities(lead_id, at)",
            "CREATE INDEX activities_at ON activities(at)",
            "CREATE INDEX activities_play ON activities(play_id) WHERE play_id IS NOT NULL",
            """CREATE TABLE stage_history (
            id bigserial PRIMARY KEY,
            lead_id bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            rep_id bigint NOT NULL REFERENCES reps(id),
            from_stage TEXT, to_stage TEXT NOT NULL, at TEXT NOT NULL)""",
            "CREATE INDEX stage_history_lead ON stage_history(lead_id, at)",
            "CREATE INDEX stage_history_at ON stage_history(at)",
            """CREATE TABLE assignments (
            id bigserial PRIMARY KEY,
            lead_id bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            rep_id bigint NOT NULL REFERENCES reps(id),
            from_rep_id bigint NOT NULL REFERENCES reps(id),
            to_rep_id bigint NOT NULL REFERENCES reps(id),
            at TEXT NOT NULL)""",
            "CREATE INDEX assignments_lead ON assignments(lead_id, at)",
            """CREATE TABLE targets (
            id bigserial PRIMARY KEY,
            rep_id bigint REFERENCES reps(id),
            month TEXT NOT NULL,
            amount bigint NOT NULL CHECK (amount >= 0),
            set_at TEXT NOT NULL)""",
            "CREATE UNIQUE INDEX targets_scope ON targets(month, coalesce(rep_id, 0))",
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """CREATE TABLE reminders (
            rep_id bigint NOT NULL REFERENCES reps(id),
            day TEXT NOT NULL, claimed_at TEXT NOT NULL, sent_at TEXT,
            PRIMARY KEY (rep_id, day))""",
        )
    ),
    "0002_default_plays": ("default plays",),  # rows, not DDL: see _default_plays
    "0003_search": (
        "CREATE INDEX leads_search ON leads USING gin ((name || ' ' || coalesce(company, '')) gin_trgm_ops)",
        "CREATE INDEX activities_search ON activities USING gin (note gin_trgm_ops)",
    ),
    "0005_after_sale_index": (
        "CREATE INDEX leads_after_sale ON leads(next_at) WHERE stage = 'won' AND next_at IS NOT NULL",
    ),
    "0006_activity_removals": (
        """CREATE TABLE activity_removals (
            id bigserial PRIMARY KEY,
            lead_id bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            rep_id bigint NOT NULL REFERENCES reps(id),
            activity_id bigint NOT NULL,
            kind text COLLATE "C" NOT NULL, note text COLLATE "C" NOT NULL,
            activity_at text COLLATE "C" NOT NULL, at text COLLATE "C" NOT NULL)""",
        "CREATE INDEX activity_removals_lead ON activity_removals(lead_id, at)",
    ),
    "0007_cadences_recurrence_calendar": (
        'ALTER TABLE plays ADD COLUMN cadence text COLLATE "C"',
        """CREATE TABLE cadence_runs (
            id bigserial PRIMARY KEY,
            lead_id bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            play_id bigint NOT NULL REFERENCES plays(id),
            rep_id bigint NOT NULL REFERENCES reps(id),
            steps_done integer NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
            started_at text COLLATE "C" NOT NULL, ended_at text COLLATE "C", end_reason text COLLATE "C")""",
        "CREATE UNIQUE INDEX cadence_runs_running ON cadence_runs(lead_id) WHERE ended_at IS NULL",
        "CREATE INDEX cadence_runs_play ON cadence_runs(play_id, lead_id, started_at)",
        """CREATE TABLE recurrences (
            lead_id bigint PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
            every text COLLATE "C" NOT NULL, set_at text COLLATE "C" NOT NULL)""",
        """CREATE TABLE followup_revisions (
            lead_id bigint PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
            sequence integer NOT NULL, modified_at text COLLATE "C" NOT NULL)""",
        # the random part of every calendar event UID, made once per database
        "INSERT INTO settings (key, value) VALUES ('calendar_id',"
        " '\"' || substr(md5(random()::text || clock_timestamp()::text), 1, 16) || '\"') ON CONFLICT (key) DO NOTHING",
    ),
    "0008_migration_names": (
        'CREATE TABLE migrations (name text COLLATE "C" PRIMARY KEY, applied_at text COLLATE "C")',
    ),
    "0009_mark_salesctl_file": (),  # the SQLite file header's mark; a server database is salesctl's by its schema
    "0010_effective_touches_index": (
        "CREATE INDEX activities_effective_at ON activities(at, rep_id) WHERE effective = 1",
    ),
    "0011_rep_language": ('ALTER TABLE reps ADD COLUMN lang text COLLATE "C"',),
    "0012_team_logins": _TEAM_LOGINS,
    "0013_shared_pool": (
        "ALTER TABLE leads ALTER COLUMN owner_id DROP NOT NULL",
        "ALTER TABLE assignments ALTER COLUMN rep_id DROP NOT NULL",
        "ALTER TABLE assignments ALTER COLUMN from_rep_id DROP NOT NULL",
        "ALTER TABLE assignments ALTER COLUMN to_rep_id DROP NOT NULL",
        'ALTER TABLE assignments ADD COLUMN kind text COLLATE "C"',
        'ALTER TABLE assignments ADD COLUMN reason text COLLATE "C"',
        'ALTER TABLE assignments ADD COLUMN notified_at text COLLATE "C"',
        "CREATE INDEX assignments_at ON assignments(at) WHERE kind IS NOT NULL",
    ),
    "0014_report_covering_indexes": (
        "CREATE INDEX activities_at_rep ON activities(at, rep_id, effective, kind)",
        "DROP INDEX activities_at",
        "CREATE INDEX leads_figures ON leads(id, currency, value, owner_id, won_at, lost_at)",
    ),
    # docs/pool.md, "For the team database": a rep's `add --pool` writes the new pool lead's first
    # stage_history row (and its tags), and a rep's digest marks the recycles it told them of.
    "0015_team_pool_permissions": (
        "CREATE FUNCTION salesctl_in_pool(bigint) RETURNS boolean LANGUAGE sql STABLE"
        " RETURN EXISTS (SELECT 1 FROM leads WHERE id = $1 AND owner_id IS NULL)",
        "DROP POLICY rep_inserts ON stage_history",
        "CREATE POLICY rep_inserts ON stage_history FOR INSERT WITH CHECK"
        f" (rep_id = {_ME} AND (salesctl_owns_lead(lead_id)"
        " OR (from_stage IS NULL AND salesctl_in_pool(lead_id))))",
        "DROP POLICY rep_inserts ON lead_tags",
        "CREATE POLICY rep_inserts ON lead_tags FOR INSERT WITH CHECK"
        " (salesctl_owns_lead(lead_id) OR salesctl_in_pool(lead_id))",
        f"GRANT UPDATE (notified_at) ON assignments TO {REP_GROUP}",
        "CREATE POLICY rep_marks_told ON assignments FOR UPDATE"
        f" USING (kind = 'recycle' AND from_rep_id = {_ME})"
        f" WITH CHECK (kind = 'recycle' AND from_rep_id = {_ME})",
    ),
    # Each lead's moves in order without to_stage on the server: with the wider index PostgreSQL's
    # plan for the report's stage-then look-ups read all of stage_history (report at 100k leads 1.4 s
    # against 0.87 s with this one; docs/speed.md, The report's pictures).
    "0016_stage_history_covering_indexes": (
        "CREATE INDEX stage_history_moves ON stage_history(at, lead_id, from_stage, to_stage, rep_id)",
        "DROP INDEX stage_history_at",
        "DROP INDEX stage_history_lead",
        "CREATE INDEX stage_history_lead ON stage_history(lead_id, at, id)",
    ),
    "0004_open_leads_index": (
        "CREATE INDEX leads_open ON leads(id) WHERE stage NOT IN ('won', 'lost')",
        "CREATE INDEX leads_open_owner ON leads(owner_id, id) WHERE stage NOT IN ('won', 'lost')",
        "CREATE INDEX activities_play_lead ON activities(play_id, lead_id, at) WHERE play_id IS NOT NULL",
    ),
}


def team_login(conn: Connection):
    """Who this connection is: its role, whether it is the database's own owner (no per-rep limits),
    and the rep and owner flag `team grant` gave it. One round trip."""
    try:
        return _login_of(conn)
    except psycopg2.errors.InsufficientPrivilege:  # a role in no salesctl group reads nothing here
        return {"role": conn.raw.info.user, "admin": False, "rep_id": None, "rep": None, "owner": 0}


def _login_of(conn: Connection):
    return conn.execute(
        "SELECT current_user AS role,"
        " (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)"
        "  OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'leads'::regclass), 'USAGE')"
        "  AS admin,"
        " t.rep_id, r.name AS rep, coalesce(t.owner, 0) AS owner"
        " FROM (SELECT 1) AS one LEFT JOIN team_logins t ON t.role = current_user"
        " LEFT JOIN reps r ON r.id = t.rep_id"
    ).fetchone()


def role_exists(conn: Connection, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone() is not None


def grant_groups(conn: Connection, role: str, owner: bool) -> None:
    """Make `role` a member of the rep group, and of the owner group when `owner` (with the right to
    grant both on, so an owner can run team grant in turn); identifiers quoted by the driver."""
    from psycopg2 import sql

    name = sql.Identifier(role)
    with conn.raw.cursor() as cursor:
        if owner:
            cursor.execute(
                sql.SQL("GRANT {}, {} TO {} WITH ADMIN OPTION").format(
                    sql.Identifier(REP_GROUP), sql.Identifier(OWNER_GROUP), name
                )
            )
        else:
            cursor.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(OWNER_GROUP), name))
            cursor.execute(
                sql.SQL("REVOKE ADMIN OPTION FOR {} FROM {}").format(
                    sql.Identifier(REP_GROUP), name
                )
            )
            cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(REP_GROUP), name))
    conn.round_trips += 3


def revoke_groups(conn: Connection, role: str) -> None:
    from psycopg2 import sql

    with conn.raw.cursor() as cursor:
        cursor.execute(
            sql.SQL("REVOKE {}, {} FROM {}").format(
                sql.Identifier(OWNER_GROUP), sql.Identifier(REP_GROUP), sql.Identifier(role)
            )
        )
    conn.round_trips += 1


def analyze(conn: Connection) -> None:
    """Statistics for the planner after a bulk load (`db copy`)."""
    conn.execute("ANALYZE")


def inspect(conn: Connection, current: int) -> list[tuple[str, str, Words]]:
    """Health checks of a team database for `doctor` (details as store.inspect_database's)."""
    from ..store import schema_check

    checks = [
        (
            "server",
            "ok",
            Words(
                "{where}, PostgreSQL {version}",
                where=describe(conn.url),
                version=conn.raw.info.server_version // 10000,
            ),
        ),
        schema_check(schema_version(conn), current),
    ]
    missing = [
        e
        for e in ("citext", "pg_trgm")
        if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = ?", (e,)).fetchone()
    ]
    checks.append(
        (
            "extensions",
            "error" if missing else "ok",
            Words(N_("missing: {names}"), names=", ".join(missing))
            if missing
            else Words("citext, pg_trgm"),
        )
    )
    ctype, encoding = conn.execute(
        "SELECT datctype, pg_encoding_to_char(encoding) FROM pg_database"
        " WHERE datname = current_database()"
    ).fetchone()
    if encoding == "UTF8" and re.search(r"\.utf-?8$", ctype, re.IGNORECASE):
        checks.append(("locale", "ok", f"LC_CTYPE {ctype}"))
    else:  # pg_trgm then makes no trigrams of Chinese text: search reads every lead (docs/team.md)
        checks.append(
            (
                "locale",
                "warning",
                f"LC_CTYPE {ctype}, encoding {encoding}: search cannot use its index for Chinese"
                " text; create a database with --lc-ctype=C.UTF-8 and move there with db copy",
            )
        )
    return checks
