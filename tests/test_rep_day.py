"""A rep's day through the real command line: a two-week scenario, bad input, and concurrent writers.

The clock is stepped with SALESCTL_NOW; TZ=UTC (from conftest) so local days are UTC days. Every
expected figure is worked out in the comments from the contract's rules:
  days_overdue = today's local date − follow-up's local date;  days_idle = floor((now − last touch)/1 day);
  stalled ⟺ days_idle > rot_days[stage] (new 3, contacted 7, quoted 7, negotiating 10, deciding 14);
  score = 50·key + intent (hot 30, warm 15, none 10, cold 0) + 5·log10(1 + value).
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import digest, salesctl_process


def clock(monkeypatch, when: str, rep: str = "alice") -> None:
    monkeypatch.setenv("SALESCTL_NOW", when)
    monkeypatch.setenv("SALESCTL_REP", rep)


def agenda(ok, *args) -> list[tuple[int, list[str], int]]:
    """today as (lead id, reasons, days_overdue) in list order."""
    doc = ok("today", *args, "--format", "json")
    return [(i["lead_id"], i["reasons"], i["days_overdue"]) for i in doc["items"]]


@pytest.mark.slow  # two weeks of commands
def test_two_weeks_of_a_rep_and_an_owner(ok, run, db, monkeypatch):
    # ---- Mon 2026-11-30 09:00: alice adds her leads, one for bob --------------------------------
    clock(monkeypatch, "2026-11-30T09:00:00")
    ok("rep", "add", "bob")
    acme = ok(
        "add",
        "Acme",
        "--company",
        "Acme Corp",
        "--value",
        "20k",
        "--intent",
        "hot",
        "--key",
        "--next",
        "today 15:00",
        "--step",
        "intro call",
        "--format",
        "json",
    )
    li = ok(
        "add",
        "李伟",
        "--company",
        "北京智造",
        "--value",
        "5万",
        "--currency",
        "CNY",
        "--intent",
        "warm",
        "--close-by",
        "2026-12-04",
        "--format",
        "json",
    )
    globex = ok("add", "Globex", "--value", "3k", "--intent", "cold", "--format", "json")
    initech = ok(
        "add",
        "Initech",
        "--value",
        "8k",
        "--owner",
        "bob",
        "--next",
        "tue",
        "--step",
        "send deck",
        "--format",
        "json",
    )
    assert [acme["id"], li["id"], globex["id"], initech["id"]] == [1, 2, 3, 4]
    assert initech["next_at"] == "2026-12-01T09:00:00+00:00"  # tue = the next Tuesday, 09:00

    # Acme: follow-up today 15:00 → due_today; new with no activity → new_untouched.
    # 李伟: close_by 12-04 is within today..today+7 → closing_soon. Others by score:
    #   李伟 = warm 15 + 5·log10(50001) ≈ 38.49 > Globex = cold 0 + 5·log10(3001) ≈ 17.39.
    assert agenda(ok) == [
        (1, ["due_today", "new_untouched"], 0),
        (2, ["new_untouched", "closing_soon"], 0),
        (3, ["new_untouched"], 0),
    ]
    doc = ok("today", "--format", "json")
    assert doc["rep"] == "alice" and doc["as_of"] == "2026-11-30T09:00:00+00:00"
    scores = {i["lead_id"]: i["score"] for i in doc["items"]}
    assert scores[2] == pytest.approx(15 + 5 * math.log10(50_001), abs=1e-3)
    assert scores[3] == pytest.approx(0 + 5 * math.log10(3_001), abs=1e-3)
    assert scores[1] == pytest.approx(50 + 30 + 5 * math.log10(20_001), abs=1e-3)
    first = doc["items"][0]
    assert {
        k: first[k]
        for k in ("name", "company", "owner", "stage", "next_step", "value", "currency", "key")
    } == {
        "name": "Acme",
        "company": "Acme Corp",
        "owner": "alice",
        "stage": "new",
        "next_step": "intro call",
        "value": 20000,
        "currency": "USD",
        "key": True,
    }
    assert first["next_at"] == "2026-11-30T15:00:00+00:00"
    assert agenda(ok, "--rep", "bob") == [(4, ["new_untouched"], 0)]
    assert ok("stalled", "--format", "json")["items"] == []

    # ---- Tue 12-01 10:00: two calls ------------------------------------------------------------
    clock(monkeypatch, "2026-12-01T10:00:00")
    lead = ok(
        "log",
        "acme",
        "intro call, wants a quote",
        "--next",
        "thu",
        "--step",
        "send quote",
        "--format",
        "json",
    )
    assert lead["stage"] == "contacted"  # an effective call on a new lead
    assert lead["next_at"] == "2026-12-03T09:00:00+00:00" and lead["next_step"] == "send quote"
    lead = ok(
        "log",
        "李伟",
        "voicemail",
        "--no-effective",
        "--next",
        "tomorrow 10:00",
        "--step",
        "call again",
        "--format",
        "json",
    )
    assert lead["stage"] == "new"  # no conversation, no move
    assert lead["last_activity_at"] == "2026-12-01T10:00:00+00:00"
    # Acme has a future follow-up and is fresh: off the list. 李伟 is touched now: only closing_soon.
    # Globex: idle = floor(25h / 24h) = 1 ≤ 3.
    assert agenda(ok) == [(2, ["closing_soon"], 0), (3, ["new_untouched"], 0)]
    # bob's Initech: due today at 09:00 (an hour ago, still today, so not overdue).
    assert agenda(ok, "--rep", "bob") == [(4, ["due_today", "new_untouched"], 0)]

    # ---- Wed 12-02 11:00 -----------------------------------------------------------------------
    clock(monkeypatch, "2026-12-02T11:00:00")
    # 李伟 due 10:00 today; Globex idle floor(50h/24h) = 2; bob missed Tuesday: 12-02 − 12-01 = 1 day.
    assert agenda(ok) == [(2, ["due_today", "closing_soon"], 0), (3, ["new_untouched"], 0)]
    assert agenda(ok, "--rep", "bob") == [(4, ["overdue", "new_untouched"], 1)]

    # ---- Thu 12-03 09:30 -----------------------------------------------------------------------
    clock(monkeypatch, "2026-12-03T09:30:00")
    # Overdue before due today: 李伟 (12-03 − 12-02 = 1) then Acme due 09:00.
    # Globex idle = floor((3d 0.5h) / 1d) = 3, not > 3: not stalled yet.
    assert agenda(ok) == [
        (2, ["overdue", "closing_soon"], 1),
        (1, ["due_today"], 0),
        (3, ["new_untouched"], 0),
    ]
    ok(
        "log",
        "1",
        "sent the quote",
        "--kind",
        "quote",
        "--next",
        "mon",
        "--step",
        "follow up on quote",
    )
    assert ok("move", "acme", "quoted", "--format", "json")["stage"] == "quoted"
    # The owner's team view: most overdue first — Initech 12-03 − 12-01 = 2 before 李伟's 1.
    clock(monkeypatch, "2026-12-03T09:30:00", rep="olga")
    assert agenda(ok, "--team") == [
        (4, ["overdue", "new_untouched"], 2),
        (2, ["overdue", "closing_soon"], 1),
        (3, ["new_untouched"], 0),
    ]
    assert ok("today", "--team", "--format", "json")["rep"] is None

    # ---- Fri 12-04 12:00: the owner looks at stalled deals and bob hands over ------------------
    clock(monkeypatch, "2026-12-04T12:00:00", rep="olga")
    # Globex and Initech: created Mon 09:00, idle floor((4d 3h)/1d) = 4 > 3 → stalled, 1 day over.
    # 李伟: last touch Tue 10:00, idle floor((3d 2h)/1d) = 3: not stalled. Acme: touched Thu.
    # Same days over → bigger value first: Initech 8,000 before Globex 3,000.
    stalled = ok("stalled", "--team", "--format", "json")
    assert [
        (i["lead_id"], i["owner"], i["stage"], i["days_idle"], i["rot_days"], i["value"])
        for i in stalled["items"]
    ] == [(4, "bob", "new", 4, 3, 8000), (3, "alice", "new", 4, 3, 3000)]
    assert stalled["by_rep"] == [
        {"rep": "alice", "open": 3, "stalled": 1},
        {"rep": "bob", "open": 1, "stalled": 1},
    ]
    assert ok("stalled", "--rep", "alice", "--format", "json")["by_rep"] == [
        {"rep": "alice", "open": 3, "stalled": 1}
    ]

    before = digest(db)
    plan = ok("handoff", "bob", "alice", "--dry-run", "--format", "json")
    assert plan["dry_run"] is True and [lead["id"] for lead in plan["leads"]] == [4]
    assert digest(db) == before  # a dry run writes nothing (not even olga's rep row)
    done = ok("handoff", "bob", "alice", "--deactivate", "--format", "json")
    assert done["moved"] == 1 and done["deactivated"] is True
    initech = ok("lead", "show", "4", "--format", "json")
    assert initech["owner"] == "alice"
    assert (
        initech["next_at"] == "2026-12-01T09:00:00+00:00" and initech["next_step"] == "send deck"
    )  # kept
    assert initech["timeline"][-1] == {
        "type": "owner",
        "at": "2026-12-04T12:00:00+00:00",
        "rep": "olga",
        "from": "bob",
        "to": "alice",
        "change": "handoff",
        "reason": None,
    }
    reps = {r["name"]: r for r in ok("rep", "list", "--all", "--format", "json")}
    assert reps["bob"]["active"] is False and reps["bob"]["open_leads"] == 0

    clock(monkeypatch, "2026-12-04T12:00:00")
    lost = ok(
        "lost", "globex", "--reason", "no-need", "--note", "bought in-house", "--format", "json"
    )
    assert (lost["stage"], lost["lost_stage"], lost["lost_reason"]) == ("lost", "new", "no-need")
    snoozed = ok("snooze", "initech", "+1w", "--format", "json")
    assert snoozed["snoozed_until"] == "2026-12-11T00:00:00+00:00"  # a day alone means its 00:00
    # Initech, snoozed, is no longer stalled; 李伟's close_by (today) is still "closing soon".
    assert ok("stalled", "--format", "json")["items"] == []
    # Snoozed means quiet (docs/first-hour.md): Initech is listed for its overdue follow-up only.
    assert agenda(ok) == [(4, ["overdue"], 3), (2, ["overdue", "closing_soon"], 2)]

    # ---- Mon 12-07 09:00 -----------------------------------------------------------------------
    clock(monkeypatch, "2026-12-07T09:00:00")
    # Initech: 12-07 − 12-01 = 6 days overdue; idle 7 days but snoozed until Fri: not stalled.
    # 李伟: 12-07 − 12-02 = 5 days overdue; last touch Tue 10:00 → floor(5d 23h) = 5 > 3: stalled;
    #       close_by 12-04 has passed: not "closing soon".
    # Acme: due 09:00 today (quoted, last touch Thu 09:30, idle 3 ≤ 7).
    assert agenda(ok) == [
        (4, ["overdue"], 6),  # snoozed: here for the appointment only
        (2, ["overdue", "stalled"], 5),
        (1, ["due_today"], 0),
    ]
    assert (
        ok(
            "log",
            "initech",
            "call, interested",
            "--next",
            "wed",
            "--step",
            "demo",
            "--format",
            "json",
        )["stage"]
        == "contacted"
    )
    ok(
        "log",
        "李伟",
        "见面, 要报价",
        "--kind",
        "meeting",
        "--next",
        "tomorrow 14:00",
        "--step",
        "发报价",
    )
    ok("move", "2", "quoted", "--note", "需要正式报价")
    won = ok("won", "acme", "--amount", "18k", "--format", "json")
    assert (won["stage"], won["won_amount"], won["next_at"]) == ("won", 18000, None)
    assert agenda(ok) == []

    # ---- Fri 12-11 15:00 -----------------------------------------------------------------------
    clock(monkeypatch, "2026-12-11T15:00:00")
    # 李伟 due Tue 12-08 14:00: 3 days overdue; Initech due Wed 12-09 09:00: 2 days. Both touched
    # Mon 09:00: idle floor(4d 6h) = 4 ≤ 7.
    assert agenda(ok) == [(2, ["overdue"], 3), (4, ["overdue"], 2)]
    reopened = ok("reopen", "acme", "--format", "json")
    assert (
        reopened["stage"] == "quoted" and reopened["won_at"] is None
    )  # back to where it was won from
    # Acme: open, past new, no follow-up (won cleared it) → no_next_step; score ranks it after overdue.
    assert agenda(ok) == [(2, ["overdue"], 3), (4, ["overdue"], 2), (1, ["no_next_step"], 0)]

    # ---- ten days later, nobody touched anything ----------------------------------------------
    clock(monkeypatch, "2026-12-21T15:00:00")
    # 李伟 quoted, last touch Mon 12-07 09:00 → floor(14d 6h) = 14, 7 over; Initech contacted, same
    # touch → 14, 7 over; Acme quoted, reopened 12-11 15:00 → 10, 3 over. Ties: bigger value first.
    stalled = ok("stalled", "--format", "json")
    assert [(i["lead_id"], i["days_idle"], i["rot_days"]) for i in stalled["items"]] == [
        (2, 14, 7),
        (4, 14, 7),
        (1, 10, 7),
    ]
    assert stalled["by_rep"] == [{"rep": "alice", "open": 3, "stalled": 3}]

    # The owner gives 李伟 to a new rep; olga (created by her handoff) owns nothing and shows zeros.
    clock(monkeypatch, "2026-12-21T15:00:00", rep="olga")
    ok("rep", "add", "carol")
    ok("lead", "assign", "李伟", "--to", "carol")
    assert ok("stalled", "--team", "--format", "json")["by_rep"] == [
        {"rep": "alice", "open": 2, "stalled": 2},
        {"rep": "carol", "open": 1, "stalled": 1},
        {"rep": "olga", "open": 0, "stalled": 0},
    ]
    assert agenda(ok, "--rep", "carol") == [
        (2, ["overdue", "stalled"], 13)
    ]  # due 12-08: 21 − 8 = 13

    # The whole story of Acme, oldest first, with who did what.
    timeline = ok("lead", "show", "acme", "--format", "json")["timeline"]
    assert [
        (e["type"], e["rep"], e.get("kind") or (e.get("from"), e.get("to"))) for e in timeline
    ] == [
        ("stage", "alice", (None, "new")),
        ("activity", "alice", "call"),
        ("stage", "alice", ("new", "contacted")),
        ("activity", "alice", "quote"),
        ("stage", "alice", ("contacted", "quoted")),
        ("stage", "alice", ("quoted", "won")),
        ("stage", "alice", ("won", "quoted")),
    ]
    assert [e["at"][:10] for e in timeline] == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-01",
        "2026-12-03",
        "2026-12-03",
        "2026-12-07",
        "2026-12-11",
    ]
    li_timeline = ok("lead", "show", "2", "--format", "json")["timeline"]
    assert [e["effective"] for e in li_timeline if e["type"] == "activity"] == [
        False,
        True,
        False,
    ]  # voicemail, meeting, the move's note


def test_stalled_boundary_is_exact_to_the_second(ok, monkeypatch):
    clock(monkeypatch, "2026-11-26T10:00:00")
    ok("add", "Edge")
    # rot new = 3: idle 3 until 4 whole days have passed.
    clock(monkeypatch, "2026-11-30T09:59:59")
    assert ok("stalled", "--format", "json")["items"] == []
    clock(monkeypatch, "2026-11-30T10:00:00")
    assert [
        (i["days_idle"], i["rot_days"]) for i in ok("stalled", "--format", "json")["items"]
    ] == [(4, 3)]
    ok("config", "set", "rot_days.new", "4")
    assert ok("stalled", "--format", "json")["items"] == []
    assert agenda(ok) == [(1, ["new_untouched"], 0)]


def test_days_are_local_days_in_the_configured_zone(ok, monkeypatch):
    ok("config", "set", "timezone", "Asia/Shanghai")
    clock(monkeypatch, "2026-11-26T20:00:00")  # naive = Shanghai time
    ok("add", "Late call", "--next", "today 23:00")
    clock(monkeypatch, "2026-11-27T01:00:00")
    # Two hours ago, but on yesterday's local date: overdue by 27 − 26 = 1 day.
    assert agenda(ok) == [(1, ["overdue", "new_untouched"], 1)]
    assert ok("today", "--format", "json")["items"][0]["next_at"] == "2026-11-26T23:00:00+08:00"


def test_key_value_and_intent_order_the_rest(ok):
    ok("add", "small hot", "--value", "1k", "--intent", "hot")  # 30 + 5·log10(1001) ≈ 45.0
    ok("add", "big cold", "--value", "1m", "--intent", "cold")  #  0 + 5·log10(1000001) ≈ 30.0
    ok("add", "key nothing", "--key")  # 50 + 10 + 0 = 60
    ok("add", "warm mid", "--value", "100k", "--intent", "warm")  # 15 + 5·log10(100001) ≈ 40.0
    assert [i[0] for i in agenda(ok)] == [3, 1, 4, 2]


def test_log_clears_a_past_follow_up_and_keeps_a_future_one(ok, monkeypatch):
    ok("add", "A", "--next", "today 09:00", "--step", "call")  # 09:00 < now 10:00
    ok("add", "B", "--next", "tomorrow", "--step", "call")
    a = ok("log", "A", "done", "--format", "json")
    assert (a["next_at"], a["next_step"]) == (None, None)
    b = ok("log", "B", "emailed ahead", "--kind", "email", "--format", "json")
    assert b["next_at"] == "2026-11-27T09:00:00+00:00" and b["next_step"] == "call"
    note = ok("log", "B", "just a thought", "--kind", "note", "--format", "json")
    assert (
        note["stage"] == "contacted"
    )  # moved by the email above; the note itself is never effective
    c = ok("add", "C", "--format", "json")
    assert ok("log", str(c["id"]), "a note", "--kind", "note", "--format", "json")["stage"] == "new"
    clock(monkeypatch, "2026-11-27T12:00:00")
    past = ok("log", "C", "called this morning", "--at", "today 09:00", "--format", "json")
    assert past["stage"] == "contacted"
    assert past["last_activity_at"] == past["stage_changed_at"] == "2026-11-27T09:00:00+00:00"


def test_bad_input_is_refused_and_writes_nothing(ok, fails, monkeypatch):
    ok("rep", "add", "bob")
    ok("rep", "add", "carol")
    ok("add", "Acme East", "--value", "1k")
    ok("add", "Acme West")
    ok("add", "Solo", "--value", "2k")
    ok("handoff", "carol", "bob", "--deactivate")
    fails("log", "acme", "hello", names=['"acme" matches 2 leads', "#1 Acme East", "#2 Acme West"])
    fails("move", "acme", "quoted", names=["matches 2 leads"])
    fails("move", "1", "signed", names=['STAGE: "signed" is not a stage', "negotiating"])
    fails("move", "1", "won", names=["salesctl won"])
    fails("move", "1", "new", names=["already the stage"])
    fails("lost", "1", names=["--reason", "required", "no-decision"])
    fails("lost", "1", "--reason", "cheap", names=['"cheap" is not a lost reason', "price, budget"])
    fails("won", "2", names=["--amount", "no value"])
    ok("won", "1")
    fails("move", "1", "quoted", names=["reopen"])
    fails("lost", "1", "--reason", "price", names=["already won", "reopen"])
    fails("snooze", "1", "+1w", names=["reopen"])
    fails("reopen", "3", names=["open"])
    fails("reopen", "1", "--stage", "won", names=["--stage", "is not a stage"])
    fails("snooze", "3", "yesterday", names=["UNTIL", "yesterday", "not in the future"])
    fails("snooze", "3", "today", names=["UNTIL", "not in the future"])  # today 00:00 has passed
    fails("snooze", "3", "someday", names=["UNTIL", "someday"])
    fails("log", "99", "hello", names=["no lead with id 99"])
    fails("log", "3", "hello", "--kind", "fax", names=['--kind: "fax"', "meeting"])
    fails("log", "3", "hello", "--at", "tomorrow", names=["--at", "future"])
    fails("log", "3", "hello", "--at", "2026-01-01", names=["--at", "before lead #3 was created"])
    fails("log", "3", "hello", "--next", "03/04/2026", names=["--next", "03/04/2026"])
    fails(
        "log", "3", "hello", "--play", "nope", names=['--play: "nope" is not a play', "known plays"]
    )
    ok("lost", "3", "--reason", "price")
    fails(
        "log", "3", "after sale", "--next", "fri", names=["lost", "reopen"]
    )  # a won lead takes it (after_sale)
    fails("handoff", "alice", "zed", names=['TO_REP: "zed" is not a rep', "known reps: alice, bob"])
    fails("handoff", "alice", "carol", names=['"carol" is not an active rep'])
    fails("handoff", "zed", "bob", names=['FROM_REP: "zed"'])
    fails("handoff", "bob", "bob", names=["both"])
    fails("today", "--rep", "zed", names=['--rep: "zed" is not a rep'])
    fails("stalled", "--rep", "bob", "--team", names=["--team"])
    # A rep who has never written is not created by a refused change.
    monkeypatch.setenv("SALESCTL_REP", "newbie")
    fails("move", "3", "nowhere", names=["STAGE"])
    assert [r["name"] for r in ok("rep", "list", "--all", "--format", "json")] == [
        "alice",
        "bob",
        "carol",
    ]


def test_play_is_recorded_on_the_activity(ok, db):
    from salesctl.store import Store

    store = Store(db)
    with store.write():
        store.conn.execute(
            "INSERT INTO plays (name, text, created_at) VALUES ('budget holder', 'ask who signs', 'x')"
        )
    store.close()
    ok("add", "Acme")
    ok("log", "acme", "asked who signs", "--play", "Budget Holder")
    timeline = ok("lead", "show", "1", "--format", "json")["timeline"]
    assert timeline[-2]["play"] == "budget holder"


def test_today_table_reads_at_80_columns_with_chinese_names(ok, monkeypatch):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    ok("rep", "add", "王芳")
    ok(
        "add",
        "北京智造科技有限公司采购部",
        "--company",
        "北京智造",
        "--value",
        "5万",
        "--key",
        "--owner",
        "王芳",
        "--next",
        "yesterday",
        "--step",
        "发送正式报价单并确认付款方式",
    )
    ok("add", "Acme", "--next", "today 15:00", "--step", "call back", "--close-by", "+3d")
    ok("add", "Globex")
    out = ok("today", "--team").out
    assert all(cell_len(line) <= 80 for line in out.splitlines()), out
    assert out.index("Overdue (1)") < out.index("Due today (1)") < out.index("Also needs you (1)")
    overdue = out[: out.index("Due today")]
    assert (
        "★" in overdue and "北京智造" in overdue and "王芳" in overdue and "1d" in overdue
    )  # 1 day late
    assert "¥50,000" in overdue or "50,000" in overdue
    assert "15:00" in out and "call back" in out and "closes 11-29" in out and "untouched" in out


def test_stalled_table_and_csv(ok, monkeypatch):
    ok("add", "Old deal", "--value", "2k")
    clock(monkeypatch, "2026-12-10T10:00:00")
    out = ok("stalled").out
    assert "Old deal" in out and "14" in out and "By rep" in out and "100%" in out
    csv_out = ok("stalled", "--format", "csv").out.splitlines()
    assert csv_out[0] == "lead_id,name,owner,stage,days_idle,rot_days,value"
    assert csv_out[1] == "1,Old deal,alice,new,14,3,2000"


@pytest.mark.slow  # four processes
def test_four_processes_adding_and_logging_at_once_lose_nothing(db):
    def worker(n: int) -> list[int]:
        env = {"SALESCTL_REP": f"rep{n}"}
        codes = []
        for i in range(3):
            added = salesctl_process("add", f"lead {n}-{i}", "--value", "1k", env=env)
            codes.append(added.returncode)
            logged = salesctl_process(
                "log", added.stdout.strip(), f"call {n}-{i}", "--next", "tomorrow", env=env
            )
            codes.append(logged.returncode)
        return codes

    with ThreadPoolExecutor(4) as pool:
        codes = [c for result in pool.map(worker, range(4)) for c in result]
    assert codes == [0] * 24
    leads = json.loads(
        salesctl_process("lead", "list", "--team", "--all", "--format", "json").stdout
    )
    assert len(leads) == 12
    assert {lead["name"] for lead in leads} == {f"lead {n}-{i}" for n in range(4) for i in range(3)}
    assert all(
        lead["stage"] == "contacted" and lead["owner"] == "rep" + lead["name"][5] for lead in leads
    )
    assert all(lead["next_at"] == "2026-11-27T09:00:00+00:00" for lead in leads)
    reps = json.loads(salesctl_process("rep", "list", "--format", "json").stdout)
    assert sorted((r["name"], r["open_leads"]) for r in reps) == [(f"rep{n}", 3) for n in range(4)]


@pytest.mark.sqlite_only
def test_agenda_queries_search_the_owner_stage_index(ok, db):
    """No full scan of leads: candidates come from leads(owner_id, stage), per rep or for each rep."""
    from datetime import UTC, datetime

    from salesctl import agenda
    from salesctl.model import Settings
    from salesctl.store import Store

    ok("rep", "add", "bob")
    ok("add", "A", "--owner", "bob")
    store = Store(db)
    plans: list[str] = []
    run_all = store.all

    def explained(sql, params=()):
        plans.extend(row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        return run_all(sql, params)

    store.all = explained
    now = datetime(2026, 12, 10, tzinfo=UTC)
    for rep_id in (None, store.rep("bob")["id"]):
        assert agenda.today(store, Settings(), now=now, tz=UTC, rep_id=rep_id)["items"][0][
            "reasons"
        ] == ["new_untouched", "stalled"]
        assert agenda.stalled(store, Settings(), now=now, tz=UTC, rep_id=rep_id)["by_rep"][-1] == {
            "rep": "bob",
            "open": 1,
            "stalled": 1,
        }
    assert any("leads_owner_stage (owner_id=? AND stage=?)" in p for p in plans)
    assert not [p for p in plans if p.startswith("SCAN l")], plans
    store.close()


def test_a_rep_with_no_data_yet_gets_empty_lists_in_their_own_name(ok):
    ok(
        "rep", "add", "bob"
    )  # someone else exists; alice (the current rep) has never written anything
    for command in ("today", "stalled"):
        doc = ok(command, "--format", "json")
        assert doc["rep"] == "alice" and doc["items"] == [], (command, doc)
