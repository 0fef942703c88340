"""The root command: global options, command registration, and the one error boundary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .context import App, database_location
from .errors import SalesError

app = typer.Typer(
    name="salesctl",
    help="salesctl: a command-line sales tracker for small teams.\n\n"
    "\b\nA rep's morning:\n  salesctl today\n  salesctl log acme \"called, wants a quote\" --next fri --step \"send quote\"\n"
    "\b\nAn owner's Monday:\n  salesctl report --week --team\n  salesctl stalled --team",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,  # plain help: no Rich import on --help or on usage errors
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"salesctl {version('salesctl')}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Optional[str],
        typer.Option("--db", metavar="FILE|URL",
                     help="Database file, or a PostgreSQL URL (postgresql://HOST/DATABASE; see docs/team.md). "
                     "Default: $SALESCTL_DB, else salesctl.db in the user data folder.",
                     show_default=False),
    ] = None,
    as_of: Annotated[
        Optional[str],
        typer.Option("--as-of", metavar="WHEN", help="Pin \"now\": 2026-11-26, 2026-11-26T09:00, yesterday, fri 9am. Default: $SALESCTL_NOW, else the clock."),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    runs = ctx.obj if isinstance(ctx.obj, list) else []  # main()'s record of this run, for its error messages
    ctx.obj = App(db_path=database_location(db or os.environ.get("SALESCTL_DB")), as_of=as_of or None,
                  env_now=os.environ.get("SALESCTL_NOW") or None)
    runs.append(ctx.obj)
    ctx.call_on_close(ctx.obj.close)


# Which module of salesctl.commands registers each top-level command. Only the module of the command
# being run is imported and turned into click objects (pip's command table does the same), which saves
# a third of the start-up. This table is only a shortcut: a command missing here, or a stale entry,
# falls back to registering every module, so it can never hide a command (tests/test_startup.py
# checks the entries).
COMMAND_MODULES = {
    "add": "leads", "lead": "leads",
    "log": "activity", "move": "activity", "won": "activity", "lost": "activity", "reopen": "activity",
    "snooze": "activity",
    "today": "agenda", "stalled": "agenda",
    "rep": "team", "handoff": "team",
    "funnel": "analytics", "report": "analytics", "target": "analytics",
    "import": "io", "export": "io", "search": "io", "backup": "io",
    "remind": "mail",
    "play": "plays",
    "config": "admin", "doctor": "admin", "demo": "admin",
    "db": "server",
}
MODULES = ("leads", "activity", "agenda", "team", "analytics", "plays", "io", "mail", "admin", "server")
_GLOBAL_VALUE_OPTIONS = ("--db", "--as-of")
_registered: set[str] = set()


def _register(argv: list[str] | None = None) -> None:
    """Add the commands this run needs to `app` (all of them for help, a typo, or no argv given)."""
    import importlib

    name = _command_name(argv) if argv is not None else None
    wanted = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else list(MODULES)
    for module in wanted:
        if module not in _registered:
            _registered.add(module)
            importlib.import_module(f".commands.{module}", __package__).register(app)
    if name is not None and len(wanted) == 1 and name not in registered_names():
        _register()  # a stale table entry: fall back to every command


def _command_name(argv: list[str]) -> str | None:
    """The top-level command in argv: the first word that is not a global option or its value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_VALUE_OPTIONS:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def registered_names() -> set[str]:
    """Top-level command and group names registered on `app` so far."""
    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    return names | {g.name for g in app.registered_groups}


def main(argv: list[str] | None = None) -> int:
    """Run salesctl; every failure becomes `Error: …` on stderr and an exit code, never a traceback."""
    _register(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    runs: list[App] = []  # filled by root(): which database this run used, once its context has closed
    stdout = sys.stdout
    try:
        result = command.main(args=argv, prog_name="salesctl", standalone_mode=False, obj=runs)
        return result if isinstance(result, int) else 0
    except SystemExit:
        if sys.stdout is stdout:
            raise
        # Click met a broken pipe (`salesctl export | head`), swapped stdout for a quiet wrapper and exits 1;
        # the reader leaving is not a wrong request.
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        return 0
    except SalesError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Error: interrupted; nothing was changed by the interrupted step", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `salesctl lead list | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one boundary that must never show a traceback
        return _report(exc, runs[-1].db_path if runs else None)


def _report(exc: Exception, db_path: Path | None = None) -> int:
    from .store import storage_error

    if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click/typer usage errors: exit 2
        exc.show()
        return exc.exit_code
    if type(exc).__name__ == "Abort":
        print("Error: aborted", file=sys.stderr)
        return 1
    if _is_driver_error(exc):
        error = storage_error(db_path or os.environ.get("SALESCTL_DB", "salesctl.db"), exc)
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"Error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    if os.environ.get("SALESCTL_DEBUG"):
        raise exc
    print(f"Error: internal error ({type(exc).__name__}: {exc}); set SALESCTL_DEBUG=1 for details and please report it",
          file=sys.stderr)
    return 1


def _is_driver_error(exc: Exception) -> bool:
    """sqlite3's or psycopg2's errors, without importing a driver this run did not load."""
    loaded = [sys.modules.get(name) for name in ("sqlite3", "psycopg2")]
    return any(module is not None and isinstance(exc, module.Error) for module in loaded)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
