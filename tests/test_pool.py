"""The shared pool (公海, docs/pool.md): unowned leads, claims, releases, recycling and what the rest
of salesctl makes of them. Every outcome below was worked out by hand from the dates given."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ON_POSTGRES, raw_sql


def owner_changes(ok, lead) -> list[tuple]:
    """(change, rep, from, to, reason) of each owner entry of a lead's timeline."""
    timeline = ok("lead", "show", str(lead), "--format", "json")["timeline"]
    return [
        (e["change"], e["rep"], e["from"], e["to"], e["reason"])
        for e in timeline
        if e["type"] == "owner"
    ]


def test_a_lead_added_to_the_pool_is_nobodys_until_claimed(ok, run, fails):
    ok("rep", "add", "bob")
    ok("add", "Acme", "--value", "8k", "--pool")
    ok("add", "Mine")
    lead = ok("lead", "show", "Acme", "--format", "json")
    assert lead["owner"] is None
    assert [x["name"] for x in ok("pool", "--format", "json")] == ["Acme"]
    assert [x["name"] for x in ok("lead", "list", "--format", "json")] == ["Mine"]
    # nobody's today or stalled, even the team's (two weeks later both leads are idle)
    os.environ["SALESCTL_NOW"] = "2026-12-10T10:00:00"
    assert {i["name"] for i in ok("today", "--team", "--format", "json")["items"]} == {"Mine"}
    assert {i["name"] for i in ok("stalled", "--team", "--format", "json")["items"]} == {"Mine"}
    # a pool lead is claimed before anyone works on it
    fails("log", "Acme", "called", names=["lead #1 Acme is in the pool", "salesctl claim 1"])
    fails("move", "Acme", "quoted", names=["in the pool"])
    fails("won", "Acme", names=["in the pool"])
    fails("lead", "edit", "Acme", "--value", "9k", names=["in the pool"])
    os.environ["SALESCTL_REP"] = "bob"
    claimed = ok("claim", "Acme", "--format", "json")
    assert [(x["id"], x["owner"]) for x in claimed] == [(1, "bob")]
    assert ok("pool", "--format", "json") == []
    assert owner_changes(ok, 1) == [("claim", "bob", None, "bob", None)]
    ok("log", "Acme", "called, interested")


def test_add_to_the_pool_with_an_owner_is_refused(ok, fails):
    ok("rep", "add", "bob")
    fails("add", "Acme", "--pool", "--owner", "bob", names=["--pool", "--owner"])


def test_a_claim_of_a_taken_lead_names_who_took_it_and_claims_nothing(ok, fails):
    ok("rep", "add", "bob")
    ok("add", "Acme", "--pool")
    ok("add", "Globex", "--pool")
    os.environ["SALESCTL_REP"] = "bob"
    ok("claim", "1")
    os.environ["SALESCTL_REP"] = "alice"
    # one of the two is taken: neither is claimed
    fails("claim", "2", "1", names=["lead #1 was claimed by bob"])
    assert [x["id"] for x in ok("pool", "--format", "json")] == [2]
    os.environ["SALESCTL_REP"] = "bob"
    fails("claim", "1", names=["lead #1 Acme is already yours"])
    ok("add", "Own")
    os.environ["SALESCTL_REP"] = "alice"
    fails("claim", "Own", names=["lead #3 is not in the pool: bob owns it"])


def test_release_gives_a_lead_back_with_its_reason_and_only_its_owner_or_an_owner_may(ok, fails):
    ok("rep", "add", "bob")
    ok("rep", "add", "carol")
    ok("add", "Acme", "--owner", "bob", "--next", "fri", "--step", "send quote")
    hint = (
        "salesctl team grant REP --login ROLE --owner"
        if ON_POSTGRES
        else "salesctl config set owners NAME,…"
    )
    fails(
        "lead",
        "release",
        "Acme",
        "--reason",
        "x",
        names=['"alice" may not release lead #1', f"(only they or an owner may: {hint})"],
    )
    fails("lead", "release", "Acme", "--reason", "  ", names=["--reason", "is empty"])
    os.environ["SALESCTL_REP"] = "bob"
    released = ok("lead", "release", "Acme", "--reason", "no budget until 2027", "--format", "json")
    assert released["owner"] is None and released["next_step"] == "send quote"
    fails("lead", "release", "Acme", "--reason", "again", names=["already in the pool"])
    os.environ["SALESCTL_REP"] = "carol"
    ok("claim", "Acme")
    # an owner (the owners setting) may release anyone's lead
    ok("config", "set", "owners", "alice")
    os.environ["SALESCTL_REP"] = "alice"
    ok("lead", "release", "Acme", "--reason", "carol is on leave")
    assert owner_changes(ok, 1) == [
        ("release", "bob", "bob", None, "no budget until 2027"),
        ("claim", "carol", None, "carol", None),
        ("release", "alice", "carol", None, "carol is on leave"),
    ]
    ok("add", "Done", "--value", "1k")
    ok("won", "Done")
    fails("lead", "release", "Done", "--reason", "x", names=["is won"])


