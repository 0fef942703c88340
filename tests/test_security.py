"""Security: private files, no secrets in argv, spreadsheet-safe CSV, safe mail headers, SQL built only
from fixed text."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sql_audit
from conftest import mode, raw_sql

import salesctl
from salesctl.store import Store

PACKAGE = Path(salesctl.__file__).parent


# --- new files are private -------------------------------------------------------------------------


@pytest.mark.slow  # every file-writing command in subprocesses
def test_every_file_salesctl_creates_is_private_even_with_umask_0(tmp_path):
    """db 0600 and its new folder 0700; export, backup and report files 0600 — whatever the umask."""
    folder = tmp_path / "new" / "folder"
    db = folder / "sales.db"
    env = {**os.environ, "SALESCTL_DB": str(db)}

    def run(*args):
        result = subprocess.run(
            [sys.executable, "-m", "salesctl", *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.umask(0),
        )
        assert result.returncode == 0, result.stderr
        return result

    run("add", "Acme", "--value", "5k")
    run("log", "1", "called", "--next", "tomorrow")
    assert mode(db) == 0o600
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    created = {
        "export leads csv": (tmp_path / "leads.csv", ("export", "leads", "--out")),
        "export all json": (tmp_path / "all.json", ("export", "all", "--format", "json", "--out")),
        "export activities": (tmp_path / "acts.csv", ("export", "activities", "--out")),
        "backup": (tmp_path / "backup.db", ("backup",)),
        "report": (tmp_path / "report.html", ("report", "--format", "html", "--out")),
    }
    for what, (path, args) in created.items():
        run(*args, path)
        assert path.exists(), what
        assert mode(path) == 0o600, f"{what}: {oct(mode(path))}"
    # Overwriting a file others could read makes it private too (no leak through an old mode).
    loose = tmp_path / "loose.csv"
    loose.write_text("old")
    loose.chmod(0o644)
    run("export", "leads", "--out", loose)
    assert mode(loose) == 0o600


@pytest.mark.sqlite_only
def test_the_wal_and_shm_files_are_as_private_as_the_database(db, ok, monkeypatch):
    ok("add", "Acme")
    old = os.umask(0)
    try:
        holder = Store(db)  # keeps -wal and -shm in place while another connection writes
        try:
            ok("add", "Globex")
            for suffix in ("-wal", "-shm"):
                assert mode(Path(str(db) + suffix)) == 0o600, suffix
        finally:
            holder.close()
    finally:
        os.umask(old)


# --- no secret in argv -----------------------------------------------------------------------------

SECRET_WORDS = re.compile(r"pass|secret|token|api[-_]?key|credential|auth|smtp", re.I)


def all_commands():
    import typer

    from salesctl.cli import _register, app

    _register()
    root = typer.main.get_command(app)

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(root, ["salesctl"]))


def test_no_command_takes_a_secret_on_the_command_line():
    commands = all_commands()
    assert len(commands) > 25, "the walk found the command tree"
    offenders = []
    for path, command in commands:
        for param in command.params:
            names = [
                *param.opts,
                *param.secondary_opts,
                param.name or "",
                getattr(param, "metavar", None) or "",
            ]
            if any(SECRET_WORDS.search(n) for n in names):
                offenders.append(f"{' '.join(path)} {param.opts}")
    assert offenders == [], "secrets must come from the environment or the private config file"


def test_the_smtp_password_is_never_printed(smtp_server, monkeypatch, ok, run):
    server = smtp_server()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SALESCTL_SMTP_USER", "robot")
    monkeypatch.setenv("SALESCTL_SMTP_PASSWORD", "hunter2-very-secret")
    ok("rep", "add", "bob", "--email", "bob@example.com")
    ok("add", "Acme", "--owner", "bob", "--next", "today 11:00")
    outputs = [
        run("remind", "--all", "--email"),
        run("remind", "--all", "--dry-run"),
        run("config", "show"),
        run("config", "show", "--format", "json"),
        run("doctor"),
    ]
    for result in outputs:
        assert "hunter2" not in result.out + result.err


# --- CSV for spreadsheets --------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_every_csv_output_neutralises_formulas_and_keeps_numbers(ok, tmp_path):
    # Names can't hold control characters; tab and CR arrive through the CSV-safe import path instead.
    for i, text in enumerate(FORMULAS[:4]):
        ok("add", "--company", text, "--source", text, "--value", str(1000 + i), "--", text)
        ok("log", str(i + 1), text)
    outputs = {
        "export leads": ok("export", "leads", "--format", "csv").out,
        "export activities": ok("export", "activities", "--format", "csv").out,
        "lead list": ok("lead", "list", "--format", "csv").out,
        "search": ok("search", "SUM", "--format", "csv").out,
        "today": ok("today", "--format", "csv").out,
    }
    for what, text in outputs.items():
        rows = cells(text)
        assert len(rows) > 1, what
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), f"{what}: {cell!r}"
                if cell.startswith("-"):
                    assert re.fullmatch(r"-\d+(\.\d+)?", cell), (
                        f"{what}: {cell!r} is a formula, not a number"
                    )
    leads = cells(outputs["export leads"])
    header = leads[0]
    values = [row[header.index("value")] for row in leads[1:]]
    assert values == ["1000", "1001", "1002", "1003"]  # numbers stay numbers
    names = [row[header.index("name")] for row in leads[1:]]
    assert [n.lstrip("'") for n in names] == FORMULAS[:4]  # neutralised, not mangled


# --- mail headers ----------------------------------------------------------------------------------


def test_header_injection_through_stored_names_sends_nothing_extra(
    smtp_server, db, ok, run, monkeypatch
):
    """Even text that slipped past validation (an old or hand-edited database) cannot add a header."""
    server = smtp_server()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    ok("rep", "add", "mallory", "--email", "mallory@example.com")
    ok("add", "Deal", "--owner", "mallory", "--next", "today 11:00", "--step", "call")
    raw_sql(db, "UPDATE reps SET name = 'mallory\r\nBcc: evil@example.com' WHERE name = 'mallory'")
    raw_sql(
        db,
        "UPDATE leads SET name = 'Deal\r\nBcc: evil2@example.com\r\n\r\nbody', "
        "next_step = 'x\nSubject: hijacked' WHERE id = 1",
    )
    result = run("remind", "--all", "--email")
    assert "Traceback" not in result.err
    recipients = [to for message in server.received for to in message.rcpt_tos]
    assert recipients == ["mallory@example.com"], (recipients, result.err)
    for message in server.received:
        assert message.message.get_all("Bcc") is None
        assert "hijacked" not in str(message.message.get("Subject", ""))
        for name, value in message.message.items():
            assert "\n" not in str(value) and "\r" not in str(value), (name, value)


# --- SQL is built only from fixed text -------------------------------------------------------------

# Reviewed compositions the audit cannot prove fixed by itself. Each names why no user text reaches it.
ALLOWED = {
    (
        "salesctl/store.py",
        "_fts_sync",
    ): "called only at import time, with literal table, FTS-table and column names (_SEARCH_SCHEMA)",
    (
        "salesctl/store.py",
        "Store._case",
    ): "column and prefix are literals at every call site; keys and values are bound as :prefixkN/:prefixvN",
    (
        "salesctl/store.py",
        "Store._days",
    ): "its SQL is placeholders numbered by position (:dN, :loN, :hiN, :meN); every day and instant is bound",
    (
        "salesctl/store.py",
        "_rebuild_table",
    ): "table is checked against the two literal names first; the CREATE text is SQLite's own schema",
    (
        "salesctl/store.py",
        "Store.idle_leads",
    ): "the stage list is placeholders numbered by position (:sN); stages and cut-offs are bound",
    (
        "salesctl/store.py",
        "Store.iter_table",
    ): "its first line looks table up in TABLE_COLUMNS, which raises KeyError for any other name",
    (
        "salesctl/store.py",
        "Store.insert_rows",
    ): "table is looked up in TABLE_COLUMNS and columns must be a subset of its entry, else it raises",
    (
        "salesctl/store.py",
        "Store.next_id",
    ): "callers pass literal table names; it checks table against TABLE_COLUMNS first",
    (
        "salesctl/dialects/postgres.py",
        "translate",
    ): "rewrites store's fixed SQL text with fixed fragments; values stay bound parameters",
    (
        "salesctl/dialects/sqlite.py",
        "bulk_index",
    ): "table is looked up in the fixed _FTS map first (KeyError otherwise); the rest comes from that map",
    # Team logins (docs/team.md, "Who may do what").
    (
        "salesctl/dialects/postgres.py",
        "_policies",
    ): "called only at import time, building _TEAM_LOGINS, with literal table names and rules of _ME/_OWNER",
    (
        "salesctl/dialects/postgres.py",
        "grant_groups",
    ): "psycopg2.sql composition: the role name a user typed is quoted by sql.Identifier",
    (
        "salesctl/dialects/postgres.py",
        "revoke_groups",
    ): "psycopg2.sql composition: the role name is quoted by sql.Identifier",
}


def test_sql_is_composed_only_from_fixed_text():
    findings = sql_audit.audit(PACKAGE)
    unexplained = [str(f) for f in findings if (f.file, f.function) not in ALLOWED]
    assert unexplained == [], "string-built SQL with a part that is not fixed text:\n" + "\n".join(
        unexplained
    )
    stale = set(ALLOWED) - {(f.file, f.function) for f in findings}
    assert not stale, f"allow-list entries that no longer match anything (remove them): {stale}"


def test_only_the_store_speaks_sql():
    speakers = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.execute(many|script)?\(", text):
            speakers.add(path.relative_to(PACKAGE.parent).as_posix())
    # The store, and below it one dialect module per engine for what differs (docs/team.md).
    assert speakers <= {
        "salesctl/store.py",
        "salesctl/dialects/sqlite.py",
        "salesctl/dialects/postgres.py",
    }
    assert "salesctl/store.py" in speakers


def test_allow_listed_identifier_helpers_refuse_names_outside_their_lists(db, ok):
    ok("add", "Acme")
    store = Store(db)
    try:
        for call in (
            lambda: store.iter_table("leads; DROP TABLE leads"),
            lambda: store.insert_rows("leads; --", ("id",), [(1,)]),
            lambda: store.insert_rows("leads", ("id); DROP TABLE leads; --",), [(1,)]),
            lambda: store.bulk_index("leads; --").__enter__(),
            lambda: store.next_id("leads; --"),
        ):
            with pytest.raises((KeyError, ValueError)):
                call()
    finally:
        store.close()
    assert ok("lead", "list", "--format", "json")[0]["name"] == "Acme"


AUDIT_SAMPLES = {
    "concatenation": 'def f(self, name):\n    return self.all("SELECT * FROM leads WHERE name = \'" + name + "\'")\n',
    "f-string": "def f(self, name):\n    return self.all(f\"SELECT * FROM leads WHERE name = '{name}'\")\n",
    "percent": "def f(self, name):\n    return self.all(\"SELECT * FROM leads WHERE name = '%s'\" % name)\n",
    "format": "def f(self, name):\n    return self.all(\"DELETE FROM leads WHERE name = '{}'\".format(name))\n",
    "through a local": 'def f(self, sort):\n    order = sort.strip()\n    return self.all("SELECT id FROM leads ORDER BY " + order)\n',
    "through a list": (
        "def f(self, value):\n    where = []\n    where.append(\"name = '%s'\" % value)\n"
        '    return self.all("SELECT id FROM leads WHERE " + " AND ".join(where))\n'
    ),
    "from the database": (
        'def f(self):\n    t = self.one("SELECT name FROM sqlite_master")[0]\n'
        '    return self.all("SELECT * FROM " + t)\n'
    ),
}


@pytest.mark.parametrize("name", list(AUDIT_SAMPLES))
def test_the_audit_catches_string_built_sql(tmp_path, name):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text(
        AUDIT_SAMPLES[name] + "\n\ndef ok(self, name):\n"
        '    return self.all("SELECT * FROM leads WHERE name = ?", (name,))\n'
    )
    findings = sql_audit.audit(package)
    assert [f.function for f in findings] == ["f"], findings
