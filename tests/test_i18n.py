"""Chinese output (docs/chinese.md, Output): the rep's day in zh-Hant and zh-Hans, JSON never translated,
the language chosen by --lang / setting / $SALESCTL_LANG / locale, and catalogs that match the code."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import msgfmt  # noqa: E402  (tools/msgfmt.py: the catalogs' compiler)

LANGS = {"zh-Hant": "zh_Hant", "zh-Hans": "zh_Hans"}


@pytest.fixture
def day_of_work(ok, monkeypatch):
    """Thu 2026-11-26 10:00: one overdue call, one due today, one stalled quote closing soon, one new lead."""
    ok(
        "add",
        "Acme",
        "--value",
        "20k",
        "--intent",
        "hot",
        "--next",
        "2026-11-24 09:00",
        "--step",
        "call back",
    )
    ok(
        "add",
        "李伟",
        "--company",
        "北京智造",
        "--value",
        "5000",
        "--next",
        "today 15:00",
        "--step",
        "send quote",
    )
    ok("add", "Globex", "--value", "3k", "--next", "2026-12-09 10:00", "--step", "demo")
    ok("add", "Initech", "--value", "8k", "--close-by", "2026-11-29", "--step", "chase the PO")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-10T10:00:00")
    ok("add", "Umbrella", "--value", "1k", "--step", "first call")
    ok("move", "Umbrella", "quoted")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")


# ---- the rep's day ----------------------------------------------------------------------------------


def test_today_in_traditional_chinese(ok, day_of_work):
    out = ok("--lang", "zh-Hant", "today").out
    for label in (
        "逾期（1）",
        "今天到期（1）",
        "也需要你處理",
        "客戶",
        "階段",
        "下一步",
        "金額",
        "原因",
        "新線索",
        "已報價",
        "2天",
        "未跟進",
        "沒動靜",
        "11月29日 週日截止",
        "沒有下一步",
    ):
        assert label in out, (label, out)
    for english in ("Overdue", "Due today", "Stage", "new ", "untouched", "closes"):
        assert english not in out, (english, out)


def test_today_in_simplified_chinese_uses_its_own_vocabulary(ok, day_of_work):
    out = ok("--lang", "zh-Hans", "today").out
    for label in (
        "逾期（1）",
        "今天到期（1）",
        "也需要你处理",
        "客户",
        "阶段",
        "金额",
        "新线索",
        "已报价",
        "未跟进",
        "11月29日 周日截止",
        "没有下一步",
    ):
        assert label in out, (label, out)
    assert not set("處戶階額線報進週") & set(out), out  # no Traditional-only characters


def test_today_in_english_is_unchanged_and_reads_no_catalog(ok, day_of_work):
    from salesctl import i18n

    i18n._catalog.cache_clear()
    out = ok("today").out
    assert (
        "Overdue (1)" in out
        and "Due today (1)" in out
        and "untouched" in out
        and "closes 11-29" in out
    )
    assert i18n._catalog.cache_info().currsize == 0  # English is the code's own text


def test_dates_in_tables_read_as_chinese_days(ok, day_of_work):
    out = ok("--lang", "zh-Hant", "today").out
    assert "12月9日 週三 demo" in out  # the booked follow-up of a lead in "also needs you"
    assert "12月9日 周三 demo" in ok("--lang", "zh-Hans", "today").out


@pytest.mark.parametrize(
    "args",
    [
        ("today",),
        ("today", "--team"),
        ("stalled",),
        ("lead", "list"),
        ("lead", "show", "Acme"),
        ("config", "show"),
    ],
)
def test_json_is_byte_identical_in_every_language(run, day_of_work, args):
    english = run(*args, "--format", "json")
    assert english.code == 0
    for lang in LANGS:
        chinese = run("--lang", lang, *args, "--format", "json")
        assert chinese.out == english.out, lang


def test_csv_headers_are_never_translated(run, day_of_work):
    english = run("today", "--format", "csv").out
    assert (
        run("--lang", "zh-Hant", "today", "--format", "csv").out.splitlines()[0]
        == english.splitlines()[0]
    )


def test_errors_keep_their_exit_code_with_a_chinese_prefix(run, day_of_work, db):
    from conftest import digest

    before = digest(db)
    hant = run("--lang", "zh-Hant", "move", "Acme", "nowhere")
    hans = run("--lang", "zh-Hans", "move", "Acme", "nowhere")
    english = run("move", "Acme", "nowhere")
    assert english.code == hant.code == hans.code == 1
    assert (
        english.err.startswith("Error: ")
        and hant.err.startswith("錯誤: ")
        and hans.err.startswith("错误: ")
    )
    assert digest(db) == before


# ---- which language ---------------------------------------------------------------------------------


def test_the_language_comes_from_flag_then_setting_then_env_then_locale(
    run, ok, day_of_work, monkeypatch
):
    def title() -> str:
        return run("today").out.splitlines()[0]

    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert title().startswith("逾期（1）") and "處理" in run("today").out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "处理" in run("today").out
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL wins over LANG
    assert title() == "Overdue (1)"
    monkeypatch.setenv("SALESCTL_LANG", "zh-Hant")  # and $SALESCTL_LANG over the locale
    assert "處理" in run("today").out
    ok("config", "set", "lang", "zh-Hans")  # the setting over $SALESCTL_LANG
    assert "处理" in run("today").out
    assert ok("config", "show", "--format", "json")["lang"] == "zh-Hans"
    assert (
        run("--lang", "en", "today").out.splitlines()[0] == "Overdue (1)"
    )  # --lang over everything


@pytest.mark.parametrize(
    ("value", "lang"),
    [
        ("zh_TW.UTF-8", "zh-Hant"),
        ("zh_HK", "zh-Hant"),
        ("zh_Hant_TW.UTF-8", "zh-Hant"),
        ("zh_CN.UTF-8", "zh-Hans"),
        ("zh_SG", "zh-Hans"),
        ("zh_Hans", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("en_US.UTF-8", "en"),
        ("C", "en"),
        ("fr_FR", "en"),
    ],
)
def test_locale_names_map_to_languages(value, lang):
    from salesctl.i18n import lang_of_locale

    assert lang_of_locale(value) == lang


def test_a_wrong_language_is_an_error_naming_it(fails, day_of_work, monkeypatch):
    fails("--lang", "fr", "today", names=["--lang", '"fr"', "zh-Hant"])
    fails("config", "set", "lang", "klingon", names=["config lang", '"klingon"'])
    monkeypatch.setenv("SALESCTL_LANG", "fr")
    fails("today", names=["SALESCTL_LANG", '"fr"'])


# ---- the catalogs -----------------------------------------------------------------------------------

_CALL = re.compile(
    r"""(?:(?<![\w.])N?_|\.gettext)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)"""
)


def msgids_in_code() -> set[str]:
    """Every `_("…")`, `N_("…")` (a label in a table of rows) and `catalog.gettext("…")` in salesctl."""
    import ast

    found = set()
    for path in (ROOT / "salesctl").rglob("*.py"):
        for literal in _CALL.findall(path.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(literal))
    return found


def help_texts() -> set[tuple[str, str]]:
    """The `--help` texts shown in Chinese (salesctl/helptext.py): every command's summary and more."""
    import typer

    from salesctl import cli, helptext

    cli._register()
    return helptext.msgids(typer.main.get_command(cli.app))


