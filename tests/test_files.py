"""Database files that are not what salesctl expects: read-only, corrupt, newer, or from the first schema."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import digest, salesctl_process
from faults import bulk_leads, rows_of

from salesctl.store import SCHEMA_VERSION

pytestmark = pytest.mark.sqlite_only  # about the SQLite file itself (docs/team.md, Tests)

FIXTURES = Path(__file__).parent / "fixtures"
NOBODY = 65534

# Runs salesctl as the unprivileged user `nobody`. The interpreter lives under /root (not readable by
# nobody), so everything salesctl needs is imported first, then the process drops root for good.
AS_NOBODY = f"""
import importlib, os, sys
for name in ("sqlite3", "json", "getpass", "zoneinfo", "platformdirs", "salesctl.cli", "salesctl.dates",
             "salesctl.money", "salesctl.render", "salesctl.views.lead", "salesctl.pipeline"):
    importlib.import_module(name)
cli = importlib.import_module("salesctl.cli")
if hasattr(cli, "_register"):
    cli._register()  # every command module (and what they import at top level) while still root
os.setgroups([])
os.setgid({NOBODY})
os.setuid({NOBODY})
from salesctl.cli import main
sys.exit(main(sys.argv[1:]))
"""

_ROOT_ONLY = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="runs salesctl as `nobody`, which needs root; as a normal user the OS enforces the modes anyway",
)


def needs_root(test):
    """A test that runs salesctl as `nobody` in subprocesses: root only, and slow."""
    return pytest.mark.slow(_ROOT_ONLY(test))


def as_nobody(*args, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", AS_NOBODY, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "SALESCTL_DB": str(db)},
    )


@pytest.fixture
def shared_dir():
    """A folder `nobody` can reach (pytest's own tmp folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="salesctl-files-"))
    path.chmod(0o755)
    yield path
    path.chmod(0o755)
    shutil.rmtree(path)


def assert_clean_error(result, *fragments, codes=(1, 3)):
    assert result.returncode in codes, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


# --- permissions -----------------------------------------------------------------------------------


@needs_root
def test_read_only_database_file_is_a_clear_error_and_stays_unchanged(shared_dir):
    db = shared_dir / "sales.db"
    assert salesctl_process("--db", db, "add", "Acme").returncode == 0
    before = rows_of(db)
    shared_dir.chmod(
        0o777
    )  # nobody may create -wal/-shm beside it; only the file itself is read-only
    db.chmod(0o444)
    for args in (("add", "Globex"), ("lead", "edit", "1", "--value", "5k"), ("rep", "add", "bob")):
        result = as_nobody(*args, db=db)
        assert_clean_error(result, "read-only", str(db), codes=(3,))
    assert rows_of(db) == before


@needs_root
def test_database_in_a_read_only_folder_is_a_clear_error(shared_dir):
    db = shared_dir / "sales.db"
    assert salesctl_process("--db", db, "add", "Acme").returncode == 0
    before = rows_of(db)
    db.chmod(
        0o666
    )  # the file is writable, but its folder (root's, 0755) is not: no -wal can be made
    result = as_nobody("add", "Globex", db=db)
    assert_clean_error(result, str(db))
    result = as_nobody("lead", "list", "--format", "json", db=db)
    assert result.returncode == 0 and "Acme" in result.stdout or result.returncode in (1, 3), result
    assert "Traceback" not in result.stderr
    assert rows_of(db) == before


@needs_root
def test_new_database_in_a_read_only_folder_is_a_clear_error_and_creates_nothing(shared_dir):
    folder = shared_dir / "locked"
    folder.mkdir(mode=0o555)
    result = as_nobody("add", "Acme", db=folder / "sales.db")
    assert_clean_error(result, str(folder / "sales.db"), "ermission denied")
    assert list(folder.iterdir()) == []


@needs_root
def test_unprivileged_user_can_use_their_own_database(shared_dir):
    """The control for the tests above: as nobody, in a folder nobody owns, everything works."""
    mine = shared_dir / "nobody"
    mine.mkdir()
    os.chown(mine, NOBODY, NOBODY)
    result = as_nobody("add", "Acme", db=mine / "sales.db")
    assert result.returncode == 0, result.stderr
    assert (mine / "sales.db").stat().st_uid == NOBODY


@needs_root
def test_backup_and_export_into_a_read_only_folder_name_the_users_file(shared_dir):
    """The files are written to a temporary name first; the error must still name the file asked for."""
    db = shared_dir / "sales.db"
    assert salesctl_process("--db", db, "add", "Acme").returncode == 0
    shared_dir.chmod(0o777)  # nobody may use the database (and its -wal) but not the folder below
    db.chmod(0o666)
    locked = shared_dir / "locked"
    locked.mkdir(mode=0o555)
    for args, target in (
        (("backup", locked / "copy.db"), locked / "copy.db"),
        (("export", "leads", "--out", locked / "leads.csv"), locked / "leads.csv"),
    ):
        result = as_nobody(*args, db=db)
        assert_clean_error(result, f"{target}: ", "ermission denied")
        assert "salesctl-tmp" not in result.stderr
    assert list(locked.iterdir()) == []


def test_a_folder_that_vanishes_before_writing_is_named_not_the_temporary_file(
    tmp_path, monkeypatch, run, ok
):
    import salesctl.files

    ok("add", "Acme")
    monkeypatch.setattr(
        salesctl.files, "check_target", lambda path, **kw: path
    )  # removed after the check
    for args, target in (
        (("backup", tmp_path / "gone" / "copy.db"), tmp_path / "gone" / "copy.db"),
        (("export", "--out", tmp_path / "gone" / "x.csv"), tmp_path / "gone" / "x.csv"),
    ):
        result = run(*args)
        assert result.code == 1 and result.err.startswith(f"Error: {target}: "), result.err
        assert "salesctl-tmp" not in result.err


def test_a_backup_that_fails_its_check_names_the_users_file_and_leaves_nothing(
    tmp_path, monkeypatch, ok, run
):
    import salesctl.store

    class FailingCheck(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("PRAGMA integrity_check"):
                return iter([("row 1 missing from index leads_stage",)])
            return super().execute(sql, *args)

    ok("add", "Acme")
    connect = sqlite3.connect
    monkeypatch.setattr(
        salesctl.store.sqlite3, "connect", lambda *a, **k: connect(*a, factory=FailingCheck, **k)
    )
    result = run("backup", tmp_path / "copy.db")
    assert result.code == 3, result
    assert result.err.startswith(
        f"Error: backup {tmp_path / 'copy.db'} failed its integrity check"
    ), result.err
    assert "salesctl-tmp" not in result.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("copy", ".copy"))) == []


