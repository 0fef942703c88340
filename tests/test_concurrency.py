"""Concurrency: several salesctl processes writing one file while cron runs `remind`: zero failures,
zero lost rows, no reminder sent twice.

Each worker is one process calling salesctl's entry point in a loop (a fresh connection per command,
as separate invocations would), so the processes really contend for SQLite's write lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from faults import count, integrity

pytestmark = pytest.mark.slow  # many processes and a real SMTP server

# add → log (moves it to contacted) → move to quoted → log again; every exit code is reported.
WORKER = """
import json, os, sys
from contextlib import redirect_stdout
from io import StringIO
from salesctl.cli import main

me, n = os.environ["SALESCTL_REP"], int(sys.argv[1])
codes = []
def run(*args):
    out = StringIO()
    with redirect_stdout(out):
        codes.append(main(list(args)))
    return out.getvalue()
for i in range(n):
    lead = json.loads(run("add", f"{me} lead {i}", "--company", f"{me} co", "--value", str(1000 + i),
                          "--format", "json"))["id"]
    run("log", str(lead), f"first call {i}", "--kind", "call")
    run("move", str(lead), "quoted", "--note", f"quote {i}")
    run("log", str(lead), f"follow-up {i}", "--kind", "email", "--next", "tomorrow", "--step", "chase")
    run("log", "1", f"{me} on the shared lead {i}", "--kind", "note")  # everyone writes the same row too
print(json.dumps(codes))
"""


def start_worker(name: str, db: Path | str, leads: int = 8) -> subprocess.Popen:
    env = {**os.environ, "SALESCTL_DB": str(db), "SALESCTL_REP": name}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(leads)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def start_remind(db: Path | str, smtp_env: dict) -> subprocess.Popen:
    env = {**os.environ, **smtp_env, "SALESCTL_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "salesctl", "remind", "--all", "--email"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def writers_and_reminders(db, ok, smtp_server, *, workers: int, leads_each: int) -> None:
    """`workers` writer processes and three overlapping `remind --all --email` runs, started together:
    no command fails, no row is lost, every rep gets exactly one mail."""
    reps = [f"rep{n}" for n in range(workers)]
    for rep in reps:
        ok("rep", "add", rep, "--email", f"{rep}@example.com")
    ok("rep", "add", "alice", "--email", "alice@example.com")
    ok("add", "Shared account", "--company", "Everyone's")  # lead #1, logged on by every worker
    # Something on everyone's list before cron starts, which no worker touches: whether a reminder is
    # due must not depend on how far the writers got when a run reads the agenda (lead #1 leaves
    # alice's list, as "new and untouched", once a worker logs on it).
    for rep in [*reps, "alice"]:
        ok("add", f"{rep} first", "--owner", rep, "--next", "today 09:30", "--step", "call")
    server = smtp_server(
        delay=0.05
    )  # each send takes a while, so the remind runs overlap with the writers

    # Writers and three cron runs of `remind` started together.
    procs = [start_worker(rep, db, leads_each) for rep in reps]
    reminders = [start_remind(db, server.env()) for _ in range(3)]
    results = [p.communicate(timeout=300) for p in procs]
    remind_results = [(p.communicate(timeout=300), p.returncode) for p in reminders]

    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        codes = json.loads(out.strip().splitlines()[-1])
        assert codes == [0] * (5 * leads_each), err
        assert "Error" not in err and "Traceback" not in err
    for (_out, err), code in remind_results:
        assert code == 0, err
        assert "Traceback" not in err

    # Zero lost rows: every lead, activity and stage move of every worker is there, with distinct ids.
    assert integrity(db) == "ok"
    total = workers * leads_each
    firsts = workers + 1
    assert count(db, "SELECT count(*) FROM leads WHERE name LIKE '% lead %'") == total
    assert count(db, "SELECT count(DISTINCT name) FROM leads") == total + firsts + 1
    # two logs and the move's note per lead, and every worker's notes on the shared lead
    assert count(db, "SELECT count(*) FROM activities WHERE lead_id > 1") == total * 3
    assert count(db, "SELECT count(*) FROM activities WHERE lead_id = 1") == total
    # created (→ new), the first effective log (new → contacted), the move (contacted → quoted)
    assert count(db, "SELECT count(*) FROM stage_history") == total * 3 + firsts + 1
    leads = [
        lead
        for lead in ok("lead", "list", "--team", "--all", "--format", "json")
        if " lead " in lead["name"]
    ]
    assert len(leads) == total
    for lead in leads:
        owner, _, i = lead["name"].partition(" lead ")
        assert (
            lead["owner"] == owner and lead["stage"] == "quoted" and lead["value"] == 1000 + int(i)
        )
        assert lead["next_step"] == "chase"
    per_rep = Counter(lead["owner"] for lead in leads)
    assert per_rep == {rep: leads_each for rep in reps}

    # No reminder twice: one mail per rep for today, however the three runs interleaved.
    sent = Counter(to for message in server.received for to in message.rcpt_tos)
    assert sent == {f"{rep}@example.com": 1 for rep in [*reps, "alice"]}, sent
    assert count(db, "SELECT count(*) FROM reminders WHERE sent_at IS NOT NULL") == sum(
        sent.values()
    )
    # A fourth run afterwards sends nothing new: the day is done for everyone already mailed.
    again = start_remind(db, server.env())
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert Counter(to for message in server.received for to in message.rcpt_tos) == sent


def test_writers_and_overlapping_reminders_lose_nothing_and_send_once(db, ok, smtp_server):
    writers_and_reminders(db, ok, smtp_server, workers=4, leads_each=8)


@pytest.mark.postgres_only
def test_sixteen_writers_on_the_server_lose_nothing_and_reminders_go_once(db, ok, smtp_server):
    """Team mode: 16 reps' machines writing at once through the advisory lock (docs/team.md)."""
    writers_and_reminders(db, ok, smtp_server, workers=16, leads_each=3)


