"""One word for each thing, in each script (docs/chinese.md, Glossary): every msgstr of both catalogs keeps
to the glossary, so a sales manager reading the report, the help and the errors sees one word per concept,
and tomorrow's entries keep to it too. Two kinds of rule, per script:

- FORBIDDEN: a variant the glossary rules out, anywhere in a msgstr (with its few exceptions written into
  the pattern, e.g. 新線索 is the brief's name of the `new` stage, so 線索 alone is what is ruled out);
- REQUIRED: where the English says a concept in prose, the translation uses the glossary's word for it
  (this is what tells the team's owner, 主管, from a lead's owner, 負責人: the characters alone cannot).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import msgfmt  # noqa: E402  (tools/msgfmt.py: the catalogs' compiler)

HANT, HANS = "zh_Hant", "zh_Hans"

# variant (a regular expression) → the glossary's word that replaces it
FORBIDDEN = {
    HANT: {
        "老闆": "主管 (owner, the role)",
        "業務(?!員)": "業務員 (rep)",
        "銷售員": "業務員 (rep)",
        "(?<!新)線索": "客戶 (lead); 新線索 is the stage",
        "名單": "客戶 (lead)",
        "歸屬": "負責人 (a lead's owner)",
        "贏單|輸單|丟單": "成交 / 流失 (won / lost; 贏單 and 輸單 stay accepted as input)",
        "商機": "單 (deal)",
        "紀錄": "記錄 (record, history)",
        "有效溝通|有效接觸": "有效跟進 (effective touch)",
        "活動|動態": "跟進 (activity)",
        "轉交|交接": "移交 (handoff)",
        "授予": "授權 (grant)",
        "領取": "認領 (claim)",
        "釋出": "釋放 (release)",
        "卡住": "停滯 (stalled)",
        "延後": "暫緩 (snooze)",
        "跟進序列": "跟進節奏 (cadence)",
        "(?<!打法（)話術": "打法 (play); 話術 only as its gloss 打法（話術）",
        "完成率": "達成率 (attainment)",
        "設置|配置": "設定 (setting)",
        "數據庫|数据库": "資料庫 (database)",
        "文件": "檔案 (file)",
        "未結(?!案)": "進行中 (an open lead)",
        "已結束": "結案 (closed)",
        "電郵|郵箱": "電子郵件 (email address)",
        "試運行|模擬": "試跑 (dry run)",
        "當天到期": "今天到期 (due today)",
    },
    HANS: {
        "老板": "主管 (owner, the role)",
        "业务": "销售 (rep)",
        "销售员": "销售 (rep)",
        "(?<!新)线索": "客户 (lead); 新线索 is the stage",
        "名单": "客户 (lead)",
        "归属": "负责人 (a lead's owner)",
        "赢单|输单|丢单": "成交 / 流失 (won / lost; 赢单 and 输单 stay accepted as input)",
        "商机": "单 (deal)",
        "纪录": "记录 (record, history)",
        "有效沟通|有效接触": "有效跟进 (effective touch)",
        "活动|动态": "跟进 (activity)",
        "转交|交接": "移交 (handoff)",
        "授予": "授权 (grant)",
        "领取": "认领 (claim)",
        "释出": "释放 (release)",
        "卡住": "停滞 (stalled)",
        "延后": "暂缓 (snooze)",
        "跟进序列": "跟进节奏 (cadence)",
        "(?<!打法（)话术": "打法 (play); 话术 only as its gloss 打法（话术）",
        "完成率": "达成率 (attainment)",
        "设定": "设置 (setting)",
        "资料库|資料庫": "数据库 (database)",
        "档案|檔案": "文件 (file)",
        "未结(?!案)": "进行中 (an open lead)",
        "已结束": "结案 (closed)",
        "电子邮件|电邮": "邮箱 (email address)",
        "试跑": "试运行 (dry run)",
        "当天到期": "今天到期 (due today)",
        "新增": "添加 (add); 新增 only as the count of new leads, the header New",
        "新建|建立(?!安全连接)": "创建 (create); 建立 only for a connection",
    },
}
# (script, msgid) → variants that entry may use, and why
ALLOWED = {
    (HANS, "New"): {"新增"},  # the count of new leads: 新增 is the word for "newly added" figures
}

# The team's owner (the role that may change anything) against a lead's owner (the rep it belongs to).
OWNER_ROLE = r"\b(?:an|another|the) owner\b(?! change| got)|\bowner's (?:report|Monday)|\bowners\b"
LEAD_OWNER = r"\bOwner\b|\bowner (?:change|got|\{)|\bits owner\b|\bempty owner\b|^Lost by$"
BOTH_OWNERS = {
    # "Its owner may, or an owner in the owners setting …": the lead's 負責人 and the role's 主管, each once
    "Give an open lead back to the shared pool, for any rep to claim. Its owner may, or an owner (the "
    "owners setting) for anyone's lead; its follow-up and history stay with it (docs/pool.md)."
}

# English concept (a regular expression on the msgid's prose) → (zh-Hant word, zh-Hans word)
REQUIRED = {
    OWNER_ROLE: ("主管", "主管"),
    LEAD_OWNER: ("負責人", "负责人"),
    r"\bsnooz": ("暫緩", "暂缓"),
    r"\bhand ?off\b|\bhand them over\b": ("移交", "移交"),
    r"\brevok": ("收回", "收回"),
    r"\bcadences?\b": ("跟進節奏", "跟进节奏"),
    r"\brhythm\b": ("節奏", "节奏"),
    r"\bstall": ("停滯", "停滞"),
    r"\bpool\b": ("公海", "公海"),
    r"\bclaim": ("認領", "认领"),
    r"\bwin rate\b|\bWin%": ("成交率", "成交率"),
    r"\bpipeline\b": ("管道", "管道"),
    r"\bfunnel\b": ("漏斗", "漏斗"),
    r"\bdigest\b": ("摘要", "摘要"),
    r"\boverdue\b": ("逾期", "逾期"),
    r"\battainment\b": ("達成率", "达成率"),
    r"\bforecast\b": ("預測", "预测"),
    r"\beffective (?:touch|conversation)": ("有效跟進", "有效跟进"),
    r"\bplays?\b": ("打法", "打法"),
    r"\bopen leads?\b": ("進行中", "进行中"),
    r"\bemail address": ("電子郵件", "邮箱"),
    r"\bdry run\b|^Dry run": ("試跑", "试运行"),
}
OWNER_WORDS = {HANT: "負責人", HANS: "负责人"}


def prose(msgid: str) -> str:
    """The msgid without what stays English in the translation: `code`, --options, {fields}, setting
    keys (pool.max_open_per_rep, rhythm_broke), command lines and names (an error's `claim: ` prefix)
    and option-value lists."""
    text = re.sub(r"^[a-z][a-z -]*: |\{use\} [\w-]+|\bpool (?:recycle|list)\b", " ", msgid)
    text = re.sub(r"`[^`]*`|--[\w-]+|\{\w+\}|\b\w+[._]\w+(?:[._]\w+)*\b", " ", text)
    text = re.sub(r"\bsalesctl(?: [\w-]+)+", " ", text)
    return re.sub(r"^(?:One of|Sort by): .*", " ", text)


def catalog(script: str) -> dict[tuple[str | None, str], str]:
    entries = msgfmt.read_po(ROOT / "salesctl" / "locale" / script / "LC_MESSAGES" / "salesctl.po")
    return {key: text for key, text in entries.items() if key[1]}


@pytest.mark.parametrize("script", [HANT, HANS])
def test_no_translation_uses_a_word_the_glossary_rules_out(script):
    found = [
        (variant, FORBIDDEN[script][variant], msgid, text)
        for (_, msgid), text in catalog(script).items()
        for variant in FORBIDDEN[script]
        if re.search(variant, text) and variant not in ALLOWED.get((script, msgid), ())
    ]
    assert not found, "\n".join(f"{v!r} (use {use}): {m!r} → {t!r}" for v, use, m, t in found)


@pytest.mark.parametrize("script", [HANT, HANS])
def test_each_concept_in_the_english_has_the_glossarys_word(script):
    column = 0 if script == HANT else 1
    found = []
    for (_, msgid), text in catalog(script).items():
        said = prose(msgid)
        for concept, words in REQUIRED.items():
            if re.search(concept, said) and words[column] not in text:
                found.append(f"{concept!r} needs {words[column]}: {msgid!r} → {text!r}")
        if re.search(OWNER_ROLE, said) and msgid not in BOTH_OWNERS and OWNER_WORDS[script] in text:
            found.append(
                f"the team's owner is 主管, not {OWNER_WORDS[script]}: {msgid!r} → {text!r}"
            )
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "lang, owner, rep, lead_owner",
    [("zh-Hant", "主管", "業務員", "負責人"), ("zh-Hans", "主管", "销售", "负责人")],
)
def test_the_team_help_and_a_lead_name_each_owner_their_own_way(ok, lang, owner, rep, lead_owner):
    team = ok("--lang", lang, "team", "--help").out
    assert f"指定{owner}" in team and rep in team, team
    assert lead_owner not in team and "老闆" not in team and "老板" not in team, team
    ok("add", "Acme", "--value", "5000")
    shown = ok("--lang", lang, "lead", "show", "1").out
    assert lead_owner in shown and owner not in shown, shown


@pytest.mark.parametrize(
    "lang, won, rate", [("zh-Hant", "成交", "成交率"), ("zh-Hans", "成交", "成交率")]
)
def test_the_report_says_won_and_win_rate_with_one_word(ok, lang, won, rate):
    ok("add", "Acme", "--value", "5000")
    ok("won", "Acme", "--amount", "5000")
    out = ok("--lang", lang, "report", "--week", "--team").out
    assert rate in out and "贏單" not in out and "赢单" not in out, out
