"""The report as a mail: `report_html(doc)` (self-contained HTML) and `report_text(doc)` (plain text).

Both take the report JSON document (figures.report) and nothing else, so the mail helper can send what
`report --format json` prints. The HTML works in mail clients: inline styles only, no scripts, no
external assets, bars drawn with table cells; every piece of user data goes through html.escape.
"""

from __future__ import annotations

from html import escape

from ..i18n import N_, _, day, moment, money, pgettext, stage
from ..i18n import current as lang
from ..render import cell_width

# Labels below are English, marked N_ for the catalogs and translated where shown (docs/chinese.md).

# (key, label, kind) of the period counts, in reading order; kind says how a value is shown.
COUNT_ROWS = (
    ("new_leads", N_("New leads"), "int"),
    ("activities", N_("Activities"), "int"),
    ("effective", N_("Effective conversations"), "int"),
    ("proposals", N_("Proposals and quotes"), "int"),
    ("advanced", N_("Stage advances"), "int"),
    ("won_count", N_("Won"), "int"),
    ("won_amount", N_("Won amount"), "money"),
    ("lost_count", N_("Lost"), "int"),
    ("win_rate", N_("Win rate"), "pct"),
    ("avg_deal_size", N_("Average deal"), "money"),
    ("avg_cycle_days", N_("Average cycle (days)"), "days"),
)
PIPELINE_ROWS = (
    ("open_count", N_("Open deals"), "int"),
    ("open_value", N_("Open value"), "money"),
    ("weighted_value", N_("Weighted value"), "money"),
    ("stalled", N_("Stalled"), "int"),
    ("velocity", N_("Velocity (per day)"), "money"),
)
REP_COLUMNS = (
    ("new_leads", N_("New"), "int"),
    ("activities", N_("Acts"), "int"),
    ("effective", N_("Eff"), "int"),
    ("advanced", N_("Adv"), "int"),
    ("won_count", N_("Won"), "int"),
    ("won_amount", N_("Won amt"), "money"),
    ("lost_count", N_("Lost"), "int"),
    ("win_rate", N_("Win%"), "pct"),
    ("open_count", N_("Open"), "int"),
    ("weighted_value", N_("Weighted"), "money"),
    ("stalled", N_("Stall"), "int"),
    ("attainment", N_("Target"), "pct"),
)
# What the reps table's short headers mean: the one-line legend under it (table, md, html; docs/figures.md).
REP_LEGEND = {
    "activities": N_("activities"),
    "effective": N_("effective conversations"),
    "advanced": N_("stage advances"),
    "win_rate": N_("won ÷ (won + lost)"),
    "weighted_value": N_("value × stage probability"),
    "stalled": N_("stalled deals"),
    "attainment": N_("won ÷ month's target"),
}
VELOCITY = N_(
    "Velocity (per day) = open deals × win rate × average deal ÷ average cycle (days): what the open pipeline is expected to win per day at this period's rates."
)
# The deals the owner should look at, as of the period's end: (document key, heading, text when none).
ATTENTION = (
    ("stalled_deals", N_("Stalled at the period's end (top 10 by value)"), N_("No stalled deals.")),
    (
        "overdue_deals",
        N_("Overdue follow-ups at the period's end (top 10 by value)"),
        N_("No overdue follow-ups."),
    ),
)


def days_column(deal: dict) -> tuple[str, str]:
    """(header, cell) of a named deal's days: Idle 18d for a stalled deal, Late 3d for an overdue one."""
    if "days_idle" in deal:
        return _("Idle"), _("{days}d").format(days=deal["days_idle"])
    return _("Late"), _("{days}d").format(days=deal["days_overdue"])


def rep_legend() -> str:
    labels = {key: label for key, label, _kind in REP_COLUMNS}
    return "\u00a0· ".join(f"{_(labels[key])}: {_(text)}" for key, text in REP_LEGEND.items())


def team_row(doc: dict) -> dict:
    """The reps table's last row: the team's figures under the name TEAM."""
    return {**doc["team"], "rep": _("TEAM")}