@contextmanager
def write_lock_held(db: Path | str, monkeypatch):
    """Another salesctl in the middle of a long write (it holds the write lock: BEGIN IMMEDIATE on
    SQLite, the advisory lock on PostgreSQL), and a 1 s wait for it instead of 15 s. Yields the
    database's name as error messages give it."""
    import salesctl.dialects.postgres
    import salesctl.store

    monkeypatch.setattr(salesctl.store, "BUSY_TIMEOUT_S", 1)
    monkeypatch.setattr(salesctl.dialects.postgres, "BUSY_TIMEOUT_S", 1)
    if isinstance(db, str):
        import psycopg2

        holder = psycopg2.connect(db)
        holder.autocommit = True
        holder.cursor().execute(salesctl.dialects.postgres.BEGIN)
        named = db.split("@", 1)[1].split("/", 1)[0]  # the host:port, not the URL
    else:
        import sqlite3

        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        named = str(db)
    try:
        yield named
    finally:
        holder.cursor().execute("ROLLBACK") if isinstance(db, str) else holder.execute("ROLLBACK")
        holder.close()


def test_a_writer_blocked_past_the_timeout_exits_3_and_readers_are_not_blocked(
    db, ok, run, monkeypatch
):
    from conftest import digest

    ok("add", "Acme")
    with write_lock_held(db, monkeypatch) as named:
        before = digest(db)
        result = run("add", "Globex")
        assert result.code == 3
        assert result.err.startswith("Error: ") and "busy" in result.err and named in result.err
        assert digest(db) == before
        listed = run("lead", "list", "--format", "json")  # WAL: reading goes on during the write
        assert listed.code == 0 and [x["name"] for x in listed.json()] == ["Acme"]
    assert (
        ok("add", "Globex").out.strip() == "2"
    )  # and once the lock is free the write goes through