def words_in_contexts() -> set[tuple[str, str]]:
    """The fixed vocabulary shown through `i18n.stage/reason/intent/kind`, pgettext("lost", …) and
    doctor's check names (context `doctor`) and the default plays' texts (context `play`)."""
    from salesctl.commands.admin import DOCTOR_WORDS
    from salesctl.model import (
        ACTIVITY_KINDS,
        CLOSED_STAGES,
        DEFAULT_LOST_REASONS,
        DEFAULT_STAGES,
        INTENTS,
    )
    from salesctl.store import DEFAULT_PLAYS
    from salesctl.views.agenda import _WHY

    reasons = {
        _WHY.get(r, r)
        for r in (
            "overdue",
            "due_today",
            "new_untouched",
            "stalled",
            "closing_soon",
            "no_next_step",
            "after_sale",
        )
    }
    return (
        help_texts()
        | {("stage", s) for s in DEFAULT_STAGES + CLOSED_STAGES}
        | {("reason", r) for r in reasons}
        | {("intent", i) for i in INTENTS}
        | {("kind", k) for k in ACTIVITY_KINDS}
        | {("lost", r) for r in DEFAULT_LOST_REASONS}
        | {("doctor", w) for w in DOCTOR_WORDS}
        | {("play", text) for _name, _persona, text in DEFAULT_PLAYS}
    )


@pytest.mark.parametrize("lang", LANGS.values())
def test_every_message_has_a_translation_and_no_entry_is_stale(lang):
    entries = msgfmt.read_po(ROOT / "salesctl" / "locale" / lang / "LC_MESSAGES" / "salesctl.po")
    wanted = {(None, m) for m in msgids_in_code()} | words_in_contexts()
    have = {key for key, text in entries.items() if key != (None, "") and text}
    assert len(wanted) > 40  # the scan found the views' messages
    assert wanted - have == set(), "missing translations"
    assert set(entries) - wanted - {(None, "")} == set(), "stale entries: no longer in the code"
    for (_ctx, msgid), text in entries.items():
        assert set(re.findall(r"{\w*}", msgid)) == set(re.findall(r"{\w*}", text)), msgid


@pytest.mark.parametrize("lang", LANGS.values())
def test_the_compiled_catalogs_are_up_to_date(lang):
    po = ROOT / "salesctl" / "locale" / lang / "LC_MESSAGES" / "salesctl.po"
    assert po.with_suffix(".mo").read_bytes() == msgfmt.mo_bytes(msgfmt.read_po(po)), (
        "run python tools/msgfmt.py"
    )


