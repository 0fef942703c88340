"""Import: read a CSV, JSON-lines or full-export file, map its columns to lead fields, validate every row
with the same parsers the commands use, and write the whole file in one transaction.

Reading streams a regular file line by line; validating is pure (text in, records and errors out), and a
full export is checked whole before anything is written; `write_new` and `restore` run inside the
caller's write transaction and insert in batches with executemany (docs/data-safety.md).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import fields, model
from .dates import MAX_YEAR, MIN_YEAR, local_text, parse_day, parse_when, to_db
from .errors import Invalid, SalesError, Term, Words, printable
from .i18n import N_
from .model import Settings
from .money import parse_amount, parse_currency
from .store import Store, nocase

if TYPE_CHECKING:
    from .context import App

# The fields `import` reads, their other spellings (e.g. the keys of an exported lead object: won_at and
# lost_at both give closed_at), and the lead columns an update may change (owner and stage go through
# the pipeline rules instead): all from the lead-field table (salesctl/fields.py).
FIELDS = fields.IMPORT_FIELDS
ALIASES = fields.IMPORT_ALIASES
UPDATABLE = fields.EDITABLE
# Import fields kept as the row gives them, through model.check_text.
_TEXT = frozenset(f.name for f in fields.LEAD if f.kind == "text" and f.imports)
# The columns of an imported lead (its owner's id is found when it is written), and those stored as
# the row gives them: all that import reads under their own name but the ones `Validator.record`'s
# rules set (a close, a follow-up only on an open lead, the value with its currency…).
_RECORD_COLUMNS = tuple(c for c in Store.LEAD_FIELDS if c != "owner_id")
_BY_RULE = frozenset(
    (
        "value",
        "currency",
        "stage",
        "created_at",
        "stage_changed_at",
        "next_at",
        "next_step",
        "key",
        "lost_reason",
        "lost_stage",
        "snoozed_until",
    )
)
_AS_GIVEN = tuple(
    f.name
    for f in fields.LEAD
    if f.column and f.imports and f.imports[1] == f.name and f.name not in _BY_RULE
)
# The lead fields a full export's lead object gives as they are stored (id, owner and the phone's digits
# are worked out from it; tags go to their own table).
_DOCUMENT_LEAD_FIELDS = tuple(
    f for f in fields.LEAD if f.column and f.key and f.kind not in ("id", "rep")
)
MAX_ERRORS = 20
BATCH = 5000
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")  # what export's spreadsheet guard added


@dataclass
class RowError:
    """One bad value of a row: where it is, the column, the value as the file gives it, and what is
    wrong with it, an English template rendered in the language it is shown in (docs/chinese.md)."""

    line: int | str  # a line of the file, or a place in a full export (`settings`, `leads[3]`)
    column: str | Words
    value: str
    problem: Words

    def render(self, translate: Callable[[str], str] = str) -> str:  # str: the English as it is
        column = self.column.render(translate) if isinstance(self.column, Words) else self.column
        frame = (
            N_('line {line}, column "{column}": "{value}" {problem}')
            if isinstance(self.line, int)
            else N_('{line}, column "{column}": "{value}" {problem}')
        )
        return translate(frame).format(
            line=self.line,
            column=printable(column),
            value=printable(self.value if len(self.value) <= 60 else self.value[:57] + "..."),
            problem=self.problem.render(translate),
        )

    def __str__(self) -> str:
        return self.render()


class _RowList(Words):
    """The listed rows of an ImportErrors, rendered in the language of the message around them."""

    def __init__(self, errors: list[RowError]):
        super().__init__("")
        self.errors = errors

    def render(self, translate: Callable[[str], str] = str) -> str:
        return "\n".join("  " + e.render(translate) for e in self.errors)


class ImportErrors(SalesError):
    """Every bad row (the first 20 shown) of a file that was therefore not imported."""

    def __init__(
        self,
        source: str,
        errors: list[RowError],
        total: int | None = None,
        ignored: list[str] = (),
    ):
        total = total if total is not None else len(errors)
        self.errors, self.ignored = errors, list(ignored)
        super().__init__(
            N_("import {source}: {total} invalid value(s); nothing was imported\n{rows}")
            if total <= MAX_ERRORS
            else N_(
                "import {source}: {total} invalid value(s); nothing was imported\n{rows}\n  … and {more} more"
            ),
            source=source,
            total=total,
            rows=_RowList(errors[:MAX_ERRORS]),
            more=total - MAX_ERRORS,
        )

    def render(self, translate: Callable[[str], str] = str) -> str:  # str: the English as it is
        text = super().render(translate)
        if self.ignored:  # a misnamed column often explains the errors above
            text += "\n  " + ignored_note(self.ignored).render(translate)
        return text


def ignored_note(columns: list[str]) -> Words:
    """The note on columns that no field takes, in the language it is shown in."""
    return Words(
        N_("Ignored columns (map them with --map FIELD=COLUMN): {columns}"),
        columns=", ".join(columns),
    )


# --- reading ---------------------------------------------------------------------------------------
# The file is read as a stream of lines (never all of it at once before it is known to be text), and only
# a regular file: /dev/zero, a FIFO or a terminal would never end. A line is at most MAX_LINE characters.

MAX_LINE = 1 << 20  # 1 MiB of text: far beyond any row of leads, short of exhausting memory
_HINT_ENCODINGS = N_("e.g. utf-8, utf-16, gbk, gb18030, big5, latin-1")


def open_file(path, source: str) -> BinaryIO:
    """The import file, opened for reading; anything but a regular file is refused before reading a byte."""
    import stat

    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
        )  # a FIFO must not block the open
    except FileNotFoundError:
        raise Invalid("FILE", source, N_("does not exist")) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        what = (
            N_("is a folder, not a file")
            if stat.S_ISDIR(info.st_mode)
            else N_("is not a regular file")
        )
        raise Invalid(
            "FILE", source, what, N_("import reads a saved file; save the data to a file first")
        )
    return os.fdopen(fd, "rb")


def text_lines(stream: BinaryIO, encoding: str | None, source: str) -> Iterator[str]:
    """The file's lines (ends kept), decoded. Without --encoding it must be UTF-8 (a BOM is fine)."""
    import codecs
    import io

    head = stream.read(4096)
    stream.seek(0)
    if encoding:
        try:
            text_encoding = getattr(codecs.lookup(encoding), "_is_text_encoding", True)
        except LookupError:
            raise Invalid(
                "--encoding", encoding, N_("is not a known encoding"), _HINT_ENCODINGS
            ) from None
        if not text_encoding:  # rot13, base64, hex, zlib: codecs, but not of text
            raise Invalid("--encoding", encoding, N_("is not a text encoding"), _HINT_ENCODINGS)
        if codecs.lookup(encoding).name == "utf-16" and not head.startswith(
            (b"\xff\xfe", b"\xfe\xff")
        ):
            encoding = "utf-16-le"  # no byte order mark: little-endian, as Windows writes it
    else:
        _refuse_utf16(head, source)
    text = io.TextIOWrapper(stream, encoding=encoding or "utf-8-sig", errors="strict", newline="")
    number = 0
    while True:
        try:
            line = text.readline(MAX_LINE + 1)
        except UnicodeError:
            raise _decode_error(stream, encoding, source) from None
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            raise Invalid(
                "FILE",
                source,
                N_("has a line over 1 MiB (line {number})"),
                N_("is it a text file of leads? one CSV row or JSON record per line"),
                number=number,
            )
        yield line.removeprefix("\ufeff") if number == 1 else line


