"""editor.engine stays pure: no module there imports Django or any of the project's apps."""

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[3] / "editor" / "engine"
FORBIDDEN_ROOTS = {"django", "accounts", "gallery", "editor", "worker", "config"}


def forbidden_imports(path: Path) -> list[str]:
    """Every absolute import of Django or a project app, except the engine importing itself."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return sorted(
        name
        for name in names
        if name.split(".")[0] in FORBIDDEN_ROOTS
        and not (name == "editor.engine" or name.startswith("editor.engine."))
    )


@pytest.mark.parametrize("module", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_engine_module_imports_neither_django_nor_an_app(module):
    assert forbidden_imports(module) == []


def test_the_check_catches_a_django_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from django.conf import settings\nfrom editor import catalogue\n")
    assert forbidden_imports(module) == ["django.conf", "editor"]


def test_the_walk_finds_the_engine_modules():
    names = {p.name for p in ENGINE.glob("*.py")}
    assert {"images.py", "masks.py", "paste_back.py"} <= names
