"""Data in and out through the real command line: import, export, search, backup, doctor, demo."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from conftest import raw_sql

from tests.conftest import digest, mode


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def leads(ok) -> list[dict]:
    return ok("lead", "list", "--team", "--all", "--format", "json")


# --- import: encodings and columns -------------------------------------------------------------------


def test_csv_with_bom_maps_columns_by_name_case_insensitively(ok, tmp_path):
    f = write(
        tmp_path / "a.csv",
        '\ufeffName,COMPANY,Value,Tags,Intent\nLi Wei,北京智造,5万,expo;vip,HOT\nBob,Acme,"1,200.50",,\n',
    )
    result = ok("import", f)
    assert "2 added" in result.err
    rows = {r["name"]: r for r in leads(ok)}
    assert rows["Li Wei"]["company"] == "北京智造"
    assert rows["Li Wei"]["value"] == 50000
    assert sorted(rows["Li Wei"]["tags"]) == ["expo", "vip"]
    assert rows["Li Wei"]["intent"] == "hot"
    assert rows["Bob"]["value"] == 1200.5
    assert rows["Bob"]["owner"] == "alice"  # no owner column: the current rep


def test_gbk_file_needs_encoding(ok, fails, tmp_path, db):
    f = write(tmp_path / "gbk.csv", "name,company,owner\n王芳,上海云帆,张伟\n", "gbk")
    result = fails("import", f, names=["not UTF-8", "--encoding gbk"])
    assert isinstance(db, str) or not db.exists()
    ok("import", f, "--encoding", "gbk")
    (lead,) = leads(ok)
    assert (lead["name"], lead["company"], lead["owner"]) == (
        "王芳",
        "上海云帆",
        "张伟",
    )  # unknown owner → rep
    assert "line" in result.err


def test_unknown_encoding_is_an_error(fails, tmp_path):
    f = write(tmp_path / "a.csv", "name\nx\n")
    fails("import", f, "--encoding", "klingon", names=["--encoding", "klingon"])


def test_missing_name_column_says_how_to_map(fails, tmp_path):
    f = write(tmp_path / "a.csv", "customer,firm\nLi,Acme\n")
    fails("import", f, names=["name", "customer, firm", "--map name=COLUMN"])


def test_map_and_extra_columns(ok, tmp_path):
    f = write(tmp_path / "a.csv", "customer,firm,shoe_size\nLi,Acme,42\n")
    result = ok("import", f, "--map", "name=customer", "--map", "company=FIRM")
    assert "shoe_size" in result.err  # extra columns are named as ignored
    (lead,) = leads(ok)
    assert (lead["name"], lead["company"]) == ("Li", "Acme")


def test_map_to_unknown_field_or_column(fails, tmp_path):
    f = write(tmp_path / "a.csv", "name\nLi\n")
    fails("import", f, "--map", "colour=name", names=["colour", "not an importable field"])
    fails("import", f, "--map", "company=firm", names=["firm", "not a column"])


def test_every_bad_row_is_listed_with_line_column_and_value(fails, tmp_path):
    f = write(
        tmp_path / "a.csv",
        "name,value,email,created_at,stage\n"
        "Good,100,a@example.com,2026-01-05,new\n"
        "Bad value,abc,,,\n"
        "Good 2,5,,,\n"
        "Bad email,1,not-an-email,,\n"
        "Bad date,1,,2026-02-30,\n"
        ",1,,,\n"
        "Bad stage,1,,,maybe\n",
    )
    result = fails(
        "import",
        f,
        names=[
            'line 3, column "value": "abc"',
            'line 5, column "email": "not-an-email"',
            'line 6, column "created_at": "2026-02-30"',
            'line 7, column "name"',
            'line 8, column "stage": "maybe"',
            "nothing was imported",
        ],
    )
    assert "line 2" not in result.err and "line 4" not in result.err


def test_errors_are_capped_at_twenty_but_all_counted(fails, tmp_path):
    body = "".join(f"L{i},zzz\n" for i in range(30))
    f = write(tmp_path / "a.csv", "name,value\n" + body)
    result = fails("import", f, names=["30 invalid", "and 10 more", "line 21,"])
    assert "line 22," not in result.err


def test_row_with_more_cells_than_header(fails, tmp_path):
    f = write(tmp_path / "a.csv", "name,company\nLi,Acme,Inc\n")
    fails("import", f, names=["line 2", "3 cells", "2 columns"])


def test_empty_file(fails, tmp_path):
    fails("import", write(tmp_path / "a.csv", ""), names=["is empty"])


def test_history_kept_for_closed_leads(ok, tmp_path):
    f = write(
        tmp_path / "a.csv",
        "name,stage,created_at,closed_at,amount,value\n"
        "W,Won,2026-01-10,2026-02-01,900,1000\n"
        "L,lost,2026-01-10,2026-01-20,,\n"
        "V,won,2026-03-01,2026-03-05,,700\n",
    )
    ok("import", f)
    rows = {r["name"]: r for r in leads(ok)}
    assert rows["W"]["won_amount"] == 900 and rows["W"]["won_at"].startswith("2026-02-01")
    assert rows["W"]["created_at"].startswith("2026-01-10")
    assert rows["V"]["won_amount"] == 700  # no amount: the value, as `won` does
    assert rows["L"]["lost_reason"] == "other" and rows["L"]["lost_at"].startswith("2026-01-20")
    timeline = ok("lead", "show", str(rows["W"]["id"]), "--format", "json")["timeline"]
    stages = [(e["from"], e["to"], e["at"][:10]) for e in timeline if e["type"] == "stage"]
    assert stages == [(None, "new", "2026-01-10"), ("new", "won", "2026-02-01")]


def test_closed_before_created_and_close_date_on_open_lead(fails, tmp_path):
    f = write(
        tmp_path / "a.csv",
        "name,stage,created_at,closed_at,amount\n"
        "A,won,2026-02-10,2026-02-01,5\n"
        "B,new,2026-02-10,2026-02-11,\n",
    )
    fails(
        "import",
        f,
        names=[
            'line 2, column "closed_at": "2026-02-01" is before',
            'line 3, column "closed_at": "2026-02-11" is set but the stage (new) is open',
        ],
    )


def test_a_closed_lead_dated_only_by_stage_changed_at_is_created_no_later_than_its_close(
    ok, fails, tmp_path
):
    """A won/lost row without created_at or closed_at: its stage_changed_at is the close (was an internal error)."""
    f = write(tmp_path / "a.csv", "name,stage,stage_changed_at,amount\nA,won,2020-01-01,5\n")
    ok("import", f)
    lead = leads(ok)[0]
    assert lead["won_at"].startswith("2020-01-01") and lead["created_at"] == lead["won_at"]
    late = write(
        tmp_path / "b.csv", "name,stage,created_at,stage_changed_at\nB,lost,2020-02-10,2020-02-01\n"
    )
    fails(
        "import",
        late,
        names=['line 2, column "stage_changed_at": "2020-02-01" is before the lead was created'],
    )


def test_stage_map(ok, tmp_path):
    f = write(tmp_path / "a.csv", "name,deal_stage,value\nA,Engaging,1\nB,Prospecting,1\n")
    ok(
        "import",
        f,
        "--map",
        "stage=deal_stage",
        "--stage-map",
        "Engaging=contacted",
        "--stage-map",
        "prospecting=new",
    )
    assert {r["name"]: r["stage"] for r in leads(ok)} == {"A": "contacted", "B": "new"}


# --- import: duplicates and dry run ---------------------------------------------------------------------


@pytest.fixture
def existing(ok):
    ok("add", "Old", "--email", "dup@example.com", "--value", "100")
    ok("add", "Phone", "--phone", "+86 138 0000 0000")


def test_duplicates_error_by_default(existing, fails, tmp_path):
    f = write(
        tmp_path / "a.csv",
        "name,email,phone\nNew,DUP@example.com,\nP2,,+86-138-0000-0000\nX,x@example.com,\nY,x@example.com,\n",
    )
    fails(
        "import",
        f,
        names=[
            'line 2, column "email": "DUP@example.com" is already on lead #1',
            'line 3, column "phone"',
            "lead #2",
            'line 5, column "email"',
            "line 4 of this file",
            "--on-duplicate",
        ],
    )


def test_duplicates_skip(existing, ok, tmp_path):
    f = write(
        tmp_path / "a.csv", "name,email,value\nNew,dup@example.com,999\nFresh,f@example.com,1\n"
    )
    result = ok("import", f, "--on-duplicate", "skip")
    assert "1 added, 0 updated, 1 skipped" in result.err
    rows = {r["name"]: r for r in leads(ok)}
    assert set(rows) == {"Old", "Phone", "Fresh"} and rows["Old"]["value"] == 100


def test_duplicates_update(existing, ok, tmp_path):
    f = write(
        tmp_path / "a.csv",
        "name,email,value,stage,tags\nOld renamed,dup@example.com,999,quoted,imported\n",
    )
    result = ok("import", f, "--on-duplicate", "update")
    assert "0 added, 1 updated, 0 skipped" in result.err
    lead = ok("lead", "show", "1", "--format", "json")
    assert (lead["name"], lead["value"], lead["stage"], lead["tags"]) == (
        "Old renamed",
        999,
        "quoted",
        ["imported"],
    )
    assert [(e["from"], e["to"]) for e in lead["timeline"] if e["type"] == "stage"][-1] == (
        "new",
        "quoted",
    )
    assert len(leads(ok)) == 2


def test_dry_run_writes_nothing(existing, ok, db, tmp_path):
    f = write(tmp_path / "a.csv", "name,email\nA,a@example.com\nB,dup@example.com\n")
    before = digest(db)
    result = ok("import", f, "--dry-run", "--on-duplicate", "skip")
    assert "would add 1" in result.err and "skip 1" in result.err
    assert digest(db) == before


def test_dry_run_meets_what_the_real_import_would_meet(existing, ok, fails, db, tmp_path):
    """A dry run is the import rolled back: it fails where the real one fails (a won date before the
    existing lead was created only shows when the update is applied), names the reps it would create,
    and leaves no trace, not even a skipped lead id (PostgreSQL's sequences are set back)."""
    late = write(
        tmp_path / "late.csv",
        "name,email,stage,closed_at,amount\nOld,dup@example.com,won,2020-01-01,5\n",
    )
    before = digest(db)
    for args in ((), ("--dry-run",)):
        fails("import", late, "--on-duplicate", "update", *args, names=["line 2", "closed_at"])
    assert digest(db) == before
    fine = write(tmp_path / "fine.csv", "name,owner\nNew,bob\nNewer,carol\n")
    result = ok("import", fine, "--dry-run")
    assert "would add 2, update 0, skip 0; new reps: bob, carol; nothing was written" in result.err
    assert digest(db) == before
    assert ok("add", "Next").out == "3\n"  # the id the dry run's leads would have had
    assert [r["name"] for r in ok("rep", "list", "--format", "json")] == ["alice"]


def test_import_summaries_and_errors_in_chinese(existing, ok, run, db, tmp_path):
    """The summary of a dry run that would create reps, and a refused import's note on the columns no
    field reads, speak the run's language like the rest of the message (docs/chinese.md)."""
    fine = write(tmp_path / "fine.csv", "name,owner,colour\nNew,bob,red\n")
    result = ok("--lang", "zh-Hans", "import", fine, "--dry-run")
    assert "跳过的列（用 --map FIELD=COLUMN 映射）：colour" in result.err
    assert "试运行" in result.err and "新销售：bob" in result.err
    bad = write(tmp_path / "bad.csv", "name,stage,colour\nNew,nowhere,red\n")
    before = digest(db)
    result = run("--lang", "zh-Hant", "import", bad)
    assert result.code == 1 and "Traceback" not in result.err
    assert '第 2 行，欄位 "stage"："nowhere" 不是階段' in result.err  # the row speaks it too
    assert result.err.rstrip().endswith("colour") and "略過的欄位" in result.err, result.err
    assert digest(db) == before


@pytest.mark.sqlite_only
def test_dry_run_on_missing_database_creates_nothing(ok, db, tmp_path):
    ok("import", write(tmp_path / "a.csv", "name\nA\n"), "--dry-run")
    assert not db.exists()


# --- export ------------------------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas_and_keeps_numbers(ok, tmp_path):
    ok(
        "add",
        '=HYPERLINK("http://evil")',
        "--company",
        "+cmd|' /C calc'!A0",
        "--value",
        "1234.5",
        "--contact",
        "@SUM(A1)",
        "--tag",
        "-x",
    )
    out = tmp_path / "leads.csv"
    ok("export", "leads", "--out", out)
    with open(out, encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (
        row["name"].startswith("'=")
        and row["company"].startswith("'+")
        and row["contact"].startswith("'@")
    )
    assert row["tags"] == "'-x"
    assert row["value"] == "1234.5" and row["id"] == "1"


def test_export_file_is_private_even_when_replacing(ok, run, tmp_path):
    ok("add", "A")
    out = tmp_path / "leads.json"
    out.write_text("old")
    out.chmod(0o644)
    result = run("export", "leads", "--format", "json", "--out", out)
    assert result.code == 0 and result.out == "" and "Exported 1 leads" in result.err
    assert mode(out) == 0o600
    assert [r["name"] for r in json.loads(out.read_text())] == ["A"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_export_activities_csv_to_stdout(ok):
    ok("add", "A")
    ok("add", "B")
    result = ok("export", "activities")
    assert result.out.splitlines()[0].startswith("id,lead_id,lead,company,rep,kind,note")
    assert ok("export", "activities", "--format", "json") == []


def test_export_all_as_csv_is_refused(fails):
    fails("export", "all", "--format", "csv", names=["--format", "csv"])


def test_csv_export_imports_back(ok, tmp_path, monkeypatch):
    ok(
        "add",
        "Li Wei",
        "--company",
        "北京智造",
        "--phone",
        "+86 138 0000 0000",
        "--value",
        "5万",
        "--tag",
        "a",
        "--tag",
        "b",
        "--intent",
        "hot",
        "--key",
    )
    out = tmp_path / "leads.csv"
    ok("export", "leads", "--out", out)
    original = leads(ok)
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "other.db"))
    ok("import", out)
    (copy,) = leads(ok)
    for key in (
        "name",
        "company",
        "phone",
        "value",
        "tags",
        "intent",
        "key",
        "owner",
        "stage",
        "created_at",
    ):
        assert copy[key] == original[0][key], key


def full_database(ok):
    """A database with every kind of row: the demo team plus a reassignment and a custom setting."""
    ok("demo", "--db", os.environ["SALESCTL_DB"])
    ok("config", "set", "rot_days.quoted", "9")
    ok("rep", "add", "zoe", "--email", "zoe@example.com")
    ok("lead", "assign", "2", "--to", "zoe")


def table_rows(path: Path | str) -> dict[str, list]:
    """Every row of every table, on either engine (a PostgreSQL export restored into SQLite compares equal)."""
    return {
        t: [tuple(r) for r in raw_sql(path, f"SELECT * FROM {t} ORDER BY 1, 2")]
        for t in (
            "reps",
            "plays",
            "leads",
            "lead_tags",
            "activities",
            "stage_history",
            "assignments",
            "targets",
            "settings",
        )
    }


def test_json_round_trip_reproduces_everything_with_the_same_ids(
    ok, fails, db, tmp_path, monkeypatch
):
    full_database(ok)
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    assert mode(dump) == 0o600
    copy = tmp_path / "copy.db"
    monkeypatch.setenv("SALESCTL_DB", str(copy))
    ok("import", dump, "--dry-run")
    assert not copy.exists()
    ok("import", dump)
    original, restored = table_rows(db), table_rows(copy)
    for table in original:
        assert restored[table] == original[table], table
    assert len(original["assignments"]) == 1 and original["targets"] and original["plays"]
    fails("import", dump, names=["empty database"])  # a second restore would clash with the ids


def test_json_lines_import(ok, tmp_path, monkeypatch):
    ok("add", "A", "--value", "10", "--email", "a@example.com")
    ok("add", "B")
    lines = "\n".join(json.dumps(obj, ensure_ascii=False) for obj in leads(ok))
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "other.db"))
    ok("import", write(tmp_path / "leads.jsonl", lines + "\n"))
    assert [(r["name"], r["value"], r["email"]) for r in leads(ok)] == [
        ("A", 10, "a@example.com"),
        ("B", None, None),
    ]


