"""The weekly report names names: the stalled and overdue deals at the period's end (top 10 by value,
with owner and days), a TEAM row under the reps, and a legend for the short headers (docs/figures.md)."""

from __future__ import annotations

import pytest

from salesctl.store import Store
from tests.test_figures import build_history


@pytest.fixture
def history(db):
    ids = build_history(db)
    store = Store(db)
    with (
        store.write()
    ):  # Birch's follow-up was due Friday 11-20; Fir's is on the week's last day + 1
        store.update_lead(
            ids["L2"], {"next_at": "2026-11-20T09:00:00Z", "next_step": "send the quote"}
        )
        store.update_lead(ids["L6"], {"next_at": "2026-11-23T09:00:00Z"})
    store.close()
    return ids


def test_json_lists_the_stalled_and_overdue_deals_at_the_periods_end(ok, history):
    doc = ok("report", "--week", "--format", "json")
    assert doc["team"]["stalled"] == 1
    [stalled] = doc["stalled_deals"]  # Cedar: last touched 11-03 09:00, new rots after 3 days
    assert (stalled["lead_id"], stalled["name"], stalled["owner"], stalled["stage"]) == (
        history["L3"],
        "Cedar",
        "bob",
        "new",
    )
    assert (stalled["days_idle"], stalled["rot_days"], stalled["value"], stalled["currency"]) == (
        19,
        3,
        8000,
        "USD",
    )
    [overdue] = doc[
        "overdue_deals"
    ]  # Birch, due 11-20, three days late on Monday 11-23; Fir is not late
    assert (overdue["name"], overdue["owner"], overdue["days_overdue"]) == ("Birch", "alice", 3)
    assert (
        overdue["next_at"].startswith("2026-11-20T09:00")
        and overdue["next_step"] == "send the quote"
    )


def test_table_md_and_html_name_the_deals_with_owner_and_days(ok, history):
    table = ok("report", "--week").out
    assert (
        "Stalled at the period's end" in table and "Overdue follow-ups at the period's end" in table
    )
    stalled_line = next(line for line in table.splitlines() if "Cedar" in line and "19d" in line)
    assert "bob" in stalled_line and "$8,000" in stalled_line
    overdue_line = next(line for line in table.splitlines() if "Birch" in line and "3d" in line)
    assert "alice" in overdue_line
    md = ok("report", "--week", "--format", "md").out
    assert "| #3 Cedar |" in md and "| 19d |" in md
    html = ok("report", "--week", "--format", "html").out
    assert "Cedar" in html and "19d" in html and "Birch" in html


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_the_reps_table_ends_with_team_and_carries_a_legend(ok, history, fmt):
    out = ok("report", "--week", "--format", fmt).out
    if fmt == "html":
        assert (
            out.index(">alice<")
            < out.index(">bob<")
            < out.index(">TEAM<")
            < out.index("Acts: activities")
        )
    else:
        lines = [line.lstrip("| ") for line in out.splitlines()]
        at = next(i for i, line in enumerate(lines) if line.startswith("TEAM"))
        assert [line.split()[0] for line in lines[at - 2 : at + 1]] == ["alice", "bob", "TEAM"]
        assert "$18,000" in lines[at]  # the team's won amount, the sum of the reps'
    for words in ("Acts: activities", "Eff: effective conversations", "Adv: stage advances"):
        assert words in " ".join(out.split()), words
    assert "Velocity (per day) = open deals × win rate × average deal ÷ average cycle" in " ".join(
        out.split()
    )


def test_at_most_ten_deals_most_valuable_first_across_currencies(ok):
    ok("config", "set", "fx.EUR", "2")
    for k in range(1, 12):
        ok("--as-of", "2026-11-01", "add", f"Deal {k}", "--value", f"{k}k", "--next", "2026-11-05")
    ok(
        "--as-of", "2026-11-01", "add", "Euro deal", "--value", "€6k", "--next", "2026-11-05"
    )  # = $12,000
    doc = ok("report", "--since", "2026-11-20", "--until", "2026-11-27", "--format", "json")
    assert doc["team"]["stalled"] == 12
    for key in ("stalled_deals", "overdue_deals"):
        names = [d["name"] for d in doc[key]]
        assert names == ["Euro deal"] + [f"Deal {k}" for k in range(11, 2, -1)], key
        assert (doc[key][0]["value"], doc[key][0]["currency"]) == (6000, "EUR")
    assert doc["overdue_deals"][0]["days_overdue"] == 21
    assert doc["stalled_deals"][0]["days_idle"] == 25


def test_a_reps_report_names_only_their_deals(ok, history):
    doc = ok("report", "--week", "--rep", "alice", "--format", "json")
    assert doc["stalled_deals"] == [] and [d["name"] for d in doc["overdue_deals"]] == ["Birch"]
