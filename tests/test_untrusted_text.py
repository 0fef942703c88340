"""Text from users and files that tries to do more than be text: mail headers smuggled in through RFC 2047
encoded words, strings that are several email addresses, and control, invisible and bidi characters.

Every case goes through the real command line (and, for mail, a real aiosmtpd server receiving the DATA).
"""

from __future__ import annotations

import csv
import json

import pytest
from conftest import raw_sql
from hypothesis import given, settings
from hypothesis import strategies as st

BCC_NAME = "Bob =?utf-8?q?=0D=0ABcc:_x@y.com?="
REPLY_TO_NAME = (
    "Eve =?utf-8?b?DQpSZXBseS1UbzogdGhpZWZAZXZpbC5leGFtcGxl?="  # "\r\nReply-To: thief@evil.example"
)


def escaped(text: str) -> str:
    """How a message shows `text`: every non-printable character as its Python escape."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def use(monkeypatch, env: dict) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def assert_headers_inert(mail, rcpt: str) -> None:
    """The raw DATA holds no smuggled header, the mail went to `rcpt` only, and parses the same way."""
    names = [line.split(":", 1)[0].lower() for line in mail.raw_headers]
    assert "bcc" not in names and "reply-to" not in names, mail.raw_headers
    assert names.count("subject") == 1 and names.count("to") == 1
    assert mail.rcpt_tos == [rcpt]
    assert mail.message.get_all("Bcc") is None and mail.message.get_all("Reply-To") is None
    for header in ("Subject", "To"):
        assert "\n" not in str(mail.message[header]) and "\r" not in str(mail.message[header])
    assert (
        b"x@y.com" not in mail.raw.split(b"\r\n\r\n", 1)[0]
        and b"thief" not in mail.raw.split(b"\r\n\r\n", 1)[0]
    )


# --- 1. header injection through encoded words ------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [BCC_NAME, REPLY_TO_NAME, "王芳=?utf-8?Q?=0ABcc:x@y.com?=", "=?UTF-8?B?DQpCY2M6IHhAeS5jb20=?="],
)
def test_an_encoded_word_in_a_rep_name_adds_no_header_to_the_reminder(
    ok, smtp_server, monkeypatch, name
):
    ok("rep", "add", name, "--email", "bob@example.com")
    ok("add", "Acme", "--owner", name, "--next", "today", "--step", "call")
    server = smtp_server()
    use(monkeypatch, server.env())

    ok("remind", "--rep", name, "--email")

    [mail] = server.received
    assert_headers_inert(mail, "bob@example.com")
    assert "Acme" in mail.text


def test_an_encoded_word_in_salesctl_rep_adds_no_header(ok, smtp_server, monkeypatch):
    monkeypatch.setenv("SALESCTL_REP", BCC_NAME)  # the current rep is created by their first change
    ok("add", "Acme", "--next", "today", "--step", "call")
    ok("rep", "edit", BCC_NAME, "--email", "bob@example.com")
    server = smtp_server()
    use(monkeypatch, server.env())

    ok("remind", "--email")

    [mail] = server.received
    assert_headers_inert(mail, "bob@example.com")


def test_an_encoded_word_in_an_imported_owner_adds_no_header(
    ok, smtp_server, monkeypatch, tmp_path
):
    path = tmp_path / "in.csv"
    path.write_text(f'name,owner,next_at\nAcme,"{BCC_NAME}",2026-11-26\n', encoding="utf-8")
    ok("import", path)
    ok("rep", "edit", BCC_NAME, "--email", "bob@example.com")
    server = smtp_server()
    use(monkeypatch, server.env())

    ok("remind", "--all", "--email")

    [mail] = server.received
    assert_headers_inert(mail, "bob@example.com")


def test_an_encoded_word_in_the_reports_rep_adds_no_header(ok, smtp_server, monkeypatch):
    ok("rep", "add", REPLY_TO_NAME, "--email", "eve@example.com")
    ok("add", "Acme", "--owner", REPLY_TO_NAME, "--value", "1000")
    ok("won", "Acme")
    server = smtp_server()
    use(monkeypatch, server.env())

    ok("report", "--rep", REPLY_TO_NAME, "--email", "owner@example.com")

    [mail] = server.received
    assert_headers_inert(mail, "owner@example.com")
    assert mail.message["Subject"].startswith("Eve report")


# --- 2. one address is one mailbox -------------------------------------------------------------------

BAD_ADDRESSES = [
    "ann@ex.com,all-staff",
    "a@b.com;c",
    "<c@d.com>",
    "Ann <ann@ex.com>",
    "ann@ex.com all@ex.com",
    "a@b@ex.com",
    "ann@ex.com\x1b[2J",
    "ann\x07@ex.com",
    "ann@ex.com\u200b",
    '"a,b"@ex.com',
    "ann@",
    "ann@localhost",
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_an_address_that_is_not_exactly_one_mailbox_is_refused_everywhere(
    ok, fails, tmp_path, address
):
    ok("rep", "add", "ann", "--email", "ann@example.com")
    ok("add", "Acme")
    shown = escaped(address)
    fails("rep", "add", "bob", "--email", address, names=["--email", shown])
    fails("rep", "edit", "ann", "--email", address, names=["--email", shown])
    fails("add", "Initech", "--email", address, names=["--email", shown])
    fails("lead", "edit", "Acme", "--email", address, names=["--email", shown])
    fails("report", "--email", address, names=["--email", shown])
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["name", "email"], ["Initech", address]])
    fails("import", path, names=["line 2", '"email"', shown])


def test_a_restore_with_a_list_of_addresses_is_refused(ok, fails, tmp_path, monkeypatch):
    ok("rep", "add", "ann", "--email", "ann@example.com")
    ok("add", "Acme", "--email", "buyer@acme.example")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    doc = json.loads(dump.read_text(encoding="utf-8"))
    next(r for r in doc["reps"] if r["name"] == "ann")["email"] = (
        "ann@example.com,all-staff@example.com"
    )
    doc["leads"][0]["email"] = "<buyer@acme.example>"
    dump.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "copy.db"))
    result = fails(
        "import", dump, names=["ann@example.com,all-staff@example.com", "<buyer@acme.example>"]
    )
    assert "not one email address" in result.err


def test_an_address_list_stored_before_validation_is_not_mailed(
    run, ok, db, smtp_server, monkeypatch
):
    ok("rep", "add", "ann", "--email", "ann@example.com")
    ok("add", "Acme", "--owner", "ann", "--next", "today", "--step", "call")
    raw_sql(
        db, "UPDATE reps SET email = 'ann@example.com,all-staff@example.com' WHERE name = 'ann'"
    )
    server = smtp_server()
    use(monkeypatch, server.env())

    result = run("remind", "--rep", "ann", "--email")

    assert (
        result.code == 1
        and "reminder for ann" in result.err
        and "is not a usable email address" in result.err
    )
    assert server.received == []


@pytest.mark.parametrize(
    "sender",
    [
        "robot@example.com, boss@example.com",
        "robot@example.com;x@y.com",
        "=?utf-8?q?=0D=0ABcc:_x@y.com?= <robot@example.com>",
    ],
)
def test_a_from_address_that_is_not_one_mailbox_is_refused(
    ok, fails, smtp_server, monkeypatch, sender
):
    ok("rep", "add", "ann", "--email", "ann@example.com")
    ok("add", "Acme", "--owner", "ann", "--next", "today", "--step", "call")
    server = smtp_server()
    use(monkeypatch, server.env(SALESCTL_SMTP_FROM=sender))
    fails("remind", "--rep", "ann", "--email", names=["SALESCTL_SMTP_FROM"])
    assert server.received == []


# --- 3. control, invisible and bidi characters ----------------------------------------------------------

INVISIBLE = ["\u200b", "\ufeff\u200b", "\u0301\u0301", " \u200b ", "\u3164", "\u200d\u2060"]


@pytest.mark.parametrize("name", INVISIBLE)
def test_a_name_with_nothing_visible_is_refused(fails, name):
    fails("rep", "add", name, names=["NAME", "has no visible character"])
    fails("add", name, names=["NAME", "has no visible character"])


@pytest.mark.parametrize("override", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2069"])
def test_a_bidi_override_in_a_name_is_refused_and_shown_escaped(run, fails, override):
    name = f"evil{override}fdp.exe"
    escaped = ascii(override)[1:-1]
    for args in (["rep", "add", name], ["add", name], ["add", "Acme", "--company", name]):
        result = fails(*args, names=["bidirectional override", escaped])
        assert override not in result.err


@pytest.mark.parametrize(
    "char", ["\x1b", "\x07", "\x00", "\x9b", "\x85", "\u2028", "\t", "\n", "\r"]
)
def test_control_characters_are_refused_in_every_one_line_field(fails, char):
    escaped = ascii(char)[1:-1]
    for args in (
        ["add", f"a{char}b"],
        ["rep", "add", f"a{char}b"],
        ["add", "Acme", "--company", f"x{char}y"],
        ["add", "Acme", "--step", f"x{char}y"],
        ["add", "Acme", "--tag", f"x{char}y"],
    ):
        result = fails(*args, names=["control characters", escaped])
        assert (
            char not in result.err.replace("\n", "")
            if char != "\n"
            else result.err.count("\n") == 1
        )


def test_notes_keep_line_breaks_and_tabs_but_not_other_controls(ok, fails):
    ok("add", "Acme")
    fails("log", "Acme", "called\x1b[2J", names=["NOTE", "control characters", "\\x1b"])
    fails("log", "Acme", "called\x9b31m", names=["NOTE", "\\x9b"])
    ok("log", "Acme", "line one\r\nline two\n\tindented\rlast")
    [note] = [
        e for e in ok("lead", "show", "Acme", "--format", "json")["timeline"] if e.get("note")
    ]
    assert (
        note["note"] == "line one\nline two\n\tindented\nlast"
    )  # every line ending is \n: no lone CR


def test_an_unchecked_salesctl_rep_is_refused_and_creates_nothing(fails, ok, monkeypatch):
    for value, problem in (
        ("\u200b", "has no visible character"),
        ("al\x1bice", "control characters"),
        ("ali\u202ece", "bidirectional override"),
    ):
        monkeypatch.setenv("SALESCTL_REP", value)
        result = fails("add", "Acme", names=["SALESCTL_REP", problem])
        assert value not in result.err
    monkeypatch.setenv("SALESCTL_REP", "alice")
    assert ok("rep", "list", "--format", "json") == []


def test_import_messages_escape_the_cells_they_echo(fails, tmp_path):
    path = tmp_path / "evil.csv"
    path.write_bytes(
        b'name,company,email\nAcme,"\x1b]0;pwned\x07\x1b[2J",x\x1b[31m@ex.com\n'
        b'"Bad\xe2\x80\xaename",ok,\n'
    )
    result = fails(
        "import",
        path,
        names=["line 2", "\\x1b]0;pwned\\x07\\x1b[2J", "\\x1b[31m", "line 3", "\\u202e"],
    )
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in result.err


def test_a_restore_with_control_or_invisible_text_is_refused(ok, fails, tmp_path, monkeypatch):
    ok("rep", "add", "ann", "--email", "ann@example.com")
    ok("add", "Acme", "--owner", "ann")
    ok("log", "Acme", "called")
    dump = tmp_path / "all.json"
    ok("export", "all", "--out", dump)
    doc = json.loads(dump.read_text(encoding="utf-8"))
    next(r for r in doc["reps"] if r["name"] == "ann")["name"] = "\u200b"
    doc["leads"][0]["name"] = "Acme\u202e"
    doc["leads"][0]["company"] = "\x1b[2J"
    doc["activities"][0]["note"] = "called\x1b[2J"
    dump.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("SALESCTL_DB", str(tmp_path / "copy.db"))
    result = fails(
        "import", dump, names=["has no visible character", "bidirectional override", "\\x1b[2J"]
    )
    assert "\x1b" not in result.err and "\u202e" not in result.err


def test_errors_that_echo_a_reference_escape_it(fails, ok):
    ok("add", "Acme")
    for args in (
        ["lead", "show", "\x1b[2J\x1b]0;x\x07"],
        ["move", "Acme", "\x1b[31mwon"],
        ["rep", "edit", "\x1b[2J", "--email", "a@example.com"],
    ):
        result = fails(*args)
        assert "\x1b" not in result.err and "\x07" not in result.err and "\\x1b" in result.err


def test_text_stored_before_validation_is_shown_escaped_in_tables(ok, db):
    ok("rep", "add", "ann", "--email", "ann@example.com")
    ok("add", "Acme", "--owner", "ann", "--email", "buyer@acme.example")
    # as an older salesctl (or another tool) could have stored them
    raw_sql(db, "UPDATE reps SET email = 'ann\x1b]0;pwned\x07@example.com' WHERE name = 'ann'")
    raw_sql(
        db,
        "UPDATE leads SET email = 'x\x1b[2J@acme.example', company = 'Ac\u202eme' WHERE name = 'Acme'",
    )
    for args in (["rep", "list"], ["lead", "show", "Acme"], ["lead", "list"]):
        out = ok(*args).out
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, args
    assert "ann\\x1b]0;pwned\\x07@example.com" in ok("rep", "list").out
    assert "x\\x1b[2J@acme.example" in ok("lead", "show", "Acme").out


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab0.-_!#$%&'*+/=?^`{|}~@", min_size=3, max_size=16))
def test_plain_addresses_skip_parseaddr_only_where_it_would_agree(text):
    # model.email_problem skips the slow parseaddr for plain ASCII atoms; that shortcut must never accept
    # something parseaddr would read differently.
    from email.utils import parseaddr

    from salesctl import model

    if model._PLAIN_ADDRESS.match(text) and model.email_problem(text) is None:
        assert parseaddr(text) == ("", text)


def test_a_notes_line_breaks_and_tabs_show_as_such_in_lead_show(ok):
    ok("add", "Acme")
    ok("log", "Acme", "first line\n\tsecond line")
    out = ok("lead", "show", "Acme").out
    assert "first line" in out and "second line" in out and "\\t" not in out and "\t" not in out
