"""`remind` and `report --email` through the real command line and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import raw_sql, salesctl_process
from smtp_server import free_port

from salesctl.cli import main

# conftest pins now to Thursday 2026-11-26 10:00 UTC and the current rep to alice.


_TEAM_DB: dict[
    str, bytes
] = {}  # the team database built once per process, copied into each test's database


@pytest.fixture
def team(ok, db):
    """alice (1 overdue, 1 due today), 王芳 (1 overdue by 2 days, CJK names), bob (nothing due), carol (no email)."""
    if isinstance(db, str):  # PostgreSQL: no file to copy
        build_team(ok)
        return
    if "team" in _TEAM_DB:
        db.write_bytes(_TEAM_DB["team"])
        db.chmod(0o600)
        return
    build_team(ok)
    with sqlite3.connect(
        db
    ) as conn:  # fold the WAL into the file so the bytes are the whole database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _TEAM_DB["team"] = db.read_bytes()


def build_team(ok):
    ok("rep", "add", "alice", "--email", "alice@example.com")
    ok("rep", "add", "王芳", "--email", "wang.fang@example.com")
    ok("rep", "add", "bob", "--email", "bob@example.com")
    ok("rep", "add", "carol")
    ok("add", "Acme", "--next", "yesterday", "--step", "call back")  # alice: overdue 1 day
    ok("add", "Initech", "--next", "today 15:00", "--step", "demo")  # alice: due today
    ok(
        "add",
        "李伟",
        "--company",
        "北京智造",
        "--owner",
        "王芳",
        "--value",
        "¥5万",
        "--next",
        "2026-11-24",
        "--step",
        "发报价",
    )  # 王芳: overdue 2 days
    ok(
        "add", "Umbrella", "--owner", "carol", "--next", "today", "--step", "call"
    )  # carol: due today


def use(monkeypatch, env: dict) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def by_recipient(server) -> dict:
    got = {}
    for mail in server.received:
        for rcpt in mail.rcpt_tos:
            got.setdefault(rcpt, []).append(mail)
    return got


# --- nothing due, printing ----------------------------------------------------------------------------


def test_nothing_due_for_anyone_is_silent_even_without_smtp(ok):
    ok("rep", "add", "bob", "--email", "bob@example.com")
    ok("add", "Later Inc", "--owner", "bob", "--next", "+3d", "--step", "call")
    ok(
        "move", "Later Inc", "contacted"
    )  # past new, has a follow-up, not stalled: nothing for today
    for args in (["remind", "--all"], ["remind", "--all", "--email"], ["remind"]):
        result = ok(*args)
        assert (result.out, result.err) == ("", "")


def test_remind_prints_only_the_current_reps_digest(ok, team):
    out = ok("remind").out
    assert out.startswith("alice: 1 overdue, 1 due today (salesctl 2026-11-26)\n")
    assert "Acme" in out and "Initech" in out and "李伟" not in out


def test_remind_all_prints_each_rep_with_something_due(ok, team):
    out = ok("remind", "--all").out
    subjects = [line for line in out.splitlines() if "(salesctl 2026-11-26)" in line]
    # bob has nothing due, so three digests in name order.
    assert subjects == [
        "alice: 1 overdue, 1 due today (salesctl 2026-11-26)",
        "carol: 0 overdue, 1 due today (salesctl 2026-11-26)",
        "王芳: 1 overdue, 0 due today (salesctl 2026-11-26)",
    ]
    assert "2 days overdue" in out and "北京智造" in out


def test_rep_and_all_are_alternatives(fails, team):
    fails("remind", "--rep", "alice", "--all", names=["--all", "cannot be combined with --rep"])
    fails("remind", "--rep", "nobody", names=['"nobody" is not a rep', "alice"])


# --- sending ---------------------------------------------------------------------------------------


def test_email_sends_each_rep_theirs_and_names_the_rep_without_an_address(
    run, team, smtp_server, monkeypatch
):
    server = smtp_server()
    use(monkeypatch, server.env())

    result = run("remind", "--all", "--email")

    assert result.code == 1 and result.out == ""
    assert "carol has no email address" in result.err and "rep edit carol --email" in result.err
    got = by_recipient(server)
    assert sorted(got) == [
        "alice@example.com",
        "wang.fang@example.com",
    ]  # bob had nothing; carol no address
    [wang] = got["wang.fang@example.com"]
    assert wang.message["Subject"] == "王芳: 1 overdue, 0 due today (salesctl 2026-11-26)"
    assert wang.message["From"] == "Sales Robot <robot@example.com>"
    for part in (wang.text, wang.html):
        assert (
            "李伟 (北京智造)" in part
            and "发报价" in part
            and "2 days overdue" in part
            and "¥50,000" in part
        )
    [alice] = got["alice@example.com"]
    assert "Acme" in alice.text and "李伟" not in alice.text


def test_a_reminder_is_sent_once_per_rep_and_day(ok, team, smtp_server, monkeypatch):
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("remind", "--email")
    ok("remind", "--email")
    ok("remind", "--rep", "alice", "--email")
    assert len(server.received) == 1

    monkeypatch.setenv(
        "SALESCTL_NOW", "2026-11-27T07:00:00"
    )  # the next morning: a new day, a new digest
    ok("remind", "--email")
    assert len(server.received) == 2
    assert server.received[1].message["Subject"].startswith("alice: 2 overdue, 0 due today")


def test_dry_run_prints_the_full_mails_and_sends_and_claims_nothing(
    run, ok, team, smtp_server, monkeypatch
):
    server = smtp_server()
    use(monkeypatch, server.env())

    result = run("remind", "--all", "--email", "--dry-run")

    assert result.code == 1 and "carol has no email address" in result.err  # as the real run would
    assert server.received == []
    assert (
        "To: alice <alice@example.com>" in result.out
        and "To: 王芳 <wang.fang@example.com>" in result.out
    )
    assert "Subject: 王芳: 1 overdue, 0 due today" in result.out
    assert (
        "--- text/plain ---" in result.out
        and "--- text/html ---" in result.out
        and "北京智造" in result.out
    )
    # Nothing was claimed: the real run still sends.
    ok("remind", "--email")
    assert len(server.received) == 1


def test_server_down_names_the_rep_and_reason_and_releases_the_claim(
    run, ok, team, smtp_server, monkeypatch
):
    port = free_port()  # nothing listens here yet
    use(
        monkeypatch,
        {
            "SALESCTL_SMTP_HOST": "127.0.0.1",
            "SALESCTL_SMTP_PORT": str(port),
            "SALESCTL_SMTP_TLS": "none",
        },
    )

    result = run("remind", "--email")

    assert result.code == 1 and result.out == ""
    assert "reminder for alice (alice@example.com) not sent" in result.err
    assert f"cannot connect to the SMTP server 127.0.0.1:{port}: Connection refused" in result.err
    assert "Traceback" not in result.err
    # The failed send gave its claim back, so the next run (server up) sends today's digest.
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("remind", "--email")
    assert [m.rcpt_tos for m in server.received] == [["alice@example.com"]]


def test_a_refused_recipient_fails_that_rep_only_and_is_retried_next_run(
    run, ok, team, smtp_server, monkeypatch
):
    refusing = smtp_server(refuse=["wang.fang@example.com"])
    use(monkeypatch, refusing.env())

    result = run("remind", "--rep", "王芳", "--email")
    result_all = run("remind", "--all", "--email")

    assert result.code == 1 and "reminder for 王芳 (wang.fang@example.com) not sent" in result.err
    assert "550 5.1.1 mailbox unavailable" in result.err
    assert (
        result_all.code == 1 and "王芳" in result_all.err
    )  # tried again: the failed claim was released
    assert {k: len(v) for k, v in by_recipient(refusing).items()} == {
        "alice@example.com": 1
    }  # others still sent

    accepting = smtp_server()
    use(monkeypatch, accepting.env())
    ok("remind", "--rep", "王芳", "--email")
    assert [m.rcpt_tos for m in accepting.received] == [["wang.fang@example.com"]]


def real_clock_stamp(minutes_ago: float) -> str:
    """A claim stamp as salesctl writes it: the real UTC clock (never the pinned SALESCTL_NOW)."""
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize("minutes_ago, sent", [(20, True), (5, False)])
def test_a_claim_left_by_a_killed_run_is_taken_over_after_15_minutes(
    ok, db, team, smtp_server, monkeypatch, minutes_ago, sent
):
    raw_sql(
        db,
        "INSERT INTO reminders (rep_id, day, claimed_at) SELECT id, '2026-11-26', ? FROM reps"
        " WHERE name = 'alice'",
        (real_clock_stamp(minutes_ago),),
    )
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("remind", "--email")
    assert len(server.received) == (1 if sent else 0)


def wait_for_claim(db, rep: str, timeout: float = 30.0) -> None:
    """Block until `rep`'s reminder is claimed but not yet sent (another process is sending it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = raw_sql(
            db,
            "SELECT sent_at FROM reminders JOIN reps ON reps.id = rep_id WHERE reps.name = ?",
            (rep,),
        )
        row = rows[0] if rows else None
        if row is not None:
            assert row[0] is None, "the first run had already sent: the runs did not overlap"
            return
        time.sleep(0.05)
    raise AssertionError(f"no claim for {rep} within {timeout} s")