def test_a_claim_over_the_open_lead_limit_claims_nothing(ok, fails):
    ok("config", "set", "pool.max_open_per_rep", "3")
    ok("add", "Held 1")
    ok("add", "Held 2")
    for name in ("P1", "P2", "P3"):
        ok("add", name, "--pool")
    fails(
        "claim",
        "P1",
        "P2",
        names=["holds 2 open lead(s); claiming 2", "(3)", "nothing was claimed"],
    )
    assert len(ok("pool", "--format", "json")) == 3
    ok("claim", "P1")  # 3 open: at the limit, not over it
    fails("claim", "P2", names=["holds 3 open lead(s)"])
    ok("config", "set", "pool.max_open_per_rep", "off")
    ok("claim", "P2")


@pytest.mark.parametrize(
    "key, value, problem",
    [
        ("pool.release_days.contacted", "0", "from 1 to 3650, or off"),
        ("pool.release_days.contacted", "two weeks", "from 1 to 3650, or off"),
        ("pool.release_days.closing", "14", "is not a stage"),
        ("pool.max_open_per_rep", "-1", "from 1, or off"),
        ("pool.max_open_per_rep", "0", "from 1, or off"),
    ],
)
def test_bad_pool_settings_are_refused(ok, fails, key, value, problem):
    ok("add", "Acme")
    fails("config", "set", key, value, names=[f"config {key}", problem])


def recycling_team(ok) -> None:
    """bob's Acme (contacted, last effective touch Nov 10) and Globex (contacted, touched Nov 20);
    rule: 14 days in contacted."""
    os.environ["SALESCTL_NOW"] = "2026-11-09T09:00:00"
    ok("rep", "add", "bob")
    ok("add", "Acme", "--owner", "bob")
    ok("add", "Globex", "--owner", "bob")
    os.environ["SALESCTL_REP"] = "bob"
    os.environ["SALESCTL_NOW"] = "2026-11-10T09:00:00"
    ok("log", "Acme", "intro call")  # effective: new → contacted
    ok("log", "Globex", "intro call")
    os.environ["SALESCTL_NOW"] = "2026-11-20T09:00:00"
    ok("log", "Globex", "demo booked")
    ok("log", "Acme", "left a voicemail", "--no-effective")  # not effective: the clock runs on
    os.environ["SALESCTL_REP"] = "alice"
    ok("config", "set", "pool.release_days.contacted", "14")


def test_today_warns_three_days_before_a_lead_is_recycled(ok):
    recycling_team(ok)
    os.environ["SALESCTL_REP"] = "bob"
    # Acme is due on Nov 24 09:00 (Nov 10 + 14 days): warned from Nov 21 09:00 on, not before
    os.environ["SALESCTL_NOW"] = "2026-11-21T08:00:00"
    assert all("recycle_soon" not in i["reasons"] for i in ok("today", "--format", "json")["items"])
    os.environ["SALESCTL_NOW"] = "2026-11-21T10:00:00"
    items = {i["name"]: i for i in ok("today", "--format", "json")["items"]}
    assert (
        "recycle_soon" in items["Acme"]["reasons"] and items["Acme"]["recycle_on"] == "2026-11-24"
    )
    assert "Globex" not in items or "recycle_soon" not in items["Globex"]["reasons"]
    assert "to the pool 11-24" in ok("today").out


