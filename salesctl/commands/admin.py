"""Administration: the `config` group, `doctor` and `demo`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import SalesError, StoreError
from ..model import CONFIG_KEYS, Settings, parse_setting
from ..render import Fields, Output
from . import VALUE_ARGS, FormatOpt, app_of, show

config_app = typer.Typer(help="Show and change settings: stages, rot days, probabilities, lost reasons…",
                         no_args_is_help=True)


def _settings_output(app) -> Output:
    s: Settings = app.settings
    data = {**s.as_dict(), "timezone_in_use": str(app.tz), "db": str(app.db_path)}
    pairs = [
        ("stages", " → ".join(s.stages) + " → won | lost"),
        ("rot_days", ", ".join(f"{k}={s.rot_days[k]}" for k in s.stages)),
        ("probability", ", ".join(f"{k}={s.probability[k]:g}" for k in s.stages)),
        ("lost_reasons", ", ".join(s.lost_reasons)),
        ("timezone", s.timezone or f"(system: {app.tz})"),
        ("default_rep", s.default_rep or "(login name)"),
        ("currency", s.currency),
        ("database", str(app.db_path)),
    ]
    return Output(data, [Fields(pairs)])


@config_app.command("show")
def config_show(ctx: typer.Context, fmt: FormatOpt = None) -> None:
    """Show every setting and the database in use.

    \b
    Example:
      salesctl config show --format json
    """
    show(_settings_output(app_of(ctx)), fmt)


@config_app.command("set", context_settings=VALUE_ARGS)
def config_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="One of: " + ", ".join(CONFIG_KEYS))],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Change a setting. Lists are comma-separated; per-stage values use KEY.STAGE.

    \b
    Example:
      salesctl config set rot_days.quoted 10
      salesctl config set probability.deciding 0.8
      salesctl config set stages new,contacted,demo,quoted,negotiating,deciding
      salesctl config set timezone Asia/Shanghai
    """
    app = app_of(ctx)
    store = app.store(write=True)
    with store.write():
        settings = Settings.from_rows(store.settings_rows())
        stored_key, new_value = parse_setting(settings, key.strip().lower(), value)
        if stored_key == "stages":
            in_use = {s: n for s, n in store.stage_counts().items() if s not in new_value and s not in ("won", "lost")}
            if in_use:
                listed = ", ".join(f"{s} ({n})" for s, n in in_use.items())
                raise SalesError(f'config stages: leads are still in {listed}; move them before removing the stage')
        store.set_setting(stored_key, json.dumps(new_value, ensure_ascii=False))
    print(f"Set {key} = {value}")


def doctor(ctx: typer.Context, fmt: FormatOpt = None) -> None:
    """Check the database: integrity, schema version, journal mode, file permissions, orphan rows.

    Exit 0 when healthy (warnings included), 3 with an explanation when something is wrong.

    \b
    Example:
      salesctl doctor
      salesctl --db /backups/sales.db doctor --format json
    """
    from ..render import Column, Table
    from ..store import inspect_database

    app = app_of(ctx)
    path = app.db_path
    if app.is_server:
        checks = app.store().server_checks()
    elif not path.exists():
        print(f"No database at {path} yet; it is created on the first change.")
        return
    else:
        checks = inspect_database(path)
    rows = [{"check": c, "status": s, "detail": d} for c, s, d in checks]
    errors = [r for r in rows if r["status"] == "error"]
    data = {"db": str(path), "ok": not errors, "checks": rows}
    show(Output(data, [Table([Column("check", "Check"), Column("status", "Status"), Column("detail", "Detail")], rows,
                             title=str(path))]), fmt)
    if errors:
        raise StoreError(f"doctor: {path}: " + "; ".join(f"{r['check']}: {r['detail']}" for r in errors))


def demo(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", metavar="FILE|URL", help="Fill this database (default: the one in use).",
                                               show_default=False)] = None,
) -> None:
    """Fill an empty database with a sample team (three reps, ~100 leads, four months of history).

    Sets the `default_rep` setting to the demo rep `maya` when none is set, so `salesctl today` shows her
    day (unless $SALESCTL_REP names someone else).

    \b
    Example:
      salesctl demo --db demo.db && salesctl --db demo.db today
    """
    from .. import demo as sample

    app = app_of(ctx)
    if db is not None:
        from ..context import database_location

        app.use_database(database_location(str(db)))
    store = app.store(write=True)
    with store.write():
        counts = sample.build(store, Settings.from_rows(store.settings_rows()), app.now, app.tz)
    print(f"Demo data in {app.db_path}: {counts['reps']} reps, {counts['leads']} leads, "
          f"{counts['activities']} activities, {counts['won']} won, {counts['lost']} lost.\n"
          f"Try: salesctl today   (you are {sample.REPS[0][0]} unless $SALESCTL_REP says otherwise), "
          "salesctl stalled --team, salesctl funnel --team, salesctl report --team")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.command("doctor")(doctor)
    app.command("demo")(demo)
