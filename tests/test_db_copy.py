"""`db copy` moves a whole database between engines: SQLite → PostgreSQL → SQLite keeps every row of
every table, so `export all` is the same at each step (docs/team.md, "Move an existing database")."""

from __future__ import annotations

import json

import pytest
from conftest import raw_sql

from salesctl.store import Store

# Tables that are no data of the team's: the migrations each database records for itself, and
# SQLite's full-text index (rebuilt by the copy).
NOT_COPIED = {"migrations", "salesctl_schema"}


def export_all(ok, db) -> dict:
    doc = json.loads(ok("--db", db, "export", "all").out)
    doc.pop("exported_at")
    return doc


def fill(ok, db) -> None:
    """A database that uses every table: a demo team, plus Chinese text, tags, a cadence, a recurring
    touch, a removed activity, a reassignment, targets, settings and a sent reminder claim."""
    ok("demo", "--db", db)
    ok(
        "--db", db, "add", "李伟", "--company", "北京智造", "--value", "5万", "--intent", "hot",
        "--tag", "重点", "--tag", "vip", "--next", "tomorrow", "--step", "发报价",
    )  # fmt: skip
    ok(
        "--db", db, "play", "add", "intro-sequence", "--stage", "contacted",
        "--cadence", "0d call: intro; +2d email: 案例; +5d call: follow up",
    )  # fmt: skip
    ok("--db", db, "cadence", "start", "李伟", "intro-sequence")
    ok("--db", db, "log", "李伟", "电话：要报价", "--kind", "call")
    ok("--db", db, "log", "李伟", "季度回顾", "--every", "2w")
    ok("--db", db, "log", "李伟", "logged by mistake")
    (lead,) = ok("--db", db, "search", "logged by mistake", "--format", "json")["activities"]
    ok("--db", db, "activity", "delete", lead["activity_id"], "--yes")
    ok("--db", db, "log", "李伟", "改期", "--next", "fri")
    ok("--db", db, "lead", "assign", "李伟", "--to", "王芳")
    ok("--db", db, "target", "set", "120k", "--month", "2026-12")
    ok("--db", db, "config", "set", "lang", "zh-Hant")
    raw_sql(
        db,
        "INSERT INTO reminders (rep_id, day, claimed_at, sent_at) SELECT id, '2026-11-26',"
        " '2026-11-26T07:00:00Z', '2026-11-26T07:00:01Z' FROM reps WHERE name = 'maya'",
    )


def tables_of(db) -> list[str]:
    if isinstance(db, str):
        rows = raw_sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = raw_sql(
            db,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
            " AND name NOT LIKE 'sqlite_%'",
        )
    return sorted(r[0] for r in rows if r[0] not in NOT_COPIED)


def rows_of(db, table: str) -> list[tuple]:
    columns = Store.TABLE_COLUMNS[table]
    return sorted(
        tuple(r) for r in raw_sql(db, f"SELECT {', '.join(columns)} FROM {table}")
    )  # fmt: skip


def test_every_table_of_the_schema_is_copied(tmp_path):
    db = tmp_path / "new.db"
    Store(db).close()
    assert tables_of(db) == sorted(Store.TABLE_COLUMNS)


@pytest.mark.postgres_only
def test_copy_sqlite_to_postgres_and_back_keeps_everything(ok, db, tmp_path, monkeypatch):
    """Run on the PostgreSQL pass: the test's database is the empty server target."""
    monkeypatch.delenv("SALESCTL_REP")
    source, back = tmp_path / "source.db", tmp_path / "back.db"
    fill(ok, source)
    for table in tables_of(source):
        assert rows_of(source, table), f"the test data leave {table} empty"
    url = db  # a database with the schema and its default plays, as `db init` leaves it
    expected = export_all(ok, source)
    assert "李伟" in json.dumps(expected, ensure_ascii=False)

    ok("db", "copy", source, url)
    assert export_all(ok, url) == expected
    ok("db", "copy", url, back)
    assert export_all(ok, back) == expected
    for table in tables_of(source):
        assert rows_of(back, table) == rows_of(source, table), table
        assert rows_of(url, table) == rows_of(source, table), table
    # The copy is a working database on each engine: ids go on from where they were, search works.
    for where in (url, back):
        new_id = int(ok("--db", where, "add", "王芳", "--company", "上海").out)
        assert new_id == max(lead["id"] for lead in expected["leads"]) + 1
        assert ok("--db", where, "search", "智造", "--format", "json")["leads"][0]["name"] == "李伟"


@pytest.mark.postgres_only
def test_a_reminder_sent_before_the_move_is_not_sent_again(
    ok, db, tmp_path, smtp_server, monkeypatch
):
    """cron mailed today's digests from the SQLite file, then the team moved to the server."""
    source = tmp_path / "source.db"
    server = smtp_server()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    ok("--db", source, "rep", "add", "alice", "--email", "alice@example.com")
    ok("--db", source, "add", "Acme", "--next", "today", "--step", "call back")
    ok("--db", source, "remind", "--email")
    assert len(server.received) == 1
    ok("db", "copy", source, db)
    ok("--db", db, "remind", "--email")
    assert len(server.received) == 1  # the claim came along


@pytest.mark.postgres_only
def test_a_copy_to_another_server_database_lists_the_logins_to_grant_again(run, ok, db, worker_id):
    """Team logins map one server's roles to reps; a copy does not bring them (a copy must not give
    anyone access to a new database on its own): it prints the grants an owner runs there."""
    from conftest import PG_SERVER, pg_admin

    role, target = f"st_{worker_id}_copier", f"{db.rsplit('/', 1)[1]}_copy"
    pg_admin(f'DROP ROLE IF EXISTS "{role}"')
    pg_admin(f'CREATE ROLE "{role}" LOGIN')
    pg_admin(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {target}")
    copy = f"{PG_SERVER}/{target}"
    try:
        ok("team", "grant", "王芳", "--login", role, "--owner")
        ok("add", "Acme")
        result = run("db", "copy", db, copy)
        assert result.code == 0, result.err
        assert result.err.splitlines()[1:] == [
            "Team logins are not copied (docs/team.md, Move an existing database);"
            " an owner grants them again:",
            f"  salesctl --db {copy} team grant '王芳' --login {role} --owner",  # shell-quoted
        ]
        assert ok("--db", copy, "team", "list", "--format", "json") == []
        ok("--db", copy, "team", "grant", "王芳", "--login", role, "--owner")
        mine = run("--db", copy.replace("postgres@", f"{role}@", 1), "lead", "list", "--team")
        assert mine.code == 0 and "Acme" in mine.out, mine.err
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
        pg_admin(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.postgres_only
def test_export_all_then_import_moves_a_database_across_engines_both_ways(ok, db, tmp_path):
    """The other way to move (docs/team.md): `export all` on one engine, `import` on the other."""
    source, back = tmp_path / "source.db", tmp_path / "back.db"
    fill(ok, source)
    expected = export_all(ok, source)
    ok("--db", source, "export", "all", "--out", tmp_path / "from-sqlite.json")
    ok("--db", db, "import", tmp_path / "from-sqlite.json")
    assert export_all(ok, db) == expected
    ok("--db", db, "export", "all", "--out", tmp_path / "from-server.json")
    ok("--db", back, "import", tmp_path / "from-server.json")
    assert export_all(ok, back) == expected
    new_id = int(ok("--db", db, "add", "王芳", "--company", "上海").out)
    assert new_id == max(lead["id"] for lead in expected["leads"]) + 1
