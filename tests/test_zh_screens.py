"""What a Chinese sales manager sees (docs/chinese.md, Output): the owner's Monday in zh-Hant and zh-Hans
through the CLI (report, funnel, stalled, rhythm, target), amounts in 万 (money_style), Chinese dates
in tables, and JSON byte-identical to English."""

from __future__ import annotations

import pytest

HANT, HANS = "zh-Hant", "zh-Hans"


@pytest.fixture
def monday(ok, monkeypatch):
    """A CNY team of two (alice, bob) on Monday 2026-11-30: last week bob won Globex (¥25,000), alice lost
    Umbrella on price; Acme (¥125,000, closes 12-09) sits idle and overdue; November's target is ¥300,000."""
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-10T10:00:00")
    ok("config", "set", "currency", "CNY")
    ok("rep", "add", "bob")
    ok("add", "Acme", "--value", "125000", "--intent", "hot", "--close-by", "2026-12-09")
    ok("lead", "edit", "Acme", "--next", "2026-11-24 09:00", "--step", "call back")
    ok("add", "李伟", "--company", "北京智造", "--value", "5000", "--next", "2026-12-09 10:00")
    ok("add", "Globex", "--value", "30k", "--owner", "bob", "--next", "2026-11-12")
    ok("add", "Umbrella", "--value", "1k")
    ok("move", "Umbrella", "quoted")
    ok("log", "Acme", "called, wants a quote", "--kind", "call")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-25T10:00:00")
    ok("log", "Globex", "signed", "--kind", "meeting")
    ok("won", "Globex", "--amount", "2.5万")
    ok("lost", "Umbrella", "--reason", "price")
    ok("target", "set", "300k", "--team", "--month", "2026-11")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-30T09:00:00")


# What each script must show, and English it must not (the sections' own words, not the data).
MONDAY = {
    HANT: {
        "report": (
            "團隊報告",
            "節奏：截至 2026-11-30（不含）的 8 週，有效跟進",
            "每週有效跟進",
            "穩定度",
            "月底成交佔比",
            "趨勢：截至 2026-11-30（不含）的 12 週",
            "11月23日 那週",
            "加權管道（週末）",
            "成交金額        ¥2.5萬",
            "¥30萬（8%）",
            "#1 Acme            alice   已聯繫  ¥12.5萬  19天",
        ),
        "funnel": (
            "團隊漏斗：",
            "建立的 4 個客戶",
            "到達",
            "→ 下一階段",
            "在此流失",
            "平均天數",
            "價格 1",
        ),
        "stalled": ("停滯的單（2）", "11月24日 週二", "¥12.5萬", "按業務員"),
        "rhythm": ("節奏 2026-10-06", "週末變暗", "本週 1", "深淺", "每週有效跟進", "推進比"),
        "target": (
            "2026-11 目標（截至 11月30日 週一",
            "¥2.5萬 / ¥30萬（8%；應有進度 98%）",
            "沒有目標",
        ),
    },
    HANS: {
        "report": (
            "团队报告",
            "节奏：截至 2026-11-30（不含）的 8 周，有效跟进",
            "每周有效跟进",
            "稳定度",
            "月底成交占比",
            "趋势：截至 2026-11-30（不含）的 12 周",
            "11月23日 那周",
            "加权管道（周末）",
            "成交金额        ¥2.5万",
            "¥30万（8%）",
            "#1 Acme            alice   已联系  ¥12.5万  19天",
        ),
        "funnel": (
            "团队漏斗：",
            "创建的 4 个客户",
            "到达",
            "→ 下一阶段",
            "在此流失",
            "平均天数",
            "价格 1",
        ),
        "stalled": ("停滞的单（2）", "11月24日 周二", "¥12.5万", "按销售"),
        "rhythm": ("节奏 2026-10-06", "周末变暗", "本周 1", "深浅", "每周有效跟进", "推进比"),
        "target": (
            "2026-11 目标（截至 11月30日 周一",
            "¥2.5万 / ¥30万（8%；应有进度 98%）",
            "没有目标",
        ),
    },
}
COMMANDS = {
    "report": ("report", "--week", "--team"),
    "funnel": ("funnel",),
    "stalled": ("stalled", "--team"),
    "rhythm": ("rhythm",),
    "target": ("target", "show"),
}
ENGLISH = (
    "Rhythm",
    "Trends",
    "Weekly touches",
    "Steadiness",
    "Week of",
    "funnel",
    "Reached",
    "Lost here",
    "Avg days",
    "this week",
    "Shades",
    "Targets",
    "pace",
    "no target",
    "$",
    "2026-11-24",
)
TRADITIONAL_ONLY = set("團報節週進穩趨勢權達應沒標業務")


