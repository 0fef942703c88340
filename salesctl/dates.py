"""Parse and format times: human WHEN dates, the pinned "now", UTC strings to store, local times to show."""

from __future__ import annotations

import calendar
import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from salesctl.errors import Invalid, Words

from .i18n import N_

TRY_HINT = N_("try fri, +3d, 2026-12-01")
END_OF_DAY = time(23, 59)
MIN_YEAR, MAX_YEAR = 1900, 2999
_LOCALTIME = "/etc/localtime"

# English names on purpose: calendar.month_name follows the C locale, which another module may change.
_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
_DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_NAMED_DAYS = {"today": 0, "tomorrow": 1, "tmrw": 1, "yesterday": -1}
_MONTH_NUMBERS = {
    **{m.lower(): n for n, m in enumerate(_MONTHS, 1)},
    **{m[:3].lower(): n for n, m in enumerate(_MONTHS, 1)},
    "sept": 9,
}
_UNITS = {"h": "hours", "d": "days", "w": "weeks", "m": "months", "y": "years"}

# A time needs a colon or am/pm, so a bare number ("fri 9") is never read as an hour.
_CLOCK = re.compile(
    r"(?:(?P<day>.+?) (?:at )?)?"
    r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?::(?P<s>\d{2}))? ?(?P<ampm>am|pm)?"
)
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_T = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)")
_SHORT_OFFSET = re.compile(r"([+-])(\d+)([hdwmy])")
_IN_OFFSET = re.compile(r"in (\d+) (hour|day|week|month|year)s?")
_NUMERIC_DAY = re.compile(r"(\d{1,4})([/.-])(\d{1,2})(?:\2(\d{1,4}))?")
# Unambiguous forms beyond ISO (docs/first-hour.md): year first with / or ., MM-DD as `today` prints it,
# and month names either side of the day ("dec 2", "2 dec", "december 2, 2026").
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_NAMED_MONTH = re.compile(
    r"(?:(?P<m1>[a-z]+)\.? (?P<d1>\d{1,2})|(?P<d2>\d{1,2}) (?P<m2>[a-z]+)\.?)(?:,? (?P<y>\d{4}))?"
)


# ---- time zones -------------------------------------------------------------------------------


