"""Files salesctl writes (export --out, report --out, backup): never onto the database, never through a
link or onto a device, whole or not at all, private, and a crashed writer's leftovers are cleaned up."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import mode
from faults import bulk_leads

PYTHON = sys.executable

# Every command that writes a file, as (argv before the target, argv after it).
WRITERS = {
    "export leads": (("export", "leads", "--out"), ()),
    "export all": (("export", "all", "--out"), ()),
    "report": (("report", "--format", "html", "--out"), ()),
    "report csv": (("report", "--format", "csv", "--out"), ()),
    "report --email --out": (("report", "--email", "owner@example.com", "--out"), ()),
    "backup": (("backup",), ()),
    "calendar": (("calendar", "--out"), ()),
}


# `backup` copies the SQLite file itself: on PostgreSQL it is refused (pg_dump instead, docs/team.md).
WRITER_PARAMS = [
    pytest.param(name, marks=pytest.mark.sqlite_only) if name == "backup" else name
    for name in WRITERS
]


def writer_args(name: str, target) -> list:
    before, after = WRITERS[name]
    return [*before, target, *after]


@pytest.fixture
def filled(db, ok):
    ok("add", "Acme", "--value", "5k")
    ok("log", "Acme", "called")
    return db


# --- never onto the database ------------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", list(WRITERS))
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_no_command_writes_onto_the_database_or_its_journal_files(filled, fails, name, suffix):
    target = Path(str(filled) + suffix)
    holder = sqlite3.connect(filled)  # another connection keeps the live -wal and -shm in place
    holder.execute("SELECT count(*) FROM leads").fetchone()
    try:
        before = {
            p.name: p.stat().st_ino
            for p in filled.parent.iterdir()
            if p.name.startswith(filled.name)
        }
        fails(
            *writer_args(name, target), names=(str(target), "database")
        )  # main file and -wal unchanged
        after = {
            p.name: p.stat().st_ino
            for p in filled.parent.iterdir()
            if p.name.startswith(filled.name)
        }
        assert after == before  # and the -shm not replaced
    finally:
        holder.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["export leads", "report", "backup"])
def test_no_other_name_for_the_database_is_written_either(
    filled, fails, tmp_path, monkeypatch, name
):
    """A relative path, a ./.. detour, a symbolic link and a hard link all reach the same file."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "alias.db").symlink_to(filled)
    os.link(filled, tmp_path / "hard.db")
    (tmp_path / "alias.db-wal").symlink_to(str(filled) + "-wal")
    monkeypatch.chdir(tmp_path / "sub")
    for target in (
        "../sales.db",
        f"{tmp_path}/sub/../sales.db",
        tmp_path / "alias.db",
        tmp_path / "hard.db",
        tmp_path / "alias.db-wal",
    ):
        fails(*writer_args(name, target), names=(str(target), "database"))
    assert sqlite3.connect(filled).execute("SELECT name FROM leads").fetchall() == [("Acme",)]


def test_a_database_reached_through_a_link_is_protected_under_its_real_name(tmp_path, ok, run):
    real = tmp_path / "real.db"
    link = tmp_path / "link.db"
    link.symlink_to(real)
    ok("--db", link, "add", "Acme")
    for target in (real, str(real) + "-wal", link):
        result = run("--db", link, "export", "--out", target)
        assert result.code == 1 and str(target) in result.err and "database" in result.err, result
    assert ok("--db", real, "lead", "list", "--format", "json")[0]["name"] == "Acme"


# --- never through a link, never onto a device, a FIFO or a folder ---------------------------------------


@pytest.mark.parametrize("name", WRITER_PARAMS)
def test_a_link_planted_at_the_target_is_refused_and_its_target_untouched(
    filled, fails, tmp_path, name
):
    victim = tmp_path / "victim.txt"
    victim.write_text("owner's file\n")
    victim.chmod(0o644)
    planted = tmp_path / "out.file"
    planted.symlink_to(victim)
    fails(*writer_args(name, planted), names=(str(planted), "is a symbolic link"))
    assert victim.read_text() == "owner's file\n" and mode(victim) == 0o644
    assert planted.is_symlink()


@pytest.mark.parametrize("name", WRITER_PARAMS)
def test_devices_fifos_and_folders_are_refused_without_hanging(filled, fails, tmp_path, name):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    targets = [fifo]
    device = (
        tmp_path / "null"
    )  # a private copy of /dev/null: a broken writer must not replace the real one
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        device.chmod(0o666)
        targets.append(device)
    except PermissionError:
        pass  # not root: the FIFO stands for every non-regular file
    reader = os.open(
        fifo, os.O_RDONLY | os.O_NONBLOCK
    )  # so a writer that opens the FIFO fails instead of hanging
    try:
        for target in targets:
            fails(*writer_args(name, target), names=(str(target), "not a regular file"))
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    if device in targets:
        assert stat.S_ISCHR(os.stat(device).st_mode) and mode(device) == 0o666
    if name != "backup":  # a folder is where backup puts a dated file
        fails(*writer_args(name, folder), names=(str(folder), "folder"))


# --- whole or not at all ---------------------------------------------------------------------------------


