"""Contract-conformance checks (SPEC.md §2–§8) for promises no other test pinned down.

Each test names the clause it checks. The clock is pinned by conftest (Thursday 2026-11-26 10:00, UTC).
"""

from __future__ import annotations


def test_log_without_next_clears_a_past_follow_up_even_with_a_new_step(ok, monkeypatch):
    """§4 log: "logging without --next clears a follow-up that is now past" — --step alone included."""
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-20T10:00:00")
    ok("add", "Acme", "--next", "2026-11-24", "--step", "call back")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    lead = ok("log", "Acme", "called", "--step", "send the deck", "--format", "json")
    assert lead["next_at"] is None  # the 2026-11-24 follow-up was just done
    assert lead["next_step"] == "send the deck"
    items = ok("today", "--format", "json")["items"]
    assert [i["reasons"] for i in items] == [["no_next_step"]]  # no longer overdue
    assert items[0]["days_overdue"] == 0


def test_a_future_follow_up_survives_a_log_with_only_a_new_step(ok):
    """§4 log: only a past follow-up is cleared; --step alone rewords a future one."""
    ok("add", "Acme", "--next", "2026-11-30", "--step", "call back")
    lead = ok("log", "Acme", "called", "--step", "send the deck", "--format", "json")
    assert lead["next_at"] == "2026-11-30T09:00:00+00:00"
    assert lead["next_step"] == "send the deck"
