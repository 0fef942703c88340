"""The to-do views of `today` and `stalled`: agenda documents in, `Output` out. No I/O."""

from __future__ import annotations

from ..i18n import _, day, money, reason, stage
from ..render import Column, Output, Table, bar

# Short words for the reasons in the "Why" column (the JSON keeps the contract's names); each is a
# "reason" entry of the catalogs.
_WHY = {
    "new_untouched": "untouched",
    "closing_soon": "closing",
    "no_next_step": "no next step",
    "after_sale": "after sale",
}


def _lead_cell(item: dict, *, with_company: bool) -> str:
    company = item["company"] if with_company else None
    return item["name"] + (
        f" · {company}" if company and company.lower() not in item["name"].lower() else ""
    )


def _wide() -> bool:
    """Room for the company beside the name? (An 80-column terminal has room for the name only.)"""
    import shutil

    return shutil.get_terminal_size((80, 24)).columns >= 110


def _why(item: dict, skip: str, year: int) -> str:
    """Short words for the reasons (the JSON keeps the contract's names): this column must fit 80 columns."""
    words = []
    for name in item["reasons"]:
        if name == skip:
            continue
        if name == "stalled":
            # A booked follow-up says the rep has a plan.
            booked = (
                _(", next {day}").format(day=day(item["next_at"], year)) if item["next_at"] else ""
            )
            words.append(_("idle {days}d").format(days=item["days_idle"]) + booked)
        elif name == "closing_soon":
            words.append(_("closes {day}").format(day=day(item["close_by"], year)))
        elif name == "recycle_soon":  # docs/pool.md
            words.append(_("to the pool {day}").format(day=day(item["recycle_on"], year)))
        else:
            words.append(reason(_WHY.get(name, name)))
    return _(", ").join(words)


def _today_row(item: dict, part: str, *, wide: bool, year: int) -> dict:
    when = item["next_at"] or ""
    if part == "overdue":
        late = _("{days}d").format(days=item["days_overdue"])
    elif part == "due_today":
        late = when[11:16]
    else:
        late = ""  # the date goes with the step: these rows are here for another reason
    step = item["next_step"] or ""
    if part == "others" and when:
        step = f"{day(when, year)} {step}".strip()
    return {
        "id": item["lead_id"],
        "key": "★" if item["key"] else "",
        "lead": _lead_cell(item, with_company=wide),
        "owner": item["owner"],
        "stage": stage(item["stage"]),
        "when": late,
        "step": step,
        "value": money(item["value"], item["currency"]),
        "why": _why(item, part, year),
    }


def _section_title(part: str, count: int) -> str:
    titles = {
        "overdue": _("Overdue ({count})"),
        "due_today": _("Due today ({count})"),
        "others": _("Also needs you ({count})"),
    }
    return titles[part].format(count=count)


def _when_header(part: str) -> str:
    return {"overdue": _("Late"), "due_today": _("At"), "others": ""}[part]


def today_output(doc: dict, *, team: bool, human: bool = True) -> Output:
    from ..agenda import section

    blocks = []
    wide = _wide()
    year = int(doc["as_of"][:4])
    for part in ("overdue", "due_today", "others") if human else ():
        items = [i for i in doc["items"] if section(i["reasons"]) == part]
        if not items:
            continue
        rows = [_today_row(i, part, wide=wide, year=year) for i in items]
        # Names and stages stay on one line; the next step and the reasons fold when the terminal is narrow.
        columns = [
            Column("id", "#", "right"),
            Column("key", "★"),
            Column("lead", _("Lead"), wrap=False),
        ]
        if team:
            columns.append(Column("owner", _("Owner"), wrap=False, max_width=10))
        columns += [
            Column("stage", _("Stage"), wrap=False),
            Column("when", _when_header(part), "right"),
            Column("step", _("Next step")),
            Column("value", _("Value"), "right"),
            Column("why", _("Why")),
        ]
        # Columns empty in every row only cost width (the table must read at 80 columns).
        columns = [c for c in columns if c.key in ("id", "lead") or any(r[c.key] for r in rows)]
        blocks.append(Table(columns, rows, title=_section_title(part, len(items))))
    if human and not blocks:
        from ..render import Text

        blocks.append(
            Text(
                _(
                    "Nothing to do today: no follow-ups due, nothing stalled, every lead has a next step."
                )
            )
        )
    csv_columns = [
        Column(k, k)
        for k in (
            "lead_id",
            "name",
            "company",
            "owner",
            "stage",
            "reasons",
            "next_at",
            "next_step",
            "days_overdue",
            "value",
            "currency",
            "key",
        )
    ]
    return Output(doc, blocks, csv=Table(csv_columns, doc["items"]))


def stalled_output(doc: dict, *, team: bool, human: bool = True) -> Output:
    csv_columns = [
        Column(k, k)
        for k in ("lead_id", "name", "owner", "stage", "days_idle", "rot_days", "value")
    ]
    if not human:
        return Output(doc, [], csv=Table(csv_columns, doc["items"]))
    year = int(doc["as_of"][:4])
    rows = [
        {
            "id": i["lead_id"],
            "key": "★" if i["key"] else "",
            "lead": _lead_cell(i, with_company=_wide()),
            "owner": i["owner"],
            "stage": stage(i["stage"]),
            "idle": i["days_idle"],
            "rot": i["rot_days"],
            "over": f"+{i['days_over']}",
            "next": day(i["next_at"], year),
            "value": money(i["value"], i["currency"]),
        }
        for i in doc["items"]
    ]
    columns = [Column("id", "#", "right")] + (
        [Column("key", "★")] if any(r["key"] for r in rows) else []
    )
    columns.append(Column("lead", _("Lead")))
    if team:
        columns.append(Column("owner", _("Owner")))
    columns += [
        Column("stage", _("Stage")),
        Column("idle", _("Idle days"), "right"),
        Column("rot", _("Rot"), "right"),
        Column("over", _("Over"), "right"),
    ]
    if any(r["next"] for r in rows):
        columns.append(Column("next", _("Next")))  # the follow-up already booked, if any
    columns.append(Column("value", _("Value"), "right"))
    blocks = [
        Table(
            columns,
            rows,
            title=_("Stalled deals ({count})").format(count=len(rows)),
            empty=_("Nothing stalled: every open lead was touched within its stage's rot days."),
        )
    ]
    reps = [
        {
            "rep": r["rep"],
            "open": r["open"],
            "stalled": r["stalled"],
            "share": f"{bar(r['stalled'] / r['open'], 10)} {r['stalled'] * 100 // r['open']}%"
            if r["open"]
            else "",
        }
        for r in doc["by_rep"]
    ]
    blocks.append(
        Table(
            [
                Column("rep", _("Rep")),
                Column("open", _("Open"), "right"),
                Column("stalled", _("Stalled"), "right"),
                Column("share", _("Stalled share")),
            ],
            reps,
            title=_("By rep"),
            empty=_("No reps yet."),
        )
    )
    return Output(doc, blocks, csv=Table(csv_columns, doc["items"]))
