"""Daily verbs: log, move, won, lost, reopen, snooze; and the `activity` group (edit, delete) to fix mistakes."""

from __future__ import annotations

from datetime import time
from typing import Annotated

import typer

from .. import model, pipeline
from ..errors import Invalid, NotFound, SalesError, Words
from ..i18n import N_, _, pgettext
from ..i18n import kind as kind_word
from ..i18n import stage as stage_word  # `stage` is move's argument
from ..views.lead import lead_object, lead_output
from . import VALUE_ARGS, EveryOpt, FormatOpt, LeadArg, app_of, show

NoteOpt = Annotated[
    str | None, typer.Option("--note", metavar="TEXT", help="A note kept in the lead's timeline.")
]


def _change(
    ctx: typer.Context,
    lead: str,
    fmt,
    change,
    message,
    *,
    at: str | None = None,
    at_field: str = "",
) -> None:
    """Resolve LEAD and apply `change(app, store, lead_id, rep_id)` in one transaction; print the result.

    The change happens at `at` (default: now), which may not be before the lead was created.
    `message(obj, stage_before)` is the one-line confirmation of table format; json prints the lead object.
    """
    app = app_of(ctx)
    with app.write() as store:
        lead_id = store.resolve_lead(lead)
        row = store.lead(lead_id)
        _not_before_creation(app, row, at or app.now_db, at_field or _now_field(app))
        before = row["stage"]
        change(app, store, lead_id, app.acting_rep_id())
    obj = lead_object(store.lead(lead_id), app.tz)
    show(lead_output(obj, message=message(obj, before)), fmt)


def _when(ctx: typer.Context, iso: str | None) -> str:
    """A time in a confirmation: ISO in English, `11月27日 週五 09:00` in Chinese (with its year when
    not this one), as tables show it."""
    from ..i18n import moment

    app = app_of(ctx)
    return moment(iso, app.now.astimezone(app.tz).year)


def _now_field(app) -> str:
    """Where "now" came from, to name it when it is wrong."""
    return "--as-of" if app.as_of else ("SALESCTL_NOW" if app.env_now else "now")


def _not_before_creation(app, lead, at: str, field: str) -> None:
    """Nothing happens to a lead before it existed (a cycle would go negative, history out of order)."""
    if at < lead["created_at"]:
        from ..dates import local_text

        raise Invalid(
            field,
            local_text(at, app.tz),
            N_("is before lead #{id} was created ({created})"),
            id=lead["id"],
            created=local_text(lead["created_at"], app.tz),
        )


def _label(obj: dict) -> str:
    return f"#{obj['id']} {obj['name']}"


def _note(text: str | None) -> str | None:
    return model.check_note(text, field="--note") or None if text is not None else None


