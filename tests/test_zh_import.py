"""A refused import in Chinese (docs/chinese.md, Errors): every row's problem, the `line N, column "x"`
frame and the `… and N more` line speak the run's language; the exit code and the database are those of
English, and English stays word for word what it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import digest

# One row per kind of problem a CSV row can have, after a lead with the email a@x.com exists and
# carol is deactivated (the `refusable` fixture).
BAD_CSV = """name,email,stage,created_at,closed_at,lost_reason,owner
Ok,ok@x.com,new,,,,
,blank@x.com,,,,,
Bad Email,not-an-email,,,,,
Closed Open,,quoted,,2026-11-20,,
Reason Open,,new,,,price,
Future,,,2027-05-01,,,
Dup One,dup@x.com,,,,,
Dup Two,dup@x.com,,,,,
Existing,a@x.com,,,,,
Inactive,,new,,,,carol
Too,many,,,,,,x,y
"""

ENGLISH = """Error: import {file}: 9 invalid value(s); nothing was imported
  line 3, column "name": "" is blank; every lead needs a name
  line 4, column "email": "not-an-email" is not an email address; e.g. li.wei@example.com
  line 5, column "closed_at": "2026-11-20" is set but the stage (quoted) is open; map the stage column, or clear it
  line 6, column "lost_reason": "price" is set but the stage is new, not lost
  line 7, column "created_at": "2027-05-01" is in the future: 2027-05-01 00:00 (UTC) is after now (2026-11-26 10:00 (UTC))
  line 12, column "(row)": "x,y" has 9 cells but the header has 7 columns; quote cells that contain commas
  line 9, column "email": "dup@x.com" is already on line 8 of this file; pass --on-duplicate skip or --on-duplicate update
  line 10, column "email": "a@x.com" is already on lead #1; pass --on-duplicate skip or --on-duplicate update
  line 11, column "owner": "carol" is a deactivated rep and cannot own open leads; give them to an active rep, or reactivate with salesctl rep activate
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def refusable(ok, tmp_path) -> Path:
    """A database with lead #1 (a@x.com) and a deactivated rep carol, and a CSV that it refuses."""
    ok("add", "Acme", "--email", "a@x.com")
    ok("rep", "add", "carol")
    ok("rep", "deactivate", "carol")
    return write(tmp_path / "bad.csv", BAD_CSV)


def refused(run, db, *args):
    """Run an import that must be refused: exit 1, no traceback, the database as it was."""
    before = digest(db)
    result = run(*args)
    assert result.code == 1, result
    assert "Traceback" not in result.err and result.out == ""
    assert digest(db) == before, "a refused import changed the database"
    return result.err


def test_english_rows_are_word_for_word_as_before(run, db, refusable):
    assert refused(run, db, "import", refusable) == ENGLISH.format(file=refusable)


def test_a_refused_csv_in_traditional_chinese(run, db, refusable):
    err = refused(run, db, "--lang", "zh-Hant", "import", refusable)
    assert err.startswith(f"錯誤: import {refusable}：有 9 個無效的值；沒有匯入任何東西\n")
    for row in (
        '  第 3 行，欄位 "name"："" 是空白的；每個客戶都要有名稱',
        '  第 4 行，欄位 "email"："not-an-email" 不是電子郵件地址；例如 li.wei@example.com',
        # the stage is named in the catalog's word for it
        '  第 5 行，欄位 "closed_at"："2026-11-20" 有值，但階段（已報價）尚未結案',
        '  第 6 行，欄位 "lost_reason"："price" 有值，但階段是新線索，不是流失',
        '  第 7 行，欄位 "created_at"："2027-05-01" 在未來：2027-05-01 00:00 (UTC) 晚於現在',
        '  第 12 行，欄位 "（整列）"："x,y" 有 9 格，但標題列只有 7 欄；含逗號的儲存格請加上引號',
        '  第 9 行，欄位 "email"："dup@x.com" 已出現在本檔案第 8 行；請加 --on-duplicate skip',
        '  第 10 行，欄位 "email"："a@x.com" 已在客戶 #1 上',
        '  第 11 行，欄位 "owner"："carol" 是已停用的業務員，不能負責進行中的客戶',
    ):
        assert row in err, (row, err)
    for english in ("line ", "column", "is blank", "is set but", "already on", "deactivated"):
        assert english not in err, (english, err)


def test_a_refused_csv_in_simplified_chinese_uses_its_own_vocabulary(run, db, refusable):
    err = refused(run, db, "--lang", "zh-Hans", "import", refusable)
    assert err.startswith(f"错误: import {refusable}：有 9 个无效的值；没有导入任何内容\n")
    for row in (
        '  第 3 行，列 "name"："" 是空白的；每个客户都要有名称',
        '  第 5 行，列 "closed_at"："2026-11-20" 有值，但阶段（已报价）尚未结案',
        '  第 12 行，列 "（整行）"："x,y" 有 9 个单元格，但表头只有 7 列',
        '  第 9 行，列 "email"："dup@x.com" 已出现在本文件第 8 行',
        '  第 10 行，列 "email"："a@x.com" 已在客户 #1 上',
        '  第 11 行，列 "owner"："carol" 是已停用的销售，不能负责进行中的客户',
    ):
        assert row in err, (row, err)
    assert not set("欄戶報價階結檔業務") & set(err.replace(str(refusable), "")), err


