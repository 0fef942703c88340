"""Start-up stays light: what a run imports is what it uses (no timing assertions: machines are noisy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # fresh interpreters

HEAVY = ("rich.table", "rich.console", "sqlite_utils", "dateutil.parser", "pydantic")

# Runs salesctl exactly as `python -m salesctl` does and, at exit, prints the loaded modules on fd 3's
# stand-in (stderr, after a marker) so stdout stays the command's.
PROBE = """
import atexit, json, runpy, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["salesctl", *sys.argv[1:]]
runpy.run_module("salesctl", run_name="__main__", alter_sys=True)
"""


def loaded_by(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=os.environ
    )
    marker = done.stderr.rsplit("MODULES ", 1)
    assert len(marker) == 2, done.stderr
    return done, set(json.loads(marker[1]))


def test_importing_the_cli_loads_nothing_heavy():
    code = "import json, sys, salesctl.cli; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    modules = set(json.loads(out))
    assert "salesctl.cli" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_help_loads_nothing_heavy():
    done, modules = loaded_by("--help")
    assert done.returncode == 0 and "today" in done.stdout  # the real help, with every command
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert "salesctl.helptext" not in modules  # Chinese help's module (docs/chinese.md, Help)
    done, modules = loaded_by(
        "lead", "show", "--bogus"
    )  # an English usage error: no catalog either
    assert done.returncode == 2 and "salesctl.helptext" not in modules


@pytest.mark.parametrize(
    "args",
    [
        ("today", "--format", "json"),
        ("stalled", "--format", "json"),
        ("lead", "list", "--format", "json"),
    ],
)
def test_json_commands_on_an_empty_database_load_nothing_heavy(args):
    done, modules = loaded_by(*args)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_a_command_imports_only_its_own_command_module():
    done, modules = loaded_by("today", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "salesctl.commands.daily" in modules
    assert "salesctl.commands.leads" not in modules  # `today` needs no lead-management commands


def test_every_command_table_entry_names_the_module_that_registers_it():
    """`COMMAND_MODULES` is a start-up shortcut; a wrong entry would cost speed (never a command)."""
    import importlib

    import typer

    from salesctl import cli

    registers = {}
    for module in cli.MODULES:
        probe = typer.Typer()
        importlib.import_module(f"salesctl.commands.{module}").register(probe)
        names = {c.name or c.callback.__name__.replace("_", "-") for c in probe.registered_commands}
        names |= {g.name for g in probe.registered_groups}
        for name in names:
            registers[name] = module
    for name, module in cli.COMMAND_MODULES.items():
        assert registers.get(name) == module, (
            f"{name} is registered by {registers.get(name)}, not {module}"
        )
    unlisted = sorted(set(registers) - set(cli.COMMAND_MODULES))
    assert not unlisted, f"add these commands to salesctl.cli.COMMAND_MODULES: {unlisted}"


@pytest.mark.parametrize(
    "argv, name",
    [
        (["today"], "today"),
        (["--db", "x.db", "--as-of", "2026-01-01", "lead", "list"], "lead"),
        (["--db=x.db", "today", "--rep", "bob"], "today"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_command_word_is_found_after_global_options(argv, name):
    from salesctl.cli import _command_name

    assert _command_name(argv) == name


def test_an_unknown_command_still_gets_the_full_suggestion(run):
    result = run("tody")
    assert result.code == 2
    assert "today" in result.err  # click's "Did you mean" needs every command registered


def test_chinese_words_load_only_for_chinese_input():
    """salesctl.zh (docs/chinese.md) is imported for non-ASCII input only: English input pays nothing."""
    done, modules = loaded_by(
        "add", "Acme", "--next", "fri 3pm", "--value", "5k", "--intent", "hot"
    )
    assert done.returncode == 0, done.stderr
    assert "salesctl.zh" not in modules
    done, modules = loaded_by("add", "李偉", "--next", "明天下午3點", "--value", "五萬")
    assert done.returncode == 0, done.stderr
    assert "salesctl.zh" in modules
