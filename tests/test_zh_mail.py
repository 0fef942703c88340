"""Chinese mail, per-rep language and translated messages (docs/chinese.md, Mail and Errors): a rep's own
`lang`, the digest and report mails through a real SMTP server (aiosmtpd), and a rep's day in zh-Hant and
zh-Hans whose errors, warnings and confirmations speak that language with the same exit codes."""

from __future__ import annotations

import pytest
from conftest import digest
from test_remind import build_team, by_recipient, use

# conftest pins now to Thursday 2026-11-26 10:00 UTC and the current rep to alice.

# Characters only Traditional text uses in these messages (the Simplified ones are 处户阶额线报进周联这个们会还东):
TRADITIONAL_ONLY = set("處戶階額線報進週聯這個們會還東筆記錄業務員寄與")
SIMPLIFIED_ONLY = set("处户阶额线报进周联这个们会还东笔记录业务员发与")


@pytest.fixture
def team(ok):
    """alice (1 overdue, 1 due today), 王芳 (1 overdue by 2 days), bob (nothing due), carol (no email)."""
    build_team(ok)


# --- the rep's language --------------------------------------------------------------------------------


def test_a_reps_language_is_set_changed_cleared_and_listed(ok):
    ok("rep", "add", "王芳", "--email", "wang.fang@example.com", "--lang", "zh-hans")
    ok("rep", "add", "bob")
    assert [(r["name"], r["lang"]) for r in ok("rep", "list", "--format", "json")] == [
        ("bob", None),
        ("王芳", "zh-Hans"),  # spelled as salesctl spells it, whatever the case typed
    ]
    ok("rep", "edit", "bob", "--lang", "zh-Hant")
    ok("rep", "edit", "王芳", "--lang", "")
    reps = {r["name"]: r for r in ok("rep", "list", "--format", "json")}
    assert reps["bob"]["lang"] == "zh-Hant" and reps["王芳"]["lang"] is None
    assert reps["王芳"]["email"] == "wang.fang@example.com"  # --lang alone leaves the address
    assert "zh-Hant" in ok("rep", "list").out  # the table shows it once a rep has one


def test_a_wrong_language_for_a_rep_is_an_error_naming_it_and_changes_nothing(ok, fails, run, db):
    ok("rep", "add", "bob")
    before = digest(db)
    fails("rep", "edit", "bob", "--lang", "fr", names=["--lang", '"fr"', "zh-Hant"])
    fails("rep", "add", "carol", "--lang", "klingon", names=["--lang", '"klingon"'])
    fails("rep", "edit", "bob", names=["--email or --lang"])
    assert digest(db) == before
    hant = run("--lang", "zh-Hant", "rep", "edit", "bob", "--lang", "fr")
    assert hant.code == 1
    assert hant.err == '錯誤: --lang："fr" 不是支援的語言；請用其中之一：en, zh-Hant, zh-Hans\n'
    assert digest(db) == before


def test_the_reps_language_survives_export_and_restore(ok, tmp_path, monkeypatch):
    ok("rep", "add", "王芳", "--lang", "zh-Hans")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", str(dump))
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "restored.db"))
    ok("import", str(dump))
    assert ok("rep", "list", "--format", "json")[0]["lang"] == "zh-Hans"


# --- mail in each rep's language ---------------------------------------------------------------------


