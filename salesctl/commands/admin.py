"""Administration: the `config` group."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..errors import SalesError
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


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
