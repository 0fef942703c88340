"""Plays: scripts that work per customer type and stage."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import model
from ..errors import NotFound, Words
from ..i18n import N_, _, pgettext, stage
from ..render import Column, Output, Table
from . import VALUE_ARGS, FormatOpt, LeadArg, app_of, say, show

play_app = typer.Typer(
    help="Plays: what to say to which customer. Add, list, suggest.", no_args_is_help=True
)


def play_columns() -> list[Column]:
    return [
        Column("name", _("Play")),
        Column("persona", _("Persona")),
        Column("stage", _("Stage"), show=lambda v: stage(v) if v else ""),
        # The default plays' own words are salesctl's, so they are translated; a team's text is shown as typed.
        Column("text", _("What to do"), show=lambda v: pgettext("play", v) if v else ""),
    ]


@play_app.command("add")
def play_add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Short name, used by `log --play NAME`.")
    ],
    text: Annotated[
        str | None,
        typer.Option("--text", help="What to do or say (default, with --cadence: the cadence)."),
    ] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="The open stage it fits (default: any).")
    ] = None,
    persona: Annotated[
        str | None,
        typer.Option(
            "--persona",
            help="The customer type it fits: no-authority, hesitant, price-shopper, busy… (default: any).",
        ),
    ] = None,
    cadence: Annotated[
        str | None,
        typer.Option(
            "--cadence",
            metavar="STEPS",
            help='Steps for `cadence start`: "0d call: intro; +2d email: case study" (each offset from the step before; at most 20).',
        ),
    ] = None,
) -> None:
    """Add a play: a way of handling a kind of customer, optionally for one stage, optionally with a cadence.

    \b
    Example:
      salesctl play add trial-close --stage deciding --persona hesitant --text "Offer a 2-week pilot with a signed go/no-go date"
      salesctl play add intro-sequence --stage contacted --cadence "0d call: intro; +2d email: case study; +5d call: follow up"
    """
    app = app_of(ctx)
    name = model.check_name(name, field="NAME", limit=64)
    steps = None
    if cadence is not None:
        from ..cadence import format_cadence, parse_cadence

        steps = format_cadence(parse_cadence(cadence))
    if text is None and steps is not None:
        text = steps
    text = model.check_note(text or "", field="--text")
    if not text:
        from ..errors import Invalid

        raise Invalid(
            "--text", text, N_("is blank"), N_('say what to do, e.g. --text "send a case study"')
        )
    persona = model.check_text(persona, field="--persona", limit=64)
    with app.write() as store:
        stage = app.settings.check_stage(stage, field="--stage") if stage is not None else None
        play_id = store.add_play(
            name, text, stage, persona.lower() if persona else None, app.now_db
        )
        if steps is not None:
            store.set_play_cadence(play_id, steps)
    if steps:
        say(
            _("Added play {name} with a {count}-step cadence").format(
                name=name, count=steps.count(";") + 1
            )
        )
    else:
        say(_("Added play {name}").format(name=name))


@play_app.command("list")
def play_list(ctx: typer.Context, fmt: FormatOpt = None) -> None:
    """List the plays, with how many leads each was used on.

    \b
    Example:
      salesctl play list --format json
    """
    from ..playbook import play_object

    rows = [{**play_object(r), "used_on": r["used_on"]} for r in app_of(ctx).store().plays()]
    columns = play_columns()
    columns.insert(3, Column("used_on", _("Used on"), "right"))
    empty = _("No plays yet: salesctl play add NAME --text …")
    show(Output(rows, [Table(columns, rows, empty=empty)]), fmt)


@play_app.command("suggest", context_settings=VALUE_ARGS)
def play_suggest(
    ctx: typer.Context,
    lead: LeadArg,
    fmt: FormatOpt = None,
) -> None:
    """Plays for a lead: those matching its stage and persona first.

    \b
    Example:
      salesctl play suggest acme
    """
    from ..playbook import suggestions

    doc = suggestions(app_of(ctx).store(), lead)
    heading = _("Plays for #{id} {name} ({about})").format(
        id=doc["lead_id"],
        name=doc["name"],
        about=_(", ").join(x for x in (stage(doc["stage"]), doc["persona"]) if x),
    )
    table = Table(play_columns(), doc["plays"], title=heading, empty=_("No play fits this lead."))
    show(Output(doc, [table]), fmt)


cadence_app = typer.Typer(help="Run a play's cadence on a lead: start, stop.", no_args_is_help=True)


@cadence_app.command("start", context_settings=VALUE_ARGS)
def cadence_start(
    ctx: typer.Context,
    lead: LeadArg,
    play: Annotated[
        str,
        typer.Argument(metavar="PLAY", help="A play with a cadence (play add NAME --cadence …)."),
    ],
    fmt: FormatOpt = None,
) -> None:
    """Start a play's cadence on a lead: its first step becomes the follow-up. Each effective touch you
    log then schedules the next step, relative to when you logged it (docs/calendar.md).

    \b
    Example:
      salesctl cadence start acme intro-sequence
    """
    from .. import followups
    from ..i18n import moment
    from ..views.lead import lead_object, lead_output

    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        lead_id = store.resolve_lead(lead)
        row = store.play(play.strip()) if play.strip() else None
        if row is None:
            raise NotFound(
                N_('PLAY: "{name}" is not a play; known plays: {known}'),
                name=play,
                known=", ".join(store.play_names()) or Words(N_("none yet")),
            )
        followups.start(store, lead_id, row, rep_id=app.acting_rep_id(), now=app.now_db, tz=app.tz)
    obj = lead_object(store.lead(lead_id), app.tz)
    show(
        lead_output(
            obj,
            message=_("Started cadence {play} on #{id} {name}; next: {when} ({step})").format(
                play=row["name"],
                id=lead_id,
                name=obj["name"],
                when=moment(obj["next_at"], app.now.astimezone(app.tz).year),
                step=obj["next_step"],
            ),
        ),
        fmt,
    )


@cadence_app.command("stop", context_settings=VALUE_ARGS)
def cadence_stop(ctx: typer.Context, lead: LeadArg, fmt: FormatOpt = None) -> None:
    """Stop the lead's cadence; the follow-up already scheduled stays (clear it with lead edit --next "").

    \b
    Example:
      salesctl cadence stop acme
    """
    from .. import followups
    from ..views.lead import lead_object, lead_output

    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        lead_id = store.resolve_lead(lead)
        name = followups.stop(store, lead_id, now=app.now_db)
    obj = lead_object(store.lead(lead_id), app.tz)
    message = _("Stopped cadence {play} on #{id} {name}").format(
        play=name, id=lead_id, name=obj["name"]
    )
    show(lead_output(obj, message=message), fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(play_app, name="play")
    app.add_typer(cadence_app, name="cadence")
