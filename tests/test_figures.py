"""The owner's figures (docs/figures.md) on a small history whose every number is worked out by hand below.

The clock is pinned to Thursday 2026-11-26 10:00 UTC, so `--week` is Mon 2026-11-16 … Sun 2026-11-22
([11-16, 11-23)), the previous week is [11-09, 11-16), and `--month` is October 2026.

The history (values in USD; times UTC; "→" a stage move, with who made it):

  L1 Apex  (alice, key)  created 10-05 09:00, value 10,000; effective call 10-06 09:00 (→ contacted);
                         → quoted 10-20 09:00; won 11-17 09:00 for 12,000          cycle 43 days
  L2 Birch (alice)       created 11-10 09:00, value 5,000, close_by 11-25; effective call 11-16 10:00
                         (→ contacted); proposal 11-18 10:00 with play case-study-offer; → quoted 11-18 11:00
  L3 Cedar (bob)         created 11-02 09:00, value 8,000; a note 11-03 09:00 (not effective);
                         lost 11-24 10:00 at new, reason price                     (after the week)
  L4 Delta (bob)         created 11-11 09:00, value 20,000; → negotiating 11-12 09:00 (skips two stages);
                         effective call 11-12 10:00 with play value-not-price; lost 11-19 09:00, budget
  L5 Elm   (bob)         created 11-17 09:00, value 6,000, close_by 11-30; email 11-17 11:00 (no answer)
                         with play short-and-fast; → contacted 11-17 12:00; → deciding 11-20 09:00;
                         → negotiating 11-21 09:00 (backwards); won 11-22 09:00 for 6,000   cycle 5 days
  L6 Fir   (alice, key)  created 11-19 09:00, value 4,000, close_by 11-27; meeting 11-20 10:00 (→ contacted)
  L7 Gum   (alice)       created 11-23 10:00 (after the week), value 1,000
  L8 Hazel (alice)       created 10-01 09:00, value 3,000; → quoted 10-10 09:00; won 11-05 09:00 for 3,000

Targets for 2026-11: team 50,000; alice 20,000; bob 5,000.
"""

from __future__ import annotations

import csv
import io
import os

import pytest

from salesctl import figures, pipeline
from salesctl.model import Settings
from salesctl.store import Store

CENTS = 100


def build_history(db) -> dict[str, int]:
    store, settings = Store(db), Settings()
    ids: dict[str, int] = {}
    with store.write():
        alice = store.ensure_rep("alice", "2026-09-01T00:00:00Z")
        bob = store.ensure_rep("bob", "2026-09-01T00:00:00Z")
        play = {
            name: store.play(name)["id"]
            for name in ("case-study-offer", "value-not-price", "short-and-fast")
        }

        def add(ref, name, owner, at, value, **extra):
            fields = {
                "name": name,
                "currency": "USD",
                "owner_id": owner,
                "value": value * CENTS,
                "key": 0,
                **extra,
            }
            ids[ref] = pipeline.add_lead(
                store, settings, fields, [], rep_id=owner, now=at, allow_duplicate=True
            )

        def log(key, rep, at, kind="call", effective=True, play_name=None):
            pipeline.log_activity(
                store,
                settings,
                ids[key],
                rep_id=rep,
                kind=kind,
                note=f"{kind} {key}",
                effective=effective,
                at=at,
                next_at=None,
                step=None,
                play_id=play.get(play_name),
                now=at,
            )

        def move(key, rep, stage, at):
            pipeline.move(store, settings, ids[key], stage, rep_id=rep, now=at, note=None)

        add("L8", "Hazel", alice, "2026-10-01T09:00:00Z", 3000)
        move("L8", alice, "quoted", "2026-10-10T09:00:00Z")
        add("L1", "Apex", alice, "2026-10-05T09:00:00Z", 10000, key=1)
        log("L1", alice, "2026-10-06T09:00:00Z")
        move("L1", alice, "quoted", "2026-10-20T09:00:00Z")
        add("L3", "Cedar", bob, "2026-11-02T09:00:00Z", 8000)
        log("L3", bob, "2026-11-03T09:00:00Z", kind="note", effective=False)
        pipeline.won(store, ids["L8"], None, rep_id=alice, now="2026-11-05T09:00:00Z", note=None)
        add("L2", "Birch", alice, "2026-11-10T09:00:00Z", 5000, close_by="2026-11-25")
        add("L4", "Delta", bob, "2026-11-11T09:00:00Z", 20000)
        move("L4", bob, "negotiating", "2026-11-12T09:00:00Z")
        log("L4", bob, "2026-11-12T10:00:00Z", play_name="value-not-price")
        log("L2", alice, "2026-11-16T10:00:00Z")
        add("L5", "Elm", bob, "2026-11-17T09:00:00Z", 6000, close_by="2026-11-30")
        pipeline.won(
            store, ids["L1"], 12000 * CENTS, rep_id=alice, now="2026-11-17T09:00:00Z", note=None
        )
        log(
            "L5",
            bob,
            "2026-11-17T11:00:00Z",
            kind="email",
            effective=False,
            play_name="short-and-fast",
        )
        move("L5", bob, "contacted", "2026-11-17T12:00:00Z")
        log("L2", alice, "2026-11-18T10:00:00Z", kind="proposal", play_name="case-study-offer")
        move("L2", alice, "quoted", "2026-11-18T11:00:00Z")
        add("L6", "Fir", alice, "2026-11-19T09:00:00Z", 4000, key=1, close_by="2026-11-27")
        pipeline.lost(store, ids["L4"], "budget", rep_id=bob, now="2026-11-19T09:00:00Z", note=None)
        log("L6", alice, "2026-11-20T10:00:00Z", kind="meeting")
        move("L5", bob, "deciding", "2026-11-20T09:00:00Z")
        move("L5", bob, "negotiating", "2026-11-21T09:00:00Z")
        pipeline.won(store, ids["L5"], None, rep_id=bob, now="2026-11-22T09:00:00Z", note=None)
        add("L7", "Gum", alice, "2026-11-23T10:00:00Z", 1000)
        pipeline.lost(store, ids["L3"], "price", rep_id=bob, now="2026-11-24T10:00:00Z", note=None)
        store.set_target(None, "2026-11", 50000 * CENTS, "2026-11-01T00:00:00Z")
        store.set_target(alice, "2026-11", 20000 * CENTS, "2026-11-01T00:00:00Z")
        store.set_target(bob, "2026-11", 5000 * CENTS, "2026-11-01T00:00:00Z")
    store.close()
    return ids