def log(
    ctx: typer.Context,
    lead: LeadArg,
    note: Annotated[str, typer.Argument(metavar="NOTE", help="What happened.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", "-k", help="call, email, message, meeting, visit, proposal, quote or note."
        ),
    ] = "call",
    no_effective: Annotated[
        bool,
        typer.Option("--no-effective", help="No real conversation (no answer, left a message)."),
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="WHEN", help='When it happened (default: now), e.g. "yesterday 15:00".'
        ),
    ] = None,
    next_: Annotated[
        str | None,
        typer.Option(
            "--next",
            metavar="WHEN",
            help="Reschedule the follow-up (its step is kept): fri, +3d, tomorrow 10am.",
        ),
    ] = None,
    step: Annotated[
        str | None,
        typer.Option("--step", metavar="TEXT", help="What the next follow-up is (renames it)."),
    ] = None,
    play: Annotated[
        str | None, typer.Option("--play", metavar="NAME", help="The play (script) you used.")
    ] = None,
    every: EveryOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Log a follow-up on a lead and (with --next/--step) schedule the next one.

    --next alone moves the follow-up and keeps its step; --step alone renames the step. Without --next,
    a follow-up that is now due or past is cleared with its step (you just did it). An effective touch
    (a real conversation; not --no-effective, not a note) on a new lead moves it to contacted. On a won
    lead, --next books an after-sale follow-up (shown in today as after_sale) without reopening it.

    \b
    Example:
      salesctl log acme "called, wants a quote by Friday" --next thu --step "send quote"
      salesctl log 42 "no answer" --no-effective --next "tomorrow 10:00"
      salesctl log 42 "delivered, happy" --next +3m --step "account care call"
      salesctl log acme "quarterly check-in done" --every 2w
    """
    from ..dates import to_db

    app = app_of(ctx)
    kind = model.check_kind(kind)
    text = model.check_note(note)
    if not text:
        raise Invalid(
            "NOTE",
            note,
            N_("is empty"),
            N_('say what happened, e.g. "no answer" with --no-effective'),
        )
    step_text = model.check_text(step, field="--step") if step is not None else None
    next_at = to_db(app.when(next_, field="--next", ahead=True)) if next_ is not None else None
    at_db = to_db(app.when(at, field="--at")) if at is not None else app.now_db
    if at_db > app.now_db:
        raise Invalid(
            "--at", at, N_("is in the future; log what happened, and plan what comes with --next")
        )
    from ..cadence import parse_every

    every_value = False if every is None else parse_every(every)  # False: not given; None: off

    def change(app, store, lead_id, rep_id):
        play_id = _play_id(store, play) if play is not None else None
        before = store.lead(lead_id)
        pipeline.log_activity(
            store,
            app.settings,
            lead_id,
            rep_id=rep_id,
            kind=kind,
            note=text,
            effective=not no_effective,
            at=at_db,
            next_at=next_at,
            step=step_text,
            play_id=play_id,
            now=app.now_db,
        )
        _after_log(
            app,
            store,
            before,
            effective=not no_effective and kind != "note",
            at=at_db,
            next_given=next_at is not None,
            step=step_text,
            every=every_value,
        )

    def message(obj, before):
        moved = (
            _("; {before} → {after}").format(
                before=stage_word(before), after=stage_word(obj["stage"])
            )
            if obj["stage"] != before
            else ""
        )
        nxt = (
            _("; next: {when}").format(when=_when(ctx, obj["next_at"]))
            if obj["next_at"]
            else _("; no follow-up scheduled")
        )
        return (
            _("Logged {kind} on {lead}").format(kind=kind_word(kind), lead=_label(obj))
            + moved
            + nxt
            + (_(" ({step})").format(step=obj["next_step"]) if obj["next_step"] else "")
        )

    _change(ctx, lead, fmt, change, message, at=at_db, at_field="--at" if at is not None else "")


def _after_log(app, store, before, *, effective, at, next_given, step, every) -> None:
    """The cadence step and the recurring follow-up a logged touch schedules (docs/calendar.md)."""
    from .. import followups

    followups.after_log(
        store,
        app.settings,
        before,
        effective=effective,
        at=at,
        next_given=next_given,
        step=step,
        every=every,
        now=app.now_db,
        tz=app.tz,
    )


def _play_id(store, name: str) -> int:
    row = store.play(name.strip()) if name.strip() else None
    if row is None:
        raise NotFound(
            N_('--play: "{name}" is not a play; known plays: {known}'),
            name=name,
            known=", ".join(store.play_names())
            or Words(N_("none yet (add one with salesctl play add)")),
        )
    return row["id"]


def move(
    ctx: typer.Context,
    lead: LeadArg,
    stage: Annotated[
        str,
        typer.Argument(
            metavar="STAGE", help="An open stage: new, contacted, quoted, negotiating, deciding."
        ),
    ],
    note: NoteOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Move an open lead to another open stage, forwards or backwards. Use won/lost to close it.

    \b
    Example:
      salesctl move acme negotiating --note "they accepted the scope"
    """
    wanted = stage.strip().lower()
    if wanted in ("won", "lost"):
        raise Invalid(
            "STAGE",
            stage,
            N_("closes the lead"),
            N_("use salesctl lost LEAD --reason REASON")
            if wanted == "lost"
            else N_("use salesctl won LEAD"),
        )
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        to_stage = app.settings.check_stage(stage, field="STAGE")
        pipeline.move(
            store, app.settings, lead_id, to_stage, rep_id=rep_id, now=app.now_db, note=text
        )

    _change(
        ctx,
        lead,
        fmt,
        change,
        lambda obj, before: _("Moved {lead}: {old} → {new}").format(
            lead=_label(obj), old=stage_word(before), new=stage_word(obj["stage"])
        ),
    )


