"""Nothing lost, nothing let in: export snapshots, restores of edited documents, settings read under the
write lock, times before a lead existed, exact totals, hostile import files (docs/data-safety.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import raw_sql


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- the funnel's lost-by-stage (GROUP BY on an alias that is also a column) ----------------------------


def test_funnel_counts_each_loss_at_the_stage_it_was_lost_at(ok):
    for name, stage, reason in (
        ("A", None, "price"),
        ("B", "quoted", "price"),
        ("C", "negotiating", "price"),
        ("D", "quoted", "budget"),
    ):
        ok("add", name)
        if stage:
            ok("move", name, stage)
        ok("lost", name, "--reason", reason)
    stages = {s["stage"]: s for s in ok("funnel", "--format", "json")["stages"]}
    assert (stages["new"]["lost"], stages["new"]["lost_reasons"]) == (1, {"price": 1})
    assert (stages["quoted"]["lost"], stages["quoted"]["lost_reasons"]) == (
        2,
        {"budget": 1, "price": 1},
    )
    assert (stages["negotiating"]["lost"], stages["negotiating"]["lost_reasons"]) == (
        1,
        {"price": 1},
    )


def test_no_group_by_or_order_by_names_an_alias_that_is_also_a_column():
    """The trap above, everywhere in store.py: a bare name in GROUP BY / ORDER BY that is both an alias
    (`… AS name`) and a column of a table binds to the column in GROUP BY (SQLite and PostgreSQL alike).
    Group by the expression or by position (GROUP BY 1) instead."""
    from salesctl import store

    source = Path(store.__file__).read_text()
    columns = {c for cols in store.Store.TABLE_COLUMNS.values() for c in cols}
    traps = []
    for body in re.split(r"\n    def |\ndef ", source):  # one function's queries at a time
        aliases = set(re.findall(r"\bAS (\w+)", body))
        for clause in re.findall(
            r"(?:GROUP|ORDER) BY ((?:[\w.]+(?: COLLATE NOCASE)?(?: DESC| ASC)?(?:, )?)+)", body
        ):
            for term in clause.split(","):
                name = term.strip().split(" ")[0]
                if "." not in name and name in aliases and name in columns:
                    traps.append(f"{body.split('(')[0]}: {clause.strip()} ({name})")
    assert traps == []


# --- exact totals ---------------------------------------------------------------------------------------


def test_totals_past_64_bits_are_exact_not_a_database_error(ok, tmp_path):
    """9,300 deals of 10^13 (the largest amount) sum past 2^63 minor units: SQLite's sum() overflowed (exit 3)."""
    n, top = 9_300, 10**13
    rows = ["name,stage,amount,value,created_at,closed_at,close_by"]
    rows += [f"won {i},won,{top},{top},2026-11-02,2026-11-18," for i in range(n)]
    rows += [f"open {i},quoted,,{top},2026-11-02,,2026-11-30" for i in range(n)]
    ok("import", write(tmp_path / "big.csv", "\n".join(rows) + "\n"))
    report = ok("report", "--format", "json")
    assert report["team"]["won_count"] == n
    assert report["team"]["won_amount"] == n * top  # exact: 93,000,000,000,000,000
    assert report["team"]["open_value"] == n * top
    target = ok("target", "show", "--format", "json")
    assert json.dumps(target)  # month to date sums the same deals without failing


# --- export all is one snapshot -------------------------------------------------------------------------


