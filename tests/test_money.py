"""Money parsing and display: every accepted form, every rejected form, JSON and table output."""

import json

import pytest

from salesctl.errors import Invalid
from salesctl.money import (
    MAX_MAJOR,
    format_major,
    format_money,
    parse_amount,
    parse_currency,
    to_major,
)

GOOD_AMOUNTS = [
    ("1000", 100000, None),
    ("0", 0, None),
    ("0.00", 0, None),
    ("1000.5", 100050, None),
    ("1000.50", 100050, None),
    ("1,000.50", 100050, None),
    ("1,234,567", 123456700, None),
    (".5", 50, None),
    ("007", 700, None),
    ("1.50000", 150, None),
    ("  42  ", 4200, None),
    ("1.5k", 150000, None),
    ("1.5K", 150000, None),
    ("1.5 k", 150000, None),
    ("2m", 200000000, None),
    ("2M", 200000000, None),
    ("5万", 5000000, None),
    ("1.2亿", 12000000000, None),
    ("0.001k", 100, None),
    ("0.00001k", 1, None),
    ("1.23456万", 1234560, None),
    ("0.0000000001亿", 1, None),
    ("1,000.50k", 100050000, None),
    ("¥5万", 5000000, "CNY"),
    ("￥5万", 5000000, "CNY"),
    ("5万元", 5000000, "CNY"),
    ("$1,200", 120000, "USD"),
    ("$ 1,200", 120000, "USD"),
    ("€1,200.50", 120050, "EUR"),
    ("1200€", 120000, "EUR"),
    ("£3", 300, "GBP"),
    ("USD 1200", 120000, "USD"),
    ("USD1200", 120000, "USD"),
    ("1200 usd", 120000, "USD"),
    ("1200usd", 120000, "USD"),
    ("1.5k EUR", 150000, "EUR"),
    ("CNY5万", 5000000, "CNY"),
    ("sek 99.90", 9990, "SEK"),
    ("$5 USD", 500, "USD"),
    ("USD $5", 500, "USD"),
    ("CAD $5", 500, "CAD"),
    ("¥500 JPY", 50000, "JPY"),
    ("10000000000000", MAX_MAJOR * 100, None),
    ("10,000,000,000,000.00", MAX_MAJOR * 100, None),
    ("9999999999999.99", 999999999999999, None),
]

BAD_AMOUNTS = [
    ("", "is empty"),
    ("   ", "is empty"),
    ("-5", "must not be negative"),
    ("- 5", "must not be negative"),
    ("−5", "must not be negative"),
    ("-$5", "must not be negative"),
    ("$-5", "must not be negative"),
    ("USD -1,000", "must not be negative"),
    ("NaN", "is not an amount"),
    ("nan", "is not an amount"),
    ("inf", "is not an amount"),
    ("Infinity", "is not an amount"),
    ("-inf", "is not an amount"),
    ("5 inf", "is not an amount"),
    ("1e400", "is not an amount"),
    ("1e3", "is not an amount"),
    ("1E3", "is not an amount"),
    ("abc", "is not an amount"),
    ("k", "is not an amount"),
    ("$", "is not an amount"),
    ("1.", "is not an amount"),
    ("1 000", "is not an amount"),
    ("+5", "is not an amount"),
    ("0x10", "is not an amount"),
    ("1_000", "is not an amount"),
    ("1.5kk", "is not an amount"),
    ("10万亿", "is not an amount"),  # units do not stack
    (
        "五五万",
        "is not an amount",
    ),  # 五万 is 50000 (docs/chinese.md); two digits in a row are no numeral
    ("1,00", "misplaced thousands separators"),
    ("1,0000", "misplaced thousands separators"),
    ("1234,567", "misplaced thousands separators"),
    ("1,000,00", "misplaced thousands separators"),
    ("1.000,50", "misplaced thousands separators"),
    ("1,5", "misplaced thousands separators"),
    ("１０００", "non-ASCII digits"),
    ("５万", "non-ASCII digits"),
    ("١٢٣", "non-ASCII digits"),
    ("1.234", "more than 2 decimal places"),
    ("0.001", "more than 2 decimal places"),
    ("0.000001k", "more than 2 decimal places"),
    ("0.00000000001亿", "more than 2 decimal places"),
    ("0." + "0" * 5000 + "1", "more than 2 decimal places"),
    ("10000000000000.01", "over the limit of 10,000,000,000,000"),
    ("10000000000001", "over the limit of 10,000,000,000,000"),
    ("100000000000000", "over the limit of 10,000,000,000,000"),
    ("1" * 5000, "over the limit of 10,000,000,000,000"),
    ("100001亿", "over the limit of 10,000,000,000,000"),
    ("10000001m", "over the limit of 10,000,000,000,000"),
    ("$5€", "more than one currency (EUR, USD)"),
    ("USD 5 EUR", "more than one currency (EUR, USD)"),
    ("¥5 USD", "more than one currency (CNY, USD)"),
    ("£5 CAD", "more than one currency (CAD, GBP)"),
]


