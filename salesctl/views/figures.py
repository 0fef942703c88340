"""Human views of the owner's figures: report, funnel and target documents in, `Output` out. No I/O."""

from __future__ import annotations

from ..i18n import _, current, day, pgettext, stage
from ..render import Bars, Column, Fields, Output, Table, Text
from .html import (
    ATTENTION,
    COUNT_ROWS,
    PIPELINE_ROWS,
    REP_COLUMNS,
    REP_LEGEND,
    VELOCITY,
    change,
    days_column,
    period_label,
    show,
    target_lines,
    team_row,
    title,
)

# Which rep figures a narrow terminal drops first (2), then next (1); the others always show.
_NARROW_FIRST = {
    "activities": 2,
    "advanced": 2,
    "lost_count": 2,
    "new_leads": 1,
    "weighted_value": 1,
}

# The flat columns of `report --format csv`: one row per rep plus TEAM.
CSV_KEYS = (
    "new_leads",
    "activities",
    "effective",
    "proposals",
    "advanced",
    "won_count",
    "won_amount",
    "lost_count",
    "win_rate",
    "avg_deal_size",
    "avg_cycle_days",
    "lost_reasons",
    "open_count",
    "open_value",
    "weighted_value",
    "stalled",
    "target",
    "won_month_to_date",
    "attainment",
    "expected_pace",
    "projection",
    "on_track",
    "velocity",
    "claimed",
    "released",
    "recycled",
)


def _reasons(reasons: dict) -> str:
    return ";".join(f"{reason}:{n}" for reason, n in reasons.items())


def report_csv(doc: dict) -> Table:
    columns = [Column("rep", "rep")] + [Column(k, k) for k in CSV_KEYS]
    rows = [{**r, "lost_reasons": _reasons(r["lost_reasons"])} for r in doc["reps"]]
    rows.append(
        {**doc["team"], "rep": "TEAM", "lost_reasons": _reasons(doc["team"]["lost_reasons"])}
    )
    return Table(columns, rows)


def _deals_table(
    deals: list[dict],
    heading: str,
    currency: str,
    empty: str,
    *,
    days: bool = False,
    year: int | None = None,
) -> Table:
    """Deals with their close-by date, or (days) how long they have been idle or late."""
    rows = [
        {
            **d,
            "deal": f"#{d['lead_id']} {d['name']}",
            "value": show(d["value"], "money", d["currency"] or currency),
            "days": days_column(d)[1] if days else "",
            "close_by": day(d["close_by"], None if current() == "en" else year),
        }
        for d in deals
    ]
    last = (
        Column("days", days_column(deals[0])[0] if deals else _("Days"), "right")
        if days
        else Column("close_by", _("Close by"), wrap=False)
    )
    return Table(
        [
            Column("deal", _("Deal"), wrap=False, max_width=24),
            Column("company", _("Company"), wrap=False, max_width=16, priority=2),
            Column("owner", _("Owner"), wrap=False, max_width=10),
            Column("stage", _("Stage"), wrap=False, show=stage),
            Column("value", _("Value"), "right"),
            last,
        ],
        rows,
        title=heading,
        empty=empty,
    )


def _pool_block(doc: dict) -> list:
    """The shared pool (docs/pool.md): per rep, leads claimed, released and lost to a recycle in the
    period, and what sits in the pool at its end. Nothing when the pool played no part."""
    moved = [r for r in doc["reps"] if r["claimed"] or r["released"] or r["recycled"]]
    pool = doc.get("pool") or {}
    if not moved and not pool.get("open_count"):
        return []
    blocks: list = []
    if moved:
        blocks.append(
            Table(
                [
                    Column("rep", _("Rep"), wrap=False, max_width=16),
                    Column("claimed", _("Claimed"), "right"),
                    Column("released", _("Released"), "right"),
                    Column("recycled", _("Recycled"), "right"),
                ],
                moved,
                title=_("Shared pool"),
            )
        )
    if pool.get("open_count"):
        cur = doc["currency"]
        blocks.append(
            Text(
                _(
                    "In the pool at the period's end: {n} open lead(s), {value} (weighted {weighted})"
                ).format(
                    n=pool["open_count"],
                    value=show(pool["open_value"], "money", cur),
                    weighted=show(pool["weighted_value"], "money", cur),
                )
            )
        )
    return blocks


