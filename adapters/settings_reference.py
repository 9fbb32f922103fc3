"""The environment reference (``docs/environment.md``), written from the settings model.

Every field of ``adapters.settings.Settings`` is one entry: the variable it is read from
(the prefix and its name, or its aliases), its type, its default, its description, and the
command-line option that overrides it, found on the ``recledger`` command itself. Nothing
in the page is written by hand, so it cannot drift from the model::

    python -m adapters.settings_reference > docs/environment.md

``tests/unit/test_settings_reference.py`` fails when the committed page is not what this
writes, and names that command.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from adapters.settings import Settings, variables

COMMAND = "python -m adapters.settings_reference > docs/environment.md"
"""How the page is made again (from the repository's root)."""

_INTRO = f"""\
# Environment

<!-- Generated from adapters/settings.py by `{COMMAND}`: do not edit by hand. -->

Every `recledger` process (each command, `recledger serve` and its workers, `recledger
project`) reads these variables when it starts; a command-line option, where there is one,
overrides its variable. A value the settings cannot take is refused in one line naming the
variable, before anything is opened. A yes-or-no value is written `1`/`0`, `true`/`false`,
`yes`/`no` or `on`/`off`.
"""


def setting_variables() -> dict[str, str]:
    """Every variable the settings read, to the name of its field."""
    return {
        variable: name
        for name, field in Settings.model_fields.items()
        for variable in variables(name, field)
    }


def type_of(annotation: Any) -> str:
    """A field's type as an operator writes it."""
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        return " or ".join(type_of(arg) for arg in kept)
    names = {str: "text", bool: "yes or no", int: "a whole number", float: "a number"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_of(field: FieldInfo) -> str:
    """A field's default: its value, unset, or what its factory says it computes."""
    if field.default_factory is not None:
        doc = (field.default_factory.__doc__ or "computed when read").strip()
        line = doc.splitlines()[0].rstrip(".")
        return line[:1].lower() + line[1:]
    if field.default is PydanticUndefined:
        return "none: required"
    if field.default is None:
        return "unset"
    if isinstance(field.default, bool):
        return f"`{str(field.default).lower()}`"
    return f"`{field.default}`"


def cli_options() -> dict[str, list[str]]:
    """The options of the ``recledger`` command (before its subcommand) that stand for a
    variable, by variable."""
    import typer.main

    from adapters.cli import app

    found: dict[str, list[str]] = {}
    for param in typer.main.get_command(app).params:
        envvar = param.envvar
        for variable in [envvar] if isinstance(envvar, str) else list(envvar or ()):
            found.setdefault(variable, []).extend(param.opts)
    return found


def undocumented() -> list[str]:
    """The fields with no description."""
    return [
        name
        for name, field in Settings.model_fields.items()
        if not (field.description or "").strip()
    ]


def render() -> str:
    """The page, as Markdown."""
    options = cli_options()
    parts = [_INTRO]
    for name, field in Settings.model_fields.items():
        first, *others = variables(name, field)
        lines = [
            f"## `{first}`",
            "",
            " ".join((field.description or "").split()),
            "",
            f"- type: {type_of(field.annotation)}",
            f"- default: {default_of(field)}",
        ]
        if others:
            lines.append("- also read from: " + ", ".join(f"`{o}`" for o in others))
        given = [opt for variable in (first, *others) for opt in options.get(variable, [])]
        if given:
            lines.append("- overridden by: " + ", ".join(f"`recledger {o}`" for o in given))
        lines.append(f"- field: `Settings.{name}` (`adapters/settings.py`)")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def main() -> None:
    problems = undocumented()
    if problems:
        raise SystemExit(f"settings without a description: {', '.join(problems)}")
    print(render(), end="")


if __name__ == "__main__":
    main()
