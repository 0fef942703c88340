"""The team: the `rep` group and `handoff`."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import model, pipeline
from ..errors import SalesError
from ..i18n import N_, _
from ..render import Column, Output, Table
from . import FormatOpt, app_of, say, show

rep_app = typer.Typer(help="Add, list and deactivate reps.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="Rep name.")]


def _rep_lang(value: str | None) -> str | None:
    """`--lang`: one of en, zh-Hant, zh-Hans; "" (rep edit) clears it."""
    if value is None or value == "":
        return value
    from ..i18n import check_lang

    return check_lang(value, field="--lang")


@rep_app.command("add")
def rep_add(
    ctx: typer.Context,
    name: NameArg,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            help="Where `remind --email` sends their digest: one address, no name or list.",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="The language of their digest mail: en, zh-Hant or zh-Hans (default: the command's).",
        ),
    ] = None,
) -> None:
    """Add a rep. (Your own rep is created on your first change; you rarely need this for yourself.)

    A name is one line of visible text: control characters, bidi overrides and names of only
    invisible characters are refused.

    \b
    Example:
      salesctl rep add 王芳 --email wang.fang@example.com --lang zh-Hans
    """
    app = app_of(ctx)
    name = model.check_name(name, field="NAME")
    email = model.check_email(email)
    lang = _rep_lang(lang) or None
    store = app.store(write=True)
    with store.write():
        store.add_rep(name, email, app.now_db, lang=lang)
    say(_("Added rep {name}").format(name=name))


@rep_app.command("edit")
def rep_edit(
    ctx: typer.Context,
    name: NameArg,
    email: Annotated[
        str | None,
        typer.Option("--email", help='New email address, exactly one ("" clears it).'),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help='The language of their digest mail: en, zh-Hant or zh-Hans ("" clears it).',
        ),
    ] = None,
) -> None:
    """Change a rep's email address or the language of their mail.

    \b
    Example:
      salesctl rep edit alice --email alice@example.com
      salesctl rep edit 王芳 --lang zh-Hant
    """
    app = app_of(ctx)
    if email is None and lang is None:
        raise SalesError(N_("rep edit: nothing to change; give --email or --lang"))
    checked = None if email is None else model.check_email(email) or ""
    lang = _rep_lang(lang)
    store = app.store(write=True)
    with store.write():
        rep = store.require_rep(name, field="NAME", active=False)
        store.update_rep(rep["id"], email=checked, lang=lang)
    say(_("Updated rep {name}").format(name=rep["name"]))


@rep_app.command("list")
def rep_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include deactivated reps.")] = False,
    fmt: FormatOpt = None,
) -> None:
    """List reps with how many open leads each owns.

    \b
    Example:
      salesctl rep list --all --format json
    """
    app = app_of(ctx)
    rows = [
        {
            "name": r["name"],
            "email": r["email"],
            "lang": r["lang"],
            "active": bool(r["active"]),
            "open_leads": r["open_leads"],
        }
        for r in app.store().reps(active_only=not all_)
    ]
    from ..i18n import _

    columns = [
        Column("name", _("Rep")),
        Column("email", _("Email")),
        Column("open_leads", _("Open leads"), "right"),
    ]
    if all_:
        columns.insert(2, Column("active", _("Active"), show=lambda v: _("yes") if v else ""))
    if any(row["lang"] for row in rows):
        columns.insert(2, Column("lang", _("Mail language")))
    show(Output(rows, [Table(columns, rows, empty=_("No reps yet."))]), fmt)


def _set_active(ctx: typer.Context, name: str, active: bool) -> None:
    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        rep = store.require_rep(name, field="NAME", active=False)
        if not active:
            open_leads = store.open_lead_count(rep["id"])
            if open_leads:
                raise SalesError(
                    N_(
                        'rep "{name}" still owns {count} open lead(s); hand them over first: salesctl handoff {name} OTHER_REP --deactivate'
                    ),
                    name=rep["name"],
                    count=open_leads,
                )
        store.update_rep(rep["id"], active=active)
    message = _("Activated rep {name}") if active else _("Deactivated rep {name}")
    say(message.format(name=rep["name"]))


@rep_app.command("deactivate")
def rep_deactivate(ctx: typer.Context, name: NameArg) -> None:
    """Deactivate a rep who left. Refused while they own open leads: use `handoff … --deactivate`.

    \b
    Example:
      salesctl handoff alice bob --deactivate
      salesctl rep deactivate alice
    """
    _set_active(ctx, name, False)


@rep_app.command("activate")
def rep_activate(ctx: typer.Context, name: NameArg) -> None:
    """Make a deactivated rep active again.

    \b
    Example:
      salesctl rep activate alice
    """
    _set_active(ctx, name, True)


def handoff(
    ctx: typer.Context,
    from_rep: Annotated[
        str,
        typer.Argument(metavar="FROM_REP", help="The rep whose open leads move (may be inactive)."),
    ],
    to_rep: Annotated[
        str, typer.Argument(metavar="TO_REP", help="The active rep who takes them over.")
    ],
    deactivate: Annotated[
        bool, typer.Option("--deactivate", help="Then deactivate FROM_REP (they left).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would move; change nothing.")
    ] = False,
    fmt: FormatOpt = None,
) -> None:
    """Give every open lead of one rep, with its scheduled follow-up, to another, in one step.

    Won and lost deals stay credited to whoever closed them. Each moved lead's timeline records the
    owner change and who made it.

    \b
    Example:
      salesctl handoff alice 王芳 --dry-run
      salesctl handoff alice 王芳 --deactivate
    """
    from ..views.lead import lead_list_output, lead_object

    app = app_of(ctx)
    with app.write(dry_run=dry_run) as store:
        source, target, rows = pipeline.handoff(
            store,
            from_rep,
            to_rep,
            acting=app.acting_rep_id,
            now=app.now_db,
            deactivate=deactivate,
        )
    objs = [lead_object(r, app.tz) for r in rows]
    if not dry_run:
        objs = [{**o, "owner": target["name"]} for o in objs]
    data = {
        "from": source["name"],
        "to": target["name"],
        "dry_run": dry_run,
        "moved": len(objs),
        "deactivated": deactivate and not dry_run,
        "leads": objs,
    }
    output = lead_list_output(objs, year=app.now.astimezone(app.tz).year)
    output.data = data
    words = {"count": len(objs), "source": source["name"], "target": target["name"]}
    if dry_run and deactivate:
        summary = _(
            "Would move {count} open lead(s) from {source} to {target}; would deactivate {source} (dry run: nothing changed)"
        )
    elif dry_run:
        summary = _(
            "Would move {count} open lead(s) from {source} to {target} (dry run: nothing changed)"
        )
    elif deactivate:
        summary = _("Moved {count} open lead(s) from {source} to {target}; deactivated {source}")
    else:
        summary = _("Moved {count} open lead(s) from {source} to {target}")
    summary = summary.format(**words)
    if dry_run:
        from ..render import Text

        output.blocks.append(Text(summary))
    else:
        output.plain = summary
    show(output, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(rep_app, name="rep")
    app.command("handoff")(handoff)
