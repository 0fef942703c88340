"""What a Chinese reader still met in English (docs/chinese.md, What is translated): the mails' amounts
and dates, the report mail's text part, the demo's welcome, and the pool, handoff, cadence and target
messages and errors. Each runs in English and in both scripts: the Chinese words appear, the English
output is as before, the exit codes are the same and JSON does not change by a byte."""

from __future__ import annotations

import re

import pytest
from test_remind import build_team, by_recipient, use
from test_zh_mail import SIMPLIFIED_ONLY, TRADITIONAL_ONLY

from salesctl.render import cell_width

# conftest pins now to Thursday 2026-11-26 10:00 UTC and the current rep to alice.

# --- the digest mail: amounts as tables show them, dates as Chinese days ---------------------------------


@pytest.fixture
def cny_team(ok):
    """A CNY team: 王芳's 李伟 (¥5万) is 2 days overdue, alice's Acme 1 day."""
    ok("config", "set", "currency", "CNY")
    build_team(ok)


def test_each_reps_digest_mail_shows_amounts_in_wan_and_chinese_days(
    run, ok, cny_team, smtp_server, monkeypatch
):
    ok("rep", "edit", "王芳", "--lang", "zh-Hans")
    ok("rep", "edit", "alice", "--lang", "zh-Hant")
    ok("lead", "edit", "Acme", "--value", "125000")
    server = smtp_server()
    use(monkeypatch, server.env())

    result = run("remind", "--all", "--email")  # the command runs in English

    assert result.code == 1  # carol has no address, as before
    got = by_recipient(server)
    [wang] = got["wang.fang@example.com"]
    for part in (wang.text, wang.html):
        # money_style wan is the default for a Chinese reader of a CNY team (docs/chinese.md, Money)
        assert "逾期 2 天 · 11月24日 周二 09:00 到期 · 下一步：发报价 · 新线索 · ¥5万" in part, part
        assert "¥50,000" not in part and "2026-11-24 09:00" not in part
        assert not TRADITIONAL_ONLY & set(part)
    # the heading's day and summary are joined by the script's colon
    assert "2026-11-26：逾期 1 条，今天到期 0 条" in wang.html
    [alice] = got["alice@example.com"]
    assert (
        "逾期 1 天 · 11月25日 週三 09:00 到期 · 下一步：call back · 新線索 · ¥12.5萬" in alice.text
    )
    assert "¥12.5萬" in alice.html and "125,000" not in alice.html
    assert not SIMPLIFIED_ONLY & set(alice.text)
    for mail in (wang, alice):
        assert all(line.isascii() for line in mail.raw_headers)  # headers stay 7-bit
        assert len([h for h in mail.raw_headers if h.lower().startswith("subject:")]) == 1


def test_an_english_digest_of_a_cny_team_keeps_its_amounts_and_iso_times(ok, cny_team):
    out = ok("remind", "--rep", "王芳").out
    assert "2 days overdue · due 2026-11-24 09:00 · next: 发报价 · new · ¥50,000" in out


def test_the_money_style_setting_rules_the_digest_too(ok, cny_team):
    ok("rep", "edit", "王芳", "--lang", "zh-Hans")
    ok("config", "set", "money_style", "western")
    assert "下一步：发报价 · 新线索 · ¥50,000" in ok("remind", "--rep", "王芳").out
    ok("rep", "edit", "王芳", "--lang", "en")
    ok("config", "set", "money_style", "wan")  # wan asked for: English too, as tables
    assert "next: 发报价 · new · ¥5万" in ok("remind", "--rep", "王芳").out


def test_a_printed_chinese_digest_is_underlined_to_its_width(ok, cny_team):
    ok("rep", "edit", "王芳", "--lang", "zh-Hans")
    subject, rule = ok("remind", "--rep", "王芳").out.splitlines()[:2]
    assert rule == "=" * cell_width(subject)


# --- the report mail's text part --------------------------------------------------------------------


@pytest.fixture
def reported_week(ok, monkeypatch):
    """A CNY week (Mon 2026-11-16 … Sun 11-22) with a won deal worked with a play and a cadence."""
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-16T08:00:00")
    ok("config", "set", "currency", "CNY")
    ok("play", "add", "intro", "--text", "say hi", "--cadence", "0d call: intro; +2d email: case")
    ok("add", "李伟", "--company", "北京智造", "--value", "5万")
    ok("cadence", "start", "李伟", "intro")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-17T10:00:00")
    ok("log", "李伟", "called", "--play", "intro")
    ok("won", "李伟", "--amount", "12.5万")
    ok("target", "set", "300万", "--team")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-23T07:00:00")


