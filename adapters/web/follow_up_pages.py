"""The follow-up cycle's pages (issue 27): the approvals queue (``/proposals``), where a
coordinator signs off proposed changes, and the requests for updates (``/requests``), where
a coordinator sees what was asked of the leads, what is answered, and asks again.

The same machinery as ``adapters.web.pages``: a session, CSRF on every form, the service's
commands and role rules, and a refused form shown again on its page with what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.web.api import today
from adapters.web.pages import Page, Posted, read_form, render, validated, written
from domain.access import Role
from domain.errors import InvalidCommand
from projections.requests import RequestView
from service.command_models import Decide, RequestUpdates
from service.ledger import Ledger

router = APIRouter(include_in_schema=False)


# Sign-off


@router.get("/proposals", response_class=HTMLResponse)
async def proposals(request: Request, page: Page) -> Response:
    """The approvals queue: what awaits sign-off, then what was decided, newest first."""

    def read(ledger: Ledger) -> dict[str, Any]:
        every = ledger.proposals(pending_only=False)
        decided = [p for p in every if p.decision != "pending"]
        decided.sort(key=lambda p: p.decided_at or p.recorded_at, reverse=True)
        return {"pending": [p for p in every if p.decision == "pending"], "decided": decided}

    found = await page(read)
    return render(request, "proposals.html", who=page.grant, role=Role, **found)


@router.post("/proposals/{proposal}/decision", response_class=HTMLResponse)
async def decide(request: Request, proposal: str, page: Page) -> Response:
    async def write(form: Posted) -> Response:
        body = validated(Decide, {**form, "approve": form.get("decision") == "approve"})
        await page(lambda ledger: ledger.decide(proposal, body))
        page.session.say("Approved: the change is made." if body.approve else "Rejected.")
        return RedirectResponse("/proposals", 303)

    return await written(request, await read_form(request), write, lambda: proposals(request, page))


# Requests for updates


@router.get("/requests", response_class=HTMLResponse)
async def requests(request: Request, page: Page) -> Response:
    """For each plan the one signed in sees: the requests for updates, newest first, each
    with the items it asked about (those it is the latest request of) and whether an
    update answered them; for a coordinator, a form to ask again."""

    def read(ledger: Ledger) -> dict[str, Any]:
        seen = ledger.plans()
        return {
            "plans": [
                {"plan": plan, "asked": _by_request(ledger.requests(plan.plan_id).values())}
                for plan in seen
            ],
            "coordinated": [p.plan_id for p in seen if ledger.may_coordinate(p.plan_id)],
        }

    found = await page(read)
    return render(request, "requests.html", who=page.grant, today=today(), **found)


@router.post("/requests", response_class=HTMLResponse)
async def request_updates(request: Request, page: Page) -> Response:
    async def write(form: Posted) -> Response:
        plan = str(form.get("plan", ""))
        if not plan:
            raise InvalidCommand("plan: choose the plan whose leads to ask")
        asking = validated(RequestUpdates, form)
        _, items = await page(lambda ledger: ledger.request_updates(plan, asking))
        page.session.say(f"Asked for updates on {items} open item{'s' * (items != 1)} of {plan}.")
        return RedirectResponse("/requests", 303)

    return await written(request, await read_form(request), write, lambda: requests(request, page))


def _by_request(views: Iterable[RequestView]) -> list[dict[str, Any]]:
    """The items asked about, by the request (its moment and due day) that last asked
    them: newest first, each request's items by ref, with how many are answered."""
    grouped: dict[tuple[datetime, date | None], list[RequestView]] = {}
    for view in views:
        grouped.setdefault((view.requested_at, view.due), []).append(view)
    return [
        {
            "at": at,
            "due": due,
            "rows": sorted(items, key=lambda v: v.ref),
            "answered": sum(v.answered_at is not None for v in items),
        }
        for (at, due), items in sorted(grouped.items(), key=lambda g: g[0][0], reverse=True)
    ]
