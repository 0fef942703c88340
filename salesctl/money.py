"""Money: parse typed amounts into integer minor units and show them again, never via float arithmetic."""

import re
from decimal import Decimal

from salesctl.currencies import lookup
from salesctl.errors import Invalid, SalesError

from .i18n import N_

MAX_MAJOR = 10**13

_HINT = N_("try 1000, 1,000.50, 1.5k, 5万")
# "$" and "¥" are written for other currencies too: "CAD $5" or "¥500 JPY" names one currency, not two.
_SHARED_SYMBOLS = {
    "$": {"AUD", "CAD", "HKD", "MXN", "NZD", "SGD", "TWD"},
    "¥": {"JPY"},
    "￥": {"JPY"},
}
_DISPLAY_SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}
_WAN_SYMBOLS = {"TWD": "NT$", "HKD": "HK$"}  # how a 萬 amount is written in Taiwan and Hong Kong
_CODE_HINT = N_("use an ISO 4217 code, as USD, EUR or CNY (RMB, 元, NT$ and HK$ work too)")
_UNIT_EXPONENTS = {"k": 3, "K": 3, "m": 6, "M": 6, "千": 3, "万": 4, "萬": 4, "亿": 8, "億": 8}

# Classes are spelled out ([0-9], [A-Za-z]) because \d and \w also match non-ASCII digits and letters.
_SYMBOL = "(?:(?i:NT|HK|US)\\$|人民币|[$¥￥€£元])"
_AMOUNT = re.compile(
    rf"""
    (?P<code_before>[A-Za-z]{{3}})? \s*
    (?P<symbol_before>{_SYMBOL})? \s*
    (?: (?P<minus>[-−－]) \s* (?P<symbol_after_minus>{_SYMBOL})? \s* )?
    (?P<number> [0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)? | [0-9]+(?:\.[0-9]+)? | \.[0-9]+ )
    \s* (?P<unit>[kKmM千万萬亿億])?
    \s* (?P<symbol_after>{_SYMBOL})?
    \s* (?P<code_after>[A-Za-z]{{3}})?
    """,
    re.VERBOSE,
)


def parse_amount(text: str, *, field: str) -> tuple[int, str | None]:
    """Parse `1,000.50`, `1.5k`, `¥5万`, `USD 1200`… into (minor units, currency named in the text or None)."""
    stripped = text.strip()
    if not stripped:
        raise Invalid(field, text, N_("is empty"), _HINT)
    if not stripped.isascii():  # Chinese numerals: 五萬, 十二万, 兩百萬 (docs/chinese.md)
        from salesctl.zh import arabic

        stripped = arabic(stripped)
    if any(ch.isdigit() and not ch.isascii() for ch in stripped):
        # Decimal() would happily read "１０００"; we keep one way of writing digits.
        raise Invalid(field, text, N_("has non-ASCII digits"), N_("type the digits as 1000"))
    match = _AMOUNT.fullmatch(stripped)
    if match is None:
        raise _not_an_amount(stripped, text, field)
    if match["minus"]:
        raise Invalid(field, text, N_("must not be negative"), N_("amounts are 0 or more"))
    currency = _currency_hint(match, text, field)
    return _to_minor(match["number"], match["unit"], text, field), currency


def check_same_currency(text: str, hinted: str | None, expected: str, *, field: str) -> None:
    """An amount written in another currency (`¥5万` on a USD deal) is refused, never relabelled."""
    if hinted is None or hinted == expected:
        return
    # "$" and "¥" write other currencies too: "$1,300" on a CAD deal is 1,300 CAD (unless a code says otherwise).
    if not re.search("[A-Za-z]{3}", text) and any(
        symbol in text and expected in codes for symbol, codes in _SHARED_SYMBOLS.items()
    ):
        return
    raise Invalid(
        field,
        text,
        N_("is in {hinted}, not {expected}"),
        N_("give the amount in {expected}"),
        hinted=hinted,
        expected=expected,
    )


def _not_an_amount(stripped: str, text: str, field: str) -> Invalid:
    # Commas next to digits mean the user tried grouping: say what is wrong with it, not just "not an amount".
    if re.search(r"[0-9],|,[0-9]", stripped):
        return Invalid(
            field,
            text,
            N_("has misplaced thousands separators"),
            N_("group digits by three, as 1,000.50, or drop the commas"),
        )
    return Invalid(field, text, N_("is not an amount"), _HINT)