@pytest.mark.parametrize(
    ("lang", "words", "other"),
    [
        (
            "zh-Hans",
            ("打法", "intro：用于 1 个客户，成交 1，流失 0，成交率 100%", "跟进节奏", "¥12.5万"),
            TRADITIONAL_ONLY,
        ),
        (
            "zh-Hant",
            ("打法", "intro：用於 1 個客戶，成交 1，流失 0，成交率 100%", "跟進節奏", "¥12.5萬"),
            SIMPLIFIED_ONLY,
        ),
    ],
)
def test_the_report_mails_text_part_is_chinese_with_wan_and_aligned_columns(
    ok, reported_week, smtp_server, monkeypatch, lang, words, other
):
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("--lang", lang, "report", "--week", "--team", "--email", "owner@example.com")
    [mail] = server.received
    text = mail.text
    for word in words:
        assert word in text, (word, text)
    for english in ("Plays", "used on", "win rate", "Cadences", "completed", "125,000"):
        assert english not in text, (english, text)
    assert "¥12.5" in mail.html and not other & set(text)
    assert all(line.isascii() for line in mail.raw_headers)
    # The period's figures line up on a terminal: every row as wide as the header, in display cells.
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(" " * 28))
    rows = lines[start : start + 12]
    assert len({cell_width(line) for line in rows}) == 1, rows
    assert cell_width(lines[1]) == cell_width(lines[0])  # the title's underline


def test_the_english_report_mail_text_is_unchanged(ok, reported_week, smtp_server, monkeypatch):
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("report", "--week", "--team", "--email", "owner@example.com")
    text = server.received[0].text.replace("\r\n", "\n")
    assert "\nPlays\n  intro: used on 1, won 1, lost 0, win rate 100%\n" in text
    assert "\nCadences\n  intro: 1 lead(s), 0 completed, won 1, lost 0, win rate 100%\n" in text
    assert "Won amount                        ¥125,000            ¥0" in text


# --- the demo's welcome --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "zh-Hant",
            ("示範資料已寫入", "位業務員", "試試：", "在那裡你是 maya", "要刪除示範資料：rm"),
        ),
        (
            "zh-Hans",
            ("示范数据已写入", "位销售", "试试：", "在那里你是 maya", "要删除示范数据：rm"),
        ),
    ],
)
def test_the_demo_welcomes_in_chinese(run, tmp_path, lang, words):
    result = run("--lang", lang, "demo", "--db", tmp_path / "demo.db")
    assert result.code == 0 and result.out == ""
    for word in words:
        assert word in result.err, (word, result.err)
    for english in ("Demo data", "Try:", "Without", "To remove"):
        assert english not in result.err


def test_the_english_demo_welcome_is_unchanged(run, tmp_path):
    result = run("demo", "--db", tmp_path / "demo.db")
    assert result.err.startswith(f"Demo data in {tmp_path / 'demo.db'}: 3 reps, 96 leads, ")
    assert "\nTry: salesctl --db " in result.err and "To remove the demo: rm " in result.err


# --- the pool, handoff, cadence and target: messages, errors, empty tables ----------------------------

DAY = [
    ("rep", "add", "bob"),
    ("config", "set", "currency", "CNY"),
    ("add", "Acme", "--value", "12.5万", "--next", "fri", "--step", "call back"),
    ("add", "Globex", "--pool", "--value", "3万"),
    ("claim", "2"),
    ("pool", "list"),  # empty now
    ("claim", "2"),  # already yours
    ("play", "add", "intro", "--text", "say hi", "--cadence", "0d call: intro; +2d email: case"),
    ("cadence", "start", "1", "intro"),
    ("cadence", "stop", "1"),
    ("lead", "assign", "1", "--to", "bob"),
    ("lead", "release", "1", "--reason", "no time"),  # bob's, not alice's
    ("claim", "1"),  # bob owns it
    ("won", "2"),
    ("won", "2"),  # already won: the stage in the catalog's word
    ("target", "set", "300万", "--team"),
    ("target", "set", "50万", "--rep", "bob"),
    ("handoff", "bob", "alice", "--dry-run"),
    ("handoff", "bob", "alice"),
    ("config", "set", "money_style", "lakh"),
    ("config", "set", "pool.max_open_per_rep", "many"),
    ("pool", "recycle", "--dry-run", "--format", "md"),  # nothing: an empty table
]

