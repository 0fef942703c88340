"""The pipeline vocabulary and settings: defaults from the contract, validation of `config set`."""

from __future__ import annotations

import json
import re
import unicodedata  # a builtin module (0.2 ms): loaded up front, not when a name is first checked
from dataclasses import dataclass, field

from .errors import Invalid, Words
from .i18n import LANGS, N_

CLOSED_STAGES = ("won", "lost")
DEFAULT_STAGES = ("new", "contacted", "quoted", "negotiating", "deciding")
DEFAULT_ROT_DAYS = {"new": 3, "contacted": 7, "quoted": 7, "negotiating": 10, "deciding": 14}
DEFAULT_PROBABILITY = {
    "new": 0.05,
    "contacted": 0.10,
    "quoted": 0.30,
    "negotiating": 0.50,
    "deciding": 0.70,
}
DEFAULT_LOST_REASONS = (
    "price",
    "budget",
    "competitor",
    "no-decision",
    "timing",
    "no-need",
    "unresponsive",
    "other",
)
# A rep id that no row has: a scope of nobody, so lists and sums are empty, not an error (the current
# rep before their first change; a report --rep for a rep without figures).
NO_REP = -1
ACTIVITY_KINDS = ("call", "email", "message", "meeting", "visit", "proposal", "quote", "note")
INTENTS = ("hot", "warm", "cold")

MAX_NAME = 200
MAX_TEXT = 1000
MAX_NOTE_BYTES = 64 * 1024

_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass
class Settings:
    """Every configurable knob, with the contract's defaults."""

    stages: tuple[str, ...] = DEFAULT_STAGES
    rot_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ROT_DAYS))
    probability: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PROBABILITY))
    lost_reasons: tuple[str, ...] = DEFAULT_LOST_REASONS
    timezone: str | None = None
    default_rep: str | None = None
    currency: str = "USD"
    owners: tuple[str, ...] = ()  # reps who run the team: they may fix anyone's activities
    # The calendar feed's reminder before each follow-up (0: none) and whether a stage move ends a
    # running cadence (docs/calendar.md).
    alarm_minutes: int = 15
    cadence_ends_on_move: bool = True
    # Exchange rates by team currency: {"CNY": {"USD": "7.12"}} is 7.12 CNY per 1 USD (docs/figures.md).
    fx: dict[str, dict[str, str]] = field(default_factory=dict)
    lang: str | None = (
        None  # en, zh-Hant or zh-Hans; unset: $SALESCTL_LANG, else the locale (docs/chinese.md)
    )
    # How tables show amounts: western (¥125,000) or wan (¥12.5万); unset: see default_money_style.
    money_style: str | None = None
    # The shared pool (docs/pool.md): days without an effective touch after which `pool recycle` returns
    # a lead of that stage to the pool (a stage not named: never), and how many open leads a claim may
    # bring a rep to (None: no limit).
    pool_release_days: dict[str, int] = field(default_factory=dict)
    pool_max_open_per_rep: int | None = None

    @property
    def rates(self) -> dict[str, str]:
        """The rates into the team currency now in use: code → team-currency units per 1 of that code."""
        return self.fx.get(self.currency, {})

    @property
    def all_stages(self) -> tuple[str, ...]:
        return self.stages + CLOSED_STAGES

    def check_stage(self, value: str, *, field: str = "stage", open_only: bool = True) -> str:
        stage = from_chinese("STAGES", value.strip().lower())
        allowed = self.stages if open_only else self.all_stages
        if stage not in allowed:
            raise Invalid(
                field,
                value,
                N_("is not a stage"),
                N_("use one of {choices}"),
                choices=", ".join(allowed),
            )
        return stage

    def check_reason(self, value: str) -> str:
        reason = from_chinese("LOST_REASONS", value.strip().lower())
        if reason not in self.lost_reasons:
            raise Invalid(
                "--reason",
                value,
                N_("is not a lost reason"),
                N_("use one of {choices}"),
                choices=", ".join(self.lost_reasons),
            )
        return reason

    def as_dict(self) -> dict:
        return {
            "stages": list(self.stages),
            "rot_days": self.rot_days,
            "probability": self.probability,
            "lost_reasons": list(self.lost_reasons),
            "timezone": self.timezone,
            "default_rep": self.default_rep,
            "currency": self.currency,
            "owners": list(self.owners),
            "alarm_minutes": self.alarm_minutes,
            "cadence_ends_on_move": self.cadence_ends_on_move,
            "fx": dict(sorted(self.rates.items())),
            "lang": self.lang,
            "money_style": self.money_style,
            "pool.release_days": dict(self.pool_release_days),
            "pool.max_open_per_rep": self.pool_max_open_per_rep,
        }

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> Settings:
        """Settings from the stored key → JSON value pairs; unknown keys are ignored.

        A value of the wrong shape (a database restored from a hand-edited file before restores were
        checked) is skipped, so every command, `config set` included, still runs; `doctor` names it."""
        s = cls()
        for key, raw in rows.items():
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if key in ("stages", "lost_reasons", "owners"):
                if (
                    isinstance(value, list)
                    and (value or key == "owners")
                    and all(isinstance(w, str) for w in value)
                ):
                    setattr(s, key, tuple(value))
            elif key in ("rot_days", "probability"):
                if isinstance(value, dict):
                    getattr(s, key).update({k: v for k, v in value.items() if _is_number(v)})
            elif key in ("timezone", "default_rep") and (value is None or isinstance(value, str)):
                setattr(s, key, value)
            elif key == "currency" and isinstance(value, str):
                s.currency = value
            elif key == "lang" and value in LANGS:
                s.lang = value
            elif key == "money_style" and value in MONEY_STYLES:
                s.money_style = value
            elif key == "alarm_minutes" and _is_number(value):
                s.alarm_minutes = int(value)
            elif key == "cadence_ends_on_move" and isinstance(value, bool):
                s.cadence_ends_on_move = value
            elif key == "pool.release_days" and isinstance(value, dict):
                s.pool_release_days = {
                    k: v for k, v in value.items() if _is_number(v) and int(v) == v and v > 0
                }
            elif key == "pool.max_open_per_rep" and (
                value is None or (_is_number(value) and int(value) == value and value > 0)
            ):
                s.pool_max_open_per_rep = value
            elif (
                key == "fx"
                and isinstance(value, dict)
                and all(
                    isinstance(rates, dict) and all(isinstance(r, str) for r in rates.values())
                    for rates in value.values()
                )
            ):
                s.fx = value
        # A stage added by `config set stages` starts with a week's rot and its predecessor's probability.
        previous = 0.0
        for stage in s.stages:
            s.rot_days.setdefault(stage, 7)
            previous = s.probability.setdefault(stage, previous)
        return s