@pytest.fixture
def history(db):
    return build_history(db)


def by_rep(doc):
    return {r["rep"]: r for r in doc["reps"]}


# --- the week ---------------------------------------------------------------------------------------


def test_week_report_period_counts(ok, history):
    doc = ok("report", "--week", "--team", "--format", "json")
    assert (
        doc["since"] == "2026-11-16T00:00:00+00:00" and doc["until"] == "2026-11-23T00:00:00+00:00"
    )
    team, reps = doc["team"], by_rep(doc)
    # created in [11-16, 11-23): L5 (bob, 11-17), L6 (alice, 11-19); L7 (11-23 10:00) is after the end.
    assert (team["new_leads"], reps["alice"]["new_leads"], reps["bob"]["new_leads"]) == (2, 1, 1)
    # logged: alice L2 call 11-16, L2 proposal 11-18, L6 meeting 11-20; bob L5 email 11-17 (no answer).
    assert (team["activities"], reps["alice"]["activities"], reps["bob"]["activities"]) == (4, 3, 1)
    assert (team["effective"], reps["alice"]["effective"], reps["bob"]["effective"]) == (3, 3, 0)
    assert team["proposals"] == 1  # the proposal on L2
    # forward moves: alice L2 new→contacted (automatic), L2 contacted→quoted, L1 quoted→won, L6 new→contacted = 4;
    # bob L5 new→contacted, contacted→deciding, negotiating→won = 3 (deciding→negotiating is backwards,
    # L4 →lost is never an advance).
    assert (team["advanced"], reps["alice"]["advanced"], reps["bob"]["advanced"]) == (7, 4, 3)
    # won: L1 12,000 (alice, 43 days: Oct 5 → Nov 5 is 31, +12), L5 6,000 (bob, 5 days); lost: L4 (bob, budget).
    assert (team["won_count"], team["won_amount"], team["lost_count"]) == (2, 18000, 1)
    assert team["win_rate"] == round(2 / 3, 4)
    assert team["avg_deal_size"] == 18000 / 2
    assert team["avg_cycle_days"] == (43 + 5) / 2
    assert team["lost_reasons"] == {"budget": 1}
    assert (
        reps["alice"]["won_amount"],
        reps["alice"]["win_rate"],
        reps["alice"]["avg_cycle_days"],
    ) == (12000, 1.0, 43)
    assert (reps["bob"]["won_amount"], reps["bob"]["win_rate"], reps["bob"]["avg_cycle_days"]) == (
        6000,
        0.5,
        5,
    )
    assert reps["bob"]["lost_reasons"] == {"budget": 1} and reps["alice"]["lost_reasons"] == {}


