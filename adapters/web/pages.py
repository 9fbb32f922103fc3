"""The web pages: server-rendered (Jinja2), no script of their own, everything local.

Signing in with a token begins a session held by the server (``adapters.web.sessions``:
the cookie is an opaque id, HttpOnly, SameSite=Strict); every page request checks the
token again by its name, so a revoked token stops at once, and signing out ends the
session everywhere. Every form carries the session's CSRF token (the sign-in form, before
there is a session, a random one also set in a cookie: a double-submit). The forms use
the API's request models and use cases, so a page cannot do what the API refuses.

A write the ledger refuses (``written``) shows again the page its form was on, with the
refusal's status and message and what was typed in that form (the templates read it with
``kept``); the follow-up pages (approvals, requests) are in ``adapters.web.follow_up_pages``.
"""

from __future__ import annotations

import hmac
import secrets
from calendar import monthrange
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from pydantic import BaseModel, ValidationError
from swagger_ui_bundle import swagger_ui_path

from adapters.reports import render as reports
from adapters.reports.shape import section_title, sections
from adapters.web import models as m
from adapters.web.api import Caller, import_upload, report_file, today
from adapters.web.chart import trend_svg
from adapters.web.errors import status_of
from adapters.web.gateway import Bearer, Gateway, SessionOf
from adapters.web.limits import PAGE_FORM, UPLOAD_FORM
from adapters.web.sessions import Session
from domain.access import Grant, Role
from domain.errors import InvalidCommand, LedgerError, NotAuthenticated
from domain.fuzzy_date import parse_as_at, parse_known_at, parse_since
from domain.kinds import SETTABLE_STATUSES
from domain.time_axes import asked_at
from projections.views import RecommendationView
from service.command_models import AddAgencyAlias, AddPersonAlias, RaiseRecommendation
from service.ledger import Ledger

M = TypeVar("M", bound=BaseModel)
HERE = Path(__file__).parent
STATIC = HERE / "static"
SWAGGER = Path(str(swagger_ui_path))
templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes HTML

router = APIRouter(include_in_schema=False)


SIGNIN_COOKIE = "recledger_signin"
"""The sign-in form's CSRF token, before there is a session (a double-submit cookie)."""


def session_of(request: Request) -> Session | None:
    """The live session the gate found for this request (``adapters.web.gate``)."""
    found: Session | None = getattr(request.state, "session", None)
    return found


def csrf_token(request: Request) -> str:
    """The CSRF token forms carry: the session's, or before there is one the sign-in
    cookie's (a new one is set by ``render``)."""
    session = session_of(request)
    if session is not None:
        return session.csrf
    return request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(32)


def check_csrf(request: Request, sent: str) -> None:
    session = session_of(request)
    expected = session.csrf if session else request.cookies.get(SIGNIN_COOKIE)
    if not expected or not hmac.compare_digest(expected, sent):
        raise InvalidCommand("this form has expired (CSRF token): reload the page and try again")


class SignedIn(Caller):
    """The holder of the session's token, what it grants (for the page), and the
    session (for its messages)."""

    def __init__(self, session: Session, gateway: Gateway, grant: Grant, request: Request):
        super().__init__(SessionOf(session.name), gateway, "web", request)
        self.grant, self.session = grant, session


async def signed_in(request: Request) -> SignedIn:
    session = session_of(request)
    if session is None:
        raise NotAuthenticated("sign in with your token")
    return SignedIn(session, request.app.state.gateway, request.state.grant, request)


Page = Annotated[SignedIn, Depends(signed_in)]


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("who", None)
    refused: Refused | None = getattr(request.state, "refused", None)
    if refused is not None:  # the page a refused form was on, shown again (``written``)
        code, context["said"], context["typed"] = refused.status, refused.said, refused.typed
    context.setdefault("typed", {})
    session = session_of(request)
    flash = session.said() if session else None
    lag = getattr(request.state, "lag", None)  # noted by a call, where a worker projects
    behind = lag.behind if lag is not None else 0
    csrf = csrf_token(request)
    response = templates.TemplateResponse(
        request, name, {"csrf": csrf, "flash": flash, "behind": behind, **context}, code
    )
    if session is None and name == "signin.html" and request.cookies.get(SIGNIN_COOKIE) != csrf:
        response.set_cookie(
            SIGNIN_COOKIE,
            csrf,
            max_age=3600,
            path="/signin",
            httponly=True,
            samesite="strict",
            secure=request.app.state.settings.secure_cookies,
        )
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    if status == 401:
        return RedirectResponse("/signin", 303)
    request.state.refused = None  # not the page a form was on after all
    return render(request, "error.html", status, status=status, message=message)


