"""`db copy` into a server loads rows through COPY's text format (docs/speed.md): every awkward
character (backslashes, a literal \\N, tabs, line breaks) must arrive exactly as it was."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.postgres_only

AWKWARD = "back\\slash, \\N, \\t literal, 中文"


def test_text_with_tabs_backslashes_and_line_breaks_arrives_unchanged(db, run, ok, tmp_path):
    source = tmp_path / "source.db"
    ok("--db", source, "add", AWKWARD, "--company", "co\\", "--value", "1.5k", "--allow-duplicate")
    ok("--db", source, "log", "1", "a\ttab, line one\nline two\r\nend \\", "--kind", "email")
    ok("--db", source, "add", "plain", "--phone", "+1 555 0100", "--next", "tomorrow")
    ok("db", "copy", source, db)
    here = tmp_path / "server.json"
    there = tmp_path / "source.json"
    ok("export", "all", "--out", here)
    ok("--db", source, "export", "all", "--out", there)
    mine, theirs = json.loads(here.read_text()), json.loads(there.read_text())
    mine.pop("exported_at", None), theirs.pop("exported_at", None)
    assert mine == theirs
    shown = ok("lead", "show", "1", "--format", "json")
    assert shown["name"] == AWKWARD and shown["company"] == "co\\"