def local_zone() -> tzinfo:
    """The system's local zone: $TZ, else the zone /etc/localtime links to, else whatever the C library says."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        found = _try_zone(_key_from_path(name) if name.startswith("/") else name)
        if found:
            return found
    if os.path.islink(_LOCALTIME):
        found = _try_zone(_key_from_path(os.path.realpath(_LOCALTIME)))
        if found:
            return found
    # Only when the system gives no IANA name; keeps dateutil off the fast path.
    from dateutil.tz import tzlocal

    return tzlocal()


def zone(name: str | None) -> tzinfo:
    """The zone for the `timezone` setting; the local zone when it is unset."""
    if not name or not name.strip():
        return local_zone()
    found = _try_zone(name.strip())
    if found is None:
        raise Invalid(
            "timezone",
            name,
            N_("is not a known time zone"),
            N_("try Asia/Shanghai, Europe/Berlin, UTC"),
        )
    return found


def _try_zone(key: str | None) -> ZoneInfo | None:
    if not key:
        return None
    try:
        return ZoneInfo(key)
    # ZoneInfo reports a bad key in several ways: unknown, malformed path, a directory like "Asia".
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _key_from_path(path: str) -> str | None:
    """ "/usr/share/zoneinfo/Asia/Shanghai" -> "Asia/Shanghai"."""
    _, sep, key = path.rpartition("zoneinfo/")
    return key if sep else None


# ---- storage and display ----------------------------------------------------------------------


def to_db(dt: datetime) -> str:
    """Aware datetime -> "2026-11-26T09:00:00Z": one fixed shape, so stored strings sort as times."""
    _require_aware(dt)
    return dt.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def from_db(s: str) -> datetime:
    """A stored string -> aware UTC datetime."""
    dt = datetime.fromisoformat(s)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def local_iso(dt: datetime, tz: tzinfo) -> str:
    """An aware time -> local ISO time with its offset, e.g. "2026-11-26T17:00:00+08:00"."""
    return dt.astimezone(tz).isoformat(timespec="seconds")


def to_local_iso(s: str | None, tz: tzinfo) -> str | None:
    """A stored string -> local ISO time with its offset (None stays None)."""
    if s is None:
        return None
    return (
        from_db(s).astimezone(tz).isoformat(timespec="seconds")
    )  # local_iso inlined: called per cell


def local_text(s: str, tz: tzinfo) -> str:
    """A stored string -> the local time as messages show it: "2026-11-26 17:00 (Asia/Shanghai)"."""
    return f"{from_db(s).astimezone(tz):%Y-%m-%d %H:%M} ({tz})"


def local_date(s: str, tz: tzinfo) -> date:
    """A stored string -> the local calendar day it falls on."""
    return from_db(s).astimezone(tz).date()


def start_of_day(d: date, tz: tzinfo) -> datetime:
    """Local midnight of d as aware UTC; where midnight is skipped by DST, the first moment of the day."""
    return _local_to_utc(datetime.combine(d, time()), tz)


def _local_to_utc(naive: datetime, tz: tzinfo) -> datetime:
    # fold=0 takes the first of a repeated hour; a skipped hour maps forward (02:30 -> 03:30), as zoneinfo does.
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _require_aware(dt: datetime) -> None:
    # A naive datetime here is a programming error: astimezone() would silently assume the system zone.
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}; salesctl keeps times aware")


# ---- the pinned "now" -------------------------------------------------------------------------


def parse_now(text: str, tz: tzinfo, *, field: str = "--as-of") -> datetime:
    """$SALESCTL_NOW / --as-of: an ISO-8601 date (local midnight) or datetime (naive = local). Aware UTC."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            field,
            text,
            N_("is not an ISO-8601 date or datetime"),
            N_("try 2026-11-26 or 2026-11-26T09:00"),
        ) from None
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        raise _out_of_range(text, field)
    return _local_to_utc(dt, tz) if dt.tzinfo is None else dt.astimezone(UTC)


# ---- WHEN -------------------------------------------------------------------------------------


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    field: str,
    default_time: time = time(9, 0),
    ahead: bool = False,
) -> datetime:
    """A WHEN (`fri`, `+3d`, `2026-12-01 15:30`, `tomorrow 10am`…) -> aware UTC datetime.

    `ahead` (a follow-up being booked): a day given without its year (`12-02`, `Dec 2`) that has
    already passed this year means next year's.
    """
    found = _resolve(text, now, tz, field, ahead=ahead)
    if isinstance(found, datetime):
        return found.astimezone(UTC)
    day, clock = found
    return _local_to_utc(datetime.combine(day, default_time if clock is None else clock), tz)


def parse_day(text: str, *, now: datetime, tz: tzinfo, field: str) -> date:
    """A WHEN -> its local calendar day (a time part is allowed and dropped)."""
    found = _resolve(text, now, tz, field)
    if isinstance(found, datetime):
        return found.astimezone(tz).date()
    return found[0]


