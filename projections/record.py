"""The ledger's records (frozen dataclasses) to and from JSON data: pydantic's codec.

It lives here, not in the domain, which imports neither pydantic nor anything of the
outside: a domain value a record holds gets its form here (``FuzzyDateData``, ``Moment``).
A record's JSON form is what pydantic makes of it (``TypeAdapter``), keyed by its
attributes' aliases: each field by its value's own form, then its ``computed_field``
properties. A record shapes its form with pydantic's own field metadata
(``Annotated[..., Field(exclude=True)]``, ``serialization_alias``, ``exclude_if``).
The read models store the records so; the queries' answers, the CLI's ``--json`` and
the API's bodies are the answers' records so; the API documents them by the same
adapters' schemas.

The records stay plain dataclasses: the fold and the queries make them unvalidated, as
any value; only what is read back from JSON is validated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import ConfigDict, GetCoreSchemaHandler, PlainSerializer, TypeAdapter, WithJsonSchema
from pydantic_core import CoreSchema, core_schema

from domain.fuzzy_date import FuzzyDate, Precision

T = TypeVar("T")

Moment = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A moment, in its ISO 8601 form as Python writes it (``+00:00``, not pydantic's ``Z``)."""


class _AsData:
    """To pydantic, a fuzzy date is its data form (``FuzzyDate.to_data``, ``from_data``)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        day = core_schema.nullable_schema(core_schema.date_schema())

        def form(name: str, inferred_given: bool) -> CoreSchema:
            field = core_schema.typed_dict_field
            return core_schema.typed_dict_schema(
                {
                    "text": field(core_schema.str_schema()),
                    "start": field(day),
                    "end": field(day),
                    "precision": field(handler.generate_schema(Precision)),
                    "inferred": field(core_schema.bool_schema(), required=inferred_given),
                },
                ref=name,
                metadata={"pydantic_js_updates": {"title": name}},
            )

        return core_schema.no_info_plain_validator_function(
            lambda value: value if isinstance(value, FuzzyDate) else FuzzyDate.from_data(value),
            json_schema_input_schema=form("FuzzyDateIn", inferred_given=False),
            serialization=core_schema.plain_serializer_function_ser_schema(
                vars,  # its fields, each then in its form: as ``to_data`` gives them
                return_schema=form("FuzzyDateOut", inferred_given=True),
            ),
        )


FuzzyDateData = Annotated[FuzzyDate, _AsData()]
"""A fuzzy date in a record: its text, interval, precision and whether inferred."""


def absent(value: object) -> bool:
    """For ``Field(exclude_if=absent)``: a field left out of the JSON form when None."""
    return value is None


_adapters: dict[type, TypeAdapter[Any]] = {}


def adapter(cls: type) -> TypeAdapter[Any]:
    """Pydantic's codec of a record type (made once: making it reads the type)."""
    if cls not in _adapters:
        _adapters[cls] = TypeAdapter(cls)
    return _adapters[cls]


def encoded(value: object) -> str:
    """A record's JSON text (compact, not ASCII-escaped)."""
    return adapter(type(value)).dump_json(value, by_alias=True).decode()


def decode(cls: type[T], text: str | bytes) -> T:
    """The record of type ``cls`` that ``text`` is the JSON text of."""
    found: T = adapter(cls).validate_json(text)
    return found


class JsonForm:
    """A record that gives its JSON data (``to_json``). Its schema (the API's) requires
    every key it always gives: a field with a default too, unless it may be left out."""

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(
        json_schema_serialization_defaults_required=True
    )

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = adapter(type(self)).dump_python(self, mode="json", by_alias=True)
        return found
