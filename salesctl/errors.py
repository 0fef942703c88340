"""Domain errors: raised anywhere below the CLI, turned into messages and exit codes in cli.py."""

from __future__ import annotations

from collections.abc import Callable

from .i18n import N_


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


def _same(text: str) -> str:
    return text


class SalesError(Exception):
    """A request that is wrong or cannot be done: exit 1 with ``Error: <message>``.

    The message is an English template marked with N_ where it is raised, its values given as keyword
    arguments, as SalesError(N_(template), name=name). `str()` is the English text; the
    error boundary shows `render(_)`, the template translated and then filled (docs/chinese.md, Errors).
    A value that is itself a SalesError is rendered in the same language."""

    exit_code = 1

    def __init__(self, message: str = "", /, **params: object):
        self.template, self.params = message, params
        super().__init__(self.render())

    def render(self, translate: Callable[[str], str] = _same) -> str:
        return _fill(translate, self.template, self.params)


class Words:
    """A piece of a message translated with it, such as the "none yet" of an empty list."""

    def __init__(self, template: str, /, **params: object):
        self.template, self.params = template, params

    def render(self, translate: Callable[[str], str] = _same) -> str:
        return _fill(translate, self.template, self.params)

    def __str__(self) -> str:
        return self.render()


class Term(Words):
    """A word of salesctl's fixed vocabulary (a stage, an activity kind…) inside a message, translated
    in its context as `i18n.pgettext` does; a word the catalog does not have (a team's own stage) stays
    as it is. The context is looked up the way gettext stores it, as `context\x04word`."""

    def __init__(self, context: str, word: str):
        super().__init__(word)
        self.context = context

    def render(self, translate: Callable[[str], str] = _same) -> str:
        text = translate(f"{self.context}\x04{self.template}")
        return self.template if "\x04" in text else text


class Joined(Words):
    """Pieces of a message (Words, Terms or plain values) joined by `separator`, each shown in the
    language of the message they are in."""

    def __init__(self, pieces: list, separator: str = "; "):
        super().__init__("")
        self.pieces, self.separator = pieces, separator

    def render(self, translate: Callable[[str], str] = _same) -> str:
        return self.separator.join(
            piece.render(translate) if isinstance(piece, Words) else str(piece)
            for piece in self.pieces
        )


def _fill(translate: Callable[[str], str], template: str, params: dict) -> str:
    if not params:
        return translate(template) if template else template
    values = {
        key: value.render(translate) if isinstance(value, SalesError | Words | Term) else value
        for key, value in params.items()
    }
    return translate(template).format(**values)


def _piece(translate: Callable[[str], str], piece: str | Words, params: dict) -> str:
    """A problem or hint: a template filled from the error's values, or Words of its own."""
    return piece.render(translate) if isinstance(piece, Words) else _fill(translate, piece, params)


class Invalid(SalesError):
    """A value that does not parse or is out of range. The message names the field and the value.

    `problem` and `hint` are templates like SalesError's (marked `N_`), filled from `params`; the field
    and the value are shown as typed, never translated (unless the value is Words: a description of
    what was given, such as a file's columns)."""

    def __init__(
        self,
        field: str,
        value: object,
        problem: str | Words,
        hint: str | Words | None = None,
        /,
        **params: object,
    ):
        self.field, self.value = field, value
        self._problem, self._hint, self.params = problem, hint, params
        self.problem = _piece(_same, problem, params)
        self.hint = _piece(_same, hint, params) if hint else hint
        Exception.__init__(self, self.render())

    def detail(self) -> Words:
        """The problem and its hint, without the field and the value: for a message that names those
        itself (a row of a refused import)."""
        problem = (
            self._problem
            if isinstance(self._problem, Words)
            else Words(self._problem, **self.params)
        )
        if not self._hint:
            return problem
        return Words(N_("{message}; {hint}"), message=problem, hint=self.hint_words())

    def hint_words(self) -> Words:
        """The hint, to be shown inside another message in the same language."""
        if isinstance(self._hint, Words):
            return self._hint
        return Words(self._hint or "", **self.params)

    def render(self, translate: Callable[[str], str] = _same) -> str:
        problem = _piece(translate, self._problem, self.params)
        frame = translate(
            N_('{field}: "{value}" {problem}') if self.field else N_('"{value}" {problem}')
        )
        value = self.value.render(translate) if isinstance(self.value, Words) else self.value
        message = frame.format(field=self.field, value=printable(value), problem=problem)
        if self._hint:
            message = translate(N_("{message}; {hint}")).format(
                message=message, hint=_piece(translate, self._hint, self.params)
            )
        return message


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