def test_week_report_pipeline_at_the_period_end(ok, history):
    doc = ok("report", "--format", "json")  # the default is --week --team
    team, reps = doc["team"], by_rep(doc)
    # Open at 11-23 00:00: L2 quoted 5,000 (alice), L6 contacted 4,000 (alice), L3 new 8,000 (bob; lost only
    # on 11-24). L7 did not exist yet; L1, L5, L8 were won and L4 lost before the end.
    assert (team["open_count"], team["open_value"]) == (3, 5000 + 4000 + 8000)
    # weighted: 5,000 × 0.30 + 4,000 × 0.10 + 8,000 × 0.05 = 1,500 + 400 + 400
    assert team["weighted_value"] == 2300
    assert (reps["alice"]["weighted_value"], reps["bob"]["weighted_value"]) == (1900, 400)
    # stalled at 11-23 00:00: L3 last touched by its note on 11-03 09:00 → 19 days idle > 3 (new).
    # L2: last touch 11-18 11:00 → 4 days ≤ 7; L6: 11-20 10:00 → 2 days ≤ 7.
    assert (team["stalled"], reps["alice"]["stalled"], reps["bob"]["stalled"]) == (1, 0, 1)
    # velocity = open_count × win_rate × avg_deal_size / avg_cycle_days
    assert team["velocity"] == pytest.approx(3 * (2 / 3) * 9000 / 24)  # 750 a day
    assert reps["alice"]["velocity"] == pytest.approx(round(2 * 1.0 * 12000 / 43, 2))
    assert reps["bob"]["velocity"] == pytest.approx(1 * 0.5 * 6000 / 5)


def test_week_report_targets_pace_and_projection(ok, history):
    doc = ok("report", "--week", "--format", "json")
    team, reps = doc["team"], by_rep(doc)
    assert doc["month"] == "2026-11"
    # won from Nov 1 to the week's end: L8 3,000 (11-05) + L1 12,000 (alice); L5 6,000 (bob).
    assert (
        team["won_month_to_date"],
        reps["alice"]["won_month_to_date"],
        reps["bob"]["won_month_to_date"],
    ) == (21000, 15000, 6000)
    assert (team["target"], reps["alice"]["target"], reps["bob"]["target"]) == (50000, 20000, 5000)
    assert team["attainment"] == 21000 / 50000
    assert reps["alice"]["attainment"] == 15000 / 20000 and reps["bob"]["attainment"] == 6000 / 5000
    # 22 of November's 30 days have passed at 11-23 00:00.
    assert team["expected_pace"] == round(22 / 30, 4)
    # projection = won so far + weighted open deals closing in November: L2 (11-25) 1,500 + L6 (11-27) 400.
    assert team["projection"] == 21000 + 1500 + 400
    assert reps["alice"]["projection"] == 15000 + 1900 and reps["bob"]["projection"] == 6000
    assert (team["on_track"], reps["alice"]["on_track"], reps["bob"]["on_track"]) == (
        False,
        False,
        True,
    )


def test_week_report_previous_lists_and_plays(ok, history):
    doc = ok("report", "--week", "--format", "json")
    prev = doc["team"]["previous"]
    assert doc["previous"] == prev
    assert (prev["since"], prev["until"]) == (
        "2026-11-09T00:00:00+00:00",
        "2026-11-16T00:00:00+00:00",
    )
    # [11-09, 11-16): created L2 (11-10) and L4 (11-11); one call (L4, effective); one move L4 new→negotiating.
    assert (prev["new_leads"], prev["activities"], prev["effective"], prev["advanced"]) == (
        2,
        1,
        1,
        1,
    )
    assert (prev["won_count"], prev["lost_count"], prev["win_rate"], prev["avg_deal_size"]) == (
        0,
        0,
        None,
        None,
    )
    assert by_rep(doc)["bob"]["previous"]["new_leads"] == 1
    # key deals open at the end: L6 only (L1 is key but won).
    assert [d["name"] for d in doc["key_deals"]] == ["Fir"]
    assert doc["key_deals"][0]["stage"] == "contacted" and doc["key_deals"][0]["owner"] == "alice"
    # closing within 7 days of 11-23: L2 (11-25) then L6 (11-27).
    assert [(d["name"], d["close_by"]) for d in doc["closing_soon"]] == [
        ("Birch", "2026-11-25"),
        ("Fir", "2026-11-27"),
    ]
    plays = {p["play"]: p for p in doc["plays"]}
    assert plays["case-study-offer"] == {
        "play": "case-study-offer",
        "leads": 1,
        "won": 0,
        "lost": 0,
        "win_rate": None,
    }
    assert plays["short-and-fast"] == {
        "play": "short-and-fast",
        "leads": 1,
        "won": 1,
        "lost": 0,
        "win_rate": 1.0,
    }
    assert plays["value-not-price"] == {
        "play": "value-not-price",
        "leads": 1,
        "won": 0,
        "lost": 1,
        "win_rate": 0.0,
    }
    assert (
        plays["referral-to-decider"]["leads"] == 0
        and plays["referral-to-decider"]["win_rate"] is None
    )


