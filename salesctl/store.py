"""The only module that speaks SQL: connection discipline, schema and migrations, and every query.

Discipline: every connection runs in autocommit mode with WAL, foreign keys and a long busy timeout;
every change happens inside `Store.write()` (BEGIN IMMEDIATE … COMMIT), so it commits whole or not at
all and concurrent writers queue instead of failing. Identifiers in SQL come only from fixed lists in
this module; every value is a bound parameter.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Ambiguous, Duplicate, NotFound, StoreError

BUSY_TIMEOUT_S = 15

# A fixed SQL fragment: a lead is open unless it is won or lost.
OPEN = "l.stage NOT IN ('won', 'lost')"


# --- schema ----------------------------------------------------------------------------------------
# Migrations are append-only: never edit a released one; add the next. user_version = how many ran.

def _m0001_initial(conn: sqlite3.Connection) -> None:
    for statement in """
    CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        email TEXT,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL
    );
    CREATE TABLE plays (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        text TEXT NOT NULL,
        stage TEXT,
        persona TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE leads (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        company TEXT,
        contact TEXT,
        email TEXT,
        phone TEXT,
        phone_digits TEXT,
        source TEXT,
        intent TEXT CHECK (intent IN ('hot', 'warm', 'cold')),
        industry TEXT,
        persona TEXT,
        value INTEGER CHECK (value >= 0),
        currency TEXT NOT NULL,
        owner_id INTEGER NOT NULL REFERENCES reps(id),
        stage TEXT NOT NULL,
        created_at TEXT NOT NULL,
        stage_changed_at TEXT NOT NULL,
        last_activity_at TEXT,
        next_at TEXT,
        next_step TEXT,
        close_by TEXT,
        key INTEGER NOT NULL DEFAULT 0 CHECK (key IN (0, 1)),
        won_at TEXT,
        won_amount INTEGER CHECK (won_amount >= 0),
        lost_at TEXT,
        lost_reason TEXT,
        lost_stage TEXT,
        snoozed_until TEXT
    );
    CREATE INDEX leads_owner_stage ON leads(owner_id, stage);
    CREATE INDEX leads_stage ON leads(stage);
    CREATE INDEX leads_created ON leads(created_at);
    CREATE INDEX leads_won ON leads(won_at) WHERE won_at IS NOT NULL;
    CREATE INDEX leads_lost ON leads(lost_at) WHERE lost_at IS NOT NULL;
    CREATE INDEX leads_email ON leads(email COLLATE NOCASE) WHERE email IS NOT NULL;
    CREATE INDEX leads_phone ON leads(phone_digits) WHERE phone_digits IS NOT NULL;
    CREATE TABLE lead_tags (
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (lead_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX lead_tags_tag ON lead_tags(tag);
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        kind TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        effective INTEGER NOT NULL CHECK (effective IN (0, 1)),
        at TEXT NOT NULL,
        play_id INTEGER REFERENCES plays(id),
        created_at TEXT NOT NULL
    );
    CREATE INDEX activities_lead ON activities(lead_id, at);
    CREATE INDEX activities_at ON activities(at);
    CREATE INDEX activities_play ON activities(play_id) WHERE play_id IS NOT NULL;
    CREATE TABLE stage_history (
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        from_stage TEXT,
        to_stage TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX stage_history_lead ON stage_history(lead_id, at);
    CREATE INDEX stage_history_at ON stage_history(at);
    CREATE TABLE assignments (
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        from_rep_id INTEGER NOT NULL REFERENCES reps(id),
        to_rep_id INTEGER NOT NULL REFERENCES reps(id),
        at TEXT NOT NULL
    );
    CREATE INDEX assignments_lead ON assignments(lead_id, at);
    CREATE TABLE targets (
        id INTEGER PRIMARY KEY,
        rep_id INTEGER REFERENCES reps(id),
        month TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount >= 0),
        set_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX targets_scope ON targets(month, ifnull(rep_id, 0));
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE reminders (
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        day TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (rep_id, day)
    );
    """.split(";"):
        if statement.strip():
            conn.execute(statement)


MIGRATIONS = [
    ("0001_initial", _m0001_initial),
]
SCHEMA_VERSION = len(MIGRATIONS)


# --- connection ------------------------------------------------------------------------------------

def _create_private(path: Path) -> None:
    """Create the database file 0600 (and a missing directory 0700) before SQLite touches it."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


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


class Store:
    """One open salesctl database."""

    def __init__(self, path: Path | str, *, create: bool = True):
        self.path = path
        memory = str(path) == ":memory:"
        if not memory:
            path = Path(path)
            if create:
                _create_private(path)
            elif not path.exists():
                raise StoreError(f"database {path} does not exist")
        try:
            self.conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not memory and self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc

    @classmethod
    def empty(cls) -> Store:
        """An in-memory database with the schema: what read commands see when the file is missing."""
        return cls(":memory:")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic change: BEGIN IMMEDIATE takes the write lock up front, so read-modify-write is safe."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise storage_error(self.path, exc) from exc
            raise

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {version}, newer than this salesctl knows "
                f"({SCHEMA_VERSION}); upgrade salesctl"
            )
        with self.write():
            version = self.schema_version()  # another process may have migrated while we waited
            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # --- settings ----------------------------------------------------------------------------------

    def settings_rows(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self.all("SELECT key, value FROM settings")}

    def set_setting(self, key: str, json_value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json_value),
        )

    def stage_counts(self) -> dict[str, int]:
        return {r["stage"]: r["n"] for r in self.all("SELECT stage, count(*) AS n FROM leads GROUP BY stage")}

    # --- reps --------------------------------------------------------------------------------------

    def reps(self, *, active_only: bool = False) -> list[sqlite3.Row]:
        return self.all(
            "SELECT r.id, r.name, r.email, r.active, r.created_at,"
            " (SELECT count(*) FROM leads l WHERE l.owner_id = r.id AND " + OPEN + ") AS open_leads"
            " FROM reps r WHERE r.active >= ? ORDER BY r.name",
            (1 if active_only else 0,),
        )

    def rep(self, name: str) -> sqlite3.Row | None:
        return self.one("SELECT id, name, email, active FROM reps WHERE name = ?", (name,))

    def require_rep(self, name: str, *, field: str, active: bool = True) -> sqlite3.Row:
        """A rep named explicitly must exist (and be active where it will own leads)."""
        row = self.rep(name)
        if row is None or (active and not row["active"]):
            known = ", ".join(r["name"] for r in self.reps(active_only=True)) or "none yet"
            problem = "is not an active rep" if row is not None else "is not a rep"
            raise NotFound(f'{field}: "{name}" {problem}; known reps: {known}')
        return row

    def add_rep(self, name: str, email: str | None, now: str) -> int:
        if self.rep(name) is not None:
            raise Duplicate(f'rep: "{name}" already exists')
        return self.conn.execute(
            "INSERT INTO reps (name, email, created_at) VALUES (?, ?, ?)", (name, email, now)
        ).lastrowid

    def ensure_rep(self, name: str, now: str) -> int:
        """The current rep's id, creating the rep on its first write."""
        row = self.rep(name)
        if row is not None:
            return row["id"]
        return self.conn.execute("INSERT INTO reps (name, created_at) VALUES (?, ?)", (name, now)).lastrowid

    def update_rep(self, rep_id: int, *, email: str | None = None, active: bool | None = None) -> None:
        if email is not None:
            self.conn.execute("UPDATE reps SET email = ? WHERE id = ?", (email, rep_id))
        if active is not None:
            self.conn.execute("UPDATE reps SET active = ? WHERE id = ?", (int(active), rep_id))

    def open_lead_count(self, rep_id: int) -> int:
        return self.one("SELECT count(*) FROM leads l WHERE l.owner_id = ? AND " + OPEN, (rep_id,))[0]

    # --- leads -------------------------------------------------------------------------------------

    LEAD_FIELDS = (
        "name", "company", "contact", "email", "phone", "phone_digits", "source", "intent", "industry",
        "persona", "value", "currency", "owner_id", "stage", "created_at", "stage_changed_at",
        "last_activity_at", "next_at", "next_step", "close_by", "key", "won_at", "won_amount", "lost_at",
        "lost_reason", "lost_stage", "snoozed_until",
    )
    LEAD_SELECT = (
        "SELECT l.*, r.name AS owner,"
        " (SELECT group_concat(tag, char(31)) FROM lead_tags t WHERE t.lead_id = l.id) AS tags"
        " FROM leads l JOIN reps r ON r.id = l.owner_id"
    )

    def duplicates(self, email: str | None, digits: str | None, *, exclude: int | None = None) -> list[sqlite3.Row]:
        """Leads sharing the email (any case) or the phone digits."""
        if not email and not digits:
            return []
        return self.all(
            "SELECT id, name, company, stage FROM leads"
            " WHERE id IS NOT ? AND ((email = ? COLLATE NOCASE) OR (phone_digits = ?)) ORDER BY id",
            (exclude, email, digits),
        )

    def insert_lead(self, fields: dict, *, lead_id: int | None = None) -> int:
        columns = [c for c in self.LEAD_FIELDS if c in fields]
        values = [fields[c] for c in columns]
        if lead_id is not None:
            columns.insert(0, "id")
            values.insert(0, lead_id)
        sql = "INSERT INTO leads (" + ", ".join(columns) + ") VALUES (" + ", ".join("?" * len(columns)) + ")"
        return self.conn.execute(sql, values).lastrowid

    def update_lead(self, lead_id: int, fields: dict) -> None:
        columns = [c for c in self.LEAD_FIELDS if c in fields]
        if columns:
            sql = "UPDATE leads SET " + ", ".join(f"{c} = ?" for c in columns) + " WHERE id = ?"
            self.conn.execute(sql, [fields[c] for c in columns] + [lead_id])

    def delete_lead(self, lead_id: int) -> None:
        self.conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))

    def lead(self, lead_id: int) -> sqlite3.Row:
        row = self.one(self.LEAD_SELECT + " WHERE l.id = ?", (lead_id,))
        if row is None:
            raise NotFound(f"lead: no lead with id {lead_id}")
        return row

    def add_tags(self, lead_id: int, tags: list[str]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO lead_tags (lead_id, tag) VALUES (?, ?)", [(lead_id, t) for t in tags]
        )

    def remove_tags(self, lead_id: int, tags: list[str]) -> None:
        self.conn.executemany("DELETE FROM lead_tags WHERE lead_id = ? AND tag = ?", [(lead_id, t) for t in tags])

    def lead_counts(self, lead_id: int) -> dict[str, int]:
        return {
            "activities": self.one("SELECT count(*) FROM activities WHERE lead_id = ?", (lead_id,))[0],
        }

    def resolve_lead(self, ref: str) -> int:
        """A lead reference: an id, or text matching exactly one lead's name or company.

        Preference, most specific first: an exact name among open leads, an exact name, a substring
        among open leads, a substring. Several matches at the first level that has any is ambiguous.
        """
        text = ref.strip().removeprefix("#")
        if text.isdigit():
            lead_id = int(text)
            if lead_id > 2**63 - 1 or self.one("SELECT 1 FROM leads WHERE id = ?", (lead_id,)) is None:
                raise NotFound(f"lead: no lead with id {text}")
            return lead_id
        if not text:
            raise NotFound('lead: "" matches no lead; give an id or part of a name or company')
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.all(
            "SELECT l.id, l.name, l.company, l.stage, " + OPEN + " AS open,"
            " (l.name = ? COLLATE NOCASE) AS exact"
            " FROM leads l WHERE l.name LIKE ? ESCAPE '\\' OR l.company LIKE ? ESCAPE '\\'"
            " ORDER BY l.id LIMIT 1000",
            (text, pattern, pattern),
        )
        for level in (
            [r for r in rows if r["exact"] and r["open"]],
            [r for r in rows if r["exact"]],
            [r for r in rows if r["open"]],
            rows,
        ):
            if len(level) == 1:
                return level[0]["id"]
            if level:
                listed = "; ".join(
                    f"#{r['id']} {r['name']}" + (f" ({r['company']})" if r["company"] else "") + f" [{r['stage']}]"
                    for r in level[:10]
                )
                more = f"; and {len(level) - 10} more" if len(level) > 10 else ""
                raise Ambiguous(f'lead: "{ref}" matches {len(level)} leads: {listed}{more}; use the id')
        raise NotFound(f'lead: "{ref}" matches no lead')

    # Sort keys for `lead list`: user word → fixed SQL expression (never user text in SQL).
    LEAD_SORTS = {
        "id": "l.id",
        "name": "l.name COLLATE NOCASE",
        "company": "l.company COLLATE NOCASE",
        "owner": "r.name COLLATE NOCASE",
        "value": "l.value",
        "created": "l.created_at",
        "updated": "l.stage_changed_at",
        "activity": "l.last_activity_at",
        "next": "l.next_at IS NULL, l.next_at",
        "close_by": "l.close_by IS NULL, l.close_by",
        "stage": "stage_order",
    }

    def list_leads(
        self,
        *,
        stages: list[str],
        all_stages: list[str],
        owner_id: int | None,
        tag: str | None,
        source: str | None,
        intent: str | None,
        key: bool,
        include_closed: bool,
        sort: str,
        descending: bool,
        limit: int | None,
    ) -> list[sqlite3.Row]:
        where, params = [], []
        if stages:
            where.append("l.stage IN (" + ", ".join("?" * len(stages)) + ")")
            params += stages
        elif not include_closed:
            where.append(OPEN)
        if owner_id is not None:
            where.append("l.owner_id = ?")
            params.append(owner_id)
        if tag:
            where.append("l.id IN (SELECT lead_id FROM lead_tags WHERE tag = ?)")
            params.append(tag)
        if source:
            where.append("l.source = ? COLLATE NOCASE")
            params.append(source)
        if intent:
            where.append("l.intent = ?")
            params.append(intent)
        if key:
            where.append("l.key = 1")
        order = self.LEAD_SORTS[sort]
        direction = " DESC" if descending else ""
        order_by = ", ".join(part.strip() + direction for part in order.split(",")) + ", l.id" + direction
        stage_order = "CASE l.stage " + " ".join("WHEN ? THEN ?" for _ in all_stages) + " END AS stage_order"
        sql = (
            self.LEAD_SELECT.replace(" FROM leads l", ", " + stage_order + " FROM leads l")
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY " + order_by
            + (" LIMIT ?" if limit is not None else "")
        )
        order_params = [v for i, s in enumerate(all_stages) for v in (s, i)]
        return self.all(sql, order_params + params + ([limit] if limit is not None else []))

    # --- history -----------------------------------------------------------------------------------

    def record_stage(self, lead_id: int, rep_id: int, from_stage: str | None, to_stage: str, at: str) -> None:
        self.conn.execute(
            "INSERT INTO stage_history (lead_id, rep_id, from_stage, to_stage, at) VALUES (?, ?, ?, ?, ?)",
            (lead_id, rep_id, from_stage, to_stage, at),
        )

    def record_assignment(self, lead_id: int, rep_id: int, from_rep_id: int, to_rep_id: int, at: str) -> None:
        self.conn.execute(
            "INSERT INTO assignments (lead_id, rep_id, from_rep_id, to_rep_id, at) VALUES (?, ?, ?, ?, ?)",
            (lead_id, rep_id, from_rep_id, to_rep_id, at),
        )

    def stage_before(self, lead_id: int, to_stage: str) -> str | None:
        """The stage a lead was in before its latest move to `to_stage`."""
        row = self.one(
            "SELECT from_stage FROM stage_history WHERE lead_id = ? AND to_stage = ? ORDER BY at DESC, id DESC LIMIT 1",
            (lead_id, to_stage),
        )
        return row["from_stage"] if row else None

    def add_activity(
        self, lead_id: int, rep_id: int, kind: str, note: str, effective: bool, at: str, play_id: int | None, now: str
    ) -> int:
        return self.conn.execute(
            "INSERT INTO activities (lead_id, rep_id, kind, note, effective, at, play_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (lead_id, rep_id, kind, note, int(effective), at, play_id, now),
        ).lastrowid

    def timeline(self, lead_id: int) -> list[sqlite3.Row]:
        """Activities, stage moves and owner changes of one lead, oldest first."""
        return self.all(
            # Same instant: creation first, then the activity, then the move it caused, then owner changes.
            "SELECT 'activity' AS type, a.at, r.name AS rep, a.kind, a.note, a.effective, p.name AS play,"
            "  NULL AS from_value, NULL AS to_value, a.id AS seq, 1 AS tie"
            " FROM activities a JOIN reps r ON r.id = a.rep_id LEFT JOIN plays p ON p.id = a.play_id"
            " WHERE a.lead_id = ?"
            " UNION ALL"
            " SELECT 'stage', h.at, r.name, NULL, NULL, NULL, NULL, h.from_stage, h.to_stage, h.id,"
            "  CASE WHEN h.from_stage IS NULL THEN 0 ELSE 2 END"
            " FROM stage_history h JOIN reps r ON r.id = h.rep_id WHERE h.lead_id = ?"
            " UNION ALL"
            " SELECT 'owner', s.at, r.name, NULL, NULL, NULL, NULL, f.name, t.name, s.id, 3"
            " FROM assignments s JOIN reps r ON r.id = s.rep_id JOIN reps f ON f.id = s.from_rep_id"
            " JOIN reps t ON t.id = s.to_rep_id WHERE s.lead_id = ?"
            " ORDER BY at, tie, seq",
            (lead_id, lead_id, lead_id),
        )
