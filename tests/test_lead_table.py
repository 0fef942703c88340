"""`lead list` as a table on 60, 80 and 120 columns: no word or date broken across lines, columns
dropped by priority as the terminal narrows, Owner only for several owners, the sort column always shown."""

from __future__ import annotations

import re

import pytest

from salesctl.render import cell_width
from salesctl.views.lead import lead_list_output

LEADS = [
    (
        "王芳",
        "北京智造科技有限公司",
        "negotiating",
        "5万",
        "2026-11-30",
        "2026-11-27 09:00",
        "send the revised quote",
    ),
    (
        "欧阳建国",
        "上海浦东国际物流集团",
        "quoted",
        "¥1,250,000",
        "2026-12-15",
        "2026-12-01 14:30",
        "回访 and confirm the budget",
    ),
    (
        "Li Wei",
        "Shenzhen Lightyear Electronics",
        "new",
        "$23,000",
        "2027-01-10",
        "2026-11-28 10:00",
        "intro call",
    ),
]


@pytest.fixture
def leads(ok):
    for name, company, stage, value, close_by, next_at, step in LEADS:
        ok(
            "add",
            name,
            "--company",
            company,
            "--value",
            value,
            "--close-by",
            close_by,
            "--next",
            next_at,
            "--step",
            step,
        )
        if stage != "new":
            ok("move", name, stage)


def table(ok, monkeypatch, columns, *args) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    return ok("lead", "list", "--owner", "alice", *args).out.splitlines()


def header(lines) -> list[str]:
    return re.split(r"\s{2,}", lines[0].strip())


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_no_line_is_wider_than_the_terminal_and_no_word_or_date_is_broken(
    ok, monkeypatch, leads, columns
):
    lines = table(ok, monkeypatch, columns)
    assert all(cell_width(line) <= columns for line in lines), "\n".join(lines)
    text = "\n".join(lines)
    assert "negotiating" in text and "quoted" in text  # never `negotiatin` / `g`
    for name, *_ in LEADS:
        assert name in text
    dates = re.findall(r"\b(?:2026-)?1[12]-\d\d(?: \d\d:\d\d)?\b", text)
    assert dates and all(re.fullmatch(r"(?:2026-)?1[12]-\d\d \d\d:\d\d", d) for d in dates), dates
    # Every body line starts a row (its id) or continues a folded sentence: never a lone word piece.
    body = lines[2:]
    assert [line.split()[0] for line in body if line[:3].strip()] == ["1", "2", "3"]


def test_columns_go_by_priority_as_the_terminal_narrows(ok, monkeypatch, leads):
    wide, standard, narrow = (header(table(ok, monkeypatch, c)) for c in (120, 80, 60))
    assert wide == ["#", "Name", "Company", "Stage", "Value", "Next", "Next step"]
    assert standard == ["#", "Name", "Stage", "Value", "Next", "Next step"]
    assert narrow[:4] == ["#", "Name", "Stage", "Value"] and "Company" not in narrow


def test_a_narrow_terminal_shortens_dates_to_this_years_month_and_day(ok, monkeypatch, leads):
    assert "2026-11-27 09:00" in "\n".join(table(ok, monkeypatch, 120))
    assert "11-27 09:00" in "\n".join(table(ok, monkeypatch, 60)) and "2026-11-27" not in "\n".join(
        table(ok, monkeypatch, 60)
    )


def test_one_owners_list_has_no_owner_column_several_owners_have_one(ok, monkeypatch, leads):
    assert "Owner" not in header(table(ok, monkeypatch, 120))
    rows = ok("lead", "list", "--owner", "alice", "--format", "json")
    mixed = lead_list_output(rows + [{**rows[0], "id": 9, "owner": "bob"}]).blocks[0]
    assert "Owner" in [c.header for c in mixed.columns]


@pytest.mark.parametrize(
    ("sort", "heading", "shown"),
    [
        ("close_by", "Close by", "2026-11-30"),
        ("-created", "Created", "2026-11-26 10:00"),
        ("activity", "Last activity", None),
        ("company", "Company", "北京智造"),
    ],
)
def test_the_sort_column_is_always_shown(ok, monkeypatch, leads, sort, heading, shown):
    for columns in (60, 80, 120):
        lines = table(ok, monkeypatch, columns, "--sort", sort)
        assert heading in lines[0], (columns, lines[0])
    wide = "\n".join(table(ok, monkeypatch, 120, "--sort", sort))
    assert shown is None or shown in wide


def test_a_timeline_on_a_narrow_terminal_keeps_each_date_with_its_time(ok, monkeypatch, leads):
    ok(
        "log",
        "王芳",
        "called the purchasing manager about the revised quote and the delivery dates",
    )
    monkeypatch.setenv("COLUMNS", "36")
    lines = ok("lead", "show", "王芳").out.splitlines()
    timeline = lines[next(i for i, line in enumerate(lines) if line.startswith("When")) + 2 :]
    assert all(
        re.match(r"2026-11-26 10:00  ", line) or line.startswith(" ") for line in timeline
    ), timeline
    assert all(cell_width(line) <= 36 for line in lines[lines.index(timeline[0]) :])
