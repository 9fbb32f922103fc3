"""What a request body may cost: its size by kind of route, the shape of its JSON, the
parts of its forms.

A body is read only once its sender is authenticated, and only up to its route's limit
(``body_limit``: enforced by ``adapters.web.gate`` as it is read, the declared
``Content-Length`` first, a chunked body counted as it arrives): 413 with one line. JSON
is parsed only within ``JSON_DEPTH`` levels and ``JSON_VALUES`` values, checked by a
streaming parser that builds nothing (``ijson``) before ``json.loads`` builds it: 422.
Multipart forms keep to the form parser's limits of files, fields and field size
(``UPLOAD_FORM``, ``PAGE_FORM``).

(FastAPI's own ``max_body_size`` is not used: where a declared length is over it, it
replaces whatever response the route gives, the JSON detail or the error page, by a
plain-text one.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import ijson
from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from adapters.importing.limits import MAX_DOCUMENT_BYTES, MiB

KiB = 1024
COMMAND_BODY = 1 * MiB
"""A JSON command or a page's form. A text field holds up to 50,000 characters: 200,000
bytes in UTF-8, 600,000 written as JSON's ``\\uXXXX`` escapes (Python's ``json.dumps``
by default) or percent-encoded by a browser's form; two such fields in UTF-8 fit too."""
UPLOAD_BODY = MAX_DOCUMENT_BYTES + 64 * KiB
"""An uploaded plan document (the importer's own cap), with its form fields."""
UPLOADS = frozenset({"/api/imports", "/import"})
"""The routes that take an upload (the API's, the pages' form)."""
JSON_DEPTH = 32
JSON_VALUES = 10_000
"""Values in one JSON body: array items, object members' values, the document itself."""
UPLOAD_FORM: dict[str, int] = {"max_files": 1, "max_fields": 16, "max_part_size": 16 * KiB}
"""The form of an upload: one file, a few short fields (plan, version, dates, kind...)."""
PAGE_FORM: dict[str, int] = {"max_files": 0, "max_fields": 32, "max_part_size": COMMAND_BODY}
"""A page's form of a change: no file, its fields, a long text among them."""

_OPENS = {"start_map", "start_array"}
_CLOSES = {"end_map", "end_array"}


def json_too_large(body: bytes) -> str | None:
    """What makes ``body`` too deep or too large to parse, if anything (read as events of
    a streaming parser, nothing built); malformed JSON is left to ``json.loads`` to name."""
    depth = values = 0
    try:
        for event, _ in ijson.basic_parse(body):
            if event in _CLOSES:
                depth -= 1
                continue
            if event == "map_key":
                continue
            values += 1
            if values > JSON_VALUES:
                return f"JSON holding more than {JSON_VALUES:,} values"
            if event in _OPENS:
                depth += 1
                if depth > JSON_DEPTH:
                    return f"JSON nested deeper than {JSON_DEPTH} levels"
    except ijson.JSONError:
        return None
    return None


class LimitedRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            problem = json_too_large(body)
            if problem:
                detail = [{"loc": ["body"], "msg": problem, "type": "json_too_large"}]
                raise HTTPException(422, detail=detail)
            self._json = json.loads(body)
        return self._json


class LimitedRoute(APIRoute):
    """A route whose JSON body is checked for depth and size before it is parsed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            return await handler(LimitedRequest(request.scope, request.receive))

        return limited


def body_limit(path: str) -> int:
    """The most a request to ``path`` may send (bytes)."""
    return UPLOAD_BODY if path in UPLOADS else COMMAND_BODY


def too_large(limit: int) -> HTTPException:
    """The 413, in one line."""
    size = f"{limit // MiB} MiB" if limit >= MiB else f"{limit // KiB} KiB"
    return HTTPException(413, f"the request body is larger than this route's limit of {size}")
