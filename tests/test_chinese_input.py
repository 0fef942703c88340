"""Chinese input (docs/chinese.md, "Input"): dates, stages, reasons, intents, kinds and numerals in either script."""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from salesctl import model, zh
from salesctl.dates import parse_when
from salesctl.errors import Invalid
from salesctl.money import parse_amount

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(
    2026, 11, 26, 14, 0, tzinfo=SHANGHAI
)  # Thursday 14:00, as tests/test_dates.py pins it


def when(text, **kw):
    return (
        parse_when(text, now=NOW, tz=SHANGHAI, field="--next", **kw)
        .astimezone(SHANGHAI)
        .strftime("%Y-%m-%d %H:%M")
    )


# Every form is read as its English twin would be (docs/reference.md): a day alone is 09:00, 週五 is the
# next Friday after today like `fri`, 月底 is the last minute of the month like `eom`.
GOOD_DATES = [
    ("今天", "2026-11-26 09:00"),
    ("明天", "2026-11-27 09:00"),
    ("昨天", "2026-11-25 09:00"),
    ("後天", "2026-11-28 09:00"),
    ("后天", "2026-11-28 09:00"),
    ("大後天", "2026-11-29 09:00"),
    ("大后天", "2026-11-29 09:00"),
    ("前天", "2026-11-24 09:00"),
    ("週一", "2026-11-30 09:00"),
    ("週二", "2026-12-01 09:00"),
    ("週三", "2026-12-02 09:00"),
    ("週四", "2026-12-03 09:00"),  # today is Thursday: next week's, as `thu`
    ("週五", "2026-11-27 09:00"),
    ("週六", "2026-11-28 09:00"),
    ("週日", "2026-11-29 09:00"),
    ("周一", "2026-11-30 09:00"),
    ("周五", "2026-11-27 09:00"),
    ("周日", "2026-11-29 09:00"),
    ("星期三", "2026-12-02 09:00"),
    ("星期天", "2026-11-29 09:00"),
    ("禮拜三", "2026-12-02 09:00"),
    ("礼拜三", "2026-12-02 09:00"),
    ("下週三", "2026-12-02 09:00"),
    ("下周三", "2026-12-02 09:00"),
    ("下週五", "2026-12-04 09:00"),
    ("下星期一", "2026-11-30 09:00"),
    ("這週五", "2026-11-27 09:00"),
    ("这周五", "2026-11-27 09:00"),
    ("本周五", "2026-11-27 09:00"),
    ("本週一", "2026-11-23 09:00"),  # this week's Monday, even though it has passed
    ("3天後", "2026-11-29 09:00"),
    ("3天后", "2026-11-29 09:00"),
    ("三天後", "2026-11-29 09:00"),
    ("十天后", "2026-12-06 09:00"),
    ("2天前", "2026-11-24 09:00"),
    ("兩週後", "2026-12-10 09:00"),
    ("两周后", "2026-12-10 09:00"),
    ("两个星期后", "2026-12-10 09:00"),
    ("一個月後", "2026-12-26 09:00"),
    ("一年后", "2027-11-26 09:00"),
    ("3小時後", "2026-11-26 17:00"),
    ("上週五", "2026-11-20 09:00"),
    ("上周五", "2026-11-20 09:00"),
    ("12月2日", "2026-12-02 09:00"),
    ("12月2號", "2026-12-02 09:00"),
    ("12月2号", "2026-12-02 09:00"),
    ("十二月二日", "2026-12-02 09:00"),
    ("2026年12月2日", "2026-12-02 09:00"),
    ("2027年1月5日", "2027-01-05 09:00"),
    ("月底", "2026-11-30 23:59"),
    ("年底", "2026-12-31 23:59"),
    ("下個月初", "2026-12-01 09:00"),
    ("下个月初", "2026-12-01 09:00"),
    ("下週", "2026-11-30 09:00"),
    ("上午10點", "2026-11-26 10:00"),
    ("下午3點", "2026-11-26 15:00"),
    ("晚上8點", "2026-11-26 20:00"),
    ("上午10点", "2026-11-26 10:00"),
    ("下午3点", "2026-11-26 15:00"),
    ("晚上8点", "2026-11-26 20:00"),
    ("中午12點", "2026-11-26 12:00"),
    ("10點半", "2026-11-26 10:30"),
    ("10点30分", "2026-11-26 10:30"),
    ("下午三點半", "2026-11-26 15:30"),
    ("明天下午3點", "2026-11-27 15:00"),
    ("明天下午3点", "2026-11-27 15:00"),
    ("明天 下午3點", "2026-11-27 15:00"),
    ("週五上午10點", "2026-11-27 10:00"),
    ("下周三晚上8点", "2026-12-02 20:00"),
    ("12月2日下午3點", "2026-12-02 15:00"),
    ("明天10點半", "2026-11-27 10:30"),
    ("今晚8點", "2026-11-26 20:00"),
    ("明天15:30", "2026-11-27 15:30"),
    ("3天后下午2点", "2026-11-29 14:00"),
    ("fri 下午3點", "2026-11-27 15:00"),
    ("12-02 晚上8点", "2026-12-02 20:00"),
    ("2026-12-02下午3点", "2026-12-02 15:00"),
]