def test_export_all_is_one_snapshot_while_others_write(ok, db, tmp_path, monkeypatch):
    """Another process adds leads (with their history) while the document is being written: the document
    holds the database of one moment, so it restores; before, it held history of leads it did not hold."""
    from salesctl.store import Store
    from tests.faults import bulk_leads

    ok("add", "Acme")
    ok("log", "Acme", "called")
    real = Store.iter_table

    def iter_table(self, table):
        if table == "activities":  # the leads are written out; now someone else commits more
            bulk_leads(db, 3, owner="bob")
            other = Store(db)
            with other.write():
                other.conn.execute(
                    "INSERT INTO activities (lead_id, rep_id, kind, note, effective, at, created_at)"
                    " SELECT id, 1, 'call', 'late', 1, created_at, created_at FROM leads"
                    " ORDER BY id DESC LIMIT 1"
                )
            other.close()
        return real(self, table)

    monkeypatch.setattr(Store, "iter_table", iter_table)
    ok("export", "all", "--out", tmp_path / "doc.json")
    monkeypatch.setattr(Store, "iter_table", real)
    doc = json.loads((tmp_path / "doc.json").read_text())
    assert [lead["name"] for lead in doc["leads"]] == ["Acme"]
    assert {h["lead_id"] for h in doc["stage_history"]} == {1} and len(doc["activities"]) == 1
    ok("--db", tmp_path / "copy.db", "import", tmp_path / "doc.json")
    assert len(ok("--db", tmp_path / "copy.db", "lead", "list", "--all", "--format", "json")) == 1
    assert (
        len(ok("lead", "list", "--all", "--team", "--format", "json")) == 4
    )  # the writers' leads are in the database


# --- settings are read under the write lock ---------------------------------------------------------------


@pytest.fixture
def config_change_before_the_lock(db, monkeypatch):
    """`salesctl config set KEY VALUE` run by another process and committed just before this command's write
    transaction begins (the moment a long import spends validating its rows)."""
    from salesctl.store import Store
    from tests.conftest import salesctl_process

    def arm(key: str, value: str) -> None:
        real = Store.write
        pending = [True]

        def write(self, **options):
            if pending:
                pending.clear()
                done = salesctl_process("config", "set", key, value)
                assert done.returncode == 0, done.stderr
            return real(self, **options)

        monkeypatch.setattr(Store, "write", write)

    return arm


def refused(result, *fragments) -> None:
    assert result.code == 1 and result.err.startswith("Error: "), result.err
    for fragment in fragments:
        assert fragment in result.err, result.err


def test_an_import_checks_stages_as_committed_when_it_writes(
    ok, run, tmp_path, config_change_before_the_lock
):
    """`config set stages` during a long import stranded every imported lead in the removed stage."""
    ok("add", "Acme")
    f = write(
        tmp_path / "leads.csv", "name,stage\n" + "".join(f"lead {i},quoted\n" for i in range(50))
    )
    config_change_before_the_lock("stages", "new,contacted,negotiating,deciding")
    refused(run("import", f), '"quoted" is not a stage')
    assert [lead["name"] for lead in ok("lead", "list", "--all", "--format", "json")] == ["Acme"]


def test_settings_read_before_the_lock_are_read_again_under_it(ok, db):
    """The rule of App.write (docs/data-safety.md): whatever a command looked at before taking the write
    lock, inside it the settings are those committed, even if another process changed them between."""
    from salesctl.context import App
    from tests.conftest import salesctl_process

    ok("add", "Acme")
    app = App(db_path=db)
    assert "quoted" in app.settings.stages  # read (and cached) before the lock
    assert salesctl_process("config", "set", "stages", "new,contacted,deciding").returncode == 0
    with app.write():
        assert "quoted" not in app.settings.stages
    app.close()


@pytest.mark.parametrize(
    "key, value, command, fragment",
    [
        (
            "stages",
            "new,contacted,negotiating,deciding",
            ("move", "Acme", "quoted"),
            '"quoted" is not a stage',
        ),
        (
            "lost_reasons",
            "budget,other",
            ("lost", "Acme", "--reason", "price"),
            '"price" is not a lost reason',
        ),
        (
            "stages",
            "new,contacted,negotiating,deciding",
            ("play", "add", "p1", "--stage", "quoted", "--text", "x"),
            '"quoted" is not a stage',
        ),
        (
            "stages",
            "new,contacted,negotiating,deciding",
            ("reopen", "Zeta", "--stage", "quoted"),
            '"quoted" is not a stage',
        ),
    ],
)
def test_commands_check_settings_as_committed_when_they_write(
    ok, run, config_change_before_the_lock, key, value, command, fragment
):
    ok("add", "Acme")
    ok("add", "Zeta")
    ok("won", "Zeta", "--amount", "5")
    config_change_before_the_lock(key, value)
    refused(run(*command), fragment)
    stages = {
        lead["name"]: lead["stage"] for lead in ok("lead", "list", "--all", "--format", "json")
    }
    assert stages == {"Acme": "new", "Zeta": "won"}
    assert ok("play", "list", "--format", "json") and "p1" not in {
        p["name"] for p in ok("play", "list", "--format", "json")
    }


