"""Hot queries use indexes: no full scan of leads or activities, whatever the database's size.

The statements are not copied here: the real commands run against a generated database while every
connection's trace callback records what SQLite executes (with the parameters bound), and each
SELECT is then put through EXPLAIN QUERY PLAN. A plan line `SCAN leads` (or its alias) without an
index is a full table scan and fails; `SCAN … USING [COVERING] INDEX` walks an index in order (used with
LIMIT or for covering aggregates) and `SEARCH` is a keyed lookup, both fine. The database has no
ANALYZE statistics, like a user's, so these are the plans users get.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from benchmarks.generate import generate
from salesctl import store as store_module

pytestmark = [
    pytest.mark.sqlite_only,  # about SQLite's own plans (docs/team.md, Tests)
    pytest.mark.slow,
]  # builds a 1,500-lead database and runs every hot command on it

BIG_TABLES = ("leads", "activities")
_TABLE_REF = re.compile(
    r"\b(?:FROM|JOIN)\s+(leads|activities)\b(?:\s+(?:AS\s+)?(\w+))?", re.IGNORECASE
)
_NOT_ALIAS = {
    "where",
    "join",
    "left",
    "inner",
    "cross",
    "on",
    "order",
    "group",
    "limit",
    "union",
    "using",
    "natural",
}
_FULL_SCAN = re.compile(r"^SCAN (\w+)$")

HOT_COMMANDS = [
    ("today", "--rep", "Alice", "--format", "json"),
    ("today", "--team", "--format", "json"),
    ("stalled", "--rep", "Alice", "--format", "json"),
    ("stalled", "--team", "--format", "json"),
    ("lead", "list", "--limit", "50", "--format", "json"),
    ("lead", "list", "--owner", "Alice", "--limit", "50", "--format", "json"),
    ("lead", "show", "{lead}", "--format", "json"),
    ("report", "--week", "--team", "--format", "json"),
    ("report", "--week", "--rep", "Alice", "--format", "json"),
    ("funnel", "--team", "--format", "json"),
    ("pool", "list", "--limit", "50", "--format", "json"),
]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "sample.db"
    generate(1500, path, seed=5)
    return path


@pytest.fixture
def traced(monkeypatch):
    """Every SQL statement any Store connection executes, expanded with its parameters."""
    statements: list[str] = []
    original = store_module.Store.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.conn.set_trace_callback(statements.append)

    monkeypatch.setattr(store_module.Store, "__init__", init)
    return statements


def big_table_names(sql: str) -> set[str]:
    """Names under which leads and activities appear in a statement: the table names and their aliases."""
    names = set()
    for table, alias in _TABLE_REF.findall(sql):
        names.add(table.lower())
        if alias and alias.lower() not in _NOT_ALIAS:
            names.add(alias)
    return names


def full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    names = big_table_names(sql)
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return [line for line in plan if (m := _FULL_SCAN.match(line)) and m.group(1) in names]


@pytest.mark.parametrize("command", HOT_COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_hot_command_queries_do_not_scan_leads_or_activities(
    command, sample_db, traced, run, monkeypatch
):
    monkeypatch.setenv("SALESCTL_DB", str(sample_db))
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    lead_id = conn.execute(
        "SELECT max(id) FROM leads WHERE owner_id = 1 AND stage NOT IN ('won', 'lost')"
    ).fetchone()[0]
    traced.clear()
    result = run(*[a.replace("{lead}", str(lead_id)) for a in command])
    assert result.code == 0, result.err
    selects = [s for s in traced if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert selects, "the command ran no query: the trace is not capturing"
    scans = {sql: lines for sql in selects if (lines := full_scans(conn, sql))}
    assert not scans, "full scans:\n" + "\n\n".join(
        f"{sql}\n  -> {lines}" for sql, lines in scans.items()
    )


POOL_COMMANDS = [
    ("today", "--rep", "Alice", "--format", "json"),
    ("today", "--team", "--format", "json"),
    ("pool", "recycle", "--dry-run", "--format", "json"),
]


@pytest.mark.parametrize("command", POOL_COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_recycling_rules_add_no_full_scan(command, sample_db, traced, run, monkeypatch, tmp_path):
    """With pool.release_days set, `today` (recycle_soon) and `pool recycle` read through indexes too."""
    import shutil

    db = tmp_path / "pool.db"
    shutil.copyfile(sample_db, db)
    monkeypatch.setenv("SALESCTL_DB", str(db))
    for stage in ("new", "contacted", "quoted", "negotiating", "deciding"):
        assert run("config", "set", f"pool.release_days.{stage}", "10").code == 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    traced.clear()
    result = run(*command)
    assert result.code == 0, result.err
    selects = [s for s in traced if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert any("effective = 1" in s for s in selects), "the recycling query did not run"
    scans = {sql: lines for sql in selects if (lines := full_scans(conn, sql))}
    assert not scans, "full scans:\n" + "\n\n".join(
        f"{sql}\n  -> {lines}" for sql, lines in scans.items()
    )


def test_a_lead_reference_by_id_is_a_key_lookup(sample_db):
    store = store_module.Store(sample_db)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.resolve_lead("#42")
    store.lead(42)
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    for sql in statements:
        plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "USING INTEGER PRIMARY KEY" in plan, (sql, plan)


def test_the_check_itself_sees_a_full_scan(sample_db):
    """The detector must flag an unindexed filter, or every test above would pass vacuously."""
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    assert full_scans(conn, "SELECT l.id FROM leads l WHERE l.next_step = 'demo'") == ["SCAN l"]
    assert full_scans(conn, "SELECT count(*) FROM activities WHERE note = 'x'") == [
        "SCAN activities"
    ]
    assert full_scans(conn, "SELECT id FROM leads WHERE owner_id = 1") == []


def test_postgresql_finds_the_leads_open_at_a_time_with_one_scan():
    # store.OPEN_AT_CANDIDATES walks three indexes on SQLite; PostgreSQL's dialect swaps in the plain
    # condition, which it answers with one scan (docs/speed.md). The swap is by exact text, so a change
    # to the store's wording must change the dialect's too, or PostgreSQL silently loses the speed.
    from salesctl.dialects.postgres import translate

    sql = translate("SELECT l.id FROM leads l WHERE " + store_module.OPEN_AT_CANDIDATES)
    assert sql == (
        "SELECT l.id FROM leads l WHERE (l.stage NOT IN ('won', 'lost')"
        " OR l.won_at >= %(t)s OR l.lost_at >= %(t)s)"
    )


def test_the_reports_pictures_read_stage_history_from_covering_indexes(
    sample_db, traced, run, monkeypatch
):
    """The trends' weekly moves, rhythm's advances, the funnel's stays and furthest stages read only
    index entries of stage_history, never its rows (docs/speed.md, The report's pictures)."""
    monkeypatch.setenv("SALESCTL_DB", str(sample_db))
    run("report", "--week", "--team", "--format", "json")
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    reads = []
    for sql in traced:
        if "stage_history h " not in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        for line in (row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)):
            if re.match(r"(SEARCH|SCAN) h USING", line) and "PRIMARY KEY" not in line:
                reads.append(line)
    assert reads, "the report read no stage history?"
    assert all("COVERING INDEX stage_history_" in line for line in reads), reads


def test_rhythms_touches_per_day_are_counted_from_the_reps_index(sample_db):
    """Rhythm's touches per rep and day: one seek per rep and day in activities_effective_rep, no sort
    (docs/speed.md, The report's pictures); PostgreSQL's dialect swaps in the grouping, which it hashes."""
    from salesctl.dialects.postgres import translate

    days = [("2026-11-20", "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 0)]
    with_days, params = store_module.Store._days(days)
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    plan = [
        row[3]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN " + with_days + store_module.EFFECTIVE_BY_REP_DAY, params
        )
    ]
    assert any("COVERING INDEX activities_effective_rep" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan
    assert translate(store_module.EFFECTIVE_BY_REP_DAY) == (
        "SELECT a.rep_id, d.day, count(*) AS n FROM d JOIN activities a ON a.at >= d.lo"
        " AND a.at < d.hi WHERE a.effective = 1 GROUP BY a.rep_id, d.day"
    )
