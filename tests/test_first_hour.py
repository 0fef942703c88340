"""The first hour of a new rep and a new owner (docs/first-hour.md): each test fails without its fix.

The clock is pinned to Thursday 2026-11-26 10:00 UTC and the current rep is alice (tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES, digest, is_new, raw_sql

# How a rep becomes an owner, as refusals say it: a team server grants it with the login.
OWNER_HINT = (
    "salesctl team grant REP --login ROLE --owner"
    if ON_POSTGRES
    else "salesctl config set owners NAME,…"
)


def lead(ok, ref) -> dict:
    return ok("lead", "show", ref, "--format", "json")


def agenda(ok, *args) -> list[tuple]:
    return [(i["lead_id"], i["reasons"]) for i in ok("today", *args, "--format", "json")["items"]]


# --- 1. the demo lives in its own file --------------------------------------------------------------


def demo_file(tmp_path: Path) -> Path:
    return tmp_path / "xdg-data" / "salesctl" / "demo.db"  # XDG_DATA_HOME is tmp_path/xdg-data


def test_demo_goes_to_its_own_file_and_never_into_yours(run, ok, db, tmp_path, monkeypatch):
    monkeypatch.delenv("SALESCTL_REP")
    result = run("demo")
    assert result.code == 0, result.err
    assert demo_file(tmp_path).exists()
    assert is_new(db)  # $SALESCTL_DB, the rep's own database, is not even created
    assert "salesctl --demo today" in result.err and f"rm {demo_file(tmp_path)}" in result.err
    assert ok("--demo", "today", "--format", "json")["rep"] == "maya"
    assert len(ok("--demo", "lead", "list", "--team", "--format", "json")) > 50
    # The first real lead goes to your own database, owned by you, not by the demo's maya.
    monkeypatch.setenv("SALESCTL_REP", "alice")
    assert ok("add", "My first lead").out.strip() == "1"
    (mine,) = ok("lead", "list", "--format", "json")
    assert mine["owner"] == "alice"


def test_demo_is_refused_into_a_database_that_holds_leads(ok, fails, db, tmp_path):
    ok("add", "A real customer")
    fails("--db", db, "demo", names=["demo:", str(db), "already holds leads"])
    fails("demo", "--db", db, names=[str(db), "already holds leads"])
    ok("demo")
    fails("demo", names=[str(demo_file(tmp_path)), "already holds leads"])


def test_demo_with_db_suggests_the_command_with_that_db(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("demo", "--db", "demo.db")
    assert result.code == 0, result.err
    assert "salesctl --db demo.db today" in result.err
    assert "Try: salesctl today" not in result.err
    assert (tmp_path / "demo.db").exists()


def test_demo_into_the_databases_url_says_how_to_remove_it_there(run, db):
    """A team server's database is not a file: the demo does not tell you to `rm` its URL."""
    result = run("demo", "--db", db)
    assert result.code == 0, result.err
    assert f"salesctl --db {db} today" in result.err
    if ON_POSTGRES:
        assert (
            "To remove the demo, drop that database (dropdb, as the role that created it)."
            in result.err
        )
        assert "rm postgresql" not in result.err
    else:
        assert f"To remove the demo: rm {db}*" in result.err


def test_demo_and_db_together_are_refused(fails, db):
    fails("--demo", "--db", db, "today", names=["--demo", "--db"])


# --- 2. --next keeps the step; one rule for log and lead edit ----------------------------------------


def test_log_next_alone_keeps_the_step(ok):
    ok("add", "Demo", "--next", "fri", "--step", "send quote")
    after = ok("log", "Demo", "no answer", "--no-effective", "--next", "mon", "--format", "json")
    assert after["next_step"] == "send quote" and after["next_at"].startswith("2026-11-30T09:00")
    renamed = ok(
        "log",
        "Demo",
        "emailed",
        "--kind",
        "email",
        "--step",
        "send the revised quote",
        "--format",
        "json",
    )
    assert renamed["next_step"] == "send the revised quote" and renamed["next_at"].startswith(
        "2026-11-30T09:00"
    )


def test_a_follow_up_cleared_by_logging_takes_its_step(ok):
    ok("add", "Due", "--next", "today 09:00", "--step", "call back")
    done = ok("log", "Due", "called back", "--format", "json")
    assert (done["next_at"], done["next_step"]) == (None, None)


