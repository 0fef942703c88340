"""Cadences (a play's sequence of steps) and recurring follow-ups, over a pinned two-week clock."""

from __future__ import annotations

import re

import pytest

INTRO = "0d call: intro; +2d email: case study; +5d call: follow up; +10d email: last chance"


@pytest.fixture
def clock(monkeypatch):
    """Move "now" between commands: clock("2026-12-01T11:00")."""

    def set_now(when: str) -> None:
        monkeypatch.setenv("SALESCTL_NOW", when)

    set_now("2026-11-30T10:00:00")  # a Monday
    return set_now


def lead(ok, ref="Acme"):
    return ok("lead", "show", ref, "--format", "json")


def test_a_cadence_walks_its_steps_over_two_weeks(ok, clock):
    ok("play", "add", "intro-sequence", "--stage", "contacted", "--cadence", INTRO)
    assert (
        next(p for p in ok("play", "list", "--format", "json") if p["name"] == "intro-sequence")[
            "cadence"
        ]
        == INTRO
    )
    ok("add", "Acme")
    started = ok("cadence", "start", "Acme", "intro-sequence")
    assert "next: 2026-11-30 09:00 (call: intro)" in started.out
    shown = lead(ok)
    cadence = shown["cadence"]
    assert (cadence["play"], cadence["step"], cadence["steps"]) == ("intro-sequence", 1, 4)
    assert re.search(
        r"Cadence +intro-sequence: step 1 of 4 \(call: intro\)", ok("lead", "show", "Acme").out
    )

    # Day 1: the intro call is done; it moves the lead into the play's own stage, so the cadence goes on,
    # and the next step is scheduled 2 days after the logged touch.
    clock("2026-12-01T11:00:00")
    ok("log", "Acme", "intro call, interested")
    shown = lead(ok)
    assert shown["stage"] == "contacted"
    assert (shown["next_at"], shown["next_step"]) == (
        "2026-12-03T09:00:00+00:00",
        "email: case study",
    )
    assert shown["cadence"]["step"] == 2

    # Day 3: an email that got no answer does not do the step; it stays scheduled.
    clock("2026-12-03T16:00:00")
    ok("log", "Acme", "bounced", "--kind", "email", "--no-effective")
    assert (lead(ok)["next_at"], lead(ok)["cadence"]["step"]) == ("2026-12-03T09:00:00+00:00", 2)
    # Sent yesterday, logged with --at: the next step counts from the touch (12-02 + 5d), not from now.
    ok("log", "Acme", "case study sent", "--kind", "email", "--at", "yesterday 17:00")
    assert (lead(ok)["next_at"], lead(ok)["next_step"]) == (
        "2026-12-07T09:00:00+00:00",
        "call: follow up",
    )

    # Day 9: --next moves the next step's date; its text stays the cadence's.
    clock("2026-12-09T10:00:00")
    ok("log", "Acme", "follow-up call", "--next", "2026-12-12 10:00")
    shown = lead(ok)
    assert (shown["next_at"], shown["next_step"]) == (
        "2026-12-12T10:00:00+00:00",
        "email: last chance",
    )
    assert shown["cadence"]["step"] == 4

    # Day 12: the last step done ends the cadence and leaves nothing scheduled.
    clock("2026-12-12T10:30:00")
    ok("log", "Acme", "last chance sent", "--kind", "email")
    shown = lead(ok)
    assert shown["cadence"] is None and shown["next_at"] is None

    # The report counts the lead that went through the cadence.
    ok("won", "Acme", "--amount", "900")
    report = ok("report", "--since", "2026-11-30", "--format", "json")
    assert report["cadences"] == [
        {"play": "intro-sequence", "leads": 1, "completed": 1, "won": 1, "lost": 0, "win_rate": 1.0}
    ]
    table = ok("report", "--since", "2026-11-30").out
    assert "Cadences" in table and "intro-sequence" in table
    html = ok("report", "--since", "2026-11-30", "--format", "html").out
    assert "<h2" in html and ">Cadences</h2>" in html and ">intro-sequence</td>" in html


def test_a_stage_move_ends_the_cadence_unless_the_setting_is_off(ok, clock):
    ok("play", "add", "nudge", "--cadence", "0d call: check; +3d email: nudge")
    ok("add", "Acme")
    ok("add", "Globex")
    ok("cadence", "start", "Acme", "nudge")
    ok("move", "Acme", "quoted")
    assert lead(ok)["cadence"] is None
    ok("config", "set", "cadence_ends_on_move", "false")
    ok("cadence", "start", "Globex", "nudge")
    ok("move", "Globex", "quoted")
    assert lead(ok, "Globex")["cadence"]["play"] == "nudge"
    ok("lost", "Globex", "--reason", "price")  # closing always ends it
    assert lead(ok, "Globex")["cadence"] is None
    report = ok("report", "--since", "2026-11-30", "--format", "json")
    assert report["cadences"] == [
        {"play": "nudge", "leads": 2, "completed": 0, "won": 0, "lost": 1, "win_rate": 0.0}
    ]


