"""`--help` in Chinese (docs/chinese.md, Help): what every command is for, the example headings and the
help of every option, from the `help` context of the catalogs.

Typer takes help texts when a command is declared, in English. They are translated when help is asked
for, by rewriting the click command tree before it renders, so English runs and every run that is not
asking for help do no work at all. Which texts are translated, and so must be in the catalogs, is
`msgids()`; tests/test_i18n.py checks both catalogs against it.
"""

from __future__ import annotations

import re

CONTEXT = "help"
# Options click and typer add themselves: their help is theirs, not salesctl's.
_FOREIGN = ("--install-completion", "--show-completion", "--help")


def _key(text: str) -> str:
    """A help text as a msgid: its words joined by single spaces (docstrings wrap where the code does)."""
    return " ".join(text.split())


def summary(help_text: str) -> str:
    """The first paragraph: what the command is for."""
    return _key(help_text.split("\n\n")[0])


def _walk(command, path: str = "salesctl"):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, f"{path} {name}")


def _headings(help_text: str) -> list[str]:
    """The one-line headings of the `\\b` blocks: `Example:`, `A rep's morning:`."""
    return [m for m in re.findall(r"\x08\n([^\n]+:)\n", help_text)]


def _options(path: str, command) -> list:
    return [p for p in command.params if getattr(p, "help", None) and p.opts[0] not in _FOREIGN]


def short(text: str, limit: int = 30) -> str:
    """A Chinese summary for the list of commands: click shortens at spaces, which Chinese has none
    of, so take the first sentence, cut after a comma or colon when it is longer than `limit`."""
    sentence = text.split("。")[0]
    if len(sentence) <= limit:
        return sentence + ("。" if "。" in text else "")
    cut = max(sentence.rfind(mark, 0, limit) for mark in "，：、；")
    return (sentence[:cut] if cut > 0 else sentence[:limit]) + "…"


def msgids(command) -> set[tuple[str, str]]:
    """(context, msgid) of every help text `translate` looks up."""
    found = set()
    for path, cmd in _walk(command):
        if cmd.help:
            found.add((CONTEXT, summary(cmd.help)))
            found |= {(CONTEXT, h) for h in _headings(cmd.help)}
        found |= {(CONTEXT, _key(p.help)) for p in _options(path, cmd)}
    return found


def translate(command, catalog) -> None:
    """Rewrite the help of `command` and its subcommands in place with `catalog` (a GNUTranslations)."""

    def tr(text: str) -> str:
        return catalog.pgettext(CONTEXT, text)

    for path, cmd in _walk(command):
        if cmd.help:
            first, sep, rest = cmd.help.partition("\n\n")
            for heading in _headings(rest):
                rest = rest.replace(f"\x08\n{heading}\n", f"\x08\n{tr(heading)}\n")
            cmd.help = tr(summary(first)) + sep + rest
            cmd.short_help = short(tr(summary(first)))
        for param in _options(path, cmd):
            param.help = tr(_key(param.help))