def report_output(doc: dict) -> Output:
    cur, t, prev = doc["currency"], doc["team"], doc["team"]["previous"]
    blocks: list = [
        Text(_("{title}  (previous: {period})").format(title=title(doc), period=period_label(prev)))
    ]
    blocks.append(
        Table(
            [
                Column("metric", _("Figure")),
                Column("now", _("This period"), "right"),
                Column("before", _("Previous"), "right"),
                Column("change", _("Change"), "right"),
            ],
            [
                {
                    "metric": _(label),
                    "now": show(t[k], kind, cur),
                    "before": show(prev[k], kind, cur),
                    "change": change(t[k], prev[k], kind, cur),
                }
                for k, label, kind in COUNT_ROWS
            ],
        )
    )
    target = target_lines(doc)
    if target:
        blocks.append(Bars(target, title=_("Target {month}").format(month=doc["month"])))
    else:
        blocks.append(
            Text(
                _(
                    "Target {month}: none set (salesctl target set AMOUNT --team --month {month})"
                ).format(month=doc["month"])
            )
        )
    blocks.append(
        Fields(
            [(_(label), show(t[k], kind, cur)) for k, label, kind in PIPELINE_ROWS],
            title=_("Pipeline at the period's end"),
        )
    )
    blocks.append(Text(_(VELOCITY)))
    if t["lost_reasons"]:
        most = max(t["lost_reasons"].values())
        blocks.append(
            Bars(
                [
                    (pgettext("lost", reason), n / most, str(n))
                    for reason, n in t["lost_reasons"].items()
                ],
                title=_("Why deals were lost"),
            )
        )
    if doc["reps"]:
        blocks.append(
            Table(
                [Column("rep", _("Rep"), wrap=False, max_width=16)]
                + [
                    Column(
                        k,
                        _(label),
                        "right",
                        priority=_NARROW_FIRST.get(k, 0),
                        legend=_(REP_LEGEND[k]) if k in REP_LEGEND else None,
                    )
                    for k, label, _kind in REP_COLUMNS
                ],
                [
                    {
                        "rep": r["rep"],
                        **{k: show(r[k], kind, cur) for k, _label, kind in REP_COLUMNS},
                    }
                    for r in doc["reps"] + [team_row(doc)]
                ],
                title=_("Reps"),
            )
        )
        most = max(r["won_amount"] for r in doc["reps"])
        if most:
            blocks.append(
                Bars(
                    [
                        (r["rep"], r["won_amount"] / most, show(r["won_amount"], "money", cur))
                        for r in doc["reps"]
                    ],
                    title=_("Won amount by rep"),
                )
            )
    pool_block = _pool_block(doc)
    if pool_block:
        blocks += pool_block
    if doc.get("rhythm", {}).get("by_rep"):
        from .rhythm import figures_table

        blocks.append(figures_table(doc["rhythm"]["by_rep"], title=rhythm_title(doc["rhythm"])))
    if doc.get("trends"):
        blocks.append(trends_table(doc["trends"], cur))
    if doc.get("funnel", {}).get("cohort"):
        blocks.append(funnel_bars(doc["funnel"], report_funnel_title(doc["funnel"])))
    year = int(doc["as_of"][:4])
    blocks.append(
        _deals_table(doc["key_deals"], _("Key deals"), cur, _("No open key deals."), year=year)
    )
    blocks.append(
        _deals_table(
            doc["closing_soon"],
            _("Closing within a week"),
            cur,
            _("Nothing due to close this week."),
            year=year,
        )
    )
    for key, heading, empty in ATTENTION:
        blocks.append(_deals_table(doc[key], _(heading), cur, _(empty), days=True))
    used = [p for p in doc["plays"] if p["leads"]]
    if used:
        blocks.append(
            Table(
                [
                    Column("play", _("Play")),
                    Column("leads", _("Used on"), "right"),
                    Column("won", _("Won"), "right"),
                    Column("lost", _("Lost"), "right"),
                    Column("win_rate", _("Win rate"), "right", show=lambda v: show(v, "pct", None)),
                ],
                used,
                title=_("Plays"),
            )
        )
    if doc.get("cadences"):
        blocks.append(
            Table(
                [
                    Column("play", _("Cadence")),
                    Column("leads", _("Leads"), "right"),
                    Column("completed", _("Completed"), "right"),
                    Column("won", _("Won"), "right"),
                    Column("lost", _("Lost"), "right"),
                    Column("win_rate", _("Win rate"), "right", show=lambda v: show(v, "pct", None)),
                ],
                doc["cadences"],
                title=_("Cadences"),
            )
        )
    return Output(doc, blocks, csv=report_csv(doc))