# --- search --------------------------------------------------------------------------------------------

HOSTILE = [
    '"',
    "'",
    "%",
    "_",
    "*",
    "NEAR(",
    "NEAR(a b)",
    "-",
    "AND",
    "OR",
    "NOT",
    "a AND",
    '" OR 1=1 --',
    "'; DROP TABLE leads; --",
    "name:x",
    "^",
    "(",
    ")",
    "{a b}",
    "\\",
    "a*",
    "%_%",
    "ü",
    "😀",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_search_hostile_input_never_errors_or_injects(ok, text):
    ok("add", "Plain Lead", "--company", "Acme")
    found = ok("search", text, "--format", "json")
    assert found["leads"] == [] and found["activities"] == []


def test_search_names_companies_notes_and_cjk(ok):
    ok("add", "王芳", "--company", "北京智造科技")
    ok("add", "Bob Smith", "--company", "Acme 100% Corp")
    ok("add", "Under_score")
    hit = lambda text: [r["name"] for r in ok("search", text, "--format", "json")["leads"]]  # noqa: E731
    assert hit("王芳") == ["王芳"]  # two characters: LIKE fallback
    assert hit("智造科") == ["王芳"]  # a substring inside a CJK run
    assert hit("acme corp") == ["Bob Smith"]
    assert hit("100%") == ["Bob Smith"]
    assert hit("_") == ["Under_score"]
    assert hit("%") == ["Bob Smith"]


def test_search_index_follows_edits_and_deletes(ok):
    ok("add", "Alpha Trading")
    ok("lead", "edit", "1", "--name", "Omega Trading")
    assert ok("search", "alpha", "--format", "json")["leads"] == []
    assert [r["id"] for r in ok("search", "omega", "--format", "json")["leads"]] == [1]
    ok("lead", "delete", "1", "--yes")
    assert ok("search", "omega", "--format", "json")["leads"] == []


def test_search_finds_activity_notes(ok, db):
    ok("demo", "--db", db)
    found = ok("search", "报价已发", "--format", "json")
    assert found["activities"] and all("报价已发" in a["note"] for a in found["activities"])


@pytest.mark.sqlite_only
def test_migration_indexes_rows_written_before_search_existed(ok, db):
    from salesctl import store as store_module

    conn = sqlite3.connect(db)
    store_module._m0001_initial(conn)
    conn.execute("INSERT INTO reps (name, created_at) VALUES ('alice', '2026-01-01T00:00:00Z')")
    conn.execute(
        "INSERT INTO leads (name, company, currency, owner_id, stage, created_at, stage_changed_at)"
        " VALUES ('Legacy', 'Old Corp', 'USD', 1, 'new', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    assert [r["name"] for r in ok("search", "old corp", "--format", "json")["leads"]] == ["Legacy"]


# --- backup and doctor -----------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_is_complete_private_and_intact(ok, db, tmp_path):
    ok("add", "A")
    ok("add", "B")  # still in the -wal file: a plain copy of the .db would miss it
    dest = tmp_path / "backup.db"
    ok("backup", dest)
    assert mode(dest) == 0o600
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in conn.execute("SELECT name FROM leads ORDER BY id")] == ["A", "B"]
    conn.close()
    folder = tmp_path / "backups"
    folder.mkdir()
    ok("backup", folder)
    (made,) = folder.iterdir()
    assert made.name.startswith("salesctl-2026") and mode(made) == 0o600


@pytest.mark.sqlite_only
def test_backup_without_database(fails, tmp_path):
    fails("backup", tmp_path / "b.db", names=["nothing to back up"])


@pytest.mark.sqlite_only
def test_doctor_healthy_and_loose_permissions(ok, db):
    ok("add", "A")
    report = ok("doctor", "--format", "json")
    assert report["ok"] and {c["check"] for c in report["checks"]} >= {
        "integrity",
        "schema",
        "journal",
        "permissions",
        "orphans",
    }
    db.chmod(0o644)
    report = ok("doctor", "--format", "json")
    assert report["ok"]
    assert [c["status"] for c in report["checks"] if c["check"] == "permissions"] == ["warning"]


@pytest.mark.sqlite_only
def test_doctor_on_a_corrupted_database(ok, run, db):
    ok("add", "A")
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO leads (name, company, currency, owner_id, stage, created_at, stage_changed_at)"
        " VALUES (?, ?, 'USD', 1, 'new', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        [(f"Lead {i}", "x" * 300) for i in range(300)],
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(3 * page + 100, len(data) - page, page * 2):
        data[offset : offset + 64] = os.urandom(64)
    db.write_bytes(bytes(data))
    result = run("doctor")
    assert result.code == 3
    assert "Error: doctor:" in result.err and "restore" in result.err


@pytest.mark.sqlite_only
def test_doctor_on_a_file_that_is_not_a_database(run, db):
    db.write_text("hello, I am a spreadsheet\n")
    result = run("doctor")
    assert result.code == 3 and "not a SQLite database" in result.err
    assert "Traceback" not in result.err


@pytest.mark.sqlite_only
def test_doctor_finds_orphan_rows(ok, run, db):
    ok("add", "A")
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO activities (lead_id, rep_id, kind, note, effective, at, created_at)"
        " VALUES (99, 1, 'call', '', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    result = run("doctor")
    assert result.code == 3 and "orphans" in result.err and "activities" in result.err


# --- demo ---------------------------------------------------------------------------------------------------


def test_demo_fills_a_meaningful_database_once(ok, fails, db, monkeypatch):
    monkeypatch.delenv("SALESCTL_REP")
    ok("demo", "--db", db)
    everything = leads(ok)
    assert 60 <= len(everything) <= 120
    assert {r["owner"] for r in everything} == {"maya", "王芳", "tom"}
    assert any("\u4e00" <= r["name"][0] <= "\u9fff" for r in everything)
    now = datetime.fromisoformat("2026-11-26T10:00:00+00:00")
    open_ = [r for r in everything if r["stage"] not in ("won", "lost")]
    assert any(
        r["next_at"] and datetime.fromisoformat(r["next_at"]) < now for r in open_
    )  # overdue
    rot = {"new": 3, "contacted": 7, "quoted": 7, "negotiating": 10, "deciding": 14}
    assert any(
        r["last_activity_at"]
        and (now - datetime.fromisoformat(r["last_activity_at"])).days > rot[r["stage"]]
        for r in open_
    )  # stalled
    assert any(r["stage"] == "new" and r["last_activity_at"] is None for r in open_)  # untouched
    lost = [r for r in everything if r["stage"] == "lost"]
    assert (
        lost and all(r["lost_reason"] for r in lost) and len({r["lost_reason"] for r in lost}) > 2
    )
    assert [r for r in everything if r["stage"] == "won"]
    assert all(datetime.fromisoformat(r["created_at"]) <= now for r in everything)
    assert ok("config", "show", "--format", "json")["default_rep"] == "maya"
    fails("demo", "--db", db, names=["already holds leads", str(db)])


def test_demo_is_deterministic(ok, tmp_path):
    ok("demo", "--db", tmp_path / "one.db")
    ok("demo", "--db", tmp_path / "two.db")
    one, two = table_rows(tmp_path / "one.db"), table_rows(tmp_path / "two.db")
    # The default plays are stamped with the clock when the schema is made (created_at, column 5), and each
    # database has its own random calendar id (docs/calendar.md); everything else follows "now".
    one["plays"], two["plays"] = ([row[:5] + row[6:] for row in t["plays"]] for t in (one, two))
    one["settings"], two["settings"] = (
        [row for row in t["settings"] if row[0] != "calendar_id"] for t in (one, two)
    )
    assert one == two


# --- the real data set ------------------------------------------------------------------------------------

CRM_IMPORT = (
    "--map",
    "name=opportunity_id",
    "--map",
    "owner=sales_agent",
    "--map",
    "company=account",
    "--map",
    "stage=deal_stage",
    "--map",
    "created_at=engage_date",
    "--map",
    "closed_at=close_date",
    "--map",
    "amount=close_value",
    "--stage-map",
    "Won=won",
    "--stage-map",
    "Lost=lost",
    "--stage-map",
    "Engaging=contacted",
    "--stage-map",
    "Prospecting=new",
)


@pytest.mark.slow
def test_real_crm_data_imports_with_the_right_figures(ok, crm_pipeline):
    with open(crm_pipeline, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    won = [r for r in rows if r["deal_stage"] == "Won"]
    result = ok("import", crm_pipeline, *CRM_IMPORT)
    assert f"{len(rows)} added" in result.err
    imported = leads(ok)
    assert len(imported) == len(rows)
    won_leads = [r for r in imported if r["stage"] == "won"]
    assert len(won_leads) == len(won)
    assert sum(r["won_amount"] for r in won_leads) == sum(int(r["close_value"]) for r in won)
    days = lambda a, b: (datetime.fromisoformat(b) - datetime.fromisoformat(a)).days  # noqa: E731
    expected_cycle = sum(days(r["engage_date"], r["close_date"]) for r in won) / len(won)
    cycle = sum(days(r["created_at"][:10], r["won_at"][:10]) for r in won_leads) / len(won_leads)
    assert cycle == pytest.approx(expected_cycle)
    agent = won[0]["sales_agent"]
    per_agent = [r for r in won_leads if r["owner"] == agent]
    assert len(per_agent) == sum(1 for r in won if r["sales_agent"] == agent)
    lost = [r for r in imported if r["stage"] == "lost"]
    assert len(lost) == sum(1 for r in rows if r["deal_stage"] == "Lost")
    assert {r["lost_reason"] for r in lost} == {"other"}


def test_imported_and_restored_rows_are_searchable_and_indexing_continues(
    ok, tmp_path, monkeypatch
):
    ok("import", write(tmp_path / "a.csv", "name,company,notes\n赵敏,南京星河物流,客户预算有限\n"))
    assert [r["name"] for r in ok("search", "星河物", "--format", "json")["leads"]] == ["赵敏"]
    assert ok("search", "预算有限", "--format", "json")["activities"][0]["name"] == "赵敏"
    ok(
        "add", "Later Lead", "--company", "Zeta Works"
    )  # the per-row trigger is back after the bulk import
    assert [r["name"] for r in ok("search", "zeta", "--format", "json")["leads"]] == ["Later Lead"]
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "copy.db"))
    ok("import", dump)
    assert [r["name"] for r in ok("search", "zeta", "--format", "json")["leads"]] == ["Later Lead"]
    assert ok("search", "预算有限", "--format", "json")["activities"]