def test_a_run_pinned_20_minutes_later_does_not_resend_a_reminder_still_being_sent(
    db, team, smtp_server
):
    # A slow relay: the first run (pinned 10:00) is still sending alice's mail when a second run starts,
    # pinned 20 minutes later. The claim carries the real time it was made, so it is not taken for stale.
    server = smtp_server(delay=5)
    first = subprocess.Popen(
        [sys.executable, "-m", "salesctl", "remind", "--rep", "alice", "--email"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **server.env(), "SALESCTL_NOW": "2026-11-26T10:00:00"},
    )
    try:
        wait_for_claim(db, "alice")  # the first run is sending now
        second = salesctl_process(
            "remind",
            "--rep",
            "alice",
            "--email",
            timeout=60,
            env={**server.env(), "SALESCTL_NOW": "2026-11-26T10:20:00"},
        )
    finally:
        first_out, first_err = first.communicate(timeout=60)

    assert (first.returncode, first_err) == (0, "") and (second.returncode, second.stderr) == (
        0,
        "",
    )
    assert [m.rcpt_tos for m in server.received] == [["alice@example.com"]]


def test_a_send_slower_than_the_stale_window_keeps_its_claim_fresh(
    ok, db, team, smtp_server, monkeypatch
):
    # Shrink the 15-minute window to 1 s (refreshed every 0.2 s) so a 3-second send outlives it; both runs go
    # through the real entry point in this process, the first in a thread.
    from salesctl import mail as mail_module

    monkeypatch.setattr(mail_module, "STALE_CLAIM", timedelta(seconds=1))
    monkeypatch.setattr(mail_module, "CLAIM_REFRESH", timedelta(seconds=0.2))
    ok("remind")  # registers the command before two threads run it
    server = smtp_server(delay=3)
    use(monkeypatch, server.env())
    codes = []
    first = threading.Thread(
        target=lambda: codes.append(main(["remind", "--rep", "alice", "--email"]))
    )
    first.start()
    try:
        wait_for_claim(db, "alice")
        time.sleep(1.5)  # the claim was made 1.5 s ago: stale, had nobody refreshed it
        assert first.is_alive() and not server.received, (
            "the first send ended too soon: no overlap was tested"
        )
        codes.append(main(["remind", "--rep", "alice", "--email"]))
    finally:
        first.join(timeout=60)

    assert codes == [0, 0]
    assert [m.rcpt_tos for m in server.received] == [["alice@example.com"]]


