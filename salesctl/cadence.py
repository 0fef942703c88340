"""Cadences and recurring follow-ups: parsing `--cadence` and `--every`, pure (docs/calendar.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Invalid
from .i18n import N_
from .model import ACTIVITY_KINDS, MAX_TEXT, check_name, from_chinese

MAX_STEPS = 20
_OFFSET = re.compile(r"\+?(\d{1,3})([hdw])")
# The colon may be full-width (：), as Chinese keyboards type it (docs/chinese.md).
_STEP = re.compile(r"(?P<offset>\S+)\s+(?P<kind>[^:：\s]+)\s*[:：]\s*(?P<text>.*)", re.S)
_EVERY = re.compile(r"\+?(\d{1,3})([dwm])")
CADENCE_HINT = N_(
    'write steps like "0d call: intro; +2d email: case study" (OFFSET KIND: WHAT, separated by ;)'
)


@dataclass(frozen=True)
class Step:
    offset: str  # a WHEN offset as `log --next` takes it: "+0d", "+2d", "+1w", "+4h"
    kind: str
    text: str

    @property
    def label(self) -> str:
        """What the follow-up says: "email: case study"."""
        return f"{self.kind}: {self.text}"

    def __str__(self) -> str:
        return f"{self.offset.lstrip('+') if self.offset == '+0d' else self.offset} {self.label}"


def parse_cadence(text: str, *, field: str = "--cadence") -> list[Step]:
    """`0d call: intro; +2d email: case study` → its steps. Each offset counts from the step before
    (from the start for the first). A trailing `;` is allowed; an empty step in between is not."""
    parts = text.split(";")
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    if len(parts) > MAX_STEPS:
        shown = text[:40] + ("…" if len(text) > 40 else "")
        raise Invalid(
            field,
            shown,
            N_("has {count} steps, more than {most}"),
            N_("split it into two plays"),
            count=len(parts),
            most=MAX_STEPS,
        )
    return [_step(part, n, field) for n, part in enumerate(parts, 1)]


def _step(part: str, n: int, field: str) -> Step:
    where = f"{field} step {n}"
    if not part.strip():
        raise Invalid(where, part.strip(), N_("is empty"), CADENCE_HINT)
    match = _STEP.fullmatch(part.strip())
    if match is None:
        raise Invalid(where, part.strip(), N_("is not OFFSET KIND: WHAT"), CADENCE_HINT)
    offset = _OFFSET.fullmatch(match["offset"].lower())
    if offset is None:
        raise Invalid(
            where,
            match["offset"],
            N_("is not an offset"),
            N_("use 0d, +2d, +1w or +4h (from the step before)"),
        )
    kind = from_chinese("ACTIVITY_KINDS", match["kind"].lower())
    if kind not in ACTIVITY_KINDS or kind == "note":
        raise Invalid(
            where,
            match["kind"],
            N_("is not an activity kind"),
            N_("use one of {choices}"),
            choices=", ".join(k for k in ACTIVITY_KINDS if k != "note"),
        )
    what = check_name(match["text"], field=where, limit=MAX_TEXT)
    return Step(f"+{int(offset[1])}{offset[2]}", kind, what)


def format_cadence(steps: list[Step]) -> str:
    """The stored (and shown) form: `0d call: intro; +2d email: case study`."""
    return "; ".join(str(s) for s in steps)


def parse_every(text: str, *, field: str = "--every") -> str | None:
    """`2w`, `+10d`, `1m` → "2w"; `off` → None (stop repeating)."""
    word = text.strip().lower()
    if word in ("off", "none", "no"):
        return None
    match = _EVERY.fullmatch(word)
    if match is None or int(match[1]) == 0:
        raise Invalid(
            field, text, N_("is not a repeat interval"), N_("use 1w, 2w, 10d, 1m, or off to stop")
        )
    return f"{int(match[1])}{match[2]}"