def _refuse_utf16(head: bytes, source: str) -> None:
    """UTF-16 text (with or without a BOM) is readable as UTF-8 only as garbage: say what it is."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        endian = "" if head.startswith(b"\xff\xfe") else "-be"
        raise Invalid(
            "FILE",
            source,
            N_("is not UTF-8 (it starts with a UTF-16 byte order mark)"),
            N_("try --encoding utf-16{endian}"),
            endian=endian,
        )
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 4:
            raise Invalid(
                "FILE",
                source,
                N_("is not UTF-8 (it looks like UTF-16: NUL bytes between the letters)"),
                N_("try --encoding utf-16{endian}"),
                endian="-be" if even > odd else "",
            )
        raise Invalid("FILE", source, N_("is not a text file (it contains NUL bytes)"))


def _decode_error(stream: BinaryIO, encoding: str | None, source: str) -> Invalid:
    """Where decoding failed, found by reading the file again: `byte 0xd6 on line 3`."""
    import codecs

    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding or "utf-8-sig")()
    lines = 1
    where = Words(N_("an undecodable byte"))
    while chunk := stream.read(1 << 16):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            before = exc.object[: exc.start]
            pending = len(exc.object) - len(
                chunk
            )  # bytes of the previous chunk still in the decoder
            lines += before[pending:].count(b"\n") if len(before) >= pending else 0
            where = Words(
                N_("byte {byte} on line {line}"),
                byte=f"0x{exc.object[exc.start]:02x}",
                line=lines,
            )
            break
        lines += chunk.count(b"\n")
    if encoding:
        return Invalid(
            "--encoding",
            encoding,
            N_("cannot read {source}: {where}"),
            N_("check the file's encoding"),
            source=source,
            where=where,
        )
    return Invalid(
        "FILE",
        source,
        N_("is not UTF-8 ({where})"),
        N_("give its encoding, e.g. --encoding gbk for a file saved by Chinese Excel"),
        where=where,
    )


@dataclass
class Rows:
    """Tabular input: column names and (line, cells) pairs; cells are a list (CSV) or a dict (JSON)."""

    columns: list[str]
    rows: list[tuple[int, list | dict]]
    keyed: bool  # cells are dicts keyed by column name


def read(lines: Iterator[str], source: str) -> Rows | dict:
    """CSV, JSON lines (or a JSON array) of leads, or the document of `export all --format json`."""
    import itertools

    lines = iter(lines)
    start: list[str] = []
    for (
        line
    ) in lines:  # up to the first line that is not blank: its first character tells the format
        start.append(line)
        if line.strip():
            break
    head = "".join(start).lstrip()[:1]
    every_line = itertools.chain(start, lines)
    if head == "{":
        text = "".join(every_line)
        try:
            doc = _loads(text, source)
        except json.JSONDecodeError:
            return _json_lines(text, source)
        if isinstance(doc, dict) and "salesctl_export" in doc:
            return doc
        return _json_records([(1, doc)], source)
    if head == "[":
        try:
            items = _loads("".join(every_line), source)
        except json.JSONDecodeError as exc:
            raise Invalid(
                "FILE",
                source,
                N_("is not valid JSON (line {line}: {reason})"),
                line=exc.lineno,
                reason=exc.msg,
            ) from None
        return _json_records(list(enumerate(items, 1)), source)
    return _csv_rows(every_line, source)


def _loads(text: str, source: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise Invalid(
            "FILE",
            source,
            N_("is too deeply nested JSON"),
            N_("a lead is one flat object of fields"),
        ) from None


def _csv_rows(lines: Iterator[str], source: str) -> Rows:
    import csv

    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid(
            "FILE", source, N_("is empty"), N_("a CSV file needs a header row naming its columns")
        ) from None
    except csv.Error as exc:
        raise Invalid("FILE", source, N_("is not valid CSV ({reason})"), reason=str(exc)) from None
    rows, line = [], reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if any(c.strip() for c in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        raise Invalid(
            "FILE",
            source,
            N_("is not valid CSV after line {line} ({reason})"),
            line=line,
            reason=str(exc),
        ) from None
    return Rows([h.strip() for h in header], rows, keyed=False)


def _json_lines(text: str, source: str) -> Rows:
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append((number, _loads(line, source)))
            except json.JSONDecodeError as exc:
                raise Invalid(
                    "FILE",
                    source,
                    N_("line {number} is not JSON ({reason})"),
                    N_(
                        "JSON input is one lead object per line, or a file from export all --format json"
                    ),
                    number=number,
                    reason=exc.msg,
                ) from None
    return _json_records(items, source)


def _json_records(items: list[tuple[int, object]], source: str) -> Rows:
    columns: dict[str, None] = {}
    rows = []
    for number, item in items:
        if not isinstance(item, dict):
            raise Invalid(
                "FILE",
                source,
                N_("record {number} is not a JSON object of lead fields"),
                number=number,
            )
        cells = {str(k): _cell_text(v) for k, v in item.items()}
        columns.update(dict.fromkeys(cells))
        rows.append((number, cells))
    return Rows(list(columns), rows, keyed=True)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


# --- mapping columns to fields -----------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", name.strip().lower())


def parse_pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    pairs = []
    for raw in values or []:
        left, sep, right = raw.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise Invalid(
                option,
                raw,
                N_("is not KEY=VALUE"),
                N_("e.g. {option} name=opportunity_id"),
                option=option,
            )
        pairs.append((left.strip(), right.strip()))
    return pairs


def map_columns(
    columns: list[str], maps: list[tuple[str, str]]
) -> tuple[dict[str, list], list[str]]:
    """field → the column keys (indexes for CSV, names for JSON) giving it, and the ignored columns."""
    by_norm: dict[str, int] = {}
    for i, column in enumerate(columns):
        by_norm.setdefault(_norm(column), i)
    sources: dict[str, list[int]] = {}
    claimed: set[int] = set()
    for field_name, column in maps:
        f = ALIASES.get(_norm(field_name), _norm(field_name))
        if f not in FIELDS:
            raise Invalid(
                "--map",
                f"{field_name}={column}",
                N_('"{name}" is not an importable field'),
                N_("fields: {choices}"),
                name=field_name,
                choices=", ".join(FIELDS),
            )
        if _norm(column) not in by_norm:
            raise Invalid(
                "--map",
                f"{field_name}={column}",
                N_('"{column}" is not a column of the file'),
                N_("columns: {choices}"),
                column=column,
                choices=", ".join(columns),
            )
        index = by_norm[_norm(column)]
        sources.setdefault(f, []).append(index)
        claimed.add(index)
    mapped = set(sources)
    ignored = []
    for i, column in enumerate(columns):
        if i in claimed:
            continue
        f = ALIASES.get(_norm(column), _norm(column))
        if f in FIELDS and f not in mapped:
            sources.setdefault(f, []).append(i)
        else:
            ignored.append(column)
    if "name" not in sources:
        raise Invalid(
            "FILE",
            Words(N_("columns: {columns}"), columns=", ".join(columns)),
            N_("has no column for the lead name"),
            N_("name a column `name`, or map one with --map name=COLUMN"),
        )
    return sources, ignored


# --- validating rows ---------------------------------------------------------------------------------


@dataclass
class Record:
    line: int | str
    lead: dict  # lead columns, ready to store (no id, no owner_id)
    given: set[str]  # fields the row gave a value for
    owner: str | None
    tags: list[str]
    notes: str | None
    history: list[tuple[str | None, str, str]] = field(default_factory=list)  # (from, to, at)
    owner_column: str = "owner"


class Validator:
    """Turns one row's raw cells into a Record, using the parsers of the commands."""

    def __init__(self, settings: Settings, tz, now: datetime, stage_map: list[tuple[str, str]]):
        self.settings, self.tz, self.now = settings, tz, now
        self.now_db = to_db(now)
        self.stage_map = {}
        for value, stage in stage_map:
            self.stage_map[nocase(value)] = settings.check_stage(
                stage, field="--stage-map", open_only=False
            )
        self._times: dict[tuple[str, str], str | Invalid] = {}
        self._memo: dict[tuple[str, str], object] = {}

    def after_now(self, at: str) -> Words:
        """The problem of a creation time after now, both times local."""
        return Words(
            N_("is in the future: {at} is after now ({now})"),
            at=local_text(at, self.tz),
            now=local_text(self.now_db, self.tz),
        )

    # One parser per field: raw text (never blank) → stored value; raises Invalid.
    def at(self, raw: str, name: str, default: time = time(0, 0)) -> str:
        """A time as stored (UTC), from ISO text or the words of `--next`; `default` for a bare day."""
        found = self._times.get((raw, name))
        if found is None:
            try:
                found = self._parse_time(raw, name, default)
            except Invalid as exc:
                found = exc
            self._times[(raw, name)] = found
        if isinstance(found, Invalid):
            raise found
        return found

    def _parse_time(self, raw: str, name: str, default: time) -> str:
        text = raw.strip()
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return to_db(
                parse_when(text, now=self.now, tz=self.tz, field=name, default_time=default)
            )
        if not MIN_YEAR <= dt.year <= MAX_YEAR:
            raise Invalid(
                name,
                raw,
                N_("is out of range"),
                N_("use a year between {least} and {most}"),
                least=MIN_YEAR,
                most=MAX_YEAR,
            )
        if dt.tzinfo is None:
            if ":" not in text:  # a bare date
                dt = datetime.combine(dt.date(), default)
            dt = dt.replace(tzinfo=self.tz, fold=0)
        return to_db(dt)

    def day(self, raw: str) -> str:
        """A day (close_by) as stored: ISO, or the words of `--close-by`."""
        text = raw.strip()
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return parse_day(text, now=self.now, tz=self.tz, field="close_by").isoformat()
        if dt.tzinfo is not None:
            dt = dt.astimezone(self.tz)
        return dt.date().isoformat()

    def _stage(self, raw: str) -> str:
        mapped = self.stage_map.get(nocase(raw.strip()))
        if mapped:
            return mapped
        try:
            return self.settings.check_stage(raw, field="stage", open_only=False)
        except Invalid as exc:
            raise Invalid(
                "stage",
                raw,
                N_("is not a stage"),
                N_("{hint}; or map it with --stage-map VALUE=STAGE"),
                hint=exc.hint_words(),
            ) from None

    @staticmethod
    def flag(raw: str) -> int:
        """Yes or no (key, effective) as stored: 1 or 0."""
        word = raw.strip().lower()
        if word in ("1", "true", "yes", "y", "x", "key", "是"):
            return 1
        if word in ("0", "false", "no", "n", "否"):
            return 0
        raise Invalid("key", raw, N_("is not yes or no"), N_("use true/false, yes/no or 1/0"))

    def parse(self, f: str, raw: str):
        if f == "name":
            return model.check_name(raw, field=f)
        if f in _TEXT:
            return model.check_text(raw, field=f)
        if f == "owner":
            return model.check_name(raw, field=f)
        if f == "email":
            return model.check_email(raw, field=f)
        if f == "phone":
            return model.check_phone(raw, field=f)
        if f == "intent":
            return model.check_intent(raw)
        if f == "tags":
            return model.check_tags([raw], field=f)
        if f in ("value", "amount"):
            return parse_amount(raw, field=f)
        if f == "currency":
            return parse_currency(raw, field=f)
        if f == "stage":
            return self._stage(raw)
        if f == "lost_stage":
            return self.settings.check_stage(raw, field=f)
        if f == "lost_reason":
            return self.settings.check_reason(raw)
        if f in ("created_at", "closed_at", "stage_changed_at"):
            return self.at(raw, f)
        if f in ("next_at", "snoozed_until"):
            return self.at(raw, f, time(9, 0))
        if f == "close_by":
            return self.day(raw)
        if f == "key":
            return self.flag(raw)
        if f == "notes":
            return model.check_note(raw, field=f) or None
        raise AssertionError(f)

    # Fields whose values repeat across rows (a few owners, stages, tags): parsed once per distinct text.
    MEMO = frozenset(
        (
            "owner",
            "stage",
            "tags",
            "currency",
            "intent",
            "source",
            "industry",
            "persona",
            "lost_reason",
            "lost_stage",
            "key",
            "close_by",
        )
    )

    def stored(self, kind: str, name: str, raw: str):
        """A value of `kind` (salesctl/fields.py) as a salesctl export holds it, for its field `name`:
        what a full export's rows are checked with. Stage and reason names are enough there (`label`):
        the document's settings may no longer list the stage or reason a lead was lost at."""
        if kind == "name":
            return model.check_name(raw, field=name)
        if kind == "text":
            return model.check_text(raw, field=name)
        if kind == "label":
            return model.check_text(raw, field=name, limit=64)
        if kind == "email":
            return model.check_email(raw)
        if kind == "phone":
            return model.check_phone(raw)
        if kind == "intent":
            return model.check_intent(raw)
        if kind == "money":
            return parse_amount(raw, field="amount")[0]
        if kind == "currency":
            return parse_currency(raw)
        if kind == "stage":
            return self.settings.check_stage(raw, open_only=False)
        if kind == "time":
            return self.at(raw, name)
        if kind == "day":
            return self.day(raw)
        if kind == "flag":
            return self.flag(raw)
        raise AssertionError(kind)

    def parse_memo(self, f: str, raw: str):
        key = (f, raw)
        found = self._memo.get(key, self)
        if found is self:
            try:
                found = self.parse(f, raw)
            except Invalid as exc:
                found = exc
            if len(self._memo) < 100_000:
                self._memo[key] = found
        if isinstance(found, Invalid):
            raise found
        return found

    def record(
        self, line, present: dict[str, tuple[str, str]]
    ) -> tuple[Record | None, list[RowError]]:
        """Validate one row. `present` maps each field the row has a value for to (column, raw text)."""
        values: dict = {}
        errors: list[RowError] = []
        for f, (column, raw) in present.items():
            try:
                values[f] = self.parse_memo(f, raw) if f in self.MEMO else self.parse(f, raw)
            except Invalid as exc:
                errors.append(RowError(line, column, raw, exc.detail()))
        if "name" not in present:
            errors.append(
                RowError(line, "name", "", Words(N_("is blank; every lead needs a name")))
            )
        if errors:
            return None, errors

        def bad(f: str, problem: Words) -> tuple[None, list[RowError]]:
            column, raw = present.get(f, (f, ""))
            return None, [RowError(line, column, raw, problem)]

        s = self.settings
        stage = values.get("stage", s.stages[0])
        value, value_currency = values.get("value", (None, None))
        amount, amount_currency = values.get("amount", (None, None))
        currency = values.get("currency") or value_currency or amount_currency or s.currency
        closed, closed_field = values.get("closed_at"), "closed_at"
        if stage in ("won", "lost") and not closed and values.get("stage_changed_at"):
            closed, closed_field = (
                values["stage_changed_at"],
                "stage_changed_at",
            )  # a closed lead's change is its close
        # No creation time: now, or the close if that is earlier (a lead exists before it closes).
        created = values.get("created_at") or (min(closed, self.now_db) if closed else self.now_db)
        if created > self.now_db:  # nothing could be logged on it until then
            return bad("created_at", self.after_now(created))
        # Every column but owner_id (given when written): as the row gives it, or by the rules here.
        lead = dict.fromkeys(_RECORD_COLUMNS)
        lead.update((c, values.get(c)) for c in _AS_GIVEN)
        lead.update(
            phone_digits=model.phone_digits(values.get("phone")),
            value=value,
            currency=currency,
            key=values.get("key", 0),
            stage=stage,
            created_at=created,
            stage_changed_at=created,
        )
        first = s.stages[0]
        history: list[tuple[str | None, str, str]] = [(None, first, created)]
        if stage in ("won", "lost"):
            closed = closed or created
            if (
                closed < created
            ):  # only when the row gives created_at: else created is at most the close
                return bad(
                    closed_field,
                    Words(
                        N_("is before the lead was created ({created})"),
                        created=present["created_at"][1],
                    ),
                )
            lead["stage_changed_at"] = closed
            if stage == "won":
                won_amount = amount if amount is not None else value
                if won_amount is None:
                    return bad(
                        "amount",
                        Words(N_("is needed for a won lead (give an amount or a value column)")),
                    )
                lead.update(won_at=closed, won_amount=won_amount)
                history.append((first, "won", closed))
            else:
                lost_stage = values.get("lost_stage") or first
                lead.update(
                    lost_at=closed,
                    lost_reason=values.get("lost_reason") or "other",
                    lost_stage=lost_stage,
                )
                if lost_stage != first:
                    history.append((first, lost_stage, created))
                history.append((lost_stage, "lost", closed))
        else:
            if closed:
                return bad(
                    "closed_at",
                    Words(
                        N_(
                            "is set but the stage ({stage}) is open; map the stage column, or clear it"
                        ),
                        stage=Term("stage", stage),
                    ),
                )
            if values.get("lost_reason"):
                return bad(
                    "lost_reason",
                    Words(
                        N_("is set but the stage is {stage}, not lost"), stage=Term("stage", stage)
                    ),
                )
            lead.update(
                next_at=values.get("next_at"),
                next_step=values.get("next_step"),
                snoozed_until=values.get("snoozed_until"),
            )
            if stage != first:
                changed = max(values.get("stage_changed_at") or created, created)
                lead["stage_changed_at"] = changed
                history.append((first, stage, changed))
        notes = values.get("notes")
        if notes:
            lead["last_activity_at"] = created
        record = Record(
            line,
            lead,
            set(values),
            values.get("owner"),
            values.get("tags", []),
            notes,
            history,
            present.get("owner", ("owner", ""))[0],
        )
        return record, []