def test_lead_edit_follows_the_same_rule(ok):
    ok("add", "Edit", "--next", "fri", "--step", "send quote")
    moved = ok("lead", "edit", "Edit", "--next", "mon", "--format", "json")
    assert moved["next_step"] == "send quote" and moved["next_at"].startswith("2026-11-30")
    cleared = ok("lead", "edit", "Edit", "--next", "", "--format", "json")
    assert (cleared["next_at"], cleared["next_step"]) == (None, None)


# --- 5. who am I? ------------------------------------------------------------------------------------


def test_a_current_rep_who_does_not_exist_gets_a_note_naming_the_reps(ok, monkeypatch):
    ok("rep", "add", "李娜")
    monkeypatch.setenv("SALESCTL_REP", "李娜")
    ok("add", "Acme", "--next", "today 15:00")
    monkeypatch.setenv("SALESCTL_REP", "lina")
    for args in (("today",), ("stalled",), ("lead", "list")):
        result = ok(*args)
        assert 'no rep "lina" yet; reps: 李娜' in result.err, args
        assert "set SALESCTL_REP or config set default_rep" in result.err
        assert "no rep" not in result.out


def test_no_note_on_an_empty_database_or_for_a_known_rep(ok):
    assert "no rep" not in ok("today").err  # nobody yet: nothing to point at
    ok("add", "Acme")
    assert "no rep" not in ok("today").err


# --- 6. lead list scope -------------------------------------------------------------------------------


def test_lead_list_shows_your_leads_unless_asked(ok, fails):
    ok("rep", "add", "bob")
    ok("rep", "add", "carol")
    ok("add", "Mine")
    ok("add", "Bobs", "--owner", "bob")
    ok("add", "Carols", "--owner", "carol")

    def names(*args):
        return [x["name"] for x in ok("lead", "list", *args, "--format", "json")]

    assert names() == ["Mine"]
    assert names("--rep", "bob") == ["Bobs"]
    assert names("--owner", "bob", "--owner", "carol") == [
        "Bobs",
        "Carols",
    ]  # repeatable, both kept
    assert names("--rep", "bob", "--owner", "alice") == ["Mine", "Bobs"]
    assert names("--team") == ["Mine", "Bobs", "Carols"]
    fails("lead", "list", "--team", "--rep", "bob", names=["--team"])
    fails("lead", "list", "--owner", "nobody", names=["--owner", "nobody"])


def test_help_says_what_the_default_scope_is(ok):
    assert "Default: yours" in ok("lead", "list", "--help").out
    for command in ("funnel", "report"):
        text = " ".join(ok(command, "--help").out.split())
        assert "default: the whole team" in text, command
        assert "default: you," not in text, command


# --- 7. dates people type ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when, expected",
    [
        ("12-02", "2026-12-02T09:00"),
        ("11-20", "2027-11-20T09:00"),  # a follow-up on a day already past this year: next year's
        ("2026/12/02", "2026-12-02T09:00"),
        ("2026.12.02", "2026-12-02T09:00"),
        ("Dec 2", "2026-12-02T09:00"),
        ("2 dec", "2026-12-02T09:00"),
        ("December 2", "2026-12-02T09:00"),
        ("dec 2 15:30", "2026-12-02T15:30"),
        ("tmrw", "2026-11-27T09:00"),
    ],
)
def test_dates_people_type_are_accepted(ok, when, expected):
    added = ok("add", "X", "--next", when, "--format", "json")
    assert added["next_at"].startswith(expected)


def test_month_day_is_this_year_outside_follow_ups_and_ambiguous_dates_stay_refused(ok, fails):
    assert ok("add", "X", "--close-by", "03-01", "--format", "json")["close_by"] == "2026-03-01"
    fails("add", "Y", "--next", "03/04/2026", names=["--next", "03/04/2026", "ambiguous"])
    fails("add", "Y", "--next", "03/04", names=["--next", "ambiguous"])
    fails("add", "Y", "--next", "feb 30", names=["--next", "not a real date"])


# --- 8. misspelt options ------------------------------------------------------------------------------


