"""The owner's figures: funnel, report and targets."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import Invalid
from ..i18n import N_, _, error_prefix, message
from . import FormatOpt, TeamDefaultOpt, TeamRepOpt, app_of, say, show

target_app = typer.Typer(help="Set and show monthly targets.", no_args_is_help=True)


class ReportFormat(str, Enum):
    """`report` also writes a mailable HTML page; other commands keep the common formats."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


SinceOpt = Annotated[
    str | None, typer.Option("--since", metavar="WHEN", help="Start (inclusive): 2026-11-01, -4w…")
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", metavar="WHEN", help="End (exclusive). Default: tomorrow 00:00."),
]


def _write_report(app, out: Path, fmt: ReportFormat, text: str) -> None:
    """The report file, through the one safe writer; CSV starts with a BOM so spreadsheets read UTF-8."""
    from ..files import write_file

    write_file(out, ("\ufeff" if fmt is ReportFormat.csv else "") + text, protect=app.db_path)


class ComparePeriod(str, Enum):
    quarter = "quarter"
    month = "month"
    previous = "previous"


def funnel(
    ctx: typer.Context,
    since: SinceOpt = None,
    until: UntilOpt = None,
    rep: TeamRepOpt = None,
    team: TeamDefaultOpt = False,
    compare: Annotated[
        ComparePeriod | None,
        typer.Option(
            "--compare",
            metavar="PERIOD",
            case_sensitive=False,
            show_default=False,
            help="Put an earlier cohort beside this one, stage by stage: quarter (this quarter so far and the last "
            "one), month (likewise), previous (the span of --since/--until before it).",
        ),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Where deals are lost: the funnel of leads created in a period (default: the last 90 days and today),
    for the team unless --rep.

    Each stage shows how many reached it (skipping a stage counts as passing it), the conversion to the
    next stage, the leads lost there with their reasons, and the average days spent in it. With
    --compare, an earlier cohort's conversion stands beside each stage and the stage that got worse most
    is named.

    \b
    Example:
      salesctl funnel --team
      salesctl funnel --since 2026-07-01 --until 2026-10-01 --rep 王芳 --format json
      salesctl funnel --compare quarter
    """
    from .. import figures
    from ..views.figures import funnel_output

    app = app_of(ctx)
    cohort, earlier = figures.funnel_spans(
        compare and compare.value, since, until, now=app.now, tz=app.tz
    )
    rep_id = app.rep_scope(rep, team or not rep)  # the owner's view: the whole team unless --rep
    doc = figures.funnel_of(app.store(), app.settings, cohort, earlier, rep_id=rep_id, tz=app.tz)
    show(funnel_output(doc), fmt)


def report(
    ctx: typer.Context,
    week: Annotated[
        bool, typer.Option("--week", help="The last complete Monday–Sunday week (the default).")
    ] = False,
    month: Annotated[
        bool, typer.Option("--month", help="The last complete calendar month.")
    ] = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    rep: TeamRepOpt = None,
    team: TeamDefaultOpt = False,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            show_default=False,
            help="Output: table (default), json, csv (one row per rep plus TEAM), md or html (a mailable page).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write to FILE (created 0600).")
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(
            "--email",
            metavar="ADDR",
            help="Mail the report (HTML with a plain-text part) to ADDR; repeatable. "
            "Nothing is printed then. SMTP from SALESCTL_SMTP_* or the config file.",
        ),
    ] = None,
) -> int:
    """The owner's report: activity, wins and losses, target pace and forecast, per rep and for the team.

    Pipeline figures are as of the period's end (rebuilt from history), so a past week's report stays
    the same. It names the stalled and overdue deals at the period's end (top 10 by value, with owner
    and days), ends the reps table with a TEAM row, and explains its short headers in a legend. Totals
    are in the team currency: deals in others are converted at the fx.CODE rates, and a missing rate is
    an error (docs/figures.md). Default: --week --team.

    \b
    Example:
      salesctl report
      salesctl report --month --format html --out november.html
      salesctl report --since 2026-10-01 --until 2026-11-01 --rep 王芳 --format json
      salesctl report --week --team --email owner@example.com --email coach@example.com
    """
    from .. import figures
    from ..views.figures import render_report

    app = app_of(ctx)
    period = figures.report_period(
        week=week, month=month, since=since, until=until, now=app.now, tz=app.tz
    )
    rep_id = app.rep_scope(rep, team or not rep)  # the owner's view: the whole team unless --rep
    doc = figures.report(app.store(), app.settings, period, now=app.now, tz=app.tz, rep_id=rep_id)
    if email:
        from ..mail import check_addresses, email_report

        email = check_addresses(email)
    fmt = fmt or (ReportFormat.html if email else ReportFormat.table)
    if out is not None:
        _write_report(app, out, fmt, render_report(doc, fmt.value))
    if email:
        failed = email_report(doc, email, now=app.now)  # quiet on success: cron mails only failures
        for address, exc in failed:
            say(
                f"{error_prefix()} "
                + _("report to {address} not sent: {reason}").format(
                    address=address, reason=message(exc)
                )
            )
        return 1 if failed else 0
    if out is not None:
        say(_("Wrote {file}").format(file=out))
    else:
        print(render_report(doc, fmt.value), end="")
    return 0


def rhythm(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option("--weeks", metavar="N", help="How many 7-day weeks back from today.")
    ] = 8,
    rep: TeamRepOpt = None,
    team: TeamDefaultOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Each rep's rhythm: effective touches per day over the last N weeks as a heat strip (weekends
    dimmed), weekly totals, steadiness, month-end share and pushing ratio (docs/figures.md, Rhythm).

    A rep whose rhythm broke (this week's touches below half their median week) comes first, flagged
    `rhythm_broke`. Weeks are the 7-day spans ending today; days are local (the timezone setting).

    \b
    Example:
      salesctl rhythm
      salesctl rhythm --weeks 12 --rep 王芳 --format json
    """
    from .. import rhythm as rhythms
    from ..views.rhythm import rhythm_output

    app = app_of(ctx)
    if not 1 <= weeks <= 104:
        raise Invalid("--weeks", str(weeks), N_("is out of range"), N_("give 1 to 104 weeks"))
    rep_id = app.rep_scope(rep, team or not rep)  # the owner's view: the whole team unless --rep
    doc = rhythms.current(
        app.store(), app.settings, now=app.now, tz=app.tz, weeks=weeks, rep_id=rep_id
    )
    show(rhythm_output(doc), fmt)


@target_app.command("set", context_settings={"ignore_unknown_options": True})
def target_set(
    ctx: typer.Context,
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="The month's target: 50k, 1,200,000, 30万.")
    ],
    rep: Annotated[
        str | None, typer.Option("--rep", help="A rep's own target (must exist).")
    ] = None,
    team: Annotated[bool, typer.Option("--team", help="The team's target (the default).")] = False,
    month: Annotated[
        str | None, typer.Option("--month", metavar="YYYY-MM", help="Default: this month.")
    ] = None,
) -> None:
    """Set the team's (or a rep's) won-amount target for a month; setting it again replaces it.

    \b
    Example:
      salesctl target set 200k --team
      salesctl target set 60k --rep 王芳 --month 2026-12
    """
    from ..money import check_same_currency, format_money, parse_amount

    app = app_of(ctx)
    if rep and team:
        raise Invalid("--team", "--team", N_("cannot be combined with --rep"))
    minor, hinted = parse_amount(amount, field="AMOUNT")
    first = _month(app, month)
    with app.write() as store:
        check_same_currency(amount, hinted, app.settings.currency, field="AMOUNT")
        rep_id = store.require_rep(rep, field="--rep")["id"] if rep else None
        store.set_target(rep_id, first.strftime("%Y-%m"), minor, app.now_db)
    amount_text = format_money(minor, app.settings.currency)
    if rep:
        said = _("Target {month} for {rep}: {amount}").format(
            month=f"{first:%Y-%m}", rep=rep, amount=amount_text
        )
    else:
        said = _("Target {month} for the team: {amount}").format(
            month=f"{first:%Y-%m}", amount=amount_text
        )
    say(said)


@target_app.command("show")
def target_show(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option("--month", metavar="YYYY-MM", help="Default: this month.")
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Targets of a month with what is won so far, attainment against the month's pace, and projection.

    \b
    Example:
      salesctl target show
      salesctl target show --month 2026-10 --format json
    """
    from .. import figures
    from ..views.figures import target_output

    app = app_of(ctx)
    doc = figures.target_progress(
        app.store(), app.settings, month=_month(app, month), now=app.now, tz=app.tz
    )
    show(target_output(doc), fmt)


def _month(app, text: str | None):
    """`YYYY-MM` → the month's first day; None → this month."""
    import re
    from datetime import date

    if text is None:
        return app.now.astimezone(app.tz).date().replace(day=1)
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
        raise Invalid(
            "--month", text, N_("is not a month"), N_("write it as YYYY-MM, e.g. 2026-12")
        )
    return date(int(match[1]), int(match[2]), 1)


def register(app: typer.Typer) -> None:
    app.command("funnel")(funnel)
    app.command("report")(report)
    app.command("rhythm")(rhythm)
    app.add_typer(target_app, name="target")