def _currency_hint(match: re.Match, text: str, field: str) -> str | None:
    """The one currency named by codes and symbols in the amount, or None when none is named."""
    codes = set()
    for written in (match["code_before"], match["code_after"]):
        if written:
            code = lookup(written)
            if code is None:
                # Three letters, but not a currency: "5 inf" is no amount; "5 XYZ" names no currency we know.
                if written.upper() in ("INF", "NAN"):
                    raise Invalid(field, text, N_("is not an amount"), _HINT)
                raise Invalid(
                    field,
                    text,
                    N_('names no known currency ("{written}")'),
                    _CODE_HINT,
                    written=written,
                )
            codes.add(code)
    found = set(codes)
    for symbol in (match["symbol_before"], match["symbol_after_minus"], match["symbol_after"]):
        if symbol and not codes & _SHARED_SYMBOLS.get(symbol, set()):
            found.add(lookup(symbol))
    if len(found) > 1:
        named = ", ".join(sorted(found))
        raise Invalid(
            field,
            text,
            N_("names more than one currency ({named})"),
            N_("use one symbol or code, as $1,200 or 1200 EUR"),
            named=named,
        )
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
    return Invalid(
        field,
        text,
        N_("is over the limit of {limit}"),
        N_("check for extra zeros or a wrong k/m/万/亿"),
        limit=f"{MAX_MAJOR:,}",
    )


def _too_precise(text: str, field: str) -> Invalid:
    return Invalid(field, text, N_("has more than 2 decimal places"), N_("round to cents, as 1.23"))


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


def format_wan(minor: int | None, currency: str | None, *, wan: str = "万", yi: str = "亿") -> str:
    """Amount for Chinese tables (money_style wan, docs/chinese.md): ≥ 1万 in 万 (≥ 1亿 in 亿) with at
    most two decimals, "¥125,000" → "¥12.5万", "¥250,000,000" → "¥2.5亿"; smaller amounts as format_money."""
    if minor is None or abs(minor) < 10_000 * 100:
        return format_money(minor, currency)
    from decimal import ROUND_HALF_UP

    sign = "-" if minor < 0 else ""
    unit, size = (yi, 10**8) if abs(minor) >= 10**8 * 100 else (wan, 10**4)
    number = (Decimal(abs(minor)) / (size * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    amount = f"{number:,f}".rstrip("0").rstrip(".") + unit
    code = currency.upper() if currency else None
    symbol = _DISPLAY_SYMBOLS.get(code or "") or _WAN_SYMBOLS.get(code or "")
    if symbol:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{amount} {code}" if code else f"{sign}{amount}"


def format_major(major: int | float | None, currency: str | None) -> str:
    """`format_money` of an amount in major units, as the JSON documents carry it: 1234.5 -> "$1,234.50"."""
    return format_money(None if major is None else round(major * 100), currency)


def parse_currency(text: str, *, field: str = "--currency") -> str:
    """An ISO 4217 code in any case, or what people write for one: RMB, 元, 人民币 → CNY, NT$ → TWD, HK$ → HKD,
    a lone symbol ($ ¥ € £) → its code."""
    code = lookup(text)
    if code is None:
        raise Invalid(field, text, N_("is not a currency code"), _CODE_HINT)
    return code


class Converter:
    """Amounts in any currency → the team currency, at the `fx.CODE` rates (docs/figures.md).

    Stored amounts are hundredths of the major unit in every currency, so a converted amount is the
    stored number × the rate, exactly (Decimal), rounded half up once to the team currency's smallest
    unit (whole yen for JPY; a hundredth for currencies with 2, 3 or 4 digits, the precision stored).
    """

    def __init__(self, currency: str, rates: dict[str, str]):
        from salesctl.currencies import minor_digits

        self.currency = currency
        self.rates = {code: Decimal(rate) for code, rate in rates.items()}
        self.quantum = 10 ** max(0, 2 - minor_digits(currency))

    def __call__(self, minor: int, currency: str | None) -> int:
        """`minor` hundredths of `currency` in hundredths of the team currency; a missing rate is an error."""
        if not minor or currency is None or currency == self.currency:
            return minor
        from decimal import ROUND_HALF_UP, localcontext

        rate = self.rates.get(currency)
        if rate is None:
            raise MissingRate(currency, self.currency)
        with localcontext() as exact:
            exact.prec = (
                60  # 16 digits of amount × 24 of rate: never rounded before the one rounding below
            )
            units = (Decimal(minor) * rate / self.quantum).to_integral_value(ROUND_HALF_UP)
        return int(units) * self.quantum

    def order_weights(self) -> dict[str, float]:
        """Each currency's rate as a float, for ordering deals by value in SQL (never for amounts)."""
        return {self.currency: 1.0, **{code: float(rate) for code, rate in self.rates.items()}}


class MissingRate(SalesError):
    """A total needs a currency the team has no rate for: never add it as if it were the team's."""

    def __init__(self, currency: str, team_currency: str):
        self.currency = currency
        super().__init__(
            N_(
                "fx.{code}: deals in {code} are in this total, but there is no rate from {code} to {team}; set one with: salesctl config set fx.{code} RATE (how many {team} buy 1 {code})"
            ),
            code=currency,
            team=team_currency,
        )
