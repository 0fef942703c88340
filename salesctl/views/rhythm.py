"""Human views of the rhythm document: a heat strip per rep and the figures table. No I/O."""

from __future__ import annotations

from datetime import date

from ..i18n import N_, _
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
    """Each week's first day (MM-DD, in every language: an axis, not a date in a table) over its 7 cells
    and the gap after them."""
    return "".join(day[5:].ljust(8) for day in days[::7]).rstrip()


FIGURE_COLUMNS = [
    ("weekly", N_("Weekly touches"), None),
    ("per_working_day", N_("Per work day"), None),
    ("steadiness", N_("Steadiness"), "ratio"),
    ("month_end_share", N_("Month-end share"), "pct"),
    ("pushing_ratio", N_("Pushing"), "ratio"),
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


def figures_table(reps: list[dict], title: str | None = N_("Figures")) -> Table:
    """Rep, the figures and the flag; `pushing` shows advances/open leads beside the ratio."""
    rows = [
        {
            "rep": r["rep"],
            **{k: figure(r.get(k), kind) for k, _, kind in FIGURE_COLUMNS},
            "pushing_ratio": f"{figure(r['pushing_ratio'], 'ratio')} ({r['advances']}/{r['open_leads']})",
            "flag": _("rhythm broke") if r["flag"] else "",
        }
        for r in reps
    ]
    columns = (
        [Column("rep", _("Rep"), wrap=False)]
        + [
            Column(k, _(label), "left" if k == "weekly" else "right", wrap=k != "weekly")
            for k, label, _kind in FIGURE_COLUMNS
        ]
        + [Column("flag", _("Flag"))]
    )
    return Table(columns, rows, title=title and _(title), empty=_("No reps."))


def rhythm_output(doc: dict) -> Output:
    reps = doc["by_rep"]
    blocks: list = [
        Text(
            (
                _(
                    "Rhythm {since} – {until} (exclusive), {weeks} weeks: effective touches per day, weekends dimmed"
                )
                if doc["weeks"] != 1
                else _(
                    "Rhythm {since} – {until} (exclusive), {weeks} week: effective touches per day, weekends dimmed"
                )
            ).format(since=doc["since"][:10], until=doc["until"][:10], weeks=doc["weeks"])
        )
    ]
    if not reps:
        blocks.append(Text(_("No reps.")))
        return Output(doc, blocks)
    days = list(reps[0]["daily"])
    most = max(max(r["daily"].values(), default=0) for r in reps)
    blocks.append(
        Strip(
            [
                (
                    r["rep"],
                    strip_cells(r["daily"], most),
                    _("this week {count}").format(count=r["this_week"]),
                )
                for r in reps
            ],
            header=week_header(days),
        )
    )
    blocks.append(
        Text(
            _(
                "Shades: · none, {shades} up to {most} touches a day (the busiest day shown)."
            ).format(shades=" ".join(SHADES), most=most)
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
