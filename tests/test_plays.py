"""Plays: the seeded defaults, `play add`, `play list`, `play suggest`."""

from __future__ import annotations

import sqlite3

from salesctl.playbook import rank_plays


def test_a_new_database_has_the_brief_s_plays(ok):
    ok("add", "x")  # creates the database
    plays = {p["name"]: p for p in ok("play", "list", "--format", "json")}
    assert {p["persona"] for p in plays.values()} == {
        "no-authority",
        "hesitant",
        "price-shopper",
        "busy",
    }
    assert "decision maker" in plays["referral-to-decider"]["text"]
    assert (
        "case study" in plays["case-study-offer"]["text"]
        and "time-limited" in plays["case-study-offer"]["text"]
    )
    assert "price" in plays["value-not-price"]["text"]
    assert all(p["used_on"] == 0 and p["stage"] is None for p in plays.values())


def test_plays_migration_keeps_rows_of_a_first_schema_database(tmp_path, ok, monkeypatch):
    from salesctl.store import MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    MIGRATIONS[0][1](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO plays (name, text, created_at) VALUES ('mine', 'my own', '2026-01-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    names = [p["name"] for p in ok("--db", path, "play", "list", "--format", "json")]
    assert "mine" in names and "short-and-fast" in names


def test_play_add_and_suggest_orders_by_fit(ok, fails):
    ok(
        "play",
        "add",
        "pilot",
        "--stage",
        "deciding",
        "--persona",
        "Hesitant",
        "--text",
        "Offer a 2-week pilot",
    )
    ok(
        "play",
        "add",
        "quote-follow-up",
        "--stage",
        "quoted",
        "--text",
        "Call two days after the quote",
    )
    ok("play", "add", "nudge", "--stage", "deciding", "--text", "Ask what is still open")
    fails("play", "add", "pilot", "--text", "again", names=['"pilot" already exists'])
    fails("play", "add", "x", "--stage", "someday", "--text", "t", names=["--stage", "someday"])
    fails("play", "add", "  ", "--text", "t", names=["NAME"])
    fails("play", "add", "y", "--text", "  ", names=["--text"])
    lead = ok("add", "Acme", "--persona", "hesitant", "--format", "json")["id"]
    ok("lead", "edit", lead, "--persona", "hesitant")
    suggest = ok("play", "suggest", "Acme", "--format", "json")
    # stage new: only stage-free plays fit; the hesitant one first, other personas never.
    assert [p["name"] for p in suggest["plays"]] == ["case-study-offer"]
    plays = [
        {"name": "pilot", "stage": "deciding", "persona": "hesitant", "text": ""},
        {"name": "nudge", "stage": "deciding", "persona": None, "text": ""},
        {"name": "case-study-offer", "stage": None, "persona": "hesitant", "text": ""},
        {"name": "generic", "stage": None, "persona": None, "text": ""},
        {"name": "short-and-fast", "stage": None, "persona": "busy", "text": ""},
        {"name": "quote-follow-up", "stage": "quoted", "persona": None, "text": ""},
    ]
    ranked = [p["name"] for p in rank_plays(plays, "deciding", "hesitant")]
    assert ranked == ["pilot", "case-study-offer", "nudge", "generic"]
    # persona unknown: stage and generic plays first, persona plays after as hints.
    assert [p["name"] for p in rank_plays(plays, "deciding", None)] == [
        "nudge",
        "generic",
        "pilot",
        "case-study-offer",
        "short-and-fast",
    ]
    assert "case-study-offer" in ok("play", "suggest", str(lead)).out
    fails("play", "suggest", "nothing-like-this", names=["nothing-like-this"])