def test_smtp_not_configured_is_an_error_when_there_is_mail_to_send(fails, team):
    fails("remind", "--email", names=["SMTP is not configured", "SALESCTL_SMTP_HOST"])


def test_starttls_through_the_command_line_needs_the_relays_ca(
    run, ok, team, smtp_server, tls_cert, monkeypatch
):
    server = smtp_server(starttls=tls_cert)
    use(monkeypatch, server.env("starttls"))
    result = run("remind", "--email")
    assert (
        result.code == 1 and "is not trusted" in result.err and "SALESCTL_SMTP_CAFILE" in result.err
    )
    assert server.received == []

    monkeypatch.setenv("SALESCTL_SMTP_CAFILE", str(tls_cert.cert))
    ok("remind", "--email")
    assert len(server.received) == 1


def test_a_config_file_readable_by_others_is_refused(
    ok, fails, team, smtp_server, tmp_path, monkeypatch
):
    server = smtp_server()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\ntls = "none"\n', encoding="utf-8"
    )
    config.chmod(0o644)
    monkeypatch.setenv("SALESCTL_CONFIG", str(config))

    fails(
        "remind",
        "--email",
        names=[str(config), "open to other users", "-rw-r--r--", f"chmod 600 {config}"],
    )
    assert server.received == []

    config.chmod(0o600)  # the same file, now private, is used
    ok("remind", "--email")
    assert len(server.received) == 1


def test_a_rep_name_with_a_newline_in_old_data_cannot_inject_headers(
    run, db, team, smtp_server, monkeypatch
):
    # The CLI refuses control characters in names; data from elsewhere might not have been checked.
    raw_sql(
        db, "UPDATE reps SET name = ? WHERE name = 'alice'", ("alice\r\nBcc: thief@evil.example",)
    )
    server = smtp_server()
    use(monkeypatch, server.env())

    run("remind", "--all", "--email")  # exit 1: carol has no address

    assert sorted(by_recipient(server)) == ["alice@example.com", "wang.fang@example.com"]
    alice = next(m for m in server.received if m.rcpt_tos == ["alice@example.com"])
    assert alice.message.get_all("Bcc") is None and len(alice.message.get_all("To")) == 1
    assert (
        alice.message["Subject"].strip().startswith("alice Bcc: thief@evil.example: 1 overdue")
    )  # one inert line