# --- nothing happens to a lead before it existed ---------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("won", "Acme", "--amount", "5"),
        ("lost", "Acme", "--reason", "price"),
        ("move", "Acme", "quoted"),
        ("reopen", "Acme"),
        ("snooze", "Acme", "+1w"),
    ],
)
def test_a_change_dated_before_the_lead_was_created_is_refused_in_local_time(ok, fails, command):
    ok("config", "set", "timezone", "Asia/Shanghai")
    ok("add", "Acme")  # created at SALESCTL_NOW, 2026-11-26 10:00 local time
    if command[0] == "reopen":
        ok("won", "Acme", "--amount", "5")
    fails(
        "--as-of",
        "2026-11-26 09:00",
        *command,
        names=[
            '--as-of: "2026-11-26 09:00 (Asia/Shanghai)" is before lead #1 was created',
            "(2026-11-26 10:00 (Asia/Shanghai))",
        ],
    )


def test_log_at_before_creation_names_both_times_in_local_time(ok, fails):
    ok("config", "set", "timezone", "Asia/Shanghai")
    ok("add", "Acme")
    fails(
        "log",
        "Acme",
        "called",
        "--at",
        "yesterday 16:00",
        names=[
            '--at: "2026-11-25 16:00 (Asia/Shanghai)" is before lead #1 was created',
            "(2026-11-26 10:00 (Asia/Shanghai))",
        ],
    )


def test_an_import_refuses_a_lead_created_in_the_future_in_local_time(ok, fails, tmp_path):
    ok("config", "set", "timezone", "Asia/Shanghai")
    f = write(tmp_path / "leads.csv", "name,created_at\nOk,2026-11-01\nLater,2999-01-01\n")
    fails(
        "import",
        f,
        names=[
            'line 3, column "created_at": "2999-01-01" is in the future',
            "2999-01-01 00:00 (Asia/Shanghai) is after now (2026-11-26 10:00 (Asia/Shanghai))",
        ],
    )


# --- import gives no open lead to a deactivated rep ------------------------------------------------------


def test_an_import_refuses_open_leads_for_a_deactivated_rep_naming_line_and_rep(
    ok, fails, tmp_path
):
    ok("rep", "add", "bob")
    ok("rep", "deactivate", "bob")
    f = write(
        tmp_path / "leads.csv",
        "name,owner,stage,amount\nA,alice,new,\nB,Bob,quoted,\nC,bob,won,5\n",
    )
    fails("import", f, names=['line 3, column "owner": "Bob" is a deactivated rep'])
    ok(
        "import", write(tmp_path / "closed.csv", "name,owner,stage,amount\nC,bob,won,5\n")
    )  # history may name them
    ok("add", "D", "--email", "d@example.com")
    update = write(tmp_path / "update.csv", "name,email,owner\nD,d@example.com,bob\n")
    fails(
        "import",
        update,
        "--on-duplicate",
        "update",
        names=['line 2, column "owner": "bob" is a deactivated rep'],
    )


# --- hostile import files -------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex", "zlib"])
def test_an_encoding_that_is_not_of_text_is_refused(fails, tmp_path, codec):
    f = write(tmp_path / "a.csv", "name\nx\n")
    fails("import", f, "--encoding", codec, names=[f'--encoding: "{codec}" is not a text encoding'])


