"""The import graph of our own modules: no cycles, and imports point one way.

Layers (design.md): editor -> gallery -> accounts; worker/ imports no app. The graph is read with
`ast` from every .py file outside tests, migrations, bench and the virtualenv.

Cycles count the imports that run when a module is loaded (module and class level, not inside
functions, not under `if TYPE_CHECKING:`): a function-level import is a deliberate leaf import,
marked `# noqa: PLC0415  <reason>`. The layer rules count every import, wherever it is.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = {"tests", "migrations", "bench", ".venv", "venv", "data", "node_modules", ".git"}

# (importer's package, packages it must not import, why)
LAYER_RULES = [
    ("accounts", {"gallery", "editor", "worker"}, "accounts is the bottom layer"),
    ("gallery", {"editor", "worker"}, "gallery sits below the editor"),
    ("worker", {"accounts", "gallery", "editor"}, "the worker runs any task and knows no app"),
]


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ours."""
    modules = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for filename in sorted(f for f in files if f.endswith(".py")):
            path = Path(folder) / filename
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if parts:
                modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, *, load_time_only: bool) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            elif load_time_only and isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                continue
            elif load_time_only and isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(ast.Module(body=[other], type_ignores=[]))
                continue
            visit(child)

    visit(tree)
    return found


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest prefix of `name` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(
    module: str, source: str, modules: set[str], *, is_package: bool = False, load_time_only: bool
) -> set[str]:
    """Our modules that `module` imports (itself excluded)."""
    targets = set()
    tree = ast.parse(source)
    for node in _import_nodes(tree, load_time_only=load_time_only):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if not is_package:
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            # `from package import submodule` imports the submodule; otherwise the package.
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                targets.add(target)
    return targets


def import_graph(root: Path = ROOT, *, load_time_only: bool = True) -> dict[str, set[str]]:
    modules = project_modules(root)
    names = set(modules)
    return {
        name: imports_of(
            name,
            path.read_text(),
            names,
            is_package=path.name == "__init__.py",
            load_time_only=load_time_only,
        )
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None. Depth-first, in sorted order, so the same
    graph always names the same cycle."""
    state: dict[str, str] = {}  # "open" while on the current path, then "done"
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for package, forbidden, why in LAYER_RULES:
        for module, targets in sorted(graph.items()):
            if module.split(".")[0] != package:
                continue
            for target in sorted(targets):
                if target.split(".")[0] in forbidden:
                    problems.append(f"{module} imports {target} ({why})")
    return problems


# --- the project ---------------------------------------------------------------------------


def test_the_project_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_imports_point_one_way_between_the_layers():
    assert layer_violations(import_graph(load_time_only=False)) == []


def test_the_walk_sees_every_layer_and_skips_tests_and_migrations():
    modules = project_modules()
    assert {"accounts.services", "gallery.models", "editor.services.job", "editor.tasks"} <= set(
        modules
    )
    assert not [m for m in modules if m.startswith("tests") or ".migrations." in m]
    assert not [m for m in modules if m.startswith("bench")]


# --- the checks themselves can fail ----------------------------------------------------------


def test_find_cycle_names_a_cycle_in_a_small_graph():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a"}}) is None
    assert find_cycle({"x": {"x"}}) == ["x", "x"]


def test_only_imports_run_at_load_time_make_cycles():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from app import low\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n"
        "    from app import typed\n"
        "class Thing:\n"
        "    from app import in_class\n"
        "def later():\n"
        "    from app import lazy\n"
    )
    modules = {"app", "app.low", "app.sibling", "app.typed", "app.in_class", "app.lazy", "app.me"}
    load_time = imports_of("app.me", source, modules, load_time_only=True)
    assert load_time == {"app.low", "app.sibling", "app.in_class"}
    everything = imports_of("app.me", source, modules, load_time_only=False)
    assert everything == load_time | {"app.typed", "app.lazy"}


def test_the_cycle_of_issue_8_is_found_in_source_text():
    # submit -> tasks -> services/__init__ -> job -> submit, as it was before the split.
    sources = {
        "editor.tasks": "from editor import services\n",
        "editor.services": "from editor.services.job import run_edit\n",
        "editor.services.job": "from editor.services.submit import read_asset\n",
        "editor.services.submit": "from editor import tasks\n",
    }
    modules = {"editor", *sources}
    graph = {
        name: imports_of(
            name, text, modules, is_package=name == "editor.services", load_time_only=True
        )
        for name, text in sources.items()
    }
    assert find_cycle(graph) == [
        "editor.services",
        "editor.services.job",
        "editor.services.submit",
        "editor.tasks",
        "editor.services",
    ]


@pytest.mark.parametrize(
    ("module", "target"),
    [("accounts.forms", "gallery.models"), ("gallery.views", "editor.api"), ("worker.x", "editor")],
)
def test_a_layer_violation_is_reported(module, target):
    assert layer_violations({module: {target}}) == [
        f"{module} imports {target} ({why})"
        for package, _forbidden, why in LAYER_RULES
        if module.startswith(package + ".")
    ]
