"""Every test gets its own database, a pinned clock and zone, and a fixed current rep."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from salesctl.cli import main

# The SMTP server fixtures (smtp_server, tls_cert) for every test module that asks for them.
pytest_plugins = ["smtp_server"]

NOW = "2026-11-26T10:00:00"  # a Thursday

# The engine the suite runs on: sqlite (default), or postgres with $SALESCTL_TEST_PG the server's URL
# (postgresql://postgres@127.0.0.1:PORT, as .ci/run starts it). On postgres each test gets its own
# database, made from a template that holds the schema.
ENGINE = os.environ.get("SALESCTL_TEST_ENGINE", "sqlite")
PG_SERVER = os.environ.get("SALESCTL_TEST_PG", "")
ON_POSTGRES = ENGINE == "postgres"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file itself; skipped on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "postgres_only: needs a PostgreSQL server ($SALESCTL_TEST_PG)"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if ON_POSTGRES and item.get_closest_marker("sqlite_only"):
            item.add_marker(
                pytest.mark.skip(reason="about the SQLite file; the suite runs on PostgreSQL")
            )
        if not PG_SERVER and item.get_closest_marker("postgres_only"):
            item.add_marker(
                pytest.mark.skip(
                    reason="no PostgreSQL server ($SALESCTL_TEST_PG); .ci/run starts one"
                )
            )


def pg_admin(sql: str, dbname: str = "postgres", params=()):
    """Run one statement on the test server as its superuser (autocommit); returns all rows or None."""
    import psycopg2

    conn = psycopg2.connect(f"{PG_SERVER}/{dbname}")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


_pg_databases = iter(range(1, 10**9))


@pytest.fixture(scope="session")
def pg_template(worker_id) -> str:
    """A database with the current schema, which every test's database copies."""
    from salesctl.store import Store

    name = f"salesctl_tpl_{worker_id}"
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name}")
    Store.init_server(f"{PG_SERVER}/{name}")
    return name


def new_pg_database(template: str, worker_id: str) -> str:
    """A fresh database copied from `template`; its URL."""
    name = f"salesctl_t_{worker_id}_{next(_pg_databases)}"
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    return f"{PG_SERVER}/{name}"


def drop_pg_database(url: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def real_data(name: str) -> Path:
    """A file of the real CRM data set, found only through $SALESCTL_REAL_DATA (the folder; .ci/run sets it).

    The data set's licence is not stated, so it stays outside the repository. Without it the tests that
    need it skip, except in CI (CI=true), where a missing data set fails them: CI must not pass quietly.
    """
    folder = os.environ.get("SALESCTL_REAL_DATA")
    path = Path(folder) / name if folder else None
    if path is not None and path.is_file():
        return path
    why = f"{path} does not exist" if path else "SALESCTL_REAL_DATA is not set"
    missing_outside_ci(f"the real CRM data set is not here: {why}", "the real CRM data set")


def missing_outside_ci(why: str, what: str):
    """Skip a test whose tool or data is not on this machine, except in CI (CI=true), where .ci/run
    installs everything: there a missing part fails the test, so CI never passes quietly."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium (Debian's `chromium`, which .ci/run installs), to look at the HTML report."""
    import shutil

    found = next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
    )
    return found or missing_outside_ci("needs apt-get install chromium", "headless Chromium")


@pytest.fixture(scope="session")
def crm_pipeline() -> Path:
    """sales_pipeline.csv of the real CRM data set (8,800 deals)."""
    return real_data("sales_pipeline.csv")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, request):
    db = tmp_path / "sales.db"
    if ON_POSTGRES and not request.node.get_closest_marker("sqlite_only"):
        worker_id = request.getfixturevalue("worker_id")
        db = new_pg_database(request.getfixturevalue("pg_template"), worker_id)
        request.addfinalizer(lambda: drop_pg_database(db))
    monkeypatch.setenv("SALESCTL_DB", str(db))
    monkeypatch.setenv("SALESCTL_NOW", NOW)
    monkeypatch.setenv("SALESCTL_REP", "alice")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # English unless a test asks for Chinese (docs/chinese.md, Output): the runner's own locale must not matter.
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "SALESCTL_LANG"):
        monkeypatch.delenv(name, raising=False)
    # A process runs one command; the tests run many in one process, so the last run's language goes too.
    from salesctl import i18n

    i18n.begin()
    for name in list(os.environ):
        if name.startswith("SALESCTL_SMTP_"):
            monkeypatch.delenv(name)
    return db


@pytest.fixture
def db(isolated) -> Path:
    return isolated


@pytest.fixture
def run(capsys):
    """Run salesctl through its real entry point in this process; returns code, stdout, stderr."""

    def run(*args) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def ok(run):
    """Run salesctl and require success; returns parsed JSON when --format json was asked for."""

    def ok(*args):
        result = run(*args)
        assert result.code == 0, (
            f"salesctl {' '.join(map(str, args))} -> {result.code}\n{result.err}"
        )
        return result.json() if "json" in args else result

    return ok


@pytest.fixture
def fails(run, db):
    """Run salesctl, require exit 1 with `Error:` naming each fragment, and the database untouched."""

    def fails(*args, names=(), code=1):
        before = digest(db)
        result = run(*args)
        assert result.code == code, (
            f"expected exit {code}, got {result.code}: {result.out}{result.err}"
        )
        assert result.err.startswith("Error: ") or code == 2, result.err
        assert "Traceback" not in result.err
        for fragment in names:
            assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
        assert digest(db) == before, "the database changed on a failed command"
        return result

    return fails


def raw_sql(db: Path | str, statement: str, params=()):
    """Change data behind salesctl's back (a test's set-up), on either engine; returns rows if any.
    Write `?` placeholders (translated for PostgreSQL)."""
    if isinstance(db, str):
        from salesctl.dialects.postgres import translate

        return pg_admin(translate(statement), db.rsplit("/", 1)[1], params)
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute(statement, params).fetchall()
    conn.close()
    return rows


def load_database(source: Path, db: Path | str) -> None:
    """Make `db` a copy of the SQLite file `source` (on PostgreSQL through `db copy`, keeping every id)."""
    if isinstance(db, str):
        from salesctl.store import Store

        reader, writer = Store(source, create=False), Store(db)
        try:
            with writer.write():
                reader.copy_to(writer)
        finally:
            reader.close()
            writer.close()
    else:
        import shutil

        shutil.copyfile(source, db)


def mode(path: Path) -> int:
    """A file's permission bits, e.g. 0o600."""
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path | str) -> str | None:
    """Content of a database (main file plus WAL; on PostgreSQL every table's rows) for comparisons."""
    if isinstance(path, str):
        tables = [
            r[0]
            for r in pg_admin(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
                path.rsplit("/", 1)[1],
            )
        ]
        h = hashlib.sha256()
        for table in tables:
            rows = pg_admin(
                f"SELECT string_agg(t::text, chr(10) ORDER BY t::text) FROM {table} t",
                path.rsplit("/", 1)[1],
            )
            h.update(f"{table}:{rows[0][0]}".encode())
        h.update(
            repr(pg_admin("SELECT last_value FROM leads_id_seq", path.rsplit("/", 1)[1])).encode()
        )
        return h.hexdigest()
    if not path.exists():
        return None
    h = hashlib.sha256(path.read_bytes())
    wal = Path(str(path) + "-wal")
    if wal.exists():
        h.update(wal.read_bytes())
    return h.hexdigest()


def salesctl_process(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    """salesctl in a fresh interpreter, as cron or a shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "salesctl", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )
