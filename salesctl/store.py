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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import dialects, fields
from .dialects import sqlite as sqlite_dialect
from .errors import (
    Ambiguous,
    Duplicate,
    Joined,
    NotFound,
    Refused,
    SalesError,
    StoreError,
    Term,
    Words,
)
from .i18n import N_

BUSY_TIMEOUT_S = sqlite_dialect.BUSY_TIMEOUT_S

# A fixed SQL fragment: a lead is open unless it is won or lost.
OPEN = "l.stage NOT IN ('won', 'lost')"
# One rep's open leads through the partial index of open leads per owner (migration 0004). Without
# statistics SQLite prefers leads_owner_stage, which also walks the rep's won and lost history:
# 20 ms instead of 1 ms for per-rep counts at 100k leads.
OPEN_BY_OWNER = "INDEXED BY leads_open_owner"
# Leads looked up by id for the columns of migration 0014's covering index: SQLite would read the wide
# row by its rowid instead (play results 40 -> 28 ms, weekly moves 44 -> 36 ms at 100k leads).
LEAD_FIGURES = "INDEXED BY leads_figures"
# Effective touches counted from migration 0010's partial index, which holds only them: SQLite would
# take 0014's activities_at_rep, which holds every activity (2 -> 6 ms for the trends at 100k leads).
EFFECTIVE_TOUCHES = "INDEXED BY activities_effective_at"
# The leads that may have been open at :t: open now, or closed (won, lost) at or after :t. SQLite finds
# them through three indexes (leads_open, leads_won, leads_lost: 11 ms for 17k of 100k leads, a scan
# takes 23 ms); PostgreSQL scans the table in 6 ms of CPU but joins the ids back in 42 ms, so its
# dialect swaps in the plain condition (dialects/postgres.py, FRAGMENTS).
OPEN_AT_CANDIDATES = (
    "l.id IN (SELECT id FROM leads WHERE stage < 'lost' OR (stage > 'lost' AND stage < 'won')"
    " OR stage > 'won' UNION ALL SELECT id FROM leads WHERE won_at >= :t"
    " UNION ALL SELECT id FROM leads WHERE lost_at >= :t)"
)
# A cohort's lost leads through their creation times: without statistics SQLite prefers leads_stage,
# which walks every lost lead ever (13 ms instead of 1 ms for the report's funnel at 100k leads).
BY_CREATION = "INDEXED BY leads_created"
# Effective touches per rep and local day (the day table `d`): one count per rep and day from
# activities_effective_rep (rep_id, effective, at), a seek and a walk of that day's entries each, and
# no sort, where grouping the days' touches by rep sorted them all (7 ms against 14 at 100k leads).
# Every activity's rep is in reps. PostgreSQL's dialect swaps in the grouping, which it hashes
# (docs/speed.md, The report's pictures).
EFFECTIVE_BY_REP_DAY = (
    "SELECT r.id AS rep_id, d.day, (SELECT count(*) FROM activities a WHERE a.rep_id = r.id"
    " AND a.effective = 1 AND a.at >= d.lo AND a.at < d.hi) AS n FROM reps r CROSS JOIN d"
)


# --- schema ----------------------------------------------------------------------------------------
# Migrations are append-only: never edit a released one; add the next to MIGRATIONS (at the end of
# this section), named NNNN_what_it_does, its function _mNNNN_what_it_does with a docstring saying what
# it changes. PRAGMA user_version = how many ran; the migrations table records each one's name
# (docs/design.md, Schema and migrations).


def _m0001_initial(conn: sqlite3.Connection) -> None:
    """The first schema: reps, leads, tags, activities, stage history, assignments, plays, targets,
    settings and the reminder claims."""
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


# The default plays from the brief: what works per customer type. Names are what `log --play` takes.
DEFAULT_PLAYS = (
    (
        "referral-to-decider",
        "no-authority",
        "They have budget but cannot decide: ask them to introduce you to the decision maker, and give them "
        "a one-page summary they can forward.",
    ),
    (
        "case-study-offer",
        "hesitant",
        "Interested but hesitant: send a case study from a similar customer plus a time-limited offer "
        "with a clear end date.",
    ),
    (
        "value-not-price",
        "price-shopper",
        "Price shopper: talk about service, delivery and details they would lose elsewhere; "
        "do not fight on price.",
    ),
    (
        "short-and-fast",
        "busy",
        "Busy customer: short messages with one question each, and answer them fast.",
    ),
)


def _m0002_default_plays(conn: sqlite3.Connection) -> None:
    """The four plays from the brief, one per persona (DEFAULT_PLAYS); existing names are kept."""
    for name, persona, text in DEFAULT_PLAYS:
        conn.execute(
            "INSERT OR IGNORE INTO plays (name, text, stage, persona, created_at)"
            " VALUES (?, ?, NULL, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            (name, text, persona),
        )


def _m0003_search(conn: sqlite3.Connection) -> None:
    """Full-text search over lead names, companies and activity notes (docs/reference.md, salesctl search).

    External-content FTS5 tables (the text lives once, in leads/activities) kept in sync by triggers.
    The trigram tokenizer matches any substring of 3+ characters in any script, so Chinese text, which
    has no spaces between words, is searchable; shorter search words fall back to LIKE (see Store.search).
    """
    for statement in _SEARCH_SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO leads_fts (leads_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO activities_fts (activities_fts) VALUES ('rebuild')")


def _fts_sync(table: str, fts: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The three triggers that keep an external-content FTS5 table in step with its table."""
    cols = ", ".join(columns)
    new = ", ".join("new." + c for c in columns)
    old = ", ".join("old." + c for c in columns)
    delete = f"INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.id, {new});"
    return (
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} BEGIN {delete} {insert} END",
    )


_SEARCH_SCHEMA = (
    "CREATE VIRTUAL TABLE leads_fts USING fts5("
    " name, company, content='leads', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE activities_fts USING fts5("
    " note, content='activities', content_rowid='id', tokenize='trigram')",
    *_fts_sync("leads", "leads_fts", ("name", "company")),
    *_fts_sync("activities", "activities_fts", ("note",)),
)


def _m0004_open_leads_index(conn: sqlite3.Connection) -> None:
    """Indexes over what is still open, so daily commands cost what is open, not years of history."""
    # Open leads in id order (alone and per owner): `lead list --limit N` reads N index entries instead
    # of walking past won and lost leads; per-rep open counts read only open entries. Their WHERE must
    # stay textually the same as OPEN for SQLite to use them.
    conn.execute("CREATE INDEX leads_open ON leads(id) WHERE stage NOT IN ('won', 'lost')")
    conn.execute(
        "CREATE INDEX leads_open_owner ON leads(owner_id, id) WHERE stage NOT IN ('won', 'lost')"
    )
    # Play results read (play, lead, time) of play-tagged activities from the index alone.
    conn.execute(
        "CREATE INDEX activities_play_lead ON activities(play_id, lead_id, at) WHERE play_id IS NOT NULL"
    )


def _m0005_after_sale_index(conn: sqlite3.Connection) -> None:
    """Won leads with a follow-up (after-sale care, docs/first-hour.md), found by due time without
    walking every won deal: the index holds only those few."""
    conn.execute(
        "CREATE INDEX leads_after_sale ON leads(next_at) WHERE stage = 'won' AND next_at IS NOT NULL"
    )


def _m0006_activity_removals(conn: sqlite3.Connection) -> None:
    """What `activity delete` removed, so the lead's timeline keeps a note of it (docs/first-hour.md)."""
    conn.execute("""
    CREATE TABLE activity_removals (
        id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        rep_id INTEGER NOT NULL REFERENCES reps(id),
        activity_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        note TEXT NOT NULL,
        activity_at TEXT NOT NULL,
        at TEXT NOT NULL
    )""")
    conn.execute("CREATE INDEX activity_removals_lead ON activity_removals(lead_id, at)")


def _m0007_cadences_recurrence_calendar(conn: sqlite3.Connection) -> None:
    """Cadences on plays, recurring follow-ups, and what the calendar feed needs (docs/calendar.md).

    `cadence_runs` keeps every cadence a lead went through (the running one has no ended_at), so the
    report can count them; `recurrences` holds a lead's `--every`; `followup_revisions` counts changes of
    a lead's follow-up, the SEQUENCE and LAST-MODIFIED of its calendar event. `calendar_id` is the random
    part of every event UID, made once per database."""
    conn.execute("ALTER TABLE plays ADD COLUMN cadence TEXT")
    for statement in (
        "CREATE TABLE cadence_runs ("
        " id INTEGER PRIMARY KEY,"
        " lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,"
        " play_id INTEGER NOT NULL REFERENCES plays(id),"
        " rep_id INTEGER NOT NULL REFERENCES reps(id),"
        " steps_done INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),"
        " started_at TEXT NOT NULL,"
        " ended_at TEXT,"
        " end_reason TEXT)",
        "CREATE UNIQUE INDEX cadence_runs_running ON cadence_runs(lead_id) WHERE ended_at IS NULL",
        "CREATE INDEX cadence_runs_play ON cadence_runs(play_id, lead_id, started_at)",
        "CREATE TABLE recurrences ("
        " lead_id INTEGER PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,"
        " every TEXT NOT NULL,"
        " set_at TEXT NOT NULL)",
        "CREATE TABLE followup_revisions ("
        " lead_id INTEGER PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,"
        " sequence INTEGER NOT NULL,"
        " modified_at TEXT NOT NULL)",
    ):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('calendar_id', ?) ON CONFLICT (key) DO NOTHING",
        ('"' + os.urandom(8).hex() + '"',),
    )


def _m0008_migration_names(conn: sqlite3.Connection) -> None:
    """A table recording each migration by name and when it ran (NULL: before names were recorded)."""
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT)")


# The mark of a salesctl database in the SQLite header (PRAGMA application_id): "SALE" in ASCII.
# A file with tables but without it belongs to another program and is never touched (docs/files.md).
APPLICATION_ID = 0x53414C45


def _m0009_mark_salesctl_file(conn: sqlite3.Connection) -> None:
    """Stamp the file as salesctl's, so other programs' SQLite files can be told apart and refused."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _m0010_effective_touches_index(conn: sqlite3.Connection) -> None:
    """Effective touches by time with who logged them (rhythm and trends, docs/figures.md): counted per day
    from this index alone, without reading every activity row."""
    conn.execute(
        "CREATE INDEX activities_effective_at ON activities(at, rep_id) WHERE effective = 1"
    )


def _m0011_rep_language(conn: sqlite3.Connection) -> None:
    """Each rep's own language for the mail written to them (`rep edit R --lang zh-Hant`,
    docs/chinese.md): NULL speaks the language of the command that sends it."""
    conn.execute("ALTER TABLE reps ADD COLUMN lang TEXT")


def _m0012_team_logins(conn: sqlite3.Connection) -> None:
    """Team logins (PostgreSQL roles mapped to reps) exist only on a server: a SQLite file has one user,
    and its `owners` setting says who fixes anyone's activities (docs/team.md, "Who may do what")."""


def _rebuild_table(
    conn: sqlite3.Connection, table: str, edits: tuple[tuple[str, str], ...]
) -> None:
    """Rebuild `table` with its CREATE statement changed by `edits` (old text → new text), keeping every
    row, index and trigger: SQLite's documented way to drop a NOT NULL (www.sqlite.org/lang_altertable.html,
    "Making Other Kinds Of Table Schema Changes"). Runs inside the migration's transaction with foreign
    keys off (Store._migrate), so dropping the old table cascades nothing; the check is done before COMMIT."""
    if table not in ("leads", "assignments"):  # a real check: the name is put into SQL below
        raise ValueError(f"no rebuild of {table!r}")
    create = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    for old, new in edits:
        if old not in create:
            raise StoreError(f"migration: {table} is not as expected ({old!r} missing)")
        create = create.replace(old, new, 1)
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')"
            " AND sql IS NOT NULL ORDER BY type, name",
            (table,),
        )
    ]
    new_table = table + "_rebuilt"
    conn.execute(create.replace(f"CREATE TABLE {table} ", f"CREATE TABLE {new_table} ", 1))
    conn.execute(f"INSERT INTO {new_table} SELECT * FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {new_table} RENAME TO {table}")
    for statement in extras:
        conn.execute(statement)


def _m0013_shared_pool(conn: sqlite3.Connection) -> None:
    """The shared pool (docs/pool.md): a lead may have no owner (`leads.owner_id` NULL = in the pool), and
    `assignments` keeps every owner change with its kind (assign, handoff, claim, release, recycle), the
    reason given, and when a recycle was told to the rep who lost the lead. Both tables are rebuilt to drop
    NOT NULL; rows recorded before keep kind NULL (an owner change of unknown kind)."""
    _rebuild_table(
        conn,
        "leads",
        (
            (
                "owner_id INTEGER NOT NULL REFERENCES reps(id)",
                "owner_id INTEGER REFERENCES reps(id)",
            ),
        ),
    )
    _rebuild_table(
        conn,
        "assignments",
        (
            ("rep_id INTEGER NOT NULL REFERENCES reps(id)", "rep_id INTEGER REFERENCES reps(id)"),
            (
                "from_rep_id INTEGER NOT NULL REFERENCES reps(id)",
                "from_rep_id INTEGER REFERENCES reps(id)",
            ),
            (
                "to_rep_id INTEGER NOT NULL REFERENCES reps(id)",
                "to_rep_id INTEGER REFERENCES reps(id)",
            ),
        ),
    )
    for column in ("kind TEXT", "reason TEXT", "notified_at TEXT"):
        conn.execute("ALTER TABLE assignments ADD COLUMN " + column)
    # Owner changes in a period by kind (the report's claimed / released / recycled per rep).
    conn.execute("CREATE INDEX assignments_at ON assignments(at) WHERE kind IS NOT NULL")