EXPECTED = {
    "en": [
        "Claimed 1 lead(s): #2",
        "The pool is empty.",
        "Error: lead #2 Globex is already yours",
        "Started cadence intro on #1 Acme; next: 2026-11-26 09:00 (call: intro)",
        "Stopped cadence intro on #1 Acme",
        "Assigned 1 lead(s) to bob",
        'Error: lead release: "alice" may not release lead #1; it is bob\'s',
        "Error: lead #1 is not in the pool: bob owns it",
        "Error: lead #2 Globex is already won; reopen it first",
        "Target 2026-11 for the team: ¥3,000,000",
        "Target 2026-11 for bob: ¥500,000",
        "Would move 1 open lead(s) from bob to alice (dry run: nothing changed)",
        "Moved 1 open lead(s) from bob to alice",
        'Error: config money_style: "lakh" is not a money style; use western or wan',
        'Error: config pool.max_open_per_rep: "many" must be a whole number of leads from 1, or off',
        "## Would return to the pool\n\n_Nothing to show._",
    ],
    "zh-Hant": [
        "已認領 1 個客戶：#2",
        "公海裡沒有客戶。",
        "錯誤: 客戶 #2 Globex 已經是你的",
        "已在 #1 Acme 開始跟進節奏 intro；下次：11月26日 週四 09:00（call: intro）",
        "已停止 #1 Acme 的跟進節奏 intro",
        "已把 1 個客戶分配給 bob",
        '錯誤: lead release："alice" 不能釋放客戶 #1；它是 bob 的',
        "錯誤: 客戶 #1 不在公海裡：它屬於 bob",
        "錯誤: 客戶 #2 Globex 已是 已成交",
        "2026-11 團隊目標：¥3,000,000",
        "2026-11 bob 的目標：¥500,000",
        "會把 1 個進行中的客戶從 bob 移交給 alice（試跑：沒有改動）",
        "已把 1 個進行中的客戶從 bob 移交給 alice",
        '錯誤: config money_style："lakh" 不是金額樣式；請用 western 或 wan',
        '錯誤: config pool.max_open_per_rep："many" 必須是 1 以上的整數客戶數，或 off',
        "## 會回收到公海\n\n_沒有可顯示的內容。_",
    ],
    "zh-Hans": [
        "已认领 1 个客户：#2",
        "公海里没有客户。",
        "错误: 客户 #2 Globex 已经是你的",
        "已在 #1 Acme 开始跟进节奏 intro；下次：11月26日 周四 09:00（call: intro）",
        "已停止 #1 Acme 的跟进节奏 intro",
        "已把 1 个客户分配给 bob",
        '错误: lead release："alice" 不能释放客户 #1；它是 bob 的',
        "错误: 客户 #1 不在公海里：它属于 bob",
        "错误: 客户 #2 Globex 已是 已成交",
        "2026-11 团队目标：¥3,000,000",
        "2026-11 bob 的目标：¥500,000",
        "会把 1 个进行中的客户从 bob 移交给 alice（试运行：没有改动）",
        "已把 1 个进行中的客户从 bob 移交给 alice",
        '错误: config money_style："lakh" 不是金额样式；请用 western 或 wan',
        '错误: config pool.max_open_per_rep："many" 必须是 1 以上的整数客户数，或 off',
        "## 会回收到公海\n\n_没有可显示的内容。_",
    ],
}
ENGLISH_WORDS = (
    "Claimed",
    "pool is empty",
    "already yours",
    "cadence",
    "Assigned",
    "may not",
    "owns it",
    "already won",
    "Target",
    "Would",
    "Moved",
    "money style",
    "whole number",
    "Nothing to show",
    "Error:",
)


