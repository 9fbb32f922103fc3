"""The API's response models made from the ledger's records: each key of a record's JSON
form (``domain.record.json_fields``, the codec's own description) with its type, so the
OpenAPI document describes exactly what the codec writes, and a field added to a record
is in both at once."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, create_model

from domain.record import json_fields

_made: dict[type, type[BaseModel]] = {}
_making: set[type] = set()


def response_model(cls: type, name: str | None = None) -> type[BaseModel]:
    """The pydantic model of a record's JSON form (named ``<Record>Out``, "View" dropped)."""
    if cls in _made:
        return _made[cls]
    _making.add(cls)
    fields: dict[str, Any] = {
        field.key: (_shape(field.hint), ... if field.required else None)
        for field in json_fields(cls)
    }
    _making.discard(cls)
    model = create_model(name or _name(cls), **fields)
    _made[cls] = model
    model.model_rebuild(_types_namespace={_name(c): m for c, m in _made.items()})
    return model


def _name(cls: type) -> str:
    return f"{cls.__name__.removesuffix('View')}Out"


def _shape(hint: Any) -> Any:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return Union[tuple(_shape(arg) for arg in args)]  # noqa: UP007
    if origin in (tuple, list):
        return list[_shape(args[0])]  # type: ignore[misc]
    if origin in (dict, Mapping):
        return dict[str, _shape(args[1])]  # type: ignore[misc]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _name(hint) if hint in _making else response_model(hint)
    return hint
