"""The plain table drawer: aligned columns in screen cells, folding to the terminal, colour only on a tty."""

from __future__ import annotations

import io

from salesctl.render import Column, Fields, Table, cell_width, draw


def drawn(blocks, monkeypatch, columns=100) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = io.StringIO()
    draw(blocks, out)
    return out.getvalue().splitlines()


def test_cell_width_counts_wide_characters_twice():
    assert cell_width("abc") == 3
    assert cell_width("Dana · Acme") == 11
    assert cell_width("北京智造") == 8
    assert cell_width("e\u0301") == 1  # e + combining acute: one cell


def test_columns_start_at_the_same_screen_cell_with_cjk_text(monkeypatch):
    table = Table(
        [Column("name", "Name"), Column("stage", "Stage"), Column("value", "Value", "right")],
        [
            {"name": "王芳 · 北京智造科技", "stage": "new", "value": "¥50,000"},
            {"name": "Bob", "stage": "quoted", "value": "$100"},
        ],
    )
    lines = drawn([table], monkeypatch)
    body = lines[2:]
    assert len(body) == 2
    starts = {
        cell_width(line[: line.index(word)])
        for line, word in zip(body, ("new", "quoted"), strict=True)
    }
    assert len(starts) == 1
    # Right-justified values end in the same cell.
    assert len({cell_width(line) for line in body}) == 1


def test_a_table_wider_than_the_terminal_folds_its_widest_column(monkeypatch):
    note = "a long next step that cannot fit on one line of a narrow terminal"
    table = Table(
        [Column("id", "#", "right"), Column("step", "Next step")], [{"id": "7", "step": note}]
    )
    lines = drawn([table], monkeypatch, columns=30)
    assert all(cell_width(line) <= 30 for line in lines)
    body = lines[2:]
    assert len(body) > 1
    assert (
        " ".join(line[len("7") + 2 :].strip() for line in body) == note
    )  # every word kept, in order (gap 2)


def test_wide_characters_fold_without_splitting_a_character(monkeypatch):
    table = Table([Column("name", "Name")], [{"name": "北京智造科技有限公司"}])
    lines = drawn([table], monkeypatch, columns=7)
    assert "".join(lines[2:]) == "北京智造科技有限公司"
    assert all(cell_width(line) <= 7 for line in lines)


def test_no_escape_codes_when_not_a_terminal(monkeypatch):
    lines = drawn(
        [Fields([("Lead", "#1 Acme")], title="Lead"), Table([Column("a", "A")], [], empty="none")],
        monkeypatch,
    )
    assert lines == ["Lead", "Lead  #1 Acme", "", "none"]
    assert not any("\x1b" in line for line in lines)