def test_month_report_is_the_last_complete_month(ok, history):
    doc = ok("report", "--month", "--format", "json")
    assert (
        doc["since"] == "2026-10-01T00:00:00+00:00" and doc["until"] == "2026-11-01T00:00:00+00:00"
    )
    team = doc["team"]
    # October: created L8, L1; one call (L1); moves L8 new→quoted, L1 new→contacted, L1 contacted→quoted.
    assert (team["new_leads"], team["activities"], team["advanced"], team["won_count"]) == (
        2,
        1,
        3,
        0,
    )
    assert team["win_rate"] is None and team["velocity"] is None and team["avg_cycle_days"] is None
    # at 11-01 00:00: L1 quoted 10,000 and L8 quoted 3,000 → weighted 0.30 × 13,000; both idle > 7 days.
    assert (team["open_count"], team["open_value"], team["weighted_value"], team["stalled"]) == (
        2,
        13000,
        3900,
        2,
    )
    # no October target: nothing to attain; the month has fully elapsed.
    assert (team["target"], team["attainment"], team["on_track"], team["expected_pace"]) == (
        None,
        None,
        None,
        1.0,
    )
    assert (team["previous"]["since"], team["previous"]["until"]) == (
        "2026-09-01T00:00:00+00:00",
        "2026-10-01T00:00:00+00:00",
    )


def test_rep_scope_and_since_until(ok, history):
    doc = ok(
        "report",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-23",
        "--rep",
        "bob",
        "--format",
        "json",
    )
    assert doc["rep"] == "bob" and [r["rep"] for r in doc["reps"]] == ["bob"]
    assert (doc["team"]["won_amount"], doc["team"]["target"], doc["team"]["on_track"]) == (
        6000,
        5000,
        True,
    )
    assert doc["key_deals"] == [] and [d["name"] for d in doc["closing_soon"]] == []
    # previous period of equal length: the 7 days before.
    assert doc["team"]["previous"]["since"] == "2026-11-09T00:00:00+00:00"


def test_past_report_is_unchanged_by_later_changes(ok, history, db, monkeypatch):
    args = ("report", "--since", "2026-11-16", "--until", "2026-11-23", "--format", "json")
    before = ok(*args)
    store, settings = Store(db), Settings()
    with store.write():
        bob = store.rep("bob")["id"]
        alice = store.rep("alice")["id"]
        at = "2026-11-28T09:00:00Z"
        pipeline.assign(
            store, [history["L6"]], bob, rep_id=alice, now=at
        )  # handoff of an open key deal
        pipeline.log_activity(
            store,
            settings,
            history["L2"],
            rep_id=alice,
            kind="call",
            note="x",
            effective=True,
            at=at,
            next_at=None,
            step=None,
            play_id=None,
            now=at,
        )
        pipeline.move(
            store,
            settings,
            history["L2"],
            "deciding",
            rep_id=alice,
            now="2026-11-29T09:00:00Z",
            note=None,
        )
        pipeline.won(
            store, history["L2"], None, rep_id=alice, now="2026-11-30T09:00:00Z", note=None
        )
        pipeline.lost(
            store, history["L6"], "timing", rep_id=bob, now="2026-12-01T09:00:00Z", note=None
        )
        pipeline.add_lead(
            store,
            settings,
            {"name": "New", "currency": "USD", "owner_id": bob, "value": 100},
            [],
            rep_id=bob,
            now="2026-12-01T10:00:00Z",
            allow_duplicate=True,
        )
    store.close()
    monkeypatch.setenv("SALESCTL_NOW", "2026-12-10T10:00:00")
    after = ok(*args)
    # The funnel alone shows where its cohort stands now, as `funnel` does (docs/figures.md, The funnel
    # in the report): L6, lost on 12-01, now counts as lost; L2 reached won.
    funnel_before, funnel_after = before.pop("funnel"), after.pop("funnel")
    assert after == before
    assert (funnel_before["lost"], funnel_after["lost"]) == (2, 3)  # L3, L4; then L6
    assert (funnel_before["won"], funnel_after["won"]) == (3, 4)  # L8, L1, L5; then L2


