"""`salesctl rhythm` on a team whose every figure is worked out by hand (docs/figures.md, Rhythm).

The clock is pinned to Thursday 2026-11-26 10:00 UTC, so the 8 weeks are the 7-day spans ending today:
W1 10-02…10-08, W2 10-09…10-15, W3 10-16…10-22, W4 10-23…10-29, W5 10-30…11-05, W6 11-06…11-12,
W7 11-13…11-19, W8 (this week) 11-20…11-26; 40 working days. Month-end days: 10-27…10-31, 11-26…11-30.
Every lead is created 09-01 and moved to `contacted` 09-02, before the window.

  alice (steady)    one effective call every working day (40; one more on 10-01, before the window, and a
                    non-effective email on 11-20): weekly 5 5 5 5 5 5 5 5 → steadiness 1; per working day 1.
                    A2 → quoted 10-07; won A3 10-14, A4 11-12 (mid-month): month-end share 0/2 = 0;
                    advances 3 (one move, two wins) / open 2 (A1, A2) = pushing 1.5.
  bob (month end)   4 calls on each of 10-27, 10-28, 10-29, 10-30 and today 11-26: weekly 0 0 0 12 4 0 0 4,
                    mean 2.5, population sd √15.75 = 3.9686 → steadiness 1 − 1.5875 = −0.5875;
                    per working day 20/40 = 0.5; won B2 10-29 and B3 10-30: month-end share 2/2 = 1;
                    advances 2 / open 1 = pushing 2. Median week 0 (five empty weeks): never flagged.
  carol (hoards)    10 open leads; 3 calls every Tuesday 10-06 … 11-17, none this week: weekly 3 3 3 3 3 3 3 0,
                    mean 2.625, sd √0.984375 = 0.99216 → steadiness 1 − 0.37796 = 0.6220; per working day
                    21/40 = 0.525; no wins: share none; one move (C2 → quoted 11-05) / 10 open = pushing 0.1.
                    Median week 3, this week 0 < 1.5: flagged `rhythm_broke`, so listed first.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from salesctl import pipeline
from salesctl.model import Settings
from salesctl.store import Store


def build_team(db) -> None:
    store, settings = Store(db), Settings()
    with store.write():
        reps = {
            name: store.ensure_rep(name, "2026-08-01T00:00:00Z")
            for name in ("alice", "bob", "carol")
        }
        ids: dict[str, int] = {}

        def add(ref: str, owner: str) -> None:
            fields = {
                "name": ref,
                "currency": "USD",
                "owner_id": reps[owner],
                "value": 100_000,
                "key": 0,
            }
            ids[ref] = pipeline.add_lead(
                store,
                settings,
                fields,
                [],
                rep_id=reps[owner],
                now="2026-09-01T09:00:00Z",
                allow_duplicate=True,
            )
            pipeline.move(
                store,
                settings,
                ids[ref],
                "contacted",
                rep_id=reps[owner],
                now="2026-09-02T09:00:00Z",
                note=None,
            )

        def call(ref: str, owner: str, at: str, kind: str = "call", effective: bool = True) -> None:
            pipeline.log_activity(
                store,
                settings,
                ids[ref],
                rep_id=reps[owner],
                kind=kind,
                note="n",
                effective=effective,
                at=at,
                next_at=None,
                step=None,
                play_id=None,
                now=at,
            )

        for ref in ("A1", "A2", "A3", "A4"):
            add(ref, "alice")
        for ref in ("B1", "B2", "B3"):
            add(ref, "bob")
        for n in range(1, 11):
            add(f"C{n}", "carol")

        day = date(2026, 10, 1)
        while day <= date(2026, 11, 26):
            if day.weekday() < 5:
                call("A1", "alice", f"{day}T09:00:00Z")
            day += timedelta(days=1)
        call("A1", "alice", "2026-11-20T11:00:00Z", kind="email", effective=False)
        pipeline.move(
            store,
            settings,
            ids["A2"],
            "quoted",
            rep_id=reps["alice"],
            now="2026-10-07T09:30:00Z",
            note=None,
        )
        pipeline.won(
            store, ids["A3"], None, rep_id=reps["alice"], now="2026-10-14T09:30:00Z", note=None
        )
        pipeline.won(
            store, ids["A4"], None, rep_id=reps["alice"], now="2026-11-12T09:30:00Z", note=None
        )

        for day, hour in (
            ("2026-10-27", 9),
            ("2026-10-28", 9),
            ("2026-10-29", 9),
            ("2026-10-30", 9),
            ("2026-11-26", 8),
        ):
            for minute in range(4):
                call("B1", "bob", f"{day}T{hour:02}:{minute:02}:00Z")
        pipeline.won(
            store, ids["B2"], None, rep_id=reps["bob"], now="2026-10-29T10:00:00Z", note=None
        )
        pipeline.won(
            store, ids["B3"], None, rep_id=reps["bob"], now="2026-10-30T10:00:00Z", note=None
        )

        for day in ("10-06", "10-13", "10-20", "10-27", "11-03", "11-10", "11-17"):
            for minute in range(3):
                call("C1", "carol", f"2026-{day}T14:{minute:02}:00Z")
        pipeline.move(
            store,
            settings,
            ids["C2"],
            "quoted",
            rep_id=reps["carol"],
            now="2026-11-05T09:00:00Z",
            note=None,
        )


@pytest.fixture
def team(db, ok):
    ok("rep", "add", "alice")  # creates the database the way a user would
    build_team(db)


def by_name(doc: dict) -> dict[str, dict]:
    return {r["rep"]: r for r in doc["by_rep"]}


def test_every_figure_of_the_three_rhythms(team, ok):
    doc = ok("rhythm", "--team", "--format", "json")
    assert (
        doc["since"] == "2026-10-02T00:00:00+00:00" and doc["until"] == "2026-11-27T00:00:00+00:00"
    )
    assert doc["weeks"] == 8 and doc["working_days"] == 40
    reps = by_name(doc)
    alice, bob, carol = reps["alice"], reps["bob"], reps["carol"]

    assert alice["weekly"] == [5] * 8 and alice["effective"] == 40
    assert alice["per_working_day"] == 1.0 and alice["steadiness"] == 1.0
    assert (alice["wins"], alice["month_end_wins"], alice["month_end_share"]) == (2, 0, 0.0)
    assert (alice["advances"], alice["open_leads"], alice["pushing_ratio"]) == (3, 2, 1.5)
    assert alice["flag"] is None and alice["median_week"] == 5

    assert bob["weekly"] == [0, 0, 0, 12, 4, 0, 0, 4]
    assert bob["per_working_day"] == 0.5 and bob["steadiness"] == -0.5875
    assert (bob["wins"], bob["month_end_wins"], bob["month_end_share"]) == (2, 2, 1.0)
    assert (bob["advances"], bob["open_leads"], bob["pushing_ratio"]) == (2, 1, 2.0)
    assert bob["flag"] is None and bob["median_week"] == 0 and bob["this_week"] == 4

    assert carol["weekly"] == [3, 3, 3, 3, 3, 3, 3, 0]
    assert carol["per_working_day"] == 0.525 and carol["steadiness"] == 0.622
    assert (carol["wins"], carol["month_end_share"]) == (0, None)
    assert (carol["advances"], carol["open_leads"], carol["pushing_ratio"]) == (1, 10, 0.1)
    assert carol["flag"] == "rhythm_broke" and carol["median_week"] == 3 and carol["this_week"] == 0


def test_daily_counts_and_the_broken_rhythm_first(team, ok):
    doc = ok("rhythm", "--format", "json")
    assert [r["rep"] for r in doc["by_rep"]] == ["carol", "alice", "bob"]
    bob = by_name(doc)["bob"]
    assert len(bob["daily"]) == 56 and list(bob["daily"])[0] == "2026-10-02"
    assert {d: n for d, n in bob["daily"].items() if n} == {
        "2026-10-27": 4,
        "2026-10-28": 4,
        "2026-10-29": 4,
        "2026-10-30": 4,
        "2026-11-26": 4,
    }
    assert by_name(doc)["alice"]["daily"]["2026-10-03"] == 0  # a Saturday


def test_one_rep_and_fewer_weeks(team, ok):
    doc = ok("rhythm", "--rep", "bob", "--weeks", "1", "--format", "json")
    assert [r["rep"] for r in doc["by_rep"]] == ["bob"]
    assert doc["by_rep"][0]["weekly"] == [4] and doc["working_days"] == 5
    assert doc["by_rep"][0]["steadiness"] == 1.0
    assert ", 1 week: effective touches per day" in ok("rhythm", "--rep", "bob", "--weeks", "1").out


def test_the_heat_strip_in_the_terminal(team, ok):
    out = ok("rhythm").out
    lines = out.splitlines()
    assert "\x1b[" not in out  # NO_COLOR: plain characters
    strips = [line for line in lines if line.startswith(("alice ", "bob ", "carol "))]
    assert [s.split()[0] for s in strips[:3]] == ["carol", "alice", "bob"]
    # alice: every working day at the lightest shade of a 4-touch busiest day, weekends blank; the weeks
    # run Friday to Thursday, a gap between them
    assert "alice  " + "░  ░░░░ " * 8 + " this week 5" == strips[1]
    assert "█" in strips[2] and "this week 4" in strips[2]
    assert "rhythm broke" in out and "Steadiness" in out and "-0.59" in out


def test_days_are_local_days_of_the_timezone_setting(db, ok):
    ok("rep", "add", "alice")
    ok("config", "set", "timezone", "Asia/Shanghai")
    lead = ok("add", "Acme", "--value", "1k", "--created", "2026-11-01").out.strip()
    ok("log", lead, "called", "--at", "2026-11-20T01:00")  # 11-19 17:00 UTC, 11-20 in Shanghai
    daily = ok("rhythm", "--format", "json")["by_rep"][0]["daily"]
    assert daily["2026-11-20"] == 1 and daily["2026-11-19"] == 0


@pytest.mark.parametrize("weeks", ["0", "105"])
def test_weeks_out_of_range(db, ok, fails, weeks):
    ok("rep", "add", "alice")
    fails("rhythm", "--weeks", weeks, names=("--weeks", weeks))


def test_rep_and_team_together(db, ok, fails):
    ok("rep", "add", "alice")
    fails("rhythm", "--rep", "alice", "--team", names=("--team",))


# --- the report's Rhythm section ---------------------------------------------------------------------
# `report --week` is Mon 11-16 … Sun 11-22, so its rhythm covers the 8 Monday–Sunday weeks 09-28 … 11-22:
#   alice 2 5 5 5 5 5 5 5 (10-01 and 10-02 in the first week): mean 4.625, sd 0.99216 → 0.7855;
#   bob 0 0 0 0 16 0 0 0: mean 2, sd √28 = 5.2915 → −1.6458; carol 0 3 3 3 3 3 3 3 → 0.622, not flagged
#   (this week 3 = her median). Wins and advances are the same as above (all inside 09-28 … 11-22).


def test_the_weekly_report_has_a_rhythm_section(team, ok):
    section = ok("report", "--week", "--format", "json")["rhythm"]
    assert (
        section["since"] == "2026-09-28T00:00:00+00:00"
        and section["until"] == "2026-11-23T00:00:00+00:00"
    )
    reps = by_name(section)
    assert "daily" not in reps["alice"]
    assert (
        reps["alice"]["weekly"] == [2, 5, 5, 5, 5, 5, 5, 5]
        and reps["alice"]["steadiness"] == 0.7855
    )
    assert (
        reps["bob"]["weekly"] == [0, 0, 0, 0, 16, 0, 0, 0] and reps["bob"]["steadiness"] == -1.6458
    )
    assert reps["carol"]["steadiness"] == 0.622 and reps["carol"]["flag"] is None
    assert [(r["month_end_share"], r["pushing_ratio"]) for r in section["by_rep"]] == [
        (0.0, 1.5),
        (1.0, 2.0),
        (None, 0.1),
    ]  # alice, bob, carol: nobody flagged, by name


def test_the_report_flags_a_broken_rhythm_first_in_every_format(team, ok):
    period = ("report", "--since", "2026-11-20", "--until", "2026-11-27")
    section = ok(*period, "--format", "json")["rhythm"]
    assert [(r["rep"], r["flag"]) for r in section["by_rep"]] == [
        ("carol", "rhythm_broke"),
        ("alice", None),
        ("bob", None),
    ]
    table = ok(*period).out
    rhythm = table[table.index("Rhythm:") :]
    carol = next(line for line in rhythm.splitlines() if line.startswith("carol"))
    assert "0.62" in carol and "0.10 (1/10)" in carol and "rhythm broke" in carol
    assert "-0.59" in rhythm and "100%" in rhythm
    md = ok(*period, "--format", "md").out
    assert "## Rhythm: 8 weeks" in md and "| carol | 3 3 3 3 3 3 3 0 |" in md
    html = ok(*period, "--format", "html").out
    assert "Rhythm (8 weeks)" in html and "rhythm broke" in html and "0.10 (1/10)" in html


# --- the report's 12-week trends ---------------------------------------------------------------------
# `report --week` ends Sun 11-22, so the 12 weeks start Mondays 08-31, 09-07, … 11-16. All 17 leads
# ($1,000 each) are created 09-01 and contacted 09-02 (10% each: $1,700 weighted). Then A2 → quoted 10-07
# (+$200), A3 won 10-14 (−$100, $1,000 won), B2/B3 won 10-29/10-30 (−$200, $2,000), C2 → quoted 11-05
# (+$200), A4 won 11-12 (−$100, $1,000). Effective touches per week: alice 10-01/10-02 then 5 a week,
# carol 3 a week from 10-06, bob 16 in the week of 10-26.

TREND_EFFECTIVE = [0, 0, 0, 0, 2, 8, 8, 8, 24, 8, 8, 8]
TREND_WON = [0, 0, 0, 0, 0, 0, 1000, 0, 2000, 0, 1000, 0]
TREND_WEIGHTED = [1700, 1700, 1700, 1700, 1700, 1900, 1800, 1800, 1600, 1800, 1700, 1700]


def test_the_report_has_twelve_weeks_of_trends(team, ok):
    doc = ok("report", "--week", "--format", "json")
    trends = doc["trends"]
    assert (
        trends["weeks"][0] == "2026-08-31"
        and trends["weeks"][-1] == "2026-11-16"
        and len(trends["weeks"]) == 12
    )
    assert trends["new_leads"] == [17] + [0] * 11
    assert trends["effective"] == TREND_EFFECTIVE
    assert trends["won_amount"] == TREND_WON
    assert trends["weighted_pipeline"] == TREND_WEIGHTED
    assert (
        trends["weighted_pipeline"][-1] == doc["team"]["weighted_value"]
    )  # the same pipeline, rebuilt twice


def test_one_reps_trends(team, ok):
    trends = ok("report", "--week", "--rep", "bob", "--format", "json")["trends"]
    assert trends["new_leads"] == [3] + [0] * 11
    assert trends["effective"] == [0] * 8 + [16] + [0] * 3
    assert trends["weighted_pipeline"] == [300] * 8 + [100] * 4


def test_trends_as_sparklines_in_the_terminal_and_markdown(team, ok):
    table = ok("report", "--week").out
    trends = table[table.index("Trends: 12 weeks") :]
    # eight steps from 0 to the largest week: 2 of 24 → ▂, 8 → ▃, 1,000 of 2,000 → ▅ (3.5 rounds to 4)
    assert "▁▁▁▁▂▃▃▃█▃▃▃" in trends and "▁▁▁▁▁▁▅▁█▁▅▁" in trends and "█▁▁▁▁▁▁▁▁▁▁▁" in trends
    md = ok("report", "--week", "--format", "md").out
    assert "## Trends: 12 weeks" in md and "| Effective touches | ▁▁▁▁▂▃▃▃█▃▃▃ |" in md


def test_trends_in_the_html_report_are_inline_svg_with_a_table_fallback(team, ok):
    html = ok("report", "--week", "--format", "html").out
    section = html[html.index("Trends (12 weeks") :]
    assert section.count("<svg") == 4 and section.count("<polyline") == 4
    assert "<script" not in html.lower() and "href=" not in section and "src=" not in section
    # the bar fallback: a 24-px column per week, the 24-touch week full height, the 8-touch ones a third
    effective = section[section.index("Effective touches") : section.index("Won amount")]
    heights = [int(h.split("px")[0]) for h in effective.split('<div style="width:6px;height:')[1:]]
    assert heights == [1, 1, 1, 1, 2, 8, 8, 8, 24, 8, 8, 8]


def test_weekends_are_dimmed_on_a_colour_terminal_only(team, ok, monkeypatch):
    import io

    from salesctl.render import Format, emit
    from salesctl.views.rhythm import rhythm_output

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    doc = ok("rhythm", "--format", "json")
    monkeypatch.delenv("NO_COLOR")
    colour = Terminal()
    emit(rhythm_output(doc), Format.table, colour)
    alice = next(line for line in colour.getvalue().splitlines() if line.startswith("alice"))
    # the first week: Fri ░, Sat and Sun dimmed blanks, Mon–Thu ░
    assert alice.startswith("alice  ░\x1b[2m \x1b[0m\x1b[2m \x1b[0m░░░░ ")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    emit(rhythm_output(doc), Format.table, plain)
    assert "\x1b[" not in plain.getvalue()


def test_trends_convert_other_currencies_like_the_report(db, ok):
    ok("rep", "add", "alice")
    ok("config", "set", "fx.EUR", "1.5")  # 1 EUR = 1.5 USD, the team currency
    eur = ok("add", "Euro deal", "--value", "€2,000", "--created", "2026-11-02").out.strip()
    ok("add", "Dollar deal", "--value", "$1,000", "--created", "2026-11-02")
    ok("--as-of", "2026-11-10", "move", eur, "quoted")
    ok("--as-of", "2026-11-18", "won", eur)
    doc = ok("report", "--week", "--format", "json")
    trends = doc["trends"]
    # week of 11-02: two new leads at 5% → (3,000 + 1,000) × 0.05 = 200; week of 11-09: the euro deal
    # quoted (30%) → 3,000 × 0.3 + 50 = 950; week of 11-16: it is won (3,000 USD) → 50 left.
    assert (
        trends["weighted_pipeline"][-3:]
        == [200, 950, 50]
        == [200, 950, doc["team"]["weighted_value"]]
    )
    assert trends["won_amount"][-1] == 3000 == doc["team"]["won_amount"]


def test_touches_per_day_count_each_rep_and_local_day_once(db, ok, monkeypatch):
    """Rhythm counts each rep's effective touches per local day (docs/speed.md, The report's
    pictures): a touch at 23:59:59 and one at 00:00:00 fall on their own days; a rep deactivated
    since still shows their touches; a rep whose touches were none effective and who left shows
    nothing; days without a touch are 0, on both engines."""
    ok("rep", "add", "alice")
    for name in ("dave", "erin"):
        ok("rep", "add", name)
    ok("config", "set", "timezone", "Europe/Berlin")
    lead = ok("add", "Acme", "--value", "1k", "--created", "2026-11-01").out.strip()
    monkeypatch.setenv("SALESCTL_REP", "dave")
    ok("log", lead, "late call", "--at", "2026-11-17T23:59:59")  # Tuesday, last second
    ok("log", lead, "early call", "--at", "2026-11-18T00:00:00")  # Wednesday, first second
    ok("log", lead, "second call", "--at", "2026-11-18T09:00")
    ok("log", lead, "no answer", "--at", "2026-11-18T10:00", "--no-effective")
    monkeypatch.setenv("SALESCTL_REP", "erin")
    ok("log", lead, "no answer", "--at", "2026-11-19T10:00", "--no-effective")
    monkeypatch.setenv("SALESCTL_REP", "alice")
    ok("rep", "deactivate", "dave")
    ok("rep", "deactivate", "erin")

    reps = by_name(ok("rhythm", "--team", "--weeks", "2", "--format", "json"))
    assert set(reps) == {"alice", "dave"}
    assert {d: n for d, n in reps["dave"]["daily"].items() if n} == {
        "2026-11-17": 1,
        "2026-11-18": 2,
    }
    assert reps["dave"]["effective"] == 3 and reps["dave"]["weekly"] == [3, 0]
    assert len(reps["dave"]["daily"]) == 14 and reps["dave"]["daily"]["2026-11-19"] == 0
    assert reps["alice"]["effective"] == 0
