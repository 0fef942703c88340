"""Team mode against a real PostgreSQL server: what a user sees when the server cannot be used (exit 3,
the host named, never a password), a password in a URL (exit 1), a client killed mid-import and a
server restarted between commands (docs/team.md)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import PG_SERVER, digest, pg_admin, raw_sql

SECRET = "s3cret-Pw-91"
CLUSTER = Path(__file__).parent.parent / ".ci" / "pg-cluster"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_url(db: str, *, user: str | None = None, query: str = "") -> str:
    """The test database's URL, as another user or with libpq parameters."""
    host_port, name = db.removeprefix("postgresql://").split("@", 1)[1].rsplit("/", 1)
    return f"postgresql://{user + '@' if user else ''}{host_port}/{name}{query}"


def host_of(db: str) -> str:
    return db.split("@", 1)[1].rsplit("/", 1)[0]  # 127.0.0.1:PORT


@pytest.fixture
def no_password_sources(monkeypatch, tmp_path):
    """libpq finds no password but what a test gives it (HOME is the test's own already)."""
    for name in ("PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "PGSERVICE", "PGSSLMODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


def refused(run, *args, names=()):
    """Exit 3 with a one-line `Error:` naming each fragment; no traceback, no password."""
    result = run(*args)
    assert result.code == 3, f"{result.code}: {result.out}{result.err}"
    assert result.err.startswith("Error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err and SECRET not in result.err + result.out
    for fragment in names:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
    return result


# --- a password in the URL: exit 1, before anything connects -------------------------------------------


@pytest.mark.parametrize(
    "args, field",
    [
        (("--db", f"postgresql://alice:{SECRET}@db.example.com/sales", "today"), "--db"),
        (("--db", f"postgresql://db.example.com/sales?password={SECRET}", "lead", "list"), "--db"),
        (("db", "init", f"postgresql://alice:{SECRET}@db.example.com/sales"), "URL"),
        (("db", "copy", "sales.db", f"postgresql://alice:{SECRET}@db.example.com/sales"), "DST"),
        (("db", "copy", f"postgresql://db.example.com/s?password={SECRET}", "new.db"), "SRC"),
        # libpq decodes %XX in parameter names too: this is a password as well
        (("--db", f"postgresql://db.example.com/sales?pass%77ord={SECRET}", "today"), "--db"),
        (
            (
                "--db",
                f"postgresql://db.example.com/sales?sslmode=require&%70assword={SECRET}",
                "today",
            ),
            "--db",
        ),
    ],
)
def test_a_url_with_a_password_is_refused_and_the_password_never_shown(
    run, tmp_path, monkeypatch, args, field
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sales.db").touch()
    result = run(*args)
    assert result.code == 1, result.err
    assert result.err.startswith(f"Error: {field}: ") and "has a password in it" in result.err
    assert "~/.pgpass" in result.err and "db.example.com" in result.err
    assert SECRET not in result.out + result.err


def test_a_password_in_salesctl_db_is_refused_naming_the_variable(monkeypatch):
    from conftest import salesctl_process

    done = salesctl_process(
        "lead", "list", env={"SALESCTL_DB": f"postgresql://bob:{SECRET}@db.example.com/sales"}
    )
    assert done.returncode == 1 and done.stderr.startswith("Error: SALESCTL_DB: "), done.stderr
    assert SECRET not in done.stdout + done.stderr and "Traceback" not in done.stderr


# --- the server cannot be used: exit 3 naming the host -------------------------------------------------


@pytest.mark.postgres_only
def test_an_unreachable_server_is_exit_3_naming_host_and_port(run):
    port = free_port()  # nothing listens there
    refused(
        run,
        "--db",
        f"postgresql://127.0.0.1:{port}/sales",
        "today",
        names=("cannot reach", f"127.0.0.1:{port}/sales", "server is running"),
    )
    refused(
        run,
        "--db",
        "postgresql://no-such-host.invalid/sales",
        "lead",
        "list",
        names=("cannot reach", "no-such-host.invalid"),
    )


@pytest.mark.postgres_only
def test_a_service_file_url_works_and_an_unreachable_service_names_its_host(
    run, ok, db, tmp_path, monkeypatch
):
    """postgresql:///DB?service=NAME (libpq's service file, docs/team.md): the URL names no host, so
    when the server cannot be reached the message names the one the service file gave libpq."""
    host, port = host_of(db).split(":")
    port_nobody = free_port()
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[sales]\nhost={host}\nport={port}\nuser=postgres\n"
        f"[gone]\nhost=127.0.0.1\nport={port_nobody}\n"
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    name = db.rsplit("/", 1)[1]
    ok("--db", f"postgresql:///{name}?service=sales", "add", "Acme")
    assert [lead["name"] for lead in ok("lead", "list", "--format", "json")] == ["Acme"]
    refused(
        run,
        "--db",
        f"postgresql:///{name}?service=gone",
        "today",
        names=("cannot reach", f"service gone/{name} at 127.0.0.1:{port_nobody}"),
    )


@pytest.mark.postgres_only
def test_a_failed_login_is_exit_3_naming_the_host_never_the_password(
    run, db, monkeypatch, no_password_sources
):
    """The test cluster's role salesctl_pw must give a password (.ci/pg-cluster)."""
    url = server_url(db, user="salesctl_pw")
    names = ("refused the login", f"salesctl_pw@{host_of(db)}", "~/.pgpass")
    refused(run, "--db", url, "lead", "list", names=(*names, "no password supplied"))
    monkeypatch.setenv("PGPASSWORD", SECRET)  # a wrong one
    refused(run, "--db", url, "add", "Acme", names=(*names, "password authentication failed"))
    from conftest import salesctl_process

    done = salesctl_process("--db", url, "today")  # as a shell runs it: nothing more on stderr
    assert done.returncode == 3 and SECRET not in done.stdout + done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "refused the login" in done.stderr


@pytest.mark.postgres_only
def test_tls_refused_by_the_server_is_exit_3_naming_the_host(run, db):
    """The test server has no TLS: sslmode=require (or verify-full, as docs/team.md advises) fails."""
    for mode in ("require", "verify-full"):
        refused(
            run,
            "--db",
            server_url(db, user="postgres", query=f"?sslmode={mode}"),
            "today",
            names=("no secure connection", host_of(db), "sslmode"),
        )


@pytest.mark.postgres_only
def test_a_database_without_the_schema_is_exit_3_until_db_init(run, ok, db):
    name = db.rsplit("/", 1)[1] + "_empty"
    pg_admin(f"DROP DATABASE IF EXISTS {name}")
    pg_admin(f"CREATE DATABASE {name}")
    url = f"{PG_SERVER}/{name}"
    try:
        refused(
            run,
            "--db",
            url,
            "lead",
            "list",
            names=(host_of(db), name, "no salesctl schema", "salesctl db init"),
        )
        refused(run, "--db", url, "add", "Acme", names=("no salesctl schema",))
        assert raw_sql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
        ok("db", "init", url)
        ok("--db", url, "add", "Acme")
        assert [lead["name"] for lead in ok("--db", url, "lead", "list", "--format", "json")] == [
            "Acme"
        ]
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres_only
def test_a_database_that_does_not_exist_is_exit_3_naming_it(run, db):
    refused(
        run,
        "--db",
        f"{PG_SERVER}/no_such_salesctl_db",
        "today",
        names=(host_of(db), 'database "no_such_salesctl_db" does not exist'),
    )


@pytest.mark.postgres_only
def test_a_newer_schema_is_exit_3_and_left_alone(run, ok, db):
    ok("add", "Acme")
    raw_sql(db, "UPDATE salesctl_schema SET version = version + 1")
    before = digest(db)
    for args in (("today",), ("log", "Acme", "called"), ("export", "all")):
        refused(run, *args, names=(host_of(db), "newer than this salesctl", "upgrade salesctl"))
    assert digest(db) == before


# --- faults: a client killed mid-import, the server restarted ----------------------------------------


def _busy_writer(dbname: str) -> bool:
    """A salesctl connection of `dbname` is inside a transaction that has written rows."""
    return bool(
        pg_admin(
            "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND application_name = 'salesctl'"
            " AND backend_xid IS NOT NULL",
            params=(dbname,),
        )
    )


def _wait_until_gone(dbname: str) -> None:
    deadline = time.monotonic() + 60
    while pg_admin(
        "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND application_name = 'salesctl'",
        params=(dbname,),
    ):
        assert time.monotonic() < deadline, "the killed client's session never ended"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.postgres_only
def test_a_client_killed_mid_import_leaves_all_or_nothing(ok, db, tmp_path):
    """kill -9 of `salesctl import` while its transaction is writing: the server rolls it back, the
    database equals what it was, and the next import (the lock released) brings everything."""
    ok("add", "Already here", "--company", "北京智造")
    rows = tmp_path / "many.csv"
    n = 5000
    rows.write_text("name,company\n" + "".join(f"lead {i},公司 {i}\n" for i in range(n)))
    before = digest(db)
    dbname = db.rsplit("/", 1)[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesctl", "import", str(rows)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not _busy_writer(dbname):
        assert proc.poll() is None, "the import ended before it could be killed mid-write"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _wait_until_gone(dbname)
    leads = raw_sql(db, "SELECT count(*) FROM leads")[0][0]
    assert digest(db) == before or leads == n + 1, f"{leads} leads: a partial import was kept"
    ok("import", rows)
    assert len(ok("lead", "list", "--all", "--team", "--format", "json")) == n + 1


@pytest.fixture
def own_server():
    """A second throwaway cluster (.ci/pg-cluster) this test may stop and start; its URL."""
    folder = tempfile.mkdtemp(prefix="salesctl-pg-restart-", dir="/tmp")
    port = free_port()
    subprocess.run([CLUSTER, "start", folder, str(port)], check=True)
    try:
        pg_admin_url = f"postgresql://postgres@127.0.0.1:{port}"
        yield folder, pg_admin_url
    finally:
        subprocess.run([CLUSTER, "stop", folder], check=False)


@pytest.mark.slow
@pytest.mark.postgres_only
def test_a_server_restart_between_commands_is_exit_3_then_works_again(run, ok, own_server):
    folder, server = own_server
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    conn.autocommit = True
    conn.cursor().execute("CREATE DATABASE sales")
    conn.close()
    url = f"{server}/sales"
    ok("db", "init", url)
    ok("--db", url, "add", "Acme", "--next", "tomorrow", "--step", "send quote")
    subprocess.run([CLUSTER, "pause", folder], check=True)
    where = url.split("@", 1)[1]
    for args in (("today",), ("log", "Acme", "called"), ("lead", "list")):
        refused(run, "--db", url, *args, names=("cannot reach", where, "server is running"))
    subprocess.run([CLUSTER, "resume", folder], check=True)
    ok("--db", url, "log", "Acme", "called", "--next", "fri")
    (lead,) = ok("--db", url, "lead", "list", "--format", "json")
    assert lead["name"] == "Acme" and lead["next_at"].startswith("2026-11-27")


@pytest.mark.postgres_only
def test_doctor_warns_of_a_database_whose_ctype_makes_no_trigrams_of_chinese(ok, db):
    """docs/team.md: create the database with LC_CTYPE=C.UTF-8; under LC_CTYPE=C pg_trgm indexes no
    Chinese text, and search then reads every lead without a word of warning."""
    checks = {c["check"]: c for c in ok("doctor", "--format", "json")["checks"]}
    assert checks["locale"]["status"] == "ok", checks["locale"]
    name = db.rsplit("/", 1)[1] + "_ctype_c"
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
    try:
        url = f"{PG_SERVER}/{name}"
        ok("db", "init", url)
        checks = {c["check"]: c for c in ok("--db", url, "doctor", "--format", "json")["checks"]}
        assert checks["locale"]["status"] == "warning"
        assert "LC_CTYPE C," in checks["locale"]["detail"]
        assert "--lc-ctype=C.UTF-8" in checks["locale"]["detail"]
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres_only
def test_db_init_by_a_role_that_may_not_create_the_schema_says_who_may(run, db, worker_id):
    """Not 'a rep changes only their own leads': an empty database has no reps yet."""
    role, name = f"st_{worker_id}_initless", db.rsplit("/", 1)[1] + "_empty"
    pg_admin(f'DROP ROLE IF EXISTS "{role}"')
    pg_admin(f'CREATE ROLE "{role}" LOGIN')
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name}")
    try:
        result = run("db", "init", server_url(f"{PG_SERVER}/{name}", user=role))
        assert result.code == 1, result.err
        assert result.err.startswith(f"Error: db init: PostgreSQL {role}@"), result.err
        assert "permission denied" in result.err and "rep" not in result.err.split("(")[0]
        assert "db init runs as the database's owner role" in result.err
        assert "a rep changes only their own leads" not in result.err
        assert pg_admin("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", name) == [
            (0,)
        ]
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        pg_admin(f'DROP ROLE IF EXISTS "{role}"')