def _day(run, tmp_path, monkeypatch, lang: str) -> list:
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / f"{lang}.db"))  # each language its own day
    prefix = () if lang == "en" else ("--lang", lang)
    return [run(*prefix, *args) for args in DAY]


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_pool_handoff_cadence_and_target_speak_chinese_with_the_same_exit_codes(
    run, tmp_path, monkeypatch, lang
):
    english = _day(run, tmp_path, monkeypatch, "en")
    said_en = "".join(r.err + r.out for r in english)
    for words in EXPECTED["en"]:
        assert words in said_en, (words, said_en)
    chinese = _day(run, tmp_path, monkeypatch, lang)
    assert [r.code for r in chinese] == [r.code for r in english]
    said = "".join(r.err + r.out for r in chinese)
    for words in EXPECTED[lang]:
        assert words in said, (words, said)
    for word in ENGLISH_WORDS:
        assert word not in said, (word, said)
    other = TRADITIONAL_ONLY if lang == "zh-Hans" else SIMPLIFIED_ONLY
    assert not other & set(said), other & set(said)


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_json_of_the_pool_handoff_cadence_and_target_commands_is_byte_identical(
    run, tmp_path, monkeypatch, lang
):
    def outputs(lang: str) -> list[str]:
        monkeypatch.setenv("SALESCTL_DB", str(tmp_path / f"{lang}.json.db"))
        prefix = () if lang == "en" else ("--lang", lang)
        said = []
        for args in DAY:
            if args[0] not in ("claim", "cadence", "lead", "won", "handoff", "pool"):
                run(*prefix, *args)
                continue
            json_args = [a for a in args if a not in ("--format", "md")]
            said.append(run(*prefix, *json_args, "--format", "json").out)
        for args in (("target", "show"), ("pool", "list"), ("lead", "show", "1")):
            said.append(run(*prefix, *args, "--format", "json").out)
        return said

    assert outputs(lang) == outputs("en")


def test_stage_words_inside_messages_come_from_the_catalog(run, ok):
    ok("add", "Acme")
    ok("lost", "Acme", "--reason", "price")
    result = run("--lang", "zh-Hans", "lost", "Acme", "--reason", "price")
    assert result.code == 1 and "客户 #1 Acme 已是 流失" in result.err
    result = run("--lang", "zh-Hant", "reopen", "Acme")
    assert result.code == 0
    result = run("--lang", "zh-Hant", "reopen", "Acme")
    assert result.code == 1 and "還在進行中（新線索）" in result.err, result.err
    assert "is open (new)" in run("reopen", "Acme").err  # English as it was
    ok("config", "set", "stages", "new,contacted,pitched")  # a team's own stage shows as named
    ok("move", "Acme", "pitched")
    assert "還在進行中（pitched）" in run("--lang", "zh-Hant", "reopen", "Acme").err


# --- doctor --------------------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the file's own checks (mode, header); the server's are in test_team_mode
def test_doctor_speaks_chinese_and_its_json_stays_english(run, ok, db):
    ok("add", "Acme")
    english = run("doctor", "--format", "json").out
    out = ok("--lang", "zh-Hant", "doctor").out
    for words in ("檢查項目", "狀態", "權限", "正常", "版本 ", "（最新）", "每個設定都有效"):
        assert words in out, (words, out)
    assert "every" not in out and "Check" not in out
    md = ok("--lang", "zh-Hans", "doctor", "--format", "md").out
    assert (
        "| 检查项目 | 状态 | 说明 |" in md
        and "| 完整性 | 正常 | PRAGMA integrity_check：正常 |" in md
    )
    assert "permissions  ok      mode 0600" in ok("doctor").out  # English as it was
    for lang in ("zh-Hant", "zh-Hans"):
        assert run("--lang", lang, "doctor", "--format", "json").out == english
        assert (
            run("--lang", lang, "doctor", "--format", "csv").out
            == run("doctor", "--format", "csv").out
        )