@dataclass(frozen=True)
class Refused:
    """A write refused: its status, its message, and what was typed, by the form's name."""

    status: int
    said: str
    typed: dict[str, dict[str, str]]


Posted = dict[str, Any]


async def written(
    request: Request,
    form: Posted,
    write: Callable[[Posted], Awaitable[Response]],
    again: Callable[[], Awaitable[Response]],
) -> Response:
    """``write``'s answer (given a copy of the posted form to make its command of); if the
    ledger refuses it (bad input, a rule, a stale version, not permitted, not found), the
    page the form was on (``again``: its GET route's answer) with the refusal's status and
    message, and in the form posted (its ``form`` field names it) what was typed. Where
    that page cannot be shown either, or the session or storage failed, the error page."""
    try:
        return await write(dict(form))
    except LedgerError as error:
        status = status_of(error)
        if status in (401, 503):
            raise
        typed = {str(form.get("form", "")): form}
        request.state.refused = Refused(status, f"Not recorded: {error}", typed)
        try:
            return await again()
        except LedgerError:
            raise error from None


@pass_context
def kept(context: Context, form: str, field: str, default: Any = "") -> Any:
    """What was typed in ``field`` of the form named ``form`` when it was refused."""
    typed: dict[str, dict[str, Any]] = context.get("typed") or {}
    return typed.get(form, {}).get(field, default)


def given_day(text: str | None, field: str, *, first: bool = False) -> date | None:
    """A day: of a month or season given, its last (as an as-at date is), or ``first``."""
    try:
        return (parse_since if first else parse_as_at)(text) if text else None
    except ValueError as error:
        raise InvalidCommand(f"{field}: {error}") from None


def _moment(text: str | None, field: str) -> datetime | None:
    try:
        return parse_known_at(text) if text else None
    except ValueError as error:
        raise InvalidCommand(f"{field}: {error}") from None


# Signing in and out


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return RedirectResponse("/plans" if session_of(request) else "/signin", 303)


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request) -> Response:
    return render(request, "signin.html")


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request, token: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf)
    try:
        grant, _ = await request.app.state.gateway.authenticate(Bearer(token.strip()))
    except NotAuthenticated as error:
        return render(request, "signin.html", 401, error=str(error))
    sessions = request.app.state.sessions
    if (old := session_of(request)) is not None:
        old.ended = True
        await sessions.save(old)
    message = f"Signed in as {grant.name} ({grant.role.value})."
    request.state.session = await sessions.begin(grant.name, message)
    return RedirectResponse("/plans", 303)