def test_pipeline_then_ignores_what_changed_after_it(ok, history, db, monkeypatch):
    # Leads untouched since the period's end take their current stage, owner and last touch (docs/speed.md,
    # "Leads untouched since the period's end"); the ones touched after it still get theirs as of then.
    args = (
        "report",
        "--team",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-23",
        "--format",
        "json",
    )
    before = ok(*args)
    # As in test_week_report_pipeline_at_the_period_end: open at 11-23 00:00 L2 quoted 5,000 and L6
    # contacted 4,000 (alice), L3 new 8,000 (bob, stalled).
    team, reps = before["team"], by_rep(before)
    assert (reps["alice"]["weighted_value"], reps["bob"]["weighted_value"]) == (1900, 400)
    assert (team["stalled"], reps["alice"]["stalled"], reps["bob"]["stalled"]) == (1, 0, 1)
    store, settings = Store(db), Settings()
    with store.write():
        alice, bob = store.rep("alice")["id"], store.rep("bob")["id"]

        def log(lead, at):
            pipeline.log_activity(
                store, settings, history[lead], rep_id=alice, kind="call", note="x",
                effective=True, at=at, next_at=None, step=None, play_id=None, now=at,
            )  # fmt: skip

        log("L2", "2026-11-27T09:00:00Z")  # L2 no longer idle now, but it was then
        log("L6", "2026-11-27T10:00:00Z")
        latest = store.one("SELECT max(id) FROM activities")[0]
        pipeline.delete_activity(  # L6's last activity is back before the end …
            store, settings, latest, acting="alice", rep_id=alice, now="2026-11-27T11:00:00Z"
        )
        pipeline.assign(  # … but its owner changed after it
            store, [history["L6"]], bob, rep_id=alice, now="2026-11-28T09:00:00Z"
        )
        pipeline.move(  # L2 moved after the end, still open
            store,
            settings,
            history["L2"],
            "deciding",
            rep_id=alice,
            now="2026-11-29T09:00:00Z",
            note=None,
        )
    store.close()
    monkeypatch.setenv("SALESCTL_NOW", "2026-12-10T10:00:00")
    after = ok(*args)
    before.pop("funnel"), after.pop("funnel")  # the funnel shows where its cohort stands now
    assert after == before


def test_past_deal_lists_ignore_what_changed_after_the_end(ok, history, monkeypatch):
    # The week's key deals, closing-soon, stalled and overdue lists come from the same pass as its
    # pipeline, with the same shortcut for leads untouched since the end (docs/speed.md): a lead moved,
    # reassigned or touched after the end is looked up, one untouched takes its current row, and both
    # must give what the week looked like then.
    week = (
        "report",
        "--team",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-23",
        "--format",
        "json",
    )

    def lists(doc):
        deals = ("key_deals", "closing_soon", "stalled_deals", "overdue_deals")
        return {k: [(d["name"], d["stage"], d["owner"], d["value"]) for d in doc[k]] for k in deals}

    # Ivy (key): two moves in the same second before the end; the later one, quoted, is its stage then.
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-21T09:00:00")
    ivy = ok(
        "add", "Ivy", "--value", "7000", "--key", "--close-by", "2026-11-28", "--format", "json"
    )
    ok("move", str(ivy["id"]), "contacted")
    ok("move", str(ivy["id"]), "quoted")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    before = ok(*week)
    assert lists(before) == {
        "key_deals": [("Ivy", "quoted", "alice", 7000), ("Fir", "contacted", "alice", 4000)],
        "closing_soon": [
            ("Birch", "quoted", "alice", 5000),
            ("Fir", "contacted", "alice", 4000),
            ("Ivy", "quoted", "alice", 7000),
        ],
        "stalled_deals": [("Cedar", "new", "bob", 8000)],  # lost on 11-24, after the end
        "overdue_deals": [],
    }

    ok("move", "Fir", "quoted")  # moved after the end …
    ok("lead", "assign", "Fir", "--to", "bob")  # … and given to bob
    ok("log", str(ivy["id"]), "called back")  # Ivy touched after the end: its tie is looked up
    ok(
        "add", "Jade", "--value", "9000", "--key", "--close-by", "2026-11-27"
    )  # created after the end
    after = ok(*week)
    before.pop("funnel"), after.pop("funnel")  # the funnel shows where its cohort stands now
    assert after == before

    # A deal's value has no history: an edit after the end shows, untouched or not.
    ok("lead", "edit", "Birch", "--value", "6000")
    edited = ok(*week)
    assert lists(edited)["closing_soon"][0] == ("Birch", "quoted", "alice", 6000)
    assert edited["team"]["open_value"] == before["team"]["open_value"] + 1000
    ok("log", "Birch", "sent the revised quote")
    touched = ok(*week)
    touched.pop("funnel"), edited.pop("funnel")
    assert touched == edited

    # A lead deleted after the end is gone from the week, from its lists and its counts alike.
    ok("lead", "delete", "Fir", "--yes")
    deleted = ok(*week)
    assert [d["name"] for d in deleted["key_deals"]] == ["Ivy"]
    assert [d["name"] for d in deleted["closing_soon"]] == ["Birch", "Ivy"]
    assert deleted["team"]["open_count"] == before["team"]["open_count"] - 1