MONEY_STYLES = ("western", "wan")


def default_money_style(lang: str, currency: str) -> str:
    """`wan` (¥12.5万) for a Chinese screen of a CNY or TWD team, else `western` (docs/chinese.md)."""
    return "wan" if lang != "en" and currency in ("CNY", "TWD") else "western"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_settings(raw: object) -> tuple[dict[str, object], Settings, list[Invalid]]:
    """Settings as a document holds them (key → JSON value), each through the parser of `config set`.

    Returns the values to store, the Settings they make, and one Invalid per bad key (that key is left
    at its default). Used to restore an export and by `doctor` on a database's own settings."""
    settings, stored, problems = Settings(), {}, []
    if not isinstance(raw, dict):
        return (
            stored,
            settings,
            [
                Invalid(
                    "settings",
                    _shown(raw),
                    N_("is not an object of settings"),
                    N_('e.g. {"stages": [...]}'),
                )
            ],
        )
    for key in sorted(
        raw, key=lambda k: k != "stages"
    ):  # stages first: per-stage values are checked against them
        value = raw[key]
        try:
            stored[key] = _check_setting(settings, str(key), value)
        except Invalid as exc:
            problems.append(exc)
    return stored, settings, problems


# Settings salesctl keeps for itself (an export carries them; config set does not change them), each with
# the shape of its value. A new one must be added here, or restoring an export refuses it.
INTERNAL_SETTINGS = {
    "calendar_id": re.compile(
        r"[0-9a-f]{8,64}"
    ),  # the random part of calendar event UIDs (docs/calendar.md)
}


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_setting(settings: Settings, key: str, value: object) -> object:
    """One stored setting through `parse_setting`; updates `settings` and returns the value to store."""
    field_name = f"config {key}"
    if key in ("stages", "lost_reasons", "owners"):
        if not isinstance(value, list) or not all(
            isinstance(w, str) and "," not in w for w in value
        ):
            raise Invalid(
                field_name,
                _shown(value),
                N_("is not a list of names"),
                N_("e.g. {example}"),
                example=json.dumps(list(getattr(Settings(), key))[:3] or ["alice"]),
            )
        _key, words = parse_setting(settings, key, ",".join(value))
        if words != value:
            raise Invalid(
                field_name,
                _shown(value),
                N_("is not a list of distinct names as config set stores them"),
            )
        setattr(settings, key, tuple(words))
        return words
    if key in ("rot_days", "probability"):
        if not isinstance(value, dict):
            raise Invalid(
                field_name,
                _shown(value),
                N_("is not an object of STAGE: value"),
                N_('e.g. {"quoted": 7}'),
            )
        for stage, number in value.items():
            if not _is_number(number):
                raise Invalid(f"config {key}.{stage}", _shown(number), N_("is not a number"))
            # A stage removed since keeps its value (it comes back with it); its value is checked all the same.
            scope = settings if stage in settings.stages else Settings(stages=(str(stage),))
            _key, checked = parse_setting(scope, f"{key}.{stage}", str(number))
            getattr(settings, key)[stage] = checked[stage]
        return dict(getattr(settings, key))
    if key == "pool.release_days":
        if not isinstance(value, dict):
            raise Invalid(
                field_name,
                _shown(value),
                N_("is not an object of STAGE: days"),
                N_('e.g. {"contacted": 14}'),
            )
        days = {}
        for stage, number in value.items():
            if not _is_number(number):
                raise Invalid(f"config {key}.{stage}", _shown(number), N_("is not a number"))
            scope = settings if stage in settings.stages else Settings(stages=(str(stage),))
            _key, checked = parse_setting(scope, f"{key}.{stage}", str(number))
            days[stage] = checked[stage]
        settings.pool_release_days = days
        return days
    if key == "pool.max_open_per_rep":
        _key, checked = parse_setting(settings, key, "off" if value is None else str(value))
        settings.pool_max_open_per_rep = checked
        return checked
    if key in INTERNAL_SETTINGS:  # written by salesctl itself, not by config set
        if not isinstance(value, str) or not INTERNAL_SETTINGS[key].fullmatch(value):
            raise Invalid(f"settings {key}", _shown(value), N_("is not what salesctl writes there"))
        return value
    if (
        key == "fx"
    ):  # {team currency: {currency: rate text}}, each rate as `config set fx.CODE RATE` takes it
        if not isinstance(value, dict) or not all(
            isinstance(rates, dict) for rates in value.values()
        ):
            raise Invalid(
                field_name,
                _shown(value),
                N_("is not an object of currency: {currency: rate}"),
                N_('e.g. {"CNY": {"USD": "7.12"}}'),
            )
        for team, rates in value.items():
            for code, rate in rates.items():
                scope = Settings(currency=str(team), fx=settings.fx)
                _key, settings.fx = parse_setting(
                    scope, f"fx.{code}", rate if isinstance(rate, str) else _shown(rate)
                )
        return settings.fx
    if value is None and key in ("timezone", "default_rep", "lang", "money_style"):
        setattr(settings, key, None)
        return None
    if isinstance(value, bool) or _is_number(
        value
    ):  # the text `config set` takes for a flag or a number
        value = str(value).lower() if isinstance(value, bool) else str(value)
        if key in ("timezone", "default_rep", "currency", "lang", "money_style"):
            raise Invalid(field_name, value, N_("is not text"))
    elif not isinstance(value, str):
        raise Invalid(
            field_name,
            _shown(value),
            N_("is not a valid value"),
            N_("see salesctl config set --help"),
        )
    _key, checked = parse_setting(settings, key, value)
    if hasattr(settings, key):
        setattr(settings, key, checked)
    return checked


