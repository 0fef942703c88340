"""Hostile and mistaken input, table-driven: every case exits 1 with `Error:` naming the field and the
bad value, and leaves the database byte-for-byte unchanged (the `fails` fixture checks all three).

The same database is used for every case: leads #1 Acme and #2 Acme Two (both at Acme Corp), #3
Globex (won), #4 Initech (lost), reps alice and bob.
"""

from __future__ import annotations

import json

import pytest
from conftest import load_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BIG = 10**13 + 1
NOTE_65K = "x" * (64 * 1024 + 1)
NOTE_MULTIBYTE = "销" * (64 * 1024 // 3 + 1)  # under 64 Ki characters, over 64 KiB of UTF-8


SEED = [
    ("add", "Acme", "--company", "Acme Corp", "--value", "10k", "--email", "buyer@acme.com"),
    ("add", "Acme Two", "--company", "Acme Corp"),
    ("add", "Globex", "--value", "5k"),
    ("add", "Initech"),
    ("won", "3"),
    ("lost", "4", "--reason", "price"),
    ("rep", "add", "bob"),
]


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory):
    """The seeded database, built once per module through the command line and copied for each case."""
    from contextlib import redirect_stdout
    from io import StringIO

    from conftest import NOW

    from salesctl.cli import main

    path = tmp_path_factory.mktemp("seed") / "seed.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCTL_NOW", NOW)
        mp.setenv("SALESCTL_REP", "alice")
        mp.setenv("TZ", "UTC")
        for args in SEED:
            with redirect_stdout(StringIO()):
                assert main(["--db", str(path), *args]) == 0, args
    return path


@pytest.fixture
def seeded(seed_file, db):
    load_database(seed_file, db)


def case(*args, names=()):
    return pytest.param(args, names, id=" ".join(a[:24].replace("\n", "\\n") for a in args)[:70])


DATES = [
    case("add", "X", "--next", "2026-02-30", names=["--next", "2026-02-30", "28 days"]),
    case("add", "X", "--next", "next fryday", names=["--next", "next fryday"]),
    case("add", "X", "--next", "next friday", names=["--next", "next friday"]),
    case("add", "X", "--next", "03/04/2026", names=["--next", "03/04/2026", "ambiguous"]),
    case("add", "X", "--close-by", "2026-13-01", names=["--close-by", "2026-13-01"]),
    case("lead", "edit", "1", "--close-by", "03/04/2026", names=["--close-by", "03/04/2026"]),
    case("log", "1", "called", "--next", "", names=["--next", '""', "empty"]),
    case("log", "1", "called", "--at", "", names=["--at", '""']),
    case("log", "1", "called", "--at", "2026-02-30", names=["--at", "2026-02-30"]),
    case("snooze", "1", "", names=["UNTIL", '""']),
    case("snooze", "1", "yesterday", names=["UNTIL", "yesterday"]),
    case("funnel", "--since", "next fryday", names=["--since", "next fryday"]),
    case("report", "--since", "03/04/2026", "--until", "today", names=["--since", "03/04/2026"]),
    case(
        "funnel", "--since", "2026-12-01", "--until", "2026-11-01", names=["--since", "2026-12-01"]
    ),
    case("target", "set", "5k", "--month", "2026-13", names=["--month", "2026-13"]),
]

AMOUNTS = [
    case("add", "X", "--value", "-5", names=["--value", '"-5"', "negative"]),
    case("add", "X", "--value", "NaN", names=["--value", "NaN"]),
    case("add", "X", "--value", "nan", names=["--value", "nan"]),
    case("add", "X", "--value", "inf", names=["--value", "inf"]),
    case("add", "X", "--value", "1e400", names=["--value", "1e400"]),
    case("add", "X", "--value", "1e3", names=["--value", "1e3"]),
    case("add", "X", "--value", "abc", names=["--value", "abc"]),
    case("add", "X", "--value", "１２３", names=["--value", "１２３"]),
    case("add", "X", "--value", str(BIG), names=["--value", str(BIG)]),
    case("add", "X", "--value", "1.5.5", names=["--value", "1.5.5"]),
    case("lead", "edit", "1", "--value", "0x10", names=["--value", "0x10"]),
    case("won", "1", "--amount", "-5", names=["--amount", '"-5"']),
    case("won", "1", "--amount", "1e400", names=["--amount", "1e400"]),
    case("won", "2", names=["--amount", "no value"]),  # no value to default to
    case("target", "set", "abc", names=["AMOUNT", "abc"]),
    case("target", "set", str(BIG), names=["AMOUNT", str(BIG)]),
    case("add", "X", "--currency", "XYZ1", names=["--currency", "XYZ1"]),
]

