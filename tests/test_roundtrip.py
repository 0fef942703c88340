"""`export all --format json` → `import` into an empty database reproduces everything, including the
cadences, recurring follow-ups, calendar revisions and removal notes (docs/reference.md)."""

from __future__ import annotations

import json

STEPS = "0d call: intro; +2d email: case study"


def build(ok, monkeypatch) -> None:
    """A play with a cadence, one running and one ended cadence, an --every, a moved follow-up, a deleted activity."""
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-26T10:00:00")
    ok("rep", "add", "bob")
    ok("play", "add", "intro-sequence", "--stage", "contacted", "--cadence", STEPS)
    ok("add", "Acme", "--company", "Acme Corp")
    ok("add", "Globex", "--next", "2026-12-02 15:00", "--step", "demo")
    ok("add", "Initech")
    ok("cadence", "start", "Acme", "intro-sequence")
    ok("cadence", "start", "Initech", "intro-sequence")
    monkeypatch.setenv("SALESCTL_NOW", "2026-11-27T11:00:00")
    ok("cadence", "stop", "Initech")
    ok("log", "Initech", "quarterly review", "--every", "2w")
    ok("lead", "edit", "Globex", "--next", "2026-12-01 14:00")
    ok("log", "Globex", "wrong lead, oops", "--kind", "meeting", "--no-effective")
    (oops,) = [
        e
        for e in ok("lead", "show", "Globex", "--format", "json")["timeline"]
        if e.get("note") == "wrong lead, oops"
    ]
    ok("activity", "delete", oops["id"], "--yes")


def document(ok, *db) -> dict:
    doc = json.loads(ok(*db, "export", "all").out)
    del doc["exported_at"]
    return doc


def test_cadences_recurrences_revisions_and_removals_survive_export_and_import(
    ok, db, tmp_path, monkeypatch
):
    build(ok, monkeypatch)
    dump, copy = tmp_path / "all.json", tmp_path / "copy.db"
    ok("export", "all", "--out", dump)
    restored = ok("--db", copy, "import", dump)
    assert "2 cadence_runs" in restored.err

    original = document(ok)
    assert [p["cadence"] for p in original["plays"] if p["name"] == "intro-sequence"] == [STEPS]
    assert [r["ended_at"] is None for r in original["cadence_runs"]] == [True, False]
    assert [r["every"] for r in original["recurrences"]] == ["2w"]
    assert {r["lead_id"]: r["sequence"] for r in original["followup_revisions"]}[
        2
    ] == 1  # Globex, moved once
    assert [r["note"] for r in original["activity_removals"]] == ["wrong lead, oops"]
    assert document(ok, "--db", copy) == original
    for name in ("Acme", "Globex", "Initech"):
        args = ("lead", "show", name, "--format", "json")
        assert ok("--db", copy, *args) == ok(*args), name
    assert ok("--db", copy, "calendar", "--team").out == ok("calendar", "--team").out
    # The restored cadence goes on: the next touch moves Acme to the play's step 2.
    ok("--db", copy, "log", "Acme", "intro call")
    assert ok("--db", copy, "lead", "show", "Acme", "--format", "json")["cadence"]["step"] == 2


def test_an_older_export_without_the_new_tables_still_imports(ok, db, tmp_path, monkeypatch):
    build(ok, monkeypatch)
    doc = json.loads(ok("export", "all").out)
    for key in ("activity_removals", "cadence_runs", "recurrences", "followup_revisions"):
        del doc[key]
    for play in doc["plays"]:
        del play["cadence"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    ok("--db", tmp_path / "copy.db", "import", old)
    restored = document(ok, "--db", tmp_path / "copy.db")
    assert restored["cadence_runs"] == restored["recurrences"] == []
    assert restored["leads"] == document(ok)["leads"]


def test_a_cadence_run_of_a_lead_the_document_lacks_is_refused(ok, run, db, tmp_path, monkeypatch):
    build(ok, monkeypatch)
    doc = json.loads(ok("export", "all").out)
    doc["cadence_runs"][0]["lead_id"] = 99
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    copy = tmp_path / "copy.db"
    result = run("--db", copy, "import", bad)
    assert result.code == 1 and result.err.startswith("Error: ")
    assert (
        'cadence_runs[0], column "lead_id": "99" is not the id of one of the document\'s leads'
        in result.err
    )
    assert "Traceback" not in result.err
    assert not copy.exists()
