"""Leads: `add` and the `lead` group (list, show, edit, delete, assign)."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import model, pipeline
from ..errors import Invalid, SalesError
from ..i18n import N_, _
from ..views.lead import (
    lead_list_output,
    lead_object,
    lead_output,
    lead_show_output,
    timeline_entry,
)
from . import (
    VALUE_ARGS,
    EveryOpt,
    FormatOpt,
    LeadArg,
    LimitOpt,
    SortOpt,
    app_of,
    check_limit,
    check_sort,
    say,
    show,
)

lead_app = typer.Typer(
    help="List, show, edit, delete, assign and release leads.", no_args_is_help=True
)

# Options shared by `add` and `lead edit`.
CompanyOpt = Annotated[str | None, typer.Option("--company", help="Company name.")]
ContactOpt = Annotated[str | None, typer.Option("--contact", help="Contact person.")]
EmailOpt = Annotated[
    str | None, typer.Option("--email", help="One email address (used to spot duplicates).")
]
PhoneOpt = Annotated[
    str | None, typer.Option("--phone", help="Phone number (used to spot duplicates).")
]
SourceOpt = Annotated[
    str | None,
    typer.Option("--source", help="Where it came from: referral, web, event, cold-call…"),
]
IntentOpt = Annotated[str | None, typer.Option("--intent", help="hot, warm or cold.")]
IndustryOpt = Annotated[str | None, typer.Option("--industry", help="Industry.")]
PersonaOpt = Annotated[
    str | None,
    typer.Option(
        "--persona", help="Customer type for plays: no-authority, hesitant, price-shopper, busy…"
    ),
]
TagOpt = Annotated[
    list[str] | None, typer.Option("--tag", "-t", help="A tag (repeatable; 'a;b' also splits).")
]
ValueOpt = Annotated[
    str | None,
    typer.Option("--value", metavar="AMOUNT", help="Expected deal size: 1000, 1.5k, 5万, $1,200."),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency", help="ISO 4217 code, or RMB, 元, NT$, HK$… (default: the currency setting)."
    ),
]
CloseByOpt = Annotated[
    str | None,
    typer.Option("--close-by", metavar="WHEN", help="Expected close date: eom, 2026-12-20, +2w."),
]
OwnerOpt = Annotated[
    str | None,
    typer.Option("--owner", metavar="REP", help="Owning rep (must exist). Default: you."),
]
NextOpt = Annotated[
    str | None,
    typer.Option(
        "--next",
        metavar="WHEN",
        help="Next follow-up (its step is kept): tomorrow, fri 10am, +3d, 12-02, Dec 2.",
    ),
]
StepOpt = Annotated[
    str | None, typer.Option("--step", metavar="TEXT", help="What the next follow-up is.")
]
AllowDupOpt = Annotated[
    bool,
    typer.Option(
        "--allow-duplicate",
        help="Add even if the email or phone is already on a lead (and without the same-name warning).",
    ),
]


def _lead_fields(
    app,
    *,
    company,
    contact,
    email,
    phone,
    source,
    intent,
    industry,
    persona,
    value,
    currency,
    close_by,
    next_,
    step,
) -> dict:
    """Validated column values for the options that were given (None = not given; '' = clear)."""
    fields: dict = {}
    for column, raw in (
        ("company", company),
        ("contact", contact),
        ("source", source),
        ("industry", industry),
        ("persona", persona),
    ):
        if raw is not None:
            fields[column] = model.check_text(raw, field=f"--{column}")
    if email is not None:
        fields["email"] = model.check_email(email)
    if phone is not None:
        fields["phone"] = model.check_phone(phone)
        fields["phone_digits"] = model.phone_digits(fields["phone"])
    if intent is not None:
        fields["intent"] = model.check_intent(intent)
    if currency is not None:
        from ..money import parse_currency

        fields["currency"] = parse_currency(currency)
    if value is not None:
        if value.strip():
            from ..money import parse_amount

            fields["value"], hinted = parse_amount(value, field="--value")
            if hinted and currency is None:
                fields["currency"] = hinted
            elif hinted:
                from ..money import check_same_currency

                check_same_currency(value, hinted, fields["currency"], field="--value")
        else:
            fields["value"] = None
    if close_by is not None:
        fields["close_by"] = (
            app.day(close_by, field="--close-by").isoformat() if close_by.strip() else None
        )
    if next_ is not None:
        from ..dates import to_db

        fields["next_at"] = (
            to_db(app.when(next_, field="--next", ahead=True)) if next_.strip() else None
        )
    if step is not None:
        fields["next_step"] = model.check_text(step, field="--step")
    return fields


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Lead name (a person or a deal).")],
    company: CompanyOpt = None,
    contact: ContactOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    source: SourceOpt = None,
    intent: IntentOpt = None,
    industry: IndustryOpt = None,
    persona: PersonaOpt = None,
    tag: TagOpt = None,
    value: ValueOpt = None,
    currency: CurrencyOpt = None,
    close_by: CloseByOpt = None,
    owner: OwnerOpt = None,
    key: Annotated[bool, typer.Option("--key", help="Mark as a key customer.")] = False,
    next_: NextOpt = None,
    step: StepOpt = None,
    created: Annotated[
        str | None,
        typer.Option(
            "--created",
            metavar="WHEN",
            help="When you met the lead, if not now: yesterday, 2026-11-19, -3d.",
        ),
    ] = None,
    allow_duplicate: AllowDupOpt = False,
    pool: Annotated[
        bool,
        typer.Option("--pool", help="Put it in the shared pool (nobody owns it; docs/pool.md)."),
    ] = False,
    fmt: FormatOpt = None,
) -> None:
    """Add a lead in the first stage, owned by you (or --owner, or nobody with --pool); prints its id.

    Warns (on stderr) when an open lead with the same name and company exists; --allow-duplicate
    silences that, and also adds a lead whose email or phone is already known.

    \b
    Example:
      salesctl add "Li Wei" --company 北京智造 --phone "+86 138 0000 0000" --value 5万 --intent hot --next tomorrow --step "intro call"
      salesctl add "陈静" --company 上海云帆 --created 2026-11-19 --next mon
      salesctl add "Zhou Min" --company 杭州新材 --source web --pool
    """
    app = app_of(ctx)
    if pool and owner:
        raise Invalid(
            "--pool", "--pool", N_('cannot be combined with --owner "{owner}"'), owner=owner
        )
    for option, raw in (("--next", next_), ("--close-by", close_by), ("--created", created)):
        if raw is not None and not raw.strip():  # a new lead has nothing to clear: "" is a mistake
            raise Invalid(
                option,
                raw,
                N_("is empty"),
                N_("give a date like fri, +3d or 2026-12-01, or leave the option out"),
            )
    created_at = _created_at(app, created) if created is not None else None
    fields = _lead_fields(
        app,
        company=company,
        contact=contact,
        email=email,
        phone=phone,
        source=source,
        intent=intent,
        industry=industry,
        persona=persona,
        value=value,
        currency=currency,
        close_by=close_by,
        next_=next_,
        step=step,
    )
    fields["name"] = model.check_name(name, field="NAME")
    fields["key"] = int(key)
    tags = model.check_tags(tag)
    with app.write() as store:
        fields.setdefault("currency", app.settings.currency)
        rep_id = app.acting_rep_id()
        fields["owner_id"] = (
            None if pool else store.require_rep(owner, field="--owner")["id"] if owner else rep_id
        )
        same = (
            [] if allow_duplicate else store.open_leads_named(fields["name"], fields.get("company"))
        )
        lead_id = pipeline.add_lead(
            store,
            app.settings,
            fields,
            tags,
            rep_id=rep_id,
            now=app.now_db,
            allow_duplicate=allow_duplicate,
            created=created_at,
        )
    if same:
        listed = "; ".join(
            f"#{r['id']} {r['name']}" + (f" ({r['company']})" if r["company"] else "") for r in same
        )
        say(
            _(
                "Warning: an open lead with this name already exists: {listed}; added #{id} anyway (salesctl lead delete {id} --yes undoes it; --allow-duplicate silences this)"
            ).format(listed=listed, id=lead_id)
        )
    _note_foreign_currency(app, fields["currency"])
    show(lead_output(lead_object(store.lead(lead_id), app.tz), message=str(lead_id)), fmt)


def _created_at(app, text: str) -> str:
    """--created WHEN: a time not in the future (a day alone means its 09:00, or now if that is later)."""
    from ..dates import to_db

    when = app.when(text, field="--created")
    if when > app.now:
        if when.astimezone(app.tz).date() == app.now.astimezone(app.tz).date():
            return app.now_db  # "today" before 09:00
        raise Invalid(
            "--created",
            text,
            N_("is in the future"),
            N_("a lead is created when you met it: today or earlier"),
        )
    return to_db(when)


def _note_foreign_currency(app, currency: str) -> None:
    """A lead in another currency than the team's is fine, but say so: `$3k` on a CNY team is USD."""
    team = app.settings.currency
    if currency != team and currency not in app.settings.rates:
        say(
            _(
                "Note: this lead is in {currency}, the team's currency is {team}; reports convert it once a rate is set: salesctl config set fx.{currency} RATE (how many {team} buy 1 {currency})"
            ).format(currency=currency, team=team)
        )