@router.post("/signout", response_class=HTMLResponse)
async def signout(request: Request, page: Page, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    page.session.ended = True  # the row goes as the response starts (adapters.web.gate)
    return RedirectResponse("/signin", 303)


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> Response:
    return render(request, "docs.html")


# Plans


@router.get("/plans", response_class=HTMLResponse)
async def plans(request: Request, page: Page) -> Response:
    found = await page(lambda ledger: ledger.plans())
    return render(request, "plans.html", who=page.grant, plans=found, role=Role)


@router.get("/plans/{plan}", response_class=HTMLResponse)
async def plan_page(
    request: Request,
    plan: str,
    page: Page,
    as_at: str | None = None,
    known_at: str | None = None,
    agency: str | None = None,
    lead: str | None = None,
) -> Response:
    given, moment = given_day(as_at, "as at"), _moment(known_at, "as known at")
    day = given or today()

    def read(ledger: Ledger) -> dict[str, Any]:
        return {
            "views": ledger.status(plan, as_at=day, known_at=moment),
            "plan": ledger.plan_view(plan),
            "overdue": ledger.overdue(plan, as_at=day, known_at=moment, limit=100),
            "coordinates": ledger.may_coordinate(plan),
        }

    found = await page.answer(("plan page", plan, day, moment), read)
    views: list[RecommendationView] = found["views"]
    shown = [
        v
        for v in views
        if (not agency or v.agency == agency) and (not lead or lead in _leads_of(v))
    ]
    return render(
        request,
        "plan.html",
        who=page.grant,
        as_at=day.isoformat(),
        known_at=known_at or "",
        asked=asked_at(given, moment),
        agency=agency or "",
        lead=lead or "",
        agencies=sorted({v.agency for v in views if v.agency}),
        leads=sorted({name for v in views for name in _leads_of(v)}),
        sections=list(sections(shown)),
        statuses=[s.value for s in SETTABLE_STATUSES],
        **found,
    )


@router.get("/plans/{plan}/chart.svg")
async def chart(request: Request, plan: str, page: Page, as_at: str | None = None) -> Response:
    """Open, completed and overdue items, month by month up to the day shown."""
    end = given_day(as_at, "as at") or today()

    def read(ledger: Ledger) -> Any:
        views = ledger.status(plan, as_at=end)
        raised = [v.raised.start for v in views if v.raised and v.raised.start]
        return ledger.trend(plan, _month_ends(min(raised, default=None), end))

    svg = trend_svg(await page(read))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/plans/{plan}/export")
async def export(
    plan: str,
    page: Page,
    format: str = "html",
    as_at: str | None = None,
    known_at: str | None = None,
) -> Response:
    """The plan as shown (as at, as known at) as a report file to download."""
    if format not in reports.PLAN_FORMATS:
        raise InvalidCommand(f"no report format {format!r}")
    day, moment = given_day(as_at, "as at"), _moment(known_at, "as known at")
    report = await page(lambda ledger: ledger.plan_as_at(plan, day, moment))
    name = f"{plan}-as-at-{report.as_at.isoformat()}"
    return report_file(name, format, reports.plan_report(report, format))


@router.get("/plans/{plan}/board-report")
async def board_report(
    plan: str, page: Page, since: str = "", until: str | None = None, format: str = "html"
) -> Response:
    if format not in reports.BOARD_FORMATS:
        raise InvalidCommand(f"no report format {format!r}")
    start = given_day(since, "from", first=True)
    if start is None:
        raise InvalidCommand("from: give the first day of the period")
    end = given_day(until, "to")
    board = await page(lambda ledger: ledger.board_report(plan, start, end))
    name = f"{plan}-changes-{board.since.isoformat()}-to-{board.until.isoformat()}"
    return report_file(name, format, reports.board_report(board, format))


@router.post("/plans/{plan}/recommendations", response_class=HTMLResponse)
async def raise_recommendation(request: Request, plan: str, page: Page) -> Response:
    async def write(form: Posted) -> Response:
        body = validated(RaiseRecommendation, {**form, "leads": _lines(form.get("leads"))})
        rec = await page(lambda ledger: ledger.raise_recommendation(plan, body))
        page.session.say(f"Raised {rec.state.ref}.")
        return RedirectResponse(f"/plans/{plan}/r/{rec.state.ref}", 303)

    return await written(request, await read_form(request), write,
                         lambda: plan_page(request, plan, page))  # fmt: skip


@router.post(
    "/import",
    response_class=HTMLResponse,
    form_limits=UPLOAD_FORM,  # type: ignore[arg-type]  # its TypedDict is private
)
async def import_document(
    request: Request,
    page: Page,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
    plan: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    version_date: Annotated[str, Form()] = "",
    plan_date: Annotated[str, Form()] = "",
    preview: Annotated[str, Form()] = "",
) -> Response:
    """Import a plan's document, or (``preview``) show what importing it would record and
    its warnings, recording nothing."""
    check_csrf(request, csrf)
    typed = {"form": "import", "plan": plan, "version": version,
             "version_date": version_date, "plan_date": plan_date}  # fmt: skip

    async def write(form: Posted) -> Response:
        report = await import_upload(
            page, file, plan=plan or None, version=version or None,
            version_date=version_date or None, plan_date=plan_date or None, dry_run=bool(preview),
        )  # fmt: skip
        if preview:
            return render(request, "import_preview.html", who=page.grant, report=report,
                          typed={"import": typed})  # fmt: skip
        events = len(report["events"])
        done = "already imported" if report["already_imported"] else f"{events} events"
        page.session.say(f"Imported {report['plan']}: {done}.")
        return RedirectResponse(f"/plans/{report['plan']}", 303)

    return await written(request, typed, write, lambda: plans(request, page))


# One recommendation


@router.get("/plans/{plan}/r/{ref:path}", response_class=HTMLResponse)
async def recommendation(
    request: Request,
    plan: str,
    ref: str,
    page: Page,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    first, last = given_day(since, "from"), given_day(until, "to")

    def read(ledger: Ledger) -> dict[str, Any]:
        rec, _ = ledger.item(plan, ref)
        now = ledger.detail(plan, ref)
        diff = None
        if first or last:
            before = _maybe(lambda: ledger.detail(plan, ref, as_at=first))
            after = _maybe(lambda: ledger.detail(plan, ref, as_at=last))
            diff = _diff(before, after)
        return {
            "view": now,
            "version": rec.version,
            "history": ledger.history(plan, ref),
            "may_change": ledger.may_change(plan, ref),
            "pending": [p for p in ledger.proposals(plan) if p.ref == now.ref],
            "diff": diff,
            "alike": ledger.similar(plan, ref, limit=3) if now.parent is None else [],
        }

    found = await page(read)
    return render(
        request,
        "recommendation.html",
        who=page.grant,
        plan_id=plan,
        since=(first.isoformat() if first else ""),
        until=(last or today()).isoformat(),
        statuses=[s.value for s in SETTABLE_STATUSES],
        today=today().isoformat(),
        **found,
    )


@router.post("/plans/{plan}/r/{ref:path}/{verb}", response_class=HTMLResponse)
async def change(request: Request, plan: str, ref: str, verb: str, page: Page) -> Response:
    model = m.CHANGES.get(verb)
    if model is None:
        raise InvalidCommand(f"no such change: {verb!r}")
    form = await read_form(request)
    back = str(form.get("back", ""))
    where = back if back in BACK else f"/plans/{plan}/r/{ref}"

    async def write(form: Posted) -> Response:
        for listed in ("leads",):
            if listed in form:
                form[listed] = _lines(form[listed]) or None
        if verb == "corrections":
            form["retract"] = form.get("retract") == "on"
        body = validated(model, form)
        recorded = await page(lambda ledger: ledger.change(plan, ref, body))
        ids = recorded.event_ids
        if recorded.proposal is not None:
            page.session.say("Proposed: it takes effect when a coordinator signs it off.")
        else:
            page.session.say(f"Recorded ({len(ids)} event{'s' * (len(ids) != 1)}).")
        return RedirectResponse(where, 303)

    shown = BACK.get(where)
    again = (lambda: shown(request, page)) if shown else (
        lambda: recommendation(request, plan, ref, page))  # fmt: skip
    return await written(request, form, write, again)


# Inbox


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, page: Page) -> Response:
    """What awaits the one signed in: their items due soon and overdue, the updates asked
    of them, the proposals waiting; each item with a form to record an update."""

    def read(ledger: Ledger) -> dict[str, Any]:
        found = ledger.inbox(today())
        items = {(i.plan, i.ref): i for i in [*found.overdue, *found.due_soon]}
        for asked in found.requests:
            items.setdefault((asked.plan, asked.ref), ledger.detail(asked.plan, asked.ref))
        versions = {key: ledger.item(*key)[0].version for key in items}
        return {"inbox": found, "versions": versions}

    found = await page(read)
    return render(request, "inbox.html", who=page.grant, role=Role, today=today().isoformat(),
                  **found)  # fmt: skip


BACK: dict[str, Callable[[Request, SignedIn], Awaitable[Response]]] = {"/inbox": inbox}
"""The pages a change's form may return to, besides its item's (no open redirect): by
path, its GET route (shown again, with what was typed, if the change is refused)."""


# Directory


@router.get("/directory", response_class=HTMLResponse)
async def directory(request: Request, page: Page) -> Response:
    """The agencies with their aliases, the people, and the leads no one is known as."""

    def read(ledger: Ledger) -> dict[str, Any]:
        return {
            "agencies": ledger.agencies(),
            "people": ledger.people(),
            "unlinked": ledger.unlinked_leads(),
        }

    found = await page(read)
    return render(request, "directory.html", who=page.grant, role=Role, **found)


@router.post("/directory/agencies/{slug}/aliases", response_class=HTMLResponse)
async def add_agency_alias(request: Request, slug: str, page: Page) -> Response:
    async def write(form: Posted) -> Response:
        adding = validated(AddAgencyAlias, form)
        await page(lambda ledger: ledger.add_agency_alias(slug, adding))
        return _back_to_directory(page, f"{adding.alias!r} now names the agency {slug}.")

    return await written(request, await read_form(request), write, lambda: directory(request, page))


@router.post("/directory/people/{email}/aliases", response_class=HTMLResponse)
async def add_person_alias(request: Request, email: str, page: Page) -> Response:
    async def write(form: Posted) -> Response:
        adding = validated(AddPersonAlias, form)
        await page(lambda ledger: ledger.add_person_alias(email, adding))
        said = f"Leads written {adding.alias!r} are now linked to {email}."
        return _back_to_directory(page, said)

    return await written(request, await read_form(request), write, lambda: directory(request, page))


def _back_to_directory(page: SignedIn, said: str) -> Response:
    page.session.say(said)
    return RedirectResponse("/directory", 303)


# Helpers


async def read_form(request: Request) -> Posted:
    """The posted form (CSRF checked), empty fields left out."""
    form = await request.form(**PAGE_FORM)
    check_csrf(request, str(form.get("csrf", "")))
    return {k: v for k, v in form.items() if k != "csrf" and isinstance(v, str) and v.strip()}


def validated(model: type[M], form: dict[str, Any]) -> M:
    try:
        return model.model_validate(form)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidCommand(problems) from None


def _lines(text: Any) -> list[str]:
    """Names typed one a line (or separated by semicolons)."""
    if not isinstance(text, str):
        return []
    return [part.strip() for part in text.replace(";", "\n").splitlines() if part.strip()]


def _leads_of(view: RecommendationView) -> set[str]:
    return {name for item in view.items() for name in item.leads}


def _maybe(read: Any) -> RecommendationView | None:
    try:
        found: RecommendationView = read()
    except LedgerError:
        return None  # not raised yet at that date
    return found


FIELDS = ("text", "agency", "leads", "target", "status", "completed", "rag")


def _diff(before: RecommendationView | None, after: RecommendationView | None) -> dict[str, Any]:
    """What differs between the item as at two dates: each field, and updates added."""

    def shown(view: RecommendationView | None, name: str) -> str:
        if view is None:
            return "(not raised yet)"
        value = getattr(view, name)
        if isinstance(value, tuple):
            return "; ".join(value)
        return getattr(value, "text", None) or getattr(value, "value", None) or str(value or "")

    fields = [
        (name, shown(before, name), shown(after, name))
        for name in FIELDS
        if shown(before, name) != shown(after, name)
    ]
    known = {u.event_id for u in before.updates} if before else set()
    added = [u for u in after.updates if u.event_id not in known] if after else []
    return {"fields": fields, "updates": added}


def _month_ends(start: date | None, end: date) -> list[date]:
    """The last day of each month from ``start``'s (default: a year before ``end``) to
    ``end``'s, ``end`` itself last (at most 60, thinned). Months are counted, not dates
    added to, so the first and the last months of the calendar are no edge."""
    last = end.year * 12 + end.month - 1
    first = max(12, last - 12) if start is None else start.year * 12 + start.month - 1
    days = [_month_end(month, end) for month in range(first, last + 1)]
    step = max(1, -(-len(days) // 60))
    return days[::-1][::step][::-1]


def _month_end(month: int, end: date) -> date:
    """The last day of a month counted from January of year 0 (or ``end``, if sooner)."""
    year, index = divmod(month, 12)
    return min(date(year, index + 1, monthrange(year, index + 1)[1]), end)


templates.env.globals["section_title"] = section_title
templates.env.globals["kept"] = kept