STAGES_AND_REASONS = [
    case("move", "1", "closed", names=["STAGE", "closed"]),
    case("move", "1", "won", names=["STAGE", "won"]),
    case("move", "1", "lost", names=["STAGE", "lost"]),
    case("move", "1", "", names=["STAGE", '""']),
    case("move", "1", "new", names=["STAGE", "new", "already"]),
    case("move", "3", "quoted", names=["#3", "won", "reopen"]),
    case("lead", "list", "--stage", "bogus", names=["--stage", "bogus"]),
    case("reopen", "3", "--stage", "lost", names=["--stage", "lost"]),
    case("reopen", "1", names=["#1", "open"]),
    case("lost", "1", "--reason", "bogus", names=["--reason", "bogus"]),
    case("lost", "1", "--reason", "", names=["--reason", '""']),
    case("lost", "3", "--reason", "price", names=["#3", "already won"]),
    case("config", "set", "stages", "new,won,quoted", names=["config stages", "won"]),
    case("config", "set", "rot_days.bogus", "3", names=["rot_days.bogus", "bogus"]),
    case("config", "set", "probability.new", "1.5", names=["probability.new", "1.5"]),
    case("config", "set", "timezone", "Mars/Base", names=["timezone", "Mars/Base"]),
    case("log", "1", "called", "--kind", "telepathy", names=["--kind", "telepathy"]),
    case("log", "1", "called", "--play", "nonexistent", names=["--play", "nonexistent"]),
]

REFERENCES = [
    case("log", "999", "called", names=["lead", "999"]),
    case("log", "0", "called", names=["lead", "0"]),
    case("log", "-5", "called", names=["lead", "-5"]),
    case("log", "99999999999999999999999", "called", names=["lead", "99999999999999999999999"]),
    case("log", "corp", "called", names=["lead", '"corp"', "#1 Acme", "#2 Acme Two", "use the id"]),
    case("move", "acme corp", "quoted", names=["lead", "acme corp", "#1", "#2"]),
    case("lead", "show", "nothing-like-this", names=["lead", "nothing-like-this"]),
    case("lead", "show", "", names=["lead", '""']),
    case("lead", "delete", "1", names=["--yes", "#1 Acme"]),
    case("lead", "assign", "1", "999", "--to", "bob", names=["lead", "999"]),
    case("lead", "assign", "1", "--to", "nobody", names=["--to", "nobody", "alice", "bob"]),
    case("add", "X", "--owner", "nobody", names=["--owner", "nobody", "known reps"]),
    case("handoff", "alice", "nobody", names=["TO_REP", "nobody"]),
    case("handoff", "nobody", "bob", names=["nobody"]),
    case("handoff", "alice", "alice", names=["alice"]),
    case("today", "--rep", "' OR 1=1 --", names=["--rep", "' OR 1=1 --"]),
    case("funnel", "--rep", "nobody", names=["--rep", "nobody"]),
    case("rep", "deactivate", "nobody", names=["nobody"]),
    case("rep", "add", "ALICE", names=["rep", "ALICE", "already exists"]),
    case("add", "X", "--email", "buyer@ACME.com", names=["--email", "buyer@ACME.com", "#1 Acme"]),
]

NAMES_AND_TEXT = [
    case("add", "", names=["NAME", '""', "blank"]),
    case("add", "   ", names=["NAME", "blank"]),
    case("add", "a\x07b", names=["NAME", "a\\x07b", "control"]),
    case("add", "line\nbreak", names=["NAME", "line\\nbreak", "control"]),
    case("add", "esc\x1b[31mred", names=["NAME", "control"]),
    case("add", "x" * 201, names=["NAME", "x" * 20, "200"]),
    case("add", "X", "--company", "a\rb", names=["--company", "control"]),
    case("add", "X", "--tag", "a\x01", names=["--tag", "control"]),
    case("add", "X", "--step", "t" * 1001, names=["--step", "1000"]),
    case("add", "X", "--email", "not-an-email", names=["--email", "not-an-email"]),
    case("add", "X", "--email", "a@b.com\nBcc: evil@example.com", names=["--email"]),
    case("add", "X", "--phone", "abc", names=["--phone", "abc"]),
    case("add", "X", "--intent", "lukewarm", names=["--intent", "lukewarm"]),
    case("rep", "add", "", names=["NAME", "blank"]),
    case("rep", "add", "bob\x1b[31m", names=["NAME", "control"]),
    case("rep", "add", "carol", "--email", "carol@", names=["--email", "carol@"]),
    case("lead", "edit", "1", "--name", " ", names=["--name", "blank"]),
    case("log", "1", NOTE_65K, names=["NOTE", "64 KiB"]),
    case("log", "1", NOTE_MULTIBYTE, names=["NOTE", "64 KiB"]),
    case("log", "1", "bell\x07", names=["NOTE", "control"]),
    case("move", "1", "quoted", "--note", NOTE_65K, names=["--note", "64 KiB"]),
    case("won", "1", "--note", NOTE_65K, names=["--note", "64 KiB"]),
    case("lost", "1", "--reason", "price", "--note", NOTE_65K, names=["--note", "64 KiB"]),
    case("search", "", names=["TEXT", '""']),
    case("search", "   ", names=["TEXT"]),
]