def deal_days(deal: dict) -> str:
    """`idle 18d` for a stalled deal, `3d late` for an overdue one."""
    if "days_idle" in deal:
        return _("idle {days}d").format(days=deal["days_idle"])
    return _("{days}d late").format(days=deal["days_overdue"])


def show(value, kind: str, currency: str | None) -> str:
    """A figure for people: money with its symbol, ratios as percent, None as a dash."""
    if value is None:
        return "–"
    if kind == "money":
        return money(value, currency)
    if kind == "pct":
        return f"{value * 100:.0f}%"
    if kind == "days":
        return f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def period_label(doc: dict) -> str:
    """`2026-11-16 – 2026-11-22`: the days covered (the end is exclusive, so show the day before)."""
    from datetime import datetime, timedelta

    since = datetime.fromisoformat(doc["since"])
    last = datetime.fromisoformat(doc["until"]) - timedelta(seconds=1)
    if since.date() == last.date():
        return since.date().isoformat()
    return f"{since.date().isoformat()} – {last.date().isoformat()}"


def title(doc: dict) -> str:
    if doc.get("rep"):
        return _("{rep} report {period}").format(rep=doc["rep"], period=period_label(doc))
    return _("Team report {period}").format(period=period_label(doc))


def target_lines(doc: dict) -> list[tuple[str, float | None, str]]:
    """(label, fraction for a bar, text) for the month's target, pace and projection; [] without a target."""
    t, cur = doc["team"], doc["currency"]
    if t["target"] is None:
        return []
    target = t["target"]
    verdict = _("on track") if t["on_track"] else _("behind")
    return [
        (
            _("Won so far"),
            t["attainment"],
            _("{won} of {target} ({share})").format(
                won=show(t["won_month_to_date"], "money", cur),
                target=show(target, "money", cur),
                share=show(t["attainment"], "pct", cur),
            ),
        ),
        (
            _("Expected pace"),
            t["expected_pace"],
            _("{share} of the month elapsed").format(share=show(t["expected_pace"], "pct", cur)),
        ),
        (
            _("Projection"),
            t["projection"] / target if target else None,
            _("{amount} ({verdict})").format(
                amount=show(t["projection"], "money", cur), verdict=verdict
            ),
        ),
    ]


def change(now, before, kind: str, currency: str | None) -> str:
    """How a count moved since the previous period: `+3`, `−$1,200`, `=`; blank for ratios and gaps."""
    if kind == "pct" or now is None or before is None:
        return ""
    delta = now - before
    if not delta:
        return "="
    sign = "+" if delta > 0 else "−"
    return sign + show(abs(round(delta, 2)), kind, currency)


# --- plain text ------------------------------------------------------------------------------------


def _text_bar(fraction: float | None, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction or 0.0)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _ljust(text: str, width: int) -> str:
    """`text` padded to `width` terminal cells: a Chinese character takes two (the mail's columns line up)."""
    return text + " " * max(0, width - cell_width(text))


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - cell_width(text)) + text