# Every command that changes the database, as a user types it (set up by the test below: lead #1
# "Acme" open with two activities, #2 "Initech" won, rep bob, play "intro" with a cadence).
WRITES = [
    ("add", "Globex"),
    ("log", "1", "called"),
    ("move", "1", "quoted"),
    ("won", "1"),
    ("lost", "1", "--reason", "price"),
    ("reopen", "2"),
    ("snooze", "1", "+2w"),
    ("lead", "edit", "1", "--value", "5k"),
    ("lead", "delete", "1", "--yes"),
    ("lead", "assign", "1", "--to", "bob"),
    ("activity", "edit", "1", "--note", "corrected"),
    ("activity", "delete", "1", "--yes"),
    ("handoff", "alice", "bob"),
    ("rep", "add", "carol"),
    ("rep", "edit", "bob", "--email", "bob@example.com"),
    ("rep", "deactivate", "bob"),
    ("target", "set", "50k"),
    ("play", "add", "closing", "--text", "ask for the order"),
    ("cadence", "start", "1", "intro"),
    ("config", "set", "currency", "EUR"),
    ("import", "{csv}"),
    ("remind", "--email"),
]


@pytest.mark.parametrize("argv", WRITES, ids=[" ".join(a[:2]) for a in WRITES])
def test_every_change_waits_for_the_write_lock_and_gives_up_with_exit_3(
    db, ok, run, monkeypatch, tmp_path, smtp_server, argv
):
    """Every read-modify-write takes the write lock first: while another salesctl holds it, each
    command that changes something exits 3 "busy" after the wait and writes nothing (docs/team.md)."""
    from conftest import digest

    ok("rep", "add", "alice", "--email", "alice@example.com")
    ok("rep", "add", "bob")
    ok("add", "Acme", "--value", "10k", "--next", "today 09:00", "--step", "call")
    ok("log", "1", "first call", "--next", "today 09:30")
    ok("add", "Initech", "--value", "5k")
    ok("won", "2")
    ok("play", "add", "intro", "--cadence", "0d call: intro; +2d email: case study")
    csv = tmp_path / "leads.csv"
    csv.write_text("name,company\nHooli,Hooli Inc\n", encoding="utf-8")
    server = smtp_server()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    argv = [str(csv) if a == "{csv}" else a for a in argv]
    with write_lock_held(db, monkeypatch) as named:
        before = digest(db)
        result = run(*argv)
        assert result.code == 3, result.out + result.err
        assert result.err.startswith("Error: ") and "busy" in result.err and named in result.err
        assert "Traceback" not in result.err
        assert digest(db) == before
    assert server.received == []


def schema_of(dbname: str) -> tuple[list, list]:
    """A server database's index and constraint definitions."""
    from conftest import pg_admin

    return pg_admin(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1", dbname
    ), pg_admin(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
        dbname,
    )


@pytest.mark.postgres_only
@pytest.mark.parametrize("command", ["db init", "db copy"])
def test_db_init_and_copy_wait_for_the_write_lock_on_the_target(
    db, ok, monkeypatch, run, tmp_path, command
):
    """`db init` and `db copy` into a server database take the same lock as every change."""
    from conftest import drop_pg_database, pg_admin

    ok("add", "Acme")
    source = tmp_path / "source.db"
    ok("db", "copy", db, source)
    name = f"{db.rsplit('/', 1)[1]}_target"
    pg_admin(f"CREATE DATABASE {name}")
    target = db.rsplit("/", 1)[0] + "/" + name
    try:
        with write_lock_held(target, monkeypatch) as named:
            argv = (
                ["db", "init", target] if command == "db init" else ["db", "copy", source, target]
            )
            result = run(*argv)
            assert result.code == 3, result.out + result.err
            assert "busy" in result.err and named in result.err
            tables = pg_admin("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", name)
            assert tables == [(0,)]  # nothing was created
        ok(*argv)  # and once the lock is free it goes through
        # `db copy` loads without secondary indexes and foreign keys and makes them again at the end:
        # the copy has exactly the schema `db init` gives.
        assert schema_of(name) == schema_of(db.rsplit("/", 1)[1])
    finally:
        drop_pg_database(target)