def test_a_misspelt_option_after_a_lead_is_named_with_the_nearest_match(ok, run):
    ok("add", "Acme", "--value", "5k")
    result = run("won", "1", "--amout", "5k")
    assert result.code == 2
    assert "No such option: --amout (did you mean --amount?)" in result.err
    assert "extra argument" not in result.err
    assert "did you mean --value?" in run("add", "X", "--vaule", "3").err
    assert "did you mean --next?" in run("log", "acme", "called", "--nxt", "fri").err
    assert "did you mean --no-effective?" in run("log", "1", "x", "--no-efective").err
    assert lead(ok, "1")["stage"] == "new"  # nothing ran


def test_every_command_names_an_unknown_option(run):
    import typer

    from salesctl.cli import _register, app

    _register()
    root = typer.main.get_command(app)

    def leaves(command, path):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from leaves(sub, [*path, name])
        else:
            yield path

    paths = list(leaves(root, []))
    assert len(paths) > 30
    for path in paths:
        result = run(*path, "1", "--bogus-option")
        assert result.code == 2 and "No such option: --bogus-option" in result.err, (
            path,
            result.err,
        )


def test_negative_numbers_and_offsets_stay_values(ok, fails):
    ok("add", "Acme", "--created", "-1d")
    ok("log", "1", "called", "--at", "-1h")
    fails("lead", "show", "-5", names=['"-5" matches no lead'])


# --- 9. snooze means quiet ----------------------------------------------------------------------------


def test_a_snoozed_lead_is_quiet_in_today_except_for_an_appointment(ok, monkeypatch):
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-10T10:00:00")
    ok("add", "Quiet")  # 1: no follow-up
    ok("add", "Booked", "--next", "2026-11-30 10:00")  # 2: an appointment later on
    ok("snooze", "1", "+4w")
    ok("snooze", "2", "+4w")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    assert (
        agenda(ok) == []
    )  # both idle 16 days, both snoozed: no no_next_step, no untouched, no stalled
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-30T08:00:00")
    assert agenda(ok) == [(2, ["due_today"])]  # the appointment, and only that reason
    monkeypatch.setenv("SALESCTL_NOW", "2026-12-09T10:00:00")  # the snooze ended on 12-08
    assert {i for i, _ in agenda(ok)} == {1, 2}


def test_a_stalled_row_shows_its_booked_follow_up(ok, monkeypatch):
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-10T10:00:00")
    ok("add", "Idle", "--next", "2026-12-04 10:00")
    ok("log", "Idle", "called")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    assert "idle 16d, next 12-04" in ok("today").out
    (item,) = ok("stalled", "--format", "json")["items"]
    assert item["next_at"].startswith("2026-12-04T10:00")
    assert "12-04" in ok("stalled").out


# --- 10. mistakes can be fixed ------------------------------------------------------------------------


def activities(ok, ref) -> list[dict]:
    return [e for e in lead(ok, ref)["timeline"] if e["type"] == "activity"]


def test_an_activity_can_be_edited_and_deleted_and_the_timeline_keeps_a_note(
    ok, fails, monkeypatch
):
    ok("add", "Acme", "--created", "yesterday")
    ok("log", "Acme", "called, wants 20 seats", "--at", "09:30")
    ok("log", "Acme", "wrong lead, oops", "--kind", "meeting")
    first, second = activities(ok, "Acme")
    ok("activity", "edit", first["id"], "--note", "called, wants 25 seats", "--kind", "visit")
    assert activities(ok, "Acme")[0]["note"] == "called, wants 25 seats"
    assert activities(ok, "Acme")[0]["kind"] == "visit"
    fails("activity", "delete", second["id"], names=["--yes"])
    ok("activity", "delete", second["id"], "--yes")
    timeline = lead(ok, "Acme")["timeline"]
    assert [e["id"] for e in timeline if e["type"] == "activity"] == [first["id"]]
    (removed,) = [e for e in timeline if e["type"] == "removed"]
    assert (removed["id"], removed["note"], removed["rep"]) == (
        second["id"],
        "wrong lead, oops",
        "alice",
    )
    assert "removed meeting" in ok("lead", "show", "Acme").out
    fails("activity", "edit", first["id"], "--note", "  ", names=["--note", "is empty"])
    fails("activity", "delete", "999", "--yes", names=["no activity with id 999"])