def test_recycle_returns_idle_leads_records_why_and_tells_the_rep_once(ok):
    recycling_team(ok)
    os.environ["SALESCTL_NOW"] = "2026-11-24T08:59:00"
    assert ok("pool", "recycle", "--dry-run", "--format", "json")["items"] == []
    os.environ["SALESCTL_NOW"] = "2026-11-24T09:00:00"
    dry = ok("pool", "recycle", "--dry-run", "--format", "json")
    assert [(i["name"], i["owner"], i["release_days"]) for i in dry["items"]] == [
        ("Acme", "bob", 14)
    ]
    assert (
        ok("lead", "show", "Acme", "--format", "json")["owner"] == "bob"
    )  # a dry run changes nothing
    done = ok("pool", "recycle", "--format", "json")
    assert done["recycled"] == 1 and not done["dry_run"]
    assert ok("lead", "show", "Acme", "--format", "json")["owner"] is None
    assert ok("lead", "show", "Globex", "--format", "json")["owner"] == "bob"
    reason = "no effective touch for 14 days in contacted (pool.release_days.contacted 14)"
    assert owner_changes(ok, "Acme") == [("recycle", None, "bob", None, reason)]
    assert "salesctl  recycled to the pool from bob" in ok("lead", "show", "Acme").out
    assert ok("pool", "recycle").out == ""  # cron: quiet when nothing is due
    # bob's next digest says so, the one after does not repeat it
    first = ok("remind", "--rep", "bob").out
    assert "1 returned to the pool" in first and "#1 Acme" in first and reason in first
    assert "returned to the pool" not in ok("remind", "--rep", "bob").out


def test_a_claimed_lead_is_not_recycled_for_its_old_silence(ok):
    recycling_team(ok)
    os.environ["SALESCTL_NOW"] = "2026-11-24T09:00:00"
    ok("pool", "recycle")
    os.environ["SALESCTL_NOW"] = "2026-11-25T09:00:00"
    ok("claim", "Acme")  # idle since Nov 10, but alice has it only since Nov 25
    os.environ["SALESCTL_NOW"] = "2026-12-09T08:59:00"
    due = ok("pool", "recycle", "--dry-run", "--format", "json")["items"]
    assert [(i["name"], i["owner"]) for i in due] == [
        ("Globex", "bob")
    ]  # touched Nov 20: due Dec 4
    os.environ["SALESCTL_NOW"] = "2026-12-09T09:00:00"
    due = ok("pool", "recycle", "--format", "json")["items"]
    assert [(i["name"], i["owner"], i["idle_since"][:10]) for i in due] == [
        ("Globex", "bob", "2026-11-20"),
        ("Acme", "alice", "2026-11-25"),
    ]


def test_the_report_counts_claims_releases_and_recycles_per_rep_and_the_pool_as_team_pipeline(ok):
    recycling_team(ok)  # Acme and Globex: contacted, no value
    os.environ["SALESCTL_NOW"] = "2026-11-24T09:00:00"
    ok("pool", "recycle")  # bob loses Acme
    ok("add", "Initech", "--value", "10k", "--pool")  # new, p = 0.05
    os.environ["SALESCTL_NOW"] = "2026-11-25T09:00:00"
    ok("claim", "Acme")  # alice
    os.environ["SALESCTL_REP"] = "bob"
    ok("lead", "release", "Globex", "--reason", "wrong region")
    os.environ["SALESCTL_NOW"] = "2026-11-30T09:00:00"
    report = ok("report", "--week", "--format", "json")  # Nov 23 - Nov 29
    reps = {r["rep"]: (r["claimed"], r["released"], r["recycled"]) for r in report["reps"]}
    assert reps == {"alice": (1, 0, 0), "bob": (0, 1, 1)}
    assert (report["team"]["claimed"], report["team"]["released"], report["team"]["recycled"]) == (
        1,
        1,
        1,
    )
    # at the period's end the pool holds Globex and Initech ($10,000 × 0.05)
    assert report["pool"] == {
        "new_leads": 1,
        "open_count": 2,
        "open_value": 10000,
        "weighted_value": 500,
    }
    assert report["team"]["open_count"] == 3  # Acme (alice) and the pool's two
    assert sum(r["open_count"] for r in report["reps"]) + report["pool"]["open_count"] == 3
    table = ok("report", "--week").out
    assert (
        "Shared pool" in table
        and "In the pool at the period's end: 2 open lead(s), $10,000" in table
    )
    assert ok("report", "--week", "--rep", "bob", "--format", "json")["pool"] is None