def test_empty_database_and_empty_periods_give_nulls(ok, history):
    empty = ok("report", "--since", "2016-01-04", "--until", "2016-01-11", "--format", "json")
    team = empty["team"]
    assert (team["won_count"], team["won_amount"], team["open_count"], team["stalled"]) == (
        0,
        0,
        0,
        0,
    )
    for key in (
        "win_rate",
        "avg_deal_size",
        "avg_cycle_days",
        "velocity",
        "attainment",
        "target",
        "on_track",
    ):
        assert team[key] is None, key
    funnel = ok("funnel", "--since", "2016-01-01", "--until", "2016-02-01", "--format", "json")
    assert funnel["cohort"] == 0 and funnel["win_rate"] is None
    assert all(
        s["reached"] == 0 and s["conversion"] is None and s["avg_days_in_stage"] is None
        for s in funnel["stages"]
    )


@pytest.mark.sqlite_only
def test_report_on_a_missing_database_creates_nothing(run, db):
    for fmt in ("json", "table", "html", "csv", "md"):
        result = run("report", "--format", fmt)
        assert result.code == 0, result.err
    funnel = run("funnel", "--format", "json")
    assert funnel.code == 0 and funnel.json()["cohort"] == 0
    assert run("target", "show", "--format", "json").json()["team"]["target"] is None
    assert not db.exists()


# --- the funnel -------------------------------------------------------------------------------------


def test_funnel_of_the_november_cohort(ok, history):
    doc = ok("funnel", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "json")
    # cohort: L2 quoted, L3 lost at new, L4 lost at negotiating, L5 won, L6 contacted, L7 new.
    assert doc["cohort"] == 6
    stages = {s["stage"]: s for s in doc["stages"]}
    assert list(stages) == ["new", "contacted", "quoted", "negotiating", "deciding", "won"]
    # furthest: L2 quoted, L3 new, L4 negotiating (skipping contacted and quoted passes them), L5 won,
    # L6 contacted, L7 new.
    assert [stages[s]["reached"] for s in stages] == [6, 4, 3, 2, 1, 1]
    assert [stages[s]["conversion"] for s in stages] == [
        round(4 / 6, 4),
        3 / 4,
        round(2 / 3, 4),
        1 / 2,
        1.0,
        None,
    ]
    assert (stages["new"]["lost"], stages["new"]["lost_reasons"]) == (1, {"price": 1})
    assert (stages["negotiating"]["lost"], stages["negotiating"]["lost_reasons"]) == (
        1,
        {"budget": 1},
    )
    assert stages["quoted"]["lost"] == 0 and stages["quoted"]["lost_reasons"] == {}
    # completed stays in new: L2 6d1h, L3 22d1h, L4 1d, L5 3h, L6 1d1h → 30.25 days / 5.
    assert stages["new"]["avg_days_in_stage"] == round(30.25 / 5, 2)
    # contacted: L2 2d1h, L5 2d21h → (49 + 69) hours / 2 / 24.
    assert stages["contacted"]["avg_days_in_stage"] == round((49 + 69) / 2 / 24, 2)
    assert stages["quoted"]["avg_days_in_stage"] is None  # L2 is still quoted: no completed stay
    assert stages["negotiating"]["avg_days_in_stage"] == (7 + 1) / 2  # L4 7 days, L5 1 day
    assert stages["deciding"]["avg_days_in_stage"] == 1.0
    assert (doc["won"], doc["lost"], doc["open"], doc["win_rate"]) == (1, 2, 3, round(1 / 3, 4))