def test_json_nested_too_deep_is_refused(fails, tmp_path):
    deep = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000 + "\n")
    fails("import", deep, names=["too deeply nested"])
    deep_line = write(
        tmp_path / "deep.jsonl", '{"name": "a"}\n{"name": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    )
    fails("import", deep_line, names=["too deeply nested"])


def test_only_regular_files_are_imported(fails, tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # nobody writes to it: reading would wait forever
    fails("import", fifo, names=[f'FILE: "{fifo}" is not a regular file'])
    fails(
        "import", "/dev/zero", names=['FILE: "/dev/zero" is not a regular file']
    )  # would grow without end
    fails("import", tmp_path, names=["is a folder"])


def test_a_line_over_one_mebibyte_is_refused_without_reading_on(fails, tmp_path):
    f = write(tmp_path / "long.csv", "name\nshort\n" + "x" * (1 << 20) + "y\nlast\n")
    fails("import", f, names=["has a line over 1 MiB (line 3)"])


def test_utf16_without_a_byte_order_mark_gets_a_hint(ok, fails, tmp_path):
    f = write(tmp_path / "u16.csv", "name,company\n王芳,上海云帆\nLi,Acme\n", "utf-16-le")
    fails("import", f, names=["is not UTF-8", "try --encoding utf-16"])
    big = write(tmp_path / "u16be.csv", "name\nLi\n", "utf-16-be")
    fails("import", big, names=["is not UTF-8", "try --encoding utf-16-be"])
    ok("import", f, "--encoding", "utf-16")
    assert {lead["name"] for lead in ok("lead", "list", "--format", "json")} == {"王芳", "Li"}


# --- export → import round trips; a restore checks everything before writing anything ---------------------


def test_a_round_trip_with_custom_stages_restores_into_a_new_file(ok, tmp_path):
    ok("config", "set", "stages", "new,contacted,demo,quoted,negotiating,deciding")
    ok("config", "set", "rot_days.demo", "4")
    ok("add", "Acme", "--value", "5k")
    ok("move", "Acme", "demo")
    ok("play", "add", "show-it", "--stage", "demo", "--text", "book a demo")
    ok("export", "all", "--out", tmp_path / "doc.json")
    copy = tmp_path / "copy.db"
    ok("--db", copy, "import", tmp_path / "doc.json")
    (lead,) = ok("--db", copy, "lead", "list", "--format", "json")
    assert lead["stage"] == "demo"
    settings = ok("--db", copy, "config", "show", "--format", "json")
    assert settings["stages"][2] == "demo" and settings["rot_days"]["demo"] == 4
    assert "show-it" in {p["name"] for p in ok("--db", copy, "play", "list", "--format", "json")}
    ok("export", "all", "--out", tmp_path / "again.json")
    assert (
        json.loads((tmp_path / "again.json").read_text())["leads"]
        == json.loads((tmp_path / "doc.json").read_text())["leads"]
    )


@pytest.fixture
def document(ok, tmp_path):
    """A real `export all` document of a small database, as a dict to edit by hand."""
    ok("add", "Acme")
    ok("log", "Acme", "called", "--play", "short-and-fast")
    ok("target", "set", "10k")
    ok("export", "all", "--out", tmp_path / "doc.json")
    return json.loads((tmp_path / "doc.json").read_text())


def restore_fails(run, tmp_path, doc, *fragments):
    """Restoring `doc` into a new file is refused with every fragment named, and leaves no file behind."""
    path, target = tmp_path / "edited.json", tmp_path / "restored.db"
    path.write_text(json.dumps(doc))
    result = run("--db", target, "import", path)
    refused(result, *fragments)
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert not target.exists() and not Path(str(target) + "-wal").exists()


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"rot_days": "x"}, 'column "config rot_days": "x" is not an object of STAGE: value'),
        ({"stages": 5}, 'column "config stages": "5" is not a list of names'),
        ({"stages": "new"}, 'column "config stages": "new" is not a list of names'),
        ({"stages": ["new", "won"]}, 'column "config stages": "won" is not a valid name'),
        ({"rot_days": {"quoted": 0}}, "must be a whole number of days from 1 to 3650"),
        ({"probability": {"quoted": 2}}, "must be a probability from 0 to 1"),
        ({"timezone": "Mars/Olympus"}, "is not a known time zone"),
        ({"currency": 7}, 'column "config currency": "7" is not text'),
        ({"colour": "red"}, '"colour" is not a setting'),
        ([1, 2], 'column "settings": "[1, 2]" is not an object of settings'),
    ],
)
def test_a_restore_checks_settings_with_the_parser_of_config_set(
    run, tmp_path, document, settings, fragment
):
    restore_fails(run, tmp_path, {**document, "settings": settings}, fragment)