def test_each_rep_gets_the_digest_in_their_own_language(run, ok, team, smtp_server, monkeypatch):
    ok("rep", "edit", "王芳", "--lang", "zh-Hans")
    ok("rep", "edit", "alice", "--lang", "zh-Hant")
    server = smtp_server()
    use(monkeypatch, server.env())

    result = run("remind", "--all", "--email")  # the command itself runs in English

    assert result.code == 1  # carol has no address: named in the command's language
    assert "Error: reminder for carol not sent: rep carol has no email address" in result.err
    got = by_recipient(server)
    [wang] = got["wang.fang@example.com"]
    # The subject arrives as encoded words and decodes to the Chinese text, spaces and all.
    assert wang.message["Subject"] == "王芳：逾期 1 条，今天到期 0 条（salesctl 2026-11-26）"
    assert all(line.isascii() for line in wang.raw_headers)  # nothing raw in a header
    assert len([h for h in wang.raw_headers if h.lower().startswith("subject:")]) == 1
    for part in (wang.text, wang.html):
        for words in (
            "今天的待办",
            "逾期",
            "逾期 2 天",
            "下一步：发报价",
            "新线索",
            "李伟 (北京智造)",
        ):
            assert words in part, (words, part)
        assert not TRADITIONAL_ONLY & set(part), part
        assert "overdue" not in part and "Today's list" not in part
    assert '<html lang="zh-Hans">' in wang.html
    for kind in ("plain", "html"):
        assert wang.message.get_body((kind,)).get_content_charset() == "utf-8"

    [alice] = got["alice@example.com"]
    assert alice.message["Subject"] == "alice：逾期 1 筆，今天到期 1 筆（salesctl 2026-11-26）"
    for words in ("今天的待辦", "今天到期", "下一步：call back", "新線索", "用這個指令打開"):
        assert words in alice.text, (words, alice.text)
    assert not SIMPLIFIED_ONLY & set(alice.text), alice.text
    assert '<html lang="zh-Hant">' in alice.html


def test_a_rep_without_a_language_gets_the_commands(run, ok, team, smtp_server, monkeypatch):
    ok("rep", "edit", "王芳", "--lang", "en")
    server = smtp_server()
    use(monkeypatch, server.env())

    result = run("--lang", "zh-Hant", "remind", "--all", "--email")

    assert result.code == 1
    assert (
        "錯誤: 給 carol 的提醒沒有寄出：業務員 carol 沒有電子郵件地址；請加上：salesctl rep edit carol --email ADDRESS"
        in result.err
    )
    got = by_recipient(server)
    [alice] = got["alice@example.com"]  # no lang of her own: the command's
    assert alice.message["Subject"] == "alice：逾期 1 筆，今天到期 1 筆（salesctl 2026-11-26）"
    [wang] = got["wang.fang@example.com"]  # en, whatever the command speaks
    assert wang.message["Subject"] == "王芳: 1 overdue, 0 due today (salesctl 2026-11-26)"
    assert "2 days overdue" in wang.text and '<html lang="en">' in wang.html


def test_printed_digests_follow_each_reps_language_too(ok, team):
    ok("rep", "edit", "王芳", "--lang", "zh-Hans")
    out = ok("remind", "--all").out
    assert "alice: 1 overdue, 1 due today (salesctl 2026-11-26)" in out
    assert "王芳：逾期 1 条，今天到期 0 条（salesctl 2026-11-26）" in out and "逾期 2 天" in out


def test_the_english_digest_is_unchanged(ok, team):
    out = ok("remind", "--rep", "王芳").out
    assert out.startswith("王芳: 1 overdue, 0 due today (salesctl 2026-11-26)\n")
    assert "Today's list for 王芳 (2026-11-26): 1 overdue, 0 due today." in out
    assert "2 days overdue · due 2026-11-24 09:00 · next: 发报价 · new · ¥50,000" in out


@pytest.fixture
def last_week(ok, monkeypatch):
    """One deal won last week (Mon 2026-11-16 … Sun 11-22) by 王芳, for the Monday report of 11-23."""
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-17T10:00:00")
    ok("config", "set", "currency", "CNY")
    ok("rep", "add", "王芳", "--email", "wang.fang@example.com", "--lang", "en")
    ok("add", "李伟", "--company", "北京智造", "--owner", "王芳", "--value", "5万")
    ok("won", "李伟")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-23T07:00:00")