def report_text(doc: dict) -> str:
    """The report as plain text (the text part of the mail)."""
    cur, t, prev = doc["currency"], doc["team"], doc["team"]["previous"]
    year = int(doc["as_of"][:4])
    lines = [title(doc), "=" * cell_width(title(doc)), ""]
    lines.append(" " * 28 + _rjust(_("this period"), 14) + _rjust(_("previous"), 14))
    for key, label, kind in COUNT_ROWS:
        lines.append(
            _ljust(_(label), 28)
            + _rjust(show(t[key], kind, cur), 14)
            + _rjust(show(prev[key], kind, cur), 14)
        )
    lines += ["", _("Target {month}").format(month=doc["month"])]
    target = target_lines(doc)
    if target:
        lines += [f"  {_ljust(label, 15)}{_text_bar(frac)} {text}" for label, frac, text in target]
    else:
        lines.append(
            "  "
            + _("no target set (salesctl target set AMOUNT --team --month {month})").format(
                month=doc["month"]
            )
        )
    lines += ["", _("Pipeline at the period's end")]
    lines += [
        f"  {_ljust(_(label), 26)}{_rjust(show(t[key], kind, cur), 14)}"
        for key, label, kind in PIPELINE_ROWS
    ]
    lines.append("  " + _(VELOCITY))
    if t["lost_reasons"]:
        lines += [
            "",
            _("Lost reasons: ")
            + _(", ").join(f"{pgettext('lost', r)} {n}" for r, n in t["lost_reasons"].items()),
        ]
    if doc["reps"]:
        lines += ["", _("Reps")]
        header = f"  {_ljust(_('rep'), 16)}" + "".join(
            _rjust(_(label), 11) for _key, label, _kind in REP_COLUMNS
        )
        lines.append(header)
        for rep in doc["reps"] + [team_row(doc)]:
            lines.append(
                f"  {_ljust(rep['rep'][:16], 16)}"
                + "".join(_rjust(show(rep[k], kind, cur), 11) for k, _label, kind in REP_COLUMNS)
            )
        lines.append("  " + rep_legend())
    lines += _pool_text(doc)
    lines += _rhythm_text(doc)
    lines += _trends_text(doc)
    lines += _funnel_text(doc)
    for key, heading in (
        ("key_deals", _("Key deals")),
        ("closing_soon", _("Closing within a week")),
    ):
        if doc[key]:
            lines += ["", heading]
            lines += [
                f"  #{d['lead_id']} {d['name']} ({d['company'] or '-'}) · {stage(d['stage'])} · "
                f"{show(d['value'], 'money', d['currency'] or cur)} · {d['owner']}"
                + (
                    _(" · close by {day}").format(day=_table_day(d["close_by"], year))
                    if d["close_by"]
                    else ""
                )
                for d in doc[key]
            ]
    for key, heading, _empty in ATTENTION:
        if doc.get(key):
            lines += ["", _(heading)]
            lines += [
                f"  #{d['lead_id']} {d['name']} ({d['company'] or '-'}) · {stage(d['stage'])} · "
                f"{show(d['value'], 'money', d['currency'] or cur)} · {d['owner']} · {deal_days(d)}"
                for d in doc[key]
            ]
    used = [p for p in doc["plays"] if p["leads"]]
    if used:
        lines += ["", _("Plays")]
        lines += [
            "  "
            + _("{play}: used on {leads}, won {won}, lost {lost}, win rate {rate}").format(
                play=p["play"],
                leads=p["leads"],
                won=p["won"],
                lost=p["lost"],
                rate=show(p["win_rate"], "pct", cur),
            )
            for p in used
        ]
    if doc.get("cadences"):
        lines += ["", _("Cadences")]
        lines += [
            "  "
            + _(
                "{play}: {leads} lead(s), {completed} completed, won {won}, lost {lost}, win rate {rate}"
            ).format(
                play=c["play"],
                leads=c["leads"],
                completed=c["completed"],
                won=c["won"],
                lost=c["lost"],
                rate=show(c["win_rate"], "pct", cur),
            )
            for c in doc["cadences"]
        ]
    return "\n".join(lines) + "\n"


# --- HTML ------------------------------------------------------------------------------------------

# Latin first, then the CJK fonts of macOS, Windows and Linux, so 李娜 is not drawn in a fallback font.
# Inline styles only (mail clients drop <style>), so the names are quoted with ' inside style="…".
_FONT = "font-family:Arial,Helvetica,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;"
# A Traditional Chinese report asks for the Traditional faces first (docs/chinese.md, Output).
_HANT_FONTS = (
    "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC'",
    "'PingFang TC','Microsoft JhengHei','Noto Sans CJK TC'",
)
_CELL = "padding:4px 8px;border-bottom:1px solid #eeeeee;font-size:13px;word-break:keep-all;"  # 李娜 stays whole
_NUM = _CELL + "text-align:right;white-space:nowrap;"
_HEAD = (
    "padding:4px 8px;border-bottom:2px solid #cccccc;font-size:12px;color:#555555;text-align:left;"
)
_H2 = "margin:20px 0 8px 0;font-size:16px;color:#222222;" + _FONT