def trends_table(trends: dict, currency: str) -> Table:
    """One row per trend: its sparkline over the weeks, the first and the last week's value."""
    from ..trends import ROWS, sparkline

    rows = [
        {
            "trend": _(label),
            "spark": sparkline(trends[key]),
            "first": show(trends[key][0], kind, currency),
            "last": show(trends[key][-1], kind, currency),
        }
        for key, label, kind in ROWS
    ]
    weeks, year = trends["weeks"], int(trends["until"][:4])
    return Table(
        [
            Column("trend", _("Trend")),
            Column("spark", _("{weeks} weeks").format(weeks=len(weeks)), wrap=False),
            Column("first", _("Week of {day}").format(day=week_day(weeks[0], year)), "right"),
            Column("last", _("Week of {day}").format(day=week_day(weeks[-1], year)), "right"),
        ],
        rows,
        title=_("Trends: {weeks} weeks to {day} (exclusive)").format(
            weeks=len(weeks), day=trends["until"][:10]
        ),
    )


def week_day(iso: str, year: int) -> str:
    """A week's first day in a header: `09-07` in English, `9月7日` in Chinese."""
    if current() == "en":
        return iso[5:10]
    return day(iso, year).split(" ")[0]


def rhythm_title(section: dict) -> str:
    return _("Rhythm: {weeks} weeks to {day} (exclusive), effective touches").format(
        weeks=section["weeks"], day=section["until"][:10]
    )


def funnel_bars(doc: dict, title: str) -> Bars:
    """How many of the funnel's cohort reached each stage, as bars: `72 (100%)`."""
    cohort = doc["cohort"]
    return Bars(
        [
            (
                stage(s["stage"]),
                s["reached"] / cohort if cohort else 0.0,
                f"{s['reached']}"
                + (f" ({show(s['reached'] / cohort, 'pct', None)})" if cohort else ""),
            )
            for s in doc["stages"]
        ],
        title=title,
    )


def report_funnel_title(funnel: dict) -> str:
    """The report's funnel heading: the cohort and its span (docs/figures.md, The funnel in the report)."""
    return _("Funnel: {n} lead(s) created {period}, where they stand now").format(
        n=funnel["cohort"], period=period_label(funnel)
    )


def render_report(doc: dict, fmt: str) -> str:
    """The report document as text: `html` (a mailable page, views/html.py) or one of the common
    output formats (table, json, csv, md)."""
    if fmt == "html":
        from .html import report_html

        return report_html(doc)
    import io

    from ..render import Format, emit

    buffer = io.StringIO()
    emit(report_output(doc), Format(fmt), buffer)
    return buffer.getvalue()