def repair_hint(problem: Invalid) -> str | Words:
    """The `config set` command that replaces a bad stored setting (see check_settings)."""
    key = problem.field.removeprefix("config ").split(".")[0]
    examples = {
        "stages": ",".join(DEFAULT_STAGES),
        "lost_reasons": ",".join(DEFAULT_LOST_REASONS),
        "timezone": "Asia/Shanghai",
        "default_rep": "NAME",
        "currency": "USD",
        "lang": "en",
        "money_style": "western",
        "owners": '""',
        "alarm_minutes": "15",
        "cadence_ends_on_move": "true",
    }
    if key in ("rot_days", "probability"):
        return f"salesctl config set {key}.STAGE {'DAYS' if key == 'rot_days' else 'P'} (one stage rewrites them all)"
    if key in examples:
        return f"salesctl config set {key} {examples[key]}"
    if key == "pool":
        name = problem.field.removeprefix("config ")
        return f"salesctl config set {name}{'.STAGE' if name == 'pool.release_days' else ''} off"
    return Words(N_("it is not a setting and is ignored"))


CONFIG_KEYS = (
    "stages",
    "rot_days.STAGE",
    "probability.STAGE",
    "lost_reasons",
    "timezone",
    "default_rep",
    "currency",
    "owners",
    "alarm_minutes",
    "cadence_ends_on_move",
    "fx.CODE",
    "lang",
    "money_style",
    "pool.release_days.STAGE",
    "pool.max_open_per_rep",
)