def won(
    ctx: typer.Context,
    lead: LeadArg,
    amount: Annotated[
        str | None,
        typer.Option("--amount", metavar="AMOUNT", help="Deal amount (default: the lead's value)."),
    ] = None,
    note: NoteOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Mark a lead won, for --amount or the lead's value.

    \b
    Example:
      salesctl won acme --amount 48k --note "signed, starts Jan"
    """
    from ..money import check_same_currency, format_major, parse_amount

    minor, hinted = parse_amount(amount, field="--amount") if amount is not None else (None, None)
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        check_same_currency(amount, hinted, store.lead(lead_id)["currency"], field="--amount")
        pipeline.won(store, lead_id, minor, rep_id=rep_id, now=app.now_db, note=text)

    _change(
        ctx,
        lead,
        fmt,
        change,
        lambda obj, _before: _("Won {lead}: {amount}").format(
            lead=_label(obj), amount=format_major(obj["won_amount"], obj["currency"])
        ),
    )


def lost(
    ctx: typer.Context,
    lead: LeadArg,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            "-r",
            metavar="REASON",
            help="Why (required): price, budget, competitor, no-decision, timing, no-need, unresponsive, other.",
        ),
    ] = None,
    note: NoteOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Mark a lead lost, with the reason; the stage it was lost at is kept.

    \b
    Example:
      salesctl lost acme --reason competitor --note "went with a cheaper vendor"
    """
    app = app_of(ctx)
    if reason is None or not reason.strip():
        raise Invalid(
            "--reason",
            reason or "",
            N_("is required to mark a lead lost"),
            N_("use one of {choices}"),
            choices=", ".join(app.settings.lost_reasons),
        )
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        checked = app.settings.check_reason(reason)
        pipeline.lost(store, lead_id, checked, rep_id=rep_id, now=app.now_db, note=text)

    _change(
        ctx,
        lead,
        fmt,
        change,
        lambda obj, _before: _("Lost {lead} at {stage}: {reason}").format(
            lead=_label(obj),
            stage=stage_word(obj["lost_stage"]),
            reason=pgettext("lost", obj["lost_reason"]),
        ),
    )


def reopen(
    ctx: typer.Context,
    lead: LeadArg,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage", "-s", help="Open stage to go back to (default: the one it closed from)."
        ),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Reopen a won or lost lead, back to the stage it closed from (or --stage).

    \b
    Example:
      salesctl reopen acme --stage negotiating
    """

    def change(app, store, lead_id, rep_id):
        to_stage = app.settings.check_stage(stage, field="--stage") if stage is not None else None
        pipeline.reopen(store, app.settings, lead_id, to_stage, rep_id=rep_id, now=app.now_db)

    _change(
        ctx,
        lead,
        fmt,
        change,
        lambda obj, before: _("Reopened {lead}: {old} → {new}").format(
            lead=_label(obj), old=stage_word(before), new=stage_word(obj["stage"])
        ),
    )


def snooze(
    ctx: typer.Context,
    lead: LeadArg,
    until: Annotated[
        str,
        typer.Argument(
            metavar="UNTIL",
            help="When to warn again: mon, +2w, 2027-01-05 (a day alone means its 00:00).",
        ),
    ],
    note: NoteOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Quiet a lead until a later date (e.g. the customer is on holiday).

    Until then `today` lists it only for an appointment (a follow-up overdue or due that day), and it
    is never stalled; a new snooze replaces the old one.

    \b
    Example:
      salesctl snooze acme +2w --note "back from Chinese New Year on the 20th"
    """
    from ..dates import to_db

    app = app_of(ctx)
    until_at = app.when(until, field="UNTIL", default_time=time(0, 0))
    if until_at <= app.now:
        shown = until_at.astimezone(app.tz).strftime("%Y-%m-%d %H:%M")
        raise Invalid(
            "UNTIL",
            until,
            N_("is not in the future ({when})"),
            N_("snooze until a later day, e.g. +1w or mon"),
            when=shown,
        )
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        pipeline.snooze(store, lead_id, to_db(until_at), rep_id=rep_id, now=app.now_db, note=text)

    _change(
        ctx,
        lead,
        fmt,
        change,
        lambda obj, _before: _("Snoozed {lead} until {when}").format(
            lead=_label(obj), when=_when(ctx, obj["snoozed_until"])
        ),
    )


activity_app = typer.Typer(
    help="Fix a logged activity: edit or delete it (ids: salesctl lead show LEAD).",
    no_args_is_help=True,
)
ActivityArg = Annotated[
    int, typer.Argument(metavar="ID", help="The activity's id (the # column of lead show).")
]


@activity_app.command("edit")
def activity_edit(
    ctx: typer.Context,
    activity_id: ActivityArg,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="The corrected note.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help="call, email, message, meeting, visit, proposal, quote or note."
        ),
    ] = None,
    effective: Annotated[
        bool | None,
        typer.Option(
            "--effective/--no-effective",
            help="Whether it was a real conversation.",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="WHEN", help='When it really happened, e.g. "yesterday 15:00".'
        ),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Correct an activity you logged (an owner may correct anyone's): its note, kind, effective flag or time.

    A stage move the activity caused (new → contacted) stays; use move to change the stage.

    \b
    Example:
      salesctl activity edit 12 --note "called, wants a quote for 20 seats" --kind meeting
    """
    from ..dates import to_db

    app = app_of(ctx)
    changes: dict = {}
    if note is not None:
        changes["note"] = model.check_note(note, field="--note")
        if not changes["note"]:
            raise Invalid(
                "--note", note, N_("is empty"), N_("a logged activity says what happened")
            )
    if kind is not None:
        changes["kind"] = model.check_kind(kind)
    if effective is not None:
        changes["effective"] = int(effective)
    if at is not None:
        changes["at"] = to_db(app.when(at, field="--at"))
        if changes["at"] > app.now_db:
            raise Invalid("--at", at, N_("is in the future; log what happened"))
    if not changes:
        raise SalesError(
            N_(
                "activity edit: nothing to change; give --note, --kind, --effective/--no-effective or --at"
            )
        )
    store = app.store(write=True)
    with store.write():
        lead_id = pipeline.edit_activity(
            store, app.settings, activity_id, changes, acting=_acting(app, store)
        )
    obj = lead_object(store.lead(lead_id), app.tz)
    show(
        lead_output(
            obj,
            message=_("Updated activity #{id} on {lead}").format(id=activity_id, lead=_label(obj)),
        ),
        fmt,
    )


@activity_app.command("delete")
def activity_delete(
    ctx: typer.Context,
    activity_id: ActivityArg,
    yes: Annotated[bool, typer.Option("--yes", help="Really delete it.")] = False,
    fmt: FormatOpt = None,
) -> None:
    """Delete an activity logged by mistake (yours; an owner may delete anyone's). Needs --yes.

    The lead's timeline keeps a note of what was removed, by whom and when.

    \b
    Example:
      salesctl activity delete 12 --yes
    """
    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        activity = store.activity(activity_id)
        if not yes:
            raise SalesError(
                N_(
                    "activity delete: pass --yes to delete activity #{id} ({kind} on #{lead_id} {lead}: {note})"
                ),
                id=activity_id,
                kind=activity["kind"],
                lead_id=activity["lead_id"],
                lead=activity["lead"],
                note=activity["note"][:40],
            )
        lead_id = pipeline.delete_activity(
            store,
            app.settings,
            activity_id,
            acting=_acting(app, store),
            rep_id=app.acting_rep_id(),
            now=app.now_db,
        )
    obj = lead_object(store.lead(lead_id), app.tz)
    show(
        lead_output(
            obj,
            message=_("Deleted activity #{id} from {lead}").format(
                id=activity_id, lead=_label(obj)
            ),
        ),
        fmt,
    )


def _acting(app, store) -> str:
    """The current rep's name as stored (names match ignoring case)."""
    row = store.rep(app.current_rep_name())
    return row["name"] if row is not None else app.current_rep_name()


def register(app: typer.Typer) -> None:
    app.add_typer(activity_app, name="activity")
    for name, command in (
        ("log", log),
        ("move", move),
        ("won", won),
        ("lost", lost),
        ("reopen", reopen),
        ("snooze", snooze),
    ):
        app.command(name, context_settings=VALUE_ARGS)(command)
