"""Money: parse typed amounts into integer minor units and show them again, never via float arithmetic."""

import re
from decimal import Decimal

from salesctl.errors import Invalid

MAX_MAJOR = 10**13

_HINT = "try 1000, 1,000.50, 1.5k, 5万"
_SYMBOLS = {"$": "USD", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP", "元": "CNY"}
# "$" and "¥" are written for other currencies too: "CAD $5" or "¥500 JPY" names one currency, not two.
_SHARED_SYMBOLS = {"$": {"AUD", "CAD", "HKD", "MXN", "NZD", "SGD", "TWD"}, "¥": {"JPY"}, "￥": {"JPY"}}
_DISPLAY_SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}
# Three letters, but a reader takes "5 inf" for infinity, not for a currency.
_NOT_CODES = {"INF", "NAN"}
_UNIT_EXPONENTS = {"k": 3, "K": 3, "m": 6, "M": 6, "万": 4, "亿": 8}

# Classes are spelled out ([0-9], [A-Za-z]) because \d and \w also match non-ASCII digits and letters.
_SYMBOL = "[$¥￥€£元]"
_AMOUNT = re.compile(
    rf"""
    (?P<code_before>[A-Za-z]{{3}})? \s*
    (?P<symbol_before>{_SYMBOL})? \s*
    (?: (?P<minus>[-−－]) \s* (?P<symbol_after_minus>{_SYMBOL})? \s* )?
    (?P<number> [0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)? | [0-9]+(?:\.[0-9]+)? | \.[0-9]+ )
    \s* (?P<unit>[kKmM万亿])?
    \s* (?P<symbol_after>{_SYMBOL})?
    \s* (?P<code_after>[A-Za-z]{{3}})?
    """,
    re.VERBOSE,
)


def parse_amount(text: str, *, field: str) -> tuple[int, str | None]:
    """Parse `1,000.50`, `1.5k`, `¥5万`, `USD 1200`… into (minor units, currency named in the text or None)."""
    stripped = text.strip()
    if not stripped:
        raise Invalid(field, text, "is empty", _HINT)
    if any(ch.isdigit() and not ch.isascii() for ch in stripped):
        # Decimal() would happily read "１０００"; we keep one way of writing digits.
        raise Invalid(field, text, "has non-ASCII digits", "type the digits as 1000")
    match = _AMOUNT.fullmatch(stripped)
    if match is None:
        raise _not_an_amount(stripped, text, field)
    if match["minus"]:
        raise Invalid(field, text, "must not be negative", "amounts are 0 or more")
    currency = _currency_hint(match, text, field)
    return _to_minor(match["number"], match["unit"], text, field), currency


def check_same_currency(text: str, hinted: str | None, expected: str, *, field: str) -> None:
    """An amount written in another currency (`¥5万` on a USD deal) is refused, never relabelled."""
    if hinted is None or hinted == expected:
        return
    # "$" and "¥" write other currencies too: "$1,300" on a CAD deal is 1,300 CAD (unless a code says otherwise).
    if not re.search("[A-Za-z]{3}", text) and any(
            symbol in text and expected in codes for symbol, codes in _SHARED_SYMBOLS.items()):
        return
    raise Invalid(field, text, f"is in {hinted}, not {expected}", f"give the amount in {expected}")


def _not_an_amount(stripped: str, text: str, field: str) -> Invalid:
    # Commas next to digits mean the user tried grouping: say what is wrong with it, not just "not an amount".
    if re.search(r"[0-9],|,[0-9]", stripped):
        hint = "group digits by three, as 1,000.50, or drop the commas"
        return Invalid(field, text, "has misplaced thousands separators", hint)
    return Invalid(field, text, "is not an amount", _HINT)


def _currency_hint(match: re.Match, text: str, field: str) -> str | None:
    """The one currency named by codes and symbols in the amount, or None when none is named."""
    codes = {code.upper() for code in (match["code_before"], match["code_after"]) if code}
    if codes & _NOT_CODES:
        raise Invalid(field, text, "is not an amount", _HINT)
    found = set(codes)
    for symbol in (match["symbol_before"], match["symbol_after_minus"], match["symbol_after"]):
        if symbol and not codes & _SHARED_SYMBOLS.get(symbol, set()):
            found.add(_SYMBOLS[symbol])
    if len(found) > 1:
        named = ", ".join(sorted(found))
        hint = "use one symbol or code, as $1,200 or 1200 EUR"
        raise Invalid(field, text, f"names more than one currency ({named})", hint)
    return found.pop() if found else None


def _to_minor(number: str, unit: str | None, text: str, field: str) -> int:
    """Minor units of `number` × unit, exactly; over-limit and sub-cent amounts are errors."""
    whole, _, fraction = number.replace(",", "").partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0") or "0"
    # Bound the digits first so Decimal's 28-digit context can never round: at most 14 + 10 digits reach it.
    if len(whole) > len(str(MAX_MAJOR)):
        raise _over_limit(text, field)
    if len(fraction) > 2 + max(_UNIT_EXPONENTS.values()):
        raise _too_precise(text, field)
    major = Decimal(f"{whole}.{fraction}").scaleb(_UNIT_EXPONENTS.get(unit, 0))
    if major > MAX_MAJOR:
        raise _over_limit(text, field)
    minor = major.scaleb(2)
    if minor != minor.to_integral_value():
        raise _too_precise(text, field)
    return int(minor)


def _over_limit(text: str, field: str) -> Invalid:
    hint = "check for extra zeros or a wrong k/m/万/亿"
    return Invalid(field, text, f"is over the limit of {MAX_MAJOR:,}", hint)


def _too_precise(text: str, field: str) -> Invalid:
    return Invalid(field, text, "has more than 2 decimal places", "round to cents, as 1.23")


def to_major(minor: int | None) -> int | float | None:
    """Major units for JSON: 123450 -> 1234.5, 100000 -> 1000 (an int when whole), None -> None."""
    if minor is None:
        return None
    whole, cents = divmod(minor, 100)
    if not cents:
        # Whole amounts stay int so they are exact at any size and print without ".0".
        return whole
    # float(Decimal) rounds correctly, so "1234.5" round-trips; cents are exact while |major| < 2**46 (~7e13).
    return float(Decimal(minor).scaleb(-2))


def format_money(minor: int | None, currency: str | None) -> str:
    """Amount for tables: "$1,200", "€1,200.50", "1,200 SEK"; cents only when non-zero; None -> ""."""
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    amount = f"{whole:,}" + (f".{cents:02d}" if cents else "")
    code = currency.upper() if currency else None
    if code in _DISPLAY_SYMBOLS:
        return f"{sign}{_DISPLAY_SYMBOLS[code]}{amount}"
    return f"{sign}{amount} {code}" if code else f"{sign}{amount}"


def format_major(major: int | float | None, currency: str | None) -> str:
    """`format_money` of an amount in major units, as the JSON documents carry it: 1234.5 -> "$1,234.50"."""
    return format_money(None if major is None else round(major * 100), currency)


def parse_currency(text: str, *, field: str = "--currency") -> str:
    """A currency code: three ASCII letters, upper-cased; a lone symbol ($ ¥ ￥ € £ 元) gives its code."""
    stripped = text.strip()
    if stripped in _SYMBOLS:
        return _SYMBOLS[stripped]
    if not re.fullmatch("[A-Za-z]{3}", stripped) or stripped.upper() in _NOT_CODES:
        raise Invalid(field, text, "is not a currency code", "use 3 letters, as USD, EUR or CNY")
    return stripped.upper()
