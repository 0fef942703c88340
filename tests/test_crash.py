"""Crashes: a large change killed with SIGKILL at several points leaves a sound database with all of it
or none of it.

Each scenario runs the change once to completion (its duration sets the kill times), then on fresh
copies of the same database kills it after several fractions of that duration, plus once as soon as
it is seen inside its transaction. A kill counts as landing mid-transaction when, at that instant, the
process held the write lock or had grown the -wal file, and afterwards the change is absent.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from faults import bulk_leads, count, integrity

pytestmark = [
    pytest.mark.sqlite_only,  # about the SQLite file itself (docs/team.md, Tests)
    pytest.mark.slow,
]  # kills large changes at several points

FRACTIONS = (0.15, 0.35, 0.55, 0.75, 0.95)
PYTHON = [sys.executable]


@dataclass
class Kill:
    delay: float
    alive: bool  # the process was still running when the signal was sent
    in_transaction: bool  # …and held the write lock or had written to the -wal file
    outcome: str  # "none" or "all" (anything else fails the test first)


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(str(db) + "-wal")
    except FileNotFoundError:
        return 0


def write_lock_held(db: Path) -> bool:
    """Whether another connection is inside a write transaction (we cannot take the lock at once)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def start(argv: list[str], db: Path) -> subprocess.Popen:
    env = {**os.environ, "SALESCTL_DB": str(db)}
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_after(argv: list[str], db: Path, delay: float | None, outcome) -> Kill:
    """Run argv on db; SIGKILL it after `delay` s (None: as soon as it is seen mid-transaction)."""
    wal_before = wal_size(db)
    proc = start(argv, db)
    began = time.monotonic()
    in_tx = False
    while proc.poll() is None:
        elapsed = time.monotonic() - began
        if delay is not None and elapsed >= delay:
            break
        if delay is None:
            if wal_size(db) > wal_before or write_lock_held(db):
                in_tx = True
                break
            if elapsed > 30:
                pytest.fail("the change never started")
        time.sleep(0.002)
    alive = proc.poll() is None
    if alive and delay is not None:
        in_tx = wal_size(db) > wal_before or write_lock_held(db)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    alive = alive and proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    kill = Kill(delay if delay is not None else -1.0, alive, alive and in_tx, outcome(db))
    assert kill.outcome in ("none", "all"), f"a kill left part of the change: {kill}"
    return kill


def crash_scenario(tmp_path: Path, base: Path, argv: list[str], outcome) -> list[Kill]:
    """Run to completion once (must be "all"), then kill at each point; returns what each kill left."""
    full = tmp_path / "full.db"
    shutil.copyfile(base, full)
    assert outcome(full) == "none"
    began = time.monotonic()
    proc = start(argv, full)
    _, err = proc.communicate(timeout=120)
    duration = time.monotonic() - began
    assert proc.returncode == 0, err
    assert outcome(full) == "all"

    kills = []
    for i, delay in enumerate([None, *(f * duration for f in FRACTIONS)]):
        db = tmp_path / f"kill{i}.db"
        shutil.copyfile(base, db)
        kills.append(kill_after(argv, db, delay, outcome))
    assert any(k.in_transaction and k.outcome == "none" for k in kills), (
        f"no kill landed inside the transaction (duration {duration:.2f}s): {kills}"
    )
    # salesctl itself opens a crashed file (recovering its -wal) without complaint.
    last = tmp_path / f"kill{len(kills) - 1}.db"
    result = subprocess.run(
        [*PYTHON, "-m", "salesctl", "--db", str(last), "rep", "list", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return kills


# --- scenarios -------------------------------------------------------------------------------------

BULK_N = 12000


def test_bulk_insert_through_the_store_killed_at_several_points(tmp_path, monkeypatch):
    base = tmp_path / "base.db"
    bulk_leads(base, 50, owner="alice")
    # 20,000 leads with their history rows, in one Store.write(), as a bulk import does.
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]),
    )
    script = [
        *PYTHON,
        "-c",
        "import os, faults; faults.bulk_leads(os.environ['SALESCTL_DB'], "
        f"{BULK_N}, owner='carol', start=1000)",
    ]

    def outcome(db: Path) -> str:
        leads = count(db, "SELECT count(*) FROM leads")
        history = count(db, "SELECT count(*) FROM stage_history")
        carol = count(db, "SELECT count(*) FROM reps WHERE name = 'carol'")
        if (leads, history, carol) == (50, 50, 0):
            return "none"
        if (leads, history, carol) == (50 + BULK_N, 50 + BULK_N, 1):
            return "all"
        return f"partial: {leads} leads, {history} history rows, carol={carol}"

    kills = crash_scenario(tmp_path, base, script, outcome)
    assert {k.outcome for k in kills} <= {"none", "all"}


