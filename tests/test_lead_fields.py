"""The lead-field table (salesctl/fields.py) is the one list of lead fields: it matches the schema a
fresh database really has, on either engine, and what users see comes from it (docs/design.md)."""

from __future__ import annotations

import json

from conftest import ON_POSTGRES, raw_sql

from salesctl import fields
from salesctl.store import Store


def schema_columns(db) -> list[tuple[str, str, bool, bool]]:
    """(name, SQL type, NOT NULL, has a default) of each column of `leads`, in order, as the database
    itself describes them."""
    if ON_POSTGRES:
        rows = raw_sql(
            db,
            "SELECT column_name, data_type, is_nullable = 'NO', column_default IS NOT NULL"
            " FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = 'leads'"
            " ORDER BY ordinal_position",
        )
        types = {"bigint": "INTEGER", "integer": "INTEGER", "text": "TEXT"}
        # The id is a bigserial: its default is the sequence.
        return [(n, types.get(t, t), bool(nn), bool(d) and n != "id") for n, t, nn, d in rows]
    rows = raw_sql(
        db,
        "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('leads') ORDER BY cid",
    )
    # SQLite reports the INTEGER PRIMARY KEY (the rowid) as nullable.
    return [(n, t, bool(nn) or n == "id", d is not None) for n, t, nn, d in rows]


def test_the_table_has_every_column_of_a_fresh_database_and_no_other(db):
    Store(db).close()  # a fresh database, made by the real migrations (on PostgreSQL: db init's)
    in_schema = schema_columns(db)
    in_table = [
        (f.name, f.sql_type, not f.null, f.default is not None) for f in fields.LEAD if f.column
    ]
    names = [c[0] for c in in_schema]
    missing = [n for n in names if n not in fields.COLUMNS]
    assert not missing, f"columns of `leads` missing from salesctl/fields.py: {missing}"
    extra = [n for n in fields.COLUMNS if n not in names]
    assert not extra, f"salesctl/fields.py has columns the schema does not: {extra}"
    assert in_table == in_schema  # same order, types, NOT NULL and defaults


def test_a_lead_object_has_the_tables_keys_in_json_and_csv(ok, run):
    ok("add", "Acme", "--company", "Acme Ltd", "--value", "5k", "--tag", "vip")
    shown = ok("lead", "show", "acme", "--format", "json")
    assert tuple(shown)[: len(fields.KEYS)] == fields.KEYS  # then the schedule and timeline
    (listed,) = ok("lead", "list", "--format", "json")
    assert tuple(listed) == fields.KEYS
    header = run("lead", "list", "--format", "csv").out.splitlines()[0]
    assert header == ",".join(fields.KEYS)
    exported = json.loads(run("export", "leads", "--format", "json").out)
    assert tuple(exported[0]) == fields.KEYS


def test_import_names_its_fields_in_the_documented_order(tmp_path, fails):
    source = tmp_path / "leads.csv"
    source.write_text("colour\nred\n", encoding="utf-8")
    result = fails("import", source, "--map", "colour=colour")
    assert (
        "fields: name, company, contact, email, phone, source, intent, industry, persona, tags, "
        "value, currency, owner, stage, created_at, closed_at, amount, lost_reason, lost_stage, "
        "notes, close_by, key, next_at, next_step, snoozed_until, stage_changed_at"
    ) in result.err


def test_exported_keys_and_other_spellings_import_as_their_fields(tmp_path, ok):
    source = tmp_path / "leads.csv"
    source.write_text(
        "Lead,E-Mail,Tel,Rep,Step,Next,Won_Amount,Won_At,Deal_Stage\n"
        "Acme,a@acme.example,+1 555 0100,bob,send quote,2026-12-01,1200,2026-11-20,won\n",
        encoding="utf-8",
    )
    ok("import", source, "--map", "stage=Deal_Stage")
    (lead,) = ok("lead", "list", "--all", "--team", "--format", "json")
    assert (lead["name"], lead["email"], lead["phone"], lead["owner"]) == (
        "Acme",
        "a@acme.example",
        "+1 555 0100",
        "bob",
    )
    assert (lead["stage"], lead["won_amount"], lead["won_at"][:10]) == ("won", 1200, "2026-11-20")


def test_every_sort_word_orders_the_lead_list(ok):
    ok("add", "b-lead", "--value", "2k", "--next", "tomorrow", "--close-by", "2026-12-20")
    ok("add", "A-lead", "--value", "1k")
    for field in fields.SORTS:
        word = field.sort[1]
        ids = [o["id"] for o in ok("lead", "list", "--sort", word, "--format", "json")]
        assert sorted(ids) == [1, 2], word
    names = [o["name"] for o in ok("lead", "list", "--sort", "name", "--format", "json")]
    assert names == ["A-lead", "b-lead"]  # text sorts without regard to case
    nexts = [o["name"] for o in ok("lead", "list", "--sort", "next", "--format", "json")]
    assert nexts == ["b-lead", "A-lead"]  # no follow-up comes after the follow-ups
