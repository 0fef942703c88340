"""Every runtime dependency earns its place: some salesctl module imports it (docs/design.md, Dependencies)."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_top_level_modules() -> set[str]:
    names = set()
    for path in (ROOT / "salesctl").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_runtime_dependency_is_imported_by_salesctl():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = {
        re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()
        for requirement in project["dependencies"]
    }
    distributions = packages_distributions()
    used = {
        dist.lower()
        for module in imported_top_level_modules()
        for dist in distributions.get(module, [])
    }
    assert listed - used == set(), (
        f"listed in pyproject.toml but imported by no salesctl module: {listed - used}"
    )
