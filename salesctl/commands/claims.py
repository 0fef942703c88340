"""The shared pool (公海): `pool list`, `pool recycle` and `claim` (the rules are pool.py; `lead release` is in leads.py)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer

from ..i18n import _
from ..i18n import stage as stage_word
from ..usage import SalesGroup
from . import (
    POOL_UNSORTED,
    FormatOpt,
    LimitOpt,
    PoolSortOpt,
    app_of,
    check_limit,
    check_sort,
    show,
)


class _ListByDefault(SalesGroup):
    """`salesctl pool [OPTIONS]` is `salesctl pool list [OPTIONS]`."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


pool_app = typer.Typer(cls=_ListByDefault, no_args_is_help=False)


@pool_app.callback()
def pool_root() -> None:
    """The shared pool (公海): leads nobody owns, for any rep to claim (docs/pool.md).
    `salesctl pool` alone is `salesctl pool list`.

    \b
    Example:
      salesctl pool --sort -value
      salesctl claim 12 15
    """


@pool_app.command("list")
def pool_list(
    ctx: typer.Context,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", "-s", help="Only this stage (repeatable).")
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only leads with this tag.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    intent: Annotated[str | None, typer.Option("--intent", help="hot, warm or cold.")] = None,
    key: Annotated[bool, typer.Option("--key", help="Only key customers.")] = False,
    sort: PoolSortOpt = "id",
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """List the pool's leads (nobody owns them), filtered and sorted like `lead list`.

    \b
    Example:
      salesctl pool list --stage contacted --sort -value --limit 20
      salesctl pool --format json
    """
    from .. import model
    from ..views.lead import lead_list_output, lead_object

    app = app_of(ctx)
    settings, store = app.settings, app.store()
    stages = [settings.check_stage(s, field="--stage", open_only=False) for s in stage or []]
    sort_key, descending = check_sort(sort, POOL_UNSORTED)
    rows = store.list_leads(
        stages=stages,
        all_stages=list(settings.all_stages),
        owner_ids=None,
        pool=True,
        tag=tag and tag.strip(),
        source=source and source.strip(),
        intent=model.check_intent(intent),
        key=key,
        include_closed=False,
        sort=sort_key,
        descending=descending,
        limit=check_limit(limit),
    )
    output = lead_list_output(
        [lead_object(r, app.tz) for r in rows], sort=sort_key, year=app.now.astimezone(app.tz).year
    )
    output.blocks[0].empty = _("The pool is empty.")
    show(output, fmt)


@pool_app.command("recycle")
def pool_recycle(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would return to the pool; change nothing.")
    ] = False,
    fmt: FormatOpt = None,
) -> None:
    """Return idle leads to the pool: open leads with no effective touch for their stage's
    pool.release_days (counted from the last effective touch, or from when the owner got the lead if
    later). For cron, once a day; quiet when nothing is due. Each lead's history names who lost it and
    why, and that rep's next digest (remind) says so.

    \b
    Example:
      salesctl config set pool.release_days.contacted 14
      salesctl pool recycle --dry-run
      15 6 * * *  salesctl pool recycle
    """
    from .. import pool
    from ..dates import to_local_iso
    from ..i18n import current, day
    from ..render import Column, Output, Table

    app = app_of(ctx)
    store = app.store(write=not dry_run)
    with store.write() if not dry_run else nullcontext():
        if not dry_run:
            store.require_owner("recycle")  # on a team server: an owner's job (docs/pool.md)
        settings = app.settings if dry_run else _fresh_settings(app)
        rows = pool.due(store, settings, app.now)
        if not dry_run:
            pool.recycle(store, settings, rows, now=app.now_db)
    items = [
        {
            "lead_id": r["id"],
            "name": r["name"],
            "company": r["company"],
            "stage": r["stage"],
            "owner": r["owner"],
            "idle_since": to_local_iso(r["idle_since"], app.tz),
            "release_days": settings.pool_release_days[r["stage"]],
        }
        for r in rows
    ]
    data = {"dry_run": dry_run, "recycled": len(items), "items": items}
    year = app.now.astimezone(app.tz).year
    table = Table(
        [
            Column("lead_id", "#", "right"),
            Column("name", _("Lead")),
            Column("stage", _("Stage"), show=stage_word),
            Column("owner", _("Lost by") if not dry_run else _("Owner")),
            Column("idle", _("Idle since")),
        ],
        [{**i, "idle": day(i["idle_since"], None if current() == "en" else year)} for i in items],
        title=_("Would return to the pool") if dry_run else _("Returned to the pool"),
    )
    if not items and (fmt is None or fmt.value == "table"):
        return  # cron: quiet when nothing is due
    show(Output(data, [table]), fmt)


def _fresh_settings(app):
    """The settings as the write lock sees them (docs/data-safety.md: checked inside the write)."""
    app.__dict__.pop("settings", None)
    return app.settings


def claim(
    ctx: typer.Context,
    leads: Annotated[
        list[str], typer.Argument(metavar="LEAD...", help="Pool leads: ids or names.")
    ],
    fmt: FormatOpt = None,
) -> None:
    """Take leads from the pool: they become yours, all of them or (if one is taken or over your
    pool.max_open_per_rep) none. When two reps claim the same lead at once, one gets it and the other
    is told who did (exit 1).

    \b
    Example:
      salesctl pool list --stage contacted
      salesctl claim 12 15
    """
    from .. import pool
    from ..views.lead import lead_list_output, lead_object

    app = app_of(ctx)
    with app.write() as store:
        ids = list(dict.fromkeys(store.resolve_lead(ref) for ref in leads))
        rep_id, name = app.acting_rep_id(), app.current_rep_name()
        pool.claim(store, app.settings, ids, rep_id=rep_id, rep=name, now=app.now_db)
    objs = [lead_object(store.lead(i), app.tz) for i in ids]
    output = lead_list_output(objs)
    output.plain = _("Claimed {count} lead(s): {ids}").format(
        count=len(ids), ids=", ".join(f"#{i}" for i in ids)
    )
    show(output, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(pool_app, name="pool")
    app.command("claim")(claim)