def test_the_rows_past_twenty_are_counted_in_chinese(run, db, tmp_path):
    many = write(
        tmp_path / "many.csv", "name,email\n" + "".join(f"L{i},bad{i}\n" for i in range(25))
    )
    err = refused(run, db, "--lang", "zh-Hant", "import", many)
    assert err.count("不是電子郵件地址") == 20
    assert err.rstrip().endswith("  … 還有 5 個"), err
    assert "line" not in err


def test_a_team_stage_stays_as_it_was_named(ok, run, db, tmp_path):
    """A word of the team's own vocabulary has no Chinese name: it shows as the team wrote it."""
    ok("config", "set", "stages", "new,pilot,quoted")
    file = write(tmp_path / "a.csv", "name,stage,lost_reason\nPilot,pilot,price\n")
    err = refused(run, db, "--lang", "zh-Hans", "import", file)
    assert '第 2 行，列 "lost_reason"："price" 有值，但阶段是pilot，不是流失' in err, err


def test_json_lines_and_a_file_that_is_not_utf8_in_chinese(run, db, tmp_path):
    lines = write(
        tmp_path / "a.jsonl", '{"name": "", "email": "x"}\n{"name": "J", "stage": "nope"}\n'
    )
    err = refused(run, db, "--lang", "zh-Hans", "import", lines)
    assert '第 1 行，列 "name"："" 是空白的；每个客户都要有名称' in err
    assert '第 2 行，列 "stage"："nope" 不是阶段' in err
    gbk = write(tmp_path / "gbk.csv", "name\n李伟\n", "gbk")
    err = refused(run, db, "--lang", "zh-Hant", "import", gbk)
    assert '錯誤: FILE："gbk.csv"' not in err and "（第 2 行的位元組 0xc0）" in err, err
    nameless = write(tmp_path / "nameless.csv", "nom,courriel\nX,y\n")
    err = refused(run, db, "--lang", "zh-Hans", "import", nameless)
    assert '"列：nom, courriel" 没有客户名称的列' in err, err


def an_export(ok, tmp_path, monkeypatch) -> dict:
    """`export all` of a small team, made in a database of its own (the test's stays empty)."""
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "source.db"))
    ok("add", "Acme", "--value", "5k")
    ok("rep", "add", "carol")
    ok("target", "set", "10k")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    monkeypatch.undo()
    return json.loads(dump.read_text(encoding="utf-8"))


def test_a_refused_restore_in_chinese(run, db, tmp_path, monkeypatch, ok):
    """A full export's settings, reps, leads and targets: each problem in the run's language."""
    doc = an_export(ok, tmp_path, monkeypatch)
    monkeypatch.setenv("SALESCTL_DB", str(db))
    doc["settings"].update(money_style="lakh", **{"pool.max_open_per_rep": -1})
    doc["reps"][1]["active"] = False  # carol, deactivated
    doc["leads"][0]["owner"] = "carol"
    doc["leads"].append({**doc["leads"][0], "owner": "nobody"})  # and its id again
    doc["targets"][0]["month"] = "2026-13"
    doc["plays"] = {"not": "a list"}
    bad = write(tmp_path / "bad.json", json.dumps(doc, ensure_ascii=False))
    err = refused(run, db, "--lang", "zh-Hant", "import", bad)
    for row in (
        '  settings，欄位 "config money_style"："lakh" 不是金額樣式；請用 western 或 wan',
        '  settings，欄位 "config pool.max_open_per_rep"："-1" 必須是 1 以上的整數客戶數，或 off',
        "  plays，欄位 \"plays\"：\"{'not': 'a list'}\" 不是清單",
        '  leads[0]，欄位 "owner"："carol" 是已停用的業務員',
        '  leads[1]，欄位 "id"："1" 和 leads 前面一列的編號重複',
        '  leads[1]，欄位 "owner"："nobody" 不是檔案裡的業務員',
        '  targets[0]，欄位 "month"："2026-13" 不是月份；請寫成 YYYY-MM',
    ):
        assert row in err, (row, err)
    assert "column" not in err and " is " not in err, err
    simplified = refused(run, db, "--lang", "zh-Hans", "import", bad)
    assert '  leads[1]，列 "owner"："nobody" 不是文件里的销售' in simplified, simplified


def test_a_restore_says_what_it_wrote_in_chinese(ok, run, db, tmp_path, monkeypatch):
    dump = tmp_path / "all.json"
    dump.write_text(json.dumps(an_export(ok, tmp_path, monkeypatch)), encoding="utf-8")
    monkeypatch.setenv("SALESCTL_DB", str(db))
    dry = ok("--lang", "zh-Hans", "import", dump, "--dry-run").err
    assert "会恢复 2 个销售、4 个打法、1 个客户、0 个客户标签" in dry, dry
    done = ok("--lang", "zh-Hant", "import", dump).err
    assert done.startswith(f"已還原 {dump}：2 位業務員、4 個打法、1 個客戶、"), done
    assert "1 個目標" in done and "0 筆跟進修訂" in done
    counts = done.replace(str(dump), "")
    assert not any(table in counts for table in ("reps", "leads", "_", "targets")), done