@pytest.mark.sqlite_only
def test_a_backup_taken_while_others_write_is_a_consistent_database(db, ok, tmp_path):
    ok("add", "Acme")
    writer = start_worker("rep0", db)  # adds, logs and moves in 40 small transactions
    backups, states = [], set()
    try:
        # Backups start once the writer has written (a loaded machine may take seconds to start it)
        # and go on while it writes, until 8 different states are caught: how many backups are taken
        # follows the writer's progress, not the clock. A backup equal to one already kept is dropped.
        while writer.poll() is None and count(db, "SELECT count(*) FROM leads") < 2:
            time.sleep(0.02)
        while writer.poll() is None and len(backups) < 8:
            dest = tmp_path / f"backup{len(backups)}.db"
            ok("backup", dest)
            state = count(dest, "SELECT count(*) FROM activities")
            if state in states:
                dest.unlink()
            else:
                states.add(state)
                backups.append(dest)
    finally:
        _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert len(states) >= 2, "every backup saw the same state: none overlapped the writes"
    for dest in backups:
        assert integrity(dest) == "ok"
        # A snapshot between transactions: every lead has its creation entry, every activity its lead.
        leads = count(dest, "SELECT count(*) FROM leads")
        assert count(dest, "SELECT count(*) FROM stage_history WHERE from_stage IS NULL") == leads
        assert (
            count(
                dest, "SELECT count(*) FROM activities WHERE lead_id NOT IN (SELECT id FROM leads)"
            )
            == 0
        )
        listed = subprocess.run(
            [
                sys.executable,
                "-m",
                "salesctl",
                "--db",
                str(dest),
                "lead",
                "list",
                "--team",
                "--all",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
        )
        assert listed.returncode == 0 and len(json.loads(listed.stdout)) == leads


# `remind --all --email` on a host whose clock is `sys.argv[1]` minutes off: salesctl's every reading
# of the real clock (never the pinned SALESCTL_NOW) goes through `datetime.now` in salesctl.store.
SKEWED_REMIND = """
import sys
from datetime import datetime, timedelta
import salesctl.store
from salesctl.cli import main

offset = timedelta(minutes=float(sys.argv[1]))

class SkewedClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + offset

salesctl.store.datetime = SkewedClock
sys.exit(main(["remind", "--all", "--email"]))
"""


@pytest.mark.postgres_only
def test_cron_on_hosts_with_skewed_clocks_sends_each_reminder_once(db, ok, smtp_server):
    """Two hosts run `remind` at once, one clock 20 minutes ahead (more than a claim takes to go
    stale): claims are stamped and compared on the server's clock, so neither host takes over the
    other's claim while it is sending (docs/team.md)."""
    reps = ["ana", "ben", "chu"]
    for rep in reps:
        ok("rep", "add", rep, "--email", f"{rep}@example.com")
        ok("add", f"{rep}'s deal", "--owner", rep, "--next", "today 09:00", "--step", "call")
    server = smtp_server(delay=1.5)  # each send takes a while: the runs meet mid-send
    env = {**os.environ, **server.env(), "SALESCTL_DB": db}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SKEWED_REMIND, offset],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for offset in ("0", "20", "-20")
    ]
    for proc in runs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    sent = Counter(to for message in server.received for to in message.rcpt_tos)
    assert sent == {f"{rep}@example.com": 1 for rep in reps}, sent


@pytest.mark.postgres_only
def test_a_change_outside_a_write_transaction_is_refused_on_the_server(db, ok):
    """The server connection refuses any change made without the write lock, so a read-modify-write
    that forgot `Store.write()` fails in the suite instead of racing in a team (docs/team.md)."""
    from salesctl.dialects.postgres import UnlockedWrite
    from salesctl.store import Store

    ok("add", "Acme")
    store = Store(db)
    try:
        with pytest.raises(UnlockedWrite):
            store.conn.execute("UPDATE leads SET value = 1")
        with store.write():
            store.conn.execute("UPDATE leads SET value = 1")
    finally:
        store.close()
    assert count(db, "SELECT value FROM leads") == 1
