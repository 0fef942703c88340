"""Export: leads, activities or everything, streamed row by row from a cursor, to stdout or a private file."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from .dates import to_local_iso
from .importing import DOCUMENT_VERSION
from .money import to_major
from .render import safe_cell
from .store import SCHEMA_VERSION, Store
from .views.lead import LEAD_KEYS, lead_object

ACTIVITY_KEYS = (
    "id",
    "lead_id",
    "lead",
    "company",
    "rep",
    "kind",
    "note",
    "effective",
    "at",
    "play",
    "created_at",
)
# Per table of the full document: which columns are times (shown local, with offset) and money (major units).
_TIMES = {
    "created_at",
    "at",
    "set_at",
    "activity_at",
    "started_at",
    "ended_at",
    "modified_at",
    "notified_at",
}
_MONEY = {"amount"}
_FLAGS = {"active", "effective"}
DOCUMENT_TABLES = (
    "reps",
    "plays",
    "leads",
    "activities",
    "stage_history",
    "assignments",
    "targets",
    "activity_removals",
    "cadence_runs",
    "recurrences",
    "followup_revisions",
)


@contextmanager
def private_output(path: Path | None, *, protect: Path | None, bom: bool = False) -> Iterator:
    """stdout, or a text stream into the private file `path`, written whole by the one safe writer
    (salesctl/files.py). `bom`: start the file (never stdout) with a UTF-8 BOM, for spreadsheets."""
    if path is None:
        yield sys.stdout
        return
    from .files import open_output

    with open_output(path, protect=protect) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig" if bom else "utf-8", newline="")
        try:
            yield stream
        finally:
            stream.detach()  # flushes; `raw` stays open for open_output to fsync and rename


def leads(store: Store, tz) -> Iterator[dict]:
    for row in store.iter_leads():
        yield lead_object(row, tz)


def activities(store: Store, tz) -> Iterator[dict]:
    for row in store.iter_activities():
        obj = {k: row[k] for k in ACTIVITY_KEYS}
        obj["effective"] = bool(obj["effective"])
        obj["at"], obj["created_at"] = (
            to_local_iso(obj["at"], tz),
            to_local_iso(obj["created_at"], tz),
        )
        yield obj


def write_csv(keys: tuple[str, ...], rows: Iterator[dict], stream) -> int:
    """CSV with every cell through the spreadsheet guard (formulas neutralised; numbers stay numbers)."""
    import csv

    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(keys)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(row[k]) for k in keys])
        count += 1
    return count


def write_json_array(rows: Iterator[dict], stream) -> int:
    """A JSON array written one object at a time, so memory stays flat however many rows there are."""
    count = 0
    for row in rows:
        stream.write(("[\n  " if not count else ",\n  ") + json.dumps(row, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "[]\n")
    return count


def _table_rows(store: Store, table: str, tz) -> Iterator[dict]:
    for row in store.iter_table(table):
        obj = dict(row)
        for key in obj.keys() & _TIMES:
            obj[key] = to_local_iso(obj[key], tz)
        for key in obj.keys() & _MONEY:
            obj[key] = to_major(obj[key])
        for key in obj.keys() & _FLAGS:
            obj[key] = bool(obj[key])
        yield obj


def write_document(store: Store, tz, exported_at: str, stream) -> int:
    """The whole database as one JSON document that `import` restores with the same ids."""
    settings = {r["key"]: json.loads(r["value"]) for r in store.iter_table("settings")}
    stream.write(
        f'{{\n  "salesctl_export": {DOCUMENT_VERSION:d},\n  "schema_version": {SCHEMA_VERSION:d},\n'
        f'  "exported_at": {json.dumps(exported_at)},\n  "settings": {json.dumps(settings, ensure_ascii=False)}'
    )
    count = 0
    for table in DOCUMENT_TABLES:
        rows = leads(store, tz) if table == "leads" else _table_rows(store, table, tz)
        stream.write(f',\n  "{table}": [')
        first = True
        for row in rows:
            stream.write(("\n    " if first else ",\n    ") + json.dumps(row, ensure_ascii=False))
            first = False
            count += 1
        stream.write("]" if first else "\n  ]")
    stream.write("\n}\n")
    return count


__all__ = [
    "LEAD_KEYS",
    "ACTIVITY_KEYS",
    "private_output",
    "leads",
    "activities",
    "write_csv",
    "write_json_array",
    "write_document",
]


def export(
    store: Store,
    what: str,
    fmt: str,
    out: Path | None,
    *,
    tz,
    now: datetime,
    protect: Path | str | None,
) -> int:
    """`export`: leads or activities as csv or json, or `all` (json), from one snapshot of the database
    to `out` (a private file, written whole or not at all) or stdout. Returns the rows written."""
    with private_output(out, protect=protect, bom=fmt == "csv") as stream, store.snapshot():
        if what == "all":
            return write_document(store, tz, now.astimezone(tz).isoformat(), stream)
        keys = LEAD_KEYS if what == "leads" else ACTIVITY_KEYS
        rows = leads(store, tz) if what == "leads" else activities(store, tz)
        if fmt == "csv":
            return write_csv(keys, rows, stream)
        return write_json_array(rows, stream)
