"""Domain errors: raised anywhere below the CLI, turned into messages and exit codes in cli.py."""

# Characters echoed as escapes in messages: controls (Cc), format characters such as bidi overrides and
# zero-width spaces (Cf), line and paragraph separators, private-use, surrogates and unassigned code points.
_HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"))


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """`text` safe to echo on a terminal: every invisible or controlling character shown as its escape,
    the way repr() shows it (ESC as \\x1b, U+202E as \\u202e), so input cannot drive the terminal or hide."""
    text = str(text)
    if text.isprintable():
        return text
    import unicodedata

    out = []
    for ch in text:
        if (ch == "\n" and keep_newlines) or unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
            out.append(ch)
        else:
            out.append(ascii(ch)[1:-1])
    return "".join(out)


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
