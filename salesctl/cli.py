"""The root command: global options, command registration, and the one error boundary."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from functools import cache
from pathlib import Path
from typing import Annotated

import typer

from . import i18n
from .context import App, Run, check_db_path, database_location, demo_db_path
from .errors import Invalid, SalesError, printable
from .i18n import N_
from .usage import SalesGroup

app = typer.Typer(
    name="salesctl",
    cls=SalesGroup,  # an unknown option is named as one, with the nearest match, for every command
    help="salesctl: a command-line sales tracker for small teams.\n\n"
    '\b\nA rep\'s morning:\n  salesctl today\n  salesctl log acme "called, wants a quote" --next fri --step "send quote"\n\n'
    "\b\nAn owner's Monday:\n  salesctl report --week --team\n  salesctl stalled --team\n\n"
    "\b\nTry it on a sample team (its own file, demo.db):\n  salesctl demo\n  salesctl --demo today",
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
        str | None,
        typer.Option(
            "--db",
            metavar="FILE|URL",
            help="Database file, or a PostgreSQL URL (postgresql://HOST/DATABASE; see docs/team.md). "
            "Default: $SALESCTL_DB, else salesctl.db in the user data folder.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="WHEN",
            help='Pin "now": 2026-11-26, 2026-11-26T09:00, yesterday, fri 9am. Default: $SALESCTL_NOW, else the clock.',
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="Language of tables and messages for this run: en, zh-Hant, zh-Hans. "
            "Default: the lang setting, else $SALESCTL_LANG, else the locale (LANG=zh_TW.UTF-8 → zh-Hant).",
            show_default=False,
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Use the demo database (demo.db in the user data folder, made by salesctl demo).",
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    if demo and db:
        raise SalesError(
            N_("--demo: cannot be combined with --db (--demo means --db {path})"),
            path=str(demo_db_path()),
        )
    path = demo_db_path() if demo else database_location(db or os.environ.get("SALESCTL_DB"))
    if isinstance(path, Path):  # a SQLite file; a postgresql:// URL stays text (docs/team.md)
        path = check_db_path(path.expanduser(), "--db" if db or demo else "SALESCTL_DB")
    else:  # refused before anything runs if it holds a password, naming where it came from
        from .dialects.postgres import check_url

        check_url(path, "--db" if db else "SALESCTL_DB")
    app = App(
        db_path=path,
        as_of=as_of or None,
        env_now=os.environ.get("SALESCTL_NOW") or None,
        db_chosen=bool(db or demo),
    )
    if lang is not None:
        from .i18n import check_lang

        app.lang = check_lang(lang)
    i18n.begin(app.language, app.money_style)
    ctx.ensure_object(Run).app = app  # main() made the Run; ensure_object serves other callers
    ctx.call_on_close(app.close)


# Which module of salesctl.commands registers each top-level command. Only the module of the command
# being run is imported and turned into click objects (pip's command table does the same), which saves
# a third of the start-up. This table is only a shortcut: a command missing here, or a stale entry,
# falls back to registering every module, so it can never hide a command (tests/test_startup.py
# checks the entries).
COMMAND_MODULES = {
    "add": "leads",
    "lead": "leads",
    "log": "activity",
    "move": "activity",
    "won": "activity",
    "lost": "activity",
    "reopen": "activity",
    "snooze": "activity",
    "activity": "activity",
    "today": "daily",
    "stalled": "daily",
    "rep": "team",
    "handoff": "team",
    "funnel": "analytics",
    "report": "analytics",
    "target": "analytics",
    "rhythm": "analytics",
    "import": "io",
    "export": "io",
    "search": "io",
    "backup": "io",
    "remind": "remind",
    "play": "plays",
    "cadence": "plays",
    "calendar": "calendar",
    "config": "admin",
    "doctor": "admin",
    "demo": "admin",
    "db": "server",
    "team": "server",
    "pool": "claims",
    "claim": "claims",
}
MODULES = (
    "leads",
    "activity",
    "daily",
    "team",
    "analytics",
    "plays",
    "calendar",
    "io",
    "remind",
    "admin",
    "server",
    "claims",
)
_GLOBAL_VALUE_OPTIONS = ("--db", "--as-of", "--lang")
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


def _globals(argv: list[str]) -> tuple[list[tuple[str, str | None]], str | None]:
    """The global options before the top-level command word, each with its value (None for a flag
    or `--opt=value`), and that word: the first that is not a global option or its value."""
    options: list[tuple[str, str | None]] = []
    args = iter(argv)
    for arg in args:
        if arg in _GLOBAL_VALUE_OPTIONS:
            options.append((arg, next(args, None)))
        elif arg == "--":
            return options, None
        elif not arg.startswith("-"):
            return options, arg
        else:
            options.append((arg, None))
    return options, None


def _command_name(argv: list[str]) -> str | None:
    """The top-level command in argv."""
    return _globals(argv)[1]


def registered_names() -> set[str]:
    """Top-level command and group names registered on `app` so far."""
    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    return names | {g.name for g in app.registered_groups}


@cache
def _click_command(modules: frozenset[str], lang: str = "en"):
    """The click command for these registered modules. Building it is most of a run's own time
    (≈ 30 ms with every module), so a process that calls main() many times (the tests) builds it once.
    `lang`: its help in that language (docs/chinese.md, Help)."""
    command = typer.main.get_command(app)
    if lang != "en":
        from .helptext import translate

        translate(command, i18n.catalog(lang))
    return command


def _help_lang(args: list[str]) -> str:
    """The language help is shown in, when this run shows help (-h, --help, a group or salesctl alone):
    --lang, else $SALESCTL_LANG, else the locale; the `lang` setting is not read, as help never opens
    the database. Any other run: "en", at the cost of a look at argv."""
    name = _command_name(args)
    groups = {g.name for g in app.registered_groups}
    if not ({"-h", "--help"} & set(args) or name is None or (name in groups and args[-1] == name)):
        return "en"
    try:
        return _given_lang(args) or i18n.lang_of_environment()
    except Invalid:
        return "en"  # the root command reports a wrong --lang or $SALESCTL_LANG


def _given_lang(args: list[str]) -> str | None:
    """The language the global --lang names in argv, if any (before the root command has read it).
    Global options come before the command word; a later --lang is a command's own (`rep add`)."""
    for option, value in _globals(args)[0]:
        if option.startswith("--lang="):
            return i18n.check_lang(option.partition("=")[2])
        if option == "--lang":
            return i18n.check_lang(value) if value is not None else None
    return None