def test_cadence_stop_keeps_the_follow_up(ok, clock):
    ok("play", "add", "nudge", "--cadence", "+1d call: check; +3d email: nudge")
    ok("add", "Acme")
    ok("cadence", "start", "Acme", "nudge")
    assert "Stopped cadence nudge" in ok("cadence", "stop", "Acme").out
    shown = lead(ok)
    assert shown["cadence"] is None and shown["next_step"] == "call: check"
    clock("2026-12-01T10:00:00")
    ok("log", "Acme", "checked")  # no cadence: nothing new is scheduled
    assert lead(ok)["next_at"] is None


def test_cadence_refusals(ok, fails, clock):
    ok("play", "add", "nudge", "--cadence", "0d call: check")
    ok("add", "Acme")
    ok("add", "Won deal", "--value", "100")
    ok("won", "Won deal")
    fails("cadence", "start", "Won deal", "nudge", names=["is won", "reopen it first"])
    fails(
        "cadence",
        "start",
        "Acme",
        "short-and-fast",
        names=['PLAY: "short-and-fast" has no cadence'],
    )
    fails("cadence", "start", "Acme", "nope", names=['PLAY: "nope" is not a play'])
    fails("cadence", "stop", "Acme", names=["has no cadence running"])
    ok("cadence", "start", "Acme", "nudge")
    fails("cadence", "start", "Acme", "nudge", names=["already in cadence nudge", "cadence stop"])


@pytest.mark.parametrize(
    "cadence, names",
    [
        ("+xd call: intro", ['--cadence step 1: "+xd" is not an offset']),
        ("0d call: intro; ; +2d email: case study", ['--cadence step 2: "" is empty']),
        ("0d call: intro; +2d", ['--cadence step 2: "+2d" is not OFFSET KIND: WHAT']),
        ("0d shout: intro", ['--cadence step 1: "shout" is not an activity kind']),
        ("0d call:   ", ["--cadence step 1", "is blank"]),
        ("; ".join(["+1d call: again"] * 21), ["has 21 steps, more than 20"]),
    ],
)
def test_malformed_cadence_is_refused_naming_the_part(ok, fails, cadence, names):
    ok("add", "Acme")  # the database exists, so "unchanged" is checked byte for byte
    fails("play", "add", "bad", "--cadence", cadence, names=names)


def test_twenty_steps_and_a_trailing_semicolon_are_fine(ok):
    ok("play", "add", "long", "--cadence", "; ".join(["+1d call: again"] * 20) + ";")


def test_recurring_follow_up_after_done(ok, clock):
    ok("add", "Acme", "--key")
    ok("log", "Acme", "quarterly review", "--every", "2w")
    shown = lead(ok)
    assert shown["every"] == "2w" and shown["next_at"] == "2026-12-14T09:00:00+00:00"
    assert re.search(
        r"Repeats +every 2w after each effective touch", ok("lead", "show", "Acme").out
    )

    # Done early, on day 3: the next one is two weeks after that touch (after-done, not on a fixed grid).
    clock("2026-12-03T15:00:00")
    ok("log", "Acme", "called about the renewal")
    assert lead(ok)["next_at"] == "2026-12-17T09:00:00+00:00"
    # A touch that reached no one leaves it; --next wins once.
    clock("2026-12-05T10:00:00")
    ok("log", "Acme", "no answer", "--no-effective")
    assert lead(ok)["next_at"] == "2026-12-17T09:00:00+00:00"
    ok("log", "Acme", "booked a visit", "--next", "2026-12-08 14:00", "--step", "visit")
    assert (lead(ok)["next_at"], lead(ok)["next_step"]) == ("2026-12-08T14:00:00+00:00", "visit")
    clock("2026-12-08T16:00:00")
    ok("log", "Acme", "visited", "--kind", "visit")
    assert (lead(ok)["next_at"], lead(ok)["next_step"]) == ("2026-12-22T09:00:00+00:00", "visit")

    # off: the next touch just clears the due follow-up, as without repeating.
    clock("2026-12-22T10:00:00")
    ok("log", "Acme", "checked in", "--every", "off")
    shown = lead(ok)
    assert shown["every"] is None and shown["next_at"] is None


def test_lead_edit_every(ok, clock):
    ok("add", "Acme", "--key")
    ok("lead", "edit", "Acme", "--every", "1m", "--step", "monthly check-in")
    shown = lead(ok)
    assert shown["every"] == "1m"
    assert (shown["next_at"], shown["next_step"]) == (
        "2026-12-30T09:00:00+00:00",
        "monthly check-in",
    )
    clock("2026-12-30T11:00:00")
    ok("log", "Acme", "check-in done")
    assert lead(ok)["next_at"] == "2027-01-30T09:00:00+00:00"
    ok("lead", "edit", "Acme", "--every", "off")
    assert lead(ok)["every"] is None


@pytest.mark.parametrize("value", ["2x", "0w", "fortnight", "-1w", "1h"])
def test_bad_every_is_refused(ok, fails, value):
    ok("add", "Acme")
    fails(
        "log", "Acme", "x", "--every", value, names=[f'--every: "{value}" is not a repeat interval']
    )
    fails(
        "lead",
        "edit",
        "Acme",
        "--every",
        value,
        names=[f'--every: "{value}" is not a repeat interval'],
    )


def test_every_on_a_closed_lead_says_reopen_first(ok, fails):
    ok("add", "Acme", "--value", "100")
    ok("won", "Acme")
    fails("lead", "edit", "Acme", "--every", "2w", names=["reopen it first"])
    fails("log", "Acme", "thanks call", "--every", "2w", names=["reopen it first"])