def _m0014_report_covering_indexes(conn: sqlite3.Connection) -> None:
    """Covering indexes for the report's counts (docs/speed.md, "What makes it fast"): activities by time
    with who logged them, whether effective and their kind (replacing activities_at, its prefix), and
    leads by id with the columns the report's joins from history read (currency, value, owner, won and
    lost times), so those counts read compact index entries instead of the wide rows."""
    conn.execute("CREATE INDEX activities_at_rep ON activities(at, rep_id, effective, kind)")
    conn.execute("DROP INDEX activities_at")
    conn.execute(
        "CREATE INDEX leads_figures ON leads(id, currency, value, owner_id, won_at, lost_at)"
    )


def _m0015_team_pool_permissions(conn: sqlite3.Connection) -> None:
    """On a team server, a rep may add a lead to the pool and mark their recycle notices told (the
    PostgreSQL version: dialects/postgres.py); a SQLite file has one user and no row-level security."""


def _m0016_stage_history_covering_indexes(conn: sqlite3.Connection) -> None:
    """Covering indexes for the report's pictures (docs/speed.md, "The report's pictures against the
    rest"): stage moves by time with the lead, both stages and who moved (the trends' weekly moves,
    rhythm's advances) replacing stage_history_at, its prefix; and each lead's moves in order
    (lead_id, at, id) with the stage moved to (the funnel's stays and furthest stage, the report's
    stage then) replacing stage_history_lead, its prefix; and each rep's effective touches by time
    (rhythm's touches per rep and day). All read index entries, not the rows."""
    conn.execute(
        "CREATE INDEX stage_history_moves ON stage_history(at, lead_id, from_stage, to_stage, rep_id)"
    )
    conn.execute("DROP INDEX stage_history_at")
    conn.execute(
        "CREATE INDEX stage_history_lead_stages ON stage_history(lead_id, at, id, to_stage)"
    )
    conn.execute("DROP INDEX stage_history_lead")
    conn.execute(
        "CREATE INDEX activities_effective_rep ON activities(rep_id, effective, at) WHERE effective = 1"
    )


# Migrations that rebuild a table: they run with foreign keys off (see _rebuild_table).
REBUILDS = {"0013_shared_pool"}

MIGRATIONS = [
    ("0001_initial", _m0001_initial),
    ("0002_default_plays", _m0002_default_plays),
    ("0003_search", _m0003_search),
    ("0004_open_leads_index", _m0004_open_leads_index),
    ("0005_after_sale_index", _m0005_after_sale_index),
    ("0006_activity_removals", _m0006_activity_removals),
    ("0007_cadences_recurrence_calendar", _m0007_cadences_recurrence_calendar),
    ("0008_migration_names", _m0008_migration_names),
    ("0009_mark_salesctl_file", _m0009_mark_salesctl_file),
    ("0010_effective_touches_index", _m0010_effective_touches_index),
    ("0011_rep_language", _m0011_rep_language),
    ("0012_team_logins", _m0012_team_logins),
    ("0013_shared_pool", _m0013_shared_pool),
    ("0014_report_covering_indexes", _m0014_report_covering_indexes),
    ("0015_team_pool_permissions", _m0015_team_pool_permissions),
    ("0016_stage_history_covering_indexes", _m0016_stage_history_covering_indexes),
]
SCHEMA_VERSION = len(MIGRATIONS)
# Versions before the mark existed: such a file without the mark but with salesctl's tables is ours.
UNMARKED_VERSIONS = range(1, [m for _, m in MIGRATIONS].index(_m0009_mark_salesctl_file) + 1)


def foreign_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables of a file that is not salesctl's (tables, but neither the mark nor, for files older
    than the mark, salesctl's own tables); [] for a salesctl or blank file. Reads only."""
    mark = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = sorted(
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    )
    unmarked_ours = (
        mark == 0 and version in UNMARKED_VERSIONS and {"leads", "reps", "settings"} <= set(tables)
    )
    return [] if mark == APPLICATION_ID or unmarked_ours else tables


# Money sums are exact however big: SQLite's integer sum() fails past 2^63 (about 9,300 deals at 10^13,
# which gave exit 3) and total() is a float. Each amount X (non-negative minor units) is summed in two
# parts, above and below 10^9, each far from overflowing; `_exact` joins them into one Python int.
EXACT_SUM = (
    "printf('%d:%d', coalesce(sum((X) / 1000000000), 0), coalesce(sum((X) % 1000000000), 0))"
)


@dataclass(frozen=True)
class DealLists:
    """The report's deal lists besides the pipeline at :t (Store.open_at): one rep's deals (rep_id) or
    everyone's but the pool's (None); at most `limit` key deals and deals closing between two local
    dates, at most `attention_limit` stalled deals and overdue ones (follow-up due before
    `overdue_before`); values compared in one currency by `weights` (currency → rate)."""

    rep_id: int | None
    weights: dict[str, float]
    close_from: str
    close_to: str
    overdue_before: str
    limit: int
    attention_limit: int

    def params(self) -> dict:
        return {
            "rep_id": self.rep_id,
            "close_from": self.close_from,
            "close_to": self.close_to,
            "overdue_before": self.overdue_before,
            "limit": self.limit,
            "attention_limit": self.attention_limit,
        }


# --- connection ------------------------------------------------------------------------------------


def _create_private(path: Path) -> None:
    """Create the database file 0600 (and a missing directory 0700) before SQLite touches it.

    A path that is a link to a missing file creates that file, 0600 like any other (SQLite follows the
    link, and gives the -wal and -shm the mode of the file it finds)."""
    path = Path(os.path.realpath(path))
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(
        missing
    ):  # each created folder 0700 (mkdir(parents=True) gives parents 0777 & ~umask)
        folder.mkdir(mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _refuse_non_regular(path: Path) -> None:
    """A FIFO would hang the open and a device or folder is no database: refuse before opening."""
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return  # missing (created later) or unreadable (SQLite says why)
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            N_(
                "{path} is not a regular file (a folder, device or FIFO); give --db a database file"
            ),
            path=path,
        )


def corrupt(path: object) -> StoreError:
    """Damage SQLite reports in a way Python cannot even decode (a mangled schema page)."""
    return StoreError(
        N_("database {path} is corrupt; restore a backup (salesctl doctor shows the damage)"),
        path=path,
    )


def storage_error(path: object, exc: Exception) -> StoreError:
    """A driver's failure as a message a user can act on (exit 3), by the engine that raised it."""
    if isinstance(exc, sqlite3.Error):
        return sqlite_dialect.storage_error(path, exc)
    from .dialects import postgres

    return postgres.storage_error(path, exc)


# A lead column in SQL, by its name in the lead-field table (a KeyError for any other name).
_LEAD_COLUMN = {c: "l." + c for c in fields.COLUMNS}


def _sort_expression(field: fields.LeadField) -> str:
    """The ORDER BY of a lead field: text without regard to case, an owner by name, a stage by its place
    in the stages setting (`stage_order`, bound per query), and empty values last where asked."""
    if field.kind == "rep":
        return "r.name COLLATE NOCASE"
    if field.kind == "stage":
        return "stage_order"
    column = _LEAD_COLUMN[field.name]
    if field.kind in ("name", "text"):
        return column + " COLLATE NOCASE"
    return f"{column} IS NULL, {column}" if field.empty_last else column


