"""`salesctl calendar`: scheduled follow-ups as an iCalendar feed a calendar app subscribes to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from . import RepOpt, TeamOpt, app_of, say


def calendar(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE.ics",
            help="Write to FILE (replaced whole, private 0600) instead of stdout.",
        ),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help="Follow-ups up to this many days ahead.")
    ] = 30,
) -> None:
    """Your scheduled follow-ups as an iCalendar (.ics) file: one event per lead, which updates in place
    when the follow-up moves and disappears when it is done. Overdue ones sit on today, marked OVERDUE.
    Refresh it from cron and subscribe to it in your calendar (docs/calendar.md).

    \b
    Example:
      salesctl calendar --out ~/Calendars/salesctl.ics
      salesctl calendar --team --days 14 > team.ics
    """
    from datetime import timedelta

    from .. import ics
    from ..dates import start_of_day, to_db

    app = app_of(ctx)
    owner_id = app.rep_scope(rep, team)
    store = app.store()
    today = app.now.astimezone(app.tz).date()
    until = start_of_day(today + timedelta(days=days + 1), app.tz)
    rows = store.scheduled_followups(owner_id=owner_id, until=to_db(until))
    whose = _("team") if owner_id is None else (rep or app.current_rep_name())
    data = ics.build(
        rows,
        calendar_id=store.calendar_id() or "salesctl",
        title=_("salesctl follow-ups: {whose}").format(whose=whose),
        today=today,
        overdue_before=start_of_day(today, app.tz),
        tz=app.tz,
        alarm_minutes=app.settings.alarm_minutes,
    )
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    from ..files import write_file

    write_file(out.expanduser(), data, protect=app.db_path)
    say(_("Wrote {count} follow-up(s) to {file}").format(count=len(rows), file=out))


def register(app: typer.Typer) -> None:
    app.command("calendar")(calendar)
