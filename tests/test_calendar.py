"""`salesctl calendar`: the .ics feed of scheduled follow-ups, read back with two independent parsers."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import vobject
from conftest import is_new, mode


@pytest.fixture
def team(ok):
    """alice (the current rep) with three scheduled follow-ups and one without; bob with one."""
    ok("config", "set", "timezone", "Asia/Shanghai")
    ok("rep", "add", "bob")
    ok(
        "add",
        "Li Wei",
        "--company",
        "北京智造",
        "--value",
        "5万",
        "--next",
        "tomorrow 10:00",
        "--step",
        "intro call",
    )
    ok(
        "add", "Acme", "--next", "2026-11-20 15:00", "--step", "send quote"
    )  # overdue (today is 2026-11-26)
    ok("add", "Globex", "--next", "+2w", "--step", "demo")
    ok("add", "No plan")
    ok("add", "Bob's deal", "--owner", "bob", "--next", "tomorrow", "--step", "call bob's lead")
    ok(
        "log",
        "Li Wei",
        "wants a quote by Friday",
        "--next",
        "tomorrow 10:00",
        "--step",
        "intro call",
    )


def feed(ok, *args) -> bytes:
    return ok("calendar", *args).out.encode("utf-8")


def events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_one_event_per_follow_up_of_mine_readable_by_two_parsers(ok, team):
    data = feed(ok)
    found = events(data)
    assert sorted(found) == [
        "OVERDUE: send quote – Acme",
        "demo – Globex",
        "intro call – Li Wei (北京智造)",
    ]
    uids = [str(e["uid"]) for e in found.values()]
    assert len(set(uids)) == 3 and all(u.startswith("lead-") for u in uids)
    # An independent parser reads the same events, times and zones.
    parsed = vobject.readOne(data.decode("utf-8"))
    assert sorted(e.uid.value for e in parsed.vevent_list) == sorted(uids)
    intro = next(e for e in parsed.vevent_list if e.summary.value.startswith("intro call"))
    assert intro.dtstart.value == datetime(2026, 11, 27, 10, 0, tzinfo=intro.dtstart.value.tzinfo)
    assert intro.dtstart.value.utcoffset() == timedelta(hours=8)
    assert intro.categories.value == ["contacted"]


def test_never_another_reps_leads_unless_team(ok, team):
    assert not any("bob" in s for s in events(feed(ok)))
    assert "call bob's lead – Bob's deal" in events(feed(ok, "--rep", "bob"))
    assert len(events(feed(ok, "--team"))) == 4


def test_event_details_zone_alarm_description(ok, team):
    data = feed(ok)
    cal = icalendar.Calendar.from_ical(data)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    intro = events(data)["intro call – Li Wei (北京智造)"]
    assert b"DTSTART;TZID=Asia/Shanghai:20261127T100000" in data
    alarm = intro.subcomponents[0]
    assert alarm.name == "VALARM" and alarm["trigger"].dt == timedelta(minutes=-15)
    description = str(intro["description"])
    assert "Stage: contacted" in description and "Value: $50,000" in description
    assert (
        "Last note: wants a quote by Friday" in description
        and "salesctl lead show 1" in description
    )
    # The reminder is a setting; 0 means none.
    ok("config", "set", "alarm_minutes", "5")
    intro = events(feed(ok))["intro call – Li Wei (北京智造)"]
    assert intro.subcomponents[0]["trigger"].dt == timedelta(minutes=-5)
    ok("config", "set", "alarm_minutes", "0")
    assert not events(feed(ok))["intro call – Li Wei (北京智造)"].subcomponents


def test_overdue_follow_up_sits_on_today_marked(ok, team):
    overdue = events(feed(ok))["OVERDUE: send quote – Acme"]
    assert overdue.decoded("dtstart") == date(2026, 11, 26)
    assert "overdue" in [str(c) for c in overdue["categories"].cats]
    assert "Overdue since 2026-11-20 15:00" in str(overdue["description"])


def test_uids_stable_and_a_moved_follow_up_updates_its_event(ok, team, monkeypatch):
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:15:00")
    data = feed(ok)
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:30:00")
    assert feed(ok) == data  # nothing changed: the same file, byte for byte (sync tools stay quiet)
    first = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    again = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(feed(ok)).walk("VEVENT")}
    assert first.keys() == again.keys()
    assert all(first[u]["sequence"] == again[u]["sequence"] for u in first)
    globex_uid = next(u for u, e in first.items() if "Globex" in str(e["summary"]))
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-27T11:00:00")
    ok("lead", "edit", "Globex", "--next", "2026-12-01 14:00")
    moved = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(feed(ok)).walk("VEVENT")}
    assert moved.keys() == first.keys()  # the same event, not a new one
    assert moved[globex_uid]["sequence"] > first[globex_uid]["sequence"]
    assert moved[globex_uid].decoded("last-modified") == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert moved[globex_uid].decoded("dtstart").replace(tzinfo=None) == datetime(2026, 12, 1, 14, 0)
    # Done (logged once due) or closed: the event disappears.
    monkeypatch.setenv("SALESCTL_NOW", "2026-12-01T15:00:00")
    ok("log", "Globex", "demo done")
    ok("won", "Acme", "--amount", "100")
    left = {str(e["summary"]) for e in icalendar.Calendar.from_ical(feed(ok)).walk("VEVENT")}
    assert left == {"OVERDUE: intro call – Li Wei (北京智造)"}


def test_days_limits_how_far_ahead(ok, team):
    assert "demo – Globex" not in events(feed(ok, "--days", "7"))
    assert "demo – Globex" in events(feed(ok, "--days", "14"))


def test_out_file_private_and_replaced_whole(ok, team, tmp_path):
    target = tmp_path / "feed.ics"
    target.write_text("old")
    target.chmod(0o644)
    result = ok("calendar", "--out", target)
    assert result.out == "" and "Wrote 3 follow-up(s)" in result.err
    assert mode(target) == 0o600
    assert len(events(target.read_bytes())) == 3
    assert (
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".feed")) == []
    )  # no temporary left


def test_bad_calendar_requests(fails, ok, team, tmp_path):
    fails("calendar", "--rep", "carol", names=['--rep: "carol" is not a rep'])
    fails("calendar", "--rep", "bob", "--team", names=["--team"])
    fails("calendar", "--out", tmp_path / "missing" / "f.ics", names=["--out", "does not exist"])
    fails("calendar", "--days", "0", code=2)
    fails("config", "set", "alarm_minutes", "soon", names=['config alarm_minutes: "soon"'])
    fails(
        "config",
        "set",
        "cadence_ends_on_move",
        "maybe",
        names=['config cadence_ends_on_move: "maybe"'],
    )


def test_empty_database_gives_an_empty_valid_calendar(ok, db):
    data = feed(ok)
    assert is_new(db)
    assert events(data) == {} and vobject.readOne(data.decode()).name == "VCALENDAR"


def test_icalendar_loads_only_for_the_calendar_command(tmp_path):
    code = (
        "import sys; from salesctl.cli import main; main(sys.argv[1:]);"
        "print('icalendar' in sys.modules, file=sys.stderr)"
    )
    for args, loaded in ((["lead", "list", "--format", "json"], "False"), (["calendar"], "True")):
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert result.stderr.strip().endswith(loaded), result.stderr


def test_each_database_has_its_own_calendar_id(ok, tmp_path):
    uids = []
    for name in ("one.db", "two.db"):
        ok("--db", tmp_path / name, "add", "Acme", "--next", "tomorrow")
        (event,) = events(ok("--db", tmp_path / name, "calendar").out.encode()).values()
        uids.append(str(event["uid"]))
    assert uids[0].startswith("lead-1@") and uids[1].startswith("lead-1@") and uids[0] != uids[1]
