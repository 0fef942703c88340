"""Contract objects and human views of leads: rows in, `Output` (JSON document + blocks) out. No I/O."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from .. import fields
from ..dates import to_local_iso
from ..i18n import _, current, day, intent, kind, moment, money, pgettext, stage
from ..money import to_major
from ..render import Column, Fields, Output, Table

# The lead object's keys in order (salesctl/fields.py): JSON, the CSV header, export.
LEAD_KEYS = fields.KEYS
_CONVERTED = (*fields.TIMES, *fields.MONEY, *fields.FLAGS, "tags")


def lead_object(row, tz) -> dict:
    """The lead object (docs/reference.md, JSON objects) from a `Store.LEAD_SELECT` row."""
    obj = {key: row[key] for key in LEAD_KEYS if key not in _CONVERTED}
    for key in fields.TIMES:
        obj[key] = to_local_iso(row[key], tz)
    for key in fields.MONEY:
        obj[key] = to_major(row[key])
    for key in fields.FLAGS:
        obj[key] = bool(row[key])
    obj["tags"] = row["tags"].split("\x1f") if row["tags"] else []
    return {key: obj[key] for key in LEAD_KEYS}


def short_time(iso: str | None) -> str:
    """`2026-11-27T09:00:00+08:00` → `2026-11-27 09:00` for tables."""
    return "" if not iso else iso[:16].replace("T", " ")


def lead_fields(obj: dict, year: int | None = None) -> Fields:
    """`year` (the current one): dates in it drop their year in Chinese tables."""
    pairs = [
        (_("Lead"), f"#{obj['id']} {obj['name']}" + (_(" ★ key") if obj["key"] else "")),
        (_("Company"), obj["company"] or ""),
        (_("Contact"), " · ".join(x for x in (obj["contact"], obj["email"], obj["phone"]) if x)),
        (
            _("Stage"),
            stage(obj["stage"])
            + (
                _(" (lost at {stage}: {reason})").format(
                    stage=stage(obj["lost_stage"] or ""),
                    reason=pgettext("lost", obj["lost_reason"]),
                )
                if obj["lost_reason"]
                else ""
            ),
        ),
        (_("Owner"), obj["owner"] or _("(the pool)")),
        (_("Value"), money(obj["value"], obj["currency"])),
        (
            _("Won"),
            _("{amount} on {day}").format(
                amount=money(obj["won_amount"], obj["currency"]),
                day=moment(obj["won_at"], year),
            )
            if obj["won_at"]
            else "",
        ),
        (
            _("Next"),
            " ".join(x for x in (moment(obj["next_at"], year), obj["next_step"] or "") if x),
        ),
        (_("Close by"), day(obj["close_by"], None if current() == "en" else year)),
        (_("Intent"), intent(obj["intent"])),
        (_("Source"), obj["source"] or ""),
        (_("Industry"), obj["industry"] or ""),
        (_("Persona"), obj["persona"] or ""),
        (_("Tags"), ", ".join(obj["tags"])),
        (_("Created"), moment(obj["created_at"], year)),
        (_("Last activity"), moment(obj["last_activity_at"], year)),
        (_("Snoozed until"), moment(obj["snoozed_until"], year)),
    ]
    return Fields([(k, v) for k, v in pairs if v])


def all_fields_table(objs: list[dict]) -> Table:
    """Every lead field as a column: what `--format csv` writes for leads."""
    return Table([Column(k, k) for k in LEAD_KEYS], objs)


def lead_output(obj: dict, *, message: str | None = None) -> Output:
    """A changed or shown lead: JSON is the lead object; the table view is its fields."""
    return Output(obj, [lead_fields(obj)], csv=all_fields_table([obj]), plain=message)


def short_date(day: str | None, year: int | None) -> str:
    """`2026-12-05` → `12-05` in the current year (as `today` shows dates); other years keep theirs."""
    if not day:
        return ""
    return day[5:10] if year is not None and day[:4] == str(year) else day[:10]


def short_day_time(iso: str | None, year: int | None) -> str:
    """`2026-11-27T09:00…` → `11-27 09:00` in the current year, else the day alone (`2025-11-27`)."""
    if not iso:
        return ""
    return short_time(iso)[5:] if year is not None and iso[:4] == str(year) else iso[:10]


def list_columns(year: int | None) -> dict[str, Column]:
    """`lead list` columns by the sort word that orders them (else the field's key), as each field's
    `listed` says (salesctl/fields.py). Priorities say which go first on a narrow terminal (Company,
    then Next step, Next, Owner, Value); names and dates are never folded. In Chinese, days and times
    read `12月5日 週四 11:30`, without the current year (docs/chinese.md)."""
    chinese = current() != "en"
    shown = {
        "time": (lambda v: moment(v, year)) if chinese else short_time,
        "day": (lambda v: day(v, year)) if chinese else None,
        "stage": stage,
    }
    shorter = {
        "time": (lambda v: day(v, year)) if chinese else (lambda v: short_day_time(v, year)),
        "day": (lambda v: day(v, year)) if chinese else (lambda v: short_date(v, year)),
    }
    columns = {}
    for field in fields.LEAD:
        listed = field.listed
        if listed is None:
            continue
        columns[field.sort[1] if field.sort else field.key] = Column(
            field.key,
            listed.header if listed.header == "#" else _(listed.header),
            "right" if field.kind in ("id", "money") else "left",
            show=shown.get(field.kind),
            wrap=listed.wrap,
            max_width=listed.width,
            priority=listed.priority,
            short=shorter.get(field.kind),
        )
    return columns


LIST_ORDER = ("id", "name", "company", "stage", "owner", "value", "next", "next_step")


def lead_list_output(objs: list[dict], *, sort: str = "id", year: int | None = None) -> Output:
    """`lead list`: the sort column is always shown (and never dropped); Owner only when the rows have
    more than one owner. `year` (the current one) lets dates drop it when the terminal is narrow."""
    available = list_columns(year)
    keys = [k for k in LIST_ORDER if k != "owner" or len({o["owner"] for o in objs}) > 1]
    if sort in available and sort not in keys:
        keys.insert(keys.index("next"), sort)
    columns = [available[k] if k != sort else replace(available[k], priority=0) for k in keys]
    rows = [
        {
            **o,
            "name": ("★ " if o["key"] else "") + o["name"],
            "value": money(o["value"], o["currency"]),
        }
        for o in objs
    ]
    return Output(
        objs, [Table(columns, rows, empty=_("No leads match."))], csv=all_fields_table(objs)
    )


def timeline_entry(row, tz) -> dict:
    at = to_local_iso(row["at"], tz)
    if row["type"] == "activity":
        return {
            "type": "activity",
            "id": row["seq"],
            "at": at,
            "rep": row["rep"],
            "kind": row["kind"],
            "note": row["note"],
            "effective": bool(row["effective"]),
            "play": row["play"],
        }
    if row["type"] == "removed":  # an activity deleted with `activity delete`, kept as a note
        return {
            "type": "removed",
            "at": at,
            "rep": row["rep"],
            "id": row["activity_id"],
            "kind": row["kind"],
            "note": row["note"],
            "activity_at": to_local_iso(row["from_value"], tz),
        }
    entry = {
        "type": row["type"],
        "at": at,
        "rep": row["rep"],
        "from": row["from_value"],
        "to": row["to_value"],
    }
    if (
        row["type"] == "owner"
    ):  # docs/pool.md: from/to null is the pool; rep null is salesctl (recycle)
        entry["change"] = row["kind"]
        entry["reason"] = row["note"]
    return entry


def _describe(entry: dict, year: int | None = None) -> str:
    if entry["type"] == "activity":
        flag = "" if entry["effective"] or entry["kind"] == "note" else _(" (no answer)")
        play = _(" [play: {play}]").format(play=entry["play"]) if entry["play"] else ""
        said = _("{kind}: {note}").format(kind=kind(entry["kind"]) + flag, note=entry["note"])
        return said + play
    if entry["type"] == "removed":
        return _("removed {kind} #{id} of {at}: {note}").format(
            kind=kind(entry["kind"]),
            id=entry["id"],
            at=moment(entry["activity_at"], year),
            note=entry["note"],
        )
    if entry["type"] == "stage":
        if entry["from"] is None:
            return _("created in {stage}").format(stage=stage(entry["to"]))
        return _("stage {old} → {new}").format(old=stage(entry["from"]), new=stage(entry["to"]))
    pool = _("the pool")
    text = {
        "claim": _("claimed from the pool"),
        "release": _("released to the pool by {old}"),
        "recycle": _("recycled to the pool from {old}"),
    }.get(entry.get("change"), _("owner {old} → {new}"))
    text = text.format(old=entry["from"] or pool, new=entry["to"] or pool)
    if not entry.get("reason"):
        return text
    return _("{change}: {reason}").format(change=text, reason=owner_reason(entry["reason"]))


@cache
def _recycled_pattern():
    """RECYCLE_REASON as a pattern that gives back its values."""
    import re

    from ..pool import RECYCLE_REASON

    return re.compile(
        re.escape(RECYCLE_REASON)
        .replace(r"\{days\}", r"(?P<days>\d+)")
        .replace(r"\{stage\}", r"(?P<stage>\S+)")
        .replace(r"\{setting\}", r"(?P<setting>pool\.release_days\.\S+ \d+)")
        + r"\Z"
    )


def owner_reason(text: str | None) -> str:
    """Why a lead changed hands, as stored: the reason `pool recycle` wrote itself is salesctl's words
    and is shown in this run's language; a reason a person typed is shown as typed."""
    if not text or current() == "en":
        return text or ""
    from ..pool import RECYCLE_REASON

    found = _recycled_pattern().match(text)
    if found is None:
        return text
    return _(RECYCLE_REASON).format(
        days=found["days"], stage=stage(found["stage"]), setting=found["setting"]
    )


def lead_show_output(
    obj: dict, timeline: list[dict], schedule: dict | None = None, *, year: int | None = None
) -> Output:
    """`schedule`: the running cadence and the repeat interval (docs/calendar.md), shown after the fields.
    `year` (the current one): dates in it drop their year in Chinese tables."""
    rows = [
        {
            "at": moment(e["at"], year),
            "rep": e["rep"] or "salesctl",
            "what": _describe(e, year),
            "id": e["id"] if e["type"] == "activity" else "",
        }
        for e in timeline
    ]  # ids for `activity edit`
    table = Table(
        [
            Column("at", _("When")),
            Column("id", "#", "right"),
            Column("rep", _("Rep")),
            Column("what", _("What")),
        ],
        rows,
        title=_("Timeline"),
    )
    fields = lead_fields(obj, year)
    doc = {**obj}
    if schedule is not None:
        doc.update(schedule)
        fields.pairs += _schedule_pairs(schedule)
    return Output({**doc, "timeline": timeline}, [fields, table], csv=all_fields_table([obj]))


def _interval(every: str) -> str:
    """A repeat interval as stored (`2w`, what --every takes) in English; `2 週` in Chinese."""
    if current() == "en" or not every[:-1].isdigit():
        return every
    unit = {"d": _("{n} days"), "w": _("{n} weeks"), "m": _("{n} months")}.get(every[-1])
    return unit.format(n=int(every[:-1])) if unit else every


def _schedule_pairs(schedule: dict) -> list[tuple[str, str]]:
    pairs = []
    cadence = schedule.get("cadence")
    if cadence:
        pairs.append((_("Cadence"), _("{play}: step {step} of {steps} ({next})").format(**cadence)))
    if schedule.get("every"):
        pairs.append(
            (
                _("Repeats"),
                _("every {every} after each effective touch").format(
                    every=_interval(schedule["every"])
                ),
            )
        )
    return pairs
