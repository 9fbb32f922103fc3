"""The one codec of the ledger's records (frozen dataclasses) to and from JSON data.

A record's JSON form is its fields, by name, each by its value's own form: a record
nested; a value that knows its data form (``to_data``/``from_data``, a fuzzy date) by
it; an enum by its value; a date or moment in ISO 8601; a tuple as a list; a mapping as
an object. A record may shape what it shows (``JsonForm``): fields it keeps to itself,
fields shown under another name, properties shown, a field left out when it is None.
The read models store the records so; the queries' answers, the CLI's ``--json`` and the
API's bodies are the answers' records so; the API's response models are made from the
same description (``json_fields``).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from functools import cache, lru_cache
from typing import Any, ClassVar, NamedTuple, Union, get_args, get_origin, get_type_hints


class JsonForm:
    """What of a record its JSON form shows, beyond its fields by their names."""

    json_hidden: ClassVar[frozenset[str]] = frozenset()
    """Fields kept out of the JSON form."""
    json_names: ClassVar[Mapping[str, str]] = {}
    """Fields shown under another name (field -> key)."""
    json_computed: ClassVar[tuple[str, ...]] = ()
    """Properties shown (after the fields)."""
    json_optional: ClassVar[frozenset[str]] = frozenset()
    """Fields left out when they are None."""

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = encode(self)
        return found


class JsonField(NamedTuple):
    key: str
    attribute: str
    hint: Any
    required: bool
    """Always present in the JSON form (not left out when None)."""


@cache
def json_fields(cls: Any) -> tuple[JsonField, ...]:
    """The keys of a record's JSON form, in order, each with the attribute it shows and
    the attribute's type."""
    hints = get_type_hints(cls)
    hidden: frozenset[str] = getattr(cls, "json_hidden", frozenset())
    names: Mapping[str, str] = getattr(cls, "json_names", {})
    optional: frozenset[str] = getattr(cls, "json_optional", frozenset())
    shown = [
        JsonField(names.get(f.name, f.name), f.name, hints[f.name], f.name not in optional)
        for f in dataclasses.fields(cls)
        if f.name not in hidden
    ]
    for name in getattr(cls, "json_computed", ()):
        hint = get_type_hints(getattr(cls, name).fget)["return"]
        shown.append(JsonField(names.get(name, name), name, hint, True))
    return tuple(shown)


def encode(value: Any) -> Any:
    """A value's JSON data."""
    if value is None or isinstance(value, str | int | float):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_data"):
        return value.to_data()
    if dataclasses.is_dataclass(value):
        found = {}
        kind: Any = type(value)
        for key, attribute, _, required in json_fields(kind):
            item = getattr(value, attribute)
            if required or item is not None:
                found[key] = encode(item)
        return found
    raise TypeError(f"no JSON form for {type(value).__name__}")


def decode(cls: Any, data: Any) -> Any:
    """The record (or value) of type ``cls`` that ``data`` is the JSON form of."""
    return _decoder(cls)(data)


@lru_cache(maxsize=256)
def _decoder(hint: Any) -> Callable[[Any], Any]:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        read = _decoder(inner)
        return lambda data: None if data is None else read(data)
    if origin is tuple:
        read = _decoder(args[0])
        return lambda data: tuple(read(item) for item in data)
    if origin is list:
        read = _decoder(args[0])
        return lambda data: [read(item) for item in data]
    if origin in (dict, Mapping):
        read = _decoder(args[1])
        return lambda data: {key: read(item) for key, item in data.items()}
    if hint is datetime or hint is date:
        return hint.fromisoformat  # type: ignore[no-any-return]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if isinstance(hint, type) and hasattr(hint, "from_data"):
        return hint.from_data  # type: ignore[no-any-return]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _record_decoder(hint)
    return lambda data: data


def _record_decoder(cls: Any) -> Callable[[Any], Any]:
    fields: list[tuple[str, str, Callable[[Any], Any]]] = []

    def read(data: Mapping[str, Any]) -> Any:
        if not fields:
            fields.extend(
                (field.key, field.attribute, _decoder(field.hint))
                for field in json_fields(cls)
                if field.attribute in {f.name for f in dataclasses.fields(cls) if f.init}
            )
        return cls(**{name: value_of(data[key]) for key, name, value_of in fields if key in data})

    return read
