"""Plays: scripts that work per customer type and stage."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
