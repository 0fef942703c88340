"""The rep's to-do rules: why a lead is on today's list, in what order, and when a deal is stalled.

Pure rules over rows the store selects (the reason flags are computed in SQL over indexed columns);
no typer, no rich. Two entry points, also used by `remind` (docs/reference.md, cron and mail):

    today(store, settings, *, now, tz, rep_id)   -> {"as_of", "rep", "items": [...]}
    stalled(store, settings, *, now, tz, rep_id) -> {"as_of", "items": [...], "by_rep": [...]}

`now` is an aware datetime, `tz` the display zone, `rep_id` a rep's id or None for the whole team.

The score that orders leads which are neither overdue nor due today (higher first):

    score = 50 if key
          + intent: hot 30, warm 15, not set 10, cold 0
          + 5 × log10(1 + value in major units)     ($1,000 → 15, $100,000 → 25, $1M → 30)

so a key customer outranks any non-key one up to about ten million in value, hot intent is worth about
a 1,000× bigger deal, and value breaks ties between otherwise equal leads. Equal scores: lead id order.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from .dates import from_db, local_date, local_iso, start_of_day, to_db, to_local_iso
from .model import Settings
from .money import to_major

REASONS = ("overdue", "due_today", "new_untouched", "stalled", "closing_soon", "no_next_step")
# Beyond the flags computed in SQL: a lead the pool takes back within 3 days (docs/pool.md).
RECYCLE_SOON = "recycle_soon"
APPOINTMENTS = ("overdue", "due_today")
CLOSING_SOON_DAYS = 7
KEY_POINTS = 50
INTENT_POINTS = {"hot": 30, "warm": 15, None: 10, "cold": 0}
VALUE_POINTS_PER_DECADE = 5


# --- the rules -------------------------------------------------------------------------------------


def days_idle(last_touch: str, now: datetime) -> int:
    """Whole days since the last touch: floor((now − last_touch) / 1 day)."""
    return (now - from_db(last_touch)) // timedelta(days=1)


def days_overdue(next_at: str | None, now: datetime, tz: tzinfo) -> int:
    """Today's local date minus the follow-up's local date, in days; 0 when not overdue (or none)."""
    if next_at is None:
        return 0
    return max(0, (now.astimezone(tz).date() - local_date(next_at, tz)).days)


def stalled_before(settings: Settings, now: datetime) -> dict[str, str]:
    """Per open stage, the latest last touch that makes a lead stalled now.

    days_idle > rot ⟺ floor((now − t) / day) ≥ rot + 1 ⟺ t ≤ now − (rot + 1) days.
    """
    return {
        s: to_db(now - timedelta(days=settings.rot_days.get(s, 7) + 1)) for s in settings.stages
    }


@lru_cache(maxsize=4096)
def score(*, key: bool, intent: str | None, value_minor: int | None) -> float:
    """The documented `today` score (see the module docstring)."""
    value_major = (value_minor or 0) / 100
    points = (KEY_POINTS if key else 0) + INTENT_POINTS.get(intent, INTENT_POINTS[None])
    return round(points + VALUE_POINTS_PER_DECADE * math.log10(1 + value_major), 3)


def section(reasons: list[str]) -> str:
    """Which part of the list a lead goes in: overdue, due_today, or others."""
    return reasons[0] if reasons and reasons[0] in ("overdue", "due_today") else "others"


def order_key(item: dict) -> tuple:
    """Overdue (most overdue first, then earliest), due today (earliest first), then score, high first."""
    part = section(item["reasons"])
    if part == "overdue":
        return (0, -item["days_overdue"], item["_next_db"], item["lead_id"])
    if part == "due_today":
        return (1, 0, item["_next_db"], item["lead_id"])
    return (2, -item["score"], "", item["lead_id"])


# --- the documents ---------------------------------------------------------------------------------


def _rep_name(store, rep_id: int | None) -> str | None:
    return None if rep_id is None else store.rep_name(rep_id)


def today(store, settings: Settings, *, now: datetime, tz: tzinfo, rep_id: int | None) -> dict:
    """The `today` document (docs/reference.md, JSON objects) for one rep (or the team when rep_id is None)."""
    local_today = now.astimezone(tz).date()
    rows = store.agenda_candidates(
        open_stages=list(settings.stages),
        owner_id=rep_id,
        now=to_db(now),
        day_start=to_db(start_of_day(local_today, tz)),
        day_end=to_db(start_of_day(local_today + timedelta(days=1), tz)),
        today=local_today.isoformat(),
        soon=(local_today + timedelta(days=CLOSING_SOON_DAYS)).isoformat(),
        stalled_before=stalled_before(settings, now),
    )
    items = [_today_item(row, settings, now, tz) for row in rows]
    _warn_recycling(store, settings, items, now, tz, rep_id)
    items += [
        _after_sale_item(row, settings, now, tz)
        for row in store.after_sale_due(
            owner_id=rep_id, day_end=to_db(start_of_day(local_today + timedelta(days=1), tz))
        )
    ]
    items.sort(key=order_key)
    for item in items:
        del item["_next_db"]
    return {"as_of": local_iso(now, tz), "rep": _rep_name(store, rep_id), "items": items}


def _today_item(row, settings: Settings, now: datetime, tz: tzinfo) -> dict:
    idle = days_idle(row["last_touch"], now)
    return {
        "lead_id": row["id"],
        "name": row["name"],
        "company": row["company"],
        "owner": row["owner"],
        "stage": row["stage"],
        # A snoozed lead is here only for an appointment, and shows only that (docs/first-hour.md).
        "reasons": [r for r in (APPOINTMENTS if row["snoozed"] else REASONS) if row[r]],
        "next_at": to_local_iso(row["next_at"], tz),
        "next_step": row["next_step"],
        "days_overdue": days_overdue(row["next_at"], now, tz) if row["overdue"] else 0,
        "value": to_major(row["value"]),
        "currency": row["currency"],
        "key": bool(row["key"]),
        # Beyond the contract: what the table shows and why the lead sorts where it does.
        "intent": row["intent"],
        "close_by": row["close_by"],
        "days_idle": idle,
        "rot_days": settings.rot_days.get(row["stage"], 7),
        "score": score(key=bool(row["key"]), intent=row["intent"], value_minor=row["value"]),
        "recycle_on": None,  # the day `pool recycle` takes it back, with reason recycle_soon (docs/pool.md)
        "_next_db": row["next_at"] or "",
    }


def _warn_recycling(store, settings: Settings, items: list[dict], now, tz, rep_id) -> None:
    """Reason recycle_soon, with the day (`recycle_on`), on leads `pool recycle` takes back within 3 days
    (docs/pool.md); a lead with no other reason joins the list for it. Only with pool.release_days set."""
    if not settings.pool_release_days:
        return
    from .pool import recycle_at, soon

    by_id = {item["lead_id"]: item for item in items}
    flags = dict.fromkeys(REASONS, 0)
    for row in soon(store, settings, now, rep_id):
        item = by_id.get(row["id"])
        if item is None:
            item = _today_item({**dict(row), **flags, "snoozed": 0}, settings, now, tz)
            items.append(item)
        item["reasons"].append(RECYCLE_SOON)
        item["recycle_on"] = local_date(recycle_at(settings, row), tz).isoformat()


def _after_sale_item(row, settings: Settings, now: datetime, tz: tzinfo) -> dict:
    """A won lead whose after-sale follow-up is due: reason `after_sale`, listed with the others by score."""
    item = _today_item({**dict(row), "snoozed": 1, "overdue": 0, "due_today": 0}, settings, now, tz)
    item["reasons"] = ["after_sale"]
    item["days_overdue"] = days_overdue(row["next_at"], now, tz)
    return item


def stalled(store, settings: Settings, *, now: datetime, tz: tzinfo, rep_id: int | None) -> dict:
    """The `stalled` document (docs/figures.md, Stalled): stalled leads (most overdue for a touch first) and open/stalled per rep."""
    cutoffs = stalled_before(settings, now)
    now_db = to_db(now)
    rows = store.stalled_leads(
        open_stages=list(settings.stages), owner_id=rep_id, now=now_db, stalled_before=cutoffs
    )
    items = []
    for row in rows:
        rot = settings.rot_days.get(row["stage"], 7)
        idle = days_idle(row["last_touch"], now)
        items.append(
            {
                "lead_id": row["id"],
                "name": row["name"],
                "owner": row["owner"],
                "stage": row["stage"],
                "days_idle": idle,
                "rot_days": rot,
                "value": to_major(row["value"]),
                # Beyond the contract:
                "company": row["company"],
                "currency": row["currency"],
                "key": bool(row["key"]),
                "last_touch": to_local_iso(row["last_touch"], tz),
                "days_over": idle - rot,
                "next_at": to_local_iso(row["next_at"], tz),
            }
        )
    items.sort(key=lambda i: (-i["days_over"], -(i["value"] or 0), i["lead_id"]))
    by_rep = [
        {"rep": r["rep"], "open": r["open"], "stalled": r["stalled"]}
        for r in store.open_and_stalled_by_rep(
            open_stages=list(settings.stages), owner_id=rep_id, now=now_db, stalled_before=cutoffs
        )
    ]
    return {
        "as_of": local_iso(now, tz),
        "rep": _rep_name(store, rep_id),
        "items": items,
        "by_rep": by_rep,
    }