def test_the_funnel_counts_pool_leads_in_the_team_cohort(ok):
    ok("add", "Acme")
    ok("add", "Globex", "--pool")
    assert ok("funnel", "--format", "json")["cohort"] == 2


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_pool_empty_sends_ownerless_rows_to_the_pool(ok, fails, tmp_path):
    csv = write(tmp_path, "leads.csv", "name,owner,stage\nA1,bob,new\nA2,,contacted\n")
    ok("import", csv, "--pool-empty")
    assert [(x["name"], x["stage"]) for x in ok("pool", "--format", "json")] == [
        ("A2", "contacted")
    ]
    assert ok("lead", "show", "A1", "--format", "json")["owner"] == "bob"
    # without the flag an empty owner is the importing rep, as before
    ok("import", write(tmp_path, "more.csv", "name,owner\nB1,\n"))
    assert ok("lead", "show", "B1", "--format", "json")["owner"] == "alice"
    closed = write(tmp_path, "won.csv", "name,owner,stage,amount\nC1,,won,5k\nC2,,new,\n")
    fails(
        "import",
        closed,
        "--pool-empty",
        names=['line 2, column "owner"', "only open leads go to the pool"],
    )


def test_export_all_and_import_keep_pool_leads_unowned_with_their_history(ok, tmp_path):
    recycling_team(ok)
    os.environ["SALESCTL_NOW"] = "2026-11-24T09:00:00"
    ok("pool", "recycle")
    ok("add", "Initech", "--pool")
    ok("claim", "Initech")
    ok("lead", "release", "Initech", "--reason", "not for us")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    copy = tmp_path / "copy.db"
    ok("--db", copy, "import", dump)
    assert [x["name"] for x in ok("--db", copy, "pool", "--format", "json")] == ["Acme", "Initech"]
    for name in ("Acme", "Globex", "Initech"):
        args = ("lead", "show", name, "--format", "json")
        assert ok("--db", copy, *args) == ok(*args), name
    doc = json.loads(dump.read_text(encoding="utf-8"))
    assert [(a["kind"], a["reason"]) for a in doc["assignments"]] == [
        ("recycle", "no effective touch for 14 days in contacted (pool.release_days.contacted 14)"),
        ("claim", None),
        ("release", "not for us"),
    ]


@pytest.mark.skipif(ON_POSTGRES, reason="copies the SQLite database to the server and back")
def test_db_copy_keeps_pool_leads_unowned(ok, tmp_path):
    from conftest import PG_SERVER

    if not PG_SERVER:
        pytest.skip("no PostgreSQL server ($SALESCTL_TEST_PG)")
    from conftest import drop_pg_database, new_pg_database, pg_admin  # noqa: F401

    ok("add", "Acme", "--pool")
    ok("add", "Globex")
    url = f"{PG_SERVER}/salesctl_pool_copy_{os.getpid()}"
    pg_admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {url.rsplit('/', 1)[1]}")
    try:
        ok("db", "init", url)
        ok("db", "copy", os.environ["SALESCTL_DB"], url)
        assert [x["name"] for x in ok("--db", url, "pool", "--format", "json")] == ["Acme"]
    finally:
        drop_pg_database(url)


CLAIMER = """
import sys
from salesctl.cli import main
sys.exit(main(["claim", sys.argv[1]]))
"""


