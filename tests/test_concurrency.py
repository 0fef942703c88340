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
from pathlib import Path

import pytest
from faults import count, integrity

pytestmark = pytest.mark.slow  # many processes and a real SMTP server

WORKERS = 4
LEADS_EACH = 8

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


def start_worker(name: str, db: Path) -> subprocess.Popen:
    env = {**os.environ, "SALESCTL_DB": str(db), "SALESCTL_REP": name}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(LEADS_EACH)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def start_remind(db: Path, smtp_env: dict) -> subprocess.Popen:
    env = {**os.environ, **smtp_env, "SALESCTL_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "salesctl", "remind", "--all", "--email"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_writers_and_overlapping_reminders_lose_nothing_and_send_once(db, ok, smtp_server):
    reps = [f"rep{n}" for n in range(WORKERS)]
    for rep in reps:
        ok("rep", "add", rep, "--email", f"{rep}@example.com")
    ok("rep", "add", "alice", "--email", "alice@example.com")
    ok("add", "Shared account", "--company", "Everyone's")  # lead #1, logged on by every worker
    for rep in reps:  # something on everyone's list before cron starts
        ok("add", f"{rep} first", "--owner", rep, "--next", "today 09:30", "--step", "call")
    server = smtp_server(
        delay=0.05
    )  # each send takes a while, so the remind runs overlap with the writers

    # Writers and three cron runs of `remind` started together.
    procs = [start_worker(rep, db) for rep in reps]
    reminders = [start_remind(db, server.env()) for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    remind_results = [(p.communicate(timeout=120), p.returncode) for p in reminders]

    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        codes = json.loads(out.strip().splitlines()[-1])
        assert codes == [0] * (5 * LEADS_EACH), err
        assert "Error" not in err and "Traceback" not in err
    for (_out, err), code in remind_results:
        assert code == 0, err
        assert "Traceback" not in err

    # Zero lost rows: every lead, activity and stage move of every worker is there, with distinct ids.
    assert integrity(db) == "ok"
    total = WORKERS * LEADS_EACH
    assert count(db, "SELECT count(*) FROM leads WHERE name LIKE '% lead %'") == total
    assert count(db, "SELECT count(DISTINCT name) FROM leads") == total + WORKERS + 1
    # two logs and the move's note per lead, and every worker's notes on the shared lead
    assert count(db, "SELECT count(*) FROM activities WHERE lead_id > 1") == total * 3
    assert count(db, "SELECT count(*) FROM activities WHERE lead_id = 1") == total
    # created (→ new), the first effective log (new → contacted), the move (contacted → quoted)
    assert count(db, "SELECT count(*) FROM stage_history") == total * 3 + WORKERS + 1
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
    assert per_rep == {rep: LEADS_EACH for rep in reps}

    # No reminder twice: one mail per rep for today, however the three runs interleaved.
    sent = Counter(to for message in server.received for to in message.rcpt_tos)
    assert sent == {f"{rep}@example.com": 1 for rep in [*reps, "alice"]}, (
        sent
    )  # alice owns the shared lead
    assert count(db, "SELECT count(*) FROM reminders WHERE sent_at IS NOT NULL") == sum(
        sent.values()
    )
    # A fourth run afterwards sends nothing new: the day is done for everyone already mailed.
    again = start_remind(db, server.env())
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert Counter(to for message in server.received for to in message.rcpt_tos) == sent


def test_a_writer_blocked_past_the_timeout_exits_3_and_readers_are_not_blocked(
    db, ok, run, monkeypatch
):
    from conftest import digest

    import salesctl.dialects.postgres
    import salesctl.store

    ok("add", "Acme")
    monkeypatch.setattr(salesctl.store, "BUSY_TIMEOUT_S", 1)  # the real wait is 15 s
    monkeypatch.setattr(salesctl.dialects.postgres, "BUSY_TIMEOUT_S", 1)
    if isinstance(db, str):  # PostgreSQL: another salesctl holds the write lock (the advisory lock)
        import psycopg2

        holder = psycopg2.connect(db)
        holder.autocommit = True
        holder.cursor().execute(salesctl.dialects.postgres.BEGIN)
        named = db.split("@", 1)[1].split("/", 1)[0]  # the host:port, not the URL
    else:
        import sqlite3

        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
        named = str(db)
    try:
        before = digest(db)
        result = run("add", "Globex")
        assert result.code == 3
        assert result.err.startswith("Error: ") and "busy" in result.err and named in result.err
        assert digest(db) == before
        listed = run("lead", "list", "--format", "json")  # WAL: reading goes on during the write
        assert listed.code == 0 and [x["name"] for x in listed.json()] == ["Acme"]
    finally:
        holder.cursor().execute("ROLLBACK") if isinstance(db, str) else holder.execute("ROLLBACK")
        holder.close()
    assert (
        ok("add", "Globex").out.strip() == "2"
    )  # and once the lock is free the write goes through


@pytest.mark.sqlite_only
def test_a_backup_taken_while_others_write_is_a_consistent_database(db, ok, tmp_path):
    ok("add", "Acme")
    writer = start_worker("rep0", db)  # adds, logs and moves in many small transactions
    backups = []
    try:
        while writer.poll() is None and len(backups) < 8:  # snapshots all through the writer's run
            dest = tmp_path / f"backup{len(backups)}.db"
            ok("backup", dest)
            backups.append(dest)
            time.sleep(0.1)
    finally:
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    sizes = {count(dest, "SELECT count(*) FROM activities") for dest in backups}
    assert len(sizes) >= 2, "every backup saw the same state: none overlapped the writes"
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