# --- corrupt and foreign files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"hello, I am a text file\n" * 50, os.urandom(8192)], ids=["text", "random"]
)
def test_a_file_that_is_not_a_database_is_exit_3_and_untouched(db, run, content):
    db.write_bytes(content)
    for args in (("lead", "list"), ("add", "Acme"), ("rep", "list", "--format", "json")):
        result = run(*args)
        assert result.code == 3, result
        assert result.err.startswith("Error: ") and "Traceback" not in result.err
        assert str(db) in result.err and "corrupt" in result.err and "doctor" in result.err
    doctor = run("doctor")  # …and doctor explains what is wrong and what to do
    assert doctor.code == 3 and "Traceback" not in doctor.err
    assert "not a SQLite database" in doctor.out + doctor.err and "backup" in doctor.err
    assert db.read_bytes() == content


def test_a_corrupt_table_page_is_exit_3_naming_the_right_file(tmp_path, monkeypatch):
    """Corruption found while reading (not while opening) names the --db file, not $SALESCTL_DB."""
    db = tmp_path / "other.db"
    bulk_leads(db, 200)
    conn = sqlite3.connect(db)
    root_page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'leads'").fetchone()[
        0
    ]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root_page - 1) * 4096)
        f.write(b"\x0d" + b"\xff" * 200)  # an interior page that points nowhere
    before = digest(db)
    for args in (("lead", "list", "--format", "json"), ("add", "x"), ("lead", "show", "5")):
        result = salesctl_process("--db", db, *args)
        assert_clean_error(result, str(db), "corrupt", codes=(3,))
    doctor = salesctl_process("--db", db, "doctor")
    assert_clean_error(doctor, "integrity", "malformed", "backup", codes=(3,))
    assert digest(db) == before