def run_limited(args, db: Path, limit: int) -> subprocess.CompletedProcess:
    import resource

    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [PYTHON, "-m", "salesctl", "--db", str(db), *map(str, args)],
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [("export", "leads", "--out"), ("export", "all", "--out"), ("backup",)],
    ids=["export leads", "export all", "backup"],
)
def test_a_write_cut_short_by_a_full_disk_leaves_the_old_file_whole(tmp_path, args):
    db = tmp_path / "big.db"
    bulk_leads(db, 3000)  # every output is well over the limit below
    old = tmp_path / "old.out"
    old.write_bytes(b"last week's good file\n")
    result = run_limited([*args, old], db, 200_000)
    assert result.returncode == (3 if args == ("backup",) else 1), (
        result
    )  # backup: SQLite's disk I/O error
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr, result.stderr
    assert str(old) in result.stderr and str(db) not in result.stderr, (
        result.stderr
    )  # the file that failed
    assert old.read_bytes() == b"last week's good file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "big.db",
        "old.out",
    ]  # no temporary file left


def test_a_report_whose_writing_fails_leaves_the_old_report(filled, run, tmp_path, monkeypatch):
    import errno

    old = tmp_path / "week.html"
    old.write_text("<p>last week</p>")
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = run("report", "--format", "html", "--out", old)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert result.code == 1 and result.err.startswith(f"Error: {old}: No space left"), result.err
    assert old.read_text() == "<p>last week</p>"
    assert [p.name for p in tmp_path.iterdir() if "salesctl-tmp" in p.name] == []


def test_a_dead_writers_temporary_file_is_removed_by_the_next_write(filled, ok, tmp_path):
    dead = subprocess.Popen([PYTHON, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".leads.csv.salesctl-tmp-{dead.pid}"
    stale.write_text("half a file")
    alive = tmp_path / f".leads.csv.salesctl-tmp-{os.getppid()}"  # a running process: still writing
    alive.write_text("being written")
    journal = (
        tmp_path / f".leads.csv.salesctl-tmp-{dead.pid}-journal"
    )  # SQLite's, beside a killed backup
    journal.write_text("half a journal")
    other = (
        tmp_path / f".other.csv.salesctl-tmp-{dead.pid}"
    )  # another command's file: not ours to judge
    other.write_text("x")
    ok("export", "leads", "--out", tmp_path / "leads.csv")
    assert not stale.exists() and not journal.exists() and alive.exists() and other.exists()
    assert (tmp_path / "leads.csv").read_text(encoding="utf-8-sig").startswith("id,")


def test_a_killed_export_leaves_only_a_temporary_file_named_for_its_target(tmp_path):
    """SIGKILL mid-write: the old file is whole and the leftover is `.NAME.salesctl-tmp-PID`."""
    import signal
    import time

    db = tmp_path / "big.db"
    bulk_leads(db, 20000)
    out = tmp_path / "leads.csv"
    out.write_text("old\n")
    proc = subprocess.Popen(
        [PYTHON, "-m", "salesctl", "--db", str(db), "export", "leads", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tmp = tmp_path / f".leads.csv.salesctl-tmp-{proc.pid}"
    deadline = time.monotonic() + 60
    while (
        not (tmp.exists() and tmp.stat().st_size > 0)
        and proc.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if not tmp.exists():
        pytest.skip("the export finished before it could be killed")
    assert out.read_text() == "old\n" and mode(tmp) == 0o600
    result = subprocess.run(
        [PYTHON, "-m", "salesctl", "--db", str(db), "export", "leads", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not tmp.exists() and out.read_text(encoding="utf-8-sig").startswith("id,")


# --- backup into a folder; report CSV for spreadsheets --------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_into_a_folder_makes_a_dated_file_inside_it(filled, ok, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    ok("backup", f"{folder}/")
    ok("backup", folder)  # an existing folder without the slash means the same
    assert [p.name for p in folder.iterdir()] == [
        "salesctl-2026-11-26-1000.db"
    ]  # local time, to the minute
    copy = sqlite3.connect(folder / "salesctl-2026-11-26-1000.db")
    assert copy.execute("SELECT name FROM leads").fetchall() == [("Acme",)]


@pytest.mark.sqlite_only
def test_backup_to_a_missing_folder_with_a_trailing_slash_is_refused(filled, fails, tmp_path):
    fails("backup", f"{tmp_path}/backups/", names=(f"{tmp_path}/backups/", "folder"))
    assert not (tmp_path / "backups").exists()


def test_a_csv_report_file_starts_with_a_bom_and_stdout_does_not(filled, ok, tmp_path):
    ok("rep", "add", "李娜")
    out = tmp_path / "week.csv"
    ok("report", "--format", "csv", "--out", out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "李娜".encode() in data and mode(out) == 0o600
    printed = ok("report", "--format", "csv").out
    assert not printed.startswith("\ufeff") and printed == data[3:].decode()


def test_a_report_file_replaced_is_private_and_no_other_file_changes_mode(filled, ok, tmp_path):
    other = tmp_path / "shared.html"
    other.write_text("old")
    other.chmod(0o644)
    ok("report", "--format", "html", "--out", other)
    assert mode(other) == 0o600 and "<html" in other.read_text()
