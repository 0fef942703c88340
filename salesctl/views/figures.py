"""Human views of the owner's figures: report, funnel and target documents in, `Output` out. No I/O."""

from __future__ import annotations

from ..i18n import _, pgettext, stage
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
    deals: list[dict], heading: str, currency: str, empty: str, *, days: bool = False
) -> Table:
    """Deals with their close-by date, or (days) how long they have been idle or late."""
    rows = [
        {
            **d,
            "deal": f"#{d['lead_id']} {d['name']}",
            "value": show(d["value"], "money", d["currency"] or currency),
            "days": days_column(d)[1] if days else "",
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
    blocks.append(_deals_table(doc["key_deals"], _("Key deals"), cur, _("No open key deals.")))
    blocks.append(
        _deals_table(
            doc["closing_soon"],
            _("Closing within a week"),
            cur,
            _("Nothing due to close this week."),
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
            "trend": label,
            "spark": sparkline(trends[key]),
            "first": show(trends[key][0], kind, currency),
            "last": show(trends[key][-1], kind, currency),
        }
        for key, label, kind in ROWS
    ]
    return Table(
        [
            Column("trend", "Trend"),
            Column("spark", f"{len(trends['weeks'])} weeks", wrap=False),
            Column("first", f"Week of {trends['weeks'][0][5:]}", "right"),
            Column("last", f"Week of {trends['weeks'][-1][5:]}", "right"),
        ],
        rows,
        title=f"Trends: {len(trends['weeks'])} weeks to {trends['until'][:10]} (exclusive)",
    )


def rhythm_title(section: dict) -> str:
    return f"Rhythm: {section['weeks']} weeks to {section['until'][:10]} (exclusive), effective touches"


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


def funnel_output(doc: dict) -> Output:
    cohort = doc["cohort"]
    who = doc["rep"] or "Team"
    header = Text(
        f"{who} funnel: {cohort} lead(s) created {period_label(doc)} · won {doc['won']}, lost {doc['lost']},"
        f" open {doc['open']}, win rate {show(doc['win_rate'], 'pct', None)}"
    )
    bars = funnel_bars(doc, "Reached")
    table = Table(
        [
            Column("stage", "Stage"),
            Column("reached", "Reached", "right"),
            Column("conversion", "→ next", "right", show=lambda v: show(v, "pct", None)),
            Column("lost", "Lost here", "right"),
            Column("reasons", "Why"),
            Column("avg_days_in_stage", "Avg days", "right", show=lambda v: show(v, "days", None)),
        ],
        [
            {**s, "reasons": ", ".join(f"{r} {n}" for r, n in s["lost_reasons"].items())}
            for s in doc["stages"]
        ],
    )
    if "compare" not in doc:
        return Output(doc, [header, bars, table], csv=table)
    return Output(doc, [header, bars, table, *_funnel_compare_blocks(doc)], csv=table)


def _funnel_compare_blocks(doc: dict) -> list:
    """The earlier cohort beside this one, stage by stage, and the stage that got worse most."""
    before = doc["compare"]
    pct = lambda v: show(v, "pct", None)  # noqa: E731
    change = lambda v: "" if v is None else f"{v * 100:+.0f} pts"  # noqa: E731
    table = Table(
        [
            Column("stage", "Stage"),
            Column("previous_reached", "Reached before", "right"),
            Column("previous_conversion", "→ next before", "right", show=pct),
            Column("reached", "Reached now", "right"),
            Column("conversion", "→ next now", "right", show=pct),
            Column("conversion_change", "Change", "right", show=change),
        ],
        doc["stages"],
        title=f"Compared with {before['cohort']} lead(s) created {period_label(before)}",
    )
    worst = doc["worst_stage"]
    note = f"Got worse most: {worst}." if worst else "No stage converts worse than before."
    return [table, Text(note)]


def target_output(doc: dict) -> Output:
    cur = doc["currency"]
    rows = [{"rep": "TEAM", **doc["team"]}] + doc["reps"]
    bars = Bars(
        [
            (
                r["rep"],
                r["attainment"] or 0.0,
                (
                    f"{show(r['won_month_to_date'], 'money', cur)} of {show(r['target'], 'money', cur)} "
                    f"({show(r['attainment'], 'pct', cur)}; pace {show(r['expected_pace'], 'pct', cur)})"
                )
                if r["target"] is not None
                else f"{show(r['won_month_to_date'], 'money', cur)} won · no target",
            )
            for r in rows
        ],
        title=f"Targets {doc['month']} (as of {doc['as_of'][:10]}, {show(doc['team']['expected_pace'], 'pct', cur)} "
        "of the month elapsed)",
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