def _resolve(
    text: str, now: datetime, tz: tzinfo, field: str, *, ahead: bool = False
) -> datetime | tuple[date, time | None]:
    """An exact instant (`now`, `+3h`), or a local day with its time (None = the caller's default time)."""
    _require_aware(now)
    words = _ISO_T.sub(r"\1 ", " ".join(text.split()).lower())
    if not words:
        raise Invalid(field, text, N_("is empty"), TRY_HINT)
    if words == "now":
        return now
    today = now.astimezone(tz).date()
    if not words.isascii():  # Chinese dates are read into the English forms (docs/chinese.md)
        from salesctl import zh

        words = zh.date_words(words, today, text, field)
    day_words, clock = _split_clock(words, text, field)
    if day_words is None:
        return today, clock
    try:
        day, is_end = _day(day_words, today, now, text, field, ahead)
    except (OverflowError, ValueError):  # +99999999d and friends run off the calendar
        raise _out_of_range(text, field) from None
    if isinstance(day, datetime):
        if clock is not None:
            raise Invalid(
                field,
                text,
                N_("mixes hours with a time of day"),
                N_("write +3h alone, or a day with a time like tomorrow 10:00"),
            )
        if not MIN_YEAR <= day.astimezone(tz).year <= MAX_YEAR:
            raise _out_of_range(text, field)
        return day
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _out_of_range(text, field)
    if (
        clock is None and is_end
    ):  # end-of forms mean the day's last minute, whatever the caller's default
        clock = END_OF_DAY
    return day, clock


def _split_clock(words: str, text: str, field: str) -> tuple[str | None, time | None]:
    """ "fri 9:30pm" -> ("fri", 21:30); "15:30" -> (None, 15:30); "fri" -> ("fri", None)."""
    match = _CLOCK.fullmatch(words)
    if not match or not (match["m"] or match["ampm"]):
        return words, None
    hour, minute, second = int(match["h"]), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise _bad_clock(text, field)
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)  # 12am is midnight, 12pm is noon
    if hour > 23 or minute > 59 or second > 59:
        raise _bad_clock(text, field)
    return match["day"], time(hour, minute, second)


def _day(
    words: str, today: date, now: datetime, text: str, field: str, ahead: bool = False
) -> tuple[date | datetime, bool]:
    """The day part of a WHEN -> (local day, is an end-of form), or (exact instant, False) for hours."""
    if words in _NAMED_DAYS:
        return today + timedelta(days=_NAMED_DAYS[words]), False
    if words in _WEEKDAYS:
        return _next_weekday(today, _WEEKDAYS[words]), False
    if words == "next week":
        return _next_weekday(today, 0), False
    if words in ("eod", "eow", "eom", "eoy"):
        return _end_of(words, today), True
    if match := _SHORT_OFFSET.fullmatch(words):
        sign = -1 if match[1] == "-" else 1
        return _shift(today, now, sign * int(match[2]), _UNITS[match[3]]), False
    if match := _IN_OFFSET.fullmatch(words):
        return _shift(today, now, int(match[1]), match[2] + "s"), False
    if match := _ISO_DAY.fullmatch(words):
        return _real_date(int(match[1]), int(match[2]), int(match[3]), text, field), False
    if match := _YEAR_FIRST.fullmatch(words):
        return _real_date(int(match[1]), int(match[3]), int(match[4]), text, field), False
    if match := _MONTH_DAY.fullmatch(words):
        return _this_years(int(match[1]), int(match[2]), today, ahead, text, field), False
    if (match := _NAMED_MONTH.fullmatch(words)) and (match["m1"] or match["m2"]) in _MONTH_NUMBERS:
        month, day = _MONTH_NUMBERS[match["m1"] or match["m2"]], int(match["d1"] or match["d2"])
        if match["y"]:
            return _real_date(int(match["y"]), month, day, text, field), False
        return _this_years(month, day, today, ahead, text, field), False
    raise _not_in_grammar(words, today, text, field)


def _this_years(month: int, day: int, today: date, ahead: bool, text: str, field: str) -> date:
    """A month and day without a year: this year's; next year's when booking ahead and it has passed."""
    year = today.year + (1 if ahead and (month, day) < (today.month, today.day) else 0)
    return _real_date(year, month, day, text, field)


