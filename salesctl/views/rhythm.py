"""Human views of the rhythm document: a heat strip per rep and the figures table. No I/O."""

from __future__ import annotations

from datetime import date

from ..render import Column, Output, Strip, Table, Text
from .html import show

SHADES = "░▒▓█"  # 1 … the busiest day's count, in four steps
NONE_WEEKDAY, NONE_WEEKEND = "·", " "  # no touch: a dot on a working day, blank on a weekend


def shade(n: int, most: int) -> str:
    """The block for n touches when the busiest day (of every rep shown) had `most`."""
    if n <= 0 or most <= 0:
        return ""
    return SHADES[min(len(SHADES), -(-n * len(SHADES) // most)) - 1]


def strip_cells(daily: dict[str, int], most: int) -> list[tuple[str, bool]]:
    """One cell per day (weekends dimmed), a blank between weeks."""
    cells: list[tuple[str, bool]] = []
    for i, (day, n) in enumerate(daily.items()):
        if i and i % 7 == 0:
            cells.append((" ", False))
        weekend = date.fromisoformat(day).weekday() >= 5
        cells.append((shade(n, most) or (NONE_WEEKEND if weekend else NONE_WEEKDAY), weekend))
    return cells


def week_header(days: list[str]) -> str:
    """Each week's first day (MM-DD) over its 7 cells and the gap after them."""
    return "".join(day[5:].ljust(8) for day in days[::7]).rstrip()


FIGURE_COLUMNS = [
    ("weekly", "Weekly touches", None),
    ("per_working_day", "Per work day", None),
    ("steadiness", "Steadiness", "ratio"),
    ("month_end_share", "Month-end share", "pct"),
    ("pushing_ratio", "Pushing", "ratio"),
]


def figure(value, kind: str | None) -> str:
    if value is None:
        return "–"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "pct":
        return show(value, "pct", None)
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def figures_table(reps: list[dict], title: str | None = "Figures") -> Table:
    """Rep, the figures and the flag; `pushing` shows advances/open leads beside the ratio."""
    rows = [
        {
            "rep": r["rep"],
            **{k: figure(r.get(k), kind) for k, _, kind in FIGURE_COLUMNS},
            "pushing_ratio": f"{figure(r['pushing_ratio'], 'ratio')} ({r['advances']}/{r['open_leads']})",
            "flag": "rhythm broke" if r["flag"] else "",
        }
        for r in reps
    ]
    columns = (
        [Column("rep", "Rep", wrap=False)]
        + [
            Column(k, label, "left" if k == "weekly" else "right", wrap=k != "weekly")
            for k, label, _ in FIGURE_COLUMNS
        ]
        + [Column("flag", "Flag")]
    )
    return Table(columns, rows, title=title, empty="No reps.")


def rhythm_output(doc: dict) -> Output:
    reps = doc["by_rep"]
    blocks: list = [
        Text(
            f"Rhythm {doc['since'][:10]} – {doc['until'][:10]} (exclusive), {doc['weeks']} weeks: "
            "effective touches per day, weekends dimmed"
        )
    ]
    if not reps:
        blocks.append(Text("No reps."))
        return Output(doc, blocks)
    days = list(reps[0]["daily"])
    most = max(max(r["daily"].values(), default=0) for r in reps)
    blocks.append(
        Strip(
            [
                (r["rep"], strip_cells(r["daily"], most), f"this week {r['this_week']}")
                for r in reps
            ],
            header=week_header(days),
        )
    )
    blocks.append(
        Text(
            f"Shades: · none, {' '.join(SHADES)} up to {most} touches a day (the busiest day shown)."
        )
    )
    blocks.append(figures_table(reps))
    return Output(doc, blocks, csv=_csv(reps))


def _csv(reps: list[dict]) -> Table:
    keys = (
        "flag",
        "effective",
        "per_working_day",
        "this_week",
        "median_week",
        "steadiness",
        "wins",
        "month_end_wins",
        "month_end_share",
        "advances",
        "open_leads",
        "pushing_ratio",
    )
    return Table([Column("rep", "rep")] + [Column(k, k) for k in keys], reps)
