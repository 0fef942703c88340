"""Tests for salesctl.dates: the WHEN grammar, the pinned now, zones, and the UTC storage format."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from salesctl import dates
from salesctl.dates import (
    from_db,
    local_date,
    local_zone,
    parse_day,
    parse_now,
    parse_when,
    start_of_day,
    to_db,
    to_local_iso,
    zone,
)
from salesctl.errors import Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
# Thursday 2026-11-26 14:00 local in each zone.
NOW_SH = datetime(2026, 11, 26, 14, 0, tzinfo=SHANGHAI)
NOW_NY = datetime(2026, 11, 26, 14, 0, tzinfo=NEW_YORK)


def when(text, now=NOW_SH, tz=SHANGHAI, **kw):
    """parse_when shown as local ISO time, which is how the expectations below read."""
    result = parse_when(text, now=now, tz=tz, field="--next", **kw)
    assert result.tzinfo is UTC
    return result.astimezone(tz).isoformat()


def sh(local):
    return f"2026-{local}:00+08:00" if len(local) == 11 else f"{local}:00+08:00"


# ---- good forms, Asia/Shanghai, now = Thu 2026-11-26 14:00 ----------------------------------------

GOOD_SHANGHAI = [
    ("now", "11-26T14:00"),
    ("today", "11-26T09:00"),
    ("tomorrow", "11-27T09:00"),
    ("yesterday", "11-25T09:00"),
    ("fri", "11-27T09:00"),
    ("friday", "11-27T09:00"),
    ("sat", "11-28T09:00"),
    ("saturday", "11-28T09:00"),
    ("sun", "11-29T09:00"),
    ("sunday", "11-29T09:00"),
    ("mon", "11-30T09:00"),
    ("monday", "11-30T09:00"),
    ("tue", "12-01T09:00"),
    ("tues", "12-01T09:00"),
    ("tuesday", "12-01T09:00"),
    ("wed", "12-02T09:00"),
    ("wednesday", "12-02T09:00"),
    # Today is Thursday: "thu" is next week's, never today.
    ("thu", "12-03T09:00"),
    ("thur", "12-03T09:00"),
    ("thurs", "12-03T09:00"),
    ("thursday", "12-03T09:00"),
    ("next week", "11-30T09:00"),
    ("eod", "11-26T23:59"),
    ("eow", "11-29T23:59"),
    ("eom", "11-30T23:59"),
    ("eoy", "12-31T23:59"),
    ("+0d", "11-26T09:00"),
    ("+3d", "11-29T09:00"),
    ("-2d", "11-24T09:00"),
    ("+2w", "12-10T09:00"),
    ("-1w", "11-19T09:00"),
    ("+1m", "12-26T09:00"),
    ("-1m", "10-26T09:00"),
    ("+1y", "2027-11-26T09:00"),
    ("+3h", "11-26T17:00"),
    ("-3h", "11-26T11:00"),
    ("+12h", "11-27T02:00"),
    ("in 3 days", "11-29T09:00"),
    ("in 1 day", "11-27T09:00"),
    ("in 2 weeks", "12-10T09:00"),
    ("in 1 week", "12-03T09:00"),
    ("in 1 month", "12-26T09:00"),
    ("in 2 months", "2027-01-26T09:00"),
    ("in 1 year", "2027-11-26T09:00"),
    ("in 3 hours", "11-26T17:00"),
    ("in 1 hour", "11-26T15:00"),
    ("2026-12-01", "12-01T09:00"),
    ("2026-12-01 15:30", "12-01T15:30"),
    ("2026-12-01T15:30", "12-01T15:30"),
    ("2026-12-01t15:30", "12-01T15:30"),
    ("2026-12-01 15:30:00", "12-01T15:30"),
    ("2026-1-5", "2026-01-05T09:00"),
    ("2030-06-15", "2030-06-15T09:00"),
    ("tomorrow 10:00", "11-27T10:00"),
    ("fri 9am", "11-27T09:00"),
    ("fri 9:30pm", "11-27T21:30"),
    ("fri 9 am", "11-27T09:00"),
    ("fri at 9am", "11-27T09:00"),
    ("2026-12-01 3pm", "12-01T15:00"),
    ("+3d 14:00", "11-29T14:00"),
    ("in 3 days 8:05", "11-29T08:05"),
    ("next week 10:00", "11-30T10:00"),
    ("eom 17:00", "11-30T17:00"),
    ("eod 18:00", "11-26T18:00"),
    ("yesterday 0:00", "11-25T00:00"),
    ("15:30", "11-26T15:30"),
    ("9am", "11-26T09:00"),
    ("9:05", "11-26T09:05"),
    ("12am", "11-26T00:00"),
    ("12pm", "11-26T12:00"),
    ("12:30am", "11-26T00:30"),
    ("11:59pm", "11-26T23:59"),
    ("23:59", "11-26T23:59"),
    ("0:00", "11-26T00:00"),
    ("  FRI   9AM  ", "11-27T09:00"),
    ("Tomorrow 10:00", "11-27T10:00"),
    ("NEXT  Week", "11-30T09:00"),
    ("IN 3 DAYS", "11-29T09:00"),
    ("\tEOM\n", "11-30T23:59"),
]


@pytest.mark.parametrize(("text", "expected"), GOOD_SHANGHAI)
def test_when_in_shanghai(text, expected):
    assert when(text) == sh(expected)


# ---- good forms, America/New_York, now = Thu 2026-11-26 14:00 EST, and across DST ------------------

NOW_NY_BEFORE_FALL_BACK = datetime(
    2026, 10, 31, 14, 0, tzinfo=NEW_YORK
)  # Sat, EDT; Sun 11-01 is EST
NOW_NY_BEFORE_SPRING = datetime(2027, 3, 13, 14, 0, tzinfo=NEW_YORK)  # Sat, EST; Sun 03-14 is EDT

GOOD_NEW_YORK = [
    ("now", NOW_NY, "2026-11-26T14:00:00-05:00"),
    ("tomorrow", NOW_NY, "2026-11-27T09:00:00-05:00"),
    ("fri 9:30pm", NOW_NY, "2026-11-27T21:30:00-05:00"),
    ("eow", NOW_NY, "2026-11-29T23:59:00-05:00"),
    ("+1m", NOW_NY, "2026-12-26T09:00:00-05:00"),
    ("+3h", NOW_NY, "2026-11-26T17:00:00-05:00"),
    # A calendar day keeps the wall clock across the change; 24 hours does not.
    ("+1d", NOW_NY_BEFORE_FALL_BACK, "2026-11-01T09:00:00-05:00"),
    ("tomorrow", NOW_NY_BEFORE_FALL_BACK, "2026-11-01T09:00:00-05:00"),
    ("+24h", NOW_NY_BEFORE_FALL_BACK, "2026-11-01T13:00:00-05:00"),
    # 01:30 happens twice on fall-back day: the first (EDT) one is taken.
    ("tomorrow 1:30", NOW_NY_BEFORE_FALL_BACK, "2026-11-01T01:30:00-04:00"),
    ("+1d", NOW_NY_BEFORE_SPRING, "2027-03-14T09:00:00-04:00"),
    ("+24h", NOW_NY_BEFORE_SPRING, "2027-03-14T15:00:00-04:00"),
    # 02:30 does not exist on spring-forward day: it moves forward to 03:30 EDT.
    ("2027-03-14 02:30", NOW_NY_BEFORE_SPRING, "2027-03-14T03:30:00-04:00"),
    ("tomorrow 2:30am", NOW_NY_BEFORE_SPRING, "2027-03-14T03:30:00-04:00"),
]


@pytest.mark.parametrize(("text", "now", "expected"), GOOD_NEW_YORK)
def test_when_in_new_york(text, now, expected):
    assert when(text, now=now, tz=NEW_YORK) == expected


def test_spring_forward_gap_in_utc():
    result = parse_when("2027-03-14 02:30", now=NOW_NY_BEFORE_SPRING, tz=NEW_YORK, field="--at")
    assert to_db(result) == "2027-03-14T07:30:00Z"


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (datetime(2027, 1, 31, 12, tzinfo=SHANGHAI), "+1m", "2027-02-28T09:00:00+08:00"),
        (datetime(2028, 1, 31, 12, tzinfo=SHANGHAI), "+1m", "2028-02-29T09:00:00+08:00"),
        (datetime(2028, 2, 29, 12, tzinfo=SHANGHAI), "+1y", "2029-02-28T09:00:00+08:00"),
        (datetime(2027, 3, 31, 12, tzinfo=SHANGHAI), "-1m", "2027-02-28T09:00:00+08:00"),
        # On a Sunday, eow is today and "sun" is a week away.
        (datetime(2026, 11, 29, 12, tzinfo=SHANGHAI), "eow", "2026-11-29T23:59:00+08:00"),
        (datetime(2026, 11, 29, 12, tzinfo=SHANGHAI), "sun", "2026-12-06T09:00:00+08:00"),
        # On a Monday, "next week" is the Monday after.
        (datetime(2026, 11, 30, 12, tzinfo=SHANGHAI), "next week", "2026-12-07T09:00:00+08:00"),
        (datetime(2026, 2, 10, 12, tzinfo=SHANGHAI), "eom", "2026-02-28T23:59:00+08:00"),
        (datetime(2026, 12, 31, 22, tzinfo=SHANGHAI), "+3h", "2027-01-01T01:00:00+08:00"),
    ],
)
def test_calendar_edges(now, text, expected):
    assert when(text, now=now) == expected


def test_today_is_the_local_day_of_now_in_tz():
    # 20:00 UTC on the 26th is already 04:00 on the 27th in Shanghai.
    now_utc = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    assert when("today", now=now_utc) == "2026-11-27T09:00:00+08:00"
    assert when("fri", now=now_utc) == "2026-12-04T09:00:00+08:00"
    assert when("today", now=now_utc, tz=NEW_YORK) == "2026-11-26T09:00:00-05:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fri", "11-27T00:00"),
        ("tomorrow", "11-27T00:00"),
        ("fri 10:00", "11-27T10:00"),
        ("eom", "11-30T23:59"),
        ("+3h", "11-26T17:00"),
        ("now", "11-26T14:00"),
    ],
)
def test_default_time(text, expected):
    assert when(text, default_time=time(0, 0)) == sh(expected)


# ---- parse_day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("fri", NOW_SH, date(2026, 11, 27)),
        ("fri 23:30", NOW_SH, date(2026, 11, 27)),
        ("today", NOW_SH, date(2026, 11, 26)),
        ("now", NOW_SH, date(2026, 11, 26)),
        ("eom", NOW_SH, date(2026, 11, 30)),
        ("eoy", NOW_SH, date(2026, 12, 31)),
        ("+1m", NOW_SH, date(2026, 12, 26)),
        ("2026-12-01", NOW_SH, date(2026, 12, 1)),
        ("2026-12-01 15:30", NOW_SH, date(2026, 12, 1)),
        ("15:30", NOW_SH, date(2026, 11, 26)),
        ("+12h", NOW_SH, date(2026, 11, 27)),
        ("today", datetime(2026, 11, 26, 20, 0, tzinfo=UTC), date(2026, 11, 27)),
    ],
)
def test_parse_day(text, now, expected):
    assert parse_day(text, now=now, tz=SHANGHAI, field="--close-by") == expected


def test_parse_day_errors_name_the_field():
    with pytest.raises(Invalid, match='--close-by: "someday" is not a date'):
        parse_day("someday", now=NOW_SH, tz=SHANGHAI, field="--close-by")


# ---- bad forms ---------------------------------------------------------------------------------

BAD = [
    ("", "is empty"),
    ("   ", "is empty"),
    ("03/04/2026", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("3/4/2026", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("03.04.2026", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("03-04-2026", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("03/04/26", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("03/04", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("05/05/2026", "is ambiguous; write it as 2026-05-05"),
    ("13/04/2026", "is ambiguous; write it as 2026-04-13"),
    ("03/04/2026 10:00", "is ambiguous; write it as 2026-03-04 or 2026-04-03"),
    ("44/44/2026", "is ambiguous; write dates as YYYY-MM-DD"),
    ("2026-02-30", "is not a real date; February 2026 has 28 days"),
    ("2028-02-30", "is not a real date; February 2028 has 29 days"),
    ("2026-04-31 10:00", "is not a real date; April 2026 has 30 days"),
    ("2026-02-00", "is not a real date; February 2026 has 28 days"),
    ("2026-13-01", "is not a real date; months run from 01 to 12"),
    ("2026-00-10", "is not a real date; months run from 01 to 12"),
    ("next friday", "is ambiguous; write fri for the next Friday, or a date"),
    ("next fri", "is ambiguous; write fri for the next Friday, or a date"),
    ("Next Tues", "is ambiguous; write tue for the next Tuesday, or a date"),
    ("next fryday", "is not a date; try fri, +3d, 2026-12-01"),
    ("someday", "is not a date; try fri, +3d, 2026-12-01"),
    ("fryday", "is not a date; try fri, +3d, 2026-12-01"),
    ("next", "is not a date"),
    ("next month", "is not a date"),
    ("this fri", "is not a date"),
    ("fri 9", "is not a date"),
    ("+3", "is not a date"),
    ("+3x", "is not a date"),
    ("3d", "is not a date"),
    ("in 3 fortnights", "is not a date"),
    ("in three days", "is not a date"),
    ("now 10:00", "is not a date"),
    ("2026-12-01T15:30Z", "is not a date"),
    ("20261201", "is not a date"),
    ("25:00", "has an impossible time"),
    ("24:00", "has an impossible time"),
    ("12:60", "has an impossible time"),
    ("2026-12-01 25:00", "has an impossible time"),
    ("2026-12-01 10:00:61", "has an impossible time"),
    ("fri 13pm", "has an impossible time"),
    ("0am", "has an impossible time"),
    ("fri 0:30am", "has an impossible time"),
    ("1899-12-31", "is out of range"),
    ("3000-01-01", "is out of range"),
    ("0000-01-01", "is out of range"),
    ("+2000y", "is out of range"),
    ("-200y", "is out of range"),
    ("+99999999999d", "is out of range"),
    ("+999999999999999999999m", "is out of range"),
    ("in 99999999999 hours", "is out of range"),
    ("+3h 10:00", "mixes hours with a time of day"),
    ("in 3 hours 9am", "mixes hours with a time of day"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD)
def test_bad_when(text, fragment):
    with pytest.raises(Invalid) as caught:
        parse_when(text, now=NOW_SH, tz=SHANGHAI, field="--next")
    message = str(caught.value)
    assert message.startswith(f'--next: "{text}" ')
    assert fragment in message
    assert caught.value.field == "--next"
    assert caught.value.value == text


def test_error_message_shape():
    with pytest.raises(Invalid) as caught:
        parse_when("next fryday", now=NOW_SH, tz=SHANGHAI, field="--next")
    assert str(caught.value) == '--next: "next fryday" is not a date; try fri, +3d, 2026-12-01'


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_when("fri", now=datetime(2026, 11, 26, 14), tz=SHANGHAI, field="--next")


# ---- storage strings ---------------------------------------------------------------------------


def test_to_db_shape():
    assert to_db(datetime(2026, 11, 26, 17, 0, tzinfo=SHANGHAI)) == "2026-11-26T09:00:00Z"
    assert to_db(datetime(2026, 11, 26, 9, 0, 5, 999999, tzinfo=UTC)) == "2026-11-26T09:00:05Z"
    assert to_db(datetime(1900, 1, 1, tzinfo=UTC)) == "1900-01-01T00:00:00Z"


def test_to_db_refuses_naive():
    with pytest.raises(ValueError):
        to_db(datetime(2026, 11, 26, 9, 0))


def test_db_round_trip():
    for dt in (
        NOW_SH,
        NOW_NY,
        NOW_NY_BEFORE_FALL_BACK,
        datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ):
        back = from_db(to_db(dt))
        assert back == dt
        assert back.tzinfo is UTC
        assert to_db(back) == to_db(dt)


def test_db_strings_sort_as_times():
    times = [
        datetime(2026, 11, 26, 14, 0, tzinfo=SHANGHAI),
        datetime(2026, 11, 26, 1, 0, tzinfo=NEW_YORK),
        datetime(2026, 11, 26, 5, 59, 59, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, tzinfo=SHANGHAI),
        datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
    ]
    assert sorted(to_db(t) for t in times) == [to_db(t) for t in sorted(times)]


def test_to_local_iso():
    assert to_local_iso("2026-11-26T09:00:00Z", SHANGHAI) == "2026-11-26T17:00:00+08:00"
    assert to_local_iso("2026-11-26T09:00:00Z", NEW_YORK) == "2026-11-26T04:00:00-05:00"
    assert to_local_iso("2026-07-01T09:00:00Z", NEW_YORK) == "2026-07-01T05:00:00-04:00"
    assert to_local_iso("2026-11-26T09:00:00Z", UTC) == "2026-11-26T09:00:00+00:00"
    assert to_local_iso(None, SHANGHAI) is None


def test_local_date():
    assert local_date("2026-11-26T17:00:00Z", SHANGHAI) == date(2026, 11, 27)
    assert local_date("2026-11-26T17:00:00Z", NEW_YORK) == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("day", "tz", "expected"),
    [
        (date(2026, 11, 26), SHANGHAI, "2026-11-25T16:00:00Z"),
        (date(2026, 11, 26), NEW_YORK, "2026-11-26T05:00:00Z"),
        (date(2027, 3, 14), NEW_YORK, "2027-03-14T05:00:00Z"),
        (date(2027, 3, 15), NEW_YORK, "2027-03-15T04:00:00Z"),
        (date(2026, 11, 1), NEW_YORK, "2026-11-01T04:00:00Z"),
        # Santiago skips 00:00-01:00 on 2026-09-06: the day starts at 01:00 -03.
        (date(2026, 9, 6), ZoneInfo("America/Santiago"), "2026-09-06T04:00:00Z"),
    ],
)
def test_start_of_day(day, tz, expected):
    result = start_of_day(day, tz)
    assert result.tzinfo is UTC
    assert to_db(result) == expected
    assert result.astimezone(tz).date() == day


# ---- parse_now ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-11-26", SHANGHAI, "2026-11-25T16:00:00Z"),
        ("2026-11-26", NEW_YORK, "2026-11-26T05:00:00Z"),
        ("2026-11-26T09:00", SHANGHAI, "2026-11-26T01:00:00Z"),
        ("2026-11-26 09:00", SHANGHAI, "2026-11-26T01:00:00Z"),
        ("2026-11-26T09:00:30", SHANGHAI, "2026-11-26T01:00:30Z"),
        (" 2026-11-26T09:00 ", SHANGHAI, "2026-11-26T01:00:00Z"),
        ("2026-11-26T09:00Z", SHANGHAI, "2026-11-26T09:00:00Z"),
        ("2026-11-26T09:00:00+02:00", SHANGHAI, "2026-11-26T07:00:00Z"),
        ("2026-11-26T09:00:00-05:00", SHANGHAI, "2026-11-26T14:00:00Z"),
        ("2027-03-14T02:30", NEW_YORK, "2027-03-14T07:30:00Z"),
    ],
)
def test_parse_now(text, tz, expected):
    result = parse_now(text, tz)
    assert result.tzinfo is UTC
    assert to_db(result) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is not an ISO-8601 date or datetime; try 2026-11-26 or 2026-11-26T09:00"),
        ("tomorrow", "is not an ISO-8601 date or datetime"),
        ("26/11/2026", "is not an ISO-8601 date or datetime"),
        ("2026-02-30", "is not an ISO-8601 date or datetime"),
        ("2026-11-26T25:00", "is not an ISO-8601 date or datetime"),
        ("1800-01-01", "is out of range"),
    ],
)
def test_parse_now_bad(text, fragment):
    with pytest.raises(Invalid) as caught:
        parse_now(text, SHANGHAI)
    assert str(caught.value).startswith(f'--as-of: "{text}" ')
    assert fragment in str(caught.value)


def test_parse_now_field_can_name_the_env_var():
    with pytest.raises(Invalid, match='SALESCTL_NOW: "soon"'):
        parse_now("soon", SHANGHAI, field="SALESCTL_NOW")


# ---- zones -------------------------------------------------------------------------------------


def test_zone_by_name():
    assert zone("Asia/Shanghai") == SHANGHAI
    assert zone(" Europe/Berlin ") == ZoneInfo("Europe/Berlin")
    assert zone("UTC") == ZoneInfo("UTC")


@pytest.mark.parametrize("name", [None, "", "   "])
def test_zone_unset_is_local(name, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert zone(name) == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "name", ["Mars/Base", "asia/shanghai", "Asia", "../etc/passwd", "/etc/localtime", "a\0b"]
)
def test_zone_bad_name(name):
    with pytest.raises(Invalid) as caught:
        zone(name)
    message = str(caught.value)
    shown = name.replace("\0", "\\x00")  # a message shows control characters escaped
    assert (
        message
        == f'timezone: "{shown}" is not a known time zone; try Asia/Shanghai, Europe/Berlin, UTC'
    )


@pytest.mark.parametrize(
    ("tz_env", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        (":Europe/Berlin", "Europe/Berlin"),
        ("/usr/share/zoneinfo/Asia/Shanghai", "Asia/Shanghai"),
    ],
)
def test_local_zone_from_tz_env(tz_env, expected, monkeypatch):
    monkeypatch.setenv("TZ", tz_env)
    assert local_zone() == ZoneInfo(expected)


def test_local_zone_from_localtime_link(tmp_path, monkeypatch):
    target = tmp_path / "zoneinfo" / "Asia" / "Shanghai"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(target)
    monkeypatch.setenv("TZ", "Not/AZone")  # an unusable TZ falls through to the link
    monkeypatch.setattr(dates, "_LOCALTIME", str(link))
    assert local_zone() == SHANGHAI


def test_local_zone_falls_back_to_tzlocal(tmp_path, monkeypatch):
    from dateutil.tz import tzlocal

    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(dates, "_LOCALTIME", str(tmp_path / "missing"))
    assert isinstance(local_zone(), tzlocal)


# ---- import cost -------------------------------------------------------------------------------


def test_import_is_light():
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = (
        "import sys, salesctl.dates; "
        "assert 'dateutil.parser' not in sys.modules; "
        "assert not [m for m in sys.modules if m.startswith(('dateutil', 'rich', 'typer'))], sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True)