def test_only_the_activitys_rep_or_an_owner_may_change_it(ok, fails, monkeypatch):
    ok("add", "Acme")
    ok("log", "Acme", "alice's call")
    (activity,) = activities(ok, "Acme")
    ok("rep", "add", "bob")
    ok("rep", "add", "olga")
    monkeypatch.setenv("SALESCTL_REP", "bob")
    fails(
        "activity",
        "delete",
        activity["id"],
        "--yes",
        names=['"bob" may not delete', "logged by alice", OWNER_HINT],
    )
    fails("activity", "edit", activity["id"], "--note", "x", names=['"bob" may not edit'])
    ok("config", "set", "owners", "olga")
    monkeypatch.setenv("SALESCTL_REP", "olga")
    ok("activity", "edit", activity["id"], "--note", "fixed by the owner")
    ok("activity", "delete", activity["id"], "--yes")
    assert activities(ok, "Acme") == []


def test_deleting_an_activity_recomputes_the_last_touch(ok):
    ok("add", "Acme", "--created", "2026-11-20 09:00")
    ok("log", "Acme", "first", "--at", "2026-11-21 09:00")
    ok("log", "Acme", "by mistake")
    last = activities(ok, "Acme")[-1]
    ok("activity", "delete", last["id"], "--yes")
    assert lead(ok, "Acme")["last_activity_at"].startswith("2026-11-21T09:00")


def test_an_empty_note_is_refused(ok, fails):
    ok("add", "Acme")
    fails("log", "1", "", names=["NOTE", "is empty"])
    fails("log", "1", "   ", names=["NOTE", "is empty"])


def test_adding_the_same_open_lead_again_warns_unless_allowed(ok):
    ok("add", "陈静", "--company", "上海云帆")
    again = ok("add", "陈静", "--company", "上海云帆")
    assert again.out.strip() == "2"  # added: a warning, not a refusal
    assert "#1 陈静 (上海云帆)" in again.err and "--allow-duplicate" in again.err
    assert ok("add", "陈静", "--company", "上海云帆", "--allow-duplicate").err == ""
    assert ok("add", "陈静", "--company", "北京智造").err == ""  # another company: another person


# --- 14. a lead's real history -------------------------------------------------------------------------


def test_add_created_records_when_the_lead_was_met(ok, fails):
    added = ok("add", "Met at the expo", "--created", "2026-11-19 15:00", "--format", "json")
    assert added["created_at"] == "2026-11-19T15:00:00+00:00"
    assert lead(ok, "1")["timeline"][0] == {
        "type": "stage",
        "at": "2026-11-19T15:00:00+00:00",
        "rep": "alice",
        "from": None,
        "to": "new",
    }
    fails("add", "Later", "--created", "tomorrow", names=["--created", "tomorrow", "future"])


def test_a_won_lead_takes_an_after_sale_follow_up_shown_in_today(ok, fails, monkeypatch):
    ok("add", "Acme", "--value", "5k")
    ok("won", "Acme")
    booked = ok(
        "log",
        "Acme",
        "delivered, happy",
        "--next",
        "mon",
        "--step",
        "account care call",
        "--format",
        "json",
    )
    assert booked["stage"] == "won" and booked["next_step"] == "account care call"
    assert agenda(ok) == []  # not due yet
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-30T10:00:00")
    assert agenda(ok) == [(1, ["after_sale"])]
    assert "after sale" in ok("today").out
    ok("log", "Acme", "account care call done")  # the follow-up done: cleared, the lead stays won
    assert agenda(ok) == [] and lead(ok, "Acme")["stage"] == "won"
    ok("add", "Gone")
    ok("lost", "Gone", "--reason", "price")
    fails("log", "Gone", "hello", "--next", "fri", names=["lost", "reopen"])


# --- 15. small things ----------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--next", "--close-by", "--created"])
def test_an_empty_when_on_add_is_refused(fails, option):
    fails("add", "X", option, "", names=[option, "is empty"])


def test_the_license_is_an_spdx_expression():
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"


def test_a_refused_demo_changes_nothing(ok, run, db):
    ok("add", "Real")
    before = digest(db)
    assert run("demo", "--db", db).code == 1
    assert digest(db) == before
    assert raw_sql(db, "SELECT count(*) FROM leads")[0][0] == 1