def funnel_output(doc: dict) -> Output:
    cohort = doc["cohort"]
    pct = lambda v: show(v, "pct", None)  # noqa: E731
    header = Text(
        (
            _("{rep} funnel: {cohort} lead(s) created {period}").format(
                rep=doc["rep"], cohort=cohort, period=period_label(doc)
            )
            if doc["rep"]
            else _("Team funnel: {cohort} lead(s) created {period}").format(
                cohort=cohort, period=period_label(doc)
            )
        )
        + _(" · won {won}, lost {lost}, open {open}, win rate {rate}").format(
            won=doc["won"], lost=doc["lost"], open=doc["open"], rate=pct(doc["win_rate"])
        )
    )
    bars = funnel_bars(doc, _("Reached"))
    table = Table(
        [
            Column("stage", _("Stage"), show=stage),
            Column("reached", _("Reached"), "right"),
            Column("conversion", _("→ next"), "right", show=pct),
            Column("lost", _("Lost here"), "right"),
            Column("reasons", _("Why")),
            Column(
                "avg_days_in_stage", _("Avg days"), "right", show=lambda v: show(v, "days", None)
            ),
        ],
        [
            {
                **s,
                "reasons": _(", ").join(
                    f"{pgettext('lost', r)} {n}" for r, n in s["lost_reasons"].items()
                ),
            }
            for s in doc["stages"]
        ],
    )
    if "compare" not in doc:
        return Output(doc, [header, bars, table], csv=_funnel_csv(doc))
    return Output(doc, [header, bars, table, *_funnel_compare_blocks(doc)], csv=_funnel_csv(doc))


def _funnel_csv(doc: dict) -> Table:
    """The funnel's CSV: raw keys and values, the same in every language."""
    keys = ("stage", "reached", "conversion", "lost", "reasons", "avg_days_in_stage")
    rows = [
        {**s, "reasons": ", ".join(f"{r} {n}" for r, n in s["lost_reasons"].items())}
        for s in doc["stages"]
    ]
    return Table([Column(k, k) for k in keys], rows)


def _funnel_compare_blocks(doc: dict) -> list:
    """The earlier cohort beside this one, stage by stage, and the stage that got worse most."""
    before = doc["compare"]
    pct = lambda v: show(v, "pct", None)  # noqa: E731
    # whole points, rounded before the sign is chosen: 78.43% → 78.38% is "+0 pts", never "-0 pts"
    change = lambda v: "" if v is None else _("{points} pts").format(points=f"{round(v * 100):+d}")  # noqa: E731
    table = Table(
        [
            Column("stage", _("Stage"), show=stage),
            Column("previous_reached", _("Reached before"), "right"),
            Column("previous_conversion", _("→ next before"), "right", show=pct),
            Column("reached", _("Reached now"), "right"),
            Column("conversion", _("→ next now"), "right", show=pct),
            Column("conversion_change", _("Change"), "right", show=change),
        ],
        doc["stages"],
        title=_("Compared with {cohort} lead(s) created {period}").format(
            cohort=before["cohort"], period=period_label(before)
        ),
    )
    worst = doc["worst_stage"]
    note = (
        _("Got worse most: {stage}.").format(stage=stage(worst))
        if worst
        else _("No stage converts worse than before.")
    )
    return [table, Text(note)]


def target_output(doc: dict) -> Output:
    cur = doc["currency"]
    rows = [{"rep": "TEAM", **doc["team"]}] + doc["reps"]
    bars = Bars(
        [
            (
                _("TEAM") if r is rows[0] else r["rep"],
                r["attainment"] or 0.0,
                _("{won} of {target} ({share}; pace {pace})").format(
                    won=show(r["won_month_to_date"], "money", cur),
                    target=show(r["target"], "money", cur),
                    share=show(r["attainment"], "pct", cur),
                    pace=show(r["expected_pace"], "pct", cur),
                )
                if r["target"] is not None
                else _("{won} won · no target").format(
                    won=show(r["won_month_to_date"], "money", cur)
                ),
            )
            for r in rows
        ],
        title=_("Targets {month} (as of {day}, {share} of the month elapsed)").format(
            month=doc["month"],
            day=day(doc["as_of"], int(doc["as_of"][:4]))
            if current() != "en"
            else doc["as_of"][:10],
            share=show(doc["team"]["expected_pace"], "pct", cur),
        ),
    )
    table = Table(
        [
            Column("rep", "rep"),
            Column("target", "target", "right"),
            Column("won_month_to_date", "won", "right"),
            Column("attainment", "attainment", "right"),
            Column("expected_pace", "pace", "right"),
            Column("projection", "projection", "right"),
            Column("on_track", "on_track"),
        ],
        rows,
    )
    return Output(doc, [bars], csv=table)
