"""Rhythm (docs/figures.md, Rhythm): each rep's effective touches per local day over the last N weeks,
and three figures — steadiness, month-end share, pushing ratio — plus the flag of a broken rhythm.

The store counts in SQL (one row per rep and day); this module applies the definitions. No typer, no rich.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from statistics import median, pstdev

from .dates import local_iso, start_of_day, to_db
from .figures import add_months, just_after, pipeline_at, ratio, rep_directory, stage_order
from .model import Settings
from .store import Store

DEFAULT_WEEKS = 8
MONTH_END_DAYS = 5  # a win on one of the last 5 days of its calendar month is a month-end win
BROKE = "rhythm_broke"  # this week's effective touches < half the median week


def window(end_day: date, weeks: int) -> list[date]:
    """The local days of the last `weeks` weeks ending with end_day (inclusive), oldest first. A week is
    7 days counted back from end_day, so "this week" is always the last 7 days."""
    return [end_day - timedelta(days=i) for i in range(weeks * 7 - 1, -1, -1)]


def is_month_end(day: date) -> bool:
    """One of the last MONTH_END_DAYS days of its calendar month."""
    return (add_months(day, 1) - day).days <= MONTH_END_DAYS


def is_working_day(day: date) -> bool:
    return day.weekday() < 5  # Monday to Friday


def steadiness(weekly: list[int]) -> float | None:
    """1 − coefficient of variation (population standard deviation / mean) of the weekly counts;
    1 is perfectly steady, below 0 when the spread exceeds the mean; None without any touch."""
    mean = sum(weekly) / len(weekly)
    return None if not mean else round(1 - pstdev(weekly) / mean, 4)


def flag(weekly: list[int]) -> str | None:
    """`rhythm_broke` when this (the last) week is below half the median week; never on a zero median."""
    middle = median(weekly)
    return BROKE if middle and weekly[-1] < middle / 2 else None


def day_rows(days: list[date], tz: tzinfo) -> list[tuple[str, str, str, int]]:
    """(day, UTC start, UTC end, month-end 0/1) per local day, for the store's day table."""
    return [
        (
            d.isoformat(),
            to_db(start_of_day(d, tz)),
            to_db(start_of_day(d + timedelta(days=1), tz)),
            int(is_month_end(d)),
        )
        for d in days
    ]


def rhythm(
    store: Store,
    settings: Settings,
    *,
    end_day: date,
    weeks: int,
    tz: tzinfo,
    at: datetime,
    rep_id: int | None,
    held: dict[int, int] | None = None,
) -> dict:
    """The rhythm document of the `weeks` weeks ending with the local day end_day; open leads are those
    held at `at` (the window's end, or now if sooner): `held` (rep id → count) when the caller has them."""
    days = window(end_day, weeks)
    rows = day_rows(days, tz)
    since, until = start_of_day(days[0], tz), start_of_day(end_day + timedelta(days=1), tz)
    names, active = rep_directory(store)

    touches: dict[int, dict[str, int]] = {}
    for r in store.effective_by_day(rows):
        touches.setdefault(r["rep_id"], {})[r["day"]] = r["n"]
    wins = {
        r["rep_id"]: (r["n"], int(r["month_end"] or 0))
        for r in store.wins_by_month_end(rows, to_db(at))
    }
    advances = {
        r["rep_id"]: r["n"]
        for r in store.advances(to_db(since), to_db(until), stage_order(settings))
    }
    if held is None:
        held = {
            i: p.open_count
            for i, p in pipeline_at(store, settings, at, (days[0], days[-1])).items()
        }

    if rep_id is None:
        shown = active | set(touches) | set(wins) | set(advances)
    else:
        shown = {rep_id} & set(names)
    working = sum(is_working_day(d) for d in days)
    day_names = [r[0] for r in rows]  # each day's ISO date, as the store's rows name it
    by_rep = [
        _rep_row(
            names[i],
            day_names,
            touches.get(i, {}),
            wins.get(i, (0, 0)),
            advances.get(i, 0),
            held.get(i, 0),
            working,
        )
        for i in shown
    ]
    by_rep.sort(key=lambda r: (r["flag"] is None, r["rep"].lower()))
    return {
        "since": local_iso(since, tz),
        "until": local_iso(until, tz),
        "weeks": weeks,
        "working_days": working,
        "rep": names.get(rep_id) if rep_id is not None else None,
        "by_rep": by_rep,
    }


def _rep_row(
    name: str,
    days: list[str],
    counts: dict[str, int],
    wins: tuple[int, int],
    advances: int,
    held: int,
    working: int,
) -> dict:
    daily = {d: counts.get(d, 0) for d in days}
    values = list(daily.values())
    weekly = [sum(values[i : i + 7]) for i in range(0, len(values), 7)]
    total = sum(weekly)
    return {
        "rep": name,
        "flag": flag(weekly),
        "daily": daily,
        "weekly": weekly,
        "effective": total,
        "per_working_day": ratio(total, working),
        "this_week": weekly[-1],
        "median_week": median(weekly),
        "steadiness": steadiness(weekly),
        "wins": wins[0],
        "month_end_wins": wins[1],
        "month_end_share": ratio(wins[1], wins[0]),
        "advances": advances,
        "open_leads": held,
        "pushing_ratio": ratio(advances, held),
    }


def current(
    store: Store, settings: Settings, *, now: datetime, tz: tzinfo, weeks: int, rep_id: int | None
) -> dict:
    """The `rhythm` command's document: the `weeks` weeks ending today, with the open leads each rep
    holds now (counted as they stand, not rebuilt from history)."""
    held = {r["rep_id"]: r["n"] for r in store.open_count_by_owner(list(settings.stages))}
    return rhythm(
        store,
        settings,
        end_day=now.astimezone(tz).date(),
        weeks=weeks,
        tz=tz,
        at=just_after(now),
        rep_id=rep_id,
        held=held,
    )


def report_section(
    store: Store,
    settings: Settings,
    *,
    as_of: datetime,
    tz: tzinfo,
    rep_id: int | None,
    held: dict[int, int],
    weeks: int = DEFAULT_WEEKS,
) -> dict:
    """The report's Rhythm section: the weeks ending with the report's last day (the day of `as_of`),
    each rep's figures and flag without the daily counts; `held`: the report's open leads at as_of."""
    end_day = (as_of - timedelta(seconds=1)).astimezone(tz).date()
    doc = rhythm(
        store, settings, end_day=end_day, weeks=weeks, tz=tz, at=as_of, rep_id=rep_id, held=held
    )
    doc["by_rep"] = [{k: v for k, v in r.items() if k != "daily"} for r in doc["by_rep"]]
    return {k: v for k, v in doc.items() if k != "rep"}
