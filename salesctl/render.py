"""One renderer: commands return an `Output` (the JSON document plus a human view); this prints it.

Formats: `json` (the contract document), `csv` (one table, spreadsheet-safe), `md` (Markdown), and
`table` (aligned text, CJK-aware, colour only on a terminal and never with NO_COLOR). Nothing heavy is
imported at all, so every format stays fast.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .errors import printable
from .i18n import N_, _


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
    # False: never folded (names, dates, stages); with max_width it is cut with … past that many cells.
    wrap: bool = True
    max_width: int | None = None
    # When a table is too wide for the terminal, columns go highest priority first; 0 is never dropped.
    priority: int = 0
    short: Callable[[Any], str] | None = (
        None  # a shorter human form, used before anything is dropped
    )
    legend: str | None = None  # what an abbreviated header means: one legend line under the table

    def text(self, row: dict, *, short: bool = False) -> str:
        value = row.get(self.key)
        if short and self.short is not None:
            return self.short(value)
        if self.show is not None:
            return self.show(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return _("yes") if value else ""
        if isinstance(value, (list, tuple)):
            return ", ".join(map(str, value))
        return str(value)


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict]
    title: str | None = None
    empty: str = N_("Nothing to show.")  # English, translated where shown


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
    plain: str | None = (
        None  # what `table` prints instead of blocks when set (e.g. `add` prints the id)
    )

    def csv_table(self) -> Table | None:
        return self.csv or next((b for b in self.blocks if isinstance(b, Table)), None)


def emit(output: Output, fmt: Format, stream=None) -> None:
    stream = stream or sys.stdout
    if fmt is Format.json:
        stream.write(
            to_json(output.data, pretty=hasattr(stream, "isatty") and stream.isatty()) + "\n"
        )
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


def _empty(table: Table) -> str:
    """What an empty table says, in this run's language (a caller's text may already be translated)."""
    return _(table.empty) if table.empty else ""


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
                out.append(f"_{_empty(block)}_\n")
                continue
            out.append("| " + " | ".join(_md_cell(c.header) for c in block.columns) + " |")
            out.append(
                "|"
                + "|".join("---:" if c.justify == "right" else "---" for c in block.columns)
                + "|"
            )
            for row in block.rows:
                out.append("| " + " | ".join(_md_cell(c.text(row)) for c in block.columns) + " |")
            out.append("")
            if legend(block.columns):
                out.append(f"_{_md_cell(legend(block.columns))}_\n")
        elif isinstance(block, Fields):
            out.extend(f"- **{_md_cell(k)}**: {_md_cell(v)}" for k, v in block.pairs)
            out.append("")
        elif isinstance(block, Bars):
            out.append("| | | |\n|---|---|---|")
            out.extend(
                f"| {_md_cell(label)} | `{bar(frac, 20)}` | {_md_cell(text)} |"
                for label, frac, text in block.rows
            )
            out.append("")
        elif isinstance(block, Strip):
            out.extend(["```", *_strip_lines(block, lambda text, style: text), "```", ""])
        else:
            out.append(block.text + "\n")
    return "\n".join(out)


def legend(columns: list[Column]) -> str:
    """One line saying what the shown columns' abbreviated headers mean ("" when none is)."""
    return "\u00a0· ".join(
        f"{c.header}: {c.legend}" for c in columns if c.legend
    )  # no line starts with ·


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
    cells, as terminals do; a table too wide for the terminal is fitted by `fit_columns`, and its
    sentences fold onto more lines at spaces, never inside a word or a date.
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
                out.append(ansi(_empty(block), "dim"))
                continue
            columns, cells = fit_columns(block, width)
            out.extend(
                _grid(
                    cells,
                    [c.justify for c in columns],
                    [None] * len(columns),
                    width,
                    gap=2,
                    header=True,
                    ansi=ansi,
                    fold=tuple(_folds(c) for c in columns),
                    max_widths=[c.max_width for c in columns],
                )
            )
            if legend(columns):
                out.extend(ansi(line, "dim") for line in _fold(legend(columns), width))
        elif isinstance(block, Fields):
            cells = [[k, _shown(v)] for k, v in block.pairs]
            out.extend(
                _grid(
                    cells,
                    ["left", "left"],
                    ["bold", None],
                    width,
                    gap=2,
                    header=False,
                    ansi=ansi,
                    fold=(False, True),
                )
            )
        elif isinstance(block, Bars):
            cells = [[label, bar(frac, 24), text] for label, frac, text in block.rows]
            out.extend(
                _grid(
                    cells,
                    ["left", "left", "right"],
                    [None, "cyan", None],
                    width,
                    gap=1,
                    header=False,
                    ansi=ansi,
                    fold=(True, False, True),
                )
            )
        elif isinstance(block, Strip):
            out.extend(_strip_lines(block, ansi))
        else:
            out.extend(_fold(block.text, width))  # at spaces: a terminal would wrap inside words
    stream.write("\n".join(out) + "\n")