def _speaking(lang: str):
    """Click's and Typer's own words in `lang` while a Chinese help run renders (docs/chinese.md, Help)."""
    if lang == "en":
        return nullcontext()
    from .helptext import speaking

    return speaking(i18n.catalog(lang))


def main(argv: list[str] | None = None) -> int:
    """Run salesctl; every failure becomes `Error: …` on stderr and an exit code, never a traceback."""
    _register(sys.argv[1:] if argv is None else argv)
    i18n.begin()  # the root command names this run's language source; until then the environment's
    args = sys.argv[1:] if argv is None else argv
    lang = _help_lang(args)
    command = _click_command(frozenset(_registered), lang)
    # ctx.obj: root() resolves run.app, which tells the error path which database this run used.
    run = Run()
    stdout = sys.stdout
    try:
        _check_text(command, sys.argv[1:] if argv is None else argv)
        with _speaking(lang):
            result = command.main(args=argv, prog_name="salesctl", standalone_mode=False, obj=run)
        return result if isinstance(result, int) else 0
    except SystemExit:
        if sys.stdout is stdout:
            raise
        # Click met a broken pipe (`salesctl export | head`), swapped stdout for a quiet wrapper and exits 1;
        # the reader leaving is not a wrong request.
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        return 0
    except SalesError as exc:
        _error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        _error(SalesError(N_("interrupted; nothing was changed by the interrupted step")))
        return 130
    except BrokenPipeError:
        # `salesctl lead list | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one boundary that must never show a traceback
        return _report(exc, run.app.db_path if run.app else None, args)