def test_two_overlapping_cron_runs_send_one_mail_per_rep(team, smtp_server, monkeypatch):
    server = smtp_server(delay=0.3)  # each mail takes a while, so the runs overlap
    env = {**os.environ, **server.env()}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "salesctl", "remind", "--all", "--email"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=60), *p.communicate()) for p in runs]

    got = by_recipient(server)
    assert {rcpt: len(mails) for rcpt, mails in got.items()} == {
        "alice@example.com": 1,
        "wang.fang@example.com": 1,
    }
    for code, out, err in results:
        assert (
            code == 1
            and out == ""
            and "carol has no email address" in err
            and "Traceback" not in err
        )


# --- report --email ----------------------------------------------------------------------------------


@pytest.fixture
def last_week(ok, monkeypatch):
    """One deal won last week (Mon 2026-11-16 … Sun 11-22) by 王芳, for the Monday report of 11-23."""
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-17T10:00:00")
    ok("config", "set", "currency", "CNY")
    ok("rep", "add", "王芳", "--email", "wang.fang@example.com")
    ok("add", "李伟", "--company", "北京智造", "--owner", "王芳", "--value", "5万")
    ok("won", "李伟")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-23T07:00:00")


def test_report_email_sends_html_with_a_text_part_to_each_address(
    ok, last_week, smtp_server, monkeypatch, tmp_path
):
    server = smtp_server()
    use(monkeypatch, server.env())
    page = tmp_path / "week.html"

    result = ok(
        "report",
        "--week",
        "--team",
        "--format",
        "html",
        "--email",
        "owner@example.com",
        "--email",
        "coach@example.com",
        "--out",
        page,
    )

    assert result.out == "" and result.err == ""  # quiet for cron
    got = by_recipient(server)
    assert sorted(got) == ["coach@example.com", "owner@example.com"]
    [mail] = got["owner@example.com"]
    assert (
        mail.message["Subject"] == "Team report 2026-11-16 to 2026-11-22: 1 won (¥50,000), 0 lost"
    )
    assert mail.message.get_content_type() == "multipart/alternative"
    assert (
        "王芳" in mail.text
        and "王芳" in mail.html
        and "<table" in mail.html
        and "<script" not in mail.html
    )
    assert page.read_text(encoding="utf-8") == mail.html.replace(
        "\r\n", "\n"
    )  # --out keeps what was mailed
    assert oct(page.stat().st_mode & 0o777) == "0o600"


def test_report_email_with_a_bad_address_sends_and_writes_nothing(
    fails, last_week, smtp_server, monkeypatch, tmp_path
):
    server = smtp_server()
    use(monkeypatch, server.env())
    fails(
        "report",
        "--email",
        "owner@example.com",
        "--email",
        "not-an-address",
        "--out",
        tmp_path / "r.html",
        names=["--email", '"not-an-address" is not an email address'],
    )
    assert server.received == [] and not (tmp_path / "r.html").exists()


def test_report_email_failure_names_the_address_and_exits_1(run, last_week, monkeypatch):
    port = free_port()
    use(
        monkeypatch,
        {
            "SALESCTL_SMTP_HOST": "127.0.0.1",
            "SALESCTL_SMTP_PORT": str(port),
            "SALESCTL_SMTP_TLS": "none",
        },
    )
    result = run("report", "--email", "owner@example.com")
    assert result.code == 1
    assert (
        f"report to owner@example.com not sent: cannot connect to the SMTP server 127.0.0.1:{port}"
        in result.err
    )


def test_no_option_takes_a_password(run):
    for command in ("remind", "report"):
        result = run(command, "--password", "x")
        assert result.code == 2 and "No such option" in result.err


def test_dry_run_after_a_send_says_when_it_was_sent_and_previews_nothing(
    run, ok, team, smtp_server, monkeypatch
):
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("remind", "--email")
    before = datetime.now(UTC).replace(second=0, microsecond=0)

    result = ok("remind", "--dry-run")

    assert result.out == ""
    # The send time is the real clock's (claims never use the pinned SALESCTL_NOW), shown like tables show times.
    shown = result.err.split("today's reminder was already sent at ")[1].split(";")[0]
    assert abs(datetime.fromisoformat(shown).replace(tzinfo=UTC) - before) <= timedelta(minutes=2)
    assert len(server.received) == 1