ASSIGN_N = 5000


def test_large_assign_killed_at_several_points(tmp_path):
    base = tmp_path / "base.db"
    bulk_leads(base, ASSIGN_N, owner="alice")
    assert (
        subprocess.run(
            [*PYTHON, "-m", "salesctl", "--db", str(base), "rep", "add", "bob"], capture_output=True
        ).returncode
        == 0
    )
    argv = [
        *PYTHON,
        "-m",
        "salesctl",
        "lead",
        "assign",
        *map(str, range(1, ASSIGN_N + 1)),
        "--to",
        "bob",
        "--format",
        "json",
    ]

    def outcome(db: Path) -> str:
        bobs = count(
            db, "SELECT count(*) FROM leads l JOIN reps r ON r.id = l.owner_id WHERE r.name = 'bob'"
        )
        moves = count(db, "SELECT count(*) FROM assignments")
        if (bobs, moves) == (0, 0):
            return "none"
        if (bobs, moves) == (ASSIGN_N, ASSIGN_N):
            return "all"
        return f"partial: bob owns {bobs}, {moves} assignment rows"

    kills = crash_scenario(tmp_path, base, argv, outcome)
    assert {k.outcome for k in kills} <= {"none", "all"}


IMPORT_N = 8000


def test_large_import_killed_at_several_points(tmp_path):
    base = tmp_path / "base.db"
    bulk_leads(base, 50, owner="alice")
    source = tmp_path / "leads.csv"
    source.write_text(
        "name,company,email,value,stage,owner,notes\n"
        + "".join(
            f"import {i},Company {i % 500},buyer{i}@example.com,{i},{('new', 'quoted', 'won')[i % 3]},rep{i % 7},"
            f"met at the fair {i}\n"
            for i in range(IMPORT_N)
        ),
        encoding="utf-8",
    )
    argv = [*PYTHON, "-m", "salesctl", "import", str(source)]

    def outcome(db: Path) -> str:
        leads = count(db, "SELECT count(*) FROM leads")
        reps = count(db, "SELECT count(*) FROM reps WHERE name LIKE 'rep%'")
        notes = count(db, "SELECT count(*) FROM activities")
        if (leads, reps, notes) == (50, 0, 0):
            return "none"
        if (leads, reps, notes) == (50 + IMPORT_N, 7, IMPORT_N):
            return "all"
        return f"partial: {leads} leads, {reps} new reps, {notes} notes"

    kills = crash_scenario(tmp_path, base, argv, outcome)
    assert {k.outcome for k in kills} <= {"none", "all"}


HANDOFF_N = 10000


def test_large_handoff_killed_at_several_points(tmp_path):
    base = tmp_path / "base.db"
    bulk_leads(base, HANDOFF_N, owner="alice")
    assert (
        subprocess.run(
            [*PYTHON, "-m", "salesctl", "--db", str(base), "rep", "add", "bob"], capture_output=True
        ).returncode
        == 0
    )
    argv = [*PYTHON, "-m", "salesctl", "handoff", "alice", "bob", "--deactivate"]

    def outcome(db: Path) -> str:
        bobs = count(
            db, "SELECT count(*) FROM leads l JOIN reps r ON r.id = l.owner_id WHERE r.name = 'bob'"
        )
        moves = count(db, "SELECT count(*) FROM assignments")
        alice_active = count(db, "SELECT active FROM reps WHERE name = 'alice'")
        if (bobs, moves, alice_active) == (0, 0, 1):
            return "none"
        if (bobs, moves, alice_active) == (HANDOFF_N, HANDOFF_N, 0):
            return "all"
        return f"partial: bob owns {bobs}, {moves} assignment rows, alice active={alice_active}"

    kills = crash_scenario(tmp_path, base, argv, outcome)
    assert {k.outcome for k in kills} <= {"none", "all"}