@lead_app.command("list")
def list_(
    ctx: typer.Context,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", "-s", help="Only this stage (repeatable).")
    ] = None,
    rep: Annotated[
        list[str] | None,
        typer.Option(
            "--rep",
            "--owner",
            metavar="REP",
            help="Leads owned by this rep (repeatable). Default: yours.",
        ),
    ] = None,
    team: Annotated[bool, typer.Option("--team", help="Every rep's leads.")] = False,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only leads with this tag.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    intent: IntentOpt = None,
    key: Annotated[bool, typer.Option("--key", help="Only key customers.")] = False,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include won and lost leads.")] = False,
    sort: SortOpt = "id",
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """List your open leads (all with --all; another rep's with --rep, everyone's with --team), filtered and sorted.

    \b
    Example:
      salesctl lead list --stage quoted --stage negotiating --sort -value --limit 20
      salesctl lead list --rep 王芳 --rep tom --all
      salesctl lead list --team --sort close_by
    """
    app = app_of(ctx)
    settings, store = app.settings, app.store()
    stages = [settings.check_stage(s, field="--stage", open_only=False) for s in stage or []]
    sort_key, descending = check_sort(sort)
    owner_ids = app.reps_scope(rep, team, field="--rep/--owner")
    rows = store.list_leads(
        stages=stages,
        all_stages=list(settings.all_stages),
        owner_ids=owner_ids,
        tag=tag and tag.strip(),
        source=source and source.strip(),
        intent=model.check_intent(intent),
        key=key,
        include_closed=all_,
        sort=sort_key,
        descending=descending,
        limit=check_limit(limit),
    )
    show(
        lead_list_output(
            [lead_object(r, app.tz) for r in rows],
            sort=sort_key,
            year=app.now.astimezone(app.tz).year,
        ),
        fmt,
    )