def test_funnel_per_rep_and_default_period(ok, history):
    bob = ok(
        "funnel",
        "--since",
        "2026-11-01",
        "--until",
        "2026-12-01",
        "--rep",
        "bob",
        "--format",
        "json",
    )
    # L3 (new, lost), L4 (negotiating, lost), L5 (won)
    assert bob["rep"] == "bob" and bob["cohort"] == 3
    assert [s["reached"] for s in bob["stages"]] == [3, 2, 2, 2, 1, 1]
    assert bob["win_rate"] == round(1 / 3, 4)
    # default: the last 90 days and today (from 2026-08-28): every lead, team-wide.
    default = ok("funnel", "--format", "json")
    assert (
        default["since"] == "2026-08-28T00:00:00+00:00"
        and default["until"] == "2026-11-27T00:00:00+00:00"
    )
    assert default["cohort"] == 8 and default["won"] == 3  # L1, L5, L8


# --- periods ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "week", "month"),
    [
        ("2026-11-26", ("2026-11-16", "2026-11-23"), ("2026-10-01", "2026-11-01")),  # Thursday
        (
            "2026-11-23",
            ("2026-11-16", "2026-11-23"),
            ("2026-10-01", "2026-11-01"),
        ),  # Monday: last week is complete
        (
            "2026-11-22",
            ("2026-11-09", "2026-11-16"),
            ("2026-10-01", "2026-11-01"),
        ),  # Sunday: this week is not
        ("2027-01-01", ("2026-12-21", "2026-12-28"), ("2026-12-01", "2027-01-01")),  # across a year
    ],
)
def test_period_days(today, week, month):
    from datetime import date

    day = date.fromisoformat(today)
    assert tuple(d.isoformat() for d in figures.period_days("week", day)) == week
    assert tuple(d.isoformat() for d in figures.period_days("month", day)) == month


def test_week_follows_the_local_zone(ok, history):
    ok("config", "set", "timezone", "Asia/Shanghai")
    doc = ok("report", "--week", "--format", "json")
    assert (
        doc["since"] == "2026-11-16T00:00:00+08:00" and doc["until"] == "2026-11-23T00:00:00+08:00"
    )


def test_bad_period_options(fails, history):
    fails("report", "--week", "--month", names=["--week"])
    fails(
        "report", "--since", "2026-11-20", "--until", "2026-11-10", names=["--since", "2026-11-20"]
    )
    fails("funnel", "--since", "soon", names=["--since", "soon"])
    fails("report", "--rep", "nobody", names=['"nobody"', "alice"])


# --- formats ------------------------------------------------------------------------------------------


def test_csv_is_one_row_per_rep_plus_team(ok, history):
    rows = list(csv.DictReader(io.StringIO(ok("report", "--week", "--format", "csv").out)))
    assert [r["rep"] for r in rows] == ["alice", "bob", "TEAM"]
    team = rows[-1]
    assert (team["won_count"], team["won_amount"], team["lost_reasons"]) == (
        "2",
        "18000",
        "budget:1",
    )
    assert sum(int(r["activities"]) for r in rows[:-1]) == int(team["activities"])


def test_table_and_markdown_show_the_figures(ok, history):
    table = ok("report", "--week").out
    assert "Team report 2026-11-16 – 2026-11-22" in table
    assert (
        "$18,000" in table
        and "$21,000 of $50,000 (42%)" in table
        and "73% of the month elapsed" in table
    )
    assert "█" in table  # bars
    md = ok("report", "--week", "--format", "md").out
    assert "| Won amount | $18,000 | $0 | +$18,000 |" in md
    funnel = ok("funnel", "--since", "2026-11-01", "--until", "2026-12-01").out
    assert "negotiating" in funnel and "budget 1" in funnel


