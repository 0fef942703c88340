"""The view of `search`: the leads and activities the store found → the JSON document and the table of
hits (one row per lead or note). No I/O."""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..dates import to_local_iso
from ..i18n import _, moment, stage
from ..render import Column, Output, Table
from .lead import lead_object


def _columns(year: int) -> list[Column]:
    """The table's columns, labelled in the run's language; dates in `year` drop it in Chinese."""
    return [
        Column("lead_id", "#", "right"),
        Column("type", _("Found in")),
        Column("name", _("Lead")),
        Column("stage", _("Stage"), show=stage),
        Column("at", _("When"), show=lambda v: moment(v, year)),
        Column("text", _("Text")),
    ]


def search_output(query: str, lead_rows, activity_rows, tz: tzinfo, now: datetime) -> Output:
    """JSON: {query, leads (lead objects), activities (the notes that matched)}; table and CSV: the hits."""
    leads = [lead_object(r, tz) for r in lead_rows]
    notes = [
        {
            "activity_id": r["id"],
            "lead_id": r["lead_id"],
            "name": r["name"],
            "company": r["company"],
            "stage": r["stage"],
            "rep": r["rep"],
            "kind": r["kind"],
            "at": to_local_iso(r["at"], tz),
            "note": r["note"],
        }
        for r in activity_rows
    ]
    hits = [
        {
            "type": "lead",
            "lead_id": o["id"],
            "name": o["name"],
            "company": o["company"],
            "stage": o["stage"],
            "at": o["created_at"],
            "text": o["name"] + (f" ({o['company']})" if o["company"] else ""),
        }
        for o in leads
    ]
    hits += [
        {
            "type": "activity",
            "lead_id": n["lead_id"],
            "name": n["name"],
            "company": n["company"],
            "stage": n["stage"],
            "at": n["at"],
            "text": n["note"],
        }
        for n in notes
    ]
    shown = [
        {
            **h,
            "text": h["text"].replace("\n", " ")[:80],
            "type": _("note") if h["type"] == "activity" else _("lead"),
        }
        for h in hits
    ]
    columns = _columns(now.astimezone(tz).year)
    table = Table(columns, shown, empty=_('Nothing matches "{text}".').format(text=query))
    return Output(
        {"query": query, "leads": leads, "activities": notes}, [table], csv=Table(columns, hits)
    )