@pytest.mark.parametrize("lang", [HANT, HANS])
@pytest.mark.parametrize("view", list(COMMANDS))
def test_the_owners_monday_reads_in_chinese(ok, monday, lang, view):
    out = ok("--lang", lang, *COMMANDS[view]).out
    for words in MONDAY[lang][view]:
        assert words in out, (words, out)
    for english in ENGLISH:
        assert english not in out, (english, out)
    if lang == HANS:
        assert not TRADITIONAL_ONLY & set(out), sorted(TRADITIONAL_ONLY & set(out))


@pytest.mark.parametrize("lang", [HANT, HANS])
def test_the_locale_alone_chooses_the_report_language(ok, monday, monkeypatch, lang):
    monkeypatch.setenv("LANG", "zh_TW.UTF-8" if lang == HANT else "zh_CN.UTF-8")
    assert MONDAY[lang]["report"][0] in ok("report").out


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            HANT,
            (
                "節奏（8 週）",
                "那週起 12 週）",
                "每週有效跟進",
                "最近一週",
                "¥2.5萬",
                "12月9日 週三",
            ),
        ),
        (
            HANS,
            (
                "节奏（8 周）",
                "那周起 12 周）",
                "每周有效跟进",
                "最近一周",
                "¥2.5万",
                "12月9日 周三",
            ),
        ),
    ],
)
def test_the_html_report_declares_its_language_and_a_cjk_font_stack(
    ok, monday, lang, words, monkeypatch
):
    monkeypatch.setenv(
        "SALESCTL_NOW", "2026-12-07T09:00:00"
    )  # Acme closes within the reported week
    html = ok("--lang", lang, "report", "--week", "--team", "--format", "html").out
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html, word
    for english in ("Rhythm (", "Trends (", "Weekly touches", "Last week", ">Line<", ">Bars<"):
        assert english not in html, english
    first = "'PingFang TC'" if lang == HANT else "'PingFang SC'"
    fonts = html[html.index("font-family:") :].split(";")[0]
    assert fonts.index(first) < fonts.index("sans-serif"), fonts  # its own script's faces first


@pytest.mark.parametrize(
    "args",
    [
        COMMANDS["report"],
        ("report", "--month", "--team"),
        COMMANDS["funnel"],
        ("funnel", "--compare", "quarter"),
        COMMANDS["stalled"],
        COMMANDS["rhythm"],
        COMMANDS["target"],
        ("today", "--team"),
        ("lead", "list", "--team"),
        ("lead", "show", "Acme"),
        ("config", "show"),
        ("play", "list"),
        ("rep", "list", "--all"),
        ("search", "Acme"),
        ("handoff", "alice", "bob", "--dry-run"),
    ],
)
def test_json_and_csv_are_byte_identical_to_english(run, monday, args):
    for fmt in ("json", "csv"):
        english = run(*args, "--format", fmt)
        assert english.code == 0, english
        for lang in (HANT, HANS):
            assert run("--lang", lang, *args, "--format", fmt).out == english.out, (lang, fmt)


# ---- money_style ------------------------------------------------------------------------------------


def test_wan_is_the_default_for_a_chinese_screen_of_a_cny_team_only(ok, monday):
    assert "¥12.5萬" in ok("--lang", HANT, "lead", "list").out
    assert "¥12.5万" in ok("--lang", HANS, "lead", "list").out
    assert "¥125,000" in ok("lead", "list").out  # English: western
    assert "¥5,000" in ok("--lang", HANS, "lead", "list").out  # under 1万: as it is
    ok("config", "set", "currency", "USD")
    assert "¥125,000" in ok("--lang", HANS, "lead", "show", "Acme").out  # a USD team: western


def test_a_twd_team_reads_nt_dollars_in_wan(ok):
    ok("config", "set", "currency", "NT$")
    ok("add", "Acme", "--value", "125000")
    assert "NT$12.5萬" in ok("--lang", HANT, "lead", "list").out
    assert "125,000 TWD" in ok("lead", "list").out


def test_money_style_can_be_set_either_way(ok, monday):
    ok("config", "set", "money_style", "western")
    assert "¥125,000" in ok("--lang", HANT, "lead", "list").out
    assert ok("config", "show", "--format", "json")["money_style"] == "western"
    ok("config", "set", "money_style", "WAN")
    assert ok("config", "show", "--format", "json")["money_style"] == "wan"
    assert "¥12.5万" in ok("lead", "list").out  # chosen: English tables too
    shown = ok("--lang", HANS, "config", "show").out
    assert "money_style" in shown and "wan" in shown