def _bar_html(fraction: float | None, color: str = "#2b7de9", width: int = 200) -> str:
    """A bar as a one-row table: a coloured cell for the share, a grey one for the rest."""
    share = round(max(0.0, min(1.0, fraction or 0.0)) * 100)
    cells = []
    if share:
        cells.append(
            f'<td width="{share}%" style="background:{color};height:12px;font-size:1px;line-height:1px">&nbsp;</td>'
        )
    if share < 100:
        cells.append(
            f'<td width="{100 - share}%" style="background:#e6e6e6;height:12px;font-size:1px;line-height:1px">&nbsp;</td>'
        )
    # At most `width` px, less on a narrow screen (a phone is about 400 px wide).
    return (
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;width:100%;min-width:60px;max-width:{width}px"><tr>{"".join(cells)}</tr></table>'
    )


def _table(headers: list[tuple[str, bool]], rows: list[list[tuple[str, bool]]]) -> str:
    """A data table; each cell is (text, is_number). Texts are escaped here."""
    head = "".join(
        f'<th style="{_HEAD}{"text-align:right;" if num else ""}">{escape(h)}</th>'
        for h, num in headers
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{_NUM if num else _CELL}">{escape(text)}</td>' for text, num in row)
        + "</tr>"
        for row in rows
    )
    # A table wider than a phone scrolls inside its box; the page itself never gets wider than the screen.
    return (
        f'<div style="overflow-x:auto;max-width:100%"><table role="presentation" cellpadding="0" '
        f'cellspacing="0" border="0" width="100%" style="border-collapse:collapse;{_FONT}">'
        f"<tr>{head}</tr>{body}</table></div>"
    )


def _whole_dates(text: str) -> str:
    """`text` escaped, its dates kept on one line: a narrow screen must not break 2026-11-/22."""
    import re

    return re.sub(
        r"\d{4}-\d\d-\d\d",
        lambda m: f'<span style="white-space:nowrap">{m[0]}</span>',
        escape(text),
    )


def _legend_html(text: str) -> str:
    return f'<p style="margin:6px 0 0 0;color:#666666;font-size:11px">{escape(text)}</p>'


def _table_day(iso: str | None, year: int | None) -> str:
    """A close-by date in a table: ISO in English, `12月5日 週四` in Chinese (docs/chinese.md)."""
    return day(iso, None if lang() == "en" else year)


def _deals_html(
    deals: list[dict], currency: str, *, days: bool = False, year: int | None = None
) -> str:
    """Deals with their close-by date, or (days) with how long they have been idle or late."""
    last = (days_column(deals[0])[0], True) if days else (_("Close by"), False)
    rows = [
        [
            (f"#{d['lead_id']} {d['name']}", False),
            (d["company"] or "", False),
            (d["owner"], False),
            (stage(d["stage"]), False),
            (show(d["value"], "money", d["currency"] or currency), True),
            (days_column(d)[1] if days else _table_day(d["close_by"], year), days),
        ]
        for d in deals
    ]
    return _table(
        [
            (_("Deal"), False),
            (_("Company"), False),
            (_("Owner"), False),
            (_("Stage"), False),
            (_("Value"), True),
            last,
        ],
        rows,
    )


def _rhythm_rows(doc: dict) -> tuple[list[str], list[list[str]]]:
    """Headers and text cells of the Rhythm section (docs/figures.md, Rhythm); no rows without one."""
    from .rhythm import figures_table

    reps = doc.get("rhythm", {}).get("by_rep") or []
    if not reps:
        return [], []
    table = figures_table(reps)
    return [c.header for c in table.columns], [
        [c.text(row) for c in table.columns] for row in table.rows
    ]