def _next_weekday(today: date, weekday: int) -> date:
    # Always strictly after today: on a Friday, "fri" is a week away, never today.
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _end_of(word: str, today: date) -> date:
    if word == "eod":
        return today
    if word == "eow":  # weeks run Monday to Sunday, so on a Sunday this is today
        return today + timedelta(days=6 - today.weekday())
    if word == "eom":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return today.replace(month=12, day=31)


def _shift(today: date, now: datetime, amount: int, unit: str) -> date | datetime:
    if unit == "hours":
        # An exact span, so add in UTC: Python adds to an aware local time by the wall clock, across DST too.
        return now.astimezone(UTC) + timedelta(hours=amount)
    if unit in ("days", "weeks"):
        return today + timedelta(**{unit: amount})
    # Calendar months clip to the month's end (Jan 31 +1m = Feb 28). Imported here: only +1m/+1y need it.
    from dateutil.relativedelta import relativedelta

    return today + relativedelta(**{unit: amount})


def _real_date(year: int, month: int, day: int, text: str, field: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_range(text, field)
    if not 1 <= month <= 12:
        raise Invalid(field, text, N_("is not a real date"), N_("months run from 01 to 12"))
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise Invalid(
            field,
            text,
            N_("is not a real date"),
            N_("{month} {year} has {days} days"),
            month=Words(_MONTHS[month - 1]),
            year=year,
            days=days,
        )
    return date(year, month, day)


def _not_in_grammar(words: str, today: date, text: str, field: str) -> Invalid:
    """The most helpful error for a day part outside the grammar."""
    first, _, rest = words.partition(" ")
    if first == "next" and rest in _WEEKDAYS:
        # "next friday" means this week's Friday to some and next week's to others; make them say.
        weekday = _WEEKDAYS[rest]
        return Invalid(
            field,
            text,
            N_("is ambiguous"),
            N_("write {short} for the next {day}, or a date"),
            short=_DAY_NAMES[weekday][:3].lower(),
            day=Words(_DAY_NAMES[weekday]),
        )
    if match := _NUMERIC_DAY.fullmatch(words):
        return Invalid(field, text, N_("is ambiguous"), _readings_hint(match, today.year))
    if (
        not text.isascii()
    ):  # a Chinese time with a day the grammar does not know: suggest Chinese forms
        from salesctl.zh import DATE_HINT

        return Invalid(field, text, N_("is not a date"), DATE_HINT)
    return Invalid(field, text, N_("is not a date"), TRY_HINT)


def _readings_hint(match: re.Match, this_year: int) -> Words:
    """03/04/2026 -> "write it as 2026-03-04 or 2026-04-03": every real date the numbers could mean."""
    first, _, second, third = match.groups()
    if third is None:
        year, a, b = this_year, first, second
    elif len(first) == 4:
        year, a, b = int(first), second, third
    else:
        year, a, b = int(third) + (2000 if len(third) <= 2 else 0), first, second
    readings = []
    for month, day in ((int(a), int(b)), (int(b), int(a))):
        if (
            MIN_YEAR <= year <= MAX_YEAR
            and 1 <= month <= 12
            and 1 <= day <= calendar.monthrange(year, month)[1]
        ):
            reading = f"{year:04d}-{month:02d}-{day:02d}"
            if reading not in readings:
                readings.append(reading)
    if not readings:
        return Words(N_("write dates as YYYY-MM-DD"))
    if len(readings) == 1:
        return Words(N_("write it as {date}"), date=readings[0])
    return Words(N_("write it as {date} or {other}"), date=readings[0], other=readings[1])


def _bad_clock(text: str, field: str) -> Invalid:
    return Invalid(
        field,
        text,
        N_("has an impossible time"),
        N_("hours run 0-23 (1-12 with am/pm), minutes 0-59"),
    )


def _out_of_range(text: str, field: str) -> Invalid:
    return Invalid(
        field,
        text,
        N_("is out of range"),
        N_("use a year between {least} and {most}"),
        least=MIN_YEAR,
        most=MAX_YEAR,
    )
