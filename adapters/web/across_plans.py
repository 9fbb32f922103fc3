"""Across plans (issue 29): search (``GET /api/search`` and the page ``/search``, whose
query and filters are all in its URL, so a search can be bookmarked and sent on), and what
was asked of national bodies (``GET /api/national``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from adapters.web import models as m
from adapters.web.api import ERRORS, AsAt, Call, Offset, PlanScope, kept, today
from adapters.web.limits import LimitedRoute
from adapters.web.pages import Page, given_day, render
from domain.kinds import Status
from projections.search import KINDS, SearchHit
from service.ledger import Ledger

api = APIRouter(prefix="/api", responses=ERRORS, route_class=LimitedRoute)
pages = APIRouter(include_in_schema=False)

Kind = Literal["recommendation", "sub_action", "update"]
PAGE_SIZE = 20


def found(
    ledger: Ledger, q: str, plan: str | None, filters: dict[str, Any], day: date, limit: int,
    offset: int,
) -> list[SearchHit]:  # fmt: skip
    return ledger.search(q, plan, **filters, as_at=day, limit=limit, offset=offset)


@api.get("/search", response_model=list[m.SearchHitOut], tags=["queries"])
async def search(
    call: Call,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description='Words (each must appear, stemmed), "a phrase" in quotes, a prefix*.',
        ),
    ],
    plan: PlanScope = None,
    agency: Annotated[str | None, Query(max_length=500)] = None,
    status: Status | None = None,
    kind: Kind | None = None,
    raised_from: Annotated[date | None, Query(description="Raised on or after.")] = None,
    raised_to: Annotated[date | None, Query(description="Raised on or before.")] = None,
    as_at: AsAt = None,
    limit: Annotated[int, Query(ge=0, le=200)] = PAGE_SIZE,
    offset: Offset = 0,
) -> Response:
    """Recommendations, sub-actions and progress updates whose text matches ``q`` as at a
    date, best first, each with the words found marked in a snippet."""
    day = as_at or today()
    filters = {"agency": agency, "status": status, "kind": kind, "raised_from": raised_from,
               "raised_to": raised_to}  # fmt: skip
    question = ("search", q, plan, tuple(filters.items()), day, limit, offset)
    return await kept(
        call,
        question,
        lambda ledger: [h.to_json() for h in found(ledger, q, plan, filters, day, limit, offset)],
    )


@api.get("/national", response_model=list[m.NationalItemOut], tags=["queries"])
async def national(call: Call, as_at: AsAt = None) -> Response:
    """Every recommendation and sub-action addressed to a national body, across the plans,
    as at a date: its status, age in days and latest response, oldest first."""
    day = as_at or today()
    return await kept(
        call, ("national", day), lambda ledger: [n.to_json() for n in ledger.national(as_at=day)]
    )


@pages.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    page: Page,
    q: str = "",
    plan: str = "",
    agency: str = "",
    status: str = "",
    kind: str = "",
    raised_from: str = "",
    raised_to: str = "",
    as_at: str = "",
    offset: int = 0,
) -> Response:
    """The query and filters as a form (GET), and the texts found, best first."""
    asked = {"q": q, "plan": plan, "agency": agency, "status": status, "kind": kind,
             "raised_from": raised_from, "raised_to": raised_to, "as_at": as_at}  # fmt: skip
    hits: list[SearchHit] = []
    if q.strip():
        day = given_day(as_at, "as at") or today()
        filters = {
            "agency": agency or None, "status": status or None, "kind": kind or None,
            "raised_from": given_day(raised_from, "raised from", first=True),
            "raised_to": given_day(raised_to, "raised to"),
        }  # fmt: skip
        hits = await page(
            lambda ledger: found(ledger, q, plan or None, filters, day, PAGE_SIZE, offset)
        )
    more = {**asked, "offset": offset + PAGE_SIZE} if len(hits) == PAGE_SIZE else None
    return render(
        request, "search.html", who=page.grant, asked=asked, hits=hits, more=more,
        statuses=[s.value for s in Status], kinds=list(KINDS.values()), offset=offset,
    )  # fmt: skip


@pages.get("/national", response_class=HTMLResponse)
async def national_page(request: Request, page: Page, as_at: str = "") -> Response:
    """What was asked of national bodies, across the plans, as at a day."""
    day = given_day(as_at, "as at") or today()
    found = await page(lambda ledger: ledger.national(as_at=day))
    return render(request, "national.html", who=page.grant, as_at=as_at, day=day, found=found)
