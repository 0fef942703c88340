"""A full disk: writes under a file-size limit (`ulimit -f`) fail cleanly and change nothing.

Python starts with SIGXFSZ ignored (checked below), so a write past the limit fails with EFBIG instead
of killing the process, and SQLite sees a failed write, as on a full disk.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from faults import bulk_leads, integrity, rows_of

pytestmark = [
    pytest.mark.sqlite_only,  # about the SQLite file itself (docs/team.md, Tests)
    pytest.mark.slow,
]  # runs salesctl under a file-size limit in subprocesses

PYTHON = sys.executable


def limited(limit: int):
    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def run_limited(argv: list[str], db: Path, limit: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SALESCTL_DB": str(db),
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
        ),
    }
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, preexec_fn=limited(limit), timeout=60
    )


def test_python_ignores_sigxfsz_so_the_write_fails_instead_of_the_process():
    result = subprocess.run(
        [PYTHON, "-c", "import signal; print(signal.getsignal(signal.SIGXFSZ) == signal.SIG_IGN)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "True"


@pytest.fixture
def full_db(tmp_path) -> Path:
    db = tmp_path / "sales.db"
    bulk_leads(db, 3000, owner="alice")
    assert (
        subprocess.run(
            [PYTHON, "-m", "salesctl", "--db", str(db), "rep", "add", "bob"], capture_output=True
        ).returncode
        == 0
    )
    return db


CASES = {
    # name: (argv after "python", file-size limit in bytes: below what the change must write)
    "large assign": (
        ["-m", "salesctl", "lead", "assign", *map(str, range(1, 3001)), "--to", "bob"],
        200_000,
    ),
    "add": (["-m", "salesctl", "add", "Globex", "--company", "Globex"], 4096),
    "import": (["-m", "salesctl", "import", "{csv}"], 300_000),
    "handoff": (["-m", "salesctl", "handoff", "alice", "bob", "--deactivate"], 100_000),
    "bulk insert": (
        [
            "-c",
            "import os, faults; faults.bulk_leads(os.environ['SALESCTL_DB'], 5000, owner='carol')",
        ],
        1_000_000,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_write_on_a_full_disk_fails_cleanly_and_changes_nothing(full_db, case, tmp_path):
    args, limit = CASES[case]
    source = tmp_path / "import.csv"
    source.write_text(
        "name,company,email,notes\n"
        + "".join(f"new {i},Company {i},new{i}@example.com,first met {i}\n" for i in range(3000)),
        encoding="utf-8",
    )
    args = [a.replace("{csv}", str(source)) for a in args]
    before = rows_of(full_db)
    result = run_limited([PYTHON, *args], full_db, limit)
    assert result.returncode != 0 and result.returncode > 0, (
        "killed by a signal or wrongly succeeded"
    )
    if args[0] == "-m":  # through salesctl's own error boundary: a message a user can act on
        assert "Traceback" not in result.stderr
        assert result.returncode == 3
        assert result.stderr.startswith("Error: "), result.stderr
        assert (
            str(full_db) in result.stderr
            and "disk" in result.stderr
            and "not saved" in result.stderr
        )
        assert result.stdout == ""
    else:  # the store itself raises its own error, not a raw sqlite3 one
        assert "salesctl.errors.StoreError" in result.stderr and "disk I/O error" in result.stderr
    assert integrity(full_db) == "ok"
    assert rows_of(full_db) == before

    # With room again, the same change goes through: nothing was left half-done or locked.
    again = run_limited([PYTHON, *args], full_db, resource.RLIM_INFINITY)
    assert again.returncode == 0, again.stderr
    assert rows_of(full_db) != before


def test_a_full_disk_during_the_first_write_leaves_no_half_made_database(tmp_path):
    db = tmp_path / "new.db"
    result = run_limited([PYTHON, "-m", "salesctl", "add", "Acme"], db, 2048)
    assert (
        result.returncode == 3
        and result.stderr.startswith("Error: ")
        and "Traceback" not in result.stderr
    )
    # Whatever is on disk is either nothing or a database that opens (no lead in it).
    if db.exists() and db.stat().st_size:
        assert integrity(db) == "ok"
    listed = subprocess.run(
        [PYTHON, "-m", "salesctl", "--db", str(db), "lead", "list", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "[]"
