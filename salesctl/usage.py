"""Usage errors that say what was meant: an unknown option is named as an option, with the nearest match.

Commands that take a lead reference accept values like "-5" (so a negative number is a value, not an
option), which made click read a misspelt option after the lead as an extra argument: `won 7 --amout 5k`
said "Got unexpected extra argument(s)". The root group checks every command's options before click
parses them, the same way for every command (docs/first-hour.md).
"""

from __future__ import annotations

import re

# typer 0.28 vendors an adapted click as typer._click (no Group or Option there: typer.core has them);
# pyproject pins typer < 0.29.
from typer._click.core import Command, Context
from typer._click.exceptions import NoSuchOption
from typer.core import TyperGroup, TyperOption

# A token that is a value even though it starts with "-": a negative number or a date offset (-3d).
_VALUE = re.compile(r"-[\d.,]")


class SalesGroup(TyperGroup):
    """The root group: resolves the command as click does, then checks its options (see the module doc)."""

    def resolve_command(self, ctx: Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        leaf, leaf_ctx, leaf_args = command, Context(command, info_name=name, parent=ctx), rest
        while isinstance(leaf, TyperGroup) and leaf_args and not leaf_args[0].startswith("-"):
            sub = leaf.get_command(leaf_ctx, leaf_args[0])
            if sub is None:
                break  # click names the unknown command itself
            leaf_ctx = Context(sub, info_name=leaf_args[0], parent=leaf_ctx)
            leaf, leaf_args = sub, leaf_args[1:]
        if leaf is not None and not isinstance(leaf, TyperGroup):
            check_options(leaf, leaf_ctx, leaf_args)
        return name, command, rest


def check_options(command: Command, ctx: Context, args: list[str]) -> None:
    """Raise a usage error naming the first unknown option in args, with the nearest known one."""
    options: dict[str, TyperOption] = {}
    for param in command.get_params(ctx):
        if isinstance(param, TyperOption):
            for opt in (*param.opts, *param.secondary_opts):
                options[opt] = param
    skip = False
    for token in args:
        if skip:
            skip = False
            continue
        if token == "--":
            return
        if not token.startswith("-") or token == "-" or _VALUE.match(token):
            continue
        name, eq, _ = token.partition("=")
        if not token.startswith("--"):
            name, eq = token[:2], "=" if len(token) > 2 else ""  # -fjson is -f json
        option = options.get(name)
        if option is None:
            raise NoSuchOption(name, message=_unknown(name, options), ctx=ctx)
        skip = not (option.is_flag or option.count) and not eq


def _unknown(name: str, options: dict) -> str:
    from difflib import get_close_matches

    # Only long names are worth guessing at: one letter is too little to say which was meant.
    candidates = [o for o in options if o.startswith("--")]
    nearest = get_close_matches(name, candidates, n=1, cutoff=0.5) if name.startswith("--") else []
    hint = f"did you mean {nearest[0]}?" if nearest else "see -h for the options"
    return f"No such option: {name} ({hint})"
