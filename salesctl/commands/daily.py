"""The to-do lists: `today` and `stalled` (their views are views/agenda.py)."""

from __future__ import annotations

import typer

from ..model import NO_REP
from ..views.agenda import stalled_output, today_output
from . import FormatOpt, RepOpt, TeamOpt, app_of, show


def _human(fmt) -> bool:
    """Whether the table/md view is needed (a long list's JSON should not pay for building it)."""
    return fmt is None or fmt.value in ("table", "md")


def today(
    ctx: typer.Context, rep: RepOpt = None, team: TeamOpt = False, fmt: FormatOpt = None
) -> None:
    """Your to-do list: overdue and due follow-ups, untouched new leads, stalled deals, deals closing soon,
    leads with no next step, and won deals whose after-sale follow-up is due (after_sale).

    A snoozed lead shows only for an appointment (overdue or due today) until its snooze ends. A stalled
    lead with a follow-up booked says when: "idle 9d, next 12-04".

    Order: overdue (most overdue first), due today (earliest first), then by score (key customer,
    hot intent, bigger value). ★ marks a key customer.

    \b
    Example:
      salesctl today
      salesctl today --team --format json
    """
    from .. import agenda

    doc, whole_team = _document(ctx, agenda.today, rep, team)
    show(today_output(doc, team=whole_team, human=_human(fmt)), fmt)


def stalled(
    ctx: typer.Context, rep: RepOpt = None, team: TeamOpt = False, fmt: FormatOpt = None
) -> None:
    """Stalled deals (idle longer than their stage's rot days, not snoozed) and each rep's idle share.

    A lead's idle days count from its last touch: the latest activity, stage change or its creation.

    \b
    Example:
      salesctl stalled --team
      salesctl config set rot_days.quoted 10
    """
    from .. import agenda

    doc, whole_team = _document(ctx, agenda.stalled, rep, team)
    show(stalled_output(doc, team=whole_team, human=_human(fmt)), fmt)


def _document(ctx: typer.Context, build, rep: str | None, team: bool) -> tuple[dict, bool]:
    """`build` (agenda.today or agenda.stalled) for --rep/--team, and whether it covers the whole team."""
    app = app_of(ctx)
    rep_id = app.rep_scope(rep, team)
    doc = build(app.store(), app.settings, now=app.now, tz=app.tz, rep_id=rep_id)
    if rep_id == NO_REP:  # the current rep has no data yet: an empty list, still named for them
        doc["rep"] = app.current_rep_name()
    return doc, rep_id is None


def register(app: typer.Typer) -> None:
    app.command("today")(today)
    app.command("stalled")(stalled)