SORT_AND_FILTER = [
    case(
        "lead",
        "list",
        "--sort",
        "name; DROP TABLE leads",
        names=["--sort", "name; DROP TABLE leads"],
    ),
    case("lead", "list", "--sort", "-bogus", names=["--sort", "-bogus"]),
    case("lead", "list", "--sort", "l.id", names=["--sort", "l.id"]),
    case("lead", "list", "--sort", "(SELECT 1)", names=["--sort", "(SELECT 1)"]),
    case("lead", "list", "--sort", "value DESC", names=["--sort", "value DESC"]),
    case("lead", "list", "--stage", "x' OR 1=1", names=["--stage", "x' OR 1=1"]),
    case("lead", "list", "--owner", "x' OR '1'='1", names=["--owner", "x' OR '1'='1"]),
    case("lead", "list", "--intent", "hot' --", names=["--intent", "hot' --"]),
    case(
        "config",
        "set",
        "stages; DROP TABLE leads",
        "x",
        names=["config", "stages; drop table leads"],
    ),
]


@pytest.mark.parametrize(
    ("args", "names"),
    DATES + AMOUNTS + STAGES_AND_REASONS + REFERENCES + NAMES_AND_TEXT + SORT_AND_FILTER,
)
def test_bad_input_is_refused_naming_field_and_value(seeded, fails, args, names):
    result = fails(*args, names=names)
    assert result.out == ""


# --- CSV files -------------------------------------------------------------------------------------

CSV_CASES = {
    "missing name column": (
        b"company,email\nFoo,a@b.com\n",
        (),
        ["columns: company, email", "name"],
    ),
    "extra cells in a row": (b"name,company\nA,B,C,D\n", (), ["line 2", "C,D", "4 cells"]),
    "GBK without --encoding": (
        "name,company\n张三,北京公司\n".encode("gbk"),
        (),
        ["not UTF-8", "--encoding gbk"],
    ),
    "wrong --encoding": (
        "name\n张三\n".encode(),
        ("--encoding", "klingon"),
        ["--encoding", "klingon"],
    ),
    "duplicate rows": (
        b"name,email\nA,dup@x.com\nB,DUP@x.com\n",
        (),
        ["line 3", "email", "line 2"],
    ),
    "duplicate of an existing lead": (
        b"name,email\nA,buyer@acme.com\n",
        (),
        ["line 2", "buyer@acme.com", "#1"],
    ),
    "empty file": (b"", (), ["is empty"]),
    "only a BOM": (b"\xef\xbb\xbf", (), ["is empty"]),
    "bad values, all listed": (
        b"name,value,next_at,stage,intent\nA,abc,2026-02-30,bogus,tepid\n,-5,,,\n",
        (),
        [
            'line 2, column "value": "abc"',
            'line 2, column "next_at": "2026-02-30"',
            '"bogus"',
            '"tepid"',
            "line 3",
            '"-5"',
        ],
    ),
    "lost reason": (
        b"name,stage,lost_reason\nA,lost,bogus\n",
        (),
        ["line 2", "lost_reason", "bogus"],
    ),
    "control characters": (b"name,owner\nA,\x07bad\n", (), ["line 2", "owner", "control"]),
    "unknown --map field": (b"name\nA\n", ("--map", "shoe=name"), ["--map", "shoe=name"]),
    "--map to a missing column": (b"name\nA\n", ("--map", "company=Firma"), ["--map", "Firma"]),
    "bad --stage-map": (
        b"name,stage\nA,Won\n",
        ("--stage-map", "Won=champion"),
        ["--stage-map", "champion"],
    ),
    "not JSON": (b'{"name": "A"\n{"name": \n', (), ["FILE", "JSON"]),
}


