"""Per-engine differences (connection, schema upkeep, the few SQL fragments that differ): docs/team.md."""

from __future__ import annotations

URL_SCHEMES = ("postgresql://", "postgres://")


def is_server(location: object) -> bool:
    """True for a PostgreSQL URL (`--db postgresql://host/sales`), False for a SQLite file."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def for_location(location: object):
    """The dialect module for a database location; the PostgreSQL driver is imported only for a URL."""
    if is_server(location):
        from . import postgres

        return postgres
    from . import sqlite

    return sqlite
