"""Trends (docs/figures.md, Trends): the report's 12 weeks of new leads, effective touches, won amount
and weighted pipeline at each week's end, for sparklines. No typer, no rich.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, tzinfo

from .dates import local_iso, start_of_day, to_db
from .figures import money
from .i18n import N_
from .model import Settings
from .money import to_major
from .store import Store

TREND_WEEKS = 12
SPARKS = "▁▂▃▄▅▆▇█"
ROWS = (  # (key, label, kind) in reading order
    ("new_leads", N_("New leads"), "int"),
    ("effective", N_("Effective touches"), "int"),
    ("won_amount", N_("Won amount"), "money"),
    ("weighted_pipeline", N_("Weighted pipeline (week's end)"), "money"),
)


def sparkline(values: list[float]) -> str:
    """One block per value, 0 to the largest in eight steps (all ▁ when every value is 0)."""
    most = max(values, default=0)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round(max(v, 0) / most * top) if most > 0 else 0] for v in values)


def week_rows(end_day: date, weeks: int, tz: tzinfo) -> list[tuple[str, str, str, int]]:
    """(first day, UTC start, UTC end, 0) of each 7-day week ending with end_day, oldest first."""
    firsts = [end_day - timedelta(days=7 * k + 6) for k in range(weeks - 1, -1, -1)]
    return [
        (
            d.isoformat(),
            to_db(start_of_day(d, tz)),
            to_db(start_of_day(d + timedelta(days=7), tz)),
            0,
        )
        for d in firsts
    ]


def report_section(
    store: Store,
    settings: Settings,
    *,
    as_of: datetime,
    tz: tzinfo,
    rep_id: int | None,
    weighted_now: float,
    weeks: int = TREND_WEEKS,
) -> dict:
    """The weeks ending with the report's last day (the day of `as_of`). `weighted_now` is the report's
    weighted pipeline at as_of (team-currency minor units); the earlier week ends are that, less each
    later week's stage moves, so only the weeks' own history is read. Money is converted to the team
    currency as the report converts it."""
    from .figures import converter

    convert = converter(settings)
    end_day = (as_of - timedelta(seconds=1)).astimezone(tz).date()
    rows = week_rows(end_day, weeks, tz)
    counts = store.weekly_counts(rows, rep_id)
    won: Counter = Counter()
    for r in store.weekly_won(rows, rep_id):
        won[r["day"]] += convert(r["amount"], r["currency"])
    change: Counter = Counter()
    p = settings.probability  # won, lost and "not yet a lead" count 0
    for r in store.weekly_moves(rows, rep_id):
        value = convert(r["value"], r["currency"])
        change[r["day"]] += value * (p.get(r["to_stage"], 0.0) - p.get(r["from_stage"], 0.0))
    running, weighted = weighted_now, []
    for day, *_ in reversed(rows):
        weighted.append(money(running))
        running -= change[day]
    return {
        "since": local_iso(start_of_day(date.fromisoformat(rows[0][0]), tz), tz),
        "until": local_iso(start_of_day(end_day + timedelta(days=1), tz), tz),
        "weeks": [r[0] for r in rows],
        "new_leads": [r["new_leads"] for r in counts],
        "effective": [r["effective"] for r in counts],
        "won_amount": [to_major(won[r[0]]) for r in rows],
        "weighted_pipeline": weighted[::-1],
    }
