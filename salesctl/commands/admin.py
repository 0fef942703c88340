"""Administration: the `config` group, `doctor` and `demo`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..errors import SalesError, StoreError, Term, Words
from ..i18n import N_, _, pgettext
from ..model import CONFIG_KEYS, Settings, parse_setting
from ..render import Fields, Output
from . import VALUE_ARGS, FormatOpt, app_of, say, show

config_app = typer.Typer(
    help="Show and change settings: stages, rot days, probabilities, lost reasons…",
    no_args_is_help=True,
)


def _settings_output(app) -> Output:
    """The settings by the names `config set` takes; the explanations in the run's language."""
    from ..i18n import _

    s: Settings = app.settings
    data = {**s.as_dict(), "timezone_in_use": str(app.tz), "db": str(app.db_path)}
    pairs = [
        ("stages", " → ".join(s.stages) + " → won | lost"),
        ("rot_days", ", ".join(f"{k}={s.rot_days[k]}" for k in s.stages)),
        ("probability", ", ".join(f"{k}={s.probability[k]:g}" for k in s.stages)),
        ("lost_reasons", ", ".join(s.lost_reasons)),
        ("timezone", s.timezone or _("(system: {zone})").format(zone=app.tz)),
        ("default_rep", s.default_rep or _("(login name)")),
        ("currency", s.currency),
        ("owners", ", ".join(s.owners) or _("(none: each rep fixes only their own activities)")),
        (
            "alarm_minutes",
            _("{minutes} (calendar reminder before each follow-up)").format(minutes=s.alarm_minutes)
            if s.alarm_minutes
            else _("0 (no reminder)"),
        ),
        ("cadence_ends_on_move", "true" if s.cadence_ends_on_move else "false"),
        (
            "fx",
            ", ".join(f"1 {code} = {rate} {s.currency}" for code, rate in sorted(s.rates.items()))
            or _("(no rates: salesctl config set fx.USD 7.12)"),
        ),
        ("lang", s.lang or _("(from the environment: {lang})").format(lang=app.language())),
        (
            "money_style",
            s.money_style or _("(default: {style})").format(style=app.money_style()),
        ),
        (
            "pool.release_days",
            ", ".join(f"{k}={v}" for k, v in s.pool_release_days.items())
            or _("(off: pool recycle returns nothing)"),
        ),
        (
            "pool.max_open_per_rep",
            str(s.pool_max_open_per_rep or _("(off: no limit on claims)")),
        ),
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

    fx.CODE is an exchange rate: how many of the team currency buy 1 CODE; reports convert deals in
    CODE with it (docs/figures.md).

    \b
    Example:
      salesctl config set rot_days.quoted 10
      salesctl config set probability.deciding 0.8
      salesctl config set stages new,contacted,demo,quoted,negotiating,deciding
      salesctl config set timezone Asia/Shanghai
      salesctl config set currency CNY
      salesctl config set fx.USD 7.12
      salesctl config set pool.release_days.contacted 14
    """
    app = app_of(ctx)
    with app.write() as store:
        store.require_owner("settings")
        stored_key, new_value = parse_setting(app.settings, key.strip().lower(), value)
        if stored_key == "owners" and store.team_logins():
            raise SalesError(
                N_(
                    "config owners: on this team server owners are the logins granted --owner; use salesctl team grant REP --login ROLE --owner (docs/team.md)"
                )
            )
        if stored_key == "stages":
            in_use = {
                s: n
                for s, n in store.stage_counts().items()
                if s not in new_value and s not in ("won", "lost")
            }
            if in_use:
                listed = ", ".join(f"{s} ({n})" for s, n in in_use.items())
                raise SalesError(
                    N_(
                        "config stages: leads are still in {listed}; move them before removing the stage"
                    ),
                    listed=listed,
                )
        store.set_setting(stored_key, json.dumps(new_value, ensure_ascii=False))
    print(_("Set {key} = {value}").format(key=key, value=value))


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
        print(_("No database at {path} yet; it is created on the first change.").format(path=path))
        return
    else:
        checks = inspect_database(path)
    rows = [{"check": c, "status": s, "detail": str(d)} for c, s, d in checks]
    errors = [(c, d) for c, s, d in checks if s == "error"]
    data = {"db": str(path), "ok": not errors, "checks": rows}
    shown = [  # the table in this run's language; JSON keeps the English words (docs/chinese.md)
        {
            "check": pgettext("doctor", c),
            "status": pgettext("doctor", s),
            "detail": d.render(_) if isinstance(d, Words) else d,
        }
        for c, s, d in checks
    ]
    show(
        Output(
            data,
            [
                Table(
                    [
                        Column("check", _("Check")),
                        Column("status", _("Status")),
                        Column("detail", _("Detail")),
                    ],
                    shown,
                    title=str(path),
                )
            ],
            csv=Table([Column(k, k) for k in ("check", "status", "detail")], rows),
        ),
        fmt,
    )
    if errors:
        raise StoreError(N_("doctor: {path}: {problems}"), path=path, problems=_Problems(errors))


# What doctor's checks and statuses are called in a table (catalog context "doctor"); JSON keeps these.
DOCTOR_WORDS = (
    "file",
    "permissions",
    "salesctl",
    "integrity",
    "schema",
    "journal",
    "orphans",
    "settings",
    "server",
    "extensions",
    "ok",
    "warning",
    "error",
)


class _Problems(Words):
    """doctor's failed checks, `check: detail; …`, in the language the error is shown in."""

    def __init__(self, errors: list):
        super().__init__("")
        self.errors = errors

    def render(self, translate=lambda text: text) -> str:
        return translate(N_("; ")).join(
            translate(N_("{check}: {detail}")).format(
                check=Term("doctor", check).render(translate),
                detail=detail.render(translate) if isinstance(detail, Words) else detail,
            )
            for check, detail in self.errors
        )


def demo(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="FILE|URL",
            help="Fill this database (a file or a postgresql:// URL) instead (it must have no leads).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Make a sample team (three reps, ~100 leads, four months of history) in its own database file.

    By default the demo goes to demo.db in the user data folder, never into your own database (not
    even the one $SALESCTL_DB names); read it with `salesctl --demo COMMAND`. A database that already
    holds leads is refused. In the demo file `default_rep` is the demo rep maya, so `today` shows her day.
    To start over, delete the file (rm PATH, PATH-wal and PATH-shm): see `salesctl config show` for the path.

    \b
    Example:
      salesctl demo && salesctl --demo today
      salesctl demo --db /tmp/sample.db && salesctl --db /tmp/sample.db report
    """
    import shlex

    from .. import demo as sample
    from ..context import database_location, default_db_path, demo_db_path

    app = app_of(ctx)
    if db:  # a file, or a postgresql:// URL kept as text (docs/team.md)
        app.use_database(database_location(db))
    elif not app.db_chosen:
        app.use_database(demo_db_path())
    with app.write() as store:
        if store.row_counts()["leads"]:
            raise SalesError(
                N_(
                    "demo: {path} already holds leads; the demo goes into a new file (salesctl demo, or salesctl demo --db NEW.db)"
                ),
                path=app.db_path,
            )
        counts = sample.build(store, app.settings, app.now, app.tz)
    use = (
        "salesctl --demo"
        if app.db_path == demo_db_path()
        else f"salesctl --db {shlex.quote(str(db or app.db_path))}"
    )
    say(
        _(
            "Demo data in {path}: {reps} reps, {leads} leads, {activities} activities, {won} won, {lost} lost."
        ).format(path=app.db_path, **counts)
        + "\n"
        + _(
            "Try: {use} today   (you are {rep} there unless $SALESCTL_REP says otherwise)\n     {use} stalled --team; {use} funnel; {use} report"
        ).format(use=use, rep=sample.REPS[0][0])
        + "\n"
        + (
            _(
                "Without {option}, salesctl uses your own database ({own}). To remove the demo, drop that database (dropdb, as the role that created it)."
            )
            if app.is_server
            else _(
                "Without {option}, salesctl uses your own database ({own}). To remove the demo: rm {path}*"
            )
        ).format(
            option=use.removeprefix("salesctl "),
            own=_own_db(default_db_path),
            path=shlex.quote(str(app.db_path)),
        )
    )


def _own_db(default_db_path) -> str:
    import os

    return os.environ.get("SALESCTL_DB") or str(default_db_path())


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.command("doctor")(doctor)
    app.command("demo")(demo)