def test_truncated_database_is_exit_3(tmp_path):
    db = tmp_path / "cut.db"
    bulk_leads(db, 200)
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.truncate(size // 3)
    result = salesctl_process("--db", db, "lead", "list", "--format", "json", "--all")
    assert_clean_error(result, str(db), codes=(3,))


def test_database_from_a_newer_salesctl_is_refused(db, run, ok):
    ok("add", "Acme")
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(db)
    for args in (("lead", "list"), ("add", "Globex"), ("config", "show")):
        result = run(*args)
        assert result.code == 3
        assert result.err.startswith("Error: ") and "upgrade salesctl" in result.err
        assert str(SCHEMA_VERSION + 1) in result.err
    assert digest(db) == before


# --- the first released schema ---------------------------------------------------------------------


def load_fixture_builder():
    spec = importlib.util.spec_from_file_location("make_schema_v1", FIXTURES / "make_schema_v1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_v1_fixture_is_what_its_script_builds(tmp_path):
    """The committed file and the script agree (so the fixture is really "built by the v1 schema code")."""
    builder = load_fixture_builder()
    rebuilt = builder.build(tmp_path / "v1.db")
    assert rows_of(rebuilt) == rows_of(FIXTURES / "schema_v1.db")
    conn = sqlite3.connect(FIXTURES / "schema_v1.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    assert tables == set(builder.ROWS), "every v1 table has representative rows"


def test_a_schema_v1_database_migrates_with_every_row_intact(tmp_path, monkeypatch, ok):
    builder = load_fixture_builder()
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", db)
    monkeypatch.setenv("SALESCTL_DB", str(db))

    leads = ok("lead", "list", "--team", "--all", "--format", "json")  # opening it migrates
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table, (columns, rows) in builder.ROWS.items():
        found = set(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())
        missing = [
            row for row in rows if row not in found
        ]  # migrations may add rows (default plays), never drop
        assert not missing, (table, missing)
    conn.close()

    # …and the migrated data reads back through the command line as the old salesctl wrote it.
    by_id = {lead["id"]: lead for lead in leads}
    assert sorted(by_id) == [1, 2, 3, 4]
    assert (
        by_id[1]["company"] == "北京智造"
        and by_id[1]["owner"] == "王芳"
        and by_id[1]["value"] == 50000
    )
    assert by_id[1]["tags"] == ["expo", "vip"] and by_id[1]["key"] is True
    assert by_id[2]["stage"] == "won" and by_id[2]["won_amount"] == 1150.5
    assert by_id[3]["lost_reason"] == "price" and by_id[3]["lost_stage"] == "negotiating"
    shown = ok("lead", "show", "1", "--format", "json")
    kinds = [(e["type"], e.get("kind") or e.get("to")) for e in shown["timeline"]]
    assert ("activity", "quote") in kinds and ("stage", "quoted") in kinds
    assert [r["name"] for r in ok("rep", "list", "--all", "--format", "json")] == [
        "alice",
        "bob",
        "王芳",
    ]
    assert ok("config", "show", "--format", "json")["timezone"] == "Asia/Shanghai"
    # Rows written before search existed are found by it (the migration indexed them).
    found = ok("search", "需要新报价", "--format", "json")
    assert [a["lead_id"] for a in found["activities"]] == [1]
    assert [lead["id"] for lead in ok("search", "Globex", "--format", "json")["leads"]] == [3]

    # It keeps working: a new lead gets the next id and the old rows are still there.
    assert ok("add", "New one").out.strip() == "5"
    assert len(ok("lead", "list", "--team", "--all", "--format", "json")) == 5


def test_a_migration_that_fails_leaves_the_old_database_as_it_was(tmp_path, monkeypatch, run):
    """Migrations run in one transaction: a failure in the last one undoes the ones before it too."""
    from faults import rows_of as dump

    import salesctl.store as store_module

    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", db)
    before = dump(db)

    def boom(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, ("9999_boom", boom)])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(store_module.MIGRATIONS))
    result = run("--db", db, "lead", "list")
    assert result.code == 3 and result.err.startswith("Error: ") and "Traceback" not in result.err
    assert dump(db) == before  # still version 1, no new table, every row as it was
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