@pytest.mark.parametrize("lead_id", [0, -1, 1e30, 2**53, 10**30, "7a", 1.5, True])
def test_a_restore_takes_only_positive_ids_below_2_to_the_53(run, tmp_path, document, lead_id):
    doc = json.loads(json.dumps(document))
    doc["leads"][0]["id"] = lead_id
    restore_fails(run, tmp_path, doc, 'leads[0], column "id"', "is not an id")


@pytest.mark.parametrize(
    "table, column, value, fragment",
    [
        ("activities", "lead_id", 99, "is not the id of one of the document's leads"),
        ("activities", "rep_id", 99, "is not the id of one of the document's reps"),
        ("activities", "play_id", 99, "is not the id of one of the document's plays"),
        ("stage_history", "lead_id", 99, "is not the id of one of the document's leads"),
        ("targets", "rep_id", 99, "is not the id of one of the document's reps"),
        ("stage_history", "id", None, "is missing"),
    ],
)
def test_a_restore_checks_every_reference_against_the_document(
    run, tmp_path, document, table, column, value, fragment
):
    doc = json.loads(json.dumps(document))
    doc[table][0][column] = value
    restore_fails(run, tmp_path, doc, f'{table}[0], column "{column}"', fragment)


def test_a_restore_refuses_repeated_ids_and_open_leads_of_a_deactivated_rep(
    run, tmp_path, document
):
    doc = json.loads(json.dumps(document))
    doc["leads"].append({**doc["leads"][0], "name": "Twin"})
    restore_fails(
        run, tmp_path, doc, 'leads[1], column "id"', "repeats the id of an earlier row of leads"
    )
    doc = json.loads(json.dumps(document))
    doc["reps"][0]["active"] = False
    restore_fails(run, tmp_path, doc, 'leads[0], column "owner"', "is a deactivated rep")
    doc = json.loads(json.dumps(document))
    doc["leads"][0]["created_at"] = "2999-01-01T00:00:00+00:00"
    restore_fails(run, tmp_path, doc, 'leads[0], column "created_at"', "is in the future")


def test_settings_broken_before_restores_were_checked_are_named_by_doctor_and_repaired_by_config_set(
    ok, run, db
):
    ok("add", "Acme")
    raw_sql(db, "INSERT INTO settings (key, value) VALUES ('rot_days', '\"x\"'), ('stages', '5')")
    assert ok("lead", "list", "--format", "json")[0]["stage"] == "new"  # every command still runs
    ok("export", "all")
    result = run("doctor", "--format", "json")
    assert result.code == 3
    check = {c["check"]: c for c in result.json()["checks"]}["settings"]
    assert check["status"] == "error"
    assert "stages" in check["detail"] and "rot_days" in check["detail"]
    assert "salesctl config set stages" in check["detail"]
    ok("config", "set", "stages", "new,contacted,quoted,negotiating,deciding")
    ok("config", "set", "rot_days.quoted", "7")
    assert {c["check"]: c for c in ok("doctor", "--format", "json")["checks"]}["settings"][
        "status"
    ] == "ok"


def test_an_import_that_fails_while_writing_a_new_database_leaves_no_file(tmp_path):
    """The disk fills up (a file-size limit) half-way through an import into a new file: exit 3, and the
    new database, its -wal and -shm are gone, not left behind empty."""
    import os
    import resource
    import subprocess
    import sys

    rows = tmp_path / "many.csv"
    rows.write_text("name,company\n" + "".join(f"lead {i},company {i}\n" for i in range(20_000)))
    db = tmp_path / "new.db"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    result = subprocess.run(
        [sys.executable, "-m", "salesctl", "--db", str(db), "import", str(rows)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
        env=dict(os.environ),
    )
    assert result.returncode == 3, result.stderr
    assert "disk" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.csv"]
