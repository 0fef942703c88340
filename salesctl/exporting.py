"""Export: leads, activities or everything, streamed row by row from a cursor, to stdout or a private file."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .dates import to_local_iso
from .errors import Invalid
from .importing import DOCUMENT_VERSION
from .money import to_major
from .render import safe_cell
from .store import SCHEMA_VERSION, Store
from .views import LEAD_KEYS, lead_object

ACTIVITY_KEYS = ("id", "lead_id", "lead", "company", "rep", "kind", "note", "effective", "at", "play", "created_at")
# Per table of the full document: which columns are times (shown local, with offset) and money (major units).
_TIMES = {"created_at", "at", "set_at"}
_MONEY = {"amount"}
_FLAGS = {"active", "effective"}
DOCUMENT_TABLES = ("reps", "plays", "leads", "activities", "stage_history", "assignments", "targets")


@contextmanager
def private_output(path: Path | None, *, bom: bool = False) -> Iterator:
    """stdout, or a private file at `path` written whole (see `private_file`)."""
    if path is None:
        yield sys.stdout
        return
    with private_file(Path(path), "--out") as tmp:
        fd = os.open(tmp, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))  # the file just made, never a link put there
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            yield stream


@contextmanager
def private_file(path: Path, option: str) -> Iterator[Path]:
    """A new 0600 temporary file beside `path`, renamed onto `path` when the block succeeds.

    Writing a temporary file first means a failure never leaves half a file behind, and the rename
    replaces an existing file by a new one that is private from its first byte. Failures name `path`
    (what the user typed), never the temporary file."""
    check_folder(path, option)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise _naming(exc, tmp, path) from None
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, tmp, path) from None
        raise


def _naming(exc: OSError, tmp: Path, path: Path) -> OSError:
    """`exc` with `path` in place of the temporary file, so the error boundary shows the user's path."""
    if exc.filename == str(tmp):
        return OSError(exc.errno, exc.strerror, str(path))
    return exc


def check_folder(path: Path, option: str) -> None:
    if not path.parent.is_dir():
        raise Invalid(option, str(path), "is in a folder that does not exist", f"create {path.parent} first")
    if path.is_dir():
        raise Invalid(option, str(path), "is a folder", "give a file name")


def leads(store: Store, tz) -> Iterator[dict]:
    for row in store.iter_leads():
        yield lead_object(row, tz)


def activities(store: Store, tz) -> Iterator[dict]:
    for row in store.iter_activities():
        obj = {k: row[k] for k in ACTIVITY_KEYS}
        obj["effective"] = bool(obj["effective"])
        obj["at"], obj["created_at"] = to_local_iso(obj["at"], tz), to_local_iso(obj["created_at"], tz)
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
    stream.write(f'{{\n  "salesctl_export": {DOCUMENT_VERSION:d},\n  "schema_version": {SCHEMA_VERSION:d},\n'
                 f'  "exported_at": {json.dumps(exported_at)},\n  "settings": {json.dumps(settings, ensure_ascii=False)}')
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


__all__ = ["LEAD_KEYS", "ACTIVITY_KEYS", "private_output", "private_file", "leads", "activities", "write_csv",
           "write_json_array", "write_document"]
