"""Contract-conformance checks (docs/reference.md) for promises no other test pinned down.

Each test names the clause it checks. The clock is pinned by conftest (Thursday 2026-11-26 10:00, UTC).
"""

from __future__ import annotations


def test_log_without_next_clears_a_past_follow_up_even_with_a_new_step(ok, monkeypatch):
    """log (docs/reference.md): "logging without --next clears a follow-up that is now past" — --step alone included."""
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
    """log (docs/reference.md): only a past follow-up is cleared; --step alone rewords a future one."""
    ok("add", "Acme", "--next", "2026-11-30", "--step", "call back")
    lead = ok("log", "Acme", "called", "--step", "send the deck", "--format", "json")
    assert lead["next_at"] == "2026-11-30T09:00:00+00:00"
    assert lead["next_step"] == "send the deck"


def test_lead_reference_prefers_an_open_lead_over_a_closed_exact_name(ok):
    """lead reference (docs/reference.md): case-insensitive substring, open leads preferred."""
    ok("add", "Acme", "--value", "5000")
    ok("won", "Acme")
    renewal = ok("add", "Acme renewal", "--format", "json")["id"]
    logged = ok("log", "acme", "called about the renewal", "--format", "json")
    assert logged["id"] == renewal
    assert ok("lead", "show", "ACME", "--format", "json")["id"] == renewal


def test_lead_reference_falls_back_to_closed_leads_and_prefers_the_exact_name_among_them(ok, fails):
    """lead reference (docs/reference.md): with no open match, closed leads are matched (an exact name first)."""
    ok("add", "Acme", "--value", "5000")
    ok("won", "Acme")
    ok("add", "Acme renewal")
    ok("lost", "Acme renewal", "--reason", "price")
    assert ok("lead", "show", "acme", "--format", "json")["id"] == 1
    result = fails(
        "lead", "show", "acm", names=['"acm" matches 2 leads', "#1 Acme", "#2 Acme renewal"]
    )
    assert "[won]" in result.err and "[lost]" in result.err


def test_as_of_takes_a_when(ok, fails, monkeypatch):
    """now (docs/reference.md): the global `--as-of WHEN` pins now; WHEN is the date grammar, relative to the clock
    ($SALESCTL_NOW here: Thursday 2026-11-26 10:00). A bare day means that day's 00:00, as an ISO date."""
    assert (
        ok("--as-of", "yesterday", "today", "--format", "json")["as_of"]
        == "2026-11-25T00:00:00+00:00"
    )
    assert (
        ok("--as-of", "fri 9am", "today", "--format", "json")["as_of"]
        == "2026-11-27T09:00:00+00:00"
    )
    assert ok("--as-of", "+1w", "today", "--format", "json")["as_of"] == "2026-12-03T00:00:00+00:00"
    assert (
        ok("--as-of", "2026-12-01 15:30", "today", "--format", "json")["as_of"]
        == "2026-12-01T15:30:00+00:00"
    )
    assert (
        ok("--as-of", "2026-12-01T15:30", "today", "--format", "json")["as_of"]
        == "2026-12-01T15:30:00+00:00"
    )
    # What happens under --as-of happens then: a lead added "yesterday" is a day old today.
    ok("--as-of", "yesterday 10:00", "add", "Acme")
    assert (
        ok("lead", "show", "Acme", "--format", "json")["created_at"] == "2026-11-25T10:00:00+00:00"
    )
    fails("--as-of", "someday", "today", names=["--as-of", '"someday"'])
    fails("--as-of", "2026-02-30", "today", names=["--as-of", '"2026-02-30"'])


def test_a_bad_salesctl_now_is_named_as_such(fails, monkeypatch):
    """exit codes (docs/reference.md): `Error:` names the field (here the variable) and the bad value."""
    monkeypatch.setenv("SALESCTL_NOW", "soon")
    fails("today", names=["SALESCTL_NOW", '"soon"'])


def test_an_amount_in_another_currency_is_refused_not_relabelled(ok, fails):
    """money (docs/reference.md): `¥5万` is 50,000 CNY; it is never stored as 50,000 of the lead's (or team's) USD."""
    ok("add", "Acme", "--value", "$1,200")
    fails("won", "Acme", "--amount", "¥5万", names=["--amount", '"¥5万"', "CNY", "USD"])
    assert ok("won", "Acme", "--amount", "$1,300", "--format", "json")["won_amount"] == 1300
    fails(
        "add",
        "Beta",
        "--value",
        "¥5万",
        "--currency",
        "USD",
        names=["--value", '"¥5万"', "CNY", "USD"],
    )
    assert ok("add", "Beta", "--value", "¥5万", "--format", "json")["currency"] == "CNY"
    fails(
        "lead",
        "edit",
        "Beta",
        "--value",
        "$10",
        "--currency",
        "CNY",
        names=["--value", '"$10"', "USD", "CNY"],
    )
    fails("target", "set", "¥5万", names=["AMOUNT", '"¥5万"', "CNY", "USD"])
    ok("target", "set", "$50k")
    assert ok("target", "show", "--format", "json")["team"]["target"] == 50000


def test_a_shared_symbol_takes_the_deals_currency(ok, fails):
    """money (docs/reference.md): "$" also writes CAD, so "$1,300" on a CAD deal is 1,300 CAD; "USD 1300" is not."""
    ok("add", "Maple", "--value", "1200", "--currency", "CAD")
    fails("won", "Maple", "--amount", "USD 1300", names=["--amount", "USD", "CAD"])
    won = ok("won", "Maple", "--amount", "$1,300", "--format", "json")
    assert (won["won_amount"], won["currency"]) == (1300, "CAD")


def test_lead_reference_is_case_insensitive_beyond_ascii(ok, fails):
    """lead reference (docs/reference.md): case-insensitive substring of name or company — for Ü, Ω, É as for A."""
    ok("add", "Über Logistik", "--company", "Ωmega Freight")
    ok("add", "École Lumière")
    assert ok("lead", "show", "über", "--format", "json")["id"] == 1
    assert ok("lead", "show", "ωMEGA", "--format", "json")["id"] == 1
    assert (
        ok("log", "école lumière", "called", "--format", "json")["id"] == 2
    )  # the exact name, folded
    ok("add", "Café Müller")
    fails("lead", "show", "Ü", names=['"Ü" matches 2 leads', "#1 Über Logistik", "#3 Café Müller"])
    fails("lead", "show", "ünknown", names=['"ünknown" matches no lead'])


def test_a_reader_that_leaves_early_is_not_an_error(ok, db):
    """exit codes (docs/reference.md): `salesctl export all --format json | head` is not a wrong request (exit 1 needs an
    `Error:`); the reader leaving is success, silently."""
    import os
    import subprocess
    import sys

    ok("demo", "--db", db)
    process = subprocess.Popen(
        [sys.executable, "-m", "salesctl", "export", "all", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert process.stdout.read(100)  # more than a pipe holds is still to come
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, err
    assert "Error" not in err and "Traceback" not in err