@pytest.mark.parametrize("name", list(CSV_CASES))
def test_bad_import_files_are_refused_whole(seeded, fails, tmp_path, name):
    content, extra, names = CSV_CASES[name]
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    fails("import", path, *extra, names=names)


def test_a_missing_import_file_is_named(seeded, fails, tmp_path):
    fails("import", tmp_path / "nope.csv", names=["nope.csv", "does not exist"])


def test_a_bad_row_late_in_a_large_file_aborts_all_of_it(seeded, fails, ok, tmp_path):
    rows = "".join(f"lead {i},{i}\n" for i in range(2000))
    path = tmp_path / "big.csv"
    path.write_text("name,value\n" + rows + "last,-1\n", encoding="utf-8")
    fails("import", path, names=["line 2002", '"-1"'])
    assert len(ok("lead", "list", "--all", "--format", "json")) == 4


def test_limits_are_inclusive(seeded, ok):
    """The good twins at the edge: exactly 64 KiB of note, 200 characters of name, 10^13 of value."""
    ok("log", "1", "x" * (64 * 1024))
    ok("add", "n" * 200, "--value", str(10**13))


def test_bom_and_gbk_with_its_encoding_are_read_correctly(seeded, ok, tmp_path):
    """The good twins of the cases above: the same files import when they are what they claim."""
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffname,company\nBom Lead,Bom Co\n".encode("utf-8"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("name,company\n张三,北京公司\n".encode("gbk"))
    ok("import", bom)
    ok("import", gbk, "--encoding", "gbk")
    names = {lead["name"]: lead["company"] for lead in ok("lead", "list", "--format", "json")}
    assert names["Bom Lead"] == "Bom Co"  # the BOM did not stick to the first column's name
    assert names["张三"] == "北京公司"


def test_an_extra_column_is_named_as_ignored_not_dropped_silently(seeded, ok, tmp_path):
    extra = tmp_path / "extra.csv"
    extra.write_text("name,company,shoe_size\nWith Extra,Extra Co,42\n", encoding="utf-8")
    result = ok("import", extra)
    assert "shoe_size" in result.err and "--map" in result.err
    lead = [x for x in ok("lead", "list", "--format", "json") if x["name"] == "With Extra"]
    assert lead and lead[0]["company"] == "Extra Co"


# --- SQL-looking and FTS-syntax text is just text --------------------------------------------------

SQLISH = [
    "Robert'); DROP TABLE leads;--",
    "x' OR '1'='1",
    '" OR 1=1 --',
    "%_\\",
    "acme OR globex",
    "NEAR(acme globex)",
    "name:acme",
    "^acme*",
    '"unbalanced',
    "-acme",
    "acme AND NOT corp",
]


@pytest.mark.parametrize("text", SQLISH)
def test_sql_and_fts_syntax_are_stored_and_searched_literally(seeded, ok, run, db, text):
    lead = ok(
        "add",
        "--company",
        text,
        "--source",
        text,
        "--tag",
        text.replace(";", ""),
        "--format",
        "json",
        "--",
        text,
    )
    assert lead["name"] == text and lead["company"] == text and lead["source"] == text
    ok("log", str(lead["id"]), f"note: {text}")
    shown = ok("lead", "show", str(lead["id"]), "--format", "json")
    assert [e["note"] for e in shown["timeline"] if e["type"] == "activity"] == [f"note: {text}"]

    # Filters take it as a value: only the lead that has it matches, nothing else leaks in.
    assert [x["id"] for x in ok("lead", "list", "--source", text, "--format", "json")] == [
        lead["id"]
    ]
    assert [
        x["id"] for x in ok("lead", "list", "--tag", text.replace(";", ""), "--format", "json")
    ] == [lead["id"]]

    # Search treats operators as characters: no FTS syntax error, and "a OR b" does not find a or b.
    result = run("search", "--format", "json", "--", text)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    found = {x.get("lead_id", x.get("id")) for x in _search_hits(doc)}
    assert (
        lead["id"] in found or len(text.strip('"%_\\^*-')) < 3
    )  # trigram search needs 3 characters
    assert not found & {1, 2, 3, 4}, f"{text!r} matched unrelated leads: {doc}"

    # The schema is intact and still usable.
    assert len(ok("lead", "list", "--all", "--format", "json")) == 5
    from salesctl.store import Store

    store = Store(db)
    try:
        counts = store.row_counts()  # reads leads, reps, activities: the tables are all still there
        assert counts["leads"] == 5 and store.all("SELECT count(*) FROM stage_history")[0][0] >= 5
    finally:
        store.close()