def _pool_rows(doc: dict) -> tuple[list[list[str]], str | None]:
    """The shared pool's part (docs/pool.md): per rep claimed / released / recycled in the period, and
    a line on what sits in the pool at its end; nothing when the pool played no part."""
    rows = [
        [r["rep"], str(r["claimed"]), str(r["released"]), str(r["recycled"])]
        for r in doc["reps"]
        if r["claimed"] or r["released"] or r["recycled"]
    ]
    pool = doc.get("pool") or {}
    line = None
    if pool.get("open_count"):
        cur = doc["currency"]
        line = _(
            "In the pool at the period's end: {n} open lead(s), {value} (weighted {weighted})"
        ).format(
            n=pool["open_count"],
            value=show(pool["open_value"], "money", cur),
            weighted=show(pool["weighted_value"], "money", cur),
        )
    return rows, line


def _pool_text(doc: dict) -> list[str]:
    rows, line = _pool_rows(doc)
    if not rows and not line:
        return []
    lines = ["", _("Shared pool")]
    if rows:
        lines.append(
            f"  {_ljust(_('Rep'), 16)}"
            + "".join(_rjust(_(h), 10) for h in (N_("Claimed"), N_("Released"), N_("Recycled")))
        )
        lines += [f"  {_ljust(r[0][:16], 16)}{r[1]:>10}{r[2]:>10}{r[3]:>10}" for r in rows]
    if line:
        lines.append("  " + line)
    return lines


def _pool_html(doc: dict) -> list[str]:
    rows, line = _pool_rows(doc)
    if not rows and not line:
        return []
    parts = [f'<h2 style="{_H2}">{escape(_("Shared pool"))}</h2>']
    if rows:
        parts.append(
            _table(
                [
                    (_("Rep"), False),
                    (_("Claimed"), True),
                    (_("Released"), True),
                    (_("Recycled"), True),
                ],
                [[(r[0], False)] + [(v, True) for v in r[1:]] for r in rows],
            )
        )
    if line:
        parts.append(f'<p style="margin:8px 0;font-size:13px;color:#555555">{escape(line)}</p>')
    return parts


def _rhythm_text(doc: dict) -> list[str]:
    headers, rows = _rhythm_rows(doc)
    if not rows:
        return []
    lines = [
        "",
        _("Rhythm ({weeks} weeks; steadiness, month-end share, pushing ratio)").format(
            weeks=doc["rhythm"]["weeks"]
        ),
    ]
    return lines + [
        "  " + " · ".join(f"{h} {v}" for h, v in zip(headers, row, strict=True) if v)
        for row in rows
    ]


def _rhythm_html(doc: dict) -> list[str]:
    headers, rows = _rhythm_rows(doc)
    if not rows:
        return []
    return [
        f'<h2 style="{_H2}">'
        + escape(_("Rhythm ({weeks} weeks)").format(weeks=doc["rhythm"]["weeks"]))
        + "</h2>",
        # Numbers right-aligned: every column but the rep (0), the weekly touches (1) and the flag (last).
        _table(
            [(h, 1 < i < len(headers) - 1) for i, h in enumerate(headers)],
            [[(v, 1 < i < len(row) - 1) for i, v in enumerate(row)] for row in rows],
        ),
    ]


def _trends_text(doc: dict) -> list[str]:
    from ..trends import ROWS, sparkline

    trends = doc.get("trends")
    if not trends:
        return []
    lines = ["", _trends_heading(trends)]
    return lines + [
        f"  {_ljust(_(label), 32)}{sparkline(trends[key])}  "
        + _("last week {value}").format(value=show(trends[key][-1], kind, doc["currency"]))
        for key, label, kind in ROWS
    ]


def _trends_heading(trends: dict) -> str:
    return _("Trends ({weeks} weeks from the week of {day})").format(
        weeks=len(trends["weeks"]), day=trends["weeks"][0]
    )


def _spark_svg(values: list[float], width: int = 120, height: int = 24) -> str:
    """A line over the weeks, 0 at the bottom: inline SVG, no script, no external file."""
    most = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * max(v, 0) / most:.1f}"
        for i, v in enumerate(values)
    )
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="trend">'
        f'<polyline fill="none" stroke="#2b7de9" stroke-width="2" points="{points}"/></svg>'
    )