def parse_setting(settings: Settings, key: str, value: str) -> tuple[str, object]:
    """Validate `config set KEY VALUE`; returns the stored key and its new (JSON-able) value."""
    field_name = f"config {key}"
    if key in ("stages", "lost_reasons"):
        words = [w.strip().lower() for w in value.split(",") if w.strip()]
        for w in words:
            if not _WORD.match(w) or w in CLOSED_STAGES:
                raise Invalid(
                    field_name,
                    w,
                    N_("is not a valid name"),
                    N_("use short lower-case words like quoted or no-need"),
                )
        if not words or len(set(words)) != len(words):
            raise Invalid(field_name, value, N_("must be a comma-separated list of distinct names"))
        return key, words
    if key.startswith(("rot_days.", "probability.")):
        group, _, stage = key.partition(".")
        settings.check_stage(stage, field=field_name)
        if group == "rot_days":
            if not value.isdigit() or not 0 < int(value) <= 3650:
                raise Invalid(
                    field_name, value, N_("must be a whole number of days from 1 to 3650")
                )
            return group, {**settings.rot_days, stage: int(value)}
        try:
            p = float(value)
        except ValueError:
            p = -1.0
        if not 0.0 <= p <= 1.0:
            raise Invalid(
                field_name, value, N_("must be a probability from 0 to 1"), N_("e.g. 0.35")
            )
        return group, {**settings.probability, stage: p}
    if key == "lang":
        from .i18n import check_lang

        return key, check_lang(value, field=field_name)
    if key == "money_style":
        word = value.strip().lower()
        if word not in MONEY_STYLES:
            raise Invalid(field_name, value, N_("is not a money style"), N_("use western or wan"))
        return key, word
    if key == "timezone":
        from .dates import zone

        zone(value)
        return key, value
    if key == "default_rep":
        return key, check_name(value, field=field_name)
    if key == "owners":  # comma-separated rep names; "" for none
        names = [check_name(n, field=field_name) for n in value.split(",") if n.strip()]
        return key, list(dict.fromkeys(names))
    if key == "currency":
        from .money import parse_currency

        return key, parse_currency(value, field=field_name)
    if key == "alarm_minutes":
        if not value.strip().isdigit() or int(value) > 10080:
            raise Invalid(field_name, value, N_("must be whole minutes from 0 (no alarm) to 10080"))
        return key, int(value)
    if key == "cadence_ends_on_move":
        word = value.strip().lower()
        if word not in ("true", "false", "yes", "no", "on", "off"):
            raise Invalid(field_name, value, N_("must be true or false"))
        return key, word in ("true", "yes", "on")
    if key.startswith("fx."):
        return "fx", _with_rate(settings, key, value)
    if key.startswith("pool.release_days."):  # docs/pool.md
        stage = key.removeprefix("pool.release_days.")
        settings.check_stage(stage, field=field_name)
        days = dict(settings.pool_release_days)
        if value.strip().lower() == "off":
            days.pop(stage, None)
        elif not value.strip().isdigit() or not 0 < int(value) <= 3650:
            raise Invalid(
                field_name, value, N_("must be a whole number of days from 1 to 3650, or off")
            )
        else:
            days[stage] = int(value)
        return "pool.release_days", days
    if key == "pool.max_open_per_rep":
        if value.strip().lower() == "off":
            return key, None
        if not value.strip().isdigit() or not 0 < int(value) <= 1_000_000:
            raise Invalid(field_name, value, N_("must be a whole number of leads from 1, or off"))
        return key, int(value)
    raise Invalid(
        "config",
        key,
        N_("is not a setting"),
        N_("settable keys: {choices}"),
        choices=", ".join(CONFIG_KEYS),
    )


