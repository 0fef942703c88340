"""The calendar feed: scheduled follow-ups as an iCalendar (RFC 5545) file. Only `salesctl calendar`
imports this module, and it imports `icalendar` (docs/calendar.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from .dates import from_db
from .i18n import _, moment, money, stage
from .money import to_major

EVENT_MINUTES = 30
PRODID = "-//salesctl//follow-ups//EN"


def event_uid(lead_id: int, calendar_id: str) -> str:
    """Stable per lead (a lead has one follow-up at a time) and unique per database."""
    return f"lead-{lead_id}@{calendar_id}"


def build(
    rows,
    *,
    calendar_id: str,
    title: str,
    today: date,
    overdue_before: datetime,
    tz: tzinfo,
    alarm_minutes: int,
) -> bytes:
    """One VEVENT per row of `Store.scheduled_followups`. A follow-up due before `overdue_before` (the
    local day's start) is an all-day event on `today`, marked overdue; the others are timed in `tz`."""
    from icalendar import Alarm, Calendar, Event, vDuration

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", str(tz))
    cal.add("refresh-interval", vDuration(timedelta(minutes=15)), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(timedelta(minutes=15)))
    for row in rows:
        cal.add_component(
            _event(row, calendar_id, today, overdue_before, tz, alarm_minutes, Event, Alarm)
        )
    cal.add_missing_timezones()  # a VTIMEZONE for each TZID used
    return cal.to_ical()


def _event(row, calendar_id, today, overdue_before, tz, alarm_minutes, Event, Alarm):
    due = from_db(row["next_at"])
    overdue = due < overdue_before
    step = row["next_step"] or _("follow up")
    who = row["name"] + (f" ({row['company']})" if row["company"] else "")
    event = Event()
    event.add("uid", event_uid(row["id"], calendar_id))
    # Without METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2): the same as
    # LAST-MODIFIED, so the file is byte for byte the same until something changes (sync tools stay quiet).
    modified = from_db(row["modified_at"] or row["created_at"])
    event.add("dtstamp", modified)
    event.add("sequence", row["sequence"])
    event.add("last-modified", modified)
    if overdue:
        local_due = due.astimezone(tz)
        event.add("summary", _("OVERDUE: {step} – {who}").format(step=step, who=who))
        event.add("dtstart", today)
        event.add("dtend", today + timedelta(days=1))
        event.add("categories", [row["stage"], "overdue"])
        lead_in = (
            _("Overdue since {when}.").format(when=moment(local_due.isoformat(), today.year)) + "\n"
        )
    else:
        start = due.astimezone(tz)
        event.add("summary", f"{step} – {who}")
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        event.add("categories", [row["stage"]])
        lead_in = ""
    event.add("description", lead_in + _description(row))
    if alarm_minutes and not overdue:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{step} – {who}")
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


def _description(row) -> str:
    """The event's text in the run's language (docs/chinese.md); the categories keep the stage's name."""
    lines = [
        _("Stage: {stage}").format(stage=stage(row["stage"])),
        _("Owner: {owner}").format(owner=row["owner"]),
    ]
    if row["value"] is not None:
        lines.append(
            _("Value: {amount}").format(amount=money(to_major(row["value"]), row["currency"]))
        )
    if row["last_note"]:
        note = row["last_note"]
        lines.append(
            _("Last note: {note}").format(note=note if len(note) <= 500 else note[:500] + "…")
        )
    lines += ["", f"salesctl lead show {row['id']}"]
    return "\n".join(lines)
