"""Data in and out: import, export, search, backup."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