def _spark_cells(values: list[float], height: int = 24) -> str:
    """The same trend as table cells (a column of bars): it shows where a mail client strips SVG."""
    most = max(values, default=0) or 1
    cells = "".join(
        f'<td valign="bottom" style="padding:0 1px;height:{height}px">'
        f'<div style="width:6px;height:{max(1, round(height * max(v, 0) / most))}px;background:#9cc3f5;'
        f'font-size:1px;line-height:1px">&nbsp;</div></td>'
        for v in values
    )
    return (
        f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse"><tr>{cells}</tr></table>'
    )


def _trends_html(doc: dict) -> list[str]:
    from ..trends import ROWS

    trends = doc.get("trends")
    if not trends:
        return []
    cur = doc["currency"]
    rows = "".join(
        f'<tr><td style="{_CELL}">{escape(_(label))}</td><td style="{_CELL}">{_spark_svg(trends[key])}</td>'
        f'<td style="{_CELL}">{_spark_cells(trends[key])}</td>'
        f'<td style="{_NUM}">{escape(show(trends[key][-1], kind, cur))}</td></tr>'
        for key, label, kind in ROWS
    )
    head = "".join(
        f'<th style="{_HEAD}">{escape(h)}</th>' for h in ("", _("Line"), _("Bars"), _("Last week"))
    )
    return [
        f'<h2 style="{_H2}">{escape(_trends_heading(trends))}</h2>',
        f'<div style="overflow-x:auto;max-width:100%"><table role="presentation" cellpadding="0" cellspacing="0" '
        f'border="0" style="border-collapse:collapse;{_FONT}"><tr>{head}</tr>{rows}</table></div>',
    ]


def _funnel_text(doc: dict) -> list[str]:
    from .figures import report_funnel_title

    funnel = doc.get("funnel")
    if not funnel or not funnel["cohort"]:
        return []
    return ["", report_funnel_title(funnel)] + [
        f"  {_ljust(stage(s['stage']), 12)}{_text_bar(s['reached'] / funnel['cohort'])} {s['reached']}"
        + (f"  → {show(s['conversion'], 'pct', None)}" if s["conversion"] is not None else "")
        for s in funnel["stages"]
    ]


# The funnel's bars, from the first stage's blue to the won green (one colour per stage, in order).
_FUNNEL_COLOURS = ("#1f5fae", "#2b7de9", "#4b95ee", "#6aa9f1", "#8bbcf4", "#2e9e4f")


def _funnel_bar(fraction: float, colour: str) -> str:
    """One stage of the funnel chart: a bar centred in its row, as table cells (no SVG, no CSS
    transforms), so the funnel shape shows in every mail client, Gmail and Outlook included."""
    share = max(1, round(max(0.0, min(1.0, fraction)) * 100))
    side = (100 - share) / 2
    spacer = '<td width="{w:.1f}%" style="font-size:1px;line-height:1px">&nbsp;</td>'
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="border-collapse:collapse;width:100%;min-width:120px;max-width:320px"><tr>'
        + (spacer.format(w=side) if side else "")
        + f'<td width="{share}%" style="background:{colour};height:18px;font-size:1px;line-height:1px">&nbsp;</td>'
        + (spacer.format(w=side) if side else "")
        + "</tr></table>"
    )


def _funnel_colour(position: int, name: str) -> str:
    return (
        _FUNNEL_COLOURS[-1]
        if name == "won"
        else _FUNNEL_COLOURS[min(position, len(_FUNNEL_COLOURS) - 2)]
    )


