"""`--help` and usage errors in Chinese (docs/chinese.md, Help): every paragraph of a command's help,
the words Click and Typer print themselves, usage errors with their exit code, lines that fit the
terminal, and English help and errors left exactly as they were."""

from __future__ import annotations

import re
import unicodedata

import pytest

HANT, HANS = "zh-Hant", "zh-Hans"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def every_command() -> list[list[str]]:
    import typer

    from salesctl import cli, helptext

    cli._register()
    return [path.split()[1:] for path, _ in helptext._walk(typer.main.get_command(cli.app))]


# ---- every paragraph -------------------------------------------------------------------------------


def test_the_paragraphs_after_the_first_are_chinese_too(run):
    today = run("--lang", HANT, "today", "--help")
    assert today.code == 0
    for words in (
        "你的待辦清單：",  # the first paragraph, as before
        "暫緩中的客戶在暫緩結束前只會因約好的跟進",
        "順序：逾期（逾期最久的在前）",
        "★ 表示重點客戶。",
    ):
        assert words in today.out, (words, today.out)
    assert "A snoozed lead" not in today.out and "Order: overdue" not in today.out
    report = run("--lang", HANS, "report", "--help").out
    assert "销售管道的数字以期末为准" in report and "Pipeline figures" not in report
    assert (
        "salesctl report --month --format html --out november.html" in report
    )  # examples as they are


def test_the_locale_alone_translates_every_paragraph(run, monkeypatch):
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    log = run("log", "--help").out
    assert "只給 --next 會改跟進時間並保留下一步" in log and "--next alone" not in log
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    funnel = run("funnel", "--help").out
    assert "每个阶段显示有多少客户到达" in funnel and "转化率" in funnel  # 轉換率 in Traditional


@pytest.mark.parametrize("lang", [HANT, HANS])
def test_no_prose_paragraph_of_any_command_stays_english(run, lang):
    for path in every_command():
        page = run("--lang", lang, *path, "--help").out
        paragraphs = page.split("\n\n")[1:]  # after the usage line
        for paragraph in paragraphs:
            words = paragraph.strip()
            if words.startswith(("範例", "示例", "選項", "选项", "引數", "参数", "指令", "命令")):
                continue
            if words.startswith(("業務員的早上", "销售的早上", "salesctl ")):
                continue  # the root's example blocks: headings Chinese, command lines as they are
            assert CJK.search(words), (path, lang, words)


# ---- Click's and Typer's own words -----------------------------------------------------------------


def test_usage_options_and_defaults_in_traditional_chinese(run):
    page = run("--lang", HANT, "calendar", "--help").out
    assert page.startswith("用法：salesctl calendar [OPTIONS]")
    assert "\n選項：\n" in page and "[預設：30" in page and "顯示這份說明並結束。" in page
    shown = run("--lang", HANT, "lead", "show", "--help").out
    assert "\n引數：\n" in shown and "[必填]" in shown
    root = run("--lang", HANT, "--help").out
    assert "\n指令：\n" in root and "為目前的 shell 安裝自動補全。" in root
    assert (
        "[預設：error]" in run("--lang", HANT, "import", "--help").out
    )  # never split across lines
    for english in (
        "Usage:",
        "Options:",
        "Arguments:",
        "Commands:",
        "Show this message",
        "[default",
    ):
        assert english not in page + shown + root, english


def test_usage_options_and_defaults_in_simplified_chinese(run):
    page = run("--lang", HANS, "lead", "show", "--help").out
    assert page.startswith("用法：salesctl lead show")
    assert "\n参数：\n" in page and "\n选项：\n" in page and "显示此帮助并退出。" in page
    assert "\n命令：\n" in run("--lang", HANS, "--help").out
    assert not set("選項數顯說") & set(page)  # its own vocabulary, no Traditional-only characters


def test_a_group_alone_shows_its_help_in_chinese(run, monkeypatch):
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    group = run("lead")  # on stderr, exit 2, as click does
    assert group.code == 2
    assert group.err.startswith("用法：salesctl lead [OPTIONS] COMMAND [ARGS]...")
    assert "\n指令：\n" in group.err and "Commands" not in group.err


def test_the_command_list_reads_as_whole_clauses(run):
    root = run("--lang", HANT, "--help").out
    assert (
        "  stalled   停滯的單以及每位業務員的停滯比例。\n" in root
    )  # its aside dropped, not cut inside
    assert "  funnel    單在哪裡流失：某段時間內建立的客戶的漏斗…\n" in root
    assert "  add       新增一個客戶，放在第一個階段，歸你負責；印出它的編號。\n" in root


