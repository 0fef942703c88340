"""Contract objects and human views of leads: rows in, `Output` (JSON document + blocks) out. No I/O."""

from __future__ import annotations

from .dates import to_local_iso
from .money import format_major, to_major
from .render import Column, Fields, Output, Table

LEAD_KEYS = (
    "id", "name", "company", "contact", "email", "phone", "source", "intent", "industry", "persona", "tags",
    "value", "currency", "owner", "stage", "created_at", "stage_changed_at", "last_activity_at", "next_at",
    "next_step", "close_by", "key", "won_at", "won_amount", "lost_at", "lost_reason", "lost_stage",
    "snoozed_until",
)
_TIMES = ("created_at", "stage_changed_at", "last_activity_at", "next_at", "won_at", "lost_at", "snoozed_until")


def lead_object(row, tz) -> dict:
    """The lead object (docs/reference.md, JSON objects) from a `Store.LEAD_SELECT` row."""
    obj = {key: row[key] for key in LEAD_KEYS if key not in ("tags", "key", "value", "won_amount")}
    for key in _TIMES:
        obj[key] = to_local_iso(row[key], tz)
    obj["tags"] = row["tags"].split("\x1f") if row["tags"] else []
    obj["key"] = bool(row["key"])
    obj["value"] = to_major(row["value"])
    obj["won_amount"] = to_major(row["won_amount"])
    return {key: obj[key] for key in LEAD_KEYS}


def short_time(iso: str | None) -> str:
    """`2026-11-27T09:00:00+08:00` → `2026-11-27 09:00` for tables."""
    return "" if not iso else iso[:16].replace("T", " ")


def lead_fields(obj: dict) -> Fields:
    pairs = [
        ("Lead", f"#{obj['id']} {obj['name']}" + (" ★ key" if obj["key"] else "")),
        ("Company", obj["company"] or ""),
        ("Contact", " · ".join(x for x in (obj["contact"], obj["email"], obj["phone"]) if x)),
        ("Stage", obj["stage"] + (f" (lost at {obj['lost_stage']}: {obj['lost_reason']})" if obj["lost_reason"] else "")),
        ("Owner", obj["owner"]),
        ("Value", format_major(obj["value"], obj["currency"])),
        ("Won", f"{format_major(obj['won_amount'], obj['currency'])} on {short_time(obj['won_at'])}" if obj["won_at"] else ""),
        ("Next", " ".join(x for x in (short_time(obj["next_at"]), obj["next_step"] or "") if x)),
        ("Close by", obj["close_by"] or ""),
        ("Intent", obj["intent"] or ""),
        ("Source", obj["source"] or ""),
        ("Industry", obj["industry"] or ""),
        ("Persona", obj["persona"] or ""),
        ("Tags", ", ".join(obj["tags"])),
        ("Created", short_time(obj["created_at"])),
        ("Last activity", short_time(obj["last_activity_at"])),
        ("Snoozed until", short_time(obj["snoozed_until"])),
    ]
    return Fields([(k, v) for k, v in pairs if v])


def all_fields_table(objs: list[dict]) -> Table:
    """Every lead field as a column: what `--format csv` writes for leads."""
    return Table([Column(k, k) for k in LEAD_KEYS], objs)


def lead_output(obj: dict, *, message: str | None = None) -> Output:
    """A changed or shown lead: JSON is the lead object; the table view is its fields."""
    return Output(obj, [lead_fields(obj)], csv=all_fields_table([obj]), plain=message)


LIST_COLUMNS = [
    Column("id", "#", "right"),
    Column("name", "Name", show=None),
    Column("company", "Company"),
    Column("stage", "Stage"),
    Column("owner", "Owner"),
    Column("value", "Value", "right"),
    Column("next_at", "Next", show=short_time),
    Column("next_step", "Next step"),
]


def lead_list_output(objs: list[dict]) -> Output:
    rows = [{**o, "name": ("★ " if o["key"] else "") + o["name"], "value": format_major(o["value"], o["currency"])} for o in objs]
    return Output(objs, [Table(LIST_COLUMNS, rows, empty="No leads match.")], csv=all_fields_table(objs))


def timeline_entry(row, tz) -> dict:
    at = to_local_iso(row["at"], tz)
    if row["type"] == "activity":
        return {"type": "activity", "id": row["seq"], "at": at, "rep": row["rep"], "kind": row["kind"],
                "note": row["note"], "effective": bool(row["effective"]), "play": row["play"]}
    if row["type"] == "removed":  # an activity deleted with `activity delete`, kept as a note
        return {"type": "removed", "at": at, "rep": row["rep"], "id": row["to_value"], "kind": row["kind"],
                "note": row["note"], "activity_at": to_local_iso(row["from_value"], tz)}
    return {"type": row["type"], "at": at, "rep": row["rep"], "from": row["from_value"], "to": row["to_value"]}


def _describe(entry: dict) -> str:
    if entry["type"] == "activity":
        flag = "" if entry["effective"] or entry["kind"] == "note" else " (no answer)"
        play = f" [play: {entry['play']}]" if entry["play"] else ""
        return f"{entry['kind']}{flag}: {entry['note']}{play}"
    if entry["type"] == "removed":
        return f"removed {entry['kind']} #{entry['id']} of {short_time(entry['activity_at'])}: {entry['note']}"
    if entry["type"] == "stage":
        return f"created in {entry['to']}" if entry["from"] is None else f"stage {entry['from']} → {entry['to']}"
    return f"owner {entry['from']} → {entry['to']}"


def lead_show_output(obj: dict, timeline: list[dict], schedule: dict | None = None) -> Output:
    """`schedule`: the running cadence and the repeat interval (docs/calendar.md), shown after the fields."""
    rows = [{"at": short_time(e["at"]), "rep": e["rep"], "what": _describe(e),
             "id": e["id"] if e["type"] == "activity" else ""} for e in timeline]  # ids for `activity edit`
    table = Table([Column("at", "When"), Column("id", "#", "right"), Column("rep", "Rep"), Column("what", "What")],
                  rows, title="Timeline")
    fields = lead_fields(obj)
    doc = {**obj}
    if schedule is not None:
        doc.update(schedule)
        fields.pairs += _schedule_pairs(schedule)
    return Output({**doc, "timeline": timeline}, [fields, table], csv=all_fields_table([obj]))


def _schedule_pairs(schedule: dict) -> list[tuple[str, str]]:
    pairs = []
    cadence = schedule.get("cadence")
    if cadence:
        pairs.append(("Cadence", f"{cadence['play']}: step {cadence['step']} of {cadence['steps']} ({cadence['next']})"))
    if schedule.get("every"):
        pairs.append(("Repeats", f"every {schedule['every']} after each effective touch"))
    return pairs
