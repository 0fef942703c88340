"""ISO 4217 currency codes with their minor-unit digits, and the names people type for them.

The standard library has no currency list, so salesctl ships one: the active currencies of the ISO 4217
list published 2026-01-01 (funds, metals and testing codes without a minor unit are left out).
docs/figures.md says how amounts in these currencies are converted for totals.
"""

from __future__ import annotations

# Digits after the decimal point of each currency's minor unit (JPY 0, USD 2, KWD 3, CLF 4).
_BY_DIGITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    2: "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF"
    " CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD"
    " GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL"
    " MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR"
    " PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP"
    " TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XAD XCD XCG YER ZAR ZMW ZWG",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_DIGITS: dict[str, int] = {
    code: digits for digits, codes in _BY_DIGITS.items() for code in codes.split()
}

# What people write instead of a code: a lone symbol, a local name, a prefixed dollar. Keys are upper-cased.
ALIASES = {
    "$": "USD",
    "US$": "USD",
    "¥": "CNY",
    "￥": "CNY",
    "元": "CNY",
    "人民币": "CNY",
    "RMB": "CNY",
    "€": "EUR",
    "£": "GBP",
    "NT$": "TWD",
    "HK$": "HKD",
}


def is_code(code: str) -> bool:
    """Whether `code` (upper-case) is an ISO 4217 currency salesctl knows."""
    return code in MINOR_DIGITS


def lookup(text: str) -> str | None:
    """The ISO code for `text` (a code in any case, an alias or a symbol), or None."""
    key = text.strip().upper()
    if key in MINOR_DIGITS:
        return key
    return ALIASES.get(key)


def minor_digits(code: str) -> int:
    """The currency's minor-unit digits (2 for a code not in the list, as stored amounts assume)."""
    return MINOR_DIGITS.get(code, 2)
