"""The pipeline vocabulary and settings: defaults from the contract, validation of `config set`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .errors import Invalid

CLOSED_STAGES = ("won", "lost")
DEFAULT_STAGES = ("new", "contacted", "quoted", "negotiating", "deciding")
DEFAULT_ROT_DAYS = {"new": 3, "contacted": 7, "quoted": 7, "negotiating": 10, "deciding": 14}
DEFAULT_PROBABILITY = {"new": 0.05, "contacted": 0.10, "quoted": 0.30, "negotiating": 0.50, "deciding": 0.70}
DEFAULT_LOST_REASONS = ("price", "budget", "competitor", "no-decision", "timing", "no-need", "unresponsive", "other")
ACTIVITY_KINDS = ("call", "email", "message", "meeting", "visit", "proposal", "quote", "note")
INTENTS = ("hot", "warm", "cold")

MAX_NAME = 200
MAX_TEXT = 1000
MAX_NOTE_BYTES = 64 * 1024

_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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

    @property
    def rates(self) -> dict[str, str]:
        """The rates into the team currency now in use: code → team-currency units per 1 of that code."""
        return self.fx.get(self.currency, {})

    @property
    def all_stages(self) -> tuple[str, ...]:
        return self.stages + CLOSED_STAGES

    def check_stage(self, value: str, *, field: str = "stage", open_only: bool = True) -> str:
        stage = value.strip().lower()
        allowed = self.stages if open_only else self.all_stages
        if stage not in allowed:
            raise Invalid(field, value, "is not a stage", "use one of " + ", ".join(allowed))
        return stage

    def check_reason(self, value: str) -> str:
        reason = value.strip().lower()
        if reason not in self.lost_reasons:
            raise Invalid("--reason", value, "is not a lost reason", "use one of " + ", ".join(self.lost_reasons))
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
        }

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> Settings:
        """Settings from the stored key → JSON value pairs; unknown keys are ignored."""
        s = cls()
        for key, raw in rows.items():
            value = json.loads(raw)
            if key in ("stages", "lost_reasons", "owners"):
                setattr(s, key, tuple(value))
            elif key in ("rot_days", "probability"):
                getattr(s, key).update(value)
            elif key in ("timezone", "default_rep", "currency", "alarm_minutes", "cadence_ends_on_move", "fx"):
                setattr(s, key, value)
        # A stage added by `config set stages` starts with a week's rot and its predecessor's probability.
        previous = 0.0
        for stage in s.stages:
            s.rot_days.setdefault(stage, 7)
            previous = s.probability.setdefault(stage, previous)
        return s


CONFIG_KEYS = (
    "stages", "rot_days.STAGE", "probability.STAGE", "lost_reasons", "timezone", "default_rep", "currency",
    "owners",
    "alarm_minutes", "cadence_ends_on_move",
    "fx.CODE",
)


def parse_setting(settings: Settings, key: str, value: str) -> tuple[str, object]:
    """Validate `config set KEY VALUE`; returns the stored key and its new (JSON-able) value."""
    field_name = f"config {key}"
    if key in ("stages", "lost_reasons"):
        words = [w.strip().lower() for w in value.split(",") if w.strip()]
        for w in words:
            if not _WORD.match(w) or w in CLOSED_STAGES:
                raise Invalid(field_name, w, "is not a valid name", "use short lower-case words like quoted or no-need")
        if not words or len(set(words)) != len(words):
            raise Invalid(field_name, value, "must be a comma-separated list of distinct names")
        return key, words
    if key.startswith(("rot_days.", "probability.")):
        group, _, stage = key.partition(".")
        settings.check_stage(stage, field=field_name)
        if group == "rot_days":
            if not value.isdigit() or not 0 < int(value) <= 3650:
                raise Invalid(field_name, value, "must be a whole number of days from 1 to 3650")
            return group, {**settings.rot_days, stage: int(value)}
        try:
            p = float(value)
        except ValueError:
            p = -1.0
        if not 0.0 <= p <= 1.0:
            raise Invalid(field_name, value, "must be a probability from 0 to 1", "e.g. 0.35")
        return group, {**settings.probability, stage: p}
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
            raise Invalid(field_name, value, "must be whole minutes from 0 (no alarm) to 10080")
        return key, int(value)
    if key == "cadence_ends_on_move":
        word = value.strip().lower()
        if word not in ("true", "false", "yes", "no", "on", "off"):
            raise Invalid(field_name, value, "must be true or false")
        return key, word in ("true", "yes", "on")
    if key.startswith("fx."):
        return "fx", _with_rate(settings, key, value)
    raise Invalid("config", key, "is not a setting", "settable keys: " + ", ".join(CONFIG_KEYS))


_RATE = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12})?")


def _with_rate(settings: Settings, key: str, value: str) -> dict[str, dict[str, str]]:
    """`fx.USD 7.12`: 7.12 team-currency units buy 1 USD. Kept as the exact decimal text, per team currency."""
    from .money import parse_currency

    field_name = "config " + key.upper().replace("FX.", "fx.", 1)
    code = parse_currency(key.partition(".")[2], field=field_name)
    if code == settings.currency:
        raise Invalid(field_name, value, f"is for the team currency ({code}) itself", "its rate is always 1")
    text = value.strip()
    if not _RATE.fullmatch(text) or not text.strip("0."):
        hint = f"give how many {settings.currency} buy 1 {code}, as 7.12"
        raise Invalid(field_name, value, "is not a positive exchange rate", hint)
    return {**settings.fx, settings.currency: {**settings.rates, code: text}}


def check_name(value: str, *, field: str, limit: int = MAX_NAME) -> str:
    """A name or label: not blank, no control characters, within the size limit."""
    text = value.strip()
    if not text:
        raise Invalid(field, value, "is blank", "give a name")
    if _CONTROL.search(text):
        raise Invalid(field, value.encode("unicode_escape").decode(), "contains control characters")
    if len(text) > limit:
        raise Invalid(field, text[:20] + "…", f"is longer than {limit} characters")
    return text


def check_text(value: str | None, *, field: str, limit: int = MAX_TEXT) -> str | None:
    """An optional one-line attribute: stripped, None when blank."""
    if value is None or not value.strip():
        return None
    return check_name(value, field=field, limit=limit)


def check_note(value: str, *, field: str = "NOTE") -> str:
    """A note may span lines but must stay under 64 KiB."""
    if len(value.encode("utf-8")) > MAX_NOTE_BYTES:
        raise Invalid(field, value[:20] + "…", "is over the 64 KiB limit for a note")
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise Invalid(field, value[:20].encode("unicode_escape").decode(), "contains control characters")
    return value.strip()


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,32}$")


def check_email(value: str | None, *, field: str = "--email") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _EMAIL.match(text) or len(text) > 254:
        raise Invalid(field, value, "is not an email address", "e.g. li.wei@example.com")
    return text


def check_phone(value: str | None, *, field: str = "--phone") -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 3:
        raise Invalid(field, value, "is not a phone number", "digits with optional + ( ) - . and spaces")
    return text


def phone_digits(phone: str | None) -> str | None:
    """The digits of a phone number: what duplicate detection compares."""
    return "".join(c for c in phone if c.isdigit()) if phone else None


def check_intent(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    intent = value.strip().lower()
    if intent not in INTENTS:
        raise Invalid("--intent", value, "is not an intent", "use hot, warm or cold")
    return intent


def check_kind(value: str) -> str:
    kind = value.strip().lower()
    if kind not in ACTIVITY_KINDS:
        raise Invalid("--kind", value, "is not an activity kind", "use one of " + ", ".join(ACTIVITY_KINDS))
    return kind


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