def test_two_reps_claiming_the_same_lead_at_once_one_wins_the_other_is_told_who(ok, db):
    """Real concurrent processes, on the engine the suite runs on: for each lead, one claim wins."""
    ok("rep", "add", "bob")
    leads = [ok("add", f"Lead {n}", "--pool", "--format", "json")["id"] for n in range(4)]
    for lead in leads:
        procs = {
            rep: subprocess.Popen(
                [sys.executable, "-c", CLAIMER, str(lead)],
                env={**os.environ, "SALESCTL_DB": str(db), "SALESCTL_REP": rep},
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for rep in ("alice", "bob")
        }
        results = {rep: (p.wait(60), p.stderr.read()) for rep, p in procs.items()}
        winners = [rep for rep, (code, _err) in results.items() if code == 0]
        assert len(winners) == 1, results
        (loser,) = set(results) - set(winners)
        code, err = results[loser]
        assert code == 1 and f"Error: lead #{lead} was claimed by {winners[0]}" in err, results
        assert ok("lead", "show", str(lead), "--format", "json")["owner"] == winners[0]
        assert owner_changes(ok, lead) == [("claim", winners[0], None, winners[0], None)]


def test_a_pool_lead_set_up_behind_salesctls_back_is_listed(ok, db):
    """The schema takes a lead without an owner (migration 0013)."""
    ok("add", "Acme")
    raw_sql(db, "UPDATE leads SET owner_id = NULL WHERE id = 1")
    assert [x["name"] for x in ok("pool", "list", "--format", "json")] == ["Acme"]


def test_the_mailed_report_shows_the_pool_per_rep(ok, tmp_path):
    """The weekly mail (HTML and its text part) carries the same claimed / released / recycled counts."""
    recycling_team(ok)
    os.environ["SALESCTL_NOW"] = "2026-11-24T09:00:00"
    ok("pool", "recycle")
    os.environ["SALESCTL_NOW"] = "2026-11-25T09:00:00"
    ok("claim", "Acme")
    os.environ["SALESCTL_NOW"] = "2026-11-30T09:00:00"
    page = tmp_path / "week.html"
    ok("report", "--week", "--format", "html", "--out", page)
    html = page.read_text(encoding="utf-8")
    assert "Shared pool" in html
    start = html.index("Shared pool")
    section = html[start : html.index("</table>", start)]
    assert [re.sub(r"<[^>]+>", " ", "<tr" + row).split() for row in section.split("<tr")[2:]] == [
        ["alice", "1", "0", "0"],
        ["bob", "0", "0", "1"],
    ]


def test_assignments_and_handoffs_are_kept_with_their_kind(ok):
    ok("rep", "add", "bob")
    ok("rep", "add", "carol")
    ok("add", "Acme")
    ok("add", "Globex", "--pool")
    ok("lead", "assign", "Acme", "--to", "bob")
    ok("lead", "assign", "Globex", "--to", "bob")  # an owner may give a pool lead directly
    ok("handoff", "bob", "carol")
    assert owner_changes(ok, "Acme") == [
        ("assign", "alice", "alice", "bob", None),
        ("handoff", "alice", "bob", "carol", None),
    ]
    assert owner_changes(ok, "Globex") == [
        ("assign", "alice", None, "bob", None),
        ("handoff", "alice", "bob", "carol", None),
    ]


@pytest.mark.parametrize(
    "args, names",
    [
        (("pool", "list", "--sort", "owner"), ["--sort", "owner", "is not a sort field"]),
        (("pool", "list", "--stage", "closing"), ["--stage", "closing", "is not a stage"]),
        (("claim", "99"), ["lead: no lead with id 99"]),
        (("lead", "release", "99", "--reason", "x"), ["lead: no lead with id 99"]),
    ],
)
def test_bad_pool_input_is_refused_and_changes_nothing(ok, fails, args, names):
    ok("add", "Acme", "--pool")
    fails(*args, names=names)


def test_the_pool_settings_survive_export_and_import(ok, tmp_path):
    ok("config", "set", "pool.release_days.contacted", "14")
    ok("config", "set", "pool.release_days.quoted", "21")
    ok("config", "set", "pool.max_open_per_rep", "30")
    ok("config", "set", "pool.release_days.quoted", "off")
    ok("add", "Acme", "--pool")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    copy = tmp_path / "copy.db"
    ok("--db", copy, "import", dump)
    shown = ok("--db", copy, "config", "show", "--format", "json")
    assert shown["pool.release_days"] == {"contacted": 14}
    assert shown["pool.max_open_per_rep"] == 30


def test_the_mailed_digest_tells_the_rep_of_a_recycle_once(ok, smtp_server, monkeypatch):
    """remind --email: the recycle is in the next mail sent to the rep who lost the lead, not after."""
    recycling_team(ok)
    ok("rep", "edit", "bob", "--email", "bob@example.com")
    server = smtp_server()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    os.environ["SALESCTL_NOW"] = "2026-11-24T09:00:00"
    ok("pool", "recycle")
    ok("remind", "--rep", "bob", "--email", "--dry-run")  # a dry run tells nobody anything
    assert server.received == []
    ok("remind", "--rep", "bob", "--email")
    (first,) = server.received
    assert "returned to the pool" in first.message["Subject"]
    assert "#1 Acme" in first.text and "pool.release_days.contacted 14" in first.text
    os.environ["SALESCTL_NOW"] = "2026-11-25T09:00:00"
    ok("log", "Globex", "checking in", "--next", "2026-11-25 08:00", "--step", "call")
    os.environ["SALESCTL_NOW"] = "2026-11-25T10:00:00"
    ok("remind", "--rep", "bob", "--email")
    assert len(server.received) == 2
    assert "pool" not in server.received[1].message["Subject"]
    assert "Acme" not in server.received[1].text