def validate(
    rows: Rows,
    sources: dict[str, list],
    validator: Validator,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Record], list[RowError], int]:
    """Every row → a Record, or its errors (the first MAX_ERRORS kept, all counted)."""
    # (field, [(cell key, column name)…]) for the fields the file has
    wanted = [
        (f, [(rows.columns[i] if rows.keyed else i, rows.columns[i]) for i in idx])
        for f, idx in sources.items()
    ]
    width = len(rows.columns)
    records: list[Record] = []
    errors: list[RowError] = []
    total = 0
    for n, (line, cells) in enumerate(rows.rows):
        if progress and n % 1000 == 0:
            progress(n)
        if not rows.keyed and len(cells) > width:
            total += 1
            if len(errors) < MAX_ERRORS:
                errors.append(
                    RowError(
                        line,
                        Words(N_("(row)")),
                        ",".join(cells[width:]),
                        Words(
                            N_(
                                "has {cells} cells but the header has {width} columns; quote cells that contain commas"
                            ),
                            cells=len(cells),
                            width=width,
                        ),
                    )
                )
            continue

        present = {}
        for f, keys in wanted:
            for key, name in keys:
                raw = cells.get(key, "") if rows.keyed else (cells[key] if key < len(cells) else "")
                if raw and not raw.isspace():
                    present[f] = (name, _FORMULA_GUARD.sub("", raw) if raw[0] == "'" else raw)
                    break
        record, problems = validator.record(line, present)
        if problems:
            total += len(problems)
            errors.extend(problems[: MAX_ERRORS - len(errors)])
        elif record is not None:
            records.append(record)
    return records, errors, total


