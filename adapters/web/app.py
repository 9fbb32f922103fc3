"""The HTTP application: the JSON API, the pages, and what they share.

``create_app`` is the composition root of a server process (uvicorn calls it once per
worker): one ``Gateway`` to the configured ledger, the gate that authenticates before a
body is read (and keeps the pages' sessions), the routes and their body limits, the error
table, the security headers and, where a projection worker keeps the read models, the
headers that say how far behind the log they are.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.settings import Settings
from adapters.stores.common import scrub, storage_cause, storage_errors
from adapters.web import across_plans, api, follow_up_pages, pages
from adapters.web.errors import body_of, status_of
from adapters.web.gate import Gate, is_api
from adapters.web.gateway import Gateway
from adapters.web.sessions import Sessions
from domain.errors import LedgerError, StorageUnavailable

log = logging.getLogger("recledger.web")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """Adds the security headers to every response (a plain ASGI wrapper: no per-request
    task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class LagHeaders:
    """Where a projection worker keeps the read models, says on each response how far
    behind the log they were when its answer began (``Caller`` notes it): the log's
    position, the read models', and the difference (at most that many events are not in
    the answer). A plain ASGI wrapper, as ``SecurityHeaders``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def with_lag(message: Message) -> None:
            lag = state.get("lag")
            if message["type"] == "http.response.start" and lag is not None:
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-recledger-log-position", str(lag.log).encode()),
                    (b"x-recledger-read-models-position", str(lag.read_models).encode()),
                    (b"x-recledger-read-models-behind", str(lag.behind).encode()),
                ]
            await send(message)

        await self.app(scope, receive, with_lag)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    gateway = Gateway(settings)
    sessions = Sessions(lambda: gateway.shared().read_models_engine())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.aclose()

    app = FastAPI(
        title="recledger",
        summary="The audit-first ledger of action-plan recommendations.",
        version="0.1.0",
        docs_url=None,  # served by the pages, from local files (no CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.state.settings = settings
    app.state.sessions = sessions
    app.include_router(api.router)
    app.include_router(api.writes)
    app.include_router(pages.router)
    app.include_router(follow_up_pages.router)
    app.include_router(across_plans.api)
    app.include_router(across_plans.pages)
    app.mount("/static/swagger", StaticFiles(directory=pages.SWAGGER), name="swagger")
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")

    @app.exception_handler(LedgerError)
    async def refused(request: Request, error: LedgerError) -> Response:
        status = status_of(error)
        if _wants_page(request):
            return pages.error_page(request, status, str(error))
        where = "body" if request.method == "POST" else "query"
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body_of(error, status, where), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        if _wants_page(request):
            return pages.error_page(request, 422, "; ".join(_plain(e) for e in detail))
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(HTTPException)
    async def http_refused(request: Request, error: HTTPException) -> Response:
        """A body over its route's limit (413, ``adapters.web.gate``), JSON too deep or too
        large (422, ``adapters.web.limits``), a malformed form (400, Starlette), no such
        route (404)."""
        detail = error.detail
        if _wants_page(request):
            shown = detail if isinstance(detail, str) else "; ".join(map(_plain, detail))
            return pages.error_page(request, error.status_code, shown)
        return JSONResponse({"detail": detail}, error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> Response:
        if isinstance(error, storage_errors()):
            message = scrub(f"the database failed: {storage_cause(error)}", settings.db)
            return await refused(request, StorageUnavailable(message))
        log.exception("unexpected failure on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error (logged)"}, 500)

    app.add_middleware(Gate, gateway=gateway, sessions=sessions, secure=settings.secure_cookies)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LagHeaders)
    return app


def _wants_page(request: Request) -> bool:
    return not is_api(request.url.path)


def _plain(error: dict[str, Any]) -> str:
    field = ".".join(str(part) for part in error["loc"][1:]) or "input"
    return f"{field}: {error['msg']}"


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory`` (each worker): the settings from RECLEDGER_* variables."""
    return create_app()
