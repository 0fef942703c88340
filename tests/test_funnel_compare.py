"""`funnel --compare`: an earlier cohort beside this one, on the hand-worked history of test_figures.py.

Today is 2026-11-26. The November cohort (L2…L7) reaches new 6, contacted 4, quoted 3, negotiating 2,
deciding 1, won 1: conversions 4/6, 3/4, 2/3, 1/2, 1. The October cohort (L8 created 10-01, L1 10-05)
was won twice, L8 skipping contacted (which counts as passing it): reached 2 at every stage, every
conversion 1. Changes: −0.3333, −0.25, −0.3333, −0.5, 0 — negotiating got worse most.
"""

from __future__ import annotations

import pytest
from test_figures import build_history


@pytest.fixture
def history(db):
    return build_history(db)


def test_this_month_beside_the_last(ok, history):
    doc = ok("funnel", "--compare", "month", "--format", "json")
    assert (
        doc["since"] == "2026-11-01T00:00:00+00:00" and doc["until"] == "2026-11-27T00:00:00+00:00"
    )
    assert (
        doc["compare"]["since"] == "2026-10-01T00:00:00+00:00"
        and doc["compare"]["until"] == doc["since"]
    )
    assert (doc["cohort"], doc["compare"]["cohort"]) == (6, 2)
    stages = {s["stage"]: s for s in doc["stages"]}
    assert [s["previous_reached"] for s in stages.values()] == [2] * 6
    assert [s["previous_conversion"] for s in stages.values()] == [1.0] * 5 + [None]
    assert [s["conversion_change"] for s in stages.values()] == [
        -0.3333,
        -0.25,
        -0.3333,
        -0.5,
        0.0,
        None,
    ]
    assert doc["worst_stage"] == "negotiating"
    table = ok("funnel", "--compare", "month").out
    assert "Compared with 2 lead(s) created" in table and "Got worse most: negotiating." in table
    assert "-50 pts" in table


def test_this_quarter_beside_the_last(ok, history):
    doc = ok("funnel", "--compare", "quarter", "--format", "json")
    assert doc["since"] == "2026-10-01T00:00:00+00:00"
    assert doc["compare"]["since"] == "2026-07-01T00:00:00+00:00" and doc["compare"]["cohort"] == 0
    assert doc["cohort"] == 8 and doc["worst_stage"] is None  # nothing to be worse than
    assert all(s["conversion_change"] is None for s in doc["stages"])


def test_the_span_before_since_until(ok, history):
    doc = ok(
        "funnel",
        "--since",
        "2026-11-01",
        "--until",
        "2026-12-01",
        "--compare",
        "previous",
        "--format",
        "json",
    )
    assert (
        doc["compare"]["since"] == "2026-10-02T00:00:00+00:00" and doc["compare"]["cohort"] == 1
    )  # L1 only


def test_quarter_with_since_is_refused(ok, fails, history):
    fails(
        "funnel",
        "--compare",
        "quarter",
        "--since",
        "2026-11-01",
        names=("--compare", "quarter", "--since"),
    )


def test_a_change_that_rounds_to_nothing_is_shown_as_plus_zero_never_minus_zero(ok, db):
    """The demo's quarters: contacted converted 78.43% before and 78.38% now."""
    ok("demo", "--db", db)
    doc = ok("--db", db, "funnel", "--compare", "quarter", "--format", "json")
    contacted = next(s for s in doc["stages"] if s["stage"] == "contacted")
    assert -0.005 < contacted["conversion_change"] < 0
    out = ok("--db", db, "funnel", "--compare", "quarter").out
    assert "-0 pts" not in out
    (line,) = [row for row in out.splitlines() if row.startswith("contacted") and "pts" in row]
    assert line.endswith("+0 pts")