@pytest.mark.parametrize(
    ("lang", "subject", "words"),
    [
        (
            "zh-Hans",
            "团队报告 2026-11-16 至 2026-11-22：成交 1 单（¥5万），流失 0 单",
            ("团队报告", "本期"),
        ),
        (
            "zh-Hant",
            "團隊報告 2026-11-16 至 2026-11-22：成交 1 筆（¥5萬），流失 0 筆",
            ("團隊報告", "本期"),
        ),
    ],
)
def test_the_report_mail_speaks_the_commands_language(
    ok, last_week, smtp_server, monkeypatch, lang, subject, words
):
    server = smtp_server()
    use(monkeypatch, server.env())
    result = ok("--lang", lang, "report", "--week", "--team", "--email", "owner@example.com")
    assert result.out == "" and result.err == ""
    [mail] = server.received
    assert mail.message["Subject"] == subject
    assert all(line.isascii() for line in mail.raw_headers)
    assert all(w in mail.text and w in mail.html for w in words)
    assert f'<html lang="{lang}">' in mail.html


def test_a_failed_report_mail_is_named_in_the_commands_language(run, last_week, monkeypatch):
    from smtp_server import free_port

    port = free_port()
    use(
        monkeypatch,
        {
            "SALESCTL_SMTP_HOST": "127.0.0.1",
            "SALESCTL_SMTP_PORT": str(port),
            "SALESCTL_SMTP_TLS": "none",
        },
    )
    result = run("--lang", "zh-Hans", "report", "--email", "owner@example.com")
    assert result.code == 1
    assert (
        f"错误: 发给 owner@example.com 的报告没有发出：无法连接 SMTP 服务器 127.0.0.1:{port}"
        in result.err
    )


# --- a rep's day: errors, warnings and confirmations ---------------------------------------------------

DAY = [
    ("add", "Acme", "--value", "20k", "--next", "tomorrow", "--step", "call back"),
    ("add", "Acme"),  # a second open Acme: added, with a warning
    ("lead", "delete", "2", "--yes"),
    ("log", "Acme", "called", "--next", "明年某天"),  # not a date: suggests Chinese forms
    ("move", "Acme", "contacted"),
    ("move", "Acme", "已報價"),
    ("move", "Acme", "quoted"),  # already there
    ("move", "Acme", "nowhere"),
    ("lost", "Acme"),  # no reason
    ("won", "Nobody"),
    ("add", "Globex", "--value", "5xyz"),
    ("rep", "add", "bob", "--lang", "fr"),
    ("rep", "add", "bob", "--lang", "zh-Hant"),
    ("remind", "--rep", "nobody"),
    ("snooze", "Acme", "yesterday"),
]

EXPECTED = {
    "zh-Hant": [
        "警告：已有同名的進行中客戶：#1 Acme；仍已新增 #2",
        "已刪除客戶 #2 Acme",
        '錯誤: --next："明年某天" 不是日期；試試 明天、週五、下週三、3天後、12月2日、明天下午3點',
        "#1 Acme：新線索 → 已聯繫",
        "#1 Acme：已聯繫 → 已報價",
        '錯誤: STAGE："quoted" 已經是客戶 #1 Acme 的階段',
        '錯誤: STAGE："nowhere" 不是階段；請用其中之一：',
        '錯誤: --reason："" 標記客戶流失時必填；請用其中之一：price',
        '錯誤: 客戶："Nobody" 找不到客戶',
        '錯誤: --value："5xyz" 寫的不是已知幣別（"xyz"）',
        '錯誤: --lang："fr" 不是支援的語言',
        "已新增業務員 bob",
        '錯誤: --rep："nobody" 不是業務員；現有業務員：alice, bob',
        '錯誤: UNTIL："yesterday" 不在未來（2026-11-25 00:00）；請暫緩到之後的日子',
    ],
    "zh-Hans": [
        "警告：已有同名的进行中客户：#1 Acme；仍已添加 #2",
        "已删除客户 #2 Acme",
        '错误: --next："明年某天" 不是日期；试试 明天、周五、下周三、3天后、12月2日、明天下午3点',
        "#1 Acme：新线索 → 已联系",
        "#1 Acme：已联系 → 已报价",
        '错误: STAGE："quoted" 已经是客户 #1 Acme 的阶段',
        '错误: STAGE："nowhere" 不是阶段；请用其中之一：',
        '错误: --reason："" 标记客户流失时必填；请用其中之一：price',
        '错误: 客户："Nobody" 找不到客户',
        '错误: --value："5xyz" 写的不是已知币种（"xyz"）',
        '错误: --lang："fr" 不是支持的语言',
        "已添加销售 bob",
        '错误: --rep："nobody" 不是销售；现有销售：alice, bob',
        '错误: UNTIL："yesterday" 不在未来（2026-11-25 00:00）；请暂缓到之后的日子',
    ],
}


