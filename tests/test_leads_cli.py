"""Leads, reps and config through the real command line."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import raw_sql


def test_add_prints_id_and_json_lead_object(ok):
    assert ok("add", "Li Wei", "--company", "北京智造").out.strip() == "1"
    lead = ok(
        "add",
        "Acme",
        "--company",
        "Acme Corp",
        "--email",
        "buyer@acme.com",
        "--value",
        "$1,200",
        "--intent",
        "HOT",
        "--tag",
        "vip;expo",
        "--key",
        "--next",
        "tomorrow 10:00",
        "--step",
        "call back",
        "--close-by",
        "eom",
        "--format",
        "json",
    )
    assert lead["id"] == 2
    assert lead["stage"] == "new" and lead["owner"] == "alice"
    assert lead["value"] == 1200 and lead["currency"] == "USD"
    assert lead["intent"] == "hot" and lead["key"] is True
    assert lead["tags"] == ["expo", "vip"]  # tags come back sorted
    assert lead["next_at"] == "2026-11-27T10:00:00+00:00" and lead["next_step"] == "call back"
    assert lead["close_by"] == "2026-11-30"
    assert lead["created_at"] == "2026-11-26T10:00:00+00:00"
    assert lead["won_at"] is None and lead["snoozed_until"] is None


def test_lead_object_has_every_contract_key(ok):
    lead = ok("add", "X", "--format", "json")
    assert list(lead) == [
        "id",
        "name",
        "company",
        "contact",
        "email",
        "phone",
        "source",
        "intent",
        "industry",
        "persona",
        "tags",
        "value",
        "currency",
        "owner",
        "stage",
        "created_at",
        "stage_changed_at",
        "last_activity_at",
        "next_at",
        "next_step",
        "close_by",
        "key",
        "won_at",
        "won_amount",
        "lost_at",
        "lost_reason",
        "lost_stage",
        "snoozed_until",
    ]


def test_current_rep_is_created_on_first_write_and_explicit_owner_must_exist(
    ok, fails, monkeypatch
):
    ok("add", "first")
    reps = ok("rep", "list", "--format", "json")
    assert [r["name"] for r in reps] == ["alice"]
    result = fails(
        "add",
        "second",
        "--owner",
        "bob",
        names=['--owner: "bob" is not a rep', "known reps: alice"],
    )
    assert result.out == ""
    ok("rep", "add", "bob", "--email", "bob@example.com")
    assert ok("add", "second", "--owner", "bob", "--format", "json")["owner"] == "bob"
    monkeypatch.delenv("SALESCTL_REP")
    ok("config", "set", "default_rep", "carol")
    assert ok("add", "third", "--format", "json")["owner"] == "carol"


def test_login_name_is_the_last_fallback(ok, monkeypatch):
    monkeypatch.delenv("SALESCTL_REP")
    monkeypatch.setenv("USER", "dave")
    monkeypatch.setenv("LOGNAME", "dave")
    assert ok("add", "x", "--format", "json")["owner"] == "dave"


def test_duplicates_by_email_any_case_or_phone_digits(ok, fails):
    ok("add", "A", "--email", "Buyer@Acme.com", "--phone", "+86 138-0000-0000")
    fails("add", "B", "--email", "buyer@acme.COM", names=["#1 A", "--allow-duplicate"])
    fails("add", "C", "--phone", "+86 (138) 0000 0000", names=["#1 A"])
    assert ok("add", "B", "--email", "buyer@acme.com", "--allow-duplicate").out.strip() == "2"


def test_lead_list_filters_sorts_limits(ok):
    ok("rep", "add", "bob")
    ok("add", "small", "--value", "100", "--tag", "expo", "--source", "web")
    ok("add", "big", "--value", "1m", "--owner", "bob", "--intent", "hot")
    ok("add", "mid", "--value", "5k", "--key", "--source", "Web")

    def names(*args):
        scope = () if "--owner" in args else ("--team",)
        return [lead["name"] for lead in ok("lead", "list", *scope, *args, "--format", "json")]

    assert names() == ["small", "big", "mid"]
    assert names("--sort", "-value") == ["big", "mid", "small"]
    assert names("--sort", "value", "--limit", "2") == ["small", "mid"]
    assert names("--owner", "bob") == ["big"]
    assert names("--tag", "EXPO") == ["small"]
    assert names("--source", "web") == ["small", "mid"]
    assert names("--intent", "hot") == ["big"]
    assert names("--key") == ["mid"]
    assert names("--stage", "quoted") == []


def test_lead_list_hides_closed_unless_all(ok, db):
    ok("add", "open one")
    ok("add", "closed one", "--value", "10")
    raw_sql(
        db, "UPDATE leads SET stage = 'won', won_at = created_at, won_amount = 1000 WHERE id = 2"
    )
    assert [lead["id"] for lead in ok("lead", "list", "--format", "json")] == [1]
    assert [lead["id"] for lead in ok("lead", "list", "--all", "--format", "json")] == [1, 2]
    assert [lead["id"] for lead in ok("lead", "list", "--stage", "won", "--format", "json")] == [2]


def test_sort_field_outside_the_list_is_refused(ok, fails):
    ok("add", "x")
    fails(
        "lead", "list", "--sort", "name; DROP TABLE leads", names=["--sort", "is not a sort field"]
    )


def test_references_by_id_name_company_and_ambiguity(ok, fails):
    ok("add", "Wang Fang", "--company", "Acme Shanghai")
    ok("add", "Li Na", "--company", "Acme Beijing")
    assert ok("lead", "show", "wang", "--format", "json")["id"] == 1
    assert ok("lead", "show", "beijing", "--format", "json")["id"] == 2
    assert ok("lead", "show", "#2", "--format", "json")["id"] == 2
    result = fails(
        "lead", "show", "acme", names=['"acme" matches 2 leads', "#1 Wang Fang", "#2 Li Na"]
    )
    assert "[new]" in result.err
    fails("lead", "show", "99", names=["no lead with id 99"])
    fails("lead", "show", "99999999999999999999999", names=["no lead with id"])
    fails("lead", "show", "-5", names=['"-5" matches no lead'])
    fails("lead", "show", "100%", names=["matches no lead"])


def test_edit_changes_clears_tags_and_reassigns(ok):
    ok("rep", "add", "bob")
    ok("add", "Acme", "--phone", "12345", "--tag", "a", "--tag", "b")
    lead = ok(
        "lead",
        "edit",
        "acme",
        "--value",
        "80k",
        "--phone",
        "",
        "--untag",
        "A",
        "--tag",
        "c",
        "--key",
        "--owner",
        "bob",
        "--name",
        "Acme Ltd",
        "--format",
        "json",
    )
    assert lead["name"] == "Acme Ltd" and lead["value"] == 80000 and lead["phone"] is None
    assert lead["tags"] == ["b", "c"] and lead["key"] is True and lead["owner"] == "bob"
    timeline = ok("lead", "show", "1", "--format", "json")["timeline"]
    assert timeline[-1] == {
        "type": "owner",
        "at": "2026-11-26T10:00:00+00:00",
        "rep": "alice",
        "from": "alice",
        "to": "bob",
        "change": "assign",
        "reason": None,
    }


def test_edit_with_nothing_to_change_is_an_error(ok, fails):
    ok("add", "x")
    fails("lead", "edit", "1", names=["nothing to change"])


def test_delete_needs_yes(ok, fails):
    ok("add", "x")
    fails("lead", "delete", "1", names=["--yes"])
    ok("lead", "delete", "1", "--yes")
    assert ok("lead", "list", "--all", "--format", "json") == []


@pytest.mark.parametrize(
    "args, names",
    [
        (["add", "   "], ["NAME", "is blank"]),
        (["add", "bad\x07name"], ["NAME", "control characters"]),
        (["add", "x" * 201], ["NAME", "longer than 200"]),
        (["add", "x", "--value", "-5"], ["--value", '"-5"', "negative"]),
        (["add", "x", "--value", "abc"], ["--value", '"abc"']),
        (["add", "x", "--value", "NaN"], ["--value", "NaN"]),
        (["add", "x", "--value", "1e400"], ["--value", "1e400"]),
        (["add", "x", "--value", "１０００"], ["--value", "１０００"]),
        (["add", "x", "--value", "20000000000000"], ["--value", "over the limit"]),
        (["add", "x", "--next", "next fryday"], ["--next", '"next fryday" is not a date', "fri"]),
        (["add", "x", "--next", "2026-02-30"], ["--next", "2026-02-30"]),
        (["add", "x", "--next", "03/04/2026"], ["--next", "ambiguous"]),
        (["add", "x", "--intent", "lukewarm"], ["--intent", "lukewarm"]),
        (["add", "x", "--email", "not-an-email"], ["--email", "not-an-email"]),
        (["add", "x", "--phone", "call me"], ["--phone", "call me"]),
        (["add", "x", "--currency", "dollars"], ["--currency", "dollars"]),
        (["lead", "list", "--stage", "won-ish"], ["--stage", "won-ish", "is not a stage"]),
        (["lead", "list", "--owner", "nobody"], ["--owner", "nobody"]),
        (["config", "set", "rot_days.quoted", "-1"], ["rot_days.quoted", "-1"]),
        (["config", "set", "probability.quoted", "1.5"], ["probability.quoted", "1.5"]),
        (["config", "set", "timezone", "Mars/Olympus"], ["timezone", "Mars/Olympus"]),
        (["config", "set", "colour", "red"], ["colour", "is not a setting"]),
        (["config", "set", "stages", "new,contacted"], ["quoted"]),
    ],
)
def test_bad_input_exits_1_naming_field_and_value_and_changes_nothing(ok, fails, db, args, names):
    ok("add", "existing", "--value", "100")
    raw_sql(
        db, "UPDATE leads SET stage = 'quoted'"
    )  # a lead in `quoted`, so removing that stage is refused
    fails(*args, names=names)


def test_usage_errors_exit_2(run):
    result = run("add")
    assert result.code == 2 and "Missing argument" in result.err
    result = run("frobnicate")
    assert result.code == 2 and "No such command" in result.err
    result = run("lead", "list", "--colour")
    assert result.code == 2


def test_csv_and_markdown_formats(ok):
    ok("add", '=HYPERLINK("x")', "--value", "1.5k", "--company", "Acme | Co")
    rows = list(csv.DictReader(io.StringIO(ok("lead", "list", "--format", "csv").out)))
    assert rows[0]["name"] == '\'=HYPERLINK("x")'
    assert rows[0]["value"] == "1500"
    md = ok("lead", "list", "--format", "md").out
    assert "| # | Name |" in md and "Acme \\| Co" in md


def test_table_aligns_cjk_names(ok):
    ok("add", "王芳", "--company", "北京智造科技", "--value", "5万")
    ok("add", "Bob Smith", "--company", "Acme", "--value", "100")
    lines = ok("lead", "list").out.splitlines()
    from rich.cells import cell_len

    body = [line for line in lines if "北京" in line or "Acme" in line]
    # The Stage column starts at the same screen column on both rows despite double-width characters.
    starts = {cell_len(line[: line.index("new")]) for line in body}
    assert len(starts) == 1


def test_rep_deactivate_refuses_while_owning_open_leads(ok, fails):
    ok("rep", "add", "bob")
    ok("add", "x", "--owner", "bob")
    fails("rep", "deactivate", "bob", names=["1 open lead", "handoff"])
    ok("lead", "assign", "1", "--to", "alice")
    ok("rep", "deactivate", "bob")
    assert [r["name"] for r in ok("rep", "list", "--format", "json")] == ["alice"]
    fails("add", "y", "--owner", "bob", names=['"bob" is not an active rep'])


def test_config_set_and_show(ok):
    ok("config", "set", "rot_days.quoted", "10")
    ok("config", "set", "probability.deciding", "0.8")
    ok("config", "set", "lost_reasons", "price,timing,other")
    ok("config", "set", "timezone", "Asia/Shanghai")
    ok("config", "set", "currency", "cny")
    shown = ok("config", "show", "--format", "json")
    assert shown["rot_days"]["quoted"] == 10 and shown["rot_days"]["new"] == 3
    assert shown["probability"]["deciding"] == 0.8
    assert shown["lost_reasons"] == ["price", "timing", "other"]
    assert shown["timezone"] == "Asia/Shanghai" and shown["currency"] == "CNY"
    lead = ok("add", "x", "--next", "tomorrow", "--format", "json")
    assert lead["currency"] == "CNY"
    assert lead["next_at"] == "2026-11-27T09:00:00+08:00"  # 09:00 in the configured zone


def test_config_stages_can_grow(ok):
    ok("config", "set", "stages", "new,contacted,demo,quoted,negotiating,deciding")
    assert ok("config", "show", "--format", "json")["stages"][2] == "demo"
    ok("add", "x")
    assert ok("lead", "list", "--stage", "demo", "--format", "json") == []