def test_a_bad_money_style_is_refused_and_changes_nothing(fails, monday):
    fails(
        "config",
        "set",
        "money_style",
        "lakh",
        names=["config money_style", '"lakh"', "western or wan"],
    )


def test_money_style_default_is_shown_in_config(ok, monday):
    assert "（預設：wan）" in ok("--lang", HANT, "config", "show").out
    assert "(default: western)" in ok("config", "show").out


@pytest.mark.parametrize(
    ("minor", "currency", "hant", "hans"),
    [
        (12_500_000, "CNY", "¥12.5萬", "¥12.5万"),
        (12_345_678, "CNY", "¥12.35萬", "¥12.35万"),
        (999_999, "CNY", "¥9,999.99", "¥9,999.99"),
        (1_000_000, "TWD", "NT$1萬", "NT$1万"),
        (18_323_700_000, "CNY", "¥1.83億", "¥1.83亿"),
        (183_237_000, "CNY", "¥183.24萬", "¥183.24万"),
        (1_832_370_000, "CNY", "¥1,832.37萬", "¥1,832.37万"),
        (-3_540_000, "USD", "-$3.54萬", "-$3.54万"),
        (12_500_000, "SEK", "12.5萬 SEK", "12.5万 SEK"),
    ],
)
def test_wan_amounts(minor, currency, hant, hans):
    from salesctl.money import format_wan

    """The formatting alone (the CLI tests above show it in tables): 万 from 1万 up, 亿 from 1亿, at most
    two decimals, the currency's symbol (NT$ for TWD), small amounts as they are."""
    assert format_wan(minor, currency, wan="萬", yi="億") == hant
    assert format_wan(minor, currency) == hans


# ---- dates ------------------------------------------------------------------------------------------


def test_lead_list_and_show_show_chinese_days_and_json_keeps_iso(ok, monday):
    listed = ok("--lang", HANT, "lead", "list").out
    assert "11月24日 週二 09:00" in listed and "2026-11-24" not in listed
    shown = ok("--lang", HANS, "lead", "show", "Acme").out
    for words in (
        "下次跟进  11月24日 周二 09:00 call back",
        "预计成交  12月9日 周三",
        "11月10日 周二 10:00     alice  创建于新线索",
    ):
        assert words in shown, (words, shown)
    assert (
        ok("--lang", HANS, "lead", "show", "Acme", "--format", "json")["close_by"] == "2026-12-09"
    )
    assert "2026-11-24 09:00" in ok("lead", "list").out  # English keeps its dates


def test_another_years_dates_keep_their_year(ok, monday):
    ok("lead", "edit", "Acme", "--next", "2027-01-05 10:00")
    assert "2027年1月5日 週二 10:00" in ok("--lang", HANT, "lead", "list").out


# ---- the rest of the screen -------------------------------------------------------------------------


def test_plays_reps_and_config_in_chinese(ok, monday):
    ok("play", "add", "quote-follow-up", "--text", "call two days after", "--stage", "quoted")
    plays = ok("--lang", HANT, "play", "list").out
    assert all(w in plays for w in ("打法", "角色", "使用次數", "怎麼做", "已報價")), plays
    suggested = ok("--lang", HANS, "play", "suggest", "Acme").out
    assert "#1 Acme 的打法（已联系）" in suggested, suggested
    reps = ok("--lang", HANS, "rep", "list", "--all").out
    assert all(w in reps for w in ("销售", "邮箱", "在职", "进行中的客户")), reps
    config = ok("--lang", HANS, "config", "show").out
    assert "（系统：" in config and "（默认：wan）" in config, config


def test_the_calendar_feed_speaks_the_language(ok, monday):
    feed = ok("--lang", HANT, "calendar").out
    for words in (
        "X-WR-CALNAME:salesctl 跟進：alice",
        "SUMMARY:逾期：call back – Acme",
        "自 11月24日 週二 09:00 起逾期",
        "階段：已聯繫",
        "金額：¥12.5萬",
    ):
        assert words in feed, (words, feed)
    english = ok("calendar").out
    assert "SUMMARY:OVERDUE: call back – Acme" in english and "Stage: contacted" in english
    assert [line for line in feed.splitlines() if line.startswith("UID")] == [
        line for line in english.splitlines() if line.startswith("UID")
    ]  # the same events, only their text translated