def _day(run, *prefix):
    return [run(*prefix, *args) for args in DAY]


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_a_reps_day_speaks_chinese_with_the_same_exit_codes(run, lang, tmp_path, monkeypatch):
    english = _day(run)
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / f"{lang}.db"))
    chinese = _day(run, "--lang", lang)
    assert [r.code for r in chinese] == [r.code for r in english]
    assert [r.out for r in chinese if r.out.isdigit()] == [
        r.out for r in english if r.out.isdigit()
    ]
    said = "".join(r.err + r.out for r in chinese)
    for words in EXPECTED[lang]:
        assert words in said, (words, said)
    for english_word in ("Error:", "Warning:", "is not", "Deleted", "Added rep", "matches no lead"):
        assert english_word not in said, (english_word, said)
    other = TRADITIONAL_ONLY if lang == "zh-Hans" else SIMPLIFIED_ONLY
    assert not other & set(said), other & set(said)
    assert "Error: " in "".join(r.err for r in english)  # the English run kept its words


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_json_is_byte_identical_after_a_chinese_day(run, ok, lang, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "en.db"))  # both days on the same engine
    _day(run)
    english = [
        run(*args, "--format", "json").out for args in (("rep", "list"), ("lead", "show", "1"))
    ]
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / f"{lang}.db"))
    _day(run, "--lang", lang)
    chinese = [
        run("--lang", lang, *args, "--format", "json").out
        for args in (("rep", "list"), ("lead", "show", "1"))
    ]
    assert chinese == english


def test_values_and_field_names_stay_as_typed_inside_a_translated_error(run):
    result = run("--lang", "zh-Hans", "add", "Acme", "--value", "1.234")
    assert result.code == 1
    assert result.err == '错误: --value："1.234" 小数超过 2 位；请取到分，如 1.23\n'
    result = run("--lang", "zh-Hant", "log", "1", "x")
    assert result.code == 1 and result.err == "錯誤: 客戶：沒有編號 1 的客戶\n"


def test_a_wrong_salesctl_lang_still_reports_in_english(run, monkeypatch):
    monkeypatch.setenv("SALESCTL_LANG", "fr")
    result = run("today")
    assert result.code == 1 and result.err.startswith(
        'Error: SALESCTL_LANG: "fr" is not a language'
    )


def test_the_domain_raises_english_templates_and_calls_no_gettext():
    """Errors are translated at the edge (cli.py): the domain marks its messages with N_ only."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "salesctl"
    domain = [
        "model.py",
        "pipeline.py",
        "followups.py",
        "store.py",
        "dates.py",
        "money.py",
        "cadence.py",
        "importing.py",
        "errors.py",
        "files.py",
        "zh.py",
    ]
    for name in domain:
        text = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.N])_\(|pgettext\(|gettext\(", text), name
    # …and the English text is what str() gives, for logs and for the English boundary.
    from salesctl.errors import Invalid, SalesError

    error = Invalid("--next", "明年某天", "is not a date", "try {example}", example="fri")
    assert str(error) == '--next: "明年某天" is not a date; try fri'
    assert str(SalesError("lead #{id} {name}", id=4, name="{x}")) == "lead #4 {x}"
