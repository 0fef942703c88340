"""The owner's figures (docs/figures.md): report periods, the funnel and the report, as contract JSON documents.

The store aggregates in SQL (one row per rep, stage or reason); this module applies the definitions:
sums, ratios (None when the denominator is 0), targets, pace and projection. No typer, no rich.
Money stays integer minor units until it is put into the document (major units, as the contract says).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, tzinfo

from .agenda import CLOSING_SOON_DAYS, days_idle, days_overdue, stalled_before
from .dates import local_iso, parse_when, start_of_day, to_db, to_local_iso
from .errors import Invalid
from .i18n import N_
from .model import NO_REP, Settings
from .money import Converter, to_major
from .store import DealLists, Store

LIST_LIMIT = 20
ATTENTION_LIMIT = 10  # stalled and overdue deals named in the report


# --- periods ---------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` away from day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_days(kind: str, today: date) -> tuple[date, date]:
    """Local days [since, until) of `--week` (the last complete Monday–Sunday week before today) or
    `--month` (the last complete calendar month)."""
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), monday
    if kind == "month":
        first = today.replace(day=1)
        return add_months(first, -1), first
    raise ValueError(f"unknown period kind {kind!r}")


def previous_days(kind: str, since: date) -> tuple[date, date]:
    """The period before a week (the week before) or a month (the calendar month before)."""
    if kind == "week":
        return since - timedelta(days=7), since
    return add_months(since, -1), since


def day_range(days: tuple[date, date], tz: tzinfo) -> tuple[datetime, datetime]:
    """Local days [a, b) → aware UTC instants [midnight a, midnight b)."""
    return start_of_day(days[0], tz), start_of_day(days[1], tz)


def previous_span(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The period of equal length just before [since, until)."""
    return since - (until - since), since


@dataclass(frozen=True)
class Period:
    """A report's half-open [since, until) and the period it is compared with."""

    since: datetime
    until: datetime
    previous: tuple[datetime, datetime]


def instant(text: str, *, now: datetime, tz: tzinfo, field: str) -> datetime:
    """A period bound as typed: a WHEN where a bare day means its local midnight."""
    return parse_when(text, now=now, tz=tz, field=field, default_time=time(0, 0))


def tomorrow(now: datetime, tz: tzinfo) -> datetime:
    """Tomorrow 00:00 local: the end of a period that runs to today inclusive."""
    return start_of_day(now.astimezone(tz).date() + timedelta(days=1), tz)


def span(
    since: str | None, until: str | None, *, now: datetime, tz: tzinfo, default_days: int
) -> tuple[datetime, datetime]:
    """--since/--until as typed → a half-open range; missing ends default to tomorrow 00:00 and
    `default_days` before it."""
    end = instant(until, now=now, tz=tz, field="--until") if until else tomorrow(now, tz)
    if since:
        start = instant(since, now=now, tz=tz, field="--since")
    else:  # whole local days back, so a DST change does not shift the start off midnight
        start = start_of_day(end.astimezone(tz).date() - timedelta(days=default_days), tz)
    if start >= end:
        raise Invalid(
            "--since",
            since or start.isoformat(),
            N_("is not before --until ({until})"),
            N_("the range is half-open: --since 2026-11-01 --until 2026-12-01"),
            until=until or "tomorrow",
        )
    return start, end


def report_period(
    *,
    week: bool = False,
    month: bool = False,
    since: str | None = None,
    until: str | None = None,
    now: datetime,
    tz: tzinfo,
) -> Period:
    """The report's period from --week | --month | --since/--until (as typed; default --week), and
    the previous period: the week or calendar month before, or the span of equal length before."""
    if sum((week, month, bool(since or until))) > 1:
        raise Invalid(
            "--week", "--week/--month/--since", N_("are alternatives"), N_("give one of them")
        )
    if since or until:
        start, end = span(since, until, now=now, tz=tz, default_days=7)
        return Period(start, end, previous_span(start, end))
    kind = "month" if month else "week"
    days = period_days(kind, now.astimezone(tz).date())
    return Period(*day_range(days, tz), day_range(previous_days(kind, days[0]), tz))