# ---- --help -----------------------------------------------------------------------------------------


def test_help_speaks_the_locale(run, monkeypatch):
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    root = run("--help").out
    for words in (
        "salesctl：給小團隊用的命令列銷售追蹤工具。",
        "主管的週一：",
        "本次執行的表格和訊息語言",
    ):
        assert words in root, (words, root)
    assert "report    主管的報告：跟進、成交與流失、目標進度和預測…" in root, root
    group = run("lead").err  # a group alone shows its help (on stderr, exit 2, as click does)
    assert (
        "列出、查看、修改、刪除、分配和釋放客戶。" in group
        and "list     列出你進行中的客戶" in group
    ), group


def test_help_follows_lang_and_english_stays_english(run, monkeypatch):
    report = run("--lang", HANS, "report", "--help").out
    for words in (
        "主管的报告：跟进、成交与流失、目标进度和预测，按销售和整个团队。",
        "示例：",
        "上一个完整的周一到周日（默认）。",
    ):
        assert words in report, (words, report)
    assert "salesctl report --month --format html" in report  # examples are commands: as they are
    english = run("report", "--help").out  # the same process: English help is not touched
    assert (
        "The owner's report: activity" in english
        and "Example:" in english
        and "示例" not in english
    )
    monkeypatch.setenv("SALESCTL_LANG", HANT)
    assert "你的待辦清單" in run("today", "--help").out


# Option help in each script (docs/chinese.md, Help): the words a Chinese sales manager reads, with the
# option names, placeholders and machine values left as they are typed.
OPTION_HELP = {
    HANT: {
        ("add",): (
            "預計成交金額：1000、1.5k、5萬",
            "下次跟進（保留下一步）：明天",
            "放進公海",
            "--close-by WHEN",
        ),
        ("import",): ("skip 略過這一行，update 更新該客戶", "例如 Won=won", "--on-duplicate"),
        ("rep", "add"): ("摘要郵件的語言：en、zh-Hant 或 zh-Hans", "--lang LANG"),
        ("lost",): ("原因（必填）：price, budget", "也可用中文：價格、預算"),
    },
    HANS: {
        ("lead", "list"): ("只看这个阶段（可重复）", "包括已成交和流失的客户", "close_by"),
        ("export",): ("写入 FILE（创建为私有文件，权限 0600）", "所有数据表，仅限 JSON"),
        ("config", "set"): ("以下之一：stages, rot_days.STAGE", "新的值。"),
        ("move",): (
            "进行中的阶段：new, contacted",
            "也可用中文：新线索、已联系、已报价、谈单中、待决策",
        ),
    },
}
ENGLISH_OPTION_HELP = (
    "Expected deal size",
    "skip the row, update the lead",
    "Only this stage",
    "Why (required)",
    "The new value.",
)


@pytest.mark.parametrize("lang", [HANT, HANS])
def test_every_commands_option_help_is_chinese(run, lang):
    for command, words in OPTION_HELP[lang].items():
        # As if unwrapped: Chinese help may break a line between any two CJK characters, so compare
        # without the whitespace.
        page = "".join(run("--lang", lang, *command, "--help").out.split())
        for text in words:
            assert "".join(text.split()) in page, (command, text, page)
        assert not any("".join(english.split()) in page for english in ENGLISH_OPTION_HELP), page


def _every_command():
    import typer

    from salesctl import cli, helptext

    cli._register()
    return [path.split()[1:] for path, _ in helptext._walk(typer.main.get_command(cli.app))]


def test_english_help_stays_english_after_chinese_help(run):
    """Help is translated by rewriting a click command tree: the English one must not be touched."""
    commands = _every_command()
    english = {tuple(c): run(*c, "--help").out for c in commands}
    for lang in (HANT, HANS):
        for command in commands:
            run("--lang", lang, *command, "--help")
    assert {tuple(c): run(*c, "--help").out for c in commands} == english
    assert "Expected deal size: 1000, 1.5k, 5万, $1,200." in english[("add",)]


def test_search_and_handoff_lists_in_chinese(ok, monday):
    found = ok("--lang", HANT, "search", "Acme").out
    for words in ("找到於", "客戶", "階段", "已聯繫", "11月10日 週二 10:00"):
        assert words in found, (words, found)
    assert "跟進內容" in ok("--lang", HANT, "search", "quote").out  # found in an activity's note
    moved = ok("--lang", HANS, "handoff", "alice", "bob", "--dry-run").out
    assert "11月24日 周二 09:00" in moved and "2026年" not in moved, (
        moved
    )  # this year's days drop it
