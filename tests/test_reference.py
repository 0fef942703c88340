"""docs/reference.md is the contract, so it cannot drift from the program.

Every command and every option that `--help` lists is on the page (each option in its own command's
section), every option the page lists for a command exists, every `salesctl …` command the docs name
exists, and the documented JSON objects have exactly the keys salesctl prints.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from salesctl import cli

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference.md"
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")


def command_tree() -> dict[str, set[str]]:
    """Every command path ("lead list") with its subcommand names (empty for a leaf)."""
    cli._register()  # every module, as `salesctl --help` does
    tree: dict[str, set[str]] = {}

    def walk(command, path):
        subcommands = getattr(command, "commands", None) or {}
        tree[" ".join(path)] = set(subcommands)
        for name, sub in subcommands.items():
            walk(sub, path + [name])

    walk(typer.main.get_command(cli.app), [])
    return tree


TREE = command_tree()
LEAVES = sorted(path for path, subs in TREE.items() if path and not subs)


def sections() -> dict[str, str]:
    """The reference split at its `### salesctl …` headings (and `## Global options`), by command path."""
    text = REFERENCE.read_text(encoding="utf-8")
    found = {}
    heading = r"^(### salesctl (?P<path>[\w -]+)|## Global options)\n(?P<body>.*?)(?=^##|\Z)"
    for match in re.finditer(heading, text, re.M | re.S):
        found[(match["path"] or "").strip()] = match["body"]
    return found


SECTIONS = sections()


def help_options(run, path: str) -> set[str]:
    """The option names in the Options block of `salesctl PATH --help`, as a user sees it."""
    result = run(*path.split(), "--help")
    assert result.code == 0, result.err
    block = result.out.split("\nOptions:\n", 1)[1].split("\nCommands:\n", 1)[0]
    names = set()
    for line in block.splitlines():
        if line.lstrip().startswith("-"):
            names |= set(OPTION.findall(re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]))
    return names - {"-h", "--help"}  # documented once, under Global options


def listed_options(section: str) -> set[str]:
    """The options a section lists in its bullet list: ``- `-f, --format <…>`: …``."""
    names = set()
    for item in re.findall(r"^- `([^`]+)`", section, re.M):
        names |= set(OPTION.findall(item))
    return names


def test_every_command_has_a_section():
    missing = [path for path in LEAVES if path not in SECTIONS]
    assert not missing, f"docs/reference.md has no '### salesctl …' section for: {missing}"


def test_every_section_is_a_command():
    stale = [path for path in SECTIONS if path and path not in TREE]
    assert not stale, f"docs/reference.md documents commands that do not exist: {stale}"


@pytest.mark.parametrize("path", ["", *LEAVES], ids=lambda p: p or "salesctl")
def test_the_options_of_each_command_match_its_help(run, path):
    in_help = help_options(run, path)
    section = SECTIONS.get(path)
    assert section is not None, path
    in_docs = listed_options(section)
    assert in_help - in_docs == set(), (
        f"salesctl {path}: --help lists options the reference does not"
    )
    assert in_docs - in_help - {"-h", "--help"} == set(), (
        f"salesctl {path}: the reference lists options that do not exist"
    )


def named_commands(text: str) -> set[str]:
    """The command words of every `salesctl …` in code (spans and blocks), e.g. "lead list"."""
    code = " ".join(re.findall(r"```.*?```|`[^`\n]+`", text, re.S))
    named = set()
    for words in re.findall(r"(?<![\w/.-])salesctl((?:\s+[a-z][\w-]*){1,2})", code):
        first, *rest = words.split()
        if first in TREE[""]:
            named.add(first)
            if TREE.get(first) and rest:
                named.add(f"{first} {rest[0]}")
        else:
            named.add(first)
    return named


@pytest.mark.parametrize(
    "doc",
    ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))],
)
def test_every_command_the_docs_name_exists(doc):
    named = named_commands((ROOT / doc).read_text(encoding="utf-8"))
    unknown = sorted(n for n in named if n not in TREE)
    assert not unknown, f"{doc} names commands salesctl does not have: {unknown}"


def test_the_readme_reads_in_five_minutes_and_its_links_lead_somewhere():
    """The README stays short (≤ 12 KB): detail goes to docs/, and every local link resolves."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) <= 12 * 1024
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", readme)
    assert links and all((ROOT / link).exists() for link in links), links


def documented_keys(name: str) -> list[str]:
    """The keys listed for a JSON object in the reference's `## JSON objects` list (its first braces)."""
    text = REFERENCE.read_text(encoding="utf-8").split("## JSON objects", 1)[1]
    item = re.search(
        r"^- \*\*" + re.escape(name) + r"\*\*:(.*?)(?=^- \*\*|^##)", text, re.M | re.S
    )[1]
    return item


def test_the_lead_object_has_exactly_the_documented_keys(ok):
    doc = documented_keys("lead").split("print it after the change")[0]
    keys = set(re.findall(r"`(\w+)`", doc)) - {
        "add",
        "log",
        "move",
        "won",
        "lost",
        "reopen",
        "snooze",
    }
    ok("add", "Acme", "--value", "1k")
    extra = set(
        re.findall(r'`"(\w+)"`', documented_keys("lead show").split("oldest first")[0])
    )  # cadence, every, timeline
    assert set(ok("lead", "show", "1", "--format", "json")) == keys | extra
    assert set(ok("log", "1", "called", "--format", "json")) == keys


def test_the_today_object_has_exactly_the_documented_keys(ok):
    item = documented_keys("today")
    outer = re.search(r'\{"as_of", "rep", "items"', item)
    assert outer, item
    inner = set(re.findall(r'"(\w+)"', item.split('"items": [', 1)[1].split("]}", 1)[0]))
    ok("add", "Acme", "--next", "today 08:00")
    doc = ok("today", "--format", "json")
    assert set(doc) == {"as_of", "rep", "items"}
    assert set(doc["items"][0]) == inner


def test_the_stalled_and_report_objects_have_exactly_the_documented_keys(ok, monkeypatch):
    ok("add", "Acme", "--value", "1k")
    monkeypatch.setenv("SALESCTL_NOW", "2026-12-10T10:00:00")  # two weeks idle: stalled
    stalled = ok("stalled", "--format", "json")
    item = documented_keys("stalled")
    assert set(stalled) == set(re.findall(r'"(\w+)"', item.split('"items"', 1)[0])) | {
        "items",
        "by_rep",
    }
    assert set(stalled["items"][0]) == set(
        re.findall(r'"(\w+)"', item.split('"items": [', 1)[1].split("]", 1)[0])
    )
    report = ok("report", "--format", "json")
    text = documented_keys("report")
    figures = set(
        re.findall(r"`(\w+)`", text.split("The figures are", 1)[1].split("each defined in", 1)[0])
    )
    assert set(report["team"]) == figures
    top = set(re.findall(r'"(\w+)"', text.split("The figures are", 1)[0]))
    assert set(report) == top
