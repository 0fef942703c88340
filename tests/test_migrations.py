"""Migrations: one ordered list, each with a name and a docstring, and each recorded by name when it runs."""

from __future__ import annotations

import inspect
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import raw_sql

from salesctl import store

FIXTURES = Path(__file__).parent / "fixtures"


def recorded(db: Path | str) -> list[tuple[str, str | None]]:
    return [
        tuple(row) for row in raw_sql(db, "SELECT name, applied_at FROM migrations ORDER BY name")
    ]


def test_migrations_are_one_numbered_list_in_the_order_they_are_written():
    names = [name for name, _migrate in store.MIGRATIONS]
    assert names == [f"{n:04d}_{name[5:]}" for n, name in enumerate(names, start=1)], names
    lines = []
    for name, migrate in store.MIGRATIONS:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", name), name
        assert migrate.__name__ == f"_m{name}", f"{name} runs {migrate.__name__}: name them alike"
        assert (migrate.__doc__ or "").strip(), (
            f"{migrate.__name__} needs a docstring saying what it changes"
        )
        lines.append(inspect.getsourcelines(migrate)[1])
    assert lines == sorted(lines), "define the migrations in the order MIGRATIONS runs them"
    assert store.SCHEMA_VERSION == len(store.MIGRATIONS)


def test_a_new_database_records_every_migration_by_name(ok, db):
    ok("add", "Acme")
    names = [name for name, _migrate in store.MIGRATIONS]
    rows = recorded(db)
    assert [name for name, _at in rows] == names
    assert all(at and at.endswith("Z") for _name, at in rows), rows


def test_an_old_database_records_what_ran_before_names_were_kept(ok, tmp_path):
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", db)
    ok("--db", db, "add", "New lead")
    rows = dict(recorded(db))
    names = [name for name, _migrate in store.MIGRATIONS]
    assert list(rows) == names
    assert rows["0001_initial"] is None  # it ran before this salesctl: when is not known
    assert all(rows[name] for name in names[1:]), rows  # these ran now


def schema_objects(db: Path) -> dict[str, str]:
    """Every index and trigger of a database with its SQL (the tables' own text aside)."""
    conn = sqlite3.connect(db)
    try:
        return dict(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
            ).fetchall()
        )
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_the_pool_migration_rebuilds_leads_and_assignments_keeping_rows_indexes_and_references(
    ok, run, tmp_path
):
    """0013 drops NOT NULL from leads.owner_id by rebuilding the table (docs/pool.md): every row, index,
    search trigger and ON DELETE CASCADE survives, and an old database ends up like a new one."""
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", old)
    conn = sqlite3.connect(old)
    before = {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("leads", "activities", "assignments", "stage_history", "lead_tags")
    }
    conn.close()
    ok("--db", old, "pool")  # a read migrates the file
    conn = sqlite3.connect(old)
    after_leads = conn.execute("SELECT * FROM leads ORDER BY 1").fetchall()
    assert after_leads == before["leads"]
    for table in ("activities", "stage_history", "lead_tags"):
        assert conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == before[table]
    # the old owner changes keep their columns, with no kind (recorded before kinds were kept)
    assert [r[:6] for r in conn.execute("SELECT * FROM assignments ORDER BY 1")] == before[
        "assignments"
    ]
    assert conn.execute("SELECT kind FROM assignments").fetchall() == [(None,)]
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (0,)  # this raw connection's default
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    fresh = tmp_path / "fresh.db"
    ok("--db", fresh, "add", "x")
    assert schema_objects(old) == schema_objects(fresh)
    # the search triggers work on the rebuilt table, and deleting a lead still cascades
    ok("--db", old, "add", "Zhejiang Widget", "--pool")
    assert [
        x["name"] for x in ok("--db", old, "search", "Widget", "--format", "json")["leads"]
    ] == ["Zhejiang Widget"]
    lead_id = before["activities"][0][1]
    ok("--db", old, "lead", "delete", str(lead_id), "--yes")
    conn = sqlite3.connect(old)
    assert (
        conn.execute("SELECT count(*) FROM activities WHERE lead_id = ?", (lead_id,)).fetchone()[0]
        == 0
    )
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


@pytest.mark.sqlite_only
def test_a_failed_pool_migration_changes_nothing(tmp_path, monkeypatch, run):
    """The rebuild runs in the migration's transaction: a failure part-way leaves the old file as it was."""
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", old)

    def broken(conn):
        store._m0013_shared_pool(conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS[:-1], ("0013_shared_pool", broken)])
    result = run("--db", old, "pool")
    assert result.code == 3 and "Traceback" not in result.err
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    assert (
        "owner_id INTEGER NOT NULL"
        in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'leads'").fetchone()[0]
    )
    conn.close()