@pytest.mark.parametrize("text,expected", GOOD_DATES)
def test_chinese_dates(text, expected):
    assert when(text) == expected


def test_a_passed_month_day_is_next_years_when_booking_ahead_as_in_english():
    assert when("5月1日") == "2026-05-01 09:00"
    assert when("5月1日", ahead=True) == when("05-01", ahead=True) == "2027-05-01 09:00"


def test_a_chinese_date_ends_up_utc():
    assert parse_when("明天下午3點", now=NOW, tz=SHANGHAI, field="--next") == datetime(
        2026, 11, 27, 7, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text", ["明年某天", "週八", "下午", "五五天後", "後天天", "明天10am", "someday下午3點"]
)
def test_bad_chinese_dates_suggest_chinese_forms(text):
    with pytest.raises(Invalid) as caught:
        when(text)
    message = str(caught.value)
    assert (
        text in message and "is not a date" in message and "明天" in message and "3天後" in message
    )


@pytest.mark.parametrize(
    "text,problem",
    [
        ("2月30日", "is not a real date"),
        ("下午25點", "impossible time"),
        ("13月1日", "is not a real date"),
    ],
)
def test_impossible_chinese_dates_are_refused(text, problem):
    with pytest.raises(Invalid, match=problem):
        when(text)


NUMERALS = [
    ("三", 3),
    ("十", 10),
    ("十二", 12),
    ("二十", 20),
    ("一百零八", 108),
    ("三千", 3000),
    ("五萬", 50000),
    ("十二万", 120000),
    ("兩百萬", 2_000_000),
    ("两百万", 2_000_000),
    ("一萬五", 15000),
    ("三千五", 3500),
    ("一萬零五", 10005),
    ("一億二千萬", 120_000_000),
    ("12", 12),
    ("五五", None),
    ("萬x", None),
]


@pytest.mark.parametrize("text,value", NUMERALS)
def test_numerals(text, value):
    assert zh.number(text) == value


AMOUNTS = [
    ("五萬", 50000),
    ("五万", 50000),
    ("十二萬", 120000),
    ("十二万", 120000),
    ("三千", 3000),
    ("1.5萬", 15000),
    ("1.5万", 15000),
    ("兩百萬", 2_000_000),
    ("两百万", 2_000_000),
    ("5千", 5000),
    ("一萬五", 15000),
    ("3億", 300_000_000),
    ("一億二千萬", 120_000_000),
]


@pytest.mark.parametrize("text,major", AMOUNTS)
def test_amounts_in_chinese_numerals(text, major):
    assert parse_amount(text, field="--value") == (major * 100, None)


def test_a_chinese_amount_keeps_its_currency():
    assert parse_amount("¥五萬", field="--value") == (5_000_000, "CNY")
    assert parse_amount("五萬元", field="--value") == (5_000_000, "CNY")


@pytest.mark.parametrize("text", ["五五", "萬萬", "五萬x", "五五萬"])
def test_bad_chinese_amounts_are_refused(text):
    with pytest.raises(Invalid, match="is not an amount"):
        parse_amount(text, field="--value")


@pytest.mark.parametrize(
    "table,names",
    [
        (zh.STAGES, set(model.DEFAULT_STAGES + model.CLOSED_STAGES)),
        (zh.LOST_REASONS, set(model.DEFAULT_LOST_REASONS)),
        (zh.INTENTS, set(model.INTENTS)),
        (zh.ACTIVITY_KINDS, set(model.ACTIVITY_KINDS)),
    ],
)
def test_every_alias_names_a_real_word_and_every_word_has_one(table, names):
    assert set(table.values()) == names


@pytest.mark.parametrize(
    "traditional,simplified,stage",
    [
        ("新線索", "新线索", "new"),
        ("已聯繫", "已联系", "contacted"),
        ("已報價", "已报价", "quoted"),
        ("談單中", "谈单中", "negotiating"),
        ("待決策", "待决策", "deciding"),
        ("已成交", "已成交", "won"),
        ("流失", "流失", "lost"),
    ],
)
def test_the_briefs_stage_names_in_both_scripts(traditional, simplified, stage):
    settings = model.Settings()
    assert (
        settings.check_stage(traditional, open_only=False)
        == settings.check_stage(simplified, open_only=False)
        == stage
    )


