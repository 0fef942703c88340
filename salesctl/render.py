"""One renderer: commands return an `Output` (the JSON document plus a human view); this prints it.

Formats: `json` (the contract document), `csv` (one table, spreadsheet-safe), `md` (Markdown), and
`table` (aligned text, CJK-aware, colour only on a terminal and never with NO_COLOR). Nothing heavy is
imported at all, so every format stays fast.
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
    wrap: bool = True  # False: one line, cut with … when the terminal is narrow (names, not sentences)
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
class Strip:
    """Rows of shaded cells (a heat strip): (label, cells, text after); a cell is (character, dim)."""

    rows: list[tuple[str, list[tuple[str, bool]], str]]
    header: str = ""  # a line over the cells (e.g. the first day of each week)
    title: str | None = None


@dataclass
class Text:
    text: str


Block = Table | Fields | Bars | Strip | Text


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
        elif isinstance(block, Strip):
            out.extend(["```", *_strip_lines(block, lambda text, style: text), "```", ""])
        else:
            out.append(block.text + "\n")
    return "\n".join(out)


def bar(fraction: float, width: int) -> str:
    """A bar of block characters, eighths for the last cell."""
    fraction = max(0.0, min(1.0, fraction or 0.0))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest])).ljust(width)


# --- tables ----------------------------------------------------------------------------------------

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
    """Tables, fields and bars as aligned plain text (ANSI styles only on a colour terminal).

    Drawn here rather than with Rich: `today` prints hundreds of rows, and Rich's layout engine (plus
    its import) cost ten times the rest of the command. Widths count East Asian wide characters as two
    cells, as terminals do; cells too wide for the terminal fold onto more lines.
    """
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    ansi = _Ansi(is_tty and not os.environ.get("NO_COLOR"))
    width = _terminal_width(stream if is_tty else None)
    out: list[str] = []
    for i, block in enumerate(blocks):
        if i:
            out.append("")
        title = getattr(block, "title", None)
        if title:
            out.append(ansi(title, "bold"))
        if isinstance(block, Table):
            if not block.rows:
                out.append(ansi(block.empty, "dim"))
                continue
            cells = [[c.header for c in block.columns]] + [[c.text(row) for c in block.columns] for row in block.rows]
            # Figures and names stay on one line (a number split over lines misreads); other text folds.
            fold = tuple(c.wrap and c.justify != "right" for c in block.columns)
            out.extend(_grid(cells, [c.justify for c in block.columns], [None] * len(block.columns),
                             width, gap=2, header=True, ansi=ansi, fold=fold,
                             max_widths=[c.max_width for c in block.columns]))
        elif isinstance(block, Fields):
            cells = [[k, v] for k, v in block.pairs]
            out.extend(_grid(cells, ["left", "left"], ["bold", None], width, gap=2,
                             header=False, ansi=ansi, fold=(False, True)))
        elif isinstance(block, Bars):
            cells = [[label, bar(frac, 24), text] for label, frac, text in block.rows]
            out.extend(_grid(cells, ["left", "left", "right"], [None, "cyan", None], width,
                             gap=1, header=False, ansi=ansi, fold=(True, False, True)))
        elif isinstance(block, Strip):
            out.extend(_strip_lines(block, ansi))
        else:
            out.append(block.text)
    stream.write("\n".join(out) + "\n")


def _strip_lines(block: Strip, ansi) -> list[str]:
    """Label column padded to its widest (CJK-aware), then the cells (dim ones styled), then the text."""
    width = max([cell_width(label) for label, _, _ in block.rows] + [0])
    lines = [" " * (width + 2) + block.header] if block.header else []
    for label, cells, text in block.rows:
        strip = "".join(ansi(ch, "dim") if dim else ch for ch, dim in cells)
        lines.append(label + " " * (width - cell_width(label) + 2) + strip + ("  " + text if text else ""))
    return lines


def _terminal_width(stream) -> int:
    """$COLUMNS, else the terminal's width, else 80 (what a pipe gets)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream is not None:
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            pass
    return 80


def cell_width(text: str) -> int:
    """Screen cells of a string: wide (CJK, most emoji) characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len  # Rich's width tables, without the cost of its layout engine

    return cell_len(text)


def _fold(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells: break at spaces where possible, else inside a word."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_w = "", 0
        for word in paragraph.split(" "):
            word_w = cell_width(word)
            sep = 1 if line else 0
            if line_w + sep + word_w <= width:
                line, line_w = (line + " " + word if line else word), line_w + sep + word_w
                continue
            if line:
                lines.append(line)
                line, line_w = "", 0
            while word_w > width:  # a word longer than the column: cut it at the cell boundary
                cut, cut_w = "", 0
                for ch in word:
                    ch_w = cell_width(ch)
                    if cut_w + ch_w > width:
                        break
                    cut, cut_w = cut + ch, cut_w + ch_w
                cut = cut or word[0]
                lines.append(cut)
                word = word[len(cut):]
                word_w = cell_width(word)
            line, line_w = word, word_w
        lines.append(line)
    return lines


def _grid(cells: list[list[str]], justify: list[str], col_styles: list, width: int, *,
          gap: int, header: bool, ansi, fold: tuple | None = None, max_widths: list | None = None) -> list[str]:
    n = len(justify)
    fold = fold or (True,) * n
    widths = [max(cell_width(line) for row in cells for line in row[j].split("\n")) for j in range(n)]
    for j, most in enumerate(max_widths or ()):
        if most and fold[j]:
            widths[j] = min(widths[j], most)
    # Too wide for the screen: narrow the widest foldable column, one cell at a time, down to 4 cells.
    excess = sum(widths) + gap * (n - 1) - width
    while excess > 0:
        j = max((j for j in range(n) if fold[j] and widths[j] > 4), key=lambda j: widths[j], default=None)
        if j is None:
            break
        widths[j] -= 1
        excess -= 1
    space = " " * gap
    lines = []
    for r, row in enumerate(cells):
        parts = [_fold(row[j], widths[j]) if cell_width(row[j]) > widths[j] or "\n" in row[j] else [row[j]]
                 for j in range(n)]
        for k in range(max(len(p) for p in parts)):
            out = []
            for j in range(n):
                text = parts[j][k] if k < len(parts[j]) else ""
                pad = " " * (widths[j] - cell_width(text))
                text = pad + text if justify[j] == "right" else text + pad
                style = "bold" if header and r == 0 else col_styles[j]
                out.append(ansi(text, style) if style else text)
            lines.append(space.join(out).rstrip())
        if header and r == 0:
            lines.append("─" * min(width, sum(widths) + gap * (n - 1)))
    return lines


class _Ansi:
    """Rich-style words (`bold red`, `dim`, `cyan`) as ANSI escapes; a no-op when colour is off."""

    CODES = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "reverse": "7", "black": "30", "red": "31",
             "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36", "white": "37"}

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        if not self.enabled or not style:
            return text
        codes = ";".join(self.CODES[w] for w in style.split() if w in self.CODES)
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text
