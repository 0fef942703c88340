"""One renderer: commands return an `Output` (the JSON document plus a human view); this prints it.

Formats: `json` (the contract document), `csv` (one table, spreadsheet-safe), `md` (Markdown), and
`table` (Rich: aligned CJK text, colour only on a terminal and never with NO_COLOR). Rich is imported
only when a table is drawn, so `--format json` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


@dataclass
class Column:
    key: str
    header: str
    justify: str = "left"
    show: Callable[[Any], str] | None = None  # human form of the raw value (tables, md)
    style: str | None = None
    wrap: bool = True  # False: one line, cut with … when the terminal is narrow (names, not sentences)
    min_width: int | None = None
    max_width: int | None = None

    def text(self, row: dict) -> str:
        value = row.get(self.key)
        if self.show is not None:
            return self.show(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else ""
        if isinstance(value, (list, tuple)):
            return ", ".join(map(str, value))
        return str(value)


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict]
    title: str | None = None
    empty: str = "Nothing to show."
    row_style: Callable[[dict], str | None] | None = None


@dataclass
class Fields:
    """Label/value pairs, e.g. one lead's attributes."""

    pairs: list[tuple[str, str]]
    title: str | None = None


@dataclass
class Bars:
    """A horizontal bar chart: (label, fraction 0..1, text shown after the bar)."""

    rows: list[tuple[str, float, str]]
    title: str | None = None


@dataclass
class Text:
    text: str


Block = Table | Fields | Bars | Text


@dataclass
class Output:
    data: Any
    blocks: list[Block] = field(default_factory=list)
    csv: Table | None = None  # the table `--format csv` writes; default: the first Table block
    plain: str | None = None  # what `table` prints instead of blocks when set (e.g. `add` prints the id)

    def csv_table(self) -> Table | None:
        return self.csv or next((b for b in self.blocks if isinstance(b, Table)), None)


def emit(output: Output, fmt: Format, stream=None) -> None:
    stream = stream or sys.stdout
    if fmt is Format.json:
        stream.write(to_json(output.data, pretty=hasattr(stream, "isatty") and stream.isatty()) + "\n")
    elif fmt is Format.csv:
        table = output.csv_table()
        if table is not None:
            write_csv(table, stream)
    elif fmt is Format.md:
        stream.write(to_markdown(output.blocks))
    elif output.plain is not None:
        stream.write(output.plain + "\n")
    else:
        draw(output.blocks, stream)


def to_json(data: Any, *, pretty: bool = True) -> str:
    """UTF-8 JSON. Indented for people; compact when piped, because indenting makes Python's json use
    its pure-Python encoder (about 10× slower on a long list)."""
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- CSV -------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula; numbers stay numbers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) or value is None:
        return "" if value is None else value
    if isinstance(value, (list, tuple)):
        value = ";".join(map(str, value))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(table: Table, stream) -> None:
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(row.get(c.key)) for c in table.columns])


# --- Markdown --------------------------------------------------------------------------------------

def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        title = getattr(block, "title", None)
        if title:
            out.append(f"## {title}\n")
        if isinstance(block, Table):
            if not block.rows:
                out.append(f"_{block.empty}_\n")
                continue
            out.append("| " + " | ".join(_md_cell(c.header) for c in block.columns) + " |")
            out.append("|" + "|".join("---:" if c.justify == "right" else "---" for c in block.columns) + "|")
            for row in block.rows:
                out.append("| " + " | ".join(_md_cell(c.text(row)) for c in block.columns) + " |")
            out.append("")
        elif isinstance(block, Fields):
            out.extend(f"- **{_md_cell(k)}**: {_md_cell(v)}" for k, v in block.pairs)
            out.append("")
        elif isinstance(block, Bars):
            out.append("| | | |\n|---|---|---|")
            out.extend(f"| {_md_cell(label)} | `{bar(frac, 20)}` | {_md_cell(text)} |" for label, frac, text in block.rows)
            out.append("")
        else:
            out.append(block.text + "\n")
    return "\n".join(out)


def bar(fraction: float, width: int) -> str:
    """A bar of block characters, eighths for the last cell."""
    fraction = max(0.0, min(1.0, fraction or 0.0))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest])).ljust(width)


# --- Rich tables -----------------------------------------------------------------------------------

def console(stream=None):
    """A Rich console: colour only on a terminal, never with NO_COLOR (Rich also honours NO_COLOR)."""
    from rich.console import Console

    stream = stream or sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    return Console(
        file=stream,
        no_color=bool(os.environ.get("NO_COLOR")) or not is_tty,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
    )


def draw(blocks: list[Block], stream) -> None:
    from rich import box
    from rich.table import Table as RichTable

    con = console(stream)
    for i, block in enumerate(blocks):
        if i:
            con.print()
        title = getattr(block, "title", None)
        if title:
            con.print(title, style="bold")
        if isinstance(block, Table):
            if not block.rows:
                con.print(block.empty, style="dim")
                continue
            table = RichTable(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
            for c in block.columns:
                # Figures never wrap (a number split over lines misreads); names are cut; text folds.
                table.add_column(c.header, justify=c.justify, style=c.style,
                                 overflow="fold" if c.wrap else "ellipsis", no_wrap=c.justify == "right" or not c.wrap,
                                 min_width=c.min_width, max_width=c.max_width)
            for row in block.rows:
                style = block.row_style(row) if block.row_style else None
                table.add_row(*(c.text(row) for c in block.columns), style=style)
            con.print(table)
        elif isinstance(block, Fields):
            table = RichTable.grid(padding=(0, 2))
            table.add_column(style="bold")
            table.add_column(overflow="fold")
            for k, v in block.pairs:
                table.add_row(k, v)
            con.print(table)
        elif isinstance(block, Bars):
            table = RichTable.grid(padding=(0, 1))
            table.add_column()
            table.add_column(style="cyan", no_wrap=True)
            table.add_column(justify="right")
            for label, frac, text in block.rows:
                table.add_row(label, bar(frac, 24), text)
            con.print(table)
        else:
            con.print(block.text)