class Store:
    """One open salesctl database: a SQLite file, or a PostgreSQL database given by URL (docs/team.md)."""

    # Who is changing things on a team server (salesctl.access.Access, from load_access); None on a
    # SQLite file and for the database's own owner role: no per-rep limits (docs/team.md).
    access = None

    def __init__(
        self, path: Path | str, *, create: bool = True, write: bool = True, migrate: bool = True
    ):
        """Open `path` for reading or for writing, by one rule (docs/design.md, "Opening a database"):

        - `write=False` reads. It never creates or changes the file (except to bring an older salesctl
          database up to this version's schema); a missing or blank file (no tables) reads as an empty
          database kept in memory (`self.blank`).
        - `write=True` may change the file: it is created if missing (unless `create=False`, which
          refuses a missing file) and switched to WAL.
        - `allow_writes()` turns a reading store into a writing one in place: the same object, now on
          the file, which it creates if it was missing.

        A postgresql:// URL opens the team database on the server (docs/team.md), always for writing."""
        self.path = path
        self.writable = False
        self.blank = False  # a read of a missing or blank file: an empty database in memory
        self.conn = None
        self.dialect = dialects.for_location(path)
        if self.dialect is not sqlite_dialect:
            self.conn = self.dialect.connect(path)
            self.writable = True
            if migrate:
                try:
                    self._migrate()
                except BaseException:
                    self.conn.close()
                    raise
            return
        self._open_file(write=write, create=create)

    def _open_file(self, *, write: bool, create: bool = True) -> None:
        memory = str(self.path) == ":memory:"
        path = None if memory else Path(self.path)
        if path is not None:
            _refuse_non_regular(path)
            if write and create:
                _create_private(path)
            elif not path.exists():
                if write:
                    raise StoreError(N_("database {path} does not exist"), path=path)
                return self._open_blank()
        try:
            self.conn = self._connect(":memory:" if path is None else str(path))
            if path is not None and self._check_file() and not write:
                self.conn.close()
                return self._open_blank()
            if write and path is not None:
                self.allow_writes()
            self._migrate()
        except BaseException as exc:
            self._fail(exc)

    def _open_blank(self) -> None:
        """What a read of a missing or blank file sees: the schema, in memory, with nothing in it."""
        self.blank = True
        try:
            self.conn = self._connect(":memory:")
            self._migrate()
        except BaseException as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        """Close what was opened and raise `exc` as a storage error a user can act on."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if isinstance(exc, UnicodeDecodeError):
            raise corrupt(self.path) from exc
        if isinstance(exc, sqlite3.Error):
            raise storage_error(self.path, exc) from exc
        raise exc

    @staticmethod
    def _connect(name: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            name, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.create_function("casefold", 1, sqlite_dialect.casefold, deterministic=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _check_file(self) -> bool:
        """Refuse a file that is not salesctl's or is from a newer salesctl, with reads only, before any
        statement that writes. True when the file is blank (no tables yet: salesctl may set it up)."""
        foreign = foreign_tables(self.conn)
        if foreign:
            listed = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
            raise StoreError(
                N_(
                    "{path} is not a salesctl database (it holds other tables: {listed}); it was left as it was; give --db a salesctl database or a new file"
                ),
                path=self.path,
                listed=listed,
            )
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                N_(
                    "database {path} has schema version {version}, newer than this salesctl knows ({known}); upgrade salesctl"
                ),
                path=self.path,
                version=version,
                known=SCHEMA_VERSION,
            )
        return (
            version == 0
            and self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        )

    def allow_writes(self) -> None:
        """From now on this store may change the file: a blank read opens (and creates) the file in
        its place; a file is switched to WAL (once; reads leave the journal mode as they found it)."""
        if self.writable or str(self.path) == ":memory:":
            return
        if self.blank:
            self.conn.close()
            self.conn, self.blank = None, False
            self._open_file(write=True)
            return
        try:
            if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        self.writable = True

    @classmethod
    def init_server(cls, url: str) -> str:
        """`db init`: create the schema in an empty PostgreSQL database (the owner runs it once)."""
        store = cls(url, migrate=False)
        try:
            version = store.schema_version()
            if version >= 0:
                raise SalesError(
                    N_(
                        "db init: {where} already has a salesctl schema (version {version}); nothing was changed"
                    ),
                    where=store.where,
                    version=version,
                )
            try:
                with store.write():
                    store.dialect.init_schema(store.conn, MIGRATIONS[:SCHEMA_VERSION])
            except Refused as exc:  # permission denied: this role may not create the schema
                raise Refused(
                    N_(
                        "db init: {where} refused it ({reason}); db init runs as the database's owner role, which may create the extensions citext and pg_trgm and the group roles salesctl_rep and salesctl_owner, unless a DBA made them first (docs/team.md)"
                    ),
                    where=store.where,
                    reason=exc.params.get("reason", ""),
                ) from exc
        finally:
            store.close()
        return dialects.for_location(url).describe(url)

    def server_checks(self) -> list[tuple[str, str, str]]:
        """`doctor` on PostgreSQL: (check, "ok"|"warning"|"error", detail); the settings as on SQLite."""
        return [*self.dialect.inspect(self.conn, SCHEMA_VERSION), _settings_check(self.conn)]

    def ensure_schema(self) -> None:
        """Inside `write()`: give a PostgreSQL database without the schema the whole current one."""
        if self.schema_version() < 0:
            self.dialect.init_schema(self.conn, MIGRATIONS[:SCHEMA_VERSION])
        elif self.schema_version() != SCHEMA_VERSION:
            self.dialect.migrate(self.conn, MIGRATIONS[:SCHEMA_VERSION], self.schema_version())

    @property
    def where(self) -> str:
        """The database for messages: a file name, or PostgreSQL user@host/db (never a password)."""
        return self.dialect.describe(self.path)

    @property
    def is_server(self) -> bool:
        return self.dialect is not sqlite_dialect

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    @contextmanager
    def write(self, *, dry_run: bool = False) -> Iterator:
        """One atomic change, with the write lock taken up front (BEGIN IMMEDIATE on SQLite, an
        advisory lock on PostgreSQL), so read-modify-write is safe.

        A dry run does the very same work and then rolls it all back (on PostgreSQL the id sequences
        too, which a rollback leaves moved), so it meets every problem the real change would meet and
        leaves the database as it was. It may run on a store opened for reading."""
        try:
            self.dialect.begin(self.conn)
        except self.dialect.Error as exc:
            raise self.dialect.storage_error(self.path, exc) from exc
        try:
            if dry_run:
                with self.dialect.undone(self.conn):
                    yield self.conn
                self.conn.execute("ROLLBACK")
            else:
                yield self.conn
                self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, self.dialect.Error):
                raise self.dialect.storage_error(self.path, exc) from exc
            raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that all see one moment: one read transaction on this connection. Under WAL, writers
        carry on meanwhile and nothing they commit shows until it ends (`export all` is one snapshot)."""
        try:
            if self.is_server:
                self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            else:
                self.conn.execute("BEGIN")
                self.conn.execute(
                    "SELECT count(*) FROM sqlite_master"
                ).fetchone()  # the snapshot starts at the first read
        except self.dialect.Error as exc:
            raise storage_error(self.path, exc) from exc
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        return self.dialect.schema_version(self.conn)

    def _migrate(self) -> None:
        if self.is_server:
            version = self.schema_version()
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise StoreError(
                    N_(
                        "{where} has schema version {version}, newer than this salesctl knows ({known}); upgrade salesctl"
                    ),
                    where=self.where,
                    version=version,
                    known=SCHEMA_VERSION,
                )
            if version < 0:
                raise StoreError(
                    N_(
                        "{where} has no salesctl schema; the owner creates it with: salesctl db init URL"
                    ),
                    where=self.where,
                )
            try:
                with self.write():
                    self.dialect.migrate(
                        self.conn, MIGRATIONS[:SCHEMA_VERSION], self.schema_version()
                    )
            except (
                Refused
            ) as exc:  # permission denied: only the role that owns the schema alters it
                raise StoreError(
                    N_(
                        "{where} has schema version {version} and this salesctl needs {known}; the upgrade runs as the database's owner role (the one that ran db init): run any salesctl command as that role first (docs/team.md)"
                    ),
                    where=self.where,
                    version=version,
                    known=SCHEMA_VERSION,
                ) from exc
            return
        if self.schema_version() == SCHEMA_VERSION:  # a newer one was refused by _check_file
            return
        # A table rebuild must not cascade the old table's DROP: foreign keys off for the transaction
        # (the pragma is a no-op inside one), every reference checked before COMMIT, then on again.
        rebuilds = {name for name, _m in MIGRATIONS[self.schema_version() :]} & REBUILDS
        if rebuilds:
            self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            self._run_migrations(check_references=bool(rebuilds))
        finally:
            if rebuilds:
                self.conn.execute("PRAGMA foreign_keys = ON")

    def _run_migrations(self, *, check_references: bool) -> None:
        with self.write():
            version = self.schema_version()  # another process may have migrated while we waited
            orphans = self._orphan_count() if check_references else 0
            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)
            if check_references and self._orphan_count() > orphans:
                raise StoreError(
                    N_(
                        "database {path}: migrating would leave rows pointing at missing leads or reps; nothing was changed (salesctl doctor lists them)"
                    ),
                    path=self.path,
                )
            self.conn.executemany(
                "INSERT OR IGNORE INTO migrations (name, applied_at)"
                " VALUES (?, CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END)",
                [(name, index >= version) for index, (name, _migrate) in enumerate(MIGRATIONS)],
            )
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _orphan_count(self) -> int:
        return len(self.conn.execute("PRAGMA foreign_key_check").fetchall())

    # --- who may change what (docs/team.md, "Who may do what") ------------------------------------------

    def load_access(self):
        """On a team server, who this connection is (its role and the rep `team grant` mapped it to),
        kept in `self.access` for the checks below; None when nothing limits it."""
        if self.is_server:
            row = self.dialect.team_login(self.conn)
            if not row["admin"]:
                from .access import Access

                self.access = Access(row["role"], row["rep_id"], row["rep"], bool(row["owner"]))
                self._own_leads: set[int] = set()  # leads checked in this run: the rep's own
        return self.access

    def require_owner(self, action: str) -> None:
        """Refuse `action` (a key of access.OWNER_ACTIONS) unless whoever is connected is an owner."""
        if self.access is not None:
            self.access.check_owner(action)

    def require_owner_unless_own(self, rep_ids: list[int], action: str) -> None:
        """Refuse `action` on other reps' behalf unless whoever is connected is an owner."""
        if self.access is not None and any(i != self.access.rep_id for i in rep_ids):
            self.access.check_owner(action)

    def _guard_lead(self, lead_id: int) -> None:
        """Refuse a change to a lead someone else owns, before it is written (a rep's own, or an owner)."""
        if self.access is None or self.access.owner or lead_id in self._own_leads:
            return
        row = self.one(
            "SELECT l.owner_id, r.name FROM leads l LEFT JOIN reps r ON r.id = l.owner_id WHERE l.id = ?",
            (lead_id,),
        )
        if row is not None:
            self.access.check_lead(lead_id, row[0], row[1])
            if row[0] is not None:  # a pool lead is checked again: it is claimed by this change
                self._own_leads.add(lead_id)

    def _guard_new_owner(self, owner_id: int | None) -> None:
        if self.access is not None:
            self.access.check_new_owner(owner_id)

    def _refused_lead(self, lead_id: int) -> SalesError:
        """A lead change that row-level security silently skipped: say whose lead it is."""
        from .access import lead_refusal

        row = self.one(
            "SELECT r.name FROM leads l JOIN reps r ON r.id = l.owner_id WHERE l.id = ?", (lead_id,)
        )
        return lead_refusal(lead_id, row[0] if row else None)

    # --- team logins: PostgreSQL roles mapped to reps (team grant / revoke) ------------------------------

    def team_logins(self) -> list[sqlite3.Row]:
        if not self.is_server:
            return []
        return self.all(
            "SELECT t.role, r.name AS rep, t.owner, t.granted_at FROM team_logins t"
            " JOIN reps r ON r.id = t.rep_id ORDER BY r.name"
        )

    def grant_login(self, rep_id: int, role: str, *, owner: bool, now: str) -> None:
        """Map `role` to the rep (one role per rep), owner or not, and give it the group's privileges."""
        self.require_owner("team")
        if not self.dialect.role_exists(self.conn, role):
            raise NotFound(
                N_(
                    '--login: "{role}" is not a role on {where}; create it first, e.g. sudo -u postgres createuser --pwprompt {role} (docs/team.md)'
                ),
                role=role,
                where=self.where,
            )
        taken = self.one(
            "SELECT r.name, t.role FROM team_logins t JOIN reps r ON r.id = t.rep_id"
            " WHERE (t.role = ? AND t.rep_id <> ?) OR (t.rep_id = ? AND t.role <> ?)",
            (role, rep_id, rep_id, role),
        )
        if taken is not None:
            raise Duplicate(
                N_(
                    '--login: role "{role}" is already rep {rep}; revoke it first: salesctl team revoke {rep}'
                ),
                role=taken[1],
                rep=taken[0],
            )
        self.conn.execute(
            "INSERT INTO team_logins (role, rep_id, owner, granted_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (role) DO UPDATE SET owner = excluded.owner, granted_at = excluded.granted_at",
            (role, rep_id, int(owner), now),
        )
        self.dialect.grant_groups(self.conn, role, owner)

    def revoke_login(self, rep_id: int) -> str | None:
        """Remove the rep's login; returns the role it was (None if they had none)."""
        self.require_owner("team")
        row = self.one("SELECT role FROM team_logins WHERE rep_id = ?", (rep_id,))
        if row is None:
            return None
        self.conn.execute("DELETE FROM team_logins WHERE rep_id = ?", (rep_id,))
        if self.dialect.role_exists(self.conn, row[0]):
            self.dialect.revoke_groups(self.conn, row[0])
        return row[0]

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # --- settings ----------------------------------------------------------------------------------

    def settings_rows(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self.all("SELECT key, value FROM settings")}

    def set_setting(self, key: str, json_value: str) -> None:
        self.require_owner("settings")
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json_value),
        )

    def stage_counts(self) -> dict[str, int]:
        return {
            r["stage"]: r["n"]
            for r in self.all("SELECT stage, count(*) AS n FROM leads GROUP BY stage")
        }

    # --- reps --------------------------------------------------------------------------------------

    def reps(self, *, active_only: bool = False) -> list[sqlite3.Row]:
        return self.all(
            "SELECT r.id, r.name, r.email, r.active, r.created_at, r.lang,"
            " (SELECT count(*) FROM leads l "
            + OPEN_BY_OWNER
            + " WHERE l.owner_id = r.id AND "
            + OPEN
            + ")"
            " AS open_leads"
            " FROM reps r WHERE r.active >= ? ORDER BY r.name",
            (1 if active_only else 0,),
        )

    def rep(self, name: str) -> sqlite3.Row | None:
        return self.one("SELECT id, name, email, active, lang FROM reps WHERE name = ?", (name,))

    def rep_by_id(self, rep_id: int) -> sqlite3.Row | None:
        return self.one("SELECT id, name, email, active, lang FROM reps WHERE id = ?", (rep_id,))

    def require_rep(self, name: str, *, field: str, active: bool = True) -> sqlite3.Row:
        """A rep named explicitly must exist (and be active where it will own leads)."""
        row = self.rep(name)
        if row is None or (active and not row["active"]):
            known = ", ".join(r["name"] for r in self.reps(active_only=True))
            raise NotFound(
                N_('{field}: "{name}" is not an active rep; known reps: {known}')
                if row is not None
                else N_('{field}: "{name}" is not a rep; known reps: {known}'),
                field=field,
                name=name,
                known=known or Words(N_("none yet")),
            )
        return row

    def add_rep(self, name: str, email: str | None, now: str, lang: str | None = None) -> int:
        self.require_owner("reps")
        if self.rep(name) is not None:
            raise Duplicate(N_('rep: "{name}" already exists'), name=name)
        return self.conn.execute(
            "INSERT INTO reps (name, email, created_at, lang) VALUES (?, ?, ?, ?) RETURNING id",
            (name, email, now, lang),
        ).fetchone()[0]

    def ensure_rep(self, name: str, now: str) -> int:
        """The current rep's id, creating the rep on its first write."""
        row = self.rep(name)
        if row is not None:
            return row["id"]
        return self.conn.execute(
            "INSERT INTO reps (name, created_at) VALUES (?, ?) RETURNING id", (name, now)
        ).fetchone()[0]

    def update_rep(
        self,
        rep_id: int,
        *,
        email: str | None = None,
        active: bool | None = None,
        lang: str | None = None,
    ) -> None:
        """Change what is given; `lang=""` clears the rep's language."""
        self.require_owner("reps")
        if lang is not None:
            self.conn.execute("UPDATE reps SET lang = ? WHERE id = ?", (lang or None, rep_id))
        if email is not None:
            self.conn.execute("UPDATE reps SET email = ? WHERE id = ?", (email, rep_id))
        if active is not None:
            self.conn.execute("UPDATE reps SET active = ? WHERE id = ?", (int(active), rep_id))

    def open_lead_count(self, rep_id: int) -> int:
        return self.one(
            "SELECT count(*) FROM leads l " + OPEN_BY_OWNER + " WHERE l.owner_id = ? AND " + OPEN,
            (rep_id,),
        )[0]

    # --- leads -------------------------------------------------------------------------------------

    LEAD_FIELDS = fields.COLUMNS[1:]  # every column but id, in order (salesctl/fields.py)
    # LEFT JOIN keeps leads the outer loop (SQLite never reorders it): otherwise SQLite may walk reps and
    # every lead of each rep (won and lost included) for a sorted `lead list`, which grows with history,
    # not with open leads. It also keeps the pool's leads, which have no owner (docs/pool.md).
    LEAD_SELECT = (
        "SELECT l.*, r.name AS owner,"
        " (SELECT group_concat(tag, char(31)) FROM lead_tags t WHERE t.lead_id = l.id) AS tags"
        " FROM leads l LEFT JOIN reps r ON r.id = l.owner_id"
    )

    def duplicates(
        self, email: str | None, digits: str | None, *, exclude: int | None = None
    ) -> list[sqlite3.Row]:
        """Leads sharing the email (any case) or the phone digits."""
        if not email and not digits:
            return []
        return self.all(
            "SELECT id, name, company, stage FROM leads"
            " WHERE id IS NOT ? AND ((email = ? COLLATE NOCASE) OR (phone_digits = ?)) ORDER BY id",
            (exclude, email, digits),
        )

    def open_leads_named(self, name: str, company: str | None) -> list[sqlite3.Row]:
        """Open leads with this name and company, ignoring case (no company matches no company)."""
        return self.all(
            "SELECT l.id, l.name, l.company FROM leads l WHERE "
            + OPEN
            + " AND casefold(l.name) = ?"
            " AND coalesce(casefold(l.company), '') = ? ORDER BY l.id LIMIT 5",
            (name.casefold(), (company or "").casefold()),
        )

    def insert_lead(self, fields: dict, *, lead_id: int | None = None) -> int:
        self._guard_new_owner(fields.get("owner_id"))
        columns = [c for c in self.LEAD_FIELDS if c in fields]
        values = [fields[c] for c in columns]
        if lead_id is not None:
            columns.insert(0, "id")
            values.insert(0, lead_id)
        sql = (
            "INSERT INTO leads ("
            + ", ".join(columns)
            + ") VALUES ("
            + ", ".join("?" * len(columns))
            + ") RETURNING id"
        )
        new_id = self.conn.execute(sql, values).fetchone()[0]
        if lead_id is not None:
            self.dialect.after_explicit_ids(self.conn, "leads")
        return new_id

    def update_lead(self, lead_id: int, fields: dict) -> None:
        columns = [c for c in self.LEAD_FIELDS if c in fields]
        if columns:
            self._guard_lead(lead_id)
            if "owner_id" in fields:
                self._guard_new_owner(fields["owner_id"])
            sql = "UPDATE leads SET " + ", ".join(f"{c} = ?" for c in columns) + " WHERE id = ?"
            if not self.conn.execute(sql, [fields[c] for c in columns] + [lead_id]).rowcount:
                raise self._refused_lead(lead_id)

    def delete_lead(self, lead_id: int) -> None:
        self.require_owner("delete")
        self.conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))

    def lead(self, lead_id: int) -> sqlite3.Row:
        row = self.one(self.LEAD_SELECT + " WHERE l.id = ?", (lead_id,))
        if row is None:
            raise NotFound(N_("lead: no lead with id {id}"), id=lead_id)
        return row

    def add_tags(self, lead_id: int, tags: list[str]) -> None:
        if tags:
            self._guard_lead(lead_id)
        self.conn.executemany(
            "INSERT OR IGNORE INTO lead_tags (lead_id, tag) VALUES (?, ?)",
            [(lead_id, t) for t in tags],
        )

    def remove_tags(self, lead_id: int, tags: list[str]) -> None:
        if tags:
            self._guard_lead(lead_id)
        self.conn.executemany(
            "DELETE FROM lead_tags WHERE lead_id = ? AND tag = ?", [(lead_id, t) for t in tags]
        )

    def activity_count(self, lead_id: int) -> int:
        return self.one("SELECT count(*) FROM activities WHERE lead_id = ?", (lead_id,))[0]

    def resolve_lead(self, ref: str) -> int:
        """A lead reference: an id, or text matching exactly one lead's name or company.

        Preference, most specific first (open leads before closed ones, docs/reference.md): an exact name among
        open leads, a substring among open leads, an exact name, a substring. Several matches at the
        first level that has any is ambiguous.
        """
        text = ref.strip().removeprefix("#")
        if text.isdigit():
            lead_id = int(text)
            if (
                lead_id > 2**63 - 1
                or self.one("SELECT 1 FROM leads WHERE id = ?", (lead_id,)) is None
            ):
                raise NotFound(N_("lead: no lead with id {id}"), id=text)
            return lead_id
        if not text:
            raise NotFound(N_('lead: "" matches no lead; give an id or part of a name or company'))
        # LIKE and NOCASE fold ASCII letters only: other text is compared case-folded ("über" finds "Über").
        exact, match = (
            "l.name = ? COLLATE NOCASE",
            "l.name LIKE ? ESCAPE '\\' OR l.company LIKE ? ESCAPE '\\'",
        )
        if text.isascii():
            pattern = _like_pattern(text)
            params = (text, pattern, pattern)
        else:
            exact, match = (
                "casefold(l.name) = ?",
                "instr(casefold(l.name), ?) > 0 OR instr(casefold(l.company), ?) > 0",
            )
            params = (text.casefold(),) * 3
        rows = self.all(
            "SELECT l.id, l.name, l.company, l.stage, "
            + OPEN
            + " AS open, ("
            + exact
            + ") AS exact"
            " FROM leads l WHERE " + match + " ORDER BY l.id LIMIT 1000",
            params,
        )
        for level in (
            [r for r in rows if r["exact"] and r["open"]],
            [r for r in rows if r["open"]],
            [r for r in rows if r["exact"]],
            rows,
        ):
            if len(level) == 1:
                return level[0]["id"]
            if level:
                listed = Joined(  # each with its stage, in the words tables use
                    [
                        Words(
                            "#{id} {name}{company} [{stage}]",
                            id=r["id"],
                            name=r["name"],
                            company=f" ({r['company']})" if r["company"] else "",
                            stage=Term("stage", r["stage"]),
                        )
                        for r in level[:10]
                    ]
                )
                raise Ambiguous(
                    N_('lead: "{ref}" matches {count} leads: {listed}; and {more} more; use the id')
                    if len(level) > 10
                    else N_('lead: "{ref}" matches {count} leads: {listed}; use the id'),
                    ref=ref,
                    count=len(level),
                    listed=listed,
                    more=len(level) - 10,
                )
        raise NotFound(N_('lead: "{ref}" matches no lead'), ref=ref)

    # Sort keys for `lead list`: user word → fixed SQL expression (never user text in SQL), from the
    # `sort` of each lead field (salesctl/fields.py) in the order the help lists them.
    LEAD_SORTS = {f.sort[1]: _sort_expression(f) for f in fields.SORTS}

    def list_leads(
        self,
        *,
        stages: list[str],
        all_stages: list[str],
        owner_ids: list[int] | None,
        tag: str | None,
        pool: bool = False,
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
        if pool:  # the pool's leads: nobody owns them (docs/pool.md)
            where.append("l.owner_id IS NULL")
        elif owner_ids is not None:  # None: every owner, and the pool
            where.append("l.owner_id IN (" + ", ".join("?" * len(owner_ids)) + ")")
            params += owner_ids
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
        order_by = (
            ", ".join(part.strip() + direction for part in order.split(",")) + ", l.id" + direction
        )
        stage_order = (
            "CASE l.stage " + " ".join("WHEN ? THEN ?" for _ in all_stages) + " END AS stage_order"
        )
        sql = (
            self.LEAD_SELECT.replace(" FROM leads l", ", " + stage_order + " FROM leads l")
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY "
            + order_by
            + (" LIMIT ?" if limit is not None else "")
        )
        order_params = [v for i, s in enumerate(all_stages) for v in (s, i)]
        return self.all(sql, order_params + params + ([limit] if limit is not None else []))

    # --- history -----------------------------------------------------------------------------------

    def record_stage(
        self, lead_id: int, rep_id: int, from_stage: str | None, to_stage: str, at: str
    ) -> None:
        self._guard_lead(lead_id)
        self.conn.execute(
            "INSERT INTO stage_history (lead_id, rep_id, from_stage, to_stage, at) VALUES (?, ?, ?, ?, ?)",
            (lead_id, rep_id, from_stage, to_stage, at),
        )

    def record_assignment(
        self,
        lead_id: int,
        rep_id: int | None,
        from_rep_id: int | None,
        to_rep_id: int | None,
        at: str,
        *,
        kind: str,
        reason: str | None = None,
    ) -> None:
        """One owner change (docs/pool.md): `kind` is assign, handoff, claim, release or recycle; a None
        rep is the pool (from/to) or salesctl itself (rep_id, for a recycle)."""
        self._guard_new_owner(to_rep_id)
        self.conn.execute(
            "INSERT INTO assignments (lead_id, rep_id, from_rep_id, to_rep_id, at, kind, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (lead_id, rep_id, from_rep_id, to_rep_id, at, kind, reason),
        )

    def set_owner(self, lead_id: int, owner_id: int | None, *, from_pool: bool = False) -> bool:
        """Give the lead to `owner_id` (None: the pool). With `from_pool`, only while nobody owns it;
        False when someone took it first."""
        self._guard_lead(lead_id)  # a rep's own lead, or one in the pool (docs/team.md)
        self._guard_new_owner(owner_id)  # giving it to someone else is an owner's assignment
        guard = " AND owner_id IS NULL" if from_pool else ""
        cursor = self.conn.execute(
            "UPDATE leads SET owner_id = ? WHERE id = ?" + guard, (owner_id, lead_id)
        )
        return cursor.rowcount == 1

    def last_owner_change(self, lead_id: int) -> sqlite3.Row | None:
        """The lead's latest owner change: its kind and who made it."""
        return self.one(
            "SELECT s.kind, s.at, r.name AS rep FROM assignments s LEFT JOIN reps r ON r.id = s.rep_id"
            " WHERE s.lead_id = ? ORDER BY s.at DESC, s.id DESC LIMIT 1",
            (lead_id,),
        )

    def stage_before(self, lead_id: int, to_stage: str) -> str | None:
        """The stage a lead was in before its latest move to `to_stage`."""
        row = self.one(
            "SELECT from_stage FROM stage_history WHERE lead_id = ? AND to_stage = ? ORDER BY at DESC, id DESC LIMIT 1",
            (lead_id, to_stage),
        )
        return row["from_stage"] if row else None

    def add_activity(
        self,
        lead_id: int,
        rep_id: int,
        kind: str,
        note: str,
        effective: bool,
        at: str,
        play_id: int | None,
        now: str,
    ) -> int:
        self._guard_lead(lead_id)
        return self.conn.execute(
            "INSERT INTO activities (lead_id, rep_id, kind, note, effective, at, play_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (lead_id, rep_id, kind, note, int(effective), at, play_id, now),
        ).fetchone()[0]

    ACTIVITY_FIELDS = ("kind", "note", "effective", "at")

    def activity(self, activity_id: int) -> sqlite3.Row:
        row = self.one(
            "SELECT a.id, a.lead_id, a.rep_id, r.name AS rep, a.kind, a.note, a.effective, a.at, l.name AS lead,"
            " l.created_at AS lead_created_at"
            " FROM activities a JOIN reps r ON r.id = a.rep_id JOIN leads l ON l.id = a.lead_id WHERE a.id = ?",
            (activity_id,),
        )
        if row is None:
            raise NotFound(
                N_("activity: no activity with id {id}; lead show LEAD lists them"), id=activity_id
            )
        return row

    def update_activity(self, activity_id: int, fields: dict) -> None:
        columns = [c for c in self.ACTIVITY_FIELDS if c in fields]
        if columns:
            self._guard_activity(activity_id)
            sql = (
                "UPDATE activities SET " + ", ".join(f"{c} = ?" for c in columns) + " WHERE id = ?"
            )
            self.conn.execute(sql, [fields[c] for c in columns] + [activity_id])

    def remove_activity(self, activity_id: int, *, rep_id: int, now: str) -> None:
        """Delete an activity, keeping a note of it for the lead's timeline."""
        self._guard_activity(activity_id)
        self.conn.execute(
            "INSERT INTO activity_removals (lead_id, rep_id, activity_id, kind, note, activity_at, at)"
            " SELECT lead_id, ?, id, kind, note, at, ? FROM activities WHERE id = ?",
            (rep_id, now, activity_id),
        )
        self.conn.execute("DELETE FROM activities WHERE id = ?", (activity_id,))

    def _guard_activity(self, activity_id: int) -> None:
        if self.access is not None and not self.access.owner:
            row = self.one("SELECT lead_id FROM activities WHERE id = ?", (activity_id,))
            if row is not None:
                self._guard_lead(row[0])

    def refresh_last_activity(self, lead_id: int) -> None:
        """A lead's last_activity_at from the activities it still has (after one was edited or removed)."""
        self.conn.execute(
            "UPDATE leads SET last_activity_at = (SELECT max(at) FROM activities WHERE lead_id = ?) WHERE id = ?",
            (lead_id, lead_id),
        )

    def timeline(self, lead_id: int) -> list[sqlite3.Row]:
        """Activities, stage moves and owner changes of one lead, oldest first."""
        return self.all(
            # Same instant: creation first, then the activity, then the move it caused, then owner changes.
            "SELECT 'activity' AS type, a.at, r.name AS rep, a.kind, a.note, a.effective, p.name AS play,"
            "  NULL AS from_value, NULL AS to_value, a.id AS seq, 1 AS tie,"
            # its own column: to_value is text (a stage, a rep), and PostgreSQL's UNION keeps one type
            "  CAST(NULL AS INTEGER) AS activity_id"
            " FROM activities a JOIN reps r ON r.id = a.rep_id LEFT JOIN plays p ON p.id = a.play_id"
            " WHERE a.lead_id = ?"
            " UNION ALL"
            " SELECT 'stage', h.at, r.name, NULL, NULL, NULL, NULL, h.from_stage, h.to_stage, h.id,"
            "  CASE WHEN h.from_stage IS NULL THEN 0 ELSE 2 END, NULL"
            " FROM stage_history h JOIN reps r ON r.id = h.rep_id WHERE h.lead_id = ?"
            " UNION ALL"
            # kind and note carry the owner change's kind and reason; a NULL rep is the pool (from, to)
            # or salesctl itself (a recycle)
            " SELECT 'owner', s.at, r.name, s.kind, s.reason, NULL, NULL, f.name, t.name, s.id, 3, NULL"
            " FROM assignments s LEFT JOIN reps r ON r.id = s.rep_id LEFT JOIN reps f ON f.id = s.from_rep_id"
            " LEFT JOIN reps t ON t.id = s.to_rep_id WHERE s.lead_id = ?"
            " UNION ALL"
            " SELECT 'removed', d.at, r.name, d.kind, d.note, NULL, NULL, d.activity_at, NULL, d.id, 4,"
            "  d.activity_id"
            " FROM activity_removals d JOIN reps r ON r.id = d.rep_id WHERE d.lead_id = ?"
            " ORDER BY at, tie, seq",
            (lead_id, lead_id, lead_id, lead_id),
        )

    # --- figures (funnel, report, targets, plays) --------------------------------------------------
    # Every query aggregates in SQL over indexed columns; Python only sees one row per rep/stage/reason.
    # Parameters are named (:since, :until, :t …); stage names are always bound values, never SQL text.

    # The owner of lead `l` at time :t: the rep the first later reassignment took it from, else today's;
    # NULL: the pool (docs/pool.md). 0 stands for "from the pool" inside, as no rep has id 0.
    OWNER_AT = (
        "NULLIF(COALESCE((SELECT coalesce(a.from_rep_id, 0) FROM assignments a WHERE a.lead_id = l.id"
        " AND a.at >= :t ORDER BY a.at, a.id LIMIT 1), l.owner_id, 0), 0)"
    )

    @staticmethod
    def _case(column: str, mapping: dict[str, object], prefix: str) -> tuple[str, dict]:
        """`CASE column WHEN :p0 THEN :p1 … END` with the mapping's keys and values bound."""
        if not mapping:
            return "NULL", {}
        sql, params = ["CASE ", column], {}
        for i, (key, value) in enumerate(mapping.items()):
            sql.append(f" WHEN :{prefix}k{i} THEN :{prefix}v{i}")
            params[f"{prefix}k{i}"], params[f"{prefix}v{i}"] = key, value
        sql.append(" END")
        return "".join(sql), params

    def created_by_owner(self, since: str, until: str) -> list[sqlite3.Row]:
        """Leads created in [since, until), per owner at the period's end."""
        return self.all(
            "SELECT " + self.OWNER_AT + " AS rep_id, count(*) AS n FROM leads l"
            " WHERE l.created_at >= :since AND l.created_at < :until GROUP BY 1",  # 1: by position, never a column's name
            {"since": since, "until": until, "t": until},
        )

    def won_by_owner(self, since: str, until: str) -> list[dict]:
        """Deals won in [since, until) per owner and currency: count, amount (minor units), total cycle days."""
        return _exact(
            self.all(
                "SELECT " + self.OWNER_AT + " AS rep_id, l.currency, count(*) AS n,"
                " " + EXACT_SUM.replace("X", "l.won_amount") + " AS amount,"
                " total(julianday(l.won_at) - julianday(l.created_at)) AS cycle_days"
                " FROM leads l WHERE l.won_at >= :since AND l.won_at < :until GROUP BY 1, 2",  # by position: owner then, currency
                {"since": since, "until": until, "t": until},
            ),
            "amount",
        )

    def lost_by_owner(self, since: str, until: str) -> list[sqlite3.Row]:
        """Deals lost in [since, until) per owner and reason."""
        return self.all(
            "SELECT "
            + self.OWNER_AT
            + " AS rep_id, coalesce(l.lost_reason, 'other') AS reason, count(*) AS n"
            " FROM leads l WHERE l.lost_at >= :since AND l.lost_at < :until GROUP BY 1, 2",
            {"since": since, "until": until, "t": until},
        )

    def activity_counts(self, since: str, until: str) -> list[sqlite3.Row]:
        """Activities logged in [since, until) per rep who logged them: all, effective, proposals/quotes."""
        return self.all(
            "SELECT a.rep_id, count(*) AS n, total(a.effective) AS effective,"
            " count(CASE WHEN a.kind IN ('proposal', 'quote') THEN 1 END) AS proposals"
            " FROM activities a WHERE a.at >= :since AND a.at < :until GROUP BY a.rep_id",
            {"since": since, "until": until},
        )

    def advances(self, since: str, until: str, order: dict[str, int]) -> list[sqlite3.Row]:
        """Stage moves in [since, until) to a later stage in `order` (stage → position), per rep who moved."""
        to_rank, p1 = self._case("h.to_stage", order, "a")
        from_rank, p2 = self._case("h.from_stage", order, "b")
        return self.all(
            "SELECT h.rep_id, count(*) AS n FROM stage_history h"
            " WHERE h.at >= :since AND h.at < :until AND h.from_stage IS NOT NULL AND h.to_stage <> 'lost'"
            f" AND {to_rank} > {from_rank} GROUP BY h.rep_id",
            {"since": since, "until": until, **p1, **p2},
        )

    @staticmethod
    def _days(days: list[tuple[str, str, str, int]]) -> tuple[str, dict]:
        """`WITH d(day, lo, hi, month_end) AS (VALUES …)`: local days as UTC instants [lo, hi), bound values.
        The days are cut in Python, where the time zone (and its DST changes) is known, so the SQL
        compares plain stored strings: portable, and the `at` indexes do the work."""
        rows, params = [], {}
        for i, (day, lo, hi, month_end) in enumerate(days):
            rows.append(f"(:d{i}, :lo{i}, :hi{i}, :me{i})")
            params.update({f"d{i}": day, f"lo{i}": lo, f"hi{i}": hi, f"me{i}": month_end})
        return "WITH d(day, lo, hi, month_end) AS (VALUES " + ", ".join(rows) + ") ", params

    def effective_by_day(self, days: list[tuple[str, str, str, int]]) -> list[sqlite3.Row]:
        """Effective touches per (rep who logged them, local day) over the given days (docs/figures.md, Rhythm)."""
        with_days, params = self._days(days)
        # Days without a touch are dropped here: a `WHERE n > 0` in SQL would count each day twice.
        counts = self.all(with_days + EFFECTIVE_BY_REP_DAY, params)
        return [r for r in counts if r["n"]]

    def wins_by_month_end(self, days: list[tuple[str, str, str, int]], t: str) -> list[sqlite3.Row]:
        """Deals won over the given days per owner (at :t): how many, and how many on a month-end day."""
        with_days, params = self._days(days)
        return self.all(
            with_days
            + "SELECT "
            + self.OWNER_AT
            + " AS rep_id, count(*) AS n, sum(d.month_end) AS month_end"
            " FROM d JOIN leads l ON l.won_at >= d.lo AND l.won_at < d.hi GROUP BY 1",  # by position: owner then
            {**params, "t": t},
        )

    def weekly_counts(
        self, weeks: list[tuple[str, str, str, int]], rep_id: int | None
    ) -> list[sqlite3.Row]:
        """Per week [lo, hi): leads created and effective touches; one rep's: leads they own now, touches
        they logged (docs/figures.md, Trends)."""
        with_weeks, params = self._days(weeks)
        own = " AND l.owner_id = :rep_id" if rep_id is not None else ""
        by = " AND a.rep_id = :rep_id" if rep_id is not None else ""
        return self.all(
            with_weeks + "SELECT d.day,"
            " (SELECT count(*) FROM leads l WHERE l.created_at >= d.lo AND l.created_at < d.hi"
            + own
            + ") AS new_leads,"
            " (SELECT count(*) FROM activities a " + EFFECTIVE_TOUCHES + " WHERE a.at >= d.lo"
            " AND a.at < d.hi AND a.effective = 1" + by + ") AS effective FROM d ORDER BY d.lo",
            {**params, "rep_id": rep_id},
        )

    def weekly_won(self, weeks: list[tuple[str, str, str, int]], rep_id: int | None) -> list[dict]:
        """Per week [lo, hi) and currency: the won amount (minor units, exact); one rep's: leads they own now."""
        with_weeks, params = self._days(weeks)
        own = " WHERE l.owner_id = :rep_id" if rep_id is not None else ""
        return _exact(
            self.all(
                with_weeks
                + "SELECT d.day, l.currency, "
                + EXACT_SUM.replace("X", "l.won_amount")
                + " AS amount"
                " FROM d JOIN leads l ON l.won_at >= d.lo AND l.won_at < d.hi"
                + own
                + " GROUP BY d.day, l.currency",
                {**params, "rep_id": rep_id},
            ),
            "amount",
        )

    def weekly_moves(
        self, weeks: list[tuple[str, str, str, int]], rep_id: int | None
    ) -> list[dict]:
        """Per week [lo, hi), currency and stage move (from → to; from is NULL at creation): the moved leads'
        value (minor units), from which the weighted pipeline is walked back (docs/figures.md, Trends)."""
        with_weeks, params = self._days(weeks)
        own = " WHERE l.owner_id = :rep_id" if rep_id is not None else ""
        return _exact(
            self.all(
                with_weeks
                + "SELECT d.day, l.currency, h.from_stage, h.to_stage, "
                + EXACT_SUM.replace("X", "l.value")
                + " AS value FROM d JOIN stage_history h ON h.at >= d.lo AND h.at < d.hi"
                " JOIN leads l "
                + LEAD_FIGURES
                + " ON l.id = h.lead_id"
                + own
                + " GROUP BY d.day, l.currency, h.from_stage, h.to_stage",
                {**params, "rep_id": rep_id},
            ),
            "value",
        )

    def _leads_at(self) -> str:
        """A WITH clause defining `p`: leads as they were at :t (created before it, not closed before it),
        with their stage then (rebuilt from stage_history), owner then, last move and last activity before.
        MATERIALIZED keeps SQLite from copying the per-lead subqueries into every place that uses them.

        A lead untouched since :t (stage_changed_at and last_activity_at before it, no owner change at or
        after it) skips the look-ups: its current stage, owner, stage_changed_at and last_activity_at are
        its values then (docs/speed.md, "Leads untouched since the period's end"). For a lead that never
        moved, stage_changed_at is its creation, which its last touch counts anyway."""
        touched = (
            "(l.stage_changed_at >= :t OR l.last_activity_at >= :t"
            " OR l.id IN (SELECT lead_id FROM assignments WHERE at >= :t))"
        )
        return (
            "WITH x AS MATERIALIZED ("
            "  SELECT l.id, l.name, l.company, l.value, l.currency, l.close_by, l.key, l.created_at,"
            "   l.snoozed_until, l.next_at, l.next_step,"
            "   CASE WHEN " + touched + " THEN " + self.OWNER_AT + " ELSE l.owner_id END AS rep_id,"
            "   CASE WHEN l.stage_changed_at < :t THEN l.stage ELSE :first_stage END AS fallback_stage,"
            "   CASE WHEN " + touched + " THEN (SELECT h2.id FROM stage_history h2"
            "    WHERE h2.lead_id = l.id AND h2.at < :t ORDER BY h2.at DESC, h2.id DESC LIMIT 1) END AS hid,"
            "   CASE WHEN " + touched + " THEN NULL ELSE l.stage_changed_at END AS moved_at,"
            "   CASE WHEN " + touched + " THEN (SELECT max(a.at) FROM activities a"
            "    WHERE a.lead_id = l.id AND a.at < :t) ELSE l.last_activity_at END AS last_activity_at"
            "  FROM leads l WHERE " + OPEN_AT_CANDIDATES + " AND l.created_at < :t),"
            " p AS (SELECT x.*, COALESCE(h.to_stage, x.fallback_stage) AS stage_at,"
            "  COALESCE(h.at, x.moved_at) AS last_move_at FROM x LEFT JOIN stage_history h ON h.id = x.hid) "
        )

    # The latest of a lead's creation, last stage move and last activity before :t, in `p`.
    LAST_TOUCH_AT = (
        "max(p.created_at, coalesce(p.last_move_at, ''), coalesce(p.last_activity_at, ''))"
    )

    # open_at's one result holds the pipeline's groups and the deal lists' rows, each naming its `list`
    # and leaving the other kind's columns NULL. The owner's name is looked up for the listed rows only.
    _PIPELINE_ROWS = (
        "SELECT 'pipeline' AS list, rep_id, stage, currency, n, value, value_in_month, stalled,"
        " NULL AS id, NULL AS name, NULL AS company, NULL AS deal_value, NULL AS close_by, NULL AS key,"
        " NULL AS last_touch, NULL AS next_at, NULL AS next_step, NULL AS owner FROM pipeline"
    )
    _DEAL_ROWS = (
        "SELECT 'LIST' AS list, rep_id, stage, currency, NULL AS n, NULL AS value, NULL AS value_in_month,"
        " NULL AS stalled, id, name, company, deal_value, close_by, key, last_touch, next_at, next_step,"
        " (SELECT r.name FROM reps r WHERE r.id = LIST.rep_id) AS owner FROM LIST"
    )
    # The report's deal lists (docs/figures.md, The report): name, which open deals, in what order
    # (WEIGHT: a currency's rate), how many. Key deals and closing soon put deals without a value last.
    _DEAL_LISTS = (
        (
            "key_deals",
            "p.key = 1",
            "p.value IS NULL, p.value * WEIGHT DESC, p.id",
            ":limit",
        ),
        (
            "closing_soon",
            "p.close_by BETWEEN :close_from AND :close_to",
            "p.close_by, p.value IS NULL, p.value * WEIGHT DESC, p.id",
            ":limit",
        ),
        (
            "stalled_deals",
            "(p.snoozed_until IS NULL OR p.snoozed_until <= :t) AND "
            + LAST_TOUCH_AT
            + " <= STALLED",
            "coalesce(p.value, 0) * WEIGHT DESC, p.id",
            ":attention_limit",
        ),
        (
            "overdue_deals",
            "p.next_at < :overdue_before",
            "coalesce(p.value, 0) * WEIGHT DESC, p.id",
            ":attention_limit",
        ),
    )

    def open_at(
        self,
        t: str,
        *,
        first_stage: str,
        stalled_before: dict[str, str],
        month_first: str,
        month_last: str,
        deals: DealLists | None = None,
    ) -> tuple[list[dict], dict[str, list[dict]]]:
        """The open pipeline at :t per (owner then, stage then, currency): count, value, value closing in the
        month, and how many were stalled (last touch at or before the stage's threshold, not snoozed).
        With `deals`, also the report's deal lists then (_DEAL_LISTS), each row with its owner's name.
        One statement and one pass over the leads open at :t, however many lists."""
        threshold, params = self._case("p.stage_at", stalled_before, "s")
        pipeline = (
            "SELECT p.rep_id, p.stage_at AS stage, p.currency, count(*) AS n, "
            + EXACT_SUM.replace("X", "p.value")
            + " AS value, "
            + EXACT_SUM.replace(
                "X", "CASE WHEN p.close_by BETWEEN :month_first AND :month_last THEN p.value END"
            )
            + " AS value_in_month,"
            # count(CASE …), not total(…): PostgreSQL's total(boolean) is a SQL function per row
            " count(CASE WHEN (p.snoozed_until IS NULL OR p.snoozed_until <= :t) AND"
            f" {self.LAST_TOUCH_AT} <= {threshold} THEN 1 END) AS stalled"
            " FROM p WHERE p.stage_at NOT IN ('won', 'lost') GROUP BY p.rep_id, p.stage_at, p.currency"
        )
        sections, rows_of = ["pipeline AS (" + pipeline + ")"], [self._PIPELINE_ROWS]
        if deals is not None:
            weight, rate_params = self._case("p.currency", deals.weights, "w")
            params.update(rate_params, **deals.params())
            scope = (
                " AND p.rep_id = :rep_id"
                if deals.rep_id is not None
                else " AND p.rep_id IS NOT NULL"
            )
            pick = (
                "SELECT p.id, p.name, p.company, p.value AS deal_value, p.currency, p.close_by, p.key,"
                f" p.stage_at AS stage, p.rep_id, {self.LAST_TOUCH_AT} AS last_touch, p.next_at, p.next_step"
                " FROM p WHERE p.stage_at NOT IN ('won', 'lost')" + scope
            )
            for name, where, order, limit in self._DEAL_LISTS:
                where = where.replace("STALLED", threshold)
                order = order.replace("WEIGHT", f"coalesce({weight}, 0)")
                sections.append(f"{name} AS ({pick} AND {where} ORDER BY {order} LIMIT {limit})")
                rows_of.append(self._DEAL_ROWS.replace("LIST", name))
        rows = self.all(
            self._leads_at() + ", " + ", ".join(sections) + " " + " UNION ALL ".join(rows_of),
            {
                "t": t,
                "first_stage": first_stage,
                "month_first": month_first,
                "month_last": month_last,
                **params,
            },
        )
        lists: dict[str, list[dict]] = {}
        if deals is not None:
            lists = {name: [] for name, *_rest in self._DEAL_LISTS}
            for r in rows:
                if r["list"] != "pipeline":
                    lists[r["list"]].append({**dict(r), "value": r["deal_value"]})
        return _exact(
            [r for r in rows if r["list"] == "pipeline"], "value", "value_in_month"
        ), lists

    def play_results(self, until: str, rep_id: int | None) -> list[sqlite3.Row]:
        """Per play: leads it was used on before :until (by rep_id, or anyone), and how many of those
        were won or lost before :until."""
        by_rep = " AND a.rep_id = :rep_id" if rep_id is not None else ""
        return self.all(
            "SELECT p.name AS play, count(u.lead_id) AS leads,"
            " count(CASE WHEN l.won_at < :until THEN 1 END) AS won,"
            " count(CASE WHEN l.lost_at < :until THEN 1 END) AS lost"
            " FROM plays p LEFT JOIN (SELECT DISTINCT a.play_id, a.lead_id FROM activities a"
            "  WHERE a.play_id IS NOT NULL AND a.at < :until" + by_rep + ") u ON u.play_id = p.id"
            " LEFT JOIN leads l " + LEAD_FIGURES + " ON l.id = u.lead_id"
            " GROUP BY p.id ORDER BY leads DESC, p.name COLLATE NOCASE",
            {"until": until, "rep_id": rep_id},
        )

    # Funnel: the cohort is leads created in [since, until), optionally of one owner at :until.
    def _cohort(self, rep_id: int | None) -> str:
        where = "l.created_at >= :since AND l.created_at < :until"
        return where + (" AND " + self.OWNER_AT + " = :rep_id" if rep_id is not None else "")

    @staticmethod
    def _cohort_params(since: str, until: str, rep_id: int | None) -> dict:
        """The parameters `_cohort` names (the owner is the owner at the period's end)."""
        return {"since": since, "until": until, "t": until, "rep_id": rep_id}

    def funnel_furthest(
        self, since: str, until: str, rep_id: int | None, order: dict[str, int]
    ) -> list[sqlite3.Row]:
        """Cohort leads per furthest position ever reached (history, current stage, stage lost at)."""
        hist, p1 = self._case("h.to_stage", order, "a")
        now_rank, p2 = self._case("l.stage", order, "b")
        lost_rank, p3 = self._case("l.lost_stage", order, "c")
        return self.all(
            "SELECT furthest, count(*) AS n FROM (SELECT max("
            f" coalesce((SELECT max({hist}) FROM stage_history h WHERE h.lead_id = l.id), -1),"
            f" coalesce({now_rank}, -1), coalesce({lost_rank}, -1)) AS furthest"
            " FROM leads l WHERE " + self._cohort(rep_id) + ") f GROUP BY furthest",
            {**self._cohort_params(since, until, rep_id), **p1, **p2, **p3},
        )

    def funnel_outcomes(self, since: str, until: str, rep_id: int | None) -> sqlite3.Row:
        return self.one(
            "SELECT count(*) AS cohort, total(l.stage = 'won') AS won, total(l.stage = 'lost') AS lost"
            " FROM leads l WHERE " + self._cohort(rep_id),
            self._cohort_params(since, until, rep_id),
        )

    def funnel_lost(self, since: str, until: str, rep_id: int | None) -> list[sqlite3.Row]:
        """Cohort leads now lost, per stage lost at and reason."""
        return self.all(
            # Grouped by the expressions, not the aliases: `stage` in GROUP BY names the column l.stage
            # (always 'lost' here) before the alias, which lumped every stage's losses together.
            "SELECT l.lost_stage AS stage, coalesce(l.lost_reason, 'other') AS reason, count(*) AS n"
            " FROM leads l "
            + BY_CREATION
            + " WHERE l.stage = 'lost' AND "
            + self._cohort(rep_id)
            + " GROUP BY l.lost_stage, coalesce(l.lost_reason, 'other')",
            self._cohort_params(since, until, rep_id),
        )

    def funnel_stays(self, since: str, until: str, rep_id: int | None) -> list[sqlite3.Row]:
        """Completed stays of cohort leads per stage: how many and their total length in days."""
        return self.all(
            # Driven from stage_history's (lead_id, at) index, so the window needs no sort.
            "SELECT stage, count(*) AS n, total(days) AS days FROM ("
            " SELECT h.to_stage AS stage,"
            "  julianday(lead(h.at) OVER (PARTITION BY h.lead_id ORDER BY h.at, h.id)) - julianday(h.at) AS days"
            " FROM stage_history h WHERE h.lead_id IN (SELECT l.id FROM leads l WHERE "
            + self._cohort(rep_id)
            + ")"
            ") s WHERE days IS NOT NULL GROUP BY 1",
            self._cohort_params(since, until, rep_id),
        )

    # --- targets -----------------------------------------------------------------------------------

    def set_target(self, rep_id: int | None, month: str, amount: int, now: str) -> None:
        self.require_owner("targets")
        self.conn.execute("DELETE FROM targets WHERE month = ? AND rep_id IS ?", (month, rep_id))
        self.conn.execute(
            "INSERT INTO targets (rep_id, month, amount, set_at) VALUES (?, ?, ?, ?)",
            (rep_id, month, amount, now),
        )

    def targets(self, month: str) -> dict[int | None, int]:
        """The month's targets: rep id → amount (minor units); None is the team's own target."""
        return {
            r["rep_id"]: r["amount"]
            for r in self.all("SELECT rep_id, amount FROM targets WHERE month = ?", (month,))
        }

    # --- plays -------------------------------------------------------------------------------------

    def add_play(
        self, name: str, text: str, stage: str | None, persona: str | None, now: str
    ) -> int:
        self.require_owner("plays")
        if self.play(name) is not None:
            raise Duplicate(N_('play: "{name}" already exists'), name=name)
        return self.conn.execute(
            "INSERT INTO plays (name, text, stage, persona, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (name, text, stage, persona, now),
        ).fetchone()[0]

    def play(self, name: str) -> sqlite3.Row | None:
        return self.one(
            "SELECT id, name, text, stage, persona, cadence FROM plays WHERE name = ?", (name,)
        )

    def plays(self) -> list[sqlite3.Row]:
        return self.all(
            "SELECT p.id, p.name, p.text, p.stage, p.persona, p.cadence,"
            " (SELECT count(DISTINCT a.lead_id) FROM activities a WHERE a.play_id = p.id) AS used_on"
            " FROM plays p ORDER BY p.name COLLATE NOCASE"
        )

    # --- cadences, recurring follow-ups, the calendar feed (docs/calendar.md) ----------------------

    def set_play_cadence(self, play_id: int, cadence: str | None) -> None:
        self.require_owner("plays")
        self.conn.execute("UPDATE plays SET cadence = ? WHERE id = ?", (cadence, play_id))

    def running_cadence(self, lead_id: int) -> sqlite3.Row | None:
        """The lead's running cadence with its play (name, stage, cadence text), or None."""
        return self.one(
            "SELECT c.id, c.play_id, c.steps_done, c.started_at, p.name AS play, p.stage AS play_stage, p.cadence"
            " FROM cadence_runs c JOIN plays p ON p.id = c.play_id WHERE c.lead_id = ? AND c.ended_at IS NULL",
            (lead_id,),
        )

    def start_cadence(self, lead_id: int, play_id: int, rep_id: int, now: str) -> None:
        self._guard_lead(lead_id)
        self.conn.execute(
            "INSERT INTO cadence_runs (lead_id, play_id, rep_id, steps_done, started_at) VALUES (?, ?, ?, 0, ?)",
            (lead_id, play_id, rep_id, now),
        )

    def advance_cadence(self, run_id: int, steps_done: int) -> None:
        self.conn.execute(
            "UPDATE cadence_runs SET steps_done = ? WHERE id = ?", (steps_done, run_id)
        )

    def end_cadence(self, run_id: int, reason: str, now: str) -> None:
        self.conn.execute(
            "UPDATE cadence_runs SET ended_at = ?, end_reason = ? WHERE id = ?",
            (now, reason, run_id),
        )

    def cadence_results(self, until: str, rep_id: int | None) -> list[sqlite3.Row]:
        """Per play with a cadence run started before :until (by rep_id, or anyone): the leads that went
        through it, how many finished every step, and how many of those leads were won or lost by :until."""
        by_rep = " AND c.rep_id = :rep_id" if rep_id is not None else ""
        return self.all(
            "SELECT p.name AS play, count(u.lead_id) AS leads, sum(u.completed) AS completed,"
            " sum(CASE WHEN l.won_at < :until THEN 1 ELSE 0 END) AS won,"
            " sum(CASE WHEN l.lost_at < :until THEN 1 ELSE 0 END) AS lost"
            " FROM plays p JOIN (SELECT c.play_id, c.lead_id,"
            "  max(CASE WHEN c.end_reason = 'completed' AND c.ended_at < :until THEN 1 ELSE 0 END) AS completed"
            "  FROM cadence_runs c WHERE c.started_at < :until"
            + by_rep
            + " GROUP BY c.play_id, c.lead_id) u"
            " ON u.play_id = p.id JOIN leads l ON l.id = u.lead_id"
            " GROUP BY p.id, p.name ORDER BY leads DESC, p.name",
            {"until": until, "rep_id": rep_id},
        )

    def recurrence(self, lead_id: int) -> str | None:
        row = self.one("SELECT every FROM recurrences WHERE lead_id = ?", (lead_id,))
        return row["every"] if row else None

    def set_recurrence(self, lead_id: int, every: str | None, now: str) -> None:
        """`every` like "2w"; None stops it."""
        self._guard_lead(lead_id)
        if every is None:
            self.conn.execute("DELETE FROM recurrences WHERE lead_id = ?", (lead_id,))
        else:
            self.conn.execute(
                "INSERT INTO recurrences (lead_id, every, set_at) VALUES (?, ?, ?)"
                " ON CONFLICT (lead_id) DO UPDATE SET every = excluded.every, set_at = excluded.set_at",
                (lead_id, every, now),
            )

    def revise_followup(self, lead_id: int, now: str) -> None:
        """Count one more change of the lead's follow-up (its calendar event's SEQUENCE and LAST-MODIFIED)."""
        self._guard_lead(lead_id)
        self.conn.execute(
            "INSERT INTO followup_revisions (lead_id, sequence, modified_at) VALUES (?, 1, ?)"
            " ON CONFLICT (lead_id) DO UPDATE SET sequence = followup_revisions.sequence + 1,"
            " modified_at = excluded.modified_at",
            (lead_id, now),
        )

    def calendar_id(self) -> str | None:
        import json

        row = self.one("SELECT value FROM settings WHERE key = 'calendar_id'")
        return json.loads(row["value"]) if row else None

    def scheduled_followups(self, *, owner_id: int | None, until: str) -> list[sqlite3.Row]:
        """Open leads (of one owner) with a follow-up before :until, soonest first, with the last note
        and the follow-up's revision."""
        by_owner = " AND l.owner_id = :owner_id" if owner_id is not None else ""
        return self.all(
            "SELECT l.id, l.name, l.company, l.stage, l.value, l.currency, l.next_at, l.next_step, l.created_at,"
            " r.name AS owner, coalesce(f.sequence, 0) AS sequence, f.modified_at,"
            " (SELECT a.note FROM activities a WHERE a.lead_id = l.id AND a.note <> ''"
            "  ORDER BY a.at DESC, a.id DESC LIMIT 1) AS last_note"
            " FROM leads l JOIN reps r ON r.id = l.owner_id"
            " LEFT JOIN followup_revisions f ON f.lead_id = l.id"
            " WHERE "
            + OPEN
            + " AND l.next_at IS NOT NULL AND l.next_at < :until"
            + by_owner
            + " ORDER BY l.next_at, l.id",
            {"owner_id": owner_id, "until": until},
        )

    # --- the rep's day: plays by name, today/stalled candidates, handoff -------------------------------

    def rep_name(self, rep_id: int) -> str | None:
        row = self.rep_by_id(rep_id)
        return row["name"] if row else None

    def play_names(self) -> list[str]:
        return [r["name"] for r in self.all("SELECT name FROM plays ORDER BY name")]

    @staticmethod
    def _open_scope(open_stages: list[str], owner_id: int | None) -> tuple[str, list]:
        """WHERE for open leads (of one owner): `stage IN (…)` so SQLite searches leads(owner_id, stage)."""
        sql = "l.stage IN (" + ", ".join("?" * len(open_stages)) + ")"
        params: list = list(open_stages)
        if owner_id is not None:
            sql = "l.owner_id = ? AND " + sql
            params.insert(0, owner_id)
        return sql, params

    # The latest of a lead's creation, last stage change and last activity (all fixed-shape UTC strings).
    LAST_TOUCH = "max(l.created_at, l.stage_changed_at, coalesce(l.last_activity_at, l.created_at))"

    def _stalled_flag(self, stalled_before: dict[str, str]) -> tuple[str, list]:
        """SQL for "not snoozed and last touched at or before its stage's cut-off"; params in order."""
        case = "CASE l.stage " + " ".join("WHEN ? THEN ?" for _ in stalled_before) + " END"
        sql = (
            "((l.snoozed_until IS NULL OR l.snoozed_until <= ?) AND "
            + self.LAST_TOUCH
            + " <= "
            + case
            + ")"
        )
        return sql, [v for item in stalled_before.items() for v in item]

    def agenda_candidates(
        self,
        *,
        open_stages: list[str],
        owner_id: int | None,
        now: str,
        day_start: str,
        day_end: str,
        today: str,
        soon: str,
        stalled_before: dict[str, str],
    ) -> list[sqlite3.Row]:
        """Open leads with at least one `today` reason, each reason a 0/1 column computed in SQL.

        Times are UTC strings: `day_start`/`day_end` bound the local today, `stalled_before[stage]` is
        now − (rot_days + 1) days (idle days > rot_days ⟺ last touch at or before it); `today`/`soon`
        are local dates for close_by.
        """
        scope, scope_params = self._open_scope(open_stages, owner_id)
        stalled, stalled_params = self._stalled_flag(stalled_before)
        sql = (
            "SELECT * FROM (SELECT l.id, l.name, l.company, l.stage, l.value, l.currency, l.key, l.intent,"
            " l.next_at, l.next_step, l.close_by, r.name AS owner, "
            + self.LAST_TOUCH
            + " AS last_touch,"
            " coalesce(l.next_at < ?, FALSE) AS overdue,"
            " coalesce(l.next_at >= ? AND l.next_at < ?, FALSE) AS due_today,"
            " (l.stage = ? AND l.last_activity_at IS NULL) AS new_untouched,"
            " " + stalled + " AS stalled,"
            " coalesce(l.close_by >= ? AND l.close_by <= ?, FALSE) AS closing_soon,"
            " (l.stage <> ? AND l.next_at IS NULL) AS no_next_step,"
            " coalesce(l.snoozed_until > ?, FALSE) AS snoozed"
            " FROM leads l JOIN reps r ON r.id = l.owner_id WHERE " + scope + ") c"
            # A snoozed lead is quiet: only an appointment (overdue or due today) brings it back.
            " WHERE overdue OR due_today"
            " OR (NOT snoozed AND (new_untouched OR stalled OR closing_soon OR no_next_step))"
        )
        params = [
            day_start,
            day_start,
            day_end,
            open_stages[0],
            now,
            *stalled_params,
            today,
            soon,
            open_stages[0],
            now,
            *scope_params,
        ]
        return self.all(sql, params)

    def after_sale_due(self, *, owner_id: int | None, day_end: str) -> list[sqlite3.Row]:
        """Won leads whose after-sale follow-up falls before `day_end` (the end of the local today)."""
        return self.all(
            "SELECT l.id, l.name, l.company, l.stage, l.value, l.currency, l.key, l.intent, l.next_at,"
            " l.next_step, l.close_by, r.name AS owner, " + self.LAST_TOUCH + " AS last_touch"
            # The partial index holds only won leads with a follow-up: a handful, whatever the history.
            " FROM leads l INDEXED BY leads_after_sale JOIN reps r ON r.id = l.owner_id"
            " WHERE l.stage = 'won' AND l.next_at IS NOT NULL AND l.next_at < ?"
            + (" AND l.owner_id = ?" if owner_id is not None else ""),
            (day_end,) if owner_id is None else (day_end, owner_id),
        )

    def stalled_leads(
        self,
        *,
        open_stages: list[str],
        owner_id: int | None,
        now: str,
        stalled_before: dict[str, str],
    ) -> list[sqlite3.Row]:
        """Open, unsnoozed leads last touched at or before their stage's cut-off (see agenda_candidates)."""
        scope, scope_params = self._open_scope(open_stages, owner_id)
        stalled, stalled_params = self._stalled_flag(stalled_before)
        sql = (
            "SELECT l.id, l.name, l.company, l.stage, l.value, l.currency, l.key, l.next_at, r.name AS owner,"
            " " + self.LAST_TOUCH + " AS last_touch"
            " FROM leads l JOIN reps r ON r.id = l.owner_id WHERE " + scope + " AND " + stalled
        )
        return self.all(sql, [*scope_params, now, *stalled_params])

    def open_count_by_owner(self, open_stages: list[str]) -> list[sqlite3.Row]:
        """Open leads per owner now (`rhythm`'s leads held), searched through leads(owner_id, stage)."""
        sql, params = self._open_scope(open_stages, None)
        return self.all(
            "SELECT l.owner_id AS rep_id, count(*) AS n FROM leads l WHERE "
            + sql
            + " GROUP BY l.owner_id",
            params,
        )

    def open_and_stalled_by_rep(
        self,
        *,
        open_stages: list[str],
        owner_id: int | None,
        now: str,
        stalled_before: dict[str, str],
    ) -> list[sqlite3.Row]:
        """Per rep: open and stalled lead counts. Active reps with nothing open count as 0."""
        stalled, stalled_params = self._stalled_flag(stalled_before)
        in_stages = "l.stage IN (" + ", ".join("?" * len(open_stages)) + ")"
        # Per rep, a search of leads(owner_id, stage): no scan of closed leads.
        sql = (
            "SELECT r.name AS rep, count(l.id) AS open, coalesce(sum("
            + stalled
            + "), 0) AS stalled"
            " FROM reps r LEFT JOIN leads l ON l.owner_id = r.id AND "
            + in_stages
            + (" WHERE r.id = ?" if owner_id is not None else "")
            + " GROUP BY r.id HAVING r.active = 1 OR count(l.id) > 0 OR r.id IS ?"
            " ORDER BY r.name"
        )
        params = [now, *stalled_params, *open_stages]
        if owner_id is not None:
            params.append(owner_id)
        params.append(owner_id)
        return self.all(sql, params)

    def open_leads_of(self, owner_id: int) -> list[sqlite3.Row]:
        """Every open (not won, not lost) lead a rep owns, as full lead rows, by id."""
        return self.all(
            self.LEAD_SELECT + " WHERE l.owner_id = ? AND " + OPEN + " ORDER BY l.id", (owner_id,)
        )

    # --- the shared pool (docs/pool.md) --------------------------------------------------------------

    # The start of a lead's idle time for recycling: the latest of its creation, its last effective touch
    # and the moment its owner got it (a lead just claimed is not recycled for its old silence).
    IDLE_SINCE = (
        "max(l.created_at,"
        " coalesce((SELECT max(a.at) FROM activities a WHERE a.lead_id = l.id AND a.effective = 1), ''),"
        " coalesce((SELECT max(s.at) FROM assignments s WHERE s.lead_id = l.id), ''))"
    )

    def idle_leads(
        self, idle_before: dict[str, str], *, owner_id: int | None = None
    ) -> list[sqlite3.Row]:
        """Owned open leads in a stage of `idle_before` (stage → UTC time) idle since at or before it:
        what `pool recycle` returns to the pool (and, with later cut-offs, what `today` warns about)."""
        if not idle_before:
            return []
        stages = list(idle_before)
        cutoff, params = self._case("l.stage", idle_before, "c")
        scope = " AND l.owner_id = :owner_id" if owner_id is not None else ""
        return self.all(
            "SELECT * FROM (SELECT l.id, l.name, l.company, l.stage, l.value, l.currency, l.key, l.intent,"
            " l.next_at, l.next_step, l.close_by, l.snoozed_until, l.owner_id, r.name AS owner, "
            + self.LAST_TOUCH
            + " AS last_touch, "
            + self.IDLE_SINCE
            + " AS idle_since, "
            + cutoff
            + " AS cutoff FROM leads l JOIN reps r ON r.id = l.owner_id"
            " WHERE l.stage IN ("
            + ", ".join(f":s{i}" for i in range(len(stages)))
            + ")"
            + scope
            + ") c WHERE idle_since <= cutoff ORDER BY idle_since, id",
            {**params, **{f"s{i}": st for i, st in enumerate(stages)}, "owner_id": owner_id},
        )

    def recycle_notices(self, rep_id: int) -> list[sqlite3.Row]:
        """Leads taken from this rep by `pool recycle` that their digest has not told them of yet."""
        return self.all(
            "SELECT s.id, s.lead_id, l.name, l.company, l.stage, s.at, s.reason FROM assignments s"
            " JOIN leads l ON l.id = s.lead_id"
            " WHERE s.kind = 'recycle' AND s.from_rep_id = ? AND s.notified_at IS NULL ORDER BY s.at, s.id",
            (rep_id,),
        )

    def mark_notified(self, assignment_ids: list[int], now: str) -> None:
        self.conn.executemany(
            "UPDATE assignments SET notified_at = ? WHERE id = ?",
            [(now, i) for i in assignment_ids],
        )

    def pool_moves(self, since: str, until: str) -> list[sqlite3.Row]:
        """Claims, releases and recycles in [since, until) per rep: the one who claimed, or lost the lead."""
        return self.all(
            "SELECT s.kind, CASE WHEN s.kind = 'claim' THEN s.to_rep_id ELSE s.from_rep_id END AS rep_id,"
            " count(*) AS n FROM assignments s"
            " WHERE s.at >= :since AND s.at < :until AND s.kind IN ('claim', 'release', 'recycle')"
            " GROUP BY 1, 2",
            {"since": since, "until": until},
        )

    def hand_over(self, from_rep_id: int, to_rep_id: int, *, rep_id: int, now: str) -> int:
        """Move all of a rep's open leads (with their follow-ups) to another, one assignment row each.

        Set-based: two statements whatever the number of leads; the caller's transaction makes them one.
        Won and lost leads stay with whoever closed them.
        """
        self.require_owner("handoff")
        self.conn.execute(
            "INSERT INTO assignments (lead_id, rep_id, from_rep_id, to_rep_id, at, kind)"
            " SELECT l.id, ?, l.owner_id, ?, ?, 'handoff' FROM leads l "
            + OPEN_BY_OWNER
            + " WHERE l.owner_id = ? AND "
            + OPEN
            + " ORDER BY l.id",
            (rep_id, to_rep_id, now, from_rep_id),
        )
        return self.conn.execute(
            "UPDATE leads SET owner_id = ? WHERE owner_id = ? AND stage NOT IN ('won', 'lost')",
            (to_rep_id, from_rep_id),
        ).rowcount

    # --- data in and out (docs/reference.md) -----------------------------------------------------------------
    # Export streams cursors (never fetchall), import writes in batches with executemany, search uses FTS5.

    TABLE_COLUMNS = {
        "reps": ("id", "name", "email", "active", "created_at", "lang"),
        "plays": ("id", "name", "text", "stage", "persona", "cadence", "created_at"),
        "leads": ("id", *LEAD_FIELDS),
        "lead_tags": ("lead_id", "tag"),
        "activities": (
            "id",
            "lead_id",
            "rep_id",
            "kind",
            "note",
            "effective",
            "at",
            "play_id",
            "created_at",
        ),
        "stage_history": ("id", "lead_id", "rep_id", "from_stage", "to_stage", "at"),
        "assignments": (
            "id",
            "lead_id",
            "rep_id",
            "from_rep_id",
            "to_rep_id",
            "at",
            "kind",
            "reason",
            "notified_at",
        ),
        "targets": ("id", "rep_id", "month", "amount", "set_at"),
        "activity_removals": (
            "id",
            "lead_id",
            "rep_id",
            "activity_id",
            "kind",
            "note",
            "activity_at",
            "at",
        ),
        "cadence_runs": (
            "id",
            "lead_id",
            "play_id",
            "rep_id",
            "steps_done",
            "started_at",
            "ended_at",
            "end_reason",
        ),
        "recurrences": ("lead_id", "every", "set_at"),
        "followup_revisions": ("lead_id", "sequence", "modified_at"),
        "settings": ("key", "value"),
        # not in `export all` (a day's claims are no history), but `db copy` keeps them: moving a
        # database mid-morning must not mail anyone a second digest that day
        "reminders": ("rep_id", "day", "claimed_at", "sent_at"),
    }
    # Tables keyed by their lead, not by an id of their own.
    _BY_LEAD = ("lead_tags", "recurrences", "followup_revisions")

    def iter_table(self, table: str) -> sqlite3.Cursor:
        """Every row of one table, oldest id first, as a cursor (rows are read as they are written out)."""
        columns = self.TABLE_COLUMNS[table]
        order = {"settings": "key", "lead_tags": "lead_id, tag", "reminders": "rep_id, day"}.get(
            table, "lead_id" if table in self._BY_LEAD else "id"
        )
        return self.conn.execute(
            "SELECT " + ", ".join(columns) + " FROM " + table + " ORDER BY " + order
        )

    def iter_leads(self) -> sqlite3.Cursor:
        return self.conn.execute(self.LEAD_SELECT + " ORDER BY l.id")

    def iter_activities(self) -> sqlite3.Cursor:
        """Activities with the names a reader needs (lead, rep, play) beside the ids."""
        return self.conn.execute(
            "SELECT a.id, a.lead_id, l.name AS lead, l.company, r.name AS rep, a.kind, a.note, a.effective, a.at,"
            " p.name AS play, a.created_at"
            " FROM activities a JOIN leads l ON l.id = a.lead_id JOIN reps r ON r.id = a.rep_id"
            " LEFT JOIN plays p ON p.id = a.play_id ORDER BY a.id"
        )

    def row_counts(self) -> dict[str, int]:
        return {
            t: self.one("SELECT count(*) FROM " + t)[0]
            for t in ("reps", "leads", "activities", "plays", "targets")
        }

    def import_index(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Reps by name, leads by email and by phone digits: what an import looks up per row, loaded once.

        Keys are folded as SQLite's NOCASE folds them (ASCII letters only)."""
        reps = {nocase(r[1]): r[0] for r in self.conn.execute("SELECT id, name FROM reps")}
        emails: dict[str, int] = {}
        phones: dict[str, int] = {}
        for lead_id, email, digits in self.conn.execute(
            "SELECT id, email, phone_digits FROM leads ORDER BY id"
        ):
            if email:
                emails.setdefault(nocase(email), lead_id)
            if digits:
                phones.setdefault(digits, lead_id)
        return reps, emails, phones

    def inactive_rep_names(self) -> set[str]:
        """Names of deactivated reps, folded like `import_index` folds them."""
        return {nocase(r[0]) for r in self.conn.execute("SELECT name FROM reps WHERE active = 0")}

    def next_id(self, table: str) -> int:
        if "id" not in self.TABLE_COLUMNS.get(table, ()):  # a real check: `python -O` drops asserts
            raise ValueError(f"unknown table {table!r}")
        return self.one("SELECT coalesce(max(id), 0) + 1 FROM " + table)[0]

    def insert_rows(
        self, table: str, columns: tuple[str, ...], rows: list[tuple], *, load: bool = False
    ) -> None:
        """Batched insert; table and column names must come from TABLE_COLUMNS. `load` (`db copy` into
        an empty server database): through COPY, which row-level security refuses to other roles."""
        self.require_owner("import")
        if not rows:
            return
        if not set(columns) <= set(self.TABLE_COLUMNS[table]):
            raise ValueError(f"unknown columns for {table}: {columns}")
        if load and self.is_server:  # COPY: one round trip per batch (docs/speed.md)
            self.conn.copy_in("COPY " + table + " (" + ", ".join(columns) + ") FROM STDIN", rows)
        else:
            sql = (
                "INSERT INTO "
                + table
                + " ("
                + ", ".join(columns)
                + ") VALUES ("
                + ", ".join("?" * len(columns))
                + ")"
            )
            self.conn.executemany(sql, rows)
        if "id" in columns:
            self.dialect.after_explicit_ids(self.conn, table)

    @contextmanager
    def bulk_index(self, table: str) -> Iterator[None]:
        """Index rows inserted into `table` once at the end (SQLite's FTS); nothing to do on PostgreSQL."""
        if table not in ("leads", "activities"):
            raise ValueError(f"no search index on {table!r}")
        with self.dialect.bulk_index(self.conn, table, self.next_id(table)):
            yield

    def copy_to(self, target: Store, *, batch: int = 5000) -> dict[str, int]:
        """Every row of every table into `target`, keeping ids (`db copy`); runs in the caller's
        transaction on `target`, which must hold no reps, leads or activities."""
        counts = target.row_counts()
        if counts["reps"] or counts["leads"] or counts["activities"]:
            raise SalesError(
                N_(
                    "db copy: {where} is not empty ({reps} reps, {leads} leads); copy into a new database"
                ),
                where=target.where,
                reps=counts["reps"],
                leads=counts["leads"],
            )
        target.clear_for_restore()
        target.conn.execute("DELETE FROM settings")
        copied = {}
        with (
            target.dialect.bulk_load(target.conn),
            target.bulk_index("leads"),
            target.bulk_index("activities"),
        ):
            for table, columns in self.TABLE_COLUMNS.items():
                cursor, copied[table] = self.iter_table(table), 0
                while rows := cursor.fetchmany(batch):
                    target.insert_rows(table, columns, [tuple(row) for row in rows], load=True)
                    copied[table] += len(rows)
        target.dialect.analyze(target.conn)
        return copied

    def clear_for_restore(self) -> None:
        """Before a full import into a database without leads or reps: drop the unused defaults it replaces."""
        self.require_owner("import")
        self.conn.execute("DELETE FROM targets")
        self.conn.execute("DELETE FROM plays")

    def search(self, text: str, limit: int) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
        """Leads whose name or company, and activities whose note, contain every word of `text`.

        Each word is matched literally as a substring: words of 3+ characters through the trigram FTS
        index (quoted as an FTS string, so `NEAR(`, `*`, `"`, `AND` are just text), shorter ones (e.g. a
        two-character Chinese name) with LIKE, their `%` and `_` escaped."""
        words = text.split()
        if not words:
            return [], []
        # Without FTS (PostgreSQL: pg_trgm indexes serve ILIKE '%word%') every word goes through LIKE.
        shortest = 3 if self.dialect.HAS_FTS else float("inf")
        long_words = [w for w in words if len(w) >= shortest]
        match = " ".join('"' + w.replace('"', '""') + '"' for w in long_words) or None
        likes = [_like_pattern(w) for w in words if len(w) < shortest]
        where, params = [], []
        if match:
            where.append("l.id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)")
            params.append(match)
        for like in likes:
            where.append("(l.name || ' ' || coalesce(l.company, '')) LIKE ? ESCAPE '\\'")
            params.append(like)
        leads = self.all(
            self.LEAD_SELECT
            + " WHERE "
            + " AND ".join(where)
            + " ORDER BY "
            + OPEN
            + " DESC, l.id DESC LIMIT ?",
            (*params, limit),
        )
        where, params = [], []
        if match:
            where.append("a.id IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH ?)")
            params.append(match)
        for like in likes:
            where.append("a.note LIKE ? ESCAPE '\\'")
            params.append(like)
        activities = self.all(
            "SELECT a.id, a.lead_id, a.at, a.kind, a.note, r.name AS rep, l.name, l.company, l.stage"
            " FROM activities a JOIN leads l ON l.id = a.lead_id JOIN reps r ON r.id = a.rep_id"
            " WHERE " + " AND ".join(where) + " ORDER BY a.at DESC, a.id DESC LIMIT ?",
            (*params, limit),
        )
        return leads, activities

    def backup_to(self, dest: Path, *, name: Path | None = None) -> None:
        """A consistent copy through SQLite's online backup API (includes what is still in the WAL).

        `name`: the file to name in errors when `dest` is a temporary file that will be renamed to it."""
        target = sqlite3.connect(str(dest), isolation_level=None)
        try:
            self.conn.backup(target)
            target.execute(
                "PRAGMA journal_mode = DELETE"
            )  # one self-contained file, no -wal beside it
            problems = [r[0] for r in target.execute("PRAGMA integrity_check")]
        except sqlite3.Error as exc:  # a full disk or a size limit hits the copy, not the database
            raise storage_error(name or dest, exc) from exc
        finally:
            target.close()
        if problems != ["ok"]:
            raise StoreError(
                N_("backup {name} failed its integrity check: {problems}"),
                name=name or dest,
                problems="; ".join(problems[:5]),
            )

    # --- reminders (cron and mail) -------------------------------------------------------------------
    # One row per rep and local day: claimed before a reminder is sent, deleted if sending fails,
    # stamped sent_at after. The primary key makes the claim atomic, so overlapping runs send once.
    # Claims are stamped by `clock()`, the real time of the database's side, never the run's pinned
    # "now" (--as-of, $SALESCTL_NOW): a run pinned 20 minutes later must not see a live claim as old.

    def clock(self) -> datetime:
        """The clock of reminder claims, aware UTC: the server's on PostgreSQL, so cron on two hosts
        whose clocks disagree still compares every claim against one clock and sends once
        (docs/team.md); the system's on SQLite, where every client shares the machine's clock."""
        if self.is_server:
            return self.dialect.clock(self.conn)
        return datetime.now(UTC)

    @staticmethod
    def _claim_stamp(t: datetime) -> str:
        # Fixed-width microseconds: stamps sort as times, and a claim refreshed within a second is newer.
        return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def claim_reminder(self, rep_id: int, day: str, *, stale_after: timedelta) -> bool:
        """Claim (rep, day) for sending; False when another run holds or has sent it.

        A claim neither sent nor refreshed for `stale_after` (a run killed mid-send) may be taken over.
        Call inside `write()`.
        """
        now = self.clock()
        cursor = self.conn.execute(
            "INSERT INTO reminders (rep_id, day, claimed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (rep_id, day) DO UPDATE SET claimed_at = excluded.claimed_at"
            " WHERE reminders.sent_at IS NULL AND reminders.claimed_at < ?",
            (rep_id, day, self._claim_stamp(now), self._claim_stamp(now - stale_after)),
        )
        return cursor.rowcount == 1

    def refresh_reminder(self, rep_id: int, day: str) -> None:
        """Re-stamp a claim still being sent, so it never looks abandoned. Call inside `write()`."""
        self.conn.execute(
            "UPDATE reminders SET claimed_at = ? WHERE rep_id = ? AND day = ? AND sent_at IS NULL",
            (self._claim_stamp(self.clock()), rep_id, day),
        )

    def release_reminder(self, rep_id: int, day: str) -> None:
        """Give a claim back after a failed send, so the next run tries again."""
        self.conn.execute(
            "DELETE FROM reminders WHERE rep_id = ? AND day = ? AND sent_at IS NULL", (rep_id, day)
        )

    def mark_reminder_sent(self, rep_id: int, day: str) -> None:
        self.conn.execute(
            "UPDATE reminders SET sent_at = ? WHERE rep_id = ? AND day = ?",
            (self._claim_stamp(self.clock()), rep_id, day),
        )

    def reminder(self, rep_id: int, day: str) -> sqlite3.Row | None:
        return self.one(
            "SELECT claimed_at, sent_at FROM reminders WHERE rep_id = ? AND day = ?", (rep_id, day)
        )


def _like_pattern(text: str) -> str:
    """`%text%` for `LIKE ? ESCAPE '\\'`: the text's own `%`, `_` and `\\` match literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _exact(rows: list[sqlite3.Row], *names: str) -> list[dict]:
    """Rows as dicts with each EXACT_SUM column (`high:low`) turned into its exact integer."""
    result = []
    for row in rows:
        item = dict(row)
        for name in names:
            high, low = item[name].split(":")
            item[name] = int(high) * 1_000_000_000 + int(low)
        result.append(item)
    return result


def nocase(text: str) -> str:
    """Fold like SQLite's NOCASE collation: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# --- doctor (docs/reference.md) ------------------------------------------------------------------------------

SQLITE_HEADER = b"SQLite format 3\x00"


def inspect_database(path: Path) -> list[tuple[str, str, Words]]:
    """Health checks of a database file, opened read-only: (check, "ok"|"warning"|"error", detail);
    the detail is English words translated where shown (str() is the English)."""
    import stat
    from urllib.parse import quote

    checks: list[tuple[str, str, Words]] = []
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # before opening: a FIFO would hang the read
            return [
                (
                    "file",
                    "error",
                    Words(
                        N_(
                            "{path} is not a regular file (a folder, device or FIFO); give --db a database file"
                        ),
                        path=path,
                    ),
                )
            ]
        with open(path, "rb") as f:
            header = f.read(16)
        mode = stat.S_IMODE(info.st_mode)
    except OSError as exc:
        return [
            (
                "file",
                "error",
                Words(N_("cannot read {path}: {reason}"), path=path, reason=exc.strerror or exc),
            )
        ]
    if header != SQLITE_HEADER:
        what = (
            N_("{path} is empty; restore it from a backup (salesctl backup makes one)")
            if not header
            else N_(
                "{path} is not a SQLite database (wrong header); restore it from a backup (salesctl backup makes one)"
            )
        )
        return [("file", "error", Words(what, path=path))]
    if mode & 0o077:
        checks.append(
            (
                "permissions",
                "warning",
                Words(
                    N_("mode {mode}: others can read it; run chmod 600 {path}"),
                    mode=f"{mode:04o}",
                    path=path,
                ),
            )
        )
    else:
        checks.append(("permissions", "ok", Words(N_("mode {mode}"), mode=f"{mode:04o}")))
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            foreign = foreign_tables(conn)
            if foreign:
                listed = ", ".join(foreign[:5])
                checks.append(
                    (
                        "salesctl",
                        "error",
                        Words(
                            N_(
                                "not a salesctl database: it holds other tables ({listed}) and no salesctl mark; salesctl will not open or change it"
                            ),
                            listed=listed,
                        ),
                    )
                )
                return checks
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
            if problems == ["ok"]:
                checks.append(("integrity", "ok", Words(N_("PRAGMA integrity_check: ok"))))
            else:
                checks.append(
                    (
                        "integrity",
                        "error",
                        Words(
                            N_(
                                "corrupt: {problems}; restore from a backup, or salvage with: sqlite3 FILE .recover"
                            ),
                            problems="; ".join(problems[:5]),
                        ),
                    )
                )
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            checks.append(schema_check(version, SCHEMA_VERSION))
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            checks.append(
                (
                    "journal",
                    "ok" if journal == "wal" else "warning",
                    Words(
                        "{journal}"
                        if journal == "wal"
                        else N_("{journal}; salesctl switches it to wal on the next open"),
                        journal=journal,
                    ),
                )
            )
            orphans: dict[str, int] = {}
            for table, *_ in conn.execute("PRAGMA foreign_key_check"):
                orphans[table] = orphans.get(table, 0) + 1
            if orphans:
                listed = ", ".join(f"{n} in {t}" for t, n in sorted(orphans.items()))
                checks.append(
                    (
                        "orphans",
                        "error",
                        Words(
                            N_("rows pointing at missing leads, reps or plays: {listed}"),
                            listed=listed,
                        ),
                    )
                )
            else:
                checks.append(
                    (
                        "orphans",
                        "ok",
                        Words(N_("every row points at an existing lead, rep and play")),
                    )
                )
            checks.append(_settings_check(conn))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        checks.append(
            (
                "integrity",
                "error",
                Words(N_("SQLite cannot read it ({reason}); restore it from a backup"), reason=exc),
            )
        )
    except UnicodeDecodeError:
        checks.append(
            (
                "integrity",
                "error",
                Words(N_("corrupt; restore a backup (its schema cannot be read)")),
            )
        )
    return checks


def schema_check(version: int, current: int) -> tuple[str, str, Words]:
    """`doctor`'s schema line, the same on both engines."""
    if version > current:
        return (
            "schema",
            "error",
            Words(
                N_("version {version} is newer than this salesctl ({current}); upgrade salesctl"),
                version=version,
                current=current,
            ),
        )
    if version < current:
        return (
            "schema",
            "warning",
            Words(
                N_("version {version}; the next change migrates it to {current}"),
                version=version,
                current=current,
            ),
        )
    return ("schema", "ok", Words(N_("version {version} (current)"), version=version))


def _settings_check(conn) -> tuple[str, str, Words]:
    """The stored settings through the parser of `config set` (restores of edited files once let anything in)."""
    import json

    from .model import check_settings, repair_hint

    raw = {}
    try:
        rows = conn.execute("SELECT key, value FROM settings").fetchall()
    except (
        sqlite3.Error,
        UnicodeError,
    ) as exc:  # corrupt pages: the integrity check says what to do
        return (
            "settings",
            "error",
            Words(N_("cannot be read ({reason}); restore the database from a backup"), reason=exc),
        )
    for key, value in rows:
        try:
            raw[key] = json.loads(value)
        except (TypeError, ValueError):
            raw[key] = value
    problems = check_settings(raw)[2]
    if not problems:
        return ("settings", "ok", Words(N_("every setting is valid")))
    return ("settings", "error", _SettingProblems(problems, repair_hint))


def _rendered(text: str | Words, translate) -> str:
    return text.render(translate) if isinstance(text, Words) else text


class _SettingProblems(Words):
    """Each bad stored setting with the command that repairs it, in the language shown."""

    def __init__(self, problems: list, hint):
        super().__init__("")
        self.problems, self.hint = problems, hint

    def render(self, translate=lambda text: text) -> str:
        return translate(N_("; ")).join(
            translate(
                N_("{problem} (salesctl uses the default until you repair it: {repair})")
            ).format(problem=p.render(translate), repair=_rendered(self.hint(p), translate))
            for p in self.problems
        )
