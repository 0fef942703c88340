"""SQLite, the embedded default: one local file in WAL mode (docs/team.md lists what differs on PostgreSQL).

Store's SQL is written for SQLite, so nothing is translated here: this module is the file's set-up,
its schema version (PRAGMA user_version), BEGIN IMMEDIATE, full-text upkeep and error messages.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError

NAME = "sqlite"
BUSY_TIMEOUT_S = 15
Error = sqlite3.Error
IntegrityError = sqlite3.IntegrityError
# Search runs through the FTS5 trigram tables of migration 0003 (see Store.search).
HAS_FTS = True


def _create_private(path: Path) -> None:
    """Create the database file 0600 (and a missing directory 0700) before SQLite touches it."""
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):  # each created folder 0700 (mkdir(parents=True) gives parents 0777 & ~umask)
        folder.mkdir(mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def describe(location: object) -> str:
    return str(location)


def connect(location: Path | str, *, create: bool) -> sqlite3.Connection:
    memory = str(location) == ":memory:"
    if not memory:
        path = Path(location)
        if create:
            _create_private(path)
        elif not path.exists():
            raise StoreError(f"database {path} does not exist")
    try:
        conn = sqlite3.connect(str(location), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not memory and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise storage_error(location, exc) from exc
    return conn


def begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE takes the write lock up front, so read-modify-write is safe."""
    conn.execute("BEGIN IMMEDIATE")


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, migrations: list, from_version: int) -> None:
    """Run the migrations after `from_version` (inside the caller's transaction) and record the version."""
    for _name, migration in migrations[from_version:]:
        migration(conn)
    conn.execute(f"PRAGMA user_version = {len(migrations)}")


def after_explicit_ids(conn: sqlite3.Connection, table: str) -> None:
    """Rows inserted with their own ids: SQLite's next rowid is max(id) + 1 anyway."""


@contextmanager
def bulk_index(conn: sqlite3.Connection, table: str, first_id: int) -> Iterator[None]:
    """Index rows inserted into `table` in one statement at the end instead of by a trigger per row.

    Measured on 100k leads: 4.2 s of CPU with the per-row trigger, 1.2 s this way. Dropping and
    re-creating the trigger is part of the caller's transaction, so a failure restores it."""
    fts, trigger, columns = _FTS[table]
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)).fetchone()[0]
    conn.execute("DROP TRIGGER " + trigger)
    yield
    conn.execute(f"INSERT INTO {fts} (rowid, {columns}) SELECT id, {columns} FROM {table} WHERE id >= ?", (first_id,))
    conn.execute(sql)


# FTS tables and the trigger that indexes each new row, by content table.
_FTS = {"leads": ("leads_fts", "leads_fts_insert", "name, company"),
        "activities": ("activities_fts", "activities_fts_insert", "note")}


def _casefold(text: str | None) -> str | None:
    """SQL `casefold(x)`: Unicode case folding, for matching beyond NOCASE's ASCII letters."""
    return text.casefold() if isinstance(text, str) else None


def storage_error(path: object, exc: sqlite3.Error) -> StoreError:
    """Translate SQLite's failures into a message a user can act on (exit 3)."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"database {path} is busy (another salesctl is writing); try again in a moment")
    if "not a database" in text or "malformed" in text:
        return StoreError(f"{path} is not a salesctl database or is corrupt ({text}); run salesctl doctor")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"database {path} is read-only ({text}); check the file's and folder's permissions")
    if "full" in text:
        return StoreError(f"cannot write {path}: the disk is full ({text}); nothing was changed")
    code = getattr(exc, "sqlite_errorname", None) or ""
    if code.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        # EFBIG (a file-size limit) and failing drives land here, not in SQLITE_FULL.
        return StoreError(f"cannot read or write {path}: disk I/O error ({code or text}); the disk may be full, "
                          "the file over a size limit or the drive failing; the interrupted change was not saved")
    if "unable to open" in text:
        return StoreError(f"cannot open database {path} ({text}); check the path and its permissions")
    return StoreError(f"database {path}: {text}")


def analyze(conn: sqlite3.Connection) -> None:
    """Nothing: the queries are tuned for SQLite without statistics (see store.OPEN_BY_OWNER)."""
