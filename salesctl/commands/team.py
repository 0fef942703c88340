"""The team: the `rep` group and `handoff`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import model
from ..errors import SalesError
from ..render import Column, Output, Table
from . import FormatOpt, app_of, show

rep_app = typer.Typer(help="Add, list and deactivate reps.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="Rep name.")]


@rep_app.command("add")
def rep_add(
    ctx: typer.Context,
    name: NameArg,
    email: Annotated[Optional[str], typer.Option("--email", help="Where `remind --email` sends their digest.")] = None,
) -> None:
    """Add a rep. (Your own rep is created on your first change; you rarely need this for yourself.)

    \b
    Example:
      salesctl rep add 王芳 --email wang.fang@example.com
    """
    app = app_of(ctx)
    name = model.check_name(name, field="NAME")
    email = model.check_email(email)
    store = app.store(write=True)
    with store.write():
        store.add_rep(name, email, app.now_db)
    print(f"Added rep {name}")


@rep_app.command("edit")
def rep_edit(
    ctx: typer.Context,
    name: NameArg,
    email: Annotated[str, typer.Option("--email", help="New email address (\"\" clears it).")],
) -> None:
    """Change a rep's email address.

    \b
    Example:
      salesctl rep edit alice --email alice@example.com
    """
    app = app_of(ctx)
    checked = model.check_email(email) or ""
    store = app.store(write=True)
    with store.write():
        rep = store.require_rep(name, field="NAME", active=False)
        store.update_rep(rep["id"], email=checked)
    print(f"Updated rep {rep['name']}")


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
        {"name": r["name"], "email": r["email"], "active": bool(r["active"]), "open_leads": r["open_leads"]}
        for r in app.store().reps(active_only=not all_)
    ]
    columns = [Column("name", "Rep"), Column("email", "Email"), Column("open_leads", "Open leads", "right")]
    if all_:
        columns.insert(2, Column("active", "Active"))
    show(Output(rows, [Table(columns, rows, empty="No reps yet.")]), fmt)


def _set_active(ctx: typer.Context, name: str, active: bool) -> None:
    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        rep = store.require_rep(name, field="NAME", active=False)
        if not active:
            open_leads = store.open_lead_count(rep["id"])
            if open_leads:
                raise SalesError(
                    f'rep "{rep["name"]}" still owns {open_leads} open lead(s); hand them over first: '
                    f"salesctl handoff {rep['name']} OTHER_REP --deactivate"
                )
        store.update_rep(rep["id"], active=active)
    print(f"{'Activated' if active else 'Deactivated'} rep {rep['name']}")


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


def register(app: typer.Typer) -> None:
    app.add_typer(rep_app, name="rep")