def test_html_is_self_contained_escaped_and_written_0600(ok, history, db, tmp_path):
    store = Store(db)
    with store.write():
        store.update_lead(history["L6"], {"name": "<script>alert(1)</script> & Co"})
    store.close()
    out = tmp_path / "week.html"
    result = ok("report", "--week", "--format", "html", "--out", out)
    assert result.out == ""
    assert os.stat(out).st_mode & 0o777 == 0o600
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert (
        "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    )
    assert (
        "<link" not in page and "<style" not in page and "src=" not in page and "http" not in page
    )
    assert 'style="background:' in page  # bars are coloured table cells
    assert "$21,000 of $50,000" in page


def test_report_text_is_plain(ok, history):
    from salesctl.views.html import report_text

    doc = ok("report", "--week", "--format", "json")
    text = report_text(doc)
    assert "<" not in text and "Team report 2026-11-16 – 2026-11-22" in text
    assert "$18,000" in text and "Closing within a week" in text


# --- targets ------------------------------------------------------------------------------------------


def test_target_set_and_show(ok, fails, history):
    ok("target", "set", "60k", "--team")  # replaces the 50,000
    ok("target", "set", "8k", "--rep", "bob", "--month", "2026-11")
    doc = ok("target", "show", "--format", "json")
    assert doc["month"] == "2026-11"
    # won in November up to now (11-26 10:00): L8 3,000 + L1 12,000 + L5 6,000.
    assert (doc["team"]["target"], doc["team"]["won_month_to_date"]) == (60000, 21000)
    assert doc["team"]["attainment"] == 21000 / 60000
    # 25 days and 10 hours of 30 days.
    assert doc["team"]["expected_pace"] == round((25 + 10 / 24) / 30, 4)
    reps = by_rep(doc)
    assert (reps["bob"]["target"], reps["bob"]["attainment"]) == (8000, 6000 / 8000)
    assert "TEAM" in ok("target", "show").out and "pace" in ok("target", "show").out
    fails("target", "set", "-5", names=["AMOUNT"])
    fails("target", "set", "5k", "--month", "2026-13", names=["--month", "2026-13"])
    fails("target", "set", "5k", "--rep", "carol", names=['"carol"'])


def test_team_target_defaults_to_the_reps_sum():
    assert figures.team_target({1: 500, 2: 700}, None) == 1200
    assert figures.team_target({None: 1000, 1: 500}, None) == 1000
    assert figures.team_target({}, None) is None


# --- through the daily verbs --------------------------------------------------------------------------


def test_plays_and_stalled_through_the_command_line(ok, history, monkeypatch):
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T11:00:00")
    ok("log", "Gum", "asked for references", "--play", "case-study-offer")
    ok("won", "Gum", "--amount", "1500")
    doc = ok(
        "report", "--since", "2026-11-23", "--format", "json"
    )  # until: tomorrow 00:00, so as of now
    plays = {p["play"]: p for p in doc["plays"]}
    # case-study-offer was used on L2 (open) and now L7 (won): 1 won of 1 closed.
    assert plays["case-study-offer"] == {
        "play": "case-study-offer",
        "leads": 2,
        "won": 1,
        "lost": 0,
        "win_rate": 1.0,
    }
    assert doc["team"]["won_amount"] == 1500 and doc["team"]["activities"] == 1
    # stalled as of now agrees with the `stalled` command: L2 quoted, last touched 11-18 11:00 → 8 days > 7;
    # L6 contacted, 11-20 10:00 → 6 days.
    stalled = ok("stalled", "--team", "--format", "json")
    assert doc["team"]["stalled"] == len(stalled["items"]) == 1


def test_what_happened_at_now_counts_in_a_period_that_has_not_ended(ok):
    # Under a pinned clock (and for a deal won a moment ago) events carry exactly `now`: the
    # month-to-date and the pipeline "as of now" must include them.
    ok("add", "won today", "--value", "20k")
    ok("won", "1")
    ok("add", "still open", "--value", "5k")
    doc = ok("report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "json")
    assert doc["team"]["won_month_to_date"] == 20000
    assert doc["team"]["open_count"] == 1 and doc["team"]["open_value"] == 5000
    shown = ok("target", "show", "--format", "json")
    assert shown["team"]["won_month_to_date"] == 20000


def test_report_closing_soon_uses_the_same_window_as_today(ok):
    # `today` flags a close_by up to 7 days ahead; the report's list at the same moment must agree.
    ok("add", "in seven days", "--value", "1k", "--close-by", "2026-12-03")
    ok("add", "in eight days", "--value", "1k", "--close-by", "2026-12-04")
    flagged = [
        i["name"]
        for i in ok("today", "--format", "json")["items"]
        if "closing_soon" in i["reasons"]
    ]
    doc = ok("report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "json")
    assert flagged == ["in seven days"]
    assert [d["name"] for d in doc["closing_soon"]] == flagged
