"""Team mode on PostgreSQL: `db init`, `db copy`, and who may change what (`team grant/revoke`); docs/team.md."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import Invalid
from ..i18n import N_, _
from . import FormatOpt, app_of, say, show

db_app = typer.Typer(
    help="Create a team database on PostgreSQL, or copy a database between engines.",
    no_args_is_help=True,
)
team_app = typer.Typer(
    help="Team mode: map PostgreSQL roles to reps and say who is an owner.", no_args_is_help=True
)

LocationArg = Annotated[
    str, typer.Argument(metavar="FILE|URL", help="A SQLite file or a postgresql:// URL.")
]


def _location(text: str, field: str):
    from ..context import database_location

    if not text.strip():
        raise Invalid(field, text, N_("is empty"), N_("give a file name or a postgresql:// URL"))
    location = database_location(text.strip())
    if isinstance(location, str):
        from ..dialects.postgres import check_url

        check_url(location, field)  # a password in it is refused naming this argument
    return location


@db_app.command("init")
def db_init(
    url: Annotated[
        str, typer.Argument(metavar="URL", help="postgresql://HOST/DATABASE (no password).")
    ],
) -> None:
    """Create the salesctl schema in an empty PostgreSQL database (the owner runs this once).

    The database should be created with LC_COLLATE=C (docs/team.md); passwords come from ~/.pgpass,
    PGPASSWORD or a service file, never from the URL.

    \b
    Example:
      salesctl db init postgresql://db.example.com/sales?sslmode=verify-full
    """
    from ..dialects import is_server
    from ..store import Store

    if not is_server(url):
        raise Invalid(
            "URL",
            url,
            N_("is not a PostgreSQL URL"),
            N_(
                "write postgresql://HOST/DATABASE; a SQLite file needs no init (it is created on the first change)"
            ),
        )
    from ..dialects.postgres import check_url

    check_url(url, "URL")
    where = Store.init_server(url)
    say(_("Created the salesctl schema in {where}").format(where=where))


@db_app.command("copy")
def db_copy(ctx: typer.Context, source: LocationArg, dest: LocationArg) -> None:
    """Copy a whole database to an empty one, SQLite ↔ PostgreSQL, keeping every id.

    One transaction into the target: it ends complete or unchanged. A PostgreSQL target without the
    schema gets it; a SQLite target file must not exist yet or be empty. Team logins are not copied:
    into a server, it lists the `team grant` commands an owner runs there (docs/team.md).

    \b
    Example:
      salesctl db copy ~/.local/share/salesctl/salesctl.db postgresql://db.example.com/sales
    """
    from pathlib import Path

    from ..store import Store

    src, dst = _location(source, "SRC"), _location(dest, "DST")
    if isinstance(src, Path) and not src.exists():
        raise Invalid("SRC", source, N_("does not exist"))
    if str(src) == str(dst):
        raise Invalid("DST", dest, N_("is the source itself"), N_("copy into a new database"))
    reader = Store(src, create=False)
    try:
        if isinstance(dst, Path) and dst.exists() and dst.stat().st_size > 0:
            raise Invalid("DST", dest, N_("already exists"), N_("copy into a new file"))
        writer = Store(dst, migrate=not isinstance(dst, str))
        try:
            # One snapshot of the source: reps, leads and activities that others change meanwhile are
            # copied as they all were at one moment (docs/team.md).
            with writer.write(), reader.snapshot():
                writer.ensure_schema()
                counts = reader.copy_to(writer)
                logins = reader.team_logins()
        finally:
            writer.close()
    finally:
        reader.close()
    from ..views.counts import table_counts

    say(
        _("Copied {source} to {target}: {counts}").format(
            source=reader.where,
            target=writer.where,
            counts=table_counts(counts),
        )
    )
    if logins and writer.is_server:
        # Logins are PostgreSQL roles of one server: an owner grants them on the new one (docs/team.md).
        import shlex

        say(
            _(
                "Team logins are not copied (docs/team.md, Move an existing database); an owner grants them again:"
            )
            + "".join(
                f"\n  salesctl --db {shlex.quote(dest)} team grant {shlex.quote(login['rep'])}"
                f" --login {shlex.quote(login['role'])}" + (" --owner" if login["owner"] else "")
                for login in logins
            )
        )


# --- team logins (docs/team.md, "Who may do what") -------------------------------------------------

RepArg = Annotated[str, typer.Argument(metavar="REP", help="The rep (created if new).")]


def _team_app(ctx: typer.Context, command: str):
    """The app, on a team server: logins are PostgreSQL roles, which a SQLite file does not have."""
    from ..errors import SalesError
    from ..i18n import _

    app = app_of(ctx)
    if not app.is_server:
        raise SalesError(
            _(
                "team {command}: per-person logins need a team database on PostgreSQL (docs/team.md); on a SQLite file the owners setting says who is an owner: salesctl config set owners NAME,…"
            ).format(command=command)
        )
    return app


def _check_role(text: str) -> str:
    """A PostgreSQL role name as typed: one line of visible text, at most 63 bytes (NAMEDATALEN)."""
    from .. import model

    role = model.check_name(text, field="--login")
    if len(role.encode()) > 63:
        raise Invalid("--login", text, N_("is longer than PostgreSQL's 63 bytes for a role name"))
    return role


def _set_owner(app, store, name: str, owner: bool) -> None:
    """The `owners` setting lists the reps granted --owner: one list of owners on both engines."""
    import json

    owners = [o for o in app.settings.owners if o.casefold() != name.casefold()]
    if owner:
        owners.append(name)
    if owners != list(app.settings.owners):
        store.set_setting("owners", json.dumps(owners, ensure_ascii=False))


@team_app.command("grant")
def team_grant(
    ctx: typer.Context,
    rep: RepArg,
    login: Annotated[
        str,
        typer.Option(
            "--login",
            metavar="ROLE",
            help="The PostgreSQL role this person connects as (it must exist: createuser ROLE).",
        ),
    ],
    owner: Annotated[
        bool, typer.Option("--owner", help="An owner: may change anything and grant others.")
    ] = False,
) -> None:
    """Let a person work as REP by connecting as their own PostgreSQL role (an owner runs this).

    A rep reads the whole team's leads and changes only their own; an owner may change anything
    (docs/team.md, "Who may do what"). Granting again changes --owner; the role's password stays
    the server's business (createuser --pwprompt, ~/.pgpass).

    \b
    Example:
      sudo -u postgres createuser --pwprompt wang
      salesctl team grant 王芳 --login wang
      salesctl team grant olga --login olga --owner
    """
    from .. import model
    from ..errors import SalesError
    from ..i18n import _

    app = _team_app(ctx, "grant")
    name = model.check_name(rep, field="REP")
    role = _check_role(login)
    with app.write() as store:
        store.require_owner("team")
        row = store.rep(name)
        if row is None:
            rep_id = store.add_rep(name, None, app.now_db)
        elif not row["active"]:
            raise SalesError(
                N_(
                    'REP: "{name}" is deactivated; activate them first: salesctl rep activate {name}'
                ),
                name=row["name"],
            )
        else:
            rep_id, name = row["id"], row["name"]
        store.grant_login(rep_id, role, owner=owner, now=app.now_db)
        _set_owner(app, store, name, owner)
    message = (
        _("Granted {role}: connects as owner {rep}")
        if owner
        else _("Granted {role}: connects as rep {rep}")
    )
    say(message.format(role=role, rep=name))


@team_app.command("revoke")
def team_revoke(ctx: typer.Context, rep: Annotated[str, typer.Argument(metavar="REP")]) -> None:
    """Take away a rep's login (an owner runs this). Their leads stay theirs: hand them over next.

    \b
    Example:
      salesctl team revoke alice
      salesctl handoff alice 王芳 --deactivate
    """
    from ..errors import NotFound, SalesError
    from ..i18n import _

    app = _team_app(ctx, "revoke")
    with app.write() as store:
        store.require_owner("team")
        row = store.require_rep(rep, field="REP", active=False)
        if store.access is not None and store.access.rep_id == row["id"]:
            raise SalesError(
                N_(
                    "team revoke: {name} is you; another owner (or the database's owner role) revokes your login"
                ),
                name=row["name"],
            )
        role = store.revoke_login(row["id"])
        if role is None:
            raise NotFound(
                N_('REP: "{name}" has no login; salesctl team list shows who has one'),
                name=row["name"],
            )
        _set_owner(app, store, row["name"], False)
    say(
        _(
            "Revoked {role}: {rep} can no longer connect; their leads stay theirs until a handoff"
        ).format(role=role, rep=row["name"])
    )


@team_app.command("list")
def team_list(ctx: typer.Context, fmt: FormatOpt = None) -> None:
    """Who connects as which rep, and who is an owner.

    \b
    Example:
      salesctl team list --format json
    """
    from ..render import Column, Output, Table

    app = _team_app(ctx, "list")
    rows = [
        {
            "rep": r["rep"],
            "login": r["role"],
            "owner": bool(r["owner"]),
            "granted_at": r["granted_at"],
        }
        for r in app.store().team_logins()
    ]
    columns = [
        Column("rep", _("Rep")),
        Column("login", _("Login")),
        Column("owner", _("Owner"), show=lambda v: _("yes") if v else ""),
    ]
    show(
        Output(
            rows,
            [
                Table(
                    columns,
                    rows,
                    empty=_("No logins yet: salesctl team grant REP --login ROLE"),
                )
            ],
        ),
        fmt,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(team_app, name="team")