def _shown(text: str) -> str:
    """A cell as the terminal gets it: a note's tabs become spaces (a tab would break the columns), and
    text stored before validation cannot send escape sequences."""
    return text if text.isprintable() else printable(text.replace("\t", " "), keep_newlines=True)


def _strip_lines(block: Strip, ansi) -> list[str]:
    """Label column padded to its widest (CJK-aware), then the cells (dim ones styled), then the text."""
    width = max([cell_width(label) for label, _, _ in block.rows] + [0])
    lines = [" " * (width + 2) + block.header] if block.header else []
    for label, cells, text in block.rows:
        strip = "".join(ansi(ch, "dim") if dim else ch for ch, dim in cells)
        lines.append(
            label + " " * (width - cell_width(label) + 2) + strip + ("  " + text if text else "")
        )
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


def _folds(column: Column) -> bool:
    # Figures, names and dates stay on one line (a number or a date split over lines misreads); text folds.
    return column.wrap and column.justify != "right"


_GAP = 2


def fit_columns(table: Table, width: int) -> tuple[list[Column], list[list[str]]]:
    """The columns (and their cells, header first) that fit `width`: the full forms if they fit once
    sentences fold at spaces (never inside a word) and long names are cut with …, else the short forms;
    still too wide, empty columns go, then the highest priority, then the next… A table whose
    never-dropped columns do not fit is drawn as well as it can be."""
    columns = list(table.columns)
    for short in (False, True) if any(c.short for c in columns) else (False,):
        cells, floors = _cells(table, columns, short, width)
        if sum(floors) <= width - _GAP * (len(columns) - 1):
            return columns, cells
    while True:
        droppable = [j for j, c in enumerate(columns) if c.priority]
        if sum(floors) <= width - _GAP * (len(columns) - 1) or not droppable:
            return columns, cells
        # A column with nothing in it goes first, then the highest priority.
        empty = [j for j in droppable if not any(row[j] for row in cells[1:])]
        del columns[empty[-1] if empty else max(droppable, key=lambda j: (columns[j].priority, j))]
        cells, floors = _cells(table, columns, short, width)


def _cells(
    table: Table, columns: list[Column], short: bool, width: int
) -> tuple[list[list[str]], list[int]]:
    """The cells (header first) of these columns, and the fewest cells each column can be drawn in
    (their natural widths when those fit: the common case costs no word scanning)."""
    cells = [[c.header for c in columns]] + [
        [_shown(c.text(row, short=short)) for c in columns] for row in table.rows
    ]
    natural = [
        max(cell_width(line) for row in cells for line in row[j].split("\n"))
        for j in range(len(columns))
    ]
    if sum(natural) <= width - _GAP * (len(columns) - 1):
        return cells, natural
    return cells, [_floor(c, [row[j] for row in cells], natural[j]) for j, c in enumerate(columns)]


def _floor(column: Column, texts: list[str], natural: int) -> int:
    """The fewest cells a column can take: a folding column its longest word (see _longest_word) but
    not under 16 cells or its header, a cut one its max_width, others all of it."""
    if column.max_width and not _folds(column):
        return min(natural, column.max_width)
    if not _folds(column) or natural <= _READABLE:
        return natural
    # Folding is for a sentence, not for a column a word wide: below 16 cells (or its header) it goes.
    return max(
        min(natural, _READABLE), cell_width(texts[0]), max(_longest_word(text) for text in texts)
    )


_READABLE = 16


# A date with its time is one word: "2026-11-17 09:00" never folds into "2026-11-17" / "09:00".
_DATE_TIME = re.compile(r"(?<![0-9])((?:[0-9]{4}-)?[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2})(?![0-9])")
_GLUE = "\x00"


def _glued(text: str) -> str:
    """`text` with each date and its time glued by NUL into one word (see _unglue)."""
    return _DATE_TIME.sub(rf"\1{_GLUE}\2", text) if ":" in text else text


def _words(text: str) -> list[str]:
    """`text` split at spaces, a date and its time kept together."""
    return _glued(text).split(" ")