def test_the_package_ships_the_compiled_catalogs():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]
    shipped = {p for pattern in data["salesctl"] for p in (ROOT / "salesctl").glob(pattern)}
    assert {po.with_suffix(".mo") for po in msgfmt.catalogs()} <= shipped


def test_lead_list_show_and_stalled_in_chinese(ok, day_of_work):
    ok("log", "Acme", "no answer", "--kind", "call", "--no-effective")
    ok("lost", "Globex", "--reason", "price")
    listed = ok("--lang", "zh-Hant", "lead", "list").out
    assert "名稱" in listed and "階段" in listed and "新線索" in listed and "Stage" not in listed
    shown = ok("--lang", "zh-Hant", "lead", "show", "Acme").out
    for label in ("客戶", "意向", "高意向", "時間線", "電話（未接通）", "建立於新線索"):
        assert label in shown, (label, shown)
    lost = ok("--lang", "zh-Hans", "lead", "show", "Globex").out
    assert "流失（在新线索流失：价格）" in lost, lost
    stalled = ok("--lang", "zh-Hans", "stalled").out
    assert "停滞的单（1）" in stalled and "已报价" in stalled and "停滞天数" in stalled


# ---- the owner's Monday -------------------------------------------------------------------------------


@pytest.fixture
def a_week(ok, day_of_work, monkeypatch):
    ok("rep", "add", "bob")
    ok("won", "李伟", "--amount", "6000")
    ok("lost", "Globex", "--reason", "price")
    ok("target", "set", "50k", "--team", "--month", "2026-11")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-30T09:00:00")


def test_report_in_both_scripts(ok, a_week):
    hant = ok("--lang", "zh-Hant", "report", "--week", "--team").out
    for label in (
        "團隊報告",
        "指標",
        "本期",
        "上期",
        "期末的銷售管道",
        "成交率",
        "流失原因",
        "價格",
        "業務員",
        "團隊",
        "2026-11 目標",
        "進度",
    ):
        assert label in hant, (label, hant)
    hans = ok("--lang", "zh-Hans", "report", "--week", "--team").out
    for label in (
        "团队报告",
        "指标",
        "期末的销售管道",
        "成交率",
        "价格",
        "销售",
        "团队",
        "2026-11 目标",
    ):
        assert label in hans, (label, hans)
    assert "Pipeline" not in hant + hans and "Win rate" not in hant + hans


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-Hant", ("團隊報告", "本期", "期末的銷售管道")),
        ("zh-Hans", ("团队报告", "本期", "期末的销售管道")),
    ],
)
def test_report_html_and_md_declare_and_speak_the_language(ok, a_week, lang, words):
    html = ok("--lang", lang, "report", "--week", "--team", "--format", "html").out
    assert f'<html lang="{lang}">' in html
    assert all(w in html for w in words)
    md = ok("--lang", lang, "report", "--week", "--team", "--format", "md").out
    assert all(w in md for w in words)
    assert '<html lang="en">' in ok("report", "--week", "--team", "--format", "html").out
    assert ("PingFang TC" in html) == (lang == "zh-Hant")  # the Traditional faces first for zh-Hant


def test_report_json_and_csv_are_the_same_in_every_language(run, a_week):
    for fmt in ("json", "csv"):
        english = run("report", "--week", "--team", "--format", fmt).out
        for lang in LANGS:
            assert (
                run("--lang", lang, "report", "--week", "--team", "--format", fmt).out == english
            ), (lang, fmt)


def test_confirmations_in_chinese(run, day_of_work):
    logged = run(
        "--lang", "zh-Hant", "log", "Umbrella", "called", "--kind", "meeting", "--next", "fri"
    )
    assert logged.code == 0 and "已記錄 #5 Umbrella 的會議；下次：" in logged.out + logged.err, (
        logged
    )
    moved = run("--lang", "zh-Hans", "move", "Umbrella", "negotiating")
    assert "#5 Umbrella：已报价 → 谈单中" in moved.out + moved.err, moved
    won = run("--lang", "zh-Hans", "won", "Acme")
    assert "#1 Acme 已成交：$20,000" in won.out + won.err, won
    lost = run("--lang", "zh-Hant", "lost", "Globex", "--reason", "competitor")
    assert "#3 Globex 在新線索流失：競爭對手" in lost.out + lost.err, lost
    assert run("move", "Initech", "contacted").out.startswith("Moved #4 Initech: new → contacted")


def test_the_lang_setting_survives_export_and_restore(ok, run, day_of_work, tmp_path, monkeypatch):
    ok("config", "set", "lang", "zh-Hant")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", str(dump))
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "restored.db"))
    ok("import", str(dump))
    assert ok("config", "show", "--format", "json")["lang"] == "zh-Hant"
    assert run("today").out.startswith("逾期（1）")
