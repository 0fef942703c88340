"""The database file itself: only salesctl's own files are opened, reads never write, and files that are
not databases at all (FIFOs, devices, blanks, mangled schemas, dangling links) get a clear answer."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import digest, is_new, mode, salesctl_process

from salesctl.store import SCHEMA_VERSION

APPLICATION_ID = (
    0x53414C45  # "SALE": the mark in every salesctl file's header (a file format, so fixed here)
)

FIXTURES = Path(__file__).parent / "fixtures"
READS = (
    ("lead", "list"),
    ("today", "--format", "json"),
    ("report", "--format", "json"),
    ("export", "all"),
    ("search", "photo"),
    ("config", "show"),
)
WRITES = (("add", "Acme"), ("rep", "add", "bob"), ("config", "set", "currency", "EUR"))


def file_bytes(path: Path) -> dict[str, bytes]:
    """The file and every sibling SQLite could leave (-wal, -shm, -journal), byte for byte."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


def header(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, journal format: 1 rollback, 2 WAL) read from the file header."""
    data = path.read_bytes()[:100]
    return int.from_bytes(data[68:72], "big"), int.from_bytes(data[60:64], "big"), data[18]


def foreign(path: Path, *, user_version: int = 0) -> Path:
    """Another program's SQLite file: its own tables, rollback journal, no salesctl mark."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")
    conn.execute("INSERT INTO photos (file) VALUES ('beach.jpg')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path


# --- other programs' files ----------------------------------------------------------------------------


@pytest.mark.parametrize("user_version", [0, 2, 9])
def test_another_programs_database_is_refused_and_left_byte_for_byte(tmp_path, run, user_version):
    photos = foreign(tmp_path / "photos.db", user_version=user_version)
    before = file_bytes(photos)
    for args in READS + WRITES + (("backup", tmp_path / "copy.db"),):
        result = run("--db", photos, *args)
        assert result.code == 3, (args, result)
        assert result.err.startswith(f"Error: {photos} is not a salesctl database"), (
            args,
            result.err,
        )
        assert "photos" in result.err and "Traceback" not in result.err
        assert file_bytes(photos) == before, (
            args
        )  # no tables added, no WAL switch, user_version kept
    assert not (tmp_path / "copy.db").exists()


def test_doctor_says_a_foreign_file_is_not_a_salesctl_database(tmp_path, run):
    photos = foreign(tmp_path / "photos.db")
    before = file_bytes(photos)
    result = run("--db", photos, "doctor", "--format", "json")
    assert result.code == 3 and "not a salesctl database" in result.err, result
    assert not result.json()["ok"] and result.json()["checks"][-1]["check"] == "salesctl"
    assert file_bytes(photos) == before


@pytest.mark.sqlite_only
def test_a_new_database_carries_the_salesctl_mark(db, ok):
    ok("add", "Acme")
    assert sqlite3.connect(db).execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_an_older_salesctl_database_is_recognised_and_marked(tmp_path, ok):
    old = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_v1.db", old)
    assert header(old)[:2] == (0, 1)  # built before the mark existed
    ok("--db", old, "add", "Globex")
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --- newer files: refused before anything writes -----------------------------------------------------


def test_a_newer_salesctl_file_in_rollback_mode_is_refused_before_the_wal_switch(tmp_path, run, ok):
    db = tmp_path / "newer.db"
    ok("--db", db, "add", "Acme")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")  # as a backup or another tool leaves it
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = file_bytes(db)
    assert header(db)[2] == 1
    for args in READS[:2] + WRITES[:1]:
        result = run("--db", db, *args)
        assert result.code == 3 and "upgrade salesctl" in result.err, (args, result)
    assert (
        file_bytes(db) == before and header(db)[2] == 1
    )  # still a rollback journal: nothing written


# --- reads never write ----------------------------------------------------------------------------------


def test_read_commands_leave_a_zero_byte_file_empty_and_a_write_sets_it_up(tmp_path, ok):
    blank = tmp_path / "blank.db"
    blank.touch()
    for args in READS:
        ok("--db", blank, *args)
        assert blank.stat().st_size == 0 and file_bytes(blank) == {"blank.db": b""}, args
    ok("--db", blank, "add", "Acme")
    assert [r["name"] for r in ok("--db", blank, "lead", "list", "--format", "json")] == ["Acme"]


def test_read_commands_leave_a_rollback_journal_salesctl_file_as_it_is(tmp_path, ok):
    """A backup is a rollback-journal file; reading it (to check it) must not switch it to WAL."""
    db = tmp_path / "sales.db"
    ok("--db", db, "add", "Acme")
    ok("--db", db, "backup", tmp_path / "copy.db")
    copy = tmp_path / "copy.db"
    before = file_bytes(copy)
    for args in READS:
        ok("--db", copy, *args)
    assert file_bytes(copy) == before and header(copy)[2] == 1
    ok("--db", copy, "add", "Globex")  # the first change switches it to WAL
    assert header(copy)[2] == 2


# --- files that are not databases at all -----------------------------------------------------------------


def test_a_fifo_or_a_folder_as_the_database_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "sales.db"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.db"
    folder.mkdir()
    for path in (fifo, folder):
        for args in (
            ("lead", "list"),
            ("add", "Acme"),
            ("doctor",),
            ("backup", tmp_path / "copy.db"),
        ):
            result = salesctl_process("--db", path, *args, timeout=30)  # never hangs on the FIFO
            assert result.returncode == 3, (path, args, result)
            assert result.stderr.startswith("Error: ") and "not a regular file" in result.stderr, (
                result.stderr
            )
            assert str(path) in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.db", "sales.db"]


def test_a_device_as_the_database_is_refused(tmp_path, run):
    import stat

    device = tmp_path / "zero"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device node needs root")
    result = run("--db", device, "add", "Acme")
    assert result.code == 3 and "not a regular file" in result.err, result


def mangle_schema_page(db: Path) -> None:
    """Corrupt the schema record of `activities` so SQLite's own error text holds invalid UTF-8."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    at = data.find(b"tableactivitiesactivities")
    data[at + 5 : at + 15] = b"\xff" * 10  # the table's name in sqlite_master
    sql = data.find(b"CREATE TABLE activities (", at)
    data[sql + 24] = ord(
        ")"
    )  # …and a statement that no longer parses, so SQLite names it in its error
    db.write_bytes(bytes(data))


def test_a_mangled_schema_page_is_corrupt_restore_a_backup_everywhere(tmp_path, ok):
    db = tmp_path / "sales.db"
    ok("--db", db, "add", "Acme")
    mangle_schema_page(db)
    before = digest(db)
    for args in (
        ("lead", "list"),
        ("add", "Globex"),
        ("report",),
        ("doctor",),
        ("backup", tmp_path / "c.db"),
    ):
        result = salesctl_process("--db", db, *args)
        assert result.returncode == 3, (args, result)
        assert "corrupt; restore a backup" in result.stderr, (args, result.stderr)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert digest(db) == before


# --- the path ------------------------------------------------------------------------------------------------


def test_a_dangling_link_as_the_database_creates_private_files(tmp_path, monkeypatch, ok):
    os.umask(0o022)  # restored by the fixture below; the usual umask that made 0644 files
    target = tmp_path / "data" / "target.db"
    (tmp_path / "data").mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(target)
    holder = None
    try:
        ok("--db", link, "add", "Acme")
        holder = sqlite3.connect(link)  # keeps the -wal and -shm in place to look at them
        holder.execute("SELECT count(*) FROM leads").fetchone()
        files = sorted(p.name for p in (tmp_path / "data").iterdir())
        assert files == ["target.db", "target.db-shm", "target.db-wal"]
        assert {name: mode(tmp_path / "data" / name) for name in files} == dict.fromkeys(
            files, 0o600
        )
        assert link.is_symlink()
    finally:
        if holder:
            holder.close()


@pytest.fixture(autouse=True)
def _keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_memory_is_not_a_database_file(run, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for args, field in (
        (("--db", ":memory:", "add", "Acme"), "--db"),
        (("--db", ":memory:", "lead", "list"), "--db"),
    ):
        result = run(*args)
        assert result.code == 1 and result.err.startswith(
            f'Error: {field}: ":memory:" needs a file'
        ), result
    monkeypatch.setenv("SALESCTL_DB", ":memory:")
    result = run("add", "Acme")
    assert result.code == 1 and result.err.startswith(
        'Error: SALESCTL_DB: ":memory:" needs a file'
    ), result
    assert list(tmp_path.iterdir()) == []


# --- input that is not text, numbers too large, searches too long ----------------------------------------

BAD = "bad\udcff"  # what Python makes of the bytes b"bad\xff" in argv or the environment


@pytest.mark.parametrize(
    "args, field",
    [
        (("add", BAD), "NAME"),
        (("add", "Acme", "--company", BAD), "--company"),
        (("add", "Acme", f"--company={BAD}"), "--company"),
        (("rep", "add", BAD), "NAME"),
        (("--db", f"{BAD}.db", "add", "Acme"), "--db"),
        (("export", "--out", BAD), "--out"),
    ],
)
def test_undecodable_bytes_in_an_argument_are_refused_naming_it(db, fails, args, field):
    fails(*args, names=(f'{field}: "bad\\xff', "is not valid UTF-8"))
    assert is_new(db)


def test_undecodable_bytes_in_the_environment_are_refused_naming_the_variable(
    db, fails, monkeypatch
):
    monkeypatch.setenv("SALESCTL_REP", "r\udcff")
    fails("add", "Acme", names=('SALESCTL_REP: "r\\xff" is not valid UTF-8',))
    assert is_new(db)


def test_undecodable_bytes_from_a_real_shell(tmp_path):
    db = tmp_path / "sales.db"
    env = {**os.environ, "SALESCTL_DB": str(db)}
    result = subprocess.run(
        [sys.executable, "-m", "salesctl", "add", b"bad\xff"], capture_output=True, env=env
    )
    assert result.returncode == 1 and result.stderr.startswith(b'Error: NAME: "bad\\xff"'), result
    result = subprocess.run(
        [sys.executable, "-m", "salesctl", "add", "Acme"],
        capture_output=True,
        env={**env, "SALESCTL_REP": "r\udcff".encode("utf-8", "surrogateescape")},
    )
    assert result.returncode == 1 and b"SALESCTL_REP" in result.stderr, result
    assert not db.exists()


def test_numbers_beyond_sqlites_integers_are_refused(ok, fails):
    ok("add", "Acme")
    huge = "9" * 30
    fails("lead", "list", "--limit", huge, names=("--limit", huge, "too large"))
    fails("search", "Acme", "--limit", huge, names=("--limit", "too large"))
    for args in (
        ("lead", "show", huge),
        ("lead", "show", str(2**63)),
        ("log", str(2**64), "called"),
        ("lead", "edit", str(2**63), "--value", "5"),
    ):
        fails(
            *args,
            names=("no lead", args[-1] if args[0] == "lead" and args[1] == "show" else "lead"),
        )


def test_a_search_of_thousands_of_words_is_refused(ok, fails):
    ok("add", "Acme")
    ok("log", "Acme", "called about the quote")
    text = " ".join(f"word{i}" for i in range(5000))
    fails("search", text, names=("TEXT", "too many words (max 64)"))
    assert ok("search", " ".join(["quote"] * 64), "--format", "json")["activities"]
