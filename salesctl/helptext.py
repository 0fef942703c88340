"""`--help` in Chinese (docs/chinese.md, Help): every paragraph of every command's help, the example
headings, the help of every option, and the words Click and Typer print themselves ("Usage:",
"Options", "[default: …]", usage errors), from the `help` context of the catalogs.

Typer takes help texts when a command is declared, in English. They are translated when help is asked
for, by rewriting the click command tree before it renders, so English runs and every run that is not
asking for help do no work at all. Click's and Typer's own words are swapped in by `speaking()` around a
Chinese help run, and a usage error is shown translated by `show_usage_error()`. Which texts are
translated, and so must be in the catalogs, is `msgids()`; tests/test_i18n.py checks both catalogs
against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from unicodedata import east_asian_width

CONTEXT = "help"
# Options click and typer add themselves: their help is theirs, not salesctl's.
_FOREIGN = ("--install-completion", "--show-completion", "--help")


def _key(text: str) -> str:
    """A help text as a msgid: its words joined by single spaces (docstrings wrap where the code does)."""
    return " ".join(text.split())


def summary(help_text: str) -> str:
    """The first paragraph: what the command is for."""
    return _key(help_text.split("\n\n")[0])


def _is_example(paragraph: str) -> bool:
    """A `\\b` block: headings over command lines, which stay as they are (only the headings are words)."""
    return paragraph.startswith("\b")


def _paragraphs(help_text: str) -> list[str]:
    """The prose paragraphs of a help text, as msgids (the first one is the command's summary)."""
    return [_key(p) for p in help_text.split("\n\n") if not _is_example(p)]


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
    of, so take the first sentence; when it is longer than `limit`, drop its asides in brackets, then
    cut after a comma or colon outside brackets: the first past half the limit (a whole thought, not
    the start of the next clause), else the last one."""
    sentence = text.split("。")[0]
    if len(sentence) > limit:
        sentence = re.sub(r"（[^（）]*）", "", sentence)
    if len(sentence) <= limit:
        return sentence + ("。" if "。" in text else "")
    depth, cuts = 0, []
    for index, char in enumerate(sentence[:limit]):
        depth += (char == "（") - (char == "）")
        if depth == 0 and char in "，：、；":
            cuts.append(index)
    cut = next((c for c in cuts if c >= limit // 2), cuts[-1] if cuts else limit)
    return sentence[:cut] + "…"


def msgids(command) -> set[tuple[str, str]]:
    """(context, msgid) of every help text `translate` looks up."""
    found = set()
    for path, cmd in _walk(command):
        if cmd.help:
            found |= {(CONTEXT, p) for p in _paragraphs(cmd.help)}
            found |= {(CONTEXT, h) for h in _headings(cmd.help)}
        found |= {(CONTEXT, _key(p.help)) for p in _options(path, cmd)}
    return found | {(CONTEXT, word) for word in FRAMEWORK_WORDS + USAGE_ERRORS}


def translate(command, catalog) -> None:
    """Rewrite the help of `command` and its subcommands in place with `catalog` (a GNUTranslations)."""

    def tr(text: str) -> str:
        return catalog.pgettext(CONTEXT, text)

    def paragraph(text: str) -> str:
        if not _is_example(text):
            return tr(_key(text))
        for heading in _headings(text):
            text = text.replace(f"\x08\n{heading}\n", f"\x08\n{tr(heading)}\n")
        return text

    for path, cmd in _walk(command):
        if cmd.help:
            cmd.short_help = short(tr(summary(cmd.help)))
            cmd.help = "\n\n".join(paragraph(p) for p in cmd.help.split("\n\n"))
        for param in _options(path, cmd):
            param.help = tr(_key(param.help))
    _translate_framework_options(command, tr)


# ---- Click's and Typer's own words --------------------------------------------------------------------
# typer 0.28 passes its words through the stdlib gettext, bound at import as `typer.core._`; the click it
# vendors (typer._click) writes its words as literals. The stdlib's global gettext domain takes its
# language from the environment, not --lang, and never reaches click's literals: so `speaking()` swaps
# Typer's hook, click's formatter and its text wrapper for the length of a Chinese help run, and a usage
# error, already worded in English, is matched against the templates it was made from.

# Words around salesctl's texts on a help page, as Typer and click write them.
FRAMEWORK_WORDS = (
    "Usage: ",
    "{heading}:",
    "Arguments",
    "Options",
    "Commands",
    "default: {default}",
    "required",
    "Show this message and exit.",
    "Install completion for the current shell.",
    "Show completion for the current shell, to copy it or customize the installation.",
)
# Usage errors, as click, Typer and salesctl's usage.py word them; {name}: a part shown as it is.
# Order matters: the first that matches the whole message wins, so the longer forms come first.
TRY_HELP = "Try '{command} {option}' for help."
USAGE_ERRORS = (
    TRY_HELP,
    "No such option: {option} (did you mean {nearest}?)",
    "No such option: {option} (see -h for the options)",
    "No such option: {option} (Possible options: {options})",
    "No such option: {option}",
    "No such command {name}. Did you mean {names}?",
    "No such command {name}.",
    "Missing command.",
    "Missing argument {name}. Choose from:\n\t{choices}",
    "Missing argument {name}.",
    "Missing option {name}. Choose from:\n\t{choices}",
    "Missing option {name}.",
    "Invalid value for {name}: {problem}",
    "Got unexpected extra argument(s) ({arguments})",
    "Option {name} requires an argument.",
    "Option {name} does not take a value.",
    # The {problem} of "Invalid value for …", as click's types word it.
    "{value} is not a valid int.",
    "{value} is not a valid int range.",
    "{value} is not a valid float.",
    "{value} is not a valid float range.",
    "{value} is not in the range {range}.",
    "{value} is not one of {choices}.",
)


def _translate_framework_options(command, tr) -> None:
    """The help of the options click and Typer add to every command (`-h`) or to the root (completion)."""
    from typer._click.core import Context

    def contexts(cmd, parent=None, name="salesctl"):
        ctx = Context(cmd, info_name=name, parent=parent, **cmd.context_settings)
        yield ctx
        for sub_name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from contexts(sub, ctx, sub_name)

    for ctx in contexts(command):
        help_option = ctx.command.get_help_option(ctx)  # made once per command, then reused
        foreign = [
            p for p in ctx.command.params if getattr(p, "help", None) and p.opts[0] in _FOREIGN
        ]
        for param in [help_option, *foreign] if help_option else foreign:
            param.help = tr(param.help)


@contextmanager
def speaking(catalog) -> Iterator[None]:
    """Within the block, Typer's words (section titles, `[default: …]`, `[required]`), click's
    `Usage: ` and headings come from `catalog`, and help text wraps by display cells (`_CellWrapper`);
    every other text keeps its own."""
    import typer.core
    from typer._click import _textwrap
    from typer._click.core import Context

    words = set(FRAMEWORK_WORDS)

    def typer_words(message: str) -> str:
        return catalog.pgettext(CONTEXT, message) if message in words else message

    saved = typer.core._, Context.formatter_class, _textwrap.TextWrapper
    typer.core._ = typer_words
    Context.formatter_class = _formatter(catalog)
    _textwrap.TextWrapper = _wrapper()
    try:
        yield
    finally:
        typer.core._, Context.formatter_class, _textwrap.TextWrapper = saved


@cache
def _formatter(catalog):
    """click's HelpFormatter with its `Usage: ` and `Options:` headings in the catalog's language."""
    from typer._click.formatting import HelpFormatter

    def tr(message: str) -> str:
        return catalog.pgettext(CONTEXT, message)

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, tr("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{tr('{heading}:').format(heading=heading)}\n")

    return Formatter


@cache
def _wrapper():
    from typer._click._textwrap import TextWrapper

    return type("CellWrapper", (_CellWrapper, TextWrapper), {})


# Punctuation that must not start a line, and punctuation that must not end one.
_CLOSING = frozenset("）」』”’》〉】，。、；：？！…")
_OPENING = frozenset("（「『“‘《〈【")


def _wide(char: str) -> bool:
    """Takes two cells on a terminal (CJK ideographs, kana, hangul, full-width forms)."""
    return char >= "\u1100" and east_asian_width(char) in "WF"


def _cells(text: str) -> int:
    return sum(2 if _wide(char) else 1 for char in text)


def _units(text: str) -> list[str]:
    """Text as the pieces a line may break between: runs of spaces, words, and single wide characters
    (closing punctuation stays with the piece before it, opening punctuation with the one after), and
    Typer's `[預設：30]` whole."""
    units: list[str] = []
    square = 0
    for char in text:
        if units:
            last = units[-1][-1]
            if square or (
                char.isspace() == last.isspace()
                and (
                    char.isspace()
                    or char in _CLOSING
                    or last in _OPENING
                    or not (_wide(char) or _wide(last))
                )
            ):
                units[-1] += char
                square = max(square + (char == "[") - (char == "]"), 0)
                continue
        units.append(char)
        square = max(square + (char == "[") - (char == "]"), 0)
    return units


class _CellWrapper:
    """click's TextWrapper for text with CJK in it: measures display cells (a CJK character takes two),
    and breaks between any two CJK characters as well as at spaces, never before closing punctuation
    or after opening punctuation. Text without CJK is wrapped as click wraps it."""

    def wrap(self, text: str) -> list[str]:
        if not any(_wide(char) for char in text):
            return super().wrap(text)
        lines: list[str] = []
        line: list[str] = []
        indent, space = self.initial_indent, ""
        room = self.width - _cells(indent)
        for unit in _units(text):
            if unit.isspace():  # kept between words ("help  [default: 30]"), dropped at a break
                space = " " if "\n" in unit else unit
                continue
            if line and _cells(space + unit) > room:
                lines.append(indent + "".join(line))
                line, indent, space = [], self.subsequent_indent, ""
                room = self.width - _cells(indent)
            line.append(space + unit if line else unit)
            room -= _cells(line[-1])
            space = ""
        if line:
            lines.append(indent + "".join(line))
        return lines


@cache
def _pattern(template: str) -> re.Pattern:
    """A template as a regular expression: each {name} a group that takes anything."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
        re.DOTALL,
    )


def usage_message(message: str, catalog) -> str:
    """A usage error's English message in the catalog's language; the parts it quotes stay as they
    are (the {problem} of an invalid value is translated in turn). A message no template matches
    stays English."""
    for template in USAGE_ERRORS[1:]:
        found = _pattern(template).fullmatch(message)
        if found:
            values = found.groupdict()
            if "problem" in values:
                values["problem"] = usage_message(values["problem"], catalog)
            return catalog.pgettext(CONTEXT, template).format(**values)
    return message


def show_usage_error(exc, catalog) -> None:
    """What `exc.show()` prints (usage line, hint, `Error: …` on stderr), in the catalog's language."""
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
    from typer._click.utils import echo

    if isinstance(exc, NoArgsIsHelpError) or not isinstance(exc, UsageError):
        exc.show()  # a group's help, made when it was raised (in a help run: already translated)
        # or a ClickException that is not about usage: as click shows it
        return
    with speaking(catalog):
        ctx = exc.ctx
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = catalog.pgettext(CONTEXT, TRY_HELP).format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
                hint += "\n"
            echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
        message = usage_message(exc.format_message(), catalog)
        echo(f"{catalog.gettext('Error:')} {message}", err=True, color=ctx.color if ctx else None)
