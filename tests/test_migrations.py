"""Migrations: one ordered list, each with a name and a docstring, and each recorded by name when it runs."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

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
