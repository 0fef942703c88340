"""Daily verbs: log, move, won, lost, reopen, snooze."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Optional

import typer

from .. import model, pipeline
from ..errors import Invalid, NotFound
from ..views import lead_object, lead_output, short_time
from . import VALUE_ARGS, FormatOpt, LeadArg, app_of, show

NoteOpt = Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="A note kept in the lead's timeline.")]


def _change(ctx: typer.Context, lead: str, fmt, change, message, *, at: str | None = None, at_field: str = "") -> None:
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


def _now_field(app) -> str:
    """Where "now" came from, to name it when it is wrong."""
    return "--as-of" if app.as_of else ("SALESCTL_NOW" if app.env_now else "now")


def _not_before_creation(app, lead, at: str, field: str) -> None:
    """Nothing happens to a lead before it existed (a cycle would go negative, history out of order)."""
    if at < lead["created_at"]:
        from ..dates import local_text

        raise Invalid(field, local_text(at, app.tz),
                      f"is before lead #{lead['id']} was created ({local_text(lead['created_at'], app.tz)})")


def _label(obj: dict) -> str:
    return f"#{obj['id']} {obj['name']}"


def _note(text: str | None) -> str | None:
    return model.check_note(text, field="--note") or None if text is not None else None


def log(
    ctx: typer.Context,
    lead: LeadArg,
    note: Annotated[str, typer.Argument(metavar="NOTE", help="What happened.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="call, email, message, meeting, visit, proposal, quote or note.")] = "call",
    no_effective: Annotated[bool, typer.Option("--no-effective", help="No real conversation (no answer, left a message).")] = False,
    at: Annotated[Optional[str], typer.Option("--at", metavar="WHEN", help="When it happened (default: now), e.g. \"yesterday 15:00\".")] = None,
    next_: Annotated[Optional[str], typer.Option("--next", metavar="WHEN", help="Reschedule the follow-up: fri, +3d, tomorrow 10am.")] = None,
    step: Annotated[Optional[str], typer.Option("--step", metavar="TEXT", help="What the next follow-up is.")] = None,
    play: Annotated[Optional[str], typer.Option("--play", metavar="NAME", help="The play (script) you used.")] = None,
    fmt: FormatOpt = None,
) -> None:
    """Log a follow-up on a lead and (with --next/--step) schedule the next one.

    Without --next, a follow-up that is now due or past is cleared (you just did it). An effective
    touch (a real conversation; not --no-effective, not a note) on a new lead moves it to contacted.

    \b
    Example:
      salesctl log acme "called, wants a quote by Friday" --next thu --step "send quote"
      salesctl log 42 "no answer" --no-effective --next "tomorrow 10:00"
    """
    from ..dates import to_db

    app = app_of(ctx)
    kind = model.check_kind(kind)
    text = model.check_note(note)
    step_text = model.check_text(step, field="--step") if step is not None else None
    next_at = to_db(app.when(next_, field="--next")) if next_ is not None else None
    at_db = to_db(app.when(at, field="--at")) if at is not None else app.now_db
    if at_db > app.now_db:
        raise Invalid("--at", at, "is in the future; log what happened, and plan what comes with --next")

    def change(app, store, lead_id, rep_id):
        play_id = _play_id(store, play) if play is not None else None
        pipeline.log_activity(store, app.settings, lead_id, rep_id=rep_id, kind=kind, note=text,
                              effective=not no_effective, at=at_db, next_at=next_at, step=step_text,
                              play_id=play_id, now=app.now_db)

    def message(obj, before):
        moved = f"; {before} → {obj['stage']}" if obj["stage"] != before else ""
        nxt = f"; next: {short_time(obj['next_at'])}" if obj["next_at"] else "; no follow-up scheduled"
        return f"Logged {kind} on {_label(obj)}{moved}{nxt}" + (f" ({obj['next_step']})" if obj["next_step"] else "")

    _change(ctx, lead, fmt, change, message, at=at_db, at_field="--at" if at is not None else "")


def _play_id(store, name: str) -> int:
    row = store.play(name.strip()) if name.strip() else None
    if row is None:
        known = ", ".join(store.play_names()) or "none yet (add one with salesctl play add)"
        raise NotFound(f'--play: "{name}" is not a play; known plays: {known}')
    return row["id"]


def move(
    ctx: typer.Context,
    lead: LeadArg,
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="An open stage: new, contacted, quoted, negotiating, deciding.")],
    note: NoteOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Move an open lead to another open stage, forwards or backwards. Use won/lost to close it.

    \b
    Example:
      salesctl move acme negotiating --note "they accepted the scope"
    """
    app = app_of(ctx)
    wanted = stage.strip().lower()
    if wanted in ("won", "lost"):
        raise Invalid("STAGE", stage, "closes the lead", f"use salesctl {wanted} LEAD" + (
            " --reason REASON" if wanted == "lost" else ""))
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        to_stage = app.settings.check_stage(stage, field="STAGE")
        pipeline.move(store, app.settings, lead_id, to_stage, rep_id=rep_id, now=app.now_db, note=text)

    _change(ctx, lead, fmt, change, lambda obj, before: f"Moved {_label(obj)}: {before} → {obj['stage']}")