FUNNEL_DAYS = 91  # the funnel's default cohort: the 90 days before today, and today


def funnel_spans(
    compare: str | None, since: str | None, until: str | None, *, now: datetime, tz: tzinfo
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime] | None]:
    """The funnel's cohort span from --since/--until (as typed) and, with --compare quarter | month |
    previous, the earlier cohort's span (docs/figures.md, The funnel)."""
    if compare in ("quarter", "month"):
        if since or until:
            raise Invalid(
                "--compare",
                compare,
                N_("cannot be combined with --since/--until"),
                N_("use --compare previous to compare with the span before them"),
            )
        today = now.astimezone(tz).date()
        months = 3 if compare == "quarter" else 1
        first = today.replace(month=(today.month - 1) // months * months + 1, day=1)
        return (
            day_range((first, today + timedelta(days=1)), tz),
            day_range((add_months(first, -months), first), tz),
        )
    cohort = span(since, until, now=now, tz=tz, default_days=FUNNEL_DAYS)
    return cohort, previous_span(*cohort) if compare == "previous" else None


# --- small definitions -----------------------------------------------------------------------------


def ratio(numerator: float, denominator: float, digits: int = 4) -> float | None:
    """numerator / denominator, or None when the denominator is 0 (never 0, never an error)."""
    return None if not denominator else round(numerator / denominator, digits)


def mean_money(total_minor: int, count: int) -> int | None:
    """Mean of money in minor units, rounded half up to the cent; None for no items."""
    return None if not count else (2 * total_minor + count) // (2 * count)


def money(minor: float | None) -> int | float | None:
    """Minor units (possibly fractional, e.g. weighted) → major units for JSON, rounded to the cent."""
    return None if minor is None else to_major(round(minor))


def converter(settings: Settings) -> Converter:
    """Other currencies → the team currency at the configured rates (docs/figures.md, "Currencies")."""
    return Converter(settings.currency, settings.rates)


def stage_order(settings: Settings) -> dict[str, int]:
    """Pipeline positions: the open stages in order, then won."""
    return {**{s: i for i, s in enumerate(settings.stages)}, "won": len(settings.stages)}


@dataclass
class Counts:
    """One rep's (or the team's) event counts over a period, in raw units."""

    new_leads: int = 0
    activities: int = 0
    effective: int = 0
    proposals: int = 0
    advanced: int = 0
    won_count: int = 0
    won_amount: int = 0  # minor units
    cycle_days: float = 0.0  # Σ (won_at − created_at) over the won deals
    lost_count: int = 0
    lost_reasons: Counter = field(default_factory=Counter)
    # Owner changes through the pool (docs/pool.md): leads this rep claimed, released, lost to a recycle.
    claimed: int = 0
    released: int = 0
    recycled: int = 0

    def add(self, other: Counts) -> None:
        """Add `other`'s counts to these, every field (a new count needs no edit here)."""
        for name in (f.name for f in fields(self)):
            mine = getattr(self, name)
            if isinstance(mine, Counter):
                mine.update(getattr(other, name))
            else:
                setattr(self, name, mine + getattr(other, name))

    @property
    def win_rate(self) -> float | None:
        return ratio(self.won_count, self.won_count + self.lost_count)

    @property
    def avg_cycle_days(self) -> float | None:
        return ratio(self.cycle_days, self.won_count, 2)

    def doc(self) -> dict:
        return {
            "new_leads": self.new_leads,
            "activities": self.activities,
            "effective": self.effective,
            "proposals": self.proposals,
            "advanced": self.advanced,
            "won_count": self.won_count,
            "won_amount": to_major(self.won_amount),
            "lost_count": self.lost_count,
            "win_rate": self.win_rate,
            "avg_deal_size": money(mean_money(self.won_amount, self.won_count)),
            "avg_cycle_days": self.avg_cycle_days,
            "lost_reasons": dict(sorted(self.lost_reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "claimed": self.claimed,
            "released": self.released,
            "recycled": self.recycled,
        }


@dataclass
class Pipeline:
    """One rep's (or the team's) open pipeline at an instant, in raw units."""

    open_count: int = 0
    open_value: int = 0
    weighted_value: float = 0.0  # minor units × probability
    weighted_in_month: float = 0.0  # the part with close_by in the target month
    stalled: int = 0

    def add(self, other: Pipeline) -> None:
        for name in ("open_count", "open_value", "weighted_value", "weighted_in_month", "stalled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def velocity(open_count: int, c: Counts) -> float | None:
    """open_count × win_rate × avg_deal_size / avg_cycle_days, per day; None when a part is missing."""
    closed = c.won_count + c.lost_count
    if not c.won_count or not closed or c.cycle_days <= 0:
        return None
    # Exact parts, rounded once: (won/closed) × (amount/won) / (cycle/won) = won × amount / (closed × cycle).
    return money(open_count * c.won_count * c.won_amount / (closed * c.cycle_days))


# --- gathering from the store ----------------------------------------------------------------------


def period_counts(
    store: Store, settings: Settings, since: datetime, until: datetime
) -> dict[int, Counts]:
    """Event counts of [since, until) per rep: leads by their owner, activities and moves by who did them."""
    s, u = to_db(since), to_db(until)
    counts: dict[int, Counts] = {}

    def of(rep_id: int) -> Counts:
        return counts.setdefault(rep_id, Counts())

    for r in store.created_by_owner(s, u):
        of(r["rep_id"]).new_leads = r["n"]
    for r in store.activity_counts(s, u):
        c = of(r["rep_id"])
        c.activities, c.effective, c.proposals = r["n"], int(r["effective"]), int(r["proposals"])
    for r in store.advances(s, u, stage_order(settings)):
        of(r["rep_id"]).advanced = r["n"]
    convert = converter(settings)
    for r in store.won_by_owner(s, u):
        c = of(r["rep_id"])
        c.won_count += r["n"]
        c.won_amount += convert(r["amount"], r["currency"])
        c.cycle_days += r["cycle_days"]
    for r in store.lost_by_owner(s, u):
        c = of(r["rep_id"])
        c.lost_count += r["n"]
        c.lost_reasons[r["reason"]] += r["n"]
    kinds = {"claim": "claimed", "release": "released", "recycle": "recycled"}
    for r in store.pool_moves(s, u):
        c = of(r["rep_id"])
        setattr(c, kinds[r["kind"]], getattr(c, kinds[r["kind"]]) + r["n"])
    return counts


def pipeline_at(
    store: Store, settings: Settings, at: datetime, month: tuple[date, date], *, whole: bool = True
) -> dict[int, Pipeline]:
    """The open pipeline at `at` per owner then, reconstructed from stage history. Without `whole`, only
    the part closing in the month (what a projection adds) is converted and counted in money."""
    return open_at(store, settings, at, month, whole=whole)[0]


def open_at(
    store: Store,
    settings: Settings,
    at: datetime,
    month: tuple[date, date],
    *,
    whole: bool = True,
    deals: DealLists | None = None,
) -> tuple[dict[int, Pipeline], dict[str, list]]:
    """pipeline_at, and with `deals` the report's deal lists at `at` (store rows), in one query."""
    pipelines: dict[int, Pipeline] = {}
    rows, lists = store.open_at(
        to_db(at),
        first_stage=settings.stages[0],
        stalled_before=stalled_before(settings, at),
        month_first=month[0].isoformat(),
        month_last=(month[1] - timedelta(days=1)).isoformat(),
        deals=deals,
    )
    convert = converter(settings)
    for r in rows:
        p = pipelines.setdefault(r["rep_id"], Pipeline())
        probability = settings.probability.get(r["stage"], 0.0)
        value = convert(r["value"], r["currency"]) if whole else 0
        in_month = convert(r["value_in_month"], r["currency"])
        p.open_count += r["n"]
        p.open_value += value
        p.weighted_value += value * probability
        p.weighted_in_month += in_month * probability
        p.stalled += int(r["stalled"]) if r["rep_id"] is not None else 0  # the pool's: nobody's
    return pipelines, lists


def month_of(at: datetime, tz: tzinfo) -> tuple[date, date]:
    """Local days [first of the month, first of the next) of the month containing `at`."""
    first = at.astimezone(tz).date().replace(day=1)
    return first, add_months(first, 1)


def team_target(targets: dict[int | None, int], rep_ids: list[int] | None) -> int | None:
    """The team's own target, else the sum of its reps' targets, else None."""
    if None in targets:
        return targets[None]
    amounts = [
        amount
        for rep_id, amount in targets.items()
        if rep_id is not None and (rep_ids is None or rep_id in rep_ids)
    ]
    return sum(amounts) if amounts else None


def progress(target: int | None, won_mtd: int, pace: float, weighted_in_month: float) -> dict:
    """Target attainment, pace, projection and on-track for one rep or the team."""
    projection = won_mtd + weighted_in_month
    return {
        "target": to_major(target),
        "won_month_to_date": to_major(won_mtd),
        "attainment": None if target is None else ratio(won_mtd, target),
        "expected_pace": pace,
        "projection": money(projection),
        "on_track": None if target is None else round(projection) >= target,
    }


def expected_pace(month: tuple[date, date], at: datetime, tz: tzinfo) -> float:
    """Share of the month elapsed at `at` (0..1), in real time (DST-safe)."""
    start, end = day_range(month, tz)
    return round(min(1.0, max(0.0, (at - start) / (end - start))), 4)


def rep_directory(store: Store) -> tuple[dict[int, str], set[int]]:
    """Every rep's name by id, and the ids of the active reps (one query)."""
    rows = store.reps()
    return {r["id"]: r["name"] for r in rows}, {r["id"] for r in rows if r["active"]}


# --- the report ------------------------------------------------------------------------------------


def just_after(now: datetime) -> datetime:
    """The exclusive end of "everything up to now": times are stored to the second, so what happened at
    `now` itself (a deal won a moment ago, or under a pinned clock) is counted."""
    return now + timedelta(seconds=1)


def report(
    store: Store,
    settings: Settings,
    period: Period,
    *,
    now: datetime,
    tz: tzinfo,
    rep_id: int | None,
) -> dict:
    """The report document (docs/figures.md, The report) for [since, until): `team` is the scope's totals (one rep with rep_id).

    Pipeline, stalled, pace and month-to-date figures are as of the period's end, or now when the period
    has not ended yet; they are rebuilt from history, so a past period's report does not change later.
    Only `funnel` shows where its cohort stands now, as the `funnel` command does.
    """
    since, until, previous = period.since, period.until, period.previous
    as_of = min(until, just_after(now))
    month = month_of(until - timedelta(seconds=1), tz)
    month_start = start_of_day(month[0], tz)
    names, active = rep_directory(store)

    scope = None if rep_id is None else rep_id if rep_id in names else NO_REP

    counts = period_counts(store, settings, since, until)
    before = period_counts(store, settings, *previous)
    pipes, deals = open_at(
        store, settings, as_of, month, deals=deal_lists(settings, as_of, tz, scope)
    )
    won_mtd = won_amounts(store, settings, month_start, as_of)
    targets = store.targets(month[0].strftime("%Y-%m"))
    pace = expected_pace(month, as_of, tz)

    if rep_id is None:
        shown = sorted(
            (active | set(counts) | set(pipes) | set(won_mtd)) - {None},  # None: the pool (below)
            key=lambda i: names.get(i, "").lower(),
        )
    else:
        shown = [rep_id] if rep_id in names else []

    def metrics(rep_ids: list[int], target: int | None) -> dict:
        c, b, p = Counts(), Counts(), Pipeline()
        for i in rep_ids:
            c.add(counts.get(i, Counts()))
            b.add(before.get(i, Counts()))
            p.add(pipes.get(i, Pipeline()))
        won = sum(won_mtd.get(i, 0) for i in rep_ids)
        return {
            **c.doc(),
            "open_count": p.open_count,
            "open_value": to_major(p.open_value),
            "weighted_value": money(p.weighted_value),
            "stalled": p.stalled,
            **progress(target, won, pace, p.weighted_in_month),
            "velocity": velocity(p.open_count, c),
            "previous": {
                "since": local_iso(previous[0], tz),
                "until": local_iso(previous[1], tz),
                **b.doc(),
            },
        }

    # The team is everyone (former reps' deals included) and the pool (docs/pool.md), so the reps' rows
    # and the pool's add up to it.
    everyone = [*sorted(set(names)), None] if rep_id is None else shown
    team_goal = team_target(targets, None) if rep_id is None else targets.get(rep_id)
    team = metrics(everyone, team_goal)
    reps = [{"rep": names[i], **metrics([i], targets.get(i))} for i in shown]

    return {
        "since": local_iso(since, tz),
        "until": local_iso(until, tz),
        "as_of": local_iso(as_of, tz),
        "rep": names.get(rep_id) if rep_id is not None else None,
        "currency": settings.currency,
        "month": month[0].strftime("%Y-%m"),
        "team": team,
        "reps": reps,
        "pool": _pool_part(counts.get(None, Counts()), pipes.get(None, Pipeline()))
        if rep_id is None
        else None,
        "previous": team["previous"],
        **deal_docs(deals, settings, as_of, tz),
        "plays": plays(store, until, scope),
        "cadences": cadences(store, until, scope),
        "rhythm": _rhythm(
            store, settings, as_of, tz, rep_id, {i: p.open_count for i, p in pipes.items()}
        ),
        "trends": _trends(
            store,
            settings,
            as_of,
            tz,
            rep_id,
            sum(pipes[i].weighted_value for i in everyone if i in pipes),
        ),
        "funnel": report_funnel(store, settings, until=until, tz=tz, rep_id=rep_id),
    }


def _pool_part(c: Counts, p: Pipeline) -> dict:
    """The pool's share of the team's figures: leads created into it and its open pipeline."""
    return {
        "new_leads": c.new_leads,
        "open_count": p.open_count,
        "open_value": to_major(p.open_value),
        "weighted_value": money(p.weighted_value),
    }


# The report's funnel takes the cohort the `funnel` command takes by default: 90 days and the last day.
REPORT_FUNNEL_DAYS = FUNNEL_DAYS


def report_funnel(
    store: Store, settings: Settings, *, until: datetime, tz: tzinfo, rep_id: int | None
) -> dict:
    """The report's funnel (docs/figures.md, The funnel in the report): the cohort of leads created in
    the 91 local days to the period's end, where they stand now; the same as `funnel` when the period
    ends tomorrow at 00:00."""
    last_day = (until - timedelta(microseconds=1)).astimezone(tz).date()
    since = start_of_day(last_day - timedelta(days=REPORT_FUNNEL_DAYS - 1), tz)
    return funnel(store, settings, since=since, until=until, rep_id=rep_id, tz=tz)


def _trends(
    store: Store,
    settings: Settings,
    as_of: datetime,
    tz: tzinfo,
    rep_id: int | None,
    weighted_now: float,
) -> dict:
    """The report's 12-week trends (docs/figures.md, Trends), ending with the report's weighted value."""
    from .trends import report_section  # trends builds on this module

    return report_section(
        store, settings, as_of=as_of, tz=tz, rep_id=rep_id, weighted_now=weighted_now
    )


def _rhythm(
    store: Store,
    settings: Settings,
    as_of: datetime,
    tz: tzinfo,
    rep_id: int | None,
    held: dict[int, int],
) -> dict:
    """The report's Rhythm section (docs/figures.md, Rhythm), with the open leads the report counted."""
    from .rhythm import report_section  # rhythm builds on this module

    return report_section(store, settings, as_of=as_of, tz=tz, rep_id=rep_id, held=held)


def won_amounts(
    store: Store, settings: Settings, since: datetime, until: datetime
) -> dict[int, int]:
    """Won amount (team-currency minor units) of [since, until) per owner (for month-to-date)."""
    if until <= since:
        return {}
    convert, won = converter(settings), Counter()
    for r in store.won_by_owner(to_db(since), to_db(until)):
        won[r["rep_id"]] += convert(r["amount"], r["currency"])
    return dict(won)


def _deal(row: dict, settings: Settings) -> dict:
    return {
        "lead_id": row["id"],
        "name": row["name"],
        "company": row["company"],
        "owner": row["owner"],
        "stage": row["stage"],
        "value": to_major(row["value"]),
        "currency": row["currency"],
        "close_by": row["close_by"],
        "key": bool(row["key"]),
        "probability": settings.probability.get(row["stage"]),
    }


def deal_lists(settings: Settings, at: datetime, tz: tzinfo, rep_id: int | None) -> DealLists:
    """What the report lists of the deals open at `at` (one rep's with rep_id): key customers' deals,
    biggest first; deals whose close_by is within 7 days of that local day (the rule of `today`),
    soonest first; the most valuable stalled deals (the `Stalled` count's); the most valuable deals
    whose follow-up was due before that local day. Values compared in the team currency."""
    first = at.astimezone(tz).date()
    return DealLists(
        rep_id=rep_id,
        weights=converter(settings).order_weights(),
        close_from=first.isoformat(),
        close_to=(first + timedelta(days=CLOSING_SOON_DAYS)).isoformat(),
        overdue_before=to_db(start_of_day(first, tz)),
        limit=LIST_LIMIT,
        attention_limit=ATTENTION_LIMIT,
    )


def deal_docs(lists: dict[str, list], settings: Settings, at: datetime, tz: tzinfo) -> dict:
    """The report's `key_deals`, `closing_soon`, `stalled_deals` (with their idle days) and
    `overdue_deals` (with the days late). Follow-ups have no history: the follow-up as booked now
    (docs/figures.md)."""
    return {
        "key_deals": [_deal(r, settings) for r in lists["key_deals"]],
        "closing_soon": [_deal(r, settings) for r in lists["closing_soon"]],
        "stalled_deals": [
            {
                **_deal(r, settings),
                "days_idle": days_idle(r["last_touch"], at),
                "rot_days": settings.rot_days.get(r["stage"]),
            }
            for r in lists["stalled_deals"]
        ],
        "overdue_deals": [
            {
                **_deal(r, settings),
                "next_at": to_local_iso(r["next_at"], tz),
                "next_step": r["next_step"],
                "days_overdue": days_overdue(r["next_at"], at, tz),
            }
            for r in lists["overdue_deals"]
        ],
    }


def plays(store: Store, until: datetime, rep_id: int | None) -> list[dict]:
    """Per play: leads it was used on before the period's end, how many of them were won and lost."""
    return [
        {
            "play": r["play"],
            "leads": r["leads"],
            "won": int(r["won"]),
            "lost": int(r["lost"]),
            "win_rate": ratio(r["won"], r["won"] + r["lost"]),
        }
        for r in store.play_results(to_db(until), rep_id)
    ]


def cadences(store: Store, until: datetime, rep_id: int | None) -> list[dict]:
    """Per play whose cadence leads went through (started before the period's end): how many leads,
    how many finished every step, how many were won and lost by then (docs/calendar.md)."""
    return [
        {
            "play": r["play"],
            "leads": r["leads"],
            "completed": int(r["completed"]),
            "won": int(r["won"]),
            "lost": int(r["lost"]),
            "win_rate": ratio(r["won"], r["won"] + r["lost"]),
        }
        for r in store.cadence_results(to_db(until), rep_id)
    ]


# --- the funnel ------------------------------------------------------------------------------------


def funnel(
    store: Store,
    settings: Settings,
    *,
    since: datetime,
    until: datetime,
    rep_id: int | None,
    tz: tzinfo,
) -> dict:
    """The funnel document (docs/figures.md, The funnel) of the cohort of leads created in [since, until)."""
    s, u = to_db(since), to_db(until)
    order = stage_order(settings)
    stages = list(order)
    at_least = Counter()
    for r in store.funnel_furthest(s, u, rep_id, order):
        for stage, position in order.items():
            if r["furthest"] >= position:
                at_least[stage] += r["n"]
    lost: dict[str, Counter] = {stage: Counter() for stage in stages}
    for r in store.funnel_lost(s, u, rep_id):
        if r["stage"] in lost:
            lost[r["stage"]][r["reason"]] += r["n"]
    stays = {r["stage"]: (r["n"], r["days"]) for r in store.funnel_stays(s, u, rep_id)}
    outcomes = store.funnel_outcomes(s, u, rep_id)
    won, lost_total = int(outcomes["won"]), int(outcomes["lost"])

    rows = []
    for i, stage in enumerate(stages):
        n, days = stays.get(stage, (0, 0.0))
        reached = at_least[stage]
        rows.append(
            {
                "stage": stage,
                "reached": reached,
                "conversion": ratio(at_least[stages[i + 1]], reached)
                if i + 1 < len(stages)
                else None,
                "lost": sum(lost[stage].values()),
                "lost_reasons": dict(sorted(lost[stage].items(), key=lambda kv: (-kv[1], kv[0]))),
                "avg_days_in_stage": ratio(days, n, 2),
            }
        )
    return {
        "since": local_iso(since, tz),
        "until": local_iso(until, tz),
        "rep": store.rep_name(rep_id) if rep_id is not None else None,
        "cohort": outcomes["cohort"],
        "stages": rows,
        "won": won,
        "lost": lost_total,
        "open": outcomes["cohort"] - won - lost_total,
        "win_rate": ratio(won, won + lost_total),
    }


def funnel_of(
    store: Store,
    settings: Settings,
    cohort: tuple[datetime, datetime],
    earlier: tuple[datetime, datetime] | None = None,
    *,
    rep_id: int | None,
    tz: tzinfo,
) -> dict:
    """The funnel of the leads created in `cohort`; with `earlier`, beside that cohort's, stage by stage
    (`funnel --compare`)."""
    doc = funnel(store, settings, since=cohort[0], until=cohort[1], rep_id=rep_id, tz=tz)
    if earlier is None:
        return doc
    before = funnel(store, settings, since=earlier[0], until=earlier[1], rep_id=rep_id, tz=tz)
    return funnel_compare(doc, before)


def funnel_compare(doc: dict, before: dict) -> dict:
    """The funnel with an earlier cohort beside it (docs/figures.md, The funnel): per stage the earlier
    reached count and conversion and the change in conversion; `worst_stage` is the stage whose
    conversion fell most (None when none fell)."""
    earlier = {s["stage"]: s for s in before["stages"]}
    stages, worst, fall = [], None, 0.0
    for s in doc["stages"]:
        prev = earlier.get(s["stage"], {})
        now_c, prev_c = s["conversion"], prev.get("conversion")
        change = None if now_c is None or prev_c is None else round(now_c - prev_c, 4)
        if change is not None and change < fall:
            worst, fall = s["stage"], change
        stages.append(
            {
                **s,
                "previous_reached": prev.get("reached", 0),
                "previous_conversion": prev_c,
                "conversion_change": change,
            }
        )
    compare = {
        k: before[k] for k in ("since", "until", "cohort", "won", "lost", "open", "win_rate")
    }
    return {**doc, "stages": stages, "compare": compare, "worst_stage": worst}


# --- targets ---------------------------------------------------------------------------------------


def target_progress(
    store: Store, settings: Settings, *, month: date, now: datetime, tz: tzinfo
) -> dict:
    """`target show`: each rep's and the team's target for the month, won so far, attainment and pace."""
    days = (month, add_months(month, 1))
    start, end = day_range(days, tz)
    as_of = max(start, min(just_after(now), end))
    won = won_amounts(store, settings, start, as_of)
    pipes = pipeline_at(store, settings, as_of, days, whole=False)
    targets = store.targets(month.strftime("%Y-%m"))
    pace = expected_pace(days, as_of, tz)
    names, active = rep_directory(store)
    shown = sorted(
        active | {i for i in targets if i is not None} | set(won),
        key=lambda i: names.get(i, "").lower(),
    )

    def row(rep_ids: list[int], target: int | None) -> dict:
        weighted = sum(pipes.get(i, Pipeline()).weighted_in_month for i in rep_ids)
        return progress(target, sum(won.get(i, 0) for i in rep_ids), pace, weighted)

    return {
        "month": month.strftime("%Y-%m"),
        "as_of": local_iso(as_of, tz),
        "currency": settings.currency,
        "team": row(sorted(names), team_target(targets, None)),
        "reps": [{"rep": names[i], **row([i], targets.get(i))} for i in shown],
    }