# --- duplicates ----------------------------------------------------------------------------------------


@dataclass
class Plan:
    add: list[Record] = field(default_factory=list)
    update: list[tuple[int, Record]] = field(default_factory=list)
    skipped: int = 0
    replaced: int = (
        0  # rows that repeat an earlier row of the same file (update mode: the last one wins)
    )


def plan(
    records: list[Record], index: tuple[dict, dict, dict], on_duplicate: str
) -> tuple[Plan, list[RowError]]:
    """Sort records into add / update / skip by email or phone against the database and earlier rows."""
    _reps, emails, phones = index
    result, errors = Plan(), []
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    for record in records:
        email, digits = record.lead["email"], record.lead["phone_digits"]
        email_key = nocase(email) if email else None
        existing = (emails.get(email_key) if email_key else None) or (
            phones.get(digits) if digits else None
        )
        earlier = seen_email.get(email_key) if email_key else None
        if earlier is None and digits:
            earlier = seen_phone.get(digits)
        if existing is None and earlier is None:
            position = len(result.add)
            result.add.append(record)
            if email_key:
                seen_email.setdefault(email_key, position)
            if digits:
                seen_phone.setdefault(digits, position)
            continue
        column = (
            "email"
            if (email_key and (emails.get(email_key) or seen_email.get(email_key) is not None))
            else "phone"
        )
        value = email if column == "email" else record.lead["phone"]
        if on_duplicate == "error":
            problem = (
                Words(
                    N_(
                        "is already on lead #{id}; pass --on-duplicate skip or --on-duplicate update"
                    ),
                    id=existing,
                )
                if existing is not None
                else Words(
                    N_(
                        "is already on line {line} of this file; pass --on-duplicate skip or --on-duplicate update"
                    ),
                    line=result.add[earlier].line,
                )
            )
            errors.append(RowError(record.line, column, value, problem))
        elif on_duplicate == "skip":
            result.skipped += 1
        elif existing is not None:
            result.update.append((existing, record))
        else:
            result.add[earlier] = record  # the later row of the file wins
            result.replaced += 1
    return result, errors


