"""Domain errors: raised anywhere below the CLI, turned into messages and exit codes in cli.py."""


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """`text` safe to echo on a terminal: every invisible or controlling character shown as its escape,
    the way repr() shows it (ESC as \\x1b, U+202E as \\u202e), so input cannot drive the terminal or hide.

    Escaped: what str.isprintable() rejects (controls, format characters such as bidi overrides and
    zero-width spaces, line separators, private-use, unassigned), except the visible non-ASCII spaces."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(
        ch
        if ch.isprintable() or _plain_space(ch) or (ch == "\n" and keep_newlines)
        else ascii(ch)[1:-1]
        for ch in text
    )


def _plain_space(ch: str) -> bool:
    """A space a terminal shows as a space (U+00A0, U+3000 …): not a control or a line separator."""
    return ch.isspace() and ord(ch) > 0x9F and ch not in "\u2028\u2029"


class SalesError(Exception):
    """A request that is wrong or cannot be done: exit 1 with ``Error: <message>``."""

    exit_code = 1


class Invalid(SalesError):
    """A value that does not parse or is out of range. The message names the field and the value."""

    def __init__(self, field: str, value: object, problem: str, hint: str | None = None):
        self.field, self.value, self.problem, self.hint = field, value, problem, hint
        shown = printable(value)
        message = f'{field}: "{shown}" {problem}' if field else f'"{shown}" {problem}'
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class NotFound(SalesError):
    """A reference (lead, rep, play…) that matches nothing."""


class Ambiguous(SalesError):
    """A reference that matches more than one thing; the message lists the candidates."""


class Duplicate(SalesError):
    """A record that would duplicate an existing one."""


class StoreError(SalesError):
    """The database is busy, unreadable, corrupt or from a newer salesctl: exit 3."""

    exit_code = 3


class Refused(SalesError):
    """A change this person may not make on a team server (docs/team.md, "Who may do what"): exit 1."""