@lead_app.command("show", context_settings=VALUE_ARGS)
def show_(
    ctx: typer.Context,
    lead: LeadArg,
    fmt: FormatOpt = None,
) -> None:
    """Show a lead with its whole timeline (activities, stage moves, owner changes), oldest first.

    \b
    Example:
      salesctl lead show 42
      salesctl lead show "acme" --format json
    """
    app = app_of(ctx)
    store = app.store()
    lead_id = store.resolve_lead(lead)
    obj = lead_object(store.lead(lead_id), app.tz)
    show(
        lead_show_output(
            obj,
            [timeline_entry(r, app.tz) for r in store.timeline(lead_id)],
            _schedule(app, store, lead_id),
            year=app.now.astimezone(app.tz).year,
        ),
        fmt,
    )


def _schedule(app, store, lead_id: int) -> dict:
    """The lead's running cadence (play, step N of M, what is next) and its repeat interval."""
    from ..dates import to_local_iso
    from ..followups import cadence_position

    cadence = cadence_position(store, lead_id)
    if cadence is not None:
        cadence["started_at"] = to_local_iso(cadence["started_at"], app.tz)
    return {"cadence": cadence, "every": store.recurrence(lead_id)}


@lead_app.command("edit", context_settings=VALUE_ARGS)
def edit(
    ctx: typer.Context,
    lead: LeadArg,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    company: CompanyOpt = None,
    contact: ContactOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    source: SourceOpt = None,
    intent: IntentOpt = None,
    industry: IndustryOpt = None,
    persona: PersonaOpt = None,
    tag: TagOpt = None,
    untag: Annotated[
        list[str] | None, typer.Option("--untag", help="Remove a tag (repeatable).")
    ] = None,
    value: ValueOpt = None,
    currency: CurrencyOpt = None,
    close_by: CloseByOpt = None,
    owner: OwnerOpt = None,
    key: Annotated[
        bool | None,
        typer.Option(
            "--key/--no-key", help="Mark or unmark as a key customer.", show_default=False
        ),
    ] = None,
    next_: NextOpt = None,
    step: StepOpt = None,
    every: EveryOpt = None,
    allow_duplicate: AllowDupOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Change a lead's attributes; an empty value ("") clears one. --owner reassigns it.

    \b
    Example:
      salesctl lead edit 42 --value 80k --close-by eom --tag vip --key
      salesctl lead edit acme --phone ""
      salesctl lead edit acme --every 1m --step "monthly check-in"
    """
    app = app_of(ctx)
    fields = _lead_fields(
        app,
        company=company,
        contact=contact,
        email=email,
        phone=phone,
        source=source,
        intent=intent,
        industry=industry,
        persona=persona,
        value=value,
        currency=currency,
        close_by=close_by,
        next_=next_,
        step=step,
    )
    if name is not None:
        fields["name"] = model.check_name(name, field="--name")
    if key is not None:
        fields["key"] = int(key)
    add_tags, remove_tags = model.check_tags(tag), model.check_tags(untag, field="--untag")
    from ..cadence import parse_every

    every_value = False if every is None else parse_every(every)  # False: not given; None: off
    store = app.store(write=True)
    with store.write():
        lead_id = store.resolve_lead(lead)
        if owner:
            fields["owner_id"] = store.require_rep(owner, field="--owner")["id"]
        if not fields and not add_tags and not remove_tags and every_value is False:
            raise SalesError(
                N_("lead edit: nothing to change; give at least one option (see --help)")
            )
        before = store.lead(lead_id)
        pipeline.edit_lead(
            store,
            lead_id,
            fields,
            add_tags=add_tags,
            remove_tags=remove_tags,
            rep_id=app.acting_rep_id(),
            now=app.now_db,
            allow_duplicate=allow_duplicate,
        )
        _edit_schedule(app, store, before, every_value)
    obj = lead_object(store.lead(lead_id), app.tz)
    show(
        lead_output(
            obj, message=_("Updated lead #{id} {name}").format(id=lead_id, name=obj["name"])
        ),
        fmt,
    )


def _edit_schedule(app, store, before, every) -> None:
    """--every on `lead edit`, and a changed follow-up counted for its calendar event (docs/calendar.md)."""
    from .. import followups

    if every is not False:
        followups.set_every(store, before["id"], every, now=app.now_db, tz=app.tz)
    followups.revise_if_changed(store, before, now=app.now_db)


@lead_app.command("delete", context_settings=VALUE_ARGS)
def delete(
    ctx: typer.Context,
    lead: LeadArg,
    yes: Annotated[
        bool, typer.Option("--yes", help="Really delete it, with its activities and history.")
    ] = False,
) -> None:
    """Delete a lead and everything logged on it (needs --yes). Usually `lost` is what you want.

    \b
    Example:
      salesctl lead delete 42 --yes
    """
    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        lead_id = store.resolve_lead(lead)
        row = store.lead(lead_id)
        if not yes:
            count = store.activity_count(lead_id)
            raise SalesError(
                N_(
                    "lead delete: pass --yes to delete lead #{id} {name} and its {count} activities"
                ),
                id=lead_id,
                name=row["name"],
                count=count,
            )
        store.delete_lead(lead_id)
    print(_("Deleted lead #{id} {name}").format(id=lead_id, name=row["name"]))


@lead_app.command("assign")
def assign(
    ctx: typer.Context,
    leads: Annotated[list[str], typer.Argument(metavar="LEAD...", help="Lead ids or names.")],
    to: Annotated[
        str, typer.Option("--to", metavar="REP", help="The rep who takes them over (must exist).")
    ],
    fmt: FormatOpt = None,
) -> None:
    """Give open leads, with their scheduled follow-ups, to another rep. History keeps who did it.

    \b
    Example:
      salesctl lead assign 12 15 acme --to 王芳
    """
    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        to_rep = store.require_rep(to, field="--to")
        ids = list(dict.fromkeys(store.resolve_lead(ref) for ref in leads))
        moved = pipeline.assign(
            store, ids, to_rep["id"], rep_id=app.acting_rep_id(), now=app.now_db
        )
    objs = [lead_object(store.lead(i), app.tz) for i in ids]
    output = lead_list_output(objs)
    output.plain = _("Assigned {count} lead(s) to {rep}").format(
        count=len(moved), rep=to_rep["name"]
    ) + (
        _(" ({count} already theirs)").format(count=len(ids) - len(moved))
        if len(moved) < len(ids)
        else ""
    )
    show(output, fmt)


@lead_app.command("release", context_settings=VALUE_ARGS)
def release(
    ctx: typer.Context,
    lead: LeadArg,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", metavar="TEXT", help="Why you give it back (kept in its history)."
        ),
    ],
    fmt: FormatOpt = None,
) -> None:
    """Give an open lead back to the shared pool, for any rep to claim. Its owner may, or an owner
    (the owners setting) for anyone's lead; its follow-up and history stay with it (docs/pool.md).

    \b
    Example:
      salesctl lead release 42 --reason "no budget until next year"
    """
    from .. import pool

    app = app_of(ctx)
    checked = pool.check_reason(reason)
    with app.write() as store:
        lead_id = store.resolve_lead(lead)
        pool.release(
            store,
            app.settings,
            lead_id,
            checked,
            rep_id=app.acting_rep_id(),
            rep=app.current_rep_name(),
            now=app.now_db,
        )
    obj = lead_object(store.lead(lead_id), app.tz)
    show(
        lead_output(
            obj,
            message=_("Released lead #{id} {name} to the pool").format(
                id=lead_id, name=obj["name"]
            ),
        ),
        fmt,
    )


def register(app: typer.Typer) -> None:
    app.command("add")(add)
    app.add_typer(lead_app, name="lead")