@pytest.mark.sqlite_only
def test_doctor_names_a_broken_file_in_chinese_with_the_same_exit_code(run, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    bad.chmod(0o600)
    english = run("--db", bad, "doctor")
    assert english.code == 3
    assert english.err.startswith("Error: doctor: ") and "file: " in english.err
    chinese = run("--db", bad, "--lang", "zh-Hans", "doctor")
    assert chinese.code == 3
    row = next(line for line in chinese.out.splitlines() if line.startswith("文件"))
    assert row.split()[1] == "错误", row
    assert chinese.err.startswith("错误: doctor：") and "文件：" in chinese.err
    assert "不是 SQLite 数据库（文件头不对）；请从备份还原" in chinese.err


# --- log's confirmation --------------------------------------------------------------------------------


def test_logs_confirmation_uses_chinese_punctuation_and_days(run, ok):
    ok("add", "Acme")
    said = run(
        "--lang", "zh-Hant", "log", "Acme", "called", "--next", "fri", "--step", "send quote"
    )
    assert said.code == 0
    assert (
        "已記錄 #1 Acme 的電話；新線索 → 已聯繫；下次：11月27日 週五 09:00（send quote）"
        in said.out + said.err
    )
    english = run("log", "Acme", "again", "--next", "mon", "--step", "demo")
    assert "; next: 2026-11-30 09:00 (demo)" in english.out + english.err


# --- the timeline, export and db copy ------------------------------------------------------------------


def test_the_timeline_export_and_copy_messages_speak_chinese(run, ok, tmp_path):
    ok("add", "Acme")
    ok("log", "Acme", "called them")
    shown = ok("--lang", "zh-Hans", "lead", "show", "Acme").out
    assert "电话：called them" in shown and "call:" not in shown
    assert "call: called them" in ok("lead", "show", "Acme").out
    said = run("--lang", "zh-Hant", "export", "leads", "--out", tmp_path / "leads.csv")
    assert said.code == 0 and said.err == f"已匯出 1 個客戶到 {tmp_path / 'leads.csv'}\n"
    said = run("export", "activities", "--out", tmp_path / "acts.csv")
    assert said.err == f"Exported 1 activities to {tmp_path / 'acts.csv'}\n"
    said = run("--lang", "zh-Hans", "export", "all", "--out", tmp_path / "all.json")
    assert said.err.startswith("已导出 ") and "条数据到" in said.err


@pytest.mark.sqlite_only  # copies the test's SQLite file into another
def test_db_copy_counts_what_it_copied_in_chinese_words(run, ok, db, tmp_path):
    ok("add", "Acme")
    ok("log", "Acme", "called")
    said = run("--lang", "zh-Hant", "db", "copy", db, tmp_path / "copy.db")
    assert said.code == 0
    assert (
        "1 位業務員、4 個打法、1 個客戶、1 筆跟進、2 筆階段變更" in said.err
        and "leads" not in said.err
    )
    said = run("db", "copy", db, tmp_path / "copy2.db")
    assert "1 reps, 4 plays, 1 leads, 1 activities, 2 stage_history" in said.err


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "import"), ("zh-Hant", "匯入"), ("zh-Hans", "导入")]
)
def test_the_import_progress_bar_is_labelled_in_the_language(
    run, tmp_path, monkeypatch, lang, label
):
    """On a terminal a large import shows a bar (commands/io.py); its label is the run's language."""
    import sys

    from rich.progress import Progress

    from salesctl.commands import io

    labels = []
    real_add_task = Progress.add_task
    monkeypatch.setattr(io, "PROGRESS_FROM", 1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(
        Progress,
        "add_task",
        lambda self, description, **kw: (
            labels.append(description) or real_add_task(self, description, **kw)
        ),
    )
    leads = tmp_path / "leads.csv"
    leads.write_text("name\n" + "".join(f"Lead {n}\n" for n in range(5)), encoding="utf-8")
    prefix = () if lang == "en" else ("--lang", lang)
    assert run(*prefix, "import", leads).code == 0
    assert labels == [label]


# --- the default plays ---------------------------------------------------------------------------------


def test_the_default_plays_read_in_chinese_and_a_teams_own_text_stays_as_typed(run, ok):
    ok("play", "add", "mine", "--text", "Call them on Friday")
    ok("add", "Acme")
    english = {
        args: run(*args, "--format", "json").out
        for args in (("play", "list"), ("play", "suggest", "Acme"))
    }
    for lang, words in (
        ("zh-Hant", ("忙碌型客戶：訊息要短", "比價型客戶", "有預算但做不了主")),
        ("zh-Hans", ("忙碌型客户：消息要短", "比价型客户", "有预算但做不了主")),
    ):
        for args in (("play", "list"), ("play", "suggest", "Acme")):
            out = ok("--lang", lang, *args).out
            for word in words:
                assert word in out.replace("\n", "").replace(" ", ""), (word, out)
            assert "Busy customer" not in out and "Call them on Friday" in out
            # a line never starts with closing Chinese punctuation (。 stays with the text before it)
            assert not any(line.strip().startswith(("。", "，", "；")) for line in out.splitlines())
            assert run("--lang", lang, *args, "--format", "json").out == english[args]
    assert "Busy customer: short messages" in ok("play", "list").out


def test_a_dry_run_after_a_send_says_when_in_a_chinese_day(
    run, ok, cny_team, smtp_server, monkeypatch
):
    server = smtp_server()
    use(monkeypatch, server.env())
    ok("remind", "--email")
    result = ok("--lang", "zh-Hant", "remind", "--dry-run")
    assert result.out == ""
    # The send time is the real clock's: shown as a Chinese day and time, like tables show times.
    assert re.search(
        r"alice：今天的提醒已在 (\d{4}年)?\d{1,2}月\d{1,2}日 週. \d\d:\d\d 寄出", result.err
    ), result.err


# --- what pool recycle wrote, read back ----------------------------------------------------------------


def test_pool_recycles_own_reason_reads_in_chinese_and_stays_english_in_json(run, ok, monkeypatch):
    ok("config", "set", "owners", "alice")
    ok("rep", "add", "bob")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-10T10:00:00")
    ok("add", "Acme", "--owner", "bob", "--next", "2026-11-24", "--step", "call")
    ok("move", "Acme", "contacted")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    ok("config", "set", "pool.release_days.contacted", "7")
    ok("pool", "recycle")
    english = run("lead", "show", "Acme", "--format", "json").out
    reason = "no effective touch for 7 days in contacted (pool.release_days.contacted 7)"
    assert reason in english
    shown = ok("--lang", "zh-Hant", "lead", "show", "Acme").out.replace("\n", "").replace(" ", "")
    assert "從bob回收到公海：在已聯繫階段7天沒有有效跟進（pool.release_days.contacted7）" in shown
    assert run("--lang", "zh-Hant", "lead", "show", "Acme", "--format", "json").out == english
    ok("rep", "edit", "bob", "--lang", "zh-Hans")
    digest = ok("remind", "--rep", "bob").out
    assert (
        "已回收到公海" in digest
        and "在已联系阶段 7 天没有有效跟进（pool.release_days.contacted 7）" in digest
    )
    assert reason not in digest


def test_a_lead_about_to_return_to_the_pool_says_when_in_the_digest(ok, monkeypatch):
    ok("rep", "add", "bob", "--lang", "zh-Hant")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-20T10:00:00")
    ok("add", "Acme", "--owner", "bob", "--next", "2026-11-24", "--step", "call")
    ok("move", "Acme", "contacted")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    ok("config", "set", "pool.release_days.contacted", "7")
    assert "11月27日 週五 回收到公海" in ok("remind", "--rep", "bob").out
    ok("rep", "edit", "bob", "--lang", "en")
    assert "returns to the pool on 2026-11-27" in ok("remind", "--rep", "bob").out


def test_an_ambiguous_lead_lists_its_candidates_stages_in_chinese(run, ok):
    ok("add", "刘超", "--company", "北京智造")
    ok("add", "刘霞")
    ok("move", "刘霞", "quoted")
    said = run("--lang", "zh-Hant", "log", "刘", "x")
    assert said.code == 1
    assert (
        '錯誤: 客戶："刘" 符合 2 個客戶：#1 刘超 (北京智造) [新線索]; #2 刘霞 [已報價]' in said.err
    ), said.err
    english = run("log", "刘", "x")
    assert "#1 刘超 (北京智造) [new]; #2 刘霞 [quoted]; use the id" in english.err


def test_a_repeat_interval_reads_as_chinese_words(ok):
    ok("add", "Acme", "--next", "fri", "--step", "call")
    ok("lead", "edit", "Acme", "--every", "2w")
    assert "每次有效跟進後，隔 2 週再跟進" in ok("--lang", "zh-Hant", "lead", "show", "Acme").out
    ok("lead", "edit", "Acme", "--every", "1m")
    assert "每次有效跟进后，隔 1 个月再跟进" in ok("--lang", "zh-Hans", "lead", "show", "Acme").out
    assert "every 1m after each effective touch" in ok("lead", "show", "Acme").out
