"""Dependencies point inwards: adapters -> service -> projections -> domain.

Walks every module's imports with ``ast`` and fails on an arrow pointing the wrong way.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "projections", "service", "adapters")

ALLOWED: dict[str, set[str]] = {
    # first-party layers and third-party packages each layer may import
    # pydantic in the projections: the records' JSON codec (``projections.record``)
    "domain": {"domain", "eventsourcing.domain"},
    "projections": {
        *("domain", "projections", "eventsourcing", "sqlalchemy", "pydantic", "pydantic_core")
    },
    # pydantic: the commands as values; rapidfuzz: the closest names an import suggests
    "service": {"domain", "projections", "service", "eventsourcing", "pydantic", "rapidfuzz"},
    "adapters": {"*"},
}


def imported_modules(source: str) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return modules


def is_allowed(layer: str, module: str) -> bool:
    allowed = ALLOWED[layer]
    top = module.split(".")[0]
    if "*" in allowed or top in sys.stdlib_module_names:
        return top != "os" or layer != "domain"  # the domain reads no environment
    return any(module == a or module.startswith(a + ".") for a in allowed)


def violations(root: Path) -> list[str]:
    found = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for module in imported_modules(path.read_text(encoding="utf-8")):
                if not is_allowed(layer, module):
                    found.append(f"{path.relative_to(root)} imports {module}")
    return found


def test_every_import_points_inwards() -> None:
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("layer", "line"),
    [
        ("domain", "from service.ledger import Ledger"),
        ("domain", "import sqlalchemy"),
        ("projections", "import fastapi"),
        ("domain", "from os import environ"),
        ("domain", "from eventsourcing.application import Application"),
        ("projections", "from adapters.cli import app"),
        ("service", "import fastapi"),
        ("service", "from adapters.storage import bootstrap"),
    ],
)
def test_the_check_catches_an_outward_import(tmp_path: Path, layer: str, line: str) -> None:
    for name in LAYERS:
        (tmp_path / name).mkdir()
    (tmp_path / layer / "bad.py").write_text(line + "\n")
    assert violations(tmp_path) == [f"{layer}/bad.py imports {line.split()[1]}"]
