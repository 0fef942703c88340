"""Money in several currencies (docs/figures.md, "Currencies"): ISO codes and the names people type,
and totals in the team currency that convert at `fx.CODE` rates or refuse, never add as if one."""

from __future__ import annotations

import pytest

PERIOD = ("--since", "2026-11-01", "--until", "2026-11-27")


@pytest.fixture
def cny_team(ok):
    ok("config", "set", "currency", "CNY")
    ok("add", "Dollar deal", "--value", "$3k", "--close-by", "2026-11-30")
    ok("add", "Yuan deal", "--value", "5000", "--close-by", "2026-11-30")


def test_a_report_with_a_foreign_deal_and_no_rate_refuses_and_says_how_to_set_it(cny_team, fails):
    err = fails(
        "report", *PERIOD, "--format", "json", names=["USD", "salesctl config set fx.USD"]
    ).err
    assert "CNY" in err


@pytest.mark.parametrize("command", [("report", *PERIOD), ("target", "show")])
def test_every_total_refuses_without_a_rate(cny_team, fails, command):
    fails(*command, names=["fx.USD"])


def test_a_rate_converts_the_foreign_deal_into_the_team_currency(cny_team, ok):
    ok("config", "set", "fx.USD", "7.12")
    doc = ok("report", *PERIOD, "--format", "json")
    assert doc["currency"] == "CNY"
    assert doc["team"]["open_value"] == 5000 + 3000 * 7.12  # 26,360, not 8,000
    target = ok("target", "show", "--format", "json")
    assert target["team"]["projection"] == pytest.approx((5000 + 21360) * 0.05)


def test_json_keeps_each_deals_own_amount_and_currency(cny_team, ok):
    ok("config", "set", "fx.USD", "7.12")
    ok("lead", "edit", "Dollar deal", "--key")
    deals = ok("report", *PERIOD, "--format", "json")["key_deals"]
    assert [(d["name"], d["value"], d["currency"]) for d in deals] == [("Dollar deal", 3000, "USD")]
    lead = ok("lead", "show", "Dollar deal", "--format", "json")
    assert (lead["value"], lead["currency"]) == (3000, "USD")


def test_won_amounts_convert_too(ok):
    ok("config", "set", "currency", "CNY")
    ok("config", "set", "fx.USD", "7.12")
    ok("add", "Dollar win", "--value", "$1,000.50")
    ok("won", "Dollar win")
    team = ok("report", *PERIOD, "--format", "json")["team"]
    assert team["won_amount"] == 7123.56  # 1,000.50 × 7.12 = 7,123.56


def test_conversion_rounds_to_the_team_currencys_smallest_unit(ok):
    ok("config", "set", "currency", "JPY")
    ok("config", "set", "fx.USD", "150.5")
    ok("add", "Small", "--value", "$1.01")  # 152.005 yen: rounded half up to whole yen
    assert ok("report", *PERIOD, "--format", "json")["team"]["open_value"] == 152


def test_a_rate_belongs_to_the_team_currency_it_was_set_for(ok, fails):
    ok("config", "set", "currency", "CNY")
    ok("config", "set", "fx.USD", "7.12")
    ok("add", "Dollar deal", "--value", "$3k")
    ok("config", "set", "currency", "EUR")  # 7.12 CNY per USD says nothing about EUR
    fails("report", *PERIOD, names=["fx.USD", "EUR"])


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("NT$3k", "TWD"),
        ("HK$500", "HKD"),
        ("RMB 5000", "CNY"),
        ("人民币5万", "CNY"),
        ("5000元", "CNY"),
        ("1200 jpy", "JPY"),
    ],
)
def test_amounts_written_with_local_names_get_their_iso_code(ok, value, currency):
    ok("add", "Deal", "--value", value)
    assert ok("lead", "show", "Deal", "--format", "json")["currency"] == currency


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("RMB", "CNY"),
        ("元", "CNY"),
        ("人民币", "CNY"),
        ("NT$", "TWD"),
        ("HK$", "HKD"),
        ("jpy", "JPY"),
    ],
)
def test_currency_aliases(ok, text, code):
    ok("config", "set", "currency", text)
    assert ok("config", "show", "--format", "json")["currency"] == code
    ok("add", f"Deal {text}", "--currency", text, "--value", "10")
    assert ok("lead", "show", f"Deal {text}", "--format", "json")["currency"] == code


def test_rmb_on_a_cny_team_is_the_teams_currency(ok):
    ok("config", "set", "currency", "CNY")
    ok("target", "set", "RMB 50000")  # was refused as "not CNY"
    assert ok("target", "show", "--format", "json")["team"]["target"] == 50000


@pytest.mark.parametrize(
    "args",
    [
        ("config", "set", "currency", "XYZ"),
        ("add", "X", "--currency", "ABC"),
        ("add", "X", "--value", "5 XYZ"),
    ],
)
def test_unknown_currency_codes_are_refused(ok, fails, args):
    ok("add", "Existing")
    fails(*args, names=["XYZ" if "XYZ" in " ".join(args) else "ABC", "ISO 4217"])


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("fx.XYZ", "7", "is not a currency code"),
        ("fx.USD", "0", "not a positive exchange rate"),
        ("fx.USD", "-7", "not a positive exchange rate"),
        ("fx.USD", "seven", "not a positive exchange rate"),
        ("fx.USD", "nan", "not a positive exchange rate"),
        ("fx.CNY", "1", "team currency"),
    ],
)
def test_bad_rates_are_refused(ok, fails, key, value, problem):
    ok("config", "set", "currency", "CNY")
    fails("config", "set", key, value, names=[problem])


def test_config_show_lists_the_rates(ok):
    ok("config", "set", "currency", "CNY")
    ok("config", "set", "fx.usd", "7.12")
    assert ok("config", "show", "--format", "json")["fx"] == {"USD": "7.12"}
    assert "1 USD = 7.12 CNY" in ok("config", "show").out


def test_adding_a_deal_in_another_currency_says_so(ok):
    ok("config", "set", "currency", "CNY")
    err = ok("add", "Dollar deal", "--value", "$3k").err
    assert "USD" in err and "salesctl config set fx.USD" in err
    assert ok("add", "Yuan deal", "--value", "¥3k").err == ""
    ok("config", "set", "fx.USD", "7.12")
    assert ok("add", "Second dollar deal", "--value", "$3k").err == ""


def test_key_deals_are_ordered_by_value_in_the_team_currency(ok):
    ok("config", "set", "currency", "CNY")
    ok("config", "set", "fx.USD", "7.12")
    ok("add", "Yuan deal", "--value", "20000", "--key")
    ok("add", "Dollar deal", "--value", "$3k", "--key")  # ¥21,360: the bigger deal
    deals = ok("report", *PERIOD, "--format", "json")["key_deals"]
    assert [d["name"] for d in deals] == ["Dollar deal", "Yuan deal"]