_RATE = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12})?")


def _with_rate(settings: Settings, key: str, value: str) -> dict[str, dict[str, str]]:
    """`fx.USD 7.12`: 7.12 team-currency units buy 1 USD. Kept as the exact decimal text, per team currency."""
    from .money import parse_currency

    field_name = "config " + key.upper().replace("FX.", "fx.", 1)
    code = parse_currency(key.partition(".")[2], field=field_name)
    if code == settings.currency:
        raise Invalid(
            field_name,
            value,
            N_("is for the team currency ({code}) itself"),
            N_("its rate is always 1"),
            code=code,
        )
    text = value.strip()
    if not _RATE.fullmatch(text) or not text.strip("0."):
        raise Invalid(
            field_name,
            value,
            N_("is not a positive exchange rate"),
            N_("give how many {team} buy 1 {code}, as 7.12"),
            team=settings.currency,
            code=code,
        )
    return {**settings.fx, settings.currency: {**settings.rates, code: text}}


# --- text and addresses: the one place that decides what text may enter (see the README's Reliability) ---
# Every entry path (CLI options, $SALESCTL_REP, CSV import, restore) calls these checks.

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1, line/paragraph separators
_NOTE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but tab and line breaks
# Bidirectional embeddings, overrides and isolates: they reorder what a terminal shows (U+202E makes
# "exe.txt" read "txt.exe"), so a name could pass for another.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Letters that draw nothing (Hangul fillers, Braille blank): a name of only these looks blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


_REFUSED_IN_NAMES = re.compile(_CONTROL.pattern[:-1] + _BIDI.pattern[1:])  # both, in one pass


def _first_control(text: str, pattern: re.Pattern = _CONTROL) -> str | None:
    found = pattern.search(text)
    return found.group() if found else None


def has_visible(text: str) -> bool:
    """True when some character of `text` draws something: a letter, digit, punctuation or symbol, not
    only spaces, zero-width or format characters (U+200B, U+FEFF) and combining marks."""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in _BLANK_LETTERS for c in text)


def check_name(value: str, *, field: str, limit: int = MAX_NAME) -> str:
    """A name or one-line label: not blank or invisible, no control characters or bidi overrides, within
    the size limit. Errors show the value with invisible characters escaped (errors.printable)."""
    text = value.strip()
    if not text:
        raise Invalid(field, value, N_("is blank"), N_("give a name"))
    if _REFUSED_IN_NAMES.search(
        text
    ):  # one pass for the usual clean name; then say which rule it broke
        bad = _first_control(text)
        if bad is not None:
            raise Invalid(
                field,
                value,
                N_("contains control characters ({char})"),
                N_("names are one line of text"),
                char=ascii(bad)[1:-1],
            )
        bad = _first_control(text, _BIDI)
        if bad is not None:
            raise Invalid(
                field,
                value,
                N_("contains a bidirectional override ({char})"),
                N_("it can make text display as something else; retype the name without it"),
                char=ascii(bad)[1:-1],
            )
    # Stripped ASCII without controls always shows something; other text is checked character by character.
    if not text.isascii() and not has_visible(text):
        raise Invalid(field, value, N_("has no visible character"), N_("give a name"))
    if len(text) > limit:
        raise Invalid(field, text[:20] + "…", N_("is longer than {limit} characters"), limit=limit)
    return text


def check_text(value: str | None, *, field: str, limit: int = MAX_TEXT) -> str | None:
    """An optional one-line attribute: stripped, None when blank."""
    if value is None or not value.strip():
        return None
    return check_name(value, field=field, limit=limit)


