"""Help is documentation: every command answers --help with a real example."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import typer

from salesctl import cli


def _commands():
    cli._register()  # every module, as `salesctl --help` does
    root = typer.main.get_command(cli.app)
    found = []

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, path + [name])
        else:
            found.append(path)

    walk(root, [])
    return found


COMMANDS = _commands()


def test_every_command_of_the_contract_exists():
    names = {" ".join(path) for path in COMMANDS}
    for expected in (
        "add",
        "log",
        "move",
        "won",
        "lost",
        "reopen",
        "snooze",
        "today",
        "stalled",
        "funnel",
        "report",
        "remind",
        "lead list",
        "lead show",
        "lead edit",
        "lead delete",
        "lead assign",
        "handoff",
        "rep add",
        "rep list",
        "rep deactivate",
        "target set",
        "target show",
        "play add",
        "play list",
        "play suggest",
        "import",
        "export",
        "search",
        "backup",
        "doctor",
        "config show",
        "config set",
        "demo",
    ):
        assert expected in names


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_shows_a_real_example(run, path):
    result = run(*path, "--help")
    assert result.code == 0
    assert "Example:" in result.out
    example = result.out[result.out.index("Example:") :]
    # The example runs this very command.
    assert re.search(r"^\s+salesctl " + re.escape(" ".join(path)) + r"\b", example, re.M), example


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_every_help_page_keeps_its_blocks_apart(run, lang):
    """A `\\b` block marker that is not at the start of a paragraph prints as a control character and
    glues two examples together (the root help did)."""
    for path in [(), *COMMANDS]:
        out = run("--lang", lang, *path, "--help").out
        assert "\x08" not in out, path
        assert '--step "send quote"\n\n' in out or path, out


def test_shell_completion_completes_commands():
    from conftest import salesctl_process

    result = salesctl_process(
        env={"_SALESCTL_COMPLETE": "complete_bash", "COMP_WORDS": "salesctl le", "COMP_CWORD": "1"}
    )
    assert result.returncode == 0 and result.stdout.split() == ["lead"]
    # --show-completion finds the shell it runs under (typer asks shellingham), as a user's does: so
    # from bash, not from whatever started the test run (a detached runner has no shell at all). The
    # `; exit $?` keeps bash from exec-ing the command in its own place, so bash stays its parent.
    script = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m salesctl --show-completion; exit $?'],
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0 and "_salesctl_completion" in script.stdout, script.stderr