@pytest.mark.parametrize("lang", [HANT, HANS])
def test_chinese_help_fits_80_columns_and_stays_aligned(run, monkeypatch, lang):
    monkeypatch.setenv("COLUMNS", "80")
    for path in every_command():
        examples = set(run(*path, "--help").out.splitlines())  # shown as written, at any length
        page = run("--lang", lang, *path, "--help").out
        for line in page.splitlines():
            if line not in examples:
                assert cells(line) <= 80, (path, line, cells(line))
    root = run("--lang", lang, "--help").out
    listed = root.split("\n\n")[-1].splitlines()[1:]  # the command list
    assert len(listed) > 20
    assert {len(re.match(r"  \S+ +", row).group()) for row in listed} == {12}, listed


# ---- usage errors ----------------------------------------------------------------------------------


def test_an_unknown_option_is_named_in_chinese_with_exit_2(run):
    result = run("--lang", HANT, "won", "7", "--amout", "5k")
    assert result.code == 2
    assert result.err == (
        "用法：salesctl won [OPTIONS] {LEAD}\n"
        "執行 'salesctl won -h' 查看說明。\n\n"
        "錯誤: 沒有這個選項：--amout（你是指 --amount 嗎？）\n"
    )
    simplified = run("--lang", HANS, "lead", "show", "--bogus")
    assert simplified.code == 2 and "错误: 没有这个选项：--bogus（选项见 -h）" in simplified.err


def test_a_missing_argument_in_chinese_from_the_locale(run, monkeypatch):
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    result = run("lead", "show")
    assert result.code == 2
    assert result.err.startswith("用法：salesctl lead show [OPTIONS] {LEAD}\n")
    assert result.err.endswith("錯誤: 缺少引數 'LEAD'。\n"), result.err
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert run("lead", "show").err.endswith("错误: 缺少参数 'LEAD'。\n")


@pytest.mark.parametrize(
    ("args", "hant", "hans"),
    [
        (
            ("lead", "list", "--limit", "x"),
            "錯誤: '--limit' / '-n' 的值無效：'x' 不是有效的整數。",
            "错误: '--limit' / '-n' 的值无效：'x' 不是有效的整数。",
        ),
        (
            ("lead", "list", "-f", "xml"),
            "的值無效：'xml' 不是 'table', 'json', 'csv', 'md' 之一。",
            "的值无效：'xml' 不是 'table', 'json', 'csv', 'md' 之一。",
        ),
        (("lead", "list", "--limit", "0"), "0 不在範圍 x>=1 內。", "0 不在范围 x>=1 内。"),
        (("lead", "list", "extra"), "錯誤: 多出了引數（extra）", "错误: 多出了参数（extra）"),
        (
            ("tody",),
            "錯誤: 沒有這個指令 'tody'。你是指 'today' 嗎？",
            "错误: 没有这个命令 'tody'。你是指 'today' 吗？",
        ),
        (("today", "--team=1"), "錯誤: 選項 '--team' 不接受值。", "错误: 选项 '--team' 不接受值。"),
        (("lead", "list", "--limit"), "選項 '--limit' 需要一個值。", "选项 '--limit' 需要一个值。"),
        (("--bogus",), "錯誤: 沒有這個選項：--bogus", "错误: 没有这个选项：--bogus"),
    ],
    ids=[
        "not-an-int",
        "not-a-choice",
        "out-of-range",
        "extra-argument",
        "unknown-command",
        "flag-with-value",
        "missing-value",
        "root-option",
    ],
)
def test_usage_errors_in_both_scripts(run, args, hant, hans):
    for lang, words in ((HANT, hant), (HANS, hans)):
        result = run("--lang", lang, *args)
        assert result.code == 2 and words in result.err, (lang, result)
        assert "Error" not in result.err and "Usage" not in result.err, result.err


def test_a_commands_own_lang_option_does_not_choose_the_language(run):
    """`rep add --lang` is the rep's language; only the global --lang (before the command) is the run's."""
    result = run("rep", "add", "王芳", "--lang", HANS, "--bogus")
    assert result.code == 2 and "Error: No such option: --bogus" in result.err


# ---- English stays exactly as it was ----------------------------------------------------------------


def test_english_help_and_errors_are_untouched_by_a_chinese_run(run):
    paths = every_command()
    errors = [("won", "7", "--amout", "5k"), ("lead", "show"), ("lead", "list", "-n", "x")]
    before = [run(*p, "--help").out for p in paths] + [run(*e).err for e in errors]
    for lang in (HANT, HANS):
        run("--lang", lang, "report", "--help")
        run("--lang", lang, "lead")
        run("--lang", lang, "lead", "show")
    after = [run(*p, "--help").out for p in paths] + [run(*e).err for e in errors]
    assert after == before
    assert not [w for w in ("用法", "選項", "选项", "錯誤", "错误") if w in "".join(after)]
    assert before[-3].startswith("Usage: salesctl won [OPTIONS] {LEAD}\nTry 'salesctl won -h'")
    assert before[-2].endswith("Error: Missing argument 'LEAD'.\n")
