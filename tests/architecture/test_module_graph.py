"""The module graph stays one a newcomer can hold: no import circle between any two
modules (imports made only for type checking count too), and no module of domain/,
service/ or projections/ over 400 lines."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "service", "adapters")
MAX_LINES = 400
SIZED = ("domain", "service", "projections")


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path, modules: set[str]) -> set[str]:
    """The first-party modules ``path`` imports (``from package import module`` included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found - {module_name(path, root)}


def import_graph(root: Path) -> dict[str, set[str]]:
    paths = [p for package in PACKAGES for p in sorted((root / package).rglob("*.py"))]
    modules = {module_name(p, root) for p in paths}
    return {module_name(p, root): imports_of(p, root, modules) for p in paths}


def circle(root: Path) -> list[str] | None:
    try:
        tuple(TopologicalSorter(import_graph(root)).static_order())
    except CycleError as error:
        return list(error.args[1])
    return None


def test_no_import_circle_between_modules() -> None:
    assert circle(ROOT) is None


def test_no_module_of_the_domain_service_or_projections_is_over_400_lines() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in SIZED
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {path: n for path, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize(
    "second",
    [
        "from service.first import run\n",
        "from service import first\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from service.first import X\n",
    ],
)
def test_the_check_catches_a_circle(tmp_path: Path, second: str) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "service" / "first.py").write_text("from service.second import go\n")
    (tmp_path / "service" / "second.py").write_text(second)
    found = circle(tmp_path)
    assert found is not None and {"service.first", "service.second"} <= set(found)
