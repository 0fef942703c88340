"""Team mode on PostgreSQL: `db init`, `db copy`, and who may change what (`team grant/revoke`); docs/team.md."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import Invalid
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
        raise Invalid(field, text, "is empty", "give a file name or a postgresql:// URL")
    return database_location(text.strip())


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
            "is not a PostgreSQL URL",
            "write postgresql://HOST/DATABASE; a SQLite file "
            "needs no init (it is created on the first change)",
        )
    where = Store.init_server(url)
    say(f"Created the salesctl schema in {where}")


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
        raise Invalid("SRC", source, "does not exist")
    if str(src) == str(dst):
        raise Invalid("DST", dest, "is the source itself", "copy into a new database")
    reader = Store(src, create=False)
    try:
        if isinstance(dst, Path) and dst.exists() and dst.stat().st_size > 0:
            raise Invalid("DST", dest, "already exists", "copy into a new file")
        writer = Store(dst, migrate=not isinstance(dst, str))
        try:
            # One snapshot of the source: reps, leads and activities that others change meanwhile are
            # copied as they all were at one moment (docs/team.md).
            with writer.write(), reader.snapshot():
                writer.ensure_schema()
                counts = reader.copy_to(writer)
        finally:
            writer.close()
    finally:
        reader.close()
    say(
        f"Copied {reader.where} to {writer.where}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items() if n)
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