def check_note(value: str, *, field: str = "NOTE") -> str:
    """A note may span lines (any line ending becomes \\n) and hold tabs, no other control character,
    and must stay under 64 KiB."""
    if len(value.encode("utf-8")) > MAX_NOTE_BYTES:
        raise Invalid(field, value[:20] + "…", N_("is over the 64 KiB limit for a note"))
    bad = _first_control(value, _NOTE_CONTROL)
    if bad is not None:
        raise Invalid(
            field,
            value[:40],
            N_("contains control characters ({char})"),
            N_("a note may hold line breaks and tabs only"),
            char=ascii(bad)[1:-1],
        )
    # A lone CR would move the cursor back over the line when the note is shown.
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


MAX_EMAIL = 254
# Not in an address salesctl accepts: whitespace, and the list separators, brackets and quotes that make one
# string name several mailboxes or a display name, and the backslash of quoted local parts.
_EMAIL_REFUSED = re.compile(r'[\s,;<>()\[\]"\\:]')
# Plain ASCII atoms around one @: for these parseaddr always gives the text back (a test checks it), so the
# slow parser (45 µs an address, 4.5 s per 100,000 imported leads) only runs on everything else.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\Z")


def email_problem(text: str) -> str | None:
    """Why `text` is not exactly one plain address (addr-spec, local@domain.tld), or None when it is.

    The rule: one `@`, a dotted domain, no whitespace, control or invisible characters, none of
    `,;<>()[]":\\`, at most 254 characters, and `email.utils.parseaddr` gives back the same string, so no
    mail library can read it as two recipients or a name plus an address."""
    if len(text) > MAX_EMAIL:
        return N_("is longer than 254 characters")
    if not text.isprintable() or _EMAIL_REFUSED.search(text):
        return N_(
            'is not one email address (it may not hold spaces, control characters or , ; < > ( ) [ ] " : \\)'
        )
    local, at, domain = text.partition("@")
    if not local or not at or "@" in domain or "." not in domain.strip(".") or ".." in domain:
        return N_("is not an email address")
    if domain.startswith((".", "-")) or domain.endswith((".", "-")):
        return N_("is not an email address")
    if not _PLAIN_ADDRESS.match(text):
        from email.utils import parseaddr

        if parseaddr(text) != ("", text):
            return N_("is not one email address")
    return None


def check_email(value: str | None, *, field: str = "--email") -> str | None:
    """An optional email address: exactly one addr-spec (see email_problem); None when blank."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    problem = email_problem(text)
    if problem:
        raise Invalid(field, value, problem, N_("e.g. li.wei@example.com"))
    return text


_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,32}$")


def check_phone(value: str | None, *, field: str = "--phone") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 3:
        raise Invalid(
            field,
            value,
            N_("is not a phone number"),
            N_("digits with optional + ( ) - . and spaces"),
        )
    return text


def phone_digits(phone: str | None) -> str | None:
    """The digits of a phone number: what duplicate detection compares."""
    return "".join(c for c in phone if c.isdigit()) if phone else None


def check_intent(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    intent = from_chinese("INTENTS", value.strip().lower())
    if intent not in INTENTS:
        raise Invalid("--intent", value, N_("is not an intent"), N_("use hot, warm or cold"))
    return intent


def check_kind(value: str) -> str:
    kind = from_chinese("ACTIVITY_KINDS", value.strip().lower())
    if kind not in ACTIVITY_KINDS:
        raise Invalid(
            "--kind",
            value,
            N_("is not an activity kind"),
            N_("use one of {choices}"),
            choices=", ".join(ACTIVITY_KINDS),
        )
    return kind


def from_chinese(table: str, word: str) -> str:
    """A Chinese stage, reason, intent or kind → its English name (docs/chinese.md); other words unchanged."""
    if word.isascii():
        return word
    from . import zh  # only for non-ASCII input, so start-up stays as it was

    return zh.english(getattr(zh, table), word)


def check_tags(values: list[str] | None, *, field: str = "--tag") -> list[str]:
    """Tags keep their spelling; duplicates (ignoring case) collapse. `a;b` and `a,b` split."""
    tags: list[str] = []
    for raw in values or []:
        for part in re.split(r"[;,]", raw):
            if part.strip():
                tag = check_name(part, field=field, limit=64)
                if tag.lower() not in (t.lower() for t in tags):
                    tags.append(tag)
    return tags
