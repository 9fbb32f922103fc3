"""The service never takes rights it was not given: no module of service/ acts as the
owner or enters an audit context with any grant but the caller's (``current_grant()``).
Only an adapter, which authenticated the caller, says who acts and with what grant."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def grants_taken(source: str) -> list[str]:
    """Each call in ``source`` that acts as the owner or sets a grant not the caller's."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func)
        if called.endswith(("acting_as_owner", "Grant.owner")):
            found.append(f"line {node.lineno}: {called}")
        elif called.endswith("acting_as"):
            grant = node.args[2] if len(node.args) > 2 else None
            grant = grant or next((k.value for k in node.keywords if k.arg == "grant"), None)
            if grant is None or ast.unparse(grant) != "current_grant()":
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_of_the_service_acts_with_a_grant_but_the_callers() -> None:
    taken = {
        str(path.relative_to(ROOT)): grants_taken(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "service").rglob("*.py"))
    }
    assert {path: calls for path, calls in taken.items() if calls} == {}


def test_the_check_catches_each_way_of_taking_a_grant() -> None:
    assert grants_taken("with acting_as_owner('x', 'y'): pass") != []
    assert grants_taken("with acting_as(actor, src): pass") != []
    assert grants_taken("with acting_as(actor, src, Grant('x', Role.COORDINATOR)): pass") != []
    assert grants_taken("g = Grant.owner('x')") != []
    assert grants_taken("with acting_as(current_actor(), src, current_grant()): pass") == []
