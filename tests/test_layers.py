"""The layers of docs/design.md hold: a command module imports no other command module, nothing below
the commands imports them, and only the command-line layer and the renderer import typer or rich."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "salesctl"
COMMANDS = PACKAGE / "commands"
COMMAND_MODULES = {p.stem for p in COMMANDS.glob("*.py")} - {"__init__"}
# The command-line layer (the root app, its usage errors, its help in Chinese) and the one renderer.
MAY_IMPORT = {
    "typer": {"cli.py", "usage.py", "helptext.py", "commands"},
    "rich": {"render.py", "commands"},
}


def imports(path: Path) -> list[str]:
    """Every module `path` imports, anywhere in it (inside functions too), as absolute names."""
    package = ".".join(("salesctl", *path.relative_to(PACKAGE).parent.parts))
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]  # `from . import io`
    return names


def layer_of(path: Path) -> str:
    return "commands" if path.parent == COMMANDS else path.name


def test_no_command_module_imports_another():
    found = {
        path.name: sorted(
            name
            for name in imports(path)
            if name.startswith("salesctl.commands.")
            and name.split(".")[2] in COMMAND_MODULES - {path.stem}
        )
        for path in COMMANDS.glob("*.py")
    }
    assert {module: names for module, names in found.items() if names} == {}, (
        "what two commands share belongs in a domain module (docs/design.md)"
    )


def test_nothing_below_the_commands_imports_them():
    found = {
        str(path.relative_to(PACKAGE)): names
        for path in PACKAGE.rglob("*.py")
        if path.parent != COMMANDS and path.name != "cli.py"
        if (names := sorted(n for n in imports(path) if n.startswith("salesctl.commands")))
    }
    assert found == {}


def test_only_the_command_line_and_the_renderer_import_typer_or_rich():
    found = {
        str(path.relative_to(PACKAGE)): package
        for path in PACKAGE.rglob("*.py")
        for package, allowed in MAY_IMPORT.items()
        if layer_of(path) not in allowed
        and any(n == package or n.startswith(package + ".") for n in imports(path))
    }
    assert found == {}