def inactive_owners(records: list[Record], inactive: set[str]) -> list[RowError]:
    """New open leads given to a deactivated rep: refused, as `add --owner` and `lead assign` refuse it."""
    return [
        RowError(r.line, r.owner_column, r.owner, _INACTIVE)
        for r in records
        if r.owner is not None
        and nocase(r.owner) in inactive
        and r.lead["stage"] not in model.CLOSED_STAGES
    ]


def _owner_change(raw: str) -> str:
    kind = raw.strip()
    if kind not in OWNER_CHANGES:
        raise Invalid(
            "kind",
            raw,
            N_("is not an owner change"),
            N_("use one of {choices}"),
            choices=", ".join(OWNER_CHANGES),
        )
    return kind


OWNER_CHANGES = ("assign", "handoff", "claim", "release", "recycle")


def closed_in_pool(records: list[Record]) -> list[RowError]:
    """With --pool-empty: a won or lost row without an owner is refused; only open leads go to the pool
    (docs/pool.md), a closed deal stays credited to someone."""
    return [
        RowError(
            r.line,
            r.owner_column,
            "",
            Words(
                N_("is empty on a {stage} lead; only open leads go to the pool, name its owner"),
                stage=Term("stage", r.lead["stage"]),
            ),
        )
        for r in records
        if r.owner is None and r.lead["stage"] in model.CLOSED_STAGES
    ]


_INACTIVE = Words(
    N_(
        "is a deactivated rep and cannot own open leads; give them to an active rep, or reactivate with salesctl rep activate"
    )
)


# --- writing ---------------------------------------------------------------------------------------------

LEAD_COLUMNS = ("id", *Store.LEAD_FIELDS)
HISTORY_COLUMNS = ("lead_id", "rep_id", "from_stage", "to_stage", "at")
NOTE_COLUMNS = ("lead_id", "rep_id", "kind", "note", "effective", "at", "created_at")


class RepIds:
    """Rep name → id, creating unknown reps on first use (an import's owners become reps)."""

    def __init__(
        self,
        store: Store,
        reps: dict[str, int],
        now: str,
        default: Callable[[], int],
        *,
        pool_empty: bool = False,
    ):
        self.store, self.reps, self.now, self.default = store, reps, now, default
        self.pool_empty = pool_empty  # a row without an owner goes to the pool (docs/pool.md)
        self.created: list[str] = []
        self._default_id: int | None = None

    def acting(self) -> int:
        """Who imports: the rep of a pool lead's creation in its history."""
        if self._default_id is None:
            self._default_id = self.default()
        return self._default_id

    def __call__(self, name: str | None) -> int | None:
        if name is None:
            return None if self.pool_empty else self.acting()
        key = nocase(name)
        if key not in self.reps:
            self.reps[key] = self.store.ensure_rep(name, self.now)
            self.created.append(name)
        return self.reps[key]