def _error(error: object) -> None:
    """`Error: …` on stderr, prefix and message in the run's language (docs/chinese.md, Errors): a
    SalesError's template is translated here, at the edge, and filled with its values as typed.
    Messages quote user input: anything invisible or controlling is escaped."""
    text = i18n.message(error)
    print(f"{i18n.error_prefix()} {printable(text, keep_newlines=True)}", file=sys.stderr)


def _check_text(command, args: list[str]) -> None:
    """Arguments and SALESCTL_* variables must be UTF-8 text. Other bytes reach Python as lone
    surrogates, which no database, file or terminal takes: refuse them before anything is created."""
    from .errors import Invalid

    for name, value in sorted(os.environ.items()):
        if name.startswith("SALESCTL_") and not _is_text(value):
            raise Invalid(name, _shown(value), N_("is not valid UTF-8 text"))
    for index, arg in enumerate(args):
        if not _is_text(arg):
            value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
            raise Invalid(
                _field_of(command, args, index), _shown(value), N_("is not valid UTF-8 text")
            )


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: str) -> str:
    """The undecodable bytes as \\xNN escapes, the rest as typed."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _field_of(command, args: list[str], index: int) -> str:
    """Which option or argument args[index] is for, walking the command tree as click will parse it."""
    if args[index].startswith("--") and "=" in args[index]:
        return args[index].split("=", 1)[0]
    current, positional, value_of = command, 0, None
    for i, token in enumerate(args[: index + 1]):
        if value_of is not None:
            if i == index:
                return value_of
            value_of = None
        elif token.startswith("-") and len(token) > 1 and not token[1:].isdigit():
            option = next(
                (p for p in current.params if p.param_type_name == "option" and token in p.opts),
                None,
            )
            if option is not None and not option.is_flag and not option.count:
                value_of = token
        elif token in getattr(current, "commands", {}) and i != index:
            current, positional = current.commands[token], 0
        elif i == index:
            arguments = [p for p in current.params if p.param_type_name == "argument"]
            if arguments:
                return arguments[min(positional, len(arguments) - 1)].human_readable_name
        else:
            positional += 1
    return f"argument {index + 1}"


def _report(exc: Exception, db_path: Path | str | None = None, args: list[str] = ()) -> int:
    # typer 0.28 vendors click as typer._click (usage.py); both classes are loaded with typer anyway.
    from typer import Abort
    from typer._click.exceptions import ClickException

    from .store import storage_error

    if isinstance(exc, ClickException):  # a usage error: exit 2
        _usage_error(exc, args)
        return exc.exit_code
    if isinstance(exc, Abort):
        _error(SalesError(N_("aborted")))
        return 1
    if _is_driver_error(exc):
        error = storage_error(db_path or os.environ.get("SALESCTL_DB", "salesctl.db"), exc)
        _error(error)
        return error.exit_code
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        if exc.filename:
            _error(SalesError(N_("{file}: {reason}"), file=exc.filename, reason=reason))
        else:
            _error(reason)
        return 1
    if os.environ.get("SALESCTL_DEBUG"):
        raise exc
    _error(
        SalesError(
            N_(
                "internal error ({kind}: {error}); set SALESCTL_DEBUG=1 for details and please report it"
            ),
            kind=type(exc).__name__,
            error=str(exc),
        )
    )
    return 1


def _usage_error(exc, args: list[str]) -> None:
    """A usage error as click shows it, in the language known so far (--lang in argv, as the root
    command may not have read it yet): docs/chinese.md, Help."""
    try:
        lang = _given_lang(args) or i18n.peeked()
    except Invalid:
        lang = "en"
    if lang == "en":
        exc.show()
        return
    from .helptext import show_usage_error

    show_usage_error(exc, i18n.catalog(lang))


def _is_driver_error(exc: Exception) -> bool:
    """sqlite3's or psycopg2's errors, without importing a driver this run did not load."""
    loaded = [sys.modules.get(name) for name in ("sqlite3", "psycopg2")]
    return any(module is not None and isinstance(exc, module.Error) for module in loaded)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
