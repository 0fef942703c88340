"""SQLite, the embedded default: one local file in WAL mode (docs/team.md lists what differs on PostgreSQL).

Store's SQL is written for SQLite, so nothing is translated here. Opening the file safely stays in
store.py (Store.__init__); this module is BEGIN IMMEDIATE, the schema version, full-text upkeep, the
casefold function and the error messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import StoreError
from ..i18n import N_

NAME = "sqlite"
BUSY_TIMEOUT_S = 15
Error = sqlite3.Error
IntegrityError = sqlite3.IntegrityError
# Search runs through the FTS5 trigram tables of migration 0003 (see Store.search).
HAS_FTS = True


def describe(location: object) -> str:
    return str(location)


def begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE takes the write lock up front, so read-modify-write is safe."""
    conn.execute("BEGIN IMMEDIATE")


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def after_explicit_ids(conn: sqlite3.Connection, table: str) -> None:
    """Rows inserted with their own ids: SQLite's next rowid is max(id) + 1 anyway."""


@contextmanager
def bulk_index(conn: sqlite3.Connection, table: str, first_id: int) -> Iterator[None]:
    """Index rows inserted into `table` in one statement at the end instead of by a trigger per row.

    Measured on 100k leads: 4.2 s of CPU with the per-row trigger, 1.2 s this way. Dropping and
    re-creating the trigger is part of the caller's transaction, so a failure restores it."""
    fts, trigger, columns = _FTS[table]
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).fetchone()[0]
    conn.execute("DROP TRIGGER " + trigger)
    yield
    conn.execute(
        f"INSERT INTO {fts} (rowid, {columns}) SELECT id, {columns} FROM {table} WHERE id >= ?",
        (first_id,),
    )
    conn.execute(sql)


# FTS tables and the trigger that indexes each new row, by content table.
_FTS = {
    "leads": ("leads_fts", "leads_fts_insert", "name, company"),
    "activities": ("activities_fts", "activities_fts_insert", "note"),
}


def casefold(text: str | None) -> str | None:
    """SQL `casefold(x)`: Unicode case folding, for matching beyond NOCASE's ASCII letters."""
    return text.casefold() if isinstance(text, str) else None


def storage_error(path: object, exc: sqlite3.Error) -> StoreError:
    """Translate SQLite's failures into a message a user can act on (exit 3)."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(
            N_("database {path} is busy (another salesctl is writing); try again in a moment"),
            path=path,
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            N_("{path} is not a salesctl database or is corrupt ({reason}); run salesctl doctor"),
            path=path,
            reason=text,
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(
            N_(
                "database {path} is read-only ({reason}); check the file's and folder's permissions"
            ),
            path=path,
            reason=text,
        )
    if "full" in text:
        return StoreError(
            N_("cannot write {path}: the disk is full ({reason}); nothing was changed"),
            path=path,
            reason=text,
        )
    code = getattr(exc, "sqlite_errorname", None) or ""
    if code.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        # EFBIG (a file-size limit) and failing drives land here, not in SQLITE_FULL.
        return StoreError(
            N_(
                "cannot read or write {path}: disk I/O error ({reason}); the disk may be full, the file over a size limit or the drive failing; the interrupted change was not saved"
            ),
            path=path,
            reason=code or text,
        )
    if "unable to open" in text:
        return StoreError(
            N_("cannot open database {path} ({reason}); check the path and its permissions"),
            path=path,
            reason=text,
        )
    return StoreError(N_("database {path}: {reason}"), path=path, reason=text)


def analyze(conn: sqlite3.Connection) -> None:
    """Nothing: the queries are tuned for SQLite without statistics (see store.OPEN_BY_OWNER)."""
