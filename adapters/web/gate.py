"""Who the caller is, found before anything reads the request's body.

FastAPI reads and parses a body before it runs a route's dependencies, so checking the
token there let anyone make the server read and parse any body (issue 25: 30 MB of
nested arrays, 14 s and ~600 MB, to answer 401). This plain ASGI wrapper runs first:

- ``/api``: the bearer token is authenticated (``Gateway.authenticate``: a grant kept for
  this log position, else one check in the ledger, kept for the call that follows);
  without a valid one, 401 and the body is never read.
- the pages: the session of the cookie is found (``adapters.web.sessions``) and its
  token checked by name; a POST without a live session goes to the sign-in page, its
  body unread (signing in itself excepted). At the response's start the session's
  changes are kept and its cookie set or cleared.

Then the body is read only up to its route's limit (``adapters.web.limits.body_limit``):
a declared ``Content-Length`` over it is refused at the first read, before any byte is
taken; a chunked body as soon as it passes it. The refusal (an ``HTTPException``, 413)
is answered by the app's handler, as JSON or an error page.

Routes find the credential, its grant, the log's position it was checked at (read since
the request arrived: a kept answer needs no second read) and the session in the
request's ``state``.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.stores.common import scrub, storage_cause, storage_errors
from adapters.web.errors import body_of, status_of
from adapters.web.gateway import Bearer, Gateway, SessionOf
from adapters.web.limits import body_limit, too_large
from adapters.web.sessions import COOKIE, LIFETIME, Session, Sessions
from domain.errors import LedgerError, NotAuthenticated, StorageUnavailable

UNSIGNED_POSTS = frozenset({"/signin"})
"""The pages a POST may reach without a session."""
NO_SESSION = ("/static/", "/openapi.json")
"""Paths that never need a session (files, the API's description)."""


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class Gate:
    def __init__(self, app: ASGIApp, gateway: Gateway, sessions: Sessions, secure: bool):
        self.app, self.gateway, self.sessions = app, gateway, sessions
        self.flags = "HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(NO_SESSION):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        try:
            if is_api(path):
                await self._bearer(scope, state)
            else:
                cookie = HTTPConnection(scope).cookies.get(COOKIE)
                await self._session(cookie, state)
        except LedgerError as error:
            await self._refuse(error, path)(scope, receive, send)
            return
        except storage_errors() as error:
            cause = scrub(f"the database failed: {storage_cause(error)}", self.gateway.settings.db)
            await self._refuse(StorageUnavailable(cause), path)(scope, receive, send)
            return
        receive = _capped(scope, receive, body_limit(path))
        if is_api(path):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and path not in UNSIGNED_POSTS and not state["session"]:
            response = RedirectResponse("/signin", 303)
            if cookie:
                response.headers.append("set-cookie", self._cookie("", 0))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, self._keeping(state, cookie, send))

    async def _bearer(self, scope: Scope, state: dict[str, object]) -> None:
        scheme, _, token = HTTPConnection(scope).headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("send a bearer token: Authorization: Bearer <token>")
        credential = Bearer(token.strip())
        state["grant"], state["position"] = await self.gateway.authenticate(credential)
        state["credential"] = credential

    async def _session(self, cookie: str | None, state: dict[str, object]) -> None:
        """The live session of the cookie, if any, and its token's grant (a revoked
        token's sessions all end)."""
        state["session"] = None
        session = await self.sessions.find(cookie) if cookie else None
        if session is None:
            return
        credential = SessionOf(session.name)
        try:
            state["grant"], state["position"] = await self.gateway.authenticate(credential)
        except NotAuthenticated:
            await self.sessions.end_all(session.name)
            return
        state["session"], state["credential"] = session, credential

    def _keeping(self, state: dict[str, object], cookie: str | None, send: Send) -> Send:
        """``send``, keeping the session's changes and setting its cookie as the response
        starts: a new session's id, or clearing a cookie that names no live session."""

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = state.get("session")
                headers = MutableHeaders(scope=message)
                if isinstance(session, Session):
                    if session.changed or session.ended:
                        await self.sessions.save(session)
                    if session.ended:
                        headers.append("set-cookie", self._cookie("", 0))
                    elif session.id:
                        headers.append("set-cookie", self._cookie(session.id, LIFETIME))
                elif cookie:
                    headers.append("set-cookie", self._cookie("", 0))
            await send(message)

        return keeping

    def _cookie(self, value: str, max_age: int) -> str:
        return f"{COOKIE}={value}; Path=/; Max-Age={max_age}; {self.flags}"

    def _refuse(self, error: LedgerError, path: str) -> Response:
        status = status_of(error)
        if not is_api(path):
            if status == 401:
                return RedirectResponse("/signin", 303)
            return Response(str(error), status, media_type="text/plain; charset=utf-8")
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body_of(error, status, "header"), status, headers=headers)


def _capped(scope: Scope, receive: Receive, limit: int) -> Receive:
    """``receive``, refusing (413) a body over ``limit``: by its declared length before
    reading any of it, else as soon as what arrived passes it."""
    declared = HTTPConnection(scope).headers.get("content-length", "")
    received = 0

    async def capped() -> Message:
        nonlocal received
        if declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return capped