@pytest.mark.parametrize(("text", "minor", "currency"), GOOD_AMOUNTS)
def test_parse_amount_accepts(text, minor, currency):
    assert parse_amount(text, field="--value") == (minor, currency)


@pytest.mark.parametrize(("text", "problem"), BAD_AMOUNTS)
def test_parse_amount_rejects(text, problem):
    with pytest.raises(Invalid) as caught:
        parse_amount(text, field="--value")
    message = str(caught.value)
    assert problem in message
    assert message.startswith(f'--value: "{text}" ')
    assert caught.value.hint, "every error suggests what to type instead"


def test_parse_amount_error_message_reads_well():
    with pytest.raises(Invalid) as caught:
        parse_amount("abc", field="--value")
    assert str(caught.value) == '--value: "abc" is not an amount; try 1000, 1,000.50, 1.5k, 5万'


def test_full_width_digits_hint_how_to_type_them():
    with pytest.raises(Invalid) as caught:
        parse_amount("１０００", field="--amount")
    assert str(caught.value) == '--amount: "１０００" has non-ASCII digits; type the digits as 1000'


def test_parse_amount_returns_int_minor_units():
    minor, _ = parse_amount("1.5k", field="--value")
    assert type(minor) is int


@pytest.mark.parametrize(
    ("minor", "major"),
    [
        (None, None),
        (0, 0),
        (100000, 1000),
        (123450, 1234.5),
        (123456, 1234.56),
        (1, 0.01),
        (10, 0.1),
        (10**15, 10**13),
        (10**15 + 1, 10000000000000.01),
        (10**15 - 1, 9999999999999.99),
        (10**30, 10**28),
        (-150, -1.5),
    ],
)
def test_to_major(minor, major):
    result = to_major(minor)
    assert result == major
    assert type(result) is type(major)


@pytest.mark.parametrize(
    ("minor", "json_text"),
    [
        (123450, "1234.5"),
        (100000, "1000"),
        (7, "0.07"),
        (10**15 + 1, "10000000000000.01"),
        (10**30, "1" + "0" * 28),
    ],
)
def test_to_major_json_is_exact(minor, json_text):
    assert json.dumps(to_major(minor)) == json_text


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (None, "USD", ""),
        (None, None, ""),
        (120000, "USD", "$1,200"),
        (5000000, "CNY", "¥50,000"),
        (120050, "EUR", "€1,200.50"),
        (300, "GBP", "£3"),
        (120000, "SEK", "1,200 SEK"),
        (120005, "sek", "1,200.05 SEK"),
        (120000, None, "1,200"),
        (0, "USD", "$0"),
        (5, "USD", "$0.05"),
        (10**15, "USD", "$10,000,000,000,000"),
        (-150, "EUR", "-€1.50"),
    ],
)
def test_format_money(minor, currency, shown):
    assert format_money(minor, currency) == shown


@pytest.mark.parametrize("minor", [0, 5, 1999, 120050, 123456789, 10**15 + 1])
def test_format_major_shows_what_format_money_shows_for_the_json_amount(minor):
    """Views get amounts as JSON carries them (to_major) and must show the same cents."""
    assert format_major(to_major(minor), "USD") == format_money(minor, "USD")


def test_format_major_of_no_amount_is_blank():
    assert format_major(None, "USD") == ""


@pytest.mark.parametrize(
    ("text", "code"),
    [("USD", "USD"), ("usd", "USD"), (" cny ", "CNY"), ("Sek", "SEK"), ("$", "USD"), ("¥", "CNY")],
)
def test_parse_currency_accepts(text, code):
    assert parse_currency(text) == code


@pytest.mark.parametrize(
    "text", ["", "  ", "US", "USDX", "U$D", "12A", "ＵＳＤ", "usı", "nan", "INF", "euros"]
)
def test_parse_currency_rejects(text):
    with pytest.raises(Invalid) as caught:
        parse_currency(text)
    assert str(caught.value).startswith(f'--currency: "{text}" is not a currency code; ')


def test_parse_currency_names_the_given_field():
    with pytest.raises(Invalid, match=r'^--map: "x" '):
        parse_currency("x", field="--map")


@pytest.mark.parametrize("text", ["1,000.50", "1.5k", "¥5万", "$1,200", "0.01", "9999999999999.99"])
def test_parse_then_format_round_trips(text):
    minor, currency = parse_amount(text, field="--value")
    assert parse_amount(format_money(minor, currency), field="--value") == (minor, currency)