def write_new(
    store: Store,
    records: list[Record],
    rep_ids: RepIds,
    now: str,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert new leads with their tags, history and notes, in batches of executemany."""
    with store.bulk_index("leads"):
        _write_new(store, records, rep_ids, now, progress)


def _write_new(store: Store, records: list[Record], rep_ids: RepIds, now: str, progress) -> None:
    next_id = store.next_id("leads")
    leads, tags, history, notes = [], [], [], []
    for n, record in enumerate(records):
        lead_id, owner_id = next_id + n, rep_ids(record.owner)
        lead = {**record.lead, "owner_id": owner_id}
        actor = owner_id if owner_id is not None else rep_ids.acting()
        leads.append((lead_id, *(lead[c] for c in Store.LEAD_FIELDS)))
        tags.extend((lead_id, t) for t in record.tags)
        history.extend((lead_id, actor, a, b, at) for a, b, at in record.history)
        if record.notes:
            notes.append((lead_id, actor, "note", record.notes, 0, record.lead["created_at"], now))
        if len(leads) >= BATCH or n == len(records) - 1:
            store.insert_rows("leads", LEAD_COLUMNS, leads)
            store.insert_rows("lead_tags", ("lead_id", "tag"), tags)
            store.insert_rows("stage_history", HISTORY_COLUMNS, history)
            store.insert_rows("activities", NOTE_COLUMNS, notes)
            leads, tags, history, notes = [], [], [], []
            if progress:
                progress(n + 1)


def write_updates(
    store: Store,
    settings: Settings,
    updates: list[tuple[int, Record]],
    rep_ids: RepIds,
    acting: Callable[[], int],
    now: str,
) -> list[RowError]:
    """Change existing leads: the fields the row gave; owner and stage through the pipeline's rules.

    Returns the rows that cannot apply to their lead (the caller aborts the transaction)."""
    from . import pipeline

    problems: list[RowError] = []
    for lead_id, record in updates:
        given = record.given
        changes = {c: record.lead[c] for c in UPDATABLE if c in given}
        if "phone" in changes:
            changes["phone_digits"] = record.lead["phone_digits"]
        if "value" in given and "currency" not in given:
            changes["currency"] = record.lead["currency"]
        store.update_lead(lead_id, changes)
        store.add_tags(lead_id, record.tags)
        rep = acting()
        if record.notes:
            store.add_activity(lead_id, rep, "note", record.notes, False, now, None, now)
            # Its last activity counts the note, as a logged one does (docs/speed.md).
            store.refresh_last_activity(lead_id)
        current = store.lead(lead_id)
        stage = record.lead["stage"] if "stage" in given else current["stage"]
        closing_at = record.lead["stage_changed_at"]
        if (
            stage != current["stage"]
            and stage in ("won", "lost")
            and closing_at < current["created_at"]
        ):
            problems.append(
                RowError(
                    record.line,
                    "closed_at",
                    closing_at,
                    Words(
                        N_("is before lead #{id} was created ({created})"),
                        id=lead_id,
                        created=current["created_at"],
                    ),
                )
            )
            continue
        if stage != current["stage"] and current["stage"] in ("won", "lost"):
            pipeline.reopen(
                store,
                settings,
                lead_id,
                stage if stage in settings.stages else None,
                rep_id=rep,
                now=now,
            )
            current = store.lead(lead_id)
        if record.owner is not None and current["stage"] not in (
            "won",
            "lost",
        ):  # closed deals keep their credit
            owner_id = rep_ids(record.owner)
            if not store.rep_by_id(owner_id)["active"]:
                problems.append(RowError(record.line, record.owner_column, record.owner, _INACTIVE))
                continue
            pipeline.assign(store, [lead_id], owner_id, rep_id=rep, now=now)
        if stage == current["stage"]:
            continue
        if stage == "won":
            pipeline.won(
                store, lead_id, record.lead["won_amount"], rep_id=rep, now=closing_at, note=None
            )
        elif stage == "lost":
            pipeline.lost(
                store, lead_id, record.lead["lost_reason"], rep_id=rep, now=closing_at, note=None
            )
        else:
            pipeline.move(store, settings, lead_id, stage, rep_id=rep, now=now, note=None)
    return problems


# --- the full document (export all --format json) -------------------------------------------------------

DOCUMENT_VERSION = 1


@dataclass
class Document:
    """An `export all` document, every value checked: the settings to store and each table's rows."""

    settings: dict[str, object]
    tables: dict[str, tuple[tuple, list]]

    def counts(self) -> dict[str, int]:
        return {t: len(rows) for t, (_c, rows) in self.tables.items()}


def check_document(doc: dict, tz, now: datetime, source: str) -> Document:
    """Check a whole document before anything is written: its settings with the parser of `config set`,
    its rows against those settings (not the database's: a restore brings its own stages), every id a
    positive integer below 2^53, and every reference to a lead, rep or play one the document holds."""
    from .dates import zone

    if doc.get("salesctl_export") != DOCUMENT_VERSION:
        raise Invalid(
            "FILE",
            source,
            N_("is a salesctl export of version {version}"),
            N_("this salesctl reads version {known}"),
            version=doc.get("salesctl_export"),
            known=DOCUMENT_VERSION,
        )
    errors: list[RowError] = []
    raw = doc.get("settings")
    stored, settings, problems = model.check_settings({} if raw is None else raw)
    for exc in problems:
        errors.append(RowError("settings", exc.field, str(exc.value), exc.detail()))
    validator = Validator(settings, zone(settings.timezone) if settings.timezone else tz, now, [])
    tables = _document_tables(doc, validator, errors)
    if errors:
        raise ImportErrors(source, errors)
    return Document(stored, tables)


def require_empty(store: Store, source: str) -> None:
    counts = store.row_counts()
    if counts["leads"] or counts["reps"]:
        raise SalesError(
            N_(
                "import {source}: a full export is restored only into an empty database, and this one has {leads} leads and {reps} reps; use a new file, e.g. salesctl --db new.db import {source}"
            ),
            source=source,
            leads=counts["leads"],
            reps=counts["reps"],
        )


def restore(store: Store, document: Document, source: str) -> dict[str, int]:
    """Load a checked document into a database without leads or reps, keeping every id."""
    import sqlite3

    require_empty(store, source)
    store.clear_for_restore()
    for key, value in document.settings.items():
        store.set_setting(key, json.dumps(value, ensure_ascii=False))
    try:
        with store.bulk_index("leads"), store.bulk_index("activities"):
            for table, (columns, rows) in document.tables.items():
                store.insert_rows(table, columns, rows)
    except (
        sqlite3.IntegrityError
    ) as exc:  # checked above; kept so that nothing half-restored can commit
        raise SalesError(
            N_(
                "import {source}: the file is inconsistent ({reason}): a row repeats an id or points at a lead, rep or play the file does not hold; nothing was imported"
            ),
            source=source,
            reason=str(exc),
        ) from None
    return document.counts()


MAX_ID = 2**53  # ids stay exact in JSON readers (JavaScript, jq) and far from SQLite's 2^63


def _id(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[0-9]{1,16}", text) or not 0 < int(text) < MAX_ID:
        raise Invalid("id", raw, N_("is not an id"), N_("ids are whole numbers from 1 to 2^53 - 1"))
    return int(text)


def _count(raw: str, name: str, least: int) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < least:
        raise Invalid(
            name, raw, N_("is not a count"), N_("a whole number from {least}"), least=least
        )
    return int(text)


def _month(raw: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", raw.strip()):
        raise Invalid("month", raw, N_("is not a month"), N_("write YYYY-MM"))
    return raw.strip()


def _items(doc: dict, key: str, errors: list[RowError]) -> Iterator[tuple[str, dict]]:
    items = doc.get(key) or []
    if not isinstance(items, list):
        errors.append(RowError(key, key, str(items)[:40], Words(N_("is not a list"))))
        return
    for i, item in enumerate(items):
        if isinstance(item, dict):
            yield f"{key}[{i}]", item
        else:
            errors.append(
                RowError(f"{key}[{i}]", key, str(item)[:40], Words(N_("is not an object")))
            )


def _document_tables(
    doc: dict, v: Validator, errors: list[RowError]
) -> dict[str, tuple[tuple, list]]:
    """Each table's rows from the document, each value through the parsers; problems go to `errors`.
    Rows are built by column name and laid out in `Store.TABLE_COLUMNS` order at the end."""
    from .cadence import format_cadence, parse_cadence, parse_every

    def take(
        where: str, item: dict, name: str, parse: Callable[[str], object], required: bool = False
    ):
        raw = _cell_text(item.get(name))
        if not raw.strip():
            if required:
                errors.append(RowError(where, name, raw, Words(N_("is missing"))))
            return None
        try:
            return parse(raw)
        except Invalid as exc:
            errors.append(RowError(where, name, raw, exc.detail()))
        except (ValueError, TypeError) as exc:
            problem = Words(N_("is not valid ({reason})"), reason=str(exc))
            errors.append(RowError(where, name, raw, problem))
        return None

    ids: dict[str, set[int]] = {}

    def own_id(where: str, item: dict, table: str) -> int | None:
        """The row's id: valid, and not repeated within its table."""
        value = take(where, item, "id", _id, True)
        seen = ids.setdefault(table, set())
        if value is not None and value in seen:
            problem = Words(N_("repeats the id of an earlier row of {table}"), table=table)
            errors.append(RowError(where, "id", str(value), problem))
        seen.add(value)
        return value

    def ref(where: str, item: dict, name: str, table: str, required: bool = True) -> int | None:
        """An id pointing at a row of `table` that the document holds."""
        value = take(where, item, name, _id, required)
        if value is not None and value not in ids.get(table, ()):
            problem = Words(N_("is not the id of one of the document's {table}"), table=table)
            errors.append(RowError(where, name, str(value), problem))
        return value

    def value(where: str, item: dict, kind: str, name: str, required: bool = False):
        """A value of `kind` (salesctl/fields.py) through `Validator.stored`."""
        return take(where, item, name, lambda raw: v.stored(kind, name, raw), required)

    def text(where: str, item: dict, name: str, check=model.check_text, required=False):
        return take(where, item, name, lambda raw: check(raw, field=name), required)

    def _rep_lang(raw: str) -> str:
        from .i18n import check_lang

        return check_lang(raw, field="lang")

    tables: dict[str, list[dict]] = {}
    reps, rep_by_name, inactive = [], {}, set()
    for where, r in _items(doc, "reps", errors):
        row = {
            "id": own_id(where, r, "reps"),
            "name": text(where, r, "name", model.check_name, True),
            "email": take(where, r, "email", model.check_email),
            "active": 1 if r.get("active", True) else 0,
            "created_at": value(where, r, "time", "created_at", True),
            "lang": take(where, r, "lang", _rep_lang),
        }
        reps.append(row)
        rep_by_name[nocase(row["name"] or "")] = row["id"]
        if not row["active"]:
            inactive.add(row["id"])
    tables["reps"] = reps
    tables["plays"] = [
        # A play's stage may be one removed since (config set stages does not touch plays): a name is enough.
        {
            "id": own_id(where, p, "plays"),
            "name": text(where, p, "name", model.check_name, True),
            "text": text(where, p, "text", model.check_note, True),
            "stage": value(where, p, "label", "stage"),
            "persona": text(where, p, "persona"),
            "cadence": take(
                where, p, "cadence", lambda x: format_cadence(parse_cadence(x, field="cadence"))
            ),
            "created_at": value(where, p, "time", "created_at", True),
        }
        for where, p in _items(doc, "plays", errors)
    ]
    leads, tags = [], []
    for where, obj in _items(doc, "leads", errors):
        row = {"id": own_id(where, obj, "leads")}
        owner = rep_by_name.get(nocase(_cell_text(obj.get("owner"))))
        # An empty owner is a lead of the pool (docs/pool.md); a closed deal stays credited to someone.
        in_pool = (
            not _cell_text(obj.get("owner")).strip() and obj.get("stage") not in model.CLOSED_STAGES
        )
        if owner is None and not in_pool:
            errors.append(
                RowError(
                    where,
                    "owner",
                    _cell_text(obj.get("owner")),
                    Words(N_("is not one of the document's reps")),
                )
            )
        for f in _DOCUMENT_LEAD_FIELDS:
            row[f.name] = value(where, obj, f.kind, f.key, f.required)
            if row[f.name] is None and f.default is not None:
                row[f.name] = f.default
        row["owner_id"] = owner
        row["phone_digits"] = model.phone_digits(row["phone"])
        if row["created_at"] and row["created_at"] > v.now_db:
            errors.append(
                RowError(
                    where,
                    "created_at",
                    _cell_text(obj.get("created_at")),
                    v.after_now(row["created_at"]),
                )
            )
        if owner in inactive and row["stage"] not in model.CLOSED_STAGES:
            errors.append(RowError(where, "owner", _cell_text(obj.get("owner")), _INACTIVE))
        leads.append(row)
        tags.extend(
            {"lead_id": row["id"], "tag": t}
            for t in (take(where, obj, "tags", lambda x: model.check_tags([x], field="tags")) or [])
        )
    tables["leads"] = leads
    tables["lead_tags"] = tags
    tables["activities"] = [
        {
            "id": own_id(where, a, "activities"),
            "lead_id": ref(where, a, "lead_id", "leads"),
            "rep_id": ref(where, a, "rep_id", "reps"),
            "kind": take(where, a, "kind", model.check_kind, True),
            "note": text(where, a, "note", model.check_note) or "",
            "effective": value(where, a, "flag", "effective") or 0,
            "at": value(where, a, "time", "at", True),
            "play_id": ref(where, a, "play_id", "plays", required=False),
            "created_at": value(where, a, "time", "created_at", True),
        }
        for where, a in _items(doc, "activities", errors)
    ]
    tables["stage_history"] = [
        {
            "id": own_id(where, h, "stage_history"),
            "lead_id": ref(where, h, "lead_id", "leads"),
            "rep_id": ref(where, h, "rep_id", "reps"),
            "from_stage": value(where, h, "label", "from_stage"),
            "to_stage": value(where, h, "label", "to_stage", True),
            "at": value(where, h, "time", "at", True),
        }
        for where, h in _items(doc, "stage_history", errors)
    ]
    tables["assignments"] = [
        {
            "id": own_id(where, s, "assignments"),
            "lead_id": ref(where, s, "lead_id", "leads"),
            # null reps: the pool (from, to) or salesctl itself (a recycle); docs/pool.md
            "rep_id": ref(where, s, "rep_id", "reps", required=False),
            "from_rep_id": ref(where, s, "from_rep_id", "reps", required=False),
            "to_rep_id": ref(where, s, "to_rep_id", "reps", required=False),
            "at": value(where, s, "time", "at", True),
            "kind": take(where, s, "kind", _owner_change),
            "reason": take(where, s, "reason", lambda x: model.check_text(x, field="reason")),
            "notified_at": value(where, s, "time", "notified_at"),
        }
        for where, s in _items(doc, "assignments", errors)
    ]
    tables["targets"] = [
        {
            "id": own_id(where, t, "targets"),
            "rep_id": ref(where, t, "rep_id", "reps", required=False),
            "month": take(where, t, "month", _month, True),
            "amount": value(where, t, "money", "amount", True),
            "set_at": value(where, t, "time", "set_at", True),
        }
        for where, t in _items(doc, "targets", errors)
    ]
    # Tables added since the first documents: an older document without them restores with no rows.
    tables["activity_removals"] = [
        {
            "id": own_id(where, d, "activity_removals"),
            "lead_id": ref(where, d, "lead_id", "leads"),
            "rep_id": ref(where, d, "rep_id", "reps"),
            "activity_id": take(where, d, "activity_id", _id, True),
            "kind": take(where, d, "kind", model.check_kind, True),
            "note": text(where, d, "note", model.check_note) or "",
            "activity_at": value(where, d, "time", "activity_at", True),
            "at": value(where, d, "time", "at", True),
        }
        for where, d in _items(doc, "activity_removals", errors)
    ]
    runs, running = [], set()
    for where, c in _items(doc, "cadence_runs", errors):
        row = {
            "id": own_id(where, c, "cadence_runs"),
            "lead_id": ref(where, c, "lead_id", "leads"),
            "play_id": ref(where, c, "play_id", "plays"),
            "rep_id": ref(where, c, "rep_id", "reps"),
            "steps_done": take(where, c, "steps_done", lambda x: _count(x, "steps_done", 0), True),
            "started_at": value(where, c, "time", "started_at", True),
            "ended_at": value(where, c, "time", "ended_at"),
            "end_reason": value(where, c, "label", "end_reason"),
        }
        # A lead runs one cadence at a time (docs/calendar.md).
        if row["ended_at"] is None and row["lead_id"] is not None:
            if row["lead_id"] in running:
                errors.append(
                    RowError(
                        where,
                        "lead_id",
                        str(row["lead_id"]),
                        Words(N_("already has a running cadence (no ended_at) in the document")),
                    )
                )
            running.add(row["lead_id"])
        runs.append(row)
    tables["cadence_runs"] = runs

    def every(raw: str) -> str:
        if parse_every(raw, field="every") is None:  # "off" means no row, never a row saying off
            raise Invalid("every", raw, N_("is not a repeat interval"), N_("use 1w, 2w, 10d or 1m"))
        return parse_every(raw, field="every")

    for table, name, parse, stamp in (
        ("recurrences", "every", every, "set_at"),
        ("followup_revisions", "sequence", lambda x: _count(x, "sequence", 1), "modified_at"),
    ):
        rows, seen = [], set()
        for where, r in _items(doc, table, errors):
            lead_id = ref(where, r, "lead_id", "leads")
            if lead_id is not None and lead_id in seen:
                errors.append(
                    RowError(
                        where,
                        "lead_id",
                        str(lead_id),
                        Words(N_("repeats the lead of an earlier row of {table}"), table=table),
                    )
                )
            seen.add(lead_id)
            rows.append(
                {
                    "lead_id": lead_id,
                    name: take(where, r, name, parse, True),
                    stamp: value(where, r, "time", stamp, True),
                }
            )
        tables[table] = rows
    return {
        table: (
            Store.TABLE_COLUMNS[table],
            [tuple(row[c] for c in Store.TABLE_COLUMNS[table]) for row in rows],
        )
        for table, rows in tables.items()
    }


# --- the whole import ----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What `import` did, or in a dry run would do: a full export's rows by table (`restored`), else
    the leads added, updated and skipped, the reps the file created and the columns no field reads."""

    source: str
    dry_run: bool = False
    restored: dict[str, int] | None = None
    added: int = 0
    updated: int = 0
    skipped: int = 0
    new_reps: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


# (steps done, steps in all): two steps per row, one checking it and one writing it.
Progress = Callable[[int, int], None]


def run_import(
    app: App,
    file: Path,
    *,
    maps: list[str] | None = None,
    stage_maps: list[str] | None = None,
    encoding: str | None = None,
    on_duplicate: str = "error",
    dry_run: bool = False,
    pool_empty: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Import `file` (CSV, JSON lines, or an `export all` document) in one write transaction: every row
    checked, any problem stops it with every problem listed, nothing half-written (docs/reference.md,
    import). A dry run is the same import rolled back at the end, so it meets every problem the real one
    would and writes nothing, not even a new database file.

    `maps` and `stage_maps` are the --map FIELD=COLUMN and --stage-map VALUE=STAGE texts; with
    `pool_empty` a row without an owner goes to the shared pool (docs/pool.md)."""
    source = str(file)
    with open_file(file, source) as stream:
        parsed = read(text_lines(stream, encoding, source), source)
    fields, stages = parse_pairs(maps, "--map"), parse_pairs(stage_maps, "--stage-map")
    if isinstance(parsed, dict):
        if fields or stages:
            raise Invalid(
                "--map", (fields or stages)[0][0], N_("does not apply to a full export file")
            )
        document = check_document(parsed, app.tz, app.now, source)  # before anything is written
        with _no_new_file_on_failure(app), app.write(dry_run=dry_run) as store:
            counts = restore(store, document, source)
        return Summary(source, dry_run, restored=counts)

    sources, ignored = map_columns(parsed.columns, fields)
    total = 2 * len(parsed.rows)

    def step(base: int) -> Callable[[int], None] | None:
        return (lambda n: progress(base + n, total)) if progress else None

    def checked_plan(store: Store) -> tuple[Plan, tuple[dict, dict, dict]]:
        """Every row validated (against the settings as they are now) and sorted into add / update /
        skip; any problem stops the import. Also the store's import index the plan was made against."""
        validator = Validator(app.settings, app.tz, app.now, stages)
        records, errors, count = validate(parsed, sources, validator, step(0))
        index = store.import_index()
        plan_, problems = plan(records, index, on_duplicate)
        problems += inactive_owners(plan_.add, store.inactive_rep_names())
        if pool_empty:
            problems += closed_in_pool(plan_.add)
        if errors or problems:
            raise ImportErrors(source, errors + problems, count + len(problems), ignored)
        return plan_, index

    if not dry_run and not app.has_database:
        # A new file: find every problem before the first write creates it.
        checked_plan(app.store())
    with _no_new_file_on_failure(app), app.write(dry_run=dry_run) as store:
        store.require_owner("import")  # a team server: only an owner imports (docs/team.md)
        # Validated (again) under the write lock, against the settings as committed (docs/data-safety.md).
        todo, index = checked_plan(store)
        reps = RepIds(store, index[0], app.now_db, app.acting_rep_id, pool_empty=pool_empty)
        write_new(store, todo.add, reps, app.now_db, step(len(parsed.rows)))
        late = write_updates(store, app.settings, todo.update, reps, app.acting_rep_id, app.now_db)
        if late:
            raise ImportErrors(source, late, len(late), ignored)
    return Summary(
        source,
        dry_run,
        added=len(todo.add),
        updated=len(todo.update) + todo.replaced,
        skipped=todo.skipped,
        new_reps=reps.created,
        ignored=ignored,
    )


@contextmanager
def _no_new_file_on_failure(app: App) -> Iterator[None]:
    """An import that fails leaves no database behind that it created (nor its -wal and -shm)."""
    created = not app.has_database
    try:
        yield
    except BaseException:
        if created and app.has_database and _holds_nothing(app):
            app.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(app.db_path) + suffix).unlink(missing_ok=True)
        raise


def _holds_nothing(app: App) -> bool:
    """No rep has been written to the database (by this run or, meanwhile, by anyone else)."""
    try:
        return not app.store().row_counts()["reps"]
    except SalesError:
        return False
