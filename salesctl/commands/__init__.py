"""Command groups. Shared here: the `--format` option, the context accessor and output."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..context import App
from ..errors import printable
from ..i18n import N_
from ..render import Format, Output, emit

FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        show_default=False,
        help="Output: table (default), json, csv or md.",
    ),
]
RepOpt = Annotated[
    str | None,
    typer.Option("--rep", help="Whose data (default: you, from $SALESCTL_REP or login)."),
]
# The owner's figures (funnel, report) cover the whole team unless a rep is named.
TeamRepOpt = Annotated[
    str | None, typer.Option("--rep", help="Only this rep's figures (default: the whole team).")
]
TeamDefaultOpt = Annotated[bool, typer.Option("--team", help="All reps (the default).")]
# Commands whose arguments may look like negative numbers ("-5", "-1") take them as values, not options.
VALUE_ARGS = {"ignore_unknown_options": True}

TeamOpt = Annotated[bool, typer.Option("--team", help="All active reps.")]
EveryOpt = Annotated[
    str | None,
    typer.Option(
        "--every",
        metavar="INTERVAL",
        help="Repeat (docs/calendar.md): after each effective touch the next follow-up is this far after it (1w, 2w, 10d, 1m); off stops.",
    ),
]
# `lead list` and `pool list` sort and cut alike; the sort words come from the lead-field table (a pool
# lead has no owner to sort by).
POOL_UNSORTED = ("owner",)


def _sort_option(left_out: tuple[str, ...] = ()):
    from ..fields import SORTS

    words = [f.sort[1] for f in SORTS if f.sort[1] not in left_out]
    return typer.Option("--sort", help=f"Sort by: {', '.join(words)}; prefix - for descending.")


SortOpt = Annotated[str, _sort_option()]
PoolSortOpt = Annotated[str, _sort_option(POOL_UNSORTED)]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N leads.")]
LeadArg = Annotated[
    str, typer.Argument(metavar="LEAD", help="Lead id, or part of its name or company.")
]


MAX_LIMIT = 2**63 - 1  # SQLite's largest integer


def check_sort(sort: str, left_out: tuple[str, ...] = ()) -> tuple[str, bool]:
    """--sort as (lead field's sort word, descending); a word the list cannot sort by is an error."""
    from ..store import Store

    key = sort.strip().lstrip("-").lower()
    words = [w for w in Store.LEAD_SORTS if w not in left_out]
    if key not in words:
        from ..errors import Invalid

        raise Invalid(
            "--sort",
            sort,
            N_("is not a sort field"),
            N_("use one of {choices}"),
            choices=", ".join(words),
        )
    return key, sort.strip().startswith("-")


def check_limit(limit: int | None, field: str = "--limit") -> int | None:
    """A --limit SQLite can take (larger ones would overflow its integers)."""
    if limit is not None and limit > MAX_LIMIT:
        from ..errors import Invalid

        raise Invalid(field, limit, N_("is too large"), N_("leave --limit out to get every row"))
    return limit


def app_of(ctx: typer.Context) -> App:
    """The run's App, resolved by the root callback (context.Run)."""
    return ctx.find_root().obj.app


def show(output: Output, fmt: Format | None) -> None:
    emit(output, fmt or Format.table)


def say(message: str) -> None:
    """A human message (confirmation, warning) on stderr: stdout is for data. Invisible or controlling
    characters of echoed input are escaped."""
    print(printable(message, keep_newlines=True), file=sys.stderr)
