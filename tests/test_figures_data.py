"""The report and funnel over 8,800 real deals equal the same figures computed straight from the CSV.

The public CRM data set (the folder $SALESCTL_REAL_DATA names; .ci/run sets it) is loaded through the store the way an
import would map it: sales_agent → owner, account → company, engage_date → created_at, Won/Lost with
close_date → won_at/lost_at, close_value → won amount, Engaging → contacted, Prospecting → new.
Prospecting rows have no date; they are taken as created on the data set's last day, 2017-12-31.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date

import pytest

from salesctl.store import Store

PROSPECT_DAY = "2017-12-31"

pytestmark = pytest.mark.slow  # loads 8,800 deals per test


def read_rows(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def load(db, rows: list[dict]) -> None:
    """Every row as a lead with its stage history, in one transaction."""
    store = Store(db)
    stage_of = {"Won": "won", "Lost": "lost", "Engaging": "contacted", "Prospecting": "new"}
    with store.write():
        reps: dict[str, int] = {}
        for row in rows:
            agent = row["sales_agent"]
            if agent not in reps:
                reps[agent] = store.ensure_rep(agent, "2016-01-01T00:00:00Z")
            owner = reps[agent]
            created = f"{row['engage_date'] or PROSPECT_DAY}T00:00:00Z"
            closed = f"{row['close_date']}T00:00:00Z" if row["close_date"] else None
            stage = stage_of[row["deal_stage"]]
            value = int(row["close_value"]) * 100 if row["deal_stage"] == "Won" else None
            fields = {
                "name": row["opportunity_id"],
                "company": row["account"],
                "currency": "USD",
                "owner_id": owner,
                "stage": stage,
                "created_at": created,
                "stage_changed_at": closed or created,
                "value": value,
            }
            if stage == "won":
                fields.update(won_at=closed, won_amount=value)
            elif stage == "lost":
                fields.update(lost_at=closed, lost_reason="other", lost_stage="contacted")
            lead_id = store.insert_lead(fields)
            store.record_stage(lead_id, owner, None, "new", created)
            if stage != "new":
                store.record_stage(lead_id, owner, "new", "contacted", created)
            if stage in ("won", "lost"):
                store.record_stage(lead_id, owner, "contacted", stage, closed)
    store.close()


@pytest.fixture(scope="module")
def rows(crm_pipeline):
    return read_rows(crm_pipeline)


@pytest.fixture
def crm(db, rows):
    load(db, rows)
    return rows


def days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def test_whole_history_report_equals_the_csv(ok, crm):
    doc = ok("report", "--since", "2016-10-01", "--until", "2018-01-01", "--format", "json")
    won = [r for r in crm if r["deal_stage"] == "Won"]
    lost = [r for r in crm if r["deal_stage"] == "Lost"]
    team = doc["team"]
    assert team["new_leads"] == len(crm) == 8800
    assert team["won_count"] == len(won)
    assert team["won_amount"] == sum(int(r["close_value"]) for r in won)
    assert team["lost_count"] == len(lost) and team["lost_reasons"] == {"other": len(lost)}
    assert team["win_rate"] == round(len(won) / (len(won) + len(lost)), 4)
    assert team["avg_cycle_days"] == round(
        sum(days(r["engage_date"], r["close_date"]) for r in won) / len(won), 2
    )
    total = sum(int(r["close_value"]) for r in won)
    assert team["avg_deal_size"] == pytest.approx(round(total / len(won), 2))
    # at the end every Engaging and Prospecting deal is open; new and contacted deals idle since
    # creation are stalled unless created in the last 3 (new) or 7 (contacted) days.
    open_rows = [r for r in crm if r["deal_stage"] in ("Engaging", "Prospecting")]
    assert team["open_count"] == len(open_rows)
    stalled = sum(
        1
        for r in open_rows
        if days(r["engage_date"] or PROSPECT_DAY, "2018-01-01")
        > (7 if r["deal_stage"] == "Engaging" else 3)
    )
    assert team["stalled"] == stalled

    per_agent: dict[str, Counter] = defaultdict(Counter)
    for r in crm:
        c = per_agent[r["sales_agent"]]
        c["new"] += 1
        c[r["deal_stage"]] += 1
        if r["deal_stage"] == "Won":
            c["amount"] += int(r["close_value"])
            c["cycle"] += days(r["engage_date"], r["close_date"])
    reps = {r["rep"]: r for r in doc["reps"]}
    assert set(reps) == set(per_agent) and len(reps) == 30
    for agent, c in per_agent.items():
        rep = reps[agent]
        assert (rep["new_leads"], rep["won_count"], rep["won_amount"], rep["lost_count"]) == (
            c["new"],
            c["Won"],
            c["amount"],
            c["Lost"],
        ), agent
        assert rep["win_rate"] == (
            round(c["Won"] / (c["Won"] + c["Lost"]), 4) if c["Won"] + c["Lost"] else None
        )
        assert rep["avg_cycle_days"] == (round(c["cycle"] / c["Won"], 2) if c["Won"] else None)
    assert sum(r["won_amount"] for r in doc["reps"]) == team["won_amount"]


def test_a_month_report_equals_the_csv(ok, crm, monkeypatch):
    monkeypatch.setenv("SALESCTL_NOW", "2017-07-15T12:00:00")  # --month is June 2017
    doc = ok("report", "--month", "--format", "json")
    in_june = [r for r in crm if r["close_date"].startswith("2017-06")]
    won = [r for r in in_june if r["deal_stage"] == "Won"]
    lost = [r for r in in_june if r["deal_stage"] == "Lost"]
    assert (doc["team"]["won_count"], doc["team"]["lost_count"]) == (len(won), len(lost))
    assert doc["team"]["won_amount"] == sum(int(r["close_value"]) for r in won)
    assert doc["team"]["new_leads"] == sum(1 for r in crm if r["engage_date"].startswith("2017-06"))
    in_may = [r for r in crm if r["close_date"].startswith("2017-05") and r["deal_stage"] == "Won"]
    assert doc["team"]["previous"]["won_count"] == len(in_may)
    # open at 2017-07-01: engaged before it and not closed before it.
    open_then = [
        r
        for r in crm
        if r["engage_date"]
        and r["engage_date"] < "2017-07-01"
        and not (r["close_date"] and r["close_date"] < "2017-07-01")
    ]
    assert doc["team"]["open_count"] == len(open_then)


def test_funnel_equals_the_csv(ok, crm):
    doc = ok("funnel", "--since", "2016-10-01", "--until", "2018-01-01", "--format", "json")
    stages = Counter(r["deal_stage"] for r in crm)
    assert doc["cohort"] == 8800
    assert (doc["won"], doc["lost"], doc["open"]) == (
        stages["Won"],
        stages["Lost"],
        stages["Engaging"] + stages["Prospecting"],
    )
    assert doc["win_rate"] == round(stages["Won"] / (stages["Won"] + stages["Lost"]), 4)
    reached = {s["stage"]: s["reached"] for s in doc["stages"]}
    engaged = stages["Won"] + stages["Lost"] + stages["Engaging"]
    assert reached == {
        "new": 8800,
        "contacted": engaged,
        "quoted": stages["Won"],
        "negotiating": stages["Won"],
        "deciding": stages["Won"],
        "won": stages["Won"],
    }
    contacted = next(s for s in doc["stages"] if s["stage"] == "contacted")
    assert contacted["lost"] == stages["Lost"]
    closed = [r for r in crm if r["close_date"]]
    assert contacted["avg_days_in_stage"] == round(
        sum(days(r["engage_date"], r["close_date"]) for r in closed) / len(closed), 2
    )


def test_per_agent_funnel(ok, crm):
    agent = "Darcel Schlecht"
    mine = [r for r in crm if r["sales_agent"] == agent]
    doc = ok(
        "funnel",
        "--since",
        "2016-10-01",
        "--until",
        "2018-01-01",
        "--rep",
        agent,
        "--format",
        "json",
    )
    won = sum(r["deal_stage"] == "Won" for r in mine)
    lost = sum(r["deal_stage"] == "Lost" for r in mine)
    assert (doc["cohort"], doc["won"], doc["lost"]) == (len(mine), won, lost)
    assert doc["win_rate"] == round(won / (won + lost), 4)