def _funnel_html(doc: dict) -> list[str]:
    """The funnel chart: one centred bar per stage, as wide as the share of the cohort that reached it,
    with the count, the conversion to the next stage and the leads lost there."""
    from .figures import report_funnel_title

    funnel = doc.get("funnel")
    if not funnel or not funnel["cohort"]:
        return []
    cohort, stages = funnel["cohort"], funnel["stages"]
    rows = "".join(
        f'<tr><td style="{_CELL}">{escape(stage(s["stage"]))}</td>'
        f'<td style="{_CELL}">{_funnel_bar(s["reached"] / cohort, _funnel_colour(i, s["stage"]))}</td>'
        f'<td style="{_NUM}">{s["reached"]} ({escape(show(s["reached"] / cohort, "pct", None))})</td>'
        f'<td style="{_NUM}">{escape(show(s["conversion"], "pct", None)) if s["conversion"] is not None else ""}</td>'
        f'<td style="{_NUM}">{s["lost"] or ""}</td></tr>'
        for i, s in enumerate(stages)
    )
    head = "".join(
        f'<th style="{_HEAD}{"text-align:right;" if num else ""}">{escape(h)}</th>'
        for h, num in (
            (_("Stage"), False),
            ("", False),
            (_("Reached"), True),
            (_("→ next"), True),
            (_("Lost here"), True),
        )
    )
    return [
        f'<h2 style="{_H2}">{escape(report_funnel_title(funnel))}</h2>',
        f'<div style="overflow-x:auto;max-width:100%"><table role="presentation" cellpadding="0" cellspacing="0" '
        f'border="0" width="100%" style="border-collapse:collapse;{_FONT}"><tr>{head}</tr>{rows}</table></div>',
    ]


