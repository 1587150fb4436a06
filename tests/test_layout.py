"""The package as a newcomer meets it: a small public API, and stages that import without cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import reconcile
from reconcile.model import Document
from tests.conftest import ROOT

PACKAGE = ROOT / "reconcile"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of the package a module imports when it is loaded (not inside functions)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules}
            if node.module in modules:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
    return found


def test_modules_import_each_other_without_cycles() -> None:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _top_level_imports(path, set(paths)) - {name} for name, path in paths.items()}
    graph = {name: {d for d in deps if not name.startswith(d + ".")} for name, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, f"import cycle: {' -> '.join([*trail, name])}"
        state[name] = 1
        for dep in sorted(graph.get(name, ())):
            visit(dep, [*trail, name])
        state[name] = 2

    for name in sorted(graph):
        visit(name, [])


def test_the_public_api_resolves_and_compares() -> None:
    assert reconcile.__all__ == sorted(reconcile.__all__)
    for name in reconcile.__all__:
        assert getattr(reconcile, name) is not None
    a = Document(id="a", text="Troops crossed into Lithuania overnight, officials said.")
    b = Document(id="b", text="Troops crossed into Latvia overnight, officials said.")
    result = reconcile.compare(a, b)
    assert [d.kind for d in result.pairs[0].divergences] == ["name"]
    assert reconcile.to_json(result).startswith("{")


def test_importing_the_package_loads_no_stage() -> None:
    code = "import sys, reconcile; print(sorted(m for m in sys.modules if m.startswith('reconcile.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
