"""docs/environment.md is the settings model written out: never edited by hand, never stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest

from adapters.settings import Settings
from adapters.settings_reference import COMMAND, render, setting_variables, undocumented

PAGE = Path(__file__).resolve().parents[2] / "docs" / "environment.md"


def test_every_setting_has_a_description() -> None:
    assert undocumented() == [], "give each field of adapters/settings.py a description"


def test_the_environment_reference_is_what_the_settings_model_writes() -> None:
    written = PAGE.read_text(encoding="utf-8") if PAGE.is_file() else ""
    assert written == render(), (
        f"docs/environment.md is out of date with adapters/settings.py: run `{COMMAND}` "
        "from the repository's root and commit the page"
    )


def test_the_reference_names_every_variable_of_every_setting() -> None:
    page = render()
    for variable in setting_variables():
        assert f"`{variable}`" in page


def _sample(annotation: Any) -> tuple[str, Any]:
    """A value a variable of this type may hold, and what the setting reads from it."""
    if get_origin(annotation) is Literal:
        value = get_args(annotation)[-1]
        return str(value), value
    if annotation is bool:
        return "yes", True
    return "from-the-environment", "from-the-environment"


@pytest.mark.parametrize("variable", sorted(setting_variables()))
def test_each_variable_named_is_the_one_the_setting_is_read_from(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for other in setting_variables():
        monkeypatch.delenv(other, raising=False)
    name = setting_variables()[variable]
    text, value = _sample(Settings.model_fields[name].annotation)
    monkeypatch.setenv(variable, text)
    assert getattr(Settings(), name) == value