def report_html(doc: dict) -> str:
    """The report as one self-contained HTML page for a mail client."""
    cur, t, prev = doc["currency"], doc["team"], doc["team"]["previous"]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title(doc))}</title></head>",
        f'<body style="margin:0;padding:16px;background:#f4f4f4;{_FONT}color:#222222">',
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="max-width:760px;margin:0 auto;background:#ffffff;border-collapse:collapse;table-layout:fixed"><tr>'
        f'<td style="padding:20px;{_FONT}">',
        f'<h1 style="margin:0 0 4px 0;font-size:20px;{_FONT}">{_whole_dates(title(doc))}</h1>',
        '<p style="margin:0;color:#666666;font-size:12px">'
        + _whole_dates(
            _("As of {when} · amounts in {currency}").format(
                when=moment(doc["as_of"]), currency=cur
            )
        )
        + "</p>",
        f'<h2 style="{_H2}">{escape(_("The period"))}</h2>',
        _table(
            [("", False), (_("This period"), True), (_("Previous"), True), (_("Change"), True)],
            [
                [
                    (_(label), False),
                    (show(t[k], kind, cur), True),
                    (show(prev[k], kind, cur), True),
                    (change(t[k], prev[k], kind, cur), True),
                ]
                for k, label, kind in COUNT_ROWS
            ],
        ),
        f'<h2 style="{_H2}">{escape(_("Target {month}").format(month=doc["month"]))}</h2>',
    ]
    target = target_lines(doc)
    if target:
        colours = ("#2e9e4f" if t["on_track"] else "#d9822b", "#999999", "#2b7de9")
        rows = "".join(
            f'<tr><td style="{_CELL}">{escape(label)}</td><td style="{_CELL}">{_bar_html(frac, colour)}</td>'
            f'<td style="{_CELL}">{escape(text)}</td></tr>'
            for (label, frac, text), colour in zip(target, colours, strict=True)
        )
        parts.append(
            f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse;{_FONT}">{rows}</table>'
        )
    else:
        parts.append(
            f'<p style="font-size:13px">{escape(_("No target set for {month}.").format(month=doc["month"]))}</p>'
        )
    pipeline = _("Pipeline at the period's end")
    parts.append(f'<h2 style="{_H2}">{escape(pipeline, quote=False)}</h2>')
    parts.append(
        _table(
            [("", False), ("", True)],
            [
                [(_(label), False), (show(t[k], kind, cur), True)]
                for k, label, kind in PIPELINE_ROWS
            ],
        )
    )
    parts.append(_legend_html(_(VELOCITY)))
    if t["lost_reasons"]:
        parts.append(f'<h2 style="{_H2}">{escape(_("Why deals were lost"))}</h2>')
        most = max(t["lost_reasons"].values())
        rows = "".join(
            f'<tr><td style="{_CELL}">{escape(pgettext("lost", reason))}</td><td style="{_CELL}">{_bar_html(n / most, "#c0392b", 160)}</td>'
            f'<td style="{_NUM}">{n}</td></tr>'
            for reason, n in t["lost_reasons"].items()
        )
        parts.append(
            f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse;{_FONT}">{rows}</table>'
        )
    if doc["reps"]:
        parts.append(f'<h2 style="{_H2}">{escape(_("Reps"))}</h2>')
        parts.append(
            _table(
                [(_("Rep"), False)] + [(_(label), True) for _key, label, _kind in REP_COLUMNS],
                [
                    [(r["rep"], False)]
                    + [(show(r[k], kind, cur), True) for k, _label, kind in REP_COLUMNS]
                    for r in doc["reps"] + [team_row(doc)]
                ],
            )
        )
        parts.append(_legend_html(rep_legend()))
        most = max((r["won_amount"] for r in doc["reps"]), default=0)
        if most:
            rows = "".join(
                f'<tr><td style="{_CELL}">{escape(r["rep"])}</td><td style="{_CELL}">'
                f"{_bar_html(r['won_amount'] / most, '#2e9e4f', 240)}</td>"
                f'<td style="{_NUM}">{escape(show(r["won_amount"], "money", cur))}</td></tr>'
                for r in doc["reps"]
            )
            parts.append(
                f'<p style="margin:12px 0 4px 0;font-size:13px;color:#555555">{escape(_("Won amount by rep"))}</p>'
                f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
                f'style="border-collapse:collapse;{_FONT}">{rows}</table>'
            )
    parts.extend(_pool_html(doc))
    parts.extend(_rhythm_html(doc))
    parts.extend(_trends_html(doc))
    parts.extend(_funnel_html(doc))
    for key, heading in (
        ("key_deals", _("Key deals")),
        ("closing_soon", _("Closing within a week")),
    ):
        if doc[key]:
            parts.append(f'<h2 style="{_H2}">{escape(heading)}</h2>')
            parts.append(_deals_html(doc[key], cur, year=int(doc["as_of"][:4])))
    for key, heading, empty in ATTENTION:
        parts.append(f'<h2 style="{_H2}">{escape(_(heading))}</h2>')
        parts.append(
            _deals_html(doc[key], cur, days=True)
            if doc.get(key)
            else f'<p style="font-size:13px">{escape(_(empty))}</p>'
        )
    used = [p for p in doc["plays"] if p["leads"]]
    if used:
        parts.append(f'<h2 style="{_H2}">{escape(_("Plays"))}</h2>')
        parts.append(
            _table(
                [
                    (_("Play"), False),
                    (_("Used on"), True),
                    (_("Won"), True),
                    (_("Lost"), True),
                    (_("Win rate"), True),
                ],
                [
                    [
                        (p["play"], False),
                        (str(p["leads"]), True),
                        (str(p["won"]), True),
                        (str(p["lost"]), True),
                        (show(p["win_rate"], "pct", cur), True),
                    ]
                    for p in used
                ],
            )
        )
    if doc.get("cadences"):
        parts.append(f'<h2 style="{_H2}">{escape(_("Cadences"))}</h2>')
        parts.append(
            _table(
                [
                    (_("Cadence"), False),
                    (_("Leads"), True),
                    (_("Completed"), True),
                    (_("Won"), True),
                    (_("Lost"), True),
                    (_("Win rate"), True),
                ],
                [
                    [
                        (c["play"], False),
                        (str(c["leads"]), True),
                        (str(c["completed"]), True),
                        (str(c["won"]), True),
                        (str(c["lost"]), True),
                        (show(c["win_rate"], "pct", cur), True),
                    ]
                    for c in doc["cadences"]
                ],
            )
        )
    parts.append('<p style="margin:20px 0 0 0;color:#999999;font-size:11px">salesctl report</p>')
    parts.append("</td></tr></table></body></html>")
    page = "\n".join(parts) + "\n"
    return page.replace(*_HANT_FONTS) if lang() == "zh-Hant" else page