def _unglue(line: str) -> str:
    return line.replace(_GLUE, " ")


def _longest_word(text: str) -> int:
    words = _glued(text).replace("\n", " ").split(" ")
    if text.isascii():
        return max(map(len, words))
    # CJK text breaks between characters, as terminals and browsers break it, but a short run (a name
    # such as 欧阳建国) stays whole; runs of narrow characters (Latin, digits) inside it stay whole too.
    return max(
        cell_width(word)
        if word.isascii()
        else max(
            [min(cell_width(word), 8)] + [len(run) for run in re.findall(r"[\x21-\x7e]+", word)]
        )
        for word in words
    )


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in … when cut."""
    if cell_width(text) <= width:
        return text
    return _prefix(text, width - 1) + "…"


def _prefix(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` cells."""
    out, used = "", 0
    for ch in text:
        ch_w = cell_width(ch)
        if used + ch_w > width:
            break
        out, used = out + ch, used + ch_w
    return out


# Chinese punctuation that closes: a line never starts with it (the rule Chinese typesetting keeps).
_NO_LINE_START = frozenset("。，、；：！？）」』》〉】")


def _fold(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells: break at spaces where possible, else inside a word."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_w = "", 0
        for word in _words(paragraph):
            word_w = cell_width(word)
            sep = 1 if line else 0
            if line_w + sep + word_w <= width:
                line, line_w = (line + " " + word if line else word), line_w + sep + word_w
                continue
            if line:
                lines.append(line)
                line, line_w = "", 0
            while word_w > width:  # a word longer than the column: cut it at the cell boundary
                cut = _prefix(word, width) or word[0]
                if len(cut) > 1 and word[len(cut)] in _NO_LINE_START:
                    cut = cut[
                        :-1
                    ]  # 。 and ， never start a line: the character before goes with it
                lines.append(cut)
                word = word[len(cut) :]
                word_w = cell_width(word)
            line, line_w = word, word_w
        lines.append(line)
    return [_unglue(line) for line in lines]


def _grid(
    cells: list[list[str]],
    justify: list[str],
    col_styles: list,
    width: int,
    *,
    gap: int,
    header: bool,
    ansi,
    fold: tuple | None = None,
    max_widths: list | None = None,
) -> list[str]:
    n = len(justify)
    fold = fold or (True,) * n
    max_widths = list(max_widths or [None] * n)
    widths = [
        max(cell_width(line) for row in cells for line in row[j].split("\n")) for j in range(n)
    ]
    cut = [bool(max_widths[j]) and not fold[j] for j in range(n)]
    for j, most in enumerate(max_widths):
        if most and fold[j] and widths[j] > most:
            widths[j] = min(widths[j], max(most, max(_longest_word(row[j]) for row in cells)))
    # Too wide for the screen: narrow the widest foldable column one cell at a time, first down to its
    # longest word (never break inside a word), then cut columns down to their max_width, and only when
    # that is not enough, fold inside words down to 4 cells.
    excess = sum(widths) + gap * (n - 1) - width
    if excess > 0:
        floors = [
            max(_longest_word(row[j]) for row in cells)
            if fold[j]
            else min(widths[j], max_widths[j])
            if cut[j]
            else widths[j]
            for j in range(n)
        ]
        dated = [fold[j] and any(_DATE_TIME.search(row[j]) for row in cells) for j in range(n)]
    for lowest in (
        (floors, [4 if fold[j] and not dated[j] else floors[j] for j in range(n)])
        if excess > 0
        else ()
    ):
        while excess > 0:
            j = max(
                (j for j in range(n) if widths[j] > max(lowest[j], 1)),
                key=lambda j: widths[j],
                default=None,
            )
            if j is None:
                break
            widths[j] -= 1
            excess -= 1
    space = " " * gap
    lines = []
    for r, row in enumerate(cells):
        parts = [
            [_cut(row[j], widths[j])]
            if cut[j] and not fold[j]
            else _fold(row[j], widths[j])
            if cell_width(row[j]) > widths[j] or "\n" in row[j]
            else [row[j]]
            for j in range(n)
        ]
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

    CODES = {
        "bold": "1",
        "dim": "2",
        "italic": "3",
        "underline": "4",
        "reverse": "7",
        "black": "30",
        "red": "31",
        "green": "32",
        "yellow": "33",
        "blue": "34",
        "magenta": "35",
        "cyan": "36",
        "white": "37",
    }

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        if not self.enabled or not style:
            return text
        codes = ";".join(self.CODES[w] for w in style.split() if w in self.CODES)
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text
