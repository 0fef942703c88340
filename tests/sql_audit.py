"""A static audit of how salesctl builds SQL: every string composition that contains SQL keywords
(f-strings, `+`, `%`, `.format`, `.join`, `.replace`) must be made only of fixed text.

A dynamic piece of such a composition is fixed when it is:
- a string constant, or an UPPER_CASE constant (module or class level: OPEN, LEAD_SELECT, LAST_TOUCH…);
- a lookup in an UPPER_CASE table (`self.LEAD_SORTS[sort]`, `self.TABLE_COLUMNS[table]`), which raises
  KeyError for any key not in the fixed table;
- a run of placeholders (`"?" * n`, `", ".join("?" * n)`, `" ".join("WHEN ? THEN ?" for …)`);
- the result of a private SQL-fragment helper of the same module (`self._case(…)`, `_fts_sync(…)`),
  whose own body is audited the same way;
- a local variable whose every assignment, `+=`, `.append`/`.insert`/`.extend` is itself fixed, or a
  loop variable over something fixed;
- a conditional expression or str method call (`strip`, `split`, `replace`, `lower`) of fixed parts.

Everything else (a function parameter, a value read from the database, anything a user typed) makes
the composition a finding. The few reviewed exceptions live in ALLOWED in tests/test_security.py.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|JOIN|ORDER BY|GROUP BY|VALUES|PRAGMA|CREATE|DROP|ALTER|"
    r"LIMIT|HAVING|UNION|CASE|WHEN|THEN|AND|OR|NOT|IN|IS|SET|LIKE|MATCH|WITH)\b"
)
STR_METHODS = {"strip", "lstrip", "rstrip", "split", "replace", "lower", "upper", "join"}
LIST_MUTATORS = {"append", "insert", "extend"}


@dataclass(frozen=True)
class Finding:
    file: str
    function: str
    line: int
    code: str
    unsafe: str  # the first dynamic piece that is not fixed

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line} in {self.function}: {self.code!r} (not fixed: {self.unsafe})"
        )


def _is_const_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _has_sql(node: ast.AST) -> bool:
    return any(_is_const_str(n) and SQL_WORDS.search(n.value) for n in ast.walk(node))


def _upper(name: str) -> bool:
    core = name.lstrip("_")
    return bool(core) and core.upper() == core and any(c.isalpha() for c in core)


class _Function:
    """Assignments in one function body, to decide whether a local name holds only fixed text."""

    def __init__(self, node: ast.AST | None, private_helpers: set[str]):
        self.node = node
        self.helpers = private_helpers
        self.sources: dict[str, list[ast.AST]] = {}
        self.params: set[str] = set()
        if node is None:
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            self.params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} - {
                "self",
                "cls",
            }
        for n in ast.walk(node):
            if isinstance(n, ast.Assign):
                for target in n.targets:
                    self._bind(target, n.value)
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)) and n.value is not None:
                self._bind(n.target, n.value)
            elif isinstance(n, (ast.For, ast.comprehension)):
                self._bind(n.target, ast.Call(ast.Name("iter"), [n.iter], []))
            elif (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in LIST_MUTATORS
                and isinstance(n.func.value, ast.Name)
            ):
                for arg in n.args:
                    self.sources.setdefault(n.func.value.id, []).append(arg)

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.sources.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:  # a, b = fixed(…): each part is as fixed as the whole
                self._bind(element, value)

    def fixed(self, node: ast.AST, seen: frozenset = frozenset()) -> ast.AST | None:
        """None when node is fixed text; else the first piece that is not."""
        if isinstance(node, ast.Constant):
            return None
        if isinstance(node, ast.JoinedStr):
            return self._first(
                [v.value for v in node.values if isinstance(v, ast.FormattedValue)], seen
            )
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mult) and (
                _is_const_str(node.left) or _is_const_str(node.right)
            ):
                return None  # "?" * n
            return self._first([node.left, node.right], seen)
        if isinstance(node, ast.IfExp):
            return self._first([node.body, node.orelse], seen)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return self._first(node.elts, seen)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            # The loop only repeats the element: its iterable matters only if the element uses a loop variable.
            used = {n.id for n in ast.walk(node.elt) if isinstance(n, ast.Name)}
            bound = {
                n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)
            }
            iters = [g.iter for g in node.generators] if used & bound else []
            return self._first([node.elt, *iters], seen | bound if not used & bound else seen)
        if isinstance(node, ast.Subscript):
            base = node.value
            if isinstance(base, (ast.Name, ast.Attribute)) and _upper(
                base.id if isinstance(base, ast.Name) else base.attr
            ):
                return None  # a lookup in a fixed table
            return self.fixed(base, seen)
        if isinstance(node, ast.Attribute):
            return None if _upper(node.attr) else node
        if isinstance(node, ast.Name):
            if _upper(node.id):
                return None
            if node.id in seen:
                return None
            if node.id in self.params or node.id not in self.sources:
                return node
            return self._first(self.sources[node.id], seen | {node.id})
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name in self.helpers:
                return None  # a private SQL-fragment helper, audited at its definition
            if name == "iter":
                return self._first(node.args, seen)
            if name in ("len", "range", "enumerate", "sorted", "list", "tuple"):
                return (
                    self._first(
                        [a for a in node.args if not isinstance(a, ast.Call) or a.func != func],
                        seen,
                    )
                    if name != "len" and name != "range"
                    else None
                )
            if isinstance(func, ast.Attribute) and name in STR_METHODS:
                return self._first([func.value, *node.args], seen)
            if isinstance(func, ast.Attribute) and name in ("items", "keys", "values"):
                return self.fixed(func.value, seen)
            return node
        return node

    def _first(self, nodes, seen) -> ast.AST | None:
        for n in nodes:
            bad = self.fixed(n, seen)
            if bad is not None:
                return bad
        return None


def _compositions(tree: ast.AST):
    """String-building expressions that contain SQL words, outermost only."""
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}

    def composing(node: ast.AST) -> bool:
        if isinstance(node, ast.JoinedStr):
            return any(isinstance(v, ast.FormattedValue) for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return not all(
                isinstance(n, (ast.Constant, ast.BinOp, ast.operator)) for n in ast.walk(node)
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr in ("format", "join", "replace")
        return False

    for node in ast.walk(tree):
        if composing(node) and _has_sql(node):
            parent = parents.get(node)
            if parent is not None and composing(parent) and _has_sql(parent):
                continue  # reported as part of the larger expression
            yield node, parents


def _enclosing(node: ast.AST, parents: dict) -> tuple[str, ast.AST | None]:
    names, function = [], None
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            if function is None and not isinstance(node, ast.ClassDef):
                function = node
    return ".".join(reversed(names)) or "<module>", function


def audit(package: Path) -> list[Finding]:
    findings = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = {
            n.name
            for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name.startswith("_")
            and not n.name.startswith("__")
        }
        for node, parents in _compositions(tree):
            qualname, function = _enclosing(node, parents)
            bad = _Function(function, helpers).fixed(node)
            if bad is not None:
                findings.append(
                    Finding(
                        str(path.relative_to(package.parent)),
                        qualname,
                        node.lineno,
                        ast.unparse(node)[:100],
                        ast.unparse(bad)[:60],
                    )
                )
    return findings