@pytest.mark.sqlite_only
@pytest.mark.slow  # 100k activities, exported in subprocesses
def test_export_streams_in_flat_memory(ok, db, tmp_path):
    import subprocess
    import sys

    ok("add", "A")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executemany(
        "INSERT INTO activities (lead_id, rep_id, kind, note, effective, at, created_at)"
        " VALUES (1, 1, 'call', ?, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        [("a note of about a hundred characters " * 3 + str(i),) for i in range(100_000)],
    )
    conn.commit()
    conn.close()

    def peak_kb(database: Path) -> int:
        code = (
            "import resource, subprocess, sys; subprocess.run([sys.executable, '-m', 'salesctl', '--db', sys.argv[1],"
            " 'export', 'activities', '--format', 'json'], stdout=subprocess.DEVNULL, check=True);"
            " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        return int(
            subprocess.run(
                [sys.executable, "-c", code, str(database)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )

    small = tmp_path / "small.db"
    ok("--db", small, "add", "B")
    growth_mb = (peak_kb(db) - peak_kb(small)) / 1024
    assert growth_mb < 10, (
        f"exporting 100k activities took {growth_mb:.0f} MB more than exporting none"
    )


@pytest.mark.slow
def test_real_crm_data_figures_in_report_and_funnel(ok, crm_pipeline):
    """report and funnel (docs/figures.md) over the imported history equal the figures computed from the CSV."""
    with open(crm_pipeline, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ok("import", crm_pipeline, *CRM_IMPORT)
    won = [r for r in rows if r["deal_stage"] == "Won"]
    lost = [r for r in rows if r["deal_stage"] == "Lost"]
    days = lambda a, b: (datetime.fromisoformat(b) - datetime.fromisoformat(a)).days  # noqa: E731
    report = ok(
        "report", "--since", "2016-01-01", "--until", "2018-01-01", "--team", "--format", "json"
    )
    team = report["team"]
    assert team["won_count"] == len(won)
    assert team["won_amount"] == sum(int(r["close_value"]) for r in won)
    assert team["lost_count"] == len(lost)
    expected_cycle = sum(days(r["engage_date"], r["close_date"]) for r in won) / len(won)
    assert team["avg_cycle_days"] == pytest.approx(expected_cycle, abs=0.005)  # shown to 2 decimals
    per_rep = {r["rep"]: r for r in report["reps"]}
    for agent in sorted({r["sales_agent"] for r in rows})[:5]:
        mine = [r for r in won if r["sales_agent"] == agent]
        assert per_rep[agent]["won_count"] == len(mine)
        assert per_rep[agent]["won_amount"] == sum(int(r["close_value"]) for r in mine)
    funnel = ok(
        "funnel", "--since", "2016-01-01", "--until", "2018-01-01", "--team", "--format", "json"
    )
    assert funnel["won"] == len(won) and funnel["lost"] == len(lost)
    assert funnel["win_rate"] == pytest.approx(len(won) / (len(won) + len(lost)))


def test_update_reopens_reassigns_and_closes_through_the_pipeline(ok, fails, tmp_path, monkeypatch):
    ok("add", "A", "--email", "a@example.com", "--value", "100")
    ok("add", "B", "--email", "b@example.com")
    ok("won", "1")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T11:00:00")
    early = write(
        tmp_path / "early.csv",
        "name,email,stage,amount,closed_at\nB,b@example.com,won,500,2026-11-20\n",
    )
    fails(
        "import",
        early,
        "--on-duplicate",
        "update",
        names=['line 2, column "closed_at"', "before lead #2 was created"],
    )
    f = write(
        tmp_path / "a.csv",
        "name,email,stage,amount,closed_at,owner\n"
        "A,a@example.com,quoted,,,bob\n"
        "B,b@example.com,won,500,2026-11-26 10:30,bob\n",
    )
    assert "0 added, 2 updated" in ok("import", f, "--on-duplicate", "update").err
    a, b = (ok("lead", "show", str(i), "--format", "json") for i in (1, 2))
    assert (a["stage"], a["owner"], a["won_at"]) == ("quoted", "bob", None)
    assert (b["stage"], b["won_amount"], b["won_at"][:16], b["owner"]) == (
        "won",
        500,
        "2026-11-26T10:30",
        "bob",
    )
    assert [(e["from"], e["to"]) for e in a["timeline"] if e["type"] == "stage"][-1] == (
        "won",
        "quoted",
    )