def won(
    ctx: typer.Context,
    lead: LeadArg,
    amount: Annotated[Optional[str], typer.Option("--amount", metavar="AMOUNT", help="Deal amount (default: the lead's value).")] = None,
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

    _change(ctx, lead, fmt, change, lambda obj, _: f"Won {_label(obj)}: "
            + format_major(obj["won_amount"], obj["currency"]))


def lost(
    ctx: typer.Context,
    lead: LeadArg,
    reason: Annotated[Optional[str], typer.Option("--reason", "-r", metavar="REASON", help="Why (required): price, budget, competitor, no-decision, timing, no-need, unresponsive, other.")] = None,
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
        reasons = ", ".join(app.settings.lost_reasons)
        raise Invalid("--reason", reason or "", "is required to mark a lead lost", f"use one of {reasons}")
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        checked = app.settings.check_reason(reason)
        pipeline.lost(store, lead_id, checked, rep_id=rep_id, now=app.now_db, note=text)

    _change(ctx, lead, fmt, change,
            lambda obj, _: f"Lost {_label(obj)} at {obj['lost_stage']}: {obj['lost_reason']}")


def reopen(
    ctx: typer.Context,
    lead: LeadArg,
    stage: Annotated[Optional[str], typer.Option("--stage", "-s", help="Open stage to go back to (default: the one it closed from).")] = None,
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

    _change(ctx, lead, fmt, change, lambda obj, before: f"Reopened {_label(obj)}: {before} → {obj['stage']}")


def snooze(
    ctx: typer.Context,
    lead: LeadArg,
    until: Annotated[str, typer.Argument(metavar="UNTIL", help="When to warn again: mon, +2w, 2027-01-05 (a day alone means its 00:00).")],
    note: NoteOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Silence the stalled warning on a lead until a later date (e.g. the customer is on holiday).

    \b
    Example:
      salesctl snooze acme +2w --note "back from Chinese New Year on the 20th"
    """
    from ..dates import to_db

    app = app_of(ctx)
    until_at = app.when(until, field="UNTIL", default_time=time(0, 0))
    if until_at <= app.now:
        shown = until_at.astimezone(app.tz).strftime("%Y-%m-%d %H:%M")
        raise Invalid("UNTIL", until, f"is not in the future ({shown})", "snooze until a later day, e.g. +1w or mon")
    text = _note(note)

    def change(app, store, lead_id, rep_id):
        pipeline.snooze(store, lead_id, to_db(until_at), rep_id=rep_id, now=app.now_db, note=text)

    _change(ctx, lead, fmt, change,
            lambda obj, _: f"Snoozed {_label(obj)} until {short_time(obj['snoozed_until'])}")


def register(app: typer.Typer) -> None:
    for name, command in (("log", log), ("move", move), ("won", won), ("lost", lost), ("reopen", reopen),
                          ("snooze", snooze)):
        app.command(name, context_settings=VALUE_ARGS)(command)