def _search_hits(doc) -> list[dict]:
    """Every hit of `search --format json`, whatever its grouping."""
    if isinstance(doc, list):
        return doc
    hits = []
    for value in doc.values():
        if isinstance(value, list):
            hits += [v for v in value if isinstance(v, dict)]
    return hits


# --- anything at all: never a traceback ------------------------------------------------------------

COMMANDS = [
    ("add",),
    ("log",),
    ("move",),
    ("won",),
    ("lost",),
    ("reopen",),
    ("snooze",),
    ("today",),
    ("stalled",),
    ("funnel",),
    ("report",),
    ("lead", "list"),
    ("lead", "show"),
    ("lead", "edit"),
    ("lead", "assign"),
    ("lead", "delete"),
    ("handoff",),
    ("rep", "add"),
    ("rep", "edit"),
    ("rep", "deactivate"),
    ("target", "set"),
    ("target", "show"),
    ("play", "add"),
    ("play", "list"),
    ("play", "suggest"),
    ("search",),
    ("config", "set"),
    ("remind",),
    ("doctor",),
]
OPTIONS = [
    "--next",
    "--at",
    "--value",
    "--amount",
    "--reason",
    "--stage",
    "--sort",
    "--owner",
    "--to",
    "--kind",
    "--since",
    "--until",
    "--month",
    "--rep",
    "--team",
    "--format",
    "--tag",
    "--close-by",
    "--note",
    "--email",
    "--phone",
    "--intent",
    "--limit",
    "--all",
    "--key",
    "--currency",
    "--step",
    "--play",
    "--week",
    "--dry-run",
    "--yes",
    "--text",
    "--persona",
    "--company",
    "--name",
    "--untag",
    "--deactivate",
]
TRICKY = [
    "",
    " ",
    "-5",
    "0",
    "1",
    "3",
    "1e400",
    "NaN",
    "１２",
    "5万",
    "2026-02-30",
    "03/04/2026",
    "fri",
    "+3d",
    "eom",
    "99999999999999999999",
    "json",
    "csv",
    "md",
    "table",
    "won",
    "lost",
    "quoted",
    "price",
    "alice",
    "bob",
    "acme",
    "corp",
    "x' OR 1=1 --",
    '"',
    "*",
    "%",
    "\\",
    "a\nb",
    "\x00",
    "\x1b[31m",
    "名字",
    "🙂",
    "=1+1",
]

fuzz_value = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30))


@st.composite
def command_lines(draw):
    args = list(draw(st.sampled_from(COMMANDS)))
    for _ in range(draw(st.integers(0, 3))):
        args.append(draw(fuzz_value))
    for _ in range(draw(st.integers(0, 3))):
        args.append(draw(st.sampled_from(OPTIONS)))
        if draw(st.booleans()):
            args.append(draw(fuzz_value))
    return args


@pytest.mark.slow  # 100 random command lines
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=command_lines())
def test_no_command_line_makes_a_traceback(seeded, run, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # nothing a random argument names can land in the repository
    result = run(*args)
    assert result.code in (0, 1, 2), (args, result)
    assert "Traceback" not in result.err and "internal error" not in result.err, (args, result.err)
    if result.code == 1:
        assert result.err.startswith("Error: "), (args, result.err)


def test_a_reminder_that_cannot_be_sent_is_an_error_not_a_warning(ok, run, monkeypatch):
    """Found by the random command lines above: exit 1 with only a "warning:" line. Exit 1 always says
    `Error:` (scripts and cron grep for it)."""
    ok("add", "Acme", "--next", "today 11:00")  # alice has something due and no email address
    monkeypatch.setenv(
        "SALESCTL_SMTP_HOST", "127.0.0.1"
    )  # configured, never reached: nothing to send
    monkeypatch.setenv("SALESCTL_SMTP_PORT", "9")
    monkeypatch.setenv("SALESCTL_SMTP_FROM", "robot@example.com")
    monkeypatch.setenv("SALESCTL_SMTP_TLS", "none")
    for args in (("remind", "--dry-run"), ("remind", "--all", "--email")):
        result = run(*args)
        assert result.code == 1
        assert result.err.startswith("Error: reminder for alice not sent"), result.err
        assert "alice has no email address" in result.err and "rep edit alice --email" in result.err