# ---- through the real CLI ---------------------------------------------------------------------------


def test_move_with_a_chinese_stage(ok):
    ok("add", "Acme")
    assert ok("move", "1", "已報價", "--format", "json")["stage"] == "quoted"
    assert ok("move", "1", "谈单中", "--format", "json")["stage"] == "negotiating"
    assert [r["name"] for r in ok("lead", "list", "--stage", "談單中", "--format", "json")] == [
        "Acme"
    ]


def test_custom_stages_keep_their_own_names(ok, fails):
    ok("config", "set", "stages", "lead,demo,trial")
    ok("add", "Acme")
    fails("move", "1", "已報價", names=['"已報價" is not a stage', "lead, demo, trial"])


def test_lost_with_a_chinese_reason(ok):
    ok("add", "Acme")
    assert ok("lost", "1", "--reason", "價格", "--format", "json")["lost_reason"] == "price"
    ok("add", "Beta")
    assert (
        ok("lost", "2", "--reason", "竞争对手", "--format", "json")["lost_reason"] == "competitor"
    )


def test_a_chinese_reason_that_is_not_one_is_refused(ok, fails):
    ok("add", "Acme")
    fails("lost", "1", "--reason", "天氣", names=['--reason: "天氣" is not a lost reason'])


def test_add_with_chinese_next_value_and_intent(ok):
    lead = ok(
        "add",
        "李偉",
        "--next",
        "明天下午3點",
        "--value",
        "五萬",
        "--intent",
        "高意向",
        "--format",
        "json",
    )
    assert lead["next_at"] == "2026-11-27T15:00:00+00:00"  # the tests' zone is UTC
    assert lead["value"] == 50000
    assert lead["intent"] == "hot"


def test_add_with_a_bad_chinese_date_suggests_chinese(fails):
    fails(
        "add",
        "李偉",
        "--next",
        "明年某天",
        names=['--next: "明年某天" is not a date', "明天", "週五"],
    )


def test_log_with_a_chinese_kind_and_duration(ok):
    ok("add", "Acme")
    ok("log", "1", "打了電話", "--kind", "電話", "--next", "三天後")
    lead = ok("lead", "show", "1", "--format", "json")
    assert lead["next_at"].startswith("2026-11-29T09:00")
    assert [e["kind"] for e in lead["timeline"] if e["type"] == "activity"] == ["call"]


def test_import_reads_chinese_stages_in_the_file_and_in_stage_map(ok, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("name,stage,lost_reason\nA,已報價,\nB,Engaging,\nC,流失,预算\n", encoding="utf-8")
    ok("import", f, "--stage-map", "Engaging=已聯繫")
    rows = {r["name"]: r for r in ok("lead", "list", "--all", "--format", "json")}
    assert {name: r["stage"] for name, r in rows.items()} == {
        "A": "quoted",
        "B": "contacted",
        "C": "lost",
    }
    assert rows["C"]["lost_reason"] == "budget"


def test_a_plays_cadence_takes_chinese_kinds_and_stage(ok):
    ok(
        "play",
        "add",
        "intro",
        "--stage",
        "已聯繫",
        "--cadence",
        "0d 電話: 自我介紹; +2d 邮件：案例",
    )
    play = next(p for p in ok("play", "list", "--format", "json") if p["name"] == "intro")
    assert play["stage"] == "contacted"
    assert play["cadence"] == "0d call: 自我介紹; +2d email: 案例"


def test_docs_list_every_chinese_word():
    page = (Path(__file__).parent.parent / "docs" / "chinese.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"[\u4e00-\u9fff]+", page))
    for table in (zh.STAGES, zh.LOST_REASONS, zh.INTENTS, zh.ACTIVITY_KINDS):
        missing = sorted(set(table) - listed)
        assert not missing, f"docs/chinese.md does not list {missing}"
    assert "## Input" in page


def test_import_stage_map_to_a_chinese_stage_as_the_docs_show(ok, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("name,stage\nA,跟進中\n", encoding="utf-8")
    ok("import", f, "--stage-map", "跟進中=已聯繫")
    assert [r["stage"] for r in ok("lead", "list", "--format", "json")] == ["contacted"]


def test_won_and_value_in_chinese_numerals_close_by_month_end(ok):
    ok("add", "Acme", "--currency", "CNY")
    assert ok("won", "1", "--amount", "十二萬", "--format", "json")["won_amount"] == 120000
    ok("add", "Beta", "--value", "兩百萬", "--close-by", "月底")
    beta = ok("lead", "show", "2", "--format", "json")
    assert beta["value"] == 2_000_000 and beta["close_by"].startswith("2026-11-30")
