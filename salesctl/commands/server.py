"""Team mode on PostgreSQL: `db init`, `db copy`, and who may change what (`team grant/revoke`); docs/team.md."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import Invalid
from ..i18n import N_, _
from . import say

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
    schema gets it; a SQLite target file must not exist yet or be empty.

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
            with writer.write():
                writer.ensure_schema()
                counts = reader.copy_to(writer)
        finally:
            writer.close()
    finally:
        reader.close()
    say(
        _("Copied {source} to {target}: {counts}").format(
            source=reader.where,
            target=writer.where,
            counts=", ".join(f"{n} {t}" for t, n in counts.items() if n),
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
