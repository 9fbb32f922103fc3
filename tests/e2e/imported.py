"""What the Word and PDF import tests share: a shell that answers in JSON, and status views
compared as two imports of one plan can be."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.in_process import InProcessShell

Json = dict[str, Any]
VERSION = "2nd Version dated 29th May 2014"
"""The seed plan's version, as its footer names it."""


class Shell(InProcessShell):
    def json(self, *args: str | Path) -> Any:
        return json.loads(self(*args, "--json").stdout)


def comparable(views: Any) -> Any:
    """Status views less what two imports of one plan cannot share: when each fact was
    recorded and from which file."""
    if isinstance(views, dict):
        return {k: comparable(v) for k, v in views.items() if k not in ("recorded_at", "source")}
    if isinstance(views, list):
        return [comparable(v) for v in views]
    return views


def by_ref(views: list[Json]) -> dict[str, Json]:
    """Every item of the views (sub-actions too), by ref."""
    found = {}
    for view in views:
        found[view["ref"]] = view
        found |= by_ref(view["sub_actions"])
    return found
