"""The language of human output: one `_()` for the views and messages (docs/chinese.md, Output).

English is the text written in the code: for `en` no catalog is read and `_()` returns its argument.
For `zh-Hant` and `zh-Hans` the stdlib `gettext` reads `locale/<lang>/LC_MESSAGES/salesctl.mo` once
per process (gettext itself is already loaded by click, so Chinese costs one small file read).
JSON keys and values, CSV headers and command names are never passed through `_()`.

Which language: `--lang`, else the `lang` setting, else $SALESCTL_LANG, else the locale
(LC_ALL / LC_MESSAGES / LANG). `main()` starts each run with `begin()`; the language is settled on the
first `_()` of the run, when the command has its database open.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

LANGS = ("en", "zh-Hant", "zh-Hans")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "salesctl"


def check_lang(value: str, *, field: str = "--lang") -> str:
    """`zh-hant` → `zh-Hant`; anything not in LANGS is an error naming the field."""
    from .errors import Invalid  # errors imports this module (N_)

    for lang in LANGS:
        if value.strip().lower() == lang.lower():
            return lang
    raise Invalid(
        field, value, N_("is not a language"), N_("use one of {choices}"), choices=", ".join(LANGS)
    )


def lang_of_locale(value: str) -> str:
    """A POSIX locale name → a salesctl language: zh_TW, zh_HK, zh_MO, zh_Hant* → zh-Hant;
    zh_CN, zh_SG, zh_Hans*, plain zh → zh-Hans; anything else → en."""
    name = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    if name.startswith("zh_hant") or name in ("zh_tw", "zh_hk", "zh_mo"):
        return "zh-Hant"
    if name.startswith("zh_hans") or name in ("zh", "zh_cn", "zh_sg"):
        return "zh-Hans"
    return "en"


def lang_of_environment(environ: Mapping[str, str] | None = None) -> str:
    """$SALESCTL_LANG, else the first of LC_ALL, LC_MESSAGES, LANG that is set (as POSIX reads them)."""
    environ = os.environ if environ is None else environ
    if environ.get("SALESCTL_LANG"):
        return check_lang(environ["SALESCTL_LANG"], field="SALESCTL_LANG")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return lang_of_locale(environ[name])
    return "en"


@cache
def _catalog(lang: str):
    import gettext

    with open(LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as file:
        return gettext.GNUTranslations(file)


def catalog(lang: str):
    """The compiled catalog of a Chinese language (read once per process)."""
    return _catalog(lang)


class _Run:
    """This run's language: resolved lazily by the callable `begin()` was given (the root command's)."""

    resolve: Callable[[bool], str] | None = None
    lang: str | None = None
    resolve_money: Callable[[str], str] | None = None
    money_styles: dict[str, str] = {}


def begin(
    resolve: Callable[[bool], str] | None = None, money_style: Callable[[str], str] | None = None
) -> None:
    """Start a run: forget the last run's language; `resolve(peek)` gives this one's when first needed
    (`peek`: only from what is already known, never opening the database: the error path).
    `money_style(lang)` gives how amounts show to a reader of `lang` (`western` or `wan`), also when
    first needed: a rep's mail in their own language follows that language's default."""
    _Run.resolve = resolve
    _Run.lang = None
    _Run.resolve_money = money_style
    _Run.money_styles = {}


def current(*, peek: bool = False) -> str:
    if _Run.lang is None:
        lang = _Run.resolve(peek) if _Run.resolve is not None else lang_of_environment()
        if peek:
            return lang
        _Run.lang = lang
    return _Run.lang


def _(message: str) -> str:
    """`message` in this run's language."""
    lang = current()
    return message if lang == "en" else _catalog(lang).gettext(message)


def N_(message: str) -> str:
    """Marks an English label defined at import time (a table of rows) for the catalogs; `_()` translates
    it where it is shown."""
    return message


def pgettext(context: str, message: str) -> str:
    """`message` in a context (`stage`, `reason`, `intent`, `kind`, `lost`): words that would
    collide as bare msgids. A word with no entry (a team's own stage) is shown as it is."""
    lang = current()
    return message if lang == "en" else _catalog(lang).pgettext(context, message)


def _peeked() -> str:
    """The language known so far, without opening anything (the error boundary); English when the
    error being reported is a wrong $SALESCTL_LANG itself."""
    from .errors import Invalid

    try:
        return current(peek=True)
    except Invalid:
        return "en"


def peeked() -> str:
    """The language known so far, without opening anything: a usage error's (cli.py)."""
    return _peeked()


def error_prefix() -> str:
    """`Error:` in the language known so far (the error boundary)."""
    lang = _peeked()
    return "Error:" if lang == "en" else _catalog(lang).gettext("Error:")


def message(error: object) -> str:
    """An error's text in the language known so far: a SalesError's template translated, then filled
    with its values (which stay as typed); anything else as it is."""
    lang = _peeked()
    if lang == "en" or not hasattr(error, "render"):
        return str(error)
    return error.render(_catalog(lang).gettext)


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Within the block, `_()` speaks `lang` (a rep's own language for their mail); None keeps the
    run's language."""
    if lang is None:
        yield
        return
    current()  # settle the run's language first, so it is restored exactly
    before = _Run.lang
    _Run.lang = lang
    try:
        yield
    finally:
        _Run.lang = before


def stage(name: str) -> str:
    return pgettext("stage", name)


def reason(name: str) -> str:
    return pgettext("reason", name)


def intent(name: str | None) -> str:
    return pgettext("intent", name) if name else ""


def kind(name: str) -> str:
    return pgettext("kind", name)


def day(iso: str | None, year: int | None = None) -> str:
    """A day in a table: `12-05` in English (with its year when not `year`), `12月5日 週四` /
    `12月5日 周四` in Chinese (`2027年1月5日 週二` in another year). JSON keeps ISO dates."""
    if not iso:
        return ""
    lang = current()
    if lang == "en":
        return iso[5:10] if year is not None and iso[:4] == str(year) else iso[:10]
    from datetime import date

    d = date.fromisoformat(iso[:10])
    week = ("週" if lang == "zh-Hant" else "周") + "一二三四五六日"[d.weekday()]
    prefix = "" if year is not None and d.year == year else f"{d.year}年"
    return f"{prefix}{d.month}月{d.day}日 {week}"


def moment(iso: str | None, year: int | None = None) -> str:
    """A time in a table: `2026-12-05 11:30` in English, `12月5日 週四 11:30` in Chinese (the day as `day`
    shows it, so with its year when not `year`). JSON keeps ISO times."""
    if not iso:
        return ""
    if current() == "en":
        return iso[:16].replace("T", " ")
    return f"{day(iso, year)} {iso[11:16]}".rstrip()


def money(major: int | float | None, currency: str | None) -> str:
    """An amount in a table: `$1,200` (money_style western), or in 万 from 1万 up (wan: `¥12.5万`,
    `NT$12.5萬` in Traditional). JSON keeps plain numbers (docs/chinese.md, Money)."""
    from .money import format_major, format_wan

    lang = current()
    if lang not in _Run.money_styles:
        resolve = _Run.resolve_money
        _Run.money_styles[lang] = resolve(lang) if resolve is not None else "western"
    if _Run.money_styles[lang] != "wan" or major is None:
        return format_major(major, currency)
    hant = lang == "zh-Hant"
    return format_wan(
        round(major * 100), currency, wan="萬" if hant else "万", yi="億" if hant else "亿"
    )
