"""The JSON API: a route per use case of the service, nothing more.

Every route runs its use case as the holder of the bearer token that ``adapters.web.gate``
authenticated before the body was read (``Gateway.call``); the service decides what that
holder may see and do. Bodies keep to ``adapters.web.limits``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path, PureWindowsPath
from typing import Annotated, Any, Literal, TypeVar, get_type_hints

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator, WithJsonSchema

from adapters.reports import render
from adapters.web import models as m
from adapters.web.gateway import Credential, Gateway
from adapters.web.limits import UPLOAD_FORM, LimitedRoute
from domain import values
from domain.access_token import holder
from domain.agency import Agency
from domain.errors import InvalidCommand, NotAuthenticated
from domain.fuzzy_date import FuzzyDate, parse_as_at, parse_known_at
from domain.kinds import ReviewKind
from domain.values import COUNT_MAX
from projections.directory import AgencyView, PersonView
from service.command_models import (
    AddAgencyAlias,
    AddPersonAlias,
    Change,
    ChooseReminders,
    Decide,
    IssueToken,
    OpenPlan,
    RaiseRecommendation,
    RecordDocumentVersion,
    RegisterAgency,
    RegisterPerson,
    RequestUpdates,
    RevokeToken,
    SetReminderWindow,
    SetSignOff,
)
from service.ledger import Ledger

T = TypeVar("T")


def _as_at(value: Any) -> Any:
    """The domain's rule, as the CLI's: its refusal (a ValueError) is a 422 naming the
    parameter, with the forms it takes."""
    return parse_as_at(value) if isinstance(value, str) else value


def _known_at(value: Any) -> Any:
    return parse_known_at(value) if isinstance(value, str) else value


def _recorded_since(value: Any) -> Any:
    return parse_known_at(value, first=True) if isinstance(value, str) else value


AsAt = Annotated[
    date | None,
    BeforeValidator(_as_at),
    WithJsonSchema({"type": "string", "examples": ["2014-02-28", "2014-02", "Feb-2014"]}),
    Query(
        description="Effective date: a day, or a month (2014-02, Feb 2014, Feb-2014, Mar-19), "
        "season or year for its last day (default today)."
    ),
]
_MOMENT = {"type": "string", "examples": ["2015-03-01T12:00:00+00:00", "2015-03-01", "Mar 2015"]}
KnownAt = Annotated[
    datetime | None,
    BeforeValidator(_known_at),
    WithJsonSchema(_MOMENT),
    Query(description="As the ledger stood at this moment (a day or month: its last's end, UTC)."),
]
RecordedSince = Annotated[
    datetime | None,
    BeforeValidator(_recorded_since),
    WithJsonSchema(_MOMENT),
    Query(description="Recorded at or after this moment (a day or month: its first's start)."),
]
PlanScope = Annotated[str | None, Query(description="One plan (default: all you see).")]
Offset = Annotated[
    int, Query(ge=0, le=COUNT_MAX, description=f"Skip this many rows (at most {COUNT_MAX:,}).")
]
"""Every integer a route takes is bounded by the document: a limit by its page size, an
offset by ``COUNT_MAX`` (one past a database's 64-bit integers was a 500 or a 503)."""

_bearer = HTTPBearer(auto_error=False, description="A token from `recledger token add`.")

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": m.ErrorOut, "description": "No token, or not a valid one"},
    403: {"model": m.ErrorOut, "description": "The token's role may not do this"},
    404: {"model": m.ErrorOut, "description": "No such plan (or not in the token's scope) or ref"},
    422: {"model": m.InvalidOut, "description": "Bad input: what and where"},
    503: {"model": m.ErrorOut, "description": "The storage failed"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"model": m.ConflictOut, "description": "Stale expected_version (with the current)"},
    413: {"model": m.ErrorOut, "description": "The body is larger than the route admits"},
}


def as_stored(data: Any) -> JSONResponse:
    """A read's answer exactly as the CLI's ``--json`` prints it (its ``to_json``); the
    route's response model documents it, and the schema tests hold it to that."""
    return JSONResponse(data)


async def kept(call: Caller, question: Hashable, read: Callable[[Ledger], Any]) -> Response:
    """``as_stored(read(ledger))``, kept for the log position (``Caller.answer``):
    ``question`` must name everything the answer depends on."""
    body = await call.answer(question, lambda ledger: bytes(as_stored(read(ledger)).body))
    return Response(body, media_type="application/json")


def today() -> date:
    """Today (UTC): what an as-at date defaults to, as in the service."""
    return datetime.now(UTC).date()


def gateway(request: Request) -> Gateway:
    found: Gateway = request.app.state.gateway
    return found


class Caller:
    """The holder of a credential (a bearer token, or a page session's token), able to
    run use cases as themselves (the credential's grant kept for the log position, or
    checked in the same trip to the ledger); their events record ``source`` ("api", or
    "web" from the pages).

    Where a projection worker keeps the read models, each call notes in the request's
    ``state`` how far behind the log they were when it began (``Lag``), for the
    response's headers (``adapters.web.app.LagHeaders``)."""

    def __init__(self, credential: Credential, gateway: Gateway, source: str, request: Request):
        self.credential, self.gateway, self.source = credential, gateway, source
        self._state = request.state

    async def __call__(self, use: Callable[[Ledger], T]) -> T:
        if self.gateway.keeps_answers:
            return await self.gateway.call(self.credential, self.source, use)
        lag, found = await self.gateway.call(
            self.credential, self.source, lambda ledger: (ledger.visible_lag(), use(ledger))
        )
        self._state.lag = lag
        return found

    async def answer(self, question: Hashable, use: Callable[[Ledger], T]) -> T:
        """A read's answer: kept for the log's position (``Gateway.answer``), unless a
        worker keeps the read models (then they move on under an unchanged log)."""
        if self.gateway.keeps_answers:
            position = getattr(self._state, "position", None)  # read by the gate
            return await self.gateway.answer(self.credential, question, use, position)
        return await self(use)


async def api_caller(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # documents it
) -> Caller:
    """The caller the gate authenticated (``adapters.web.gate``), before the body."""
    credential: Credential | None = getattr(request.state, "credential", None)
    if credential is None:
        raise NotAuthenticated("send a bearer token: Authorization: Bearer <token>")
    return Caller(credential, gateway(request), "api", request)


Call = Annotated[Caller, Depends(api_caller)]
router = APIRouter(prefix="/api", responses=ERRORS, route_class=LimitedRoute)
writes = APIRouter(prefix="/api", responses=WRITE_ERRORS, route_class=LimitedRoute)


# Reads


@router.get("/plans", response_model=list[m.PlanOut], tags=["plans"])
async def plans(call: Call) -> JSONResponse:
    return as_stored([p.to_json() for p in await call(lambda ledger: ledger.plans())])


@router.get("/plans/{plan}", response_model=m.PlanOut, tags=["plans"])
async def plan(plan: str, call: Call) -> JSONResponse:
    return as_stored((await call(lambda ledger: ledger.plan_view(plan))).to_json())


@router.get(
    "/plans/{plan}/recommendations",
    response_model=list[m.RecommendationOut],
    response_model_exclude_unset=True,
    tags=["recommendations"],
)
async def recommendations(
    plan: str, call: Call, as_at: AsAt = None, known_at: KnownAt = None
) -> Response:
    """Every recommendation of the plan as at a date, as known at a moment: the objects of
    ``recledger status PLAN --json``. Now (neither date given), each with ``follow_up``."""
    day = as_at or today()

    def status(ledger: Ledger) -> list[dict[str, Any]]:
        views = ledger.status(plan, as_at=day, known_at=known_at)
        standing = ledger.standing(plan) if as_at is None and known_at is None else None
        return [_shown(view, standing) for view in views]

    return await kept(call, ("status", plan, day, known_at, as_at is None), status)


def _shown(view: Any, standing: Any) -> dict[str, Any]:
    """A view's JSON, with where it stands now in the follow-up cycle when that is asked."""
    from service.reminders import with_standing

    found: dict[str, Any] = view.to_json()
    return found if standing is None else with_standing(found, standing)


@router.get(
    "/plans/{plan}/recommendations/{ref:path}/history",
    response_model=list[m.HistoryEntryOut],
    tags=["recommendations"],
)
async def history(plan: str, ref: str, call: Call) -> JSONResponse:
    """Every event of the recommendation (and its sub-actions): who, when, effective when,
    why, source, and what each correction replaced."""
    entries = await call(lambda ledger: ledger.history(plan, ref))
    return as_stored([entry.to_json() for entry in entries])


@router.get(
    "/plans/{plan}/recommendations/{ref:path}",
    response_model=m.RecommendationDetailOut,
    response_model_exclude_unset=True,
    tags=["recommendations"],
)
async def recommendation(
    plan: str, ref: str, call: Call, as_at: AsAt = None, known_at: KnownAt = None
) -> JSONResponse:
    """One recommendation (with its sub-actions) or sub-action, and its version now; now
    (neither date given), with ``follow_up``."""

    def detail(ledger: Ledger) -> dict[str, Any]:
        rec, _ = ledger.item(plan, ref)
        view = ledger.detail(plan, ref, as_at=as_at, known_at=known_at)
        standing = ledger.standing(plan) if as_at is None and known_at is None else None
        return {**_shown(view, standing), "version": rec.version}

    return as_stored(await call(detail))


@router.get("/overdue", response_model=m.OverduePageOut, tags=["queries"])
async def overdue(
    call: Call,
    plan: PlanScope = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 50,
    offset: Offset = 0,
) -> Response:
    """Overdue items as at a date, most overdue first: a page of them and the total."""
    day = as_at or today()
    return await kept(
        call,
        ("overdue", plan, day, known_at, limit, offset),
        lambda ledger: ledger.overdue(
            plan, as_at=day, known_at=known_at, limit=limit, offset=offset
        ).to_json(),
    )


REPORT_TYPES = {
    200: {
        "content": {media.split(";")[0]: {} for media in render.MEDIA_TYPES.values()},
        "description": "The report file",
    }
}


def report_file(name: str, form: str, content: bytes) -> Response:
    return Response(
        content,
        media_type=render.MEDIA_TYPES[form],
        headers={"Content-Disposition": f'attachment; filename="{name}.{form}"'},
    )


@router.get(
    "/plans/{plan}/export",
    response_class=Response,
    responses=REPORT_TYPES,  # type: ignore[arg-type]
    tags=["reports"],
)
async def export(
    plan: str,
    call: Call,
    format: Annotated[Literal["html", "md", "csv", "xlsx", "txt"], Query()] = "html",
    as_at: AsAt = None,
    known_at: KnownAt = None,
) -> Response:
    """The plan as it stood on a day, as known at a moment, in the document's shape,
    stamped with the log's position and head (``recledger verify --report``)."""
    report = await call(lambda ledger: ledger.plan_as_at(plan, as_at, known_at))
    name = f"{plan}-as-at-{report.as_at.isoformat()}"
    return report_file(name, format, render.plan_report(report, format))


@router.get(
    "/plans/{plan}/board-report",
    response_class=Response,
    responses=REPORT_TYPES,  # type: ignore[arg-type]
    tags=["reports"],
)
async def board_report(
    plan: str,
    call: Call,
    since: Annotated[date, Query(description="From this day (included).")],
    until: Annotated[date | None, Query(description="To this day (included; today).")] = None,
    format: Annotated[Literal["html", "md", "xlsx"], Query()] = "html",
) -> Response:
    """What changed between two days, and the overdue list, with counts."""
    board = await call(lambda ledger: ledger.board_report(plan, since, until))
    name = f"{plan}-changes-{board.since.isoformat()}-to-{board.until.isoformat()}"
    return report_file(name, format, render.board_report(board, format))


@router.get("/plans/{plan}/changes", response_model=list[m.ChangeOut], tags=["queries"])
async def changes(
    plan: str,
    call: Call,
    since: Annotated[date, Query(description="From this day (included).")],
    until: Annotated[date | None, Query(description="To this day (included; today).")] = None,
    recorded: Annotated[bool, Query(description="The recorded axis, not the effective.")] = False,
) -> JSONResponse:
    """What changed between two days, on the effective or the recorded axis."""
    found = await call(lambda ledger: ledger.changes(plan, since, until, recorded=recorded))
    return as_stored([change.to_json() for change in found])


@router.get("/leads", response_model=list[m.LeadLoadOut], tags=["queries"])
async def leads(
    call: Call, plan: PlanScope = None, as_at: AsAt = None, known_at: KnownAt = None
) -> list[dict[str, Any]]:
    """Open, overdue and completed counts per lead."""
    found: list[dict[str, Any]] = await call(
        lambda ledger: ledger.workload("lead", plan, as_at=as_at, known_at=known_at)
    )
    return found


@router.get("/agencies", response_model=list[m.AgencyLoadOut], tags=["queries"])
async def agencies(
    call: Call, plan: PlanScope = None, as_at: AsAt = None, known_at: KnownAt = None
) -> list[dict[str, Any]]:
    """Open, overdue and completed counts per agency."""
    found: list[dict[str, Any]] = await call(
        lambda ledger: ledger.workload("agency", plan, as_at=as_at, known_at=known_at)
    )
    return found


@router.get("/audit", response_model=list[m.AuditRowOut], tags=["integrity"])
async def audit(
    call: Call,
    plan: PlanScope = None,
    actor: str | None = None,
    type: Annotated[str | None, Query(description="e.g. ProgressRecorded")] = None,
    since: RecordedSince = None,
    until: KnownAt = None,
    limit: Annotated[int, Query(ge=0, le=10000)] = 1000,
    offset: Offset = 0,
) -> JSONResponse:
    """The log as an inspector reads it, each entry with its hash, in log order."""

    def rows(ledger: Ledger) -> list[dict[str, Any]]:
        found = ledger.audit(plan, actor=actor, event_type=type, since=since, until=until)
        return [row.to_json() for row in islice(found, offset, offset + limit)]

    return as_stored(await call(rows))


@router.get("/verify", response_model=m.VerificationOut, tags=["integrity"])
async def verify(call: Call) -> dict[str, Any]:
    """Recompute every event's hash from the stored log and compare it with its seal,
    check every write's signature, then every read model's rows against their digests."""
    found: dict[str, Any] = (await call(lambda ledger: ledger.verify())).to_json()
    return found


@router.get("/head", response_model=m.HeadOut, tags=["integrity"])
async def head(call: Call) -> dict[str, Any]:
    """The log's position and head hash (its Merkle root) as sealed now."""
    found = await call(lambda ledger: ledger.head())
    return {"size": found.size, "root": found.root.hex()}


# Writes: each one the CLI command of the same name


@writes.post("/plans", status_code=201, response_model=m.OpenedOut, tags=["plans"])
async def open_plan(body: OpenPlan, call: Call) -> dict[str, Any]:
    opened = await call(lambda ledger: ledger.open_plan(body))
    return {"plan": opened.plan_id, "version": opened.version}


@writes.post("/plans/{plan}/versions", status_code=201, response_model=m.OpenedOut, tags=["plans"])
async def document_version(plan: str, body: RecordDocumentVersion, call: Call) -> dict[str, Any]:
    """Record a version of the plan's document."""
    recorded = await call(lambda ledger: ledger.record_document_version(plan, body))
    return {"plan": plan, "version": recorded.version}


@writes.post(
    "/plans/{plan}/recommendations",
    status_code=201,
    response_model=m.OpenedOut,
    tags=["recommendations"],
)
async def raise_recommendation(plan: str, body: RaiseRecommendation, call: Call) -> dict[str, Any]:
    rec = await call(lambda ledger: ledger.raise_recommendation(plan, body))
    return {"plan": plan, "ref": rec.state.ref, "version": rec.version}


ITEM = "/plans/{plan}/recommendations/{ref:path}"


async def _change(plan: str, ref: str, body: m.Change, call: Caller) -> dict[str, Any]:
    """Apply a change; answer its events and the version after them (``expected_version``
    held when they were saved, or nothing would have been)."""
    recorded = await call(lambda ledger: ledger.change(plan, ref, body))
    assert body.expected_version is not None  # required of a request (``m.CHANGES``)
    ids = recorded.event_ids
    return {
        "event_ids": ids,
        "version": body.expected_version + len(ids),
        "proposal": recorded.proposal,
    }


def _change_route(verb: str, model: type[Change]) -> None:
    async def route(plan: str, ref: str, body: Change, call: Call) -> dict[str, Any]:
        return await _change(plan, ref, body, call)

    # the body's own model (under postponed annotations, FastAPI reads these objects)
    route.__annotations__ = {**get_type_hints(route, include_extras=True), "body": model}
    route.__name__ = f"post_{verb}"
    writes.post(
        f"{ITEM}/{verb}",
        status_code=201,
        response_model=m.RecordedOut,
        tags=["changes"],
        summary=model.what,
    )(route)


for _verb, _model in m.CHANGES.items():
    _change_route(_verb, _model)


@writes.post(
    "/imports",
    status_code=201,
    response_model=m.ImportOut,
    tags=["plans"],
    form_limits=UPLOAD_FORM,  # type: ignore[arg-type]  # its TypedDict is private
)
async def import_document(
    call: Call,
    file: Annotated[
        UploadFile, File(description="Extracted text (.txt), .csv, .xlsx, Word (.docx) or .pdf.")
    ],
    plan: Annotated[str | None, Form()] = None,
    version: Annotated[str | None, Form()] = None,
    version_date: Annotated[str | None, Form()] = None,
    plan_date: Annotated[str | None, Form()] = None,
    kind: Annotated[ReviewKind | None, Form()] = None,
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Import a plan's document; a later version records only what changed."""
    return await import_upload(
        call, file, plan=plan, version=version, version_date=version_date,
        plan_date=plan_date, kind=kind, dry_run=dry_run,
    )  # fmt: skip


async def import_upload(
    call: Caller,
    file: UploadFile,
    *,
    plan: str | None = None,
    version: str | None = None,
    version_date: str | None = None,
    plan_date: str | None = None,
    kind: ReviewKind | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Read an uploaded document and import it (the API's and the pages' upload)."""
    from adapters.import_report import report_json
    from adapters.importing.document import read_document

    name = upload_name(file.filename)
    raw = await file.read()  # within the route's body limit (adapters.web.limits)
    issued, agreed = _calendar(version_date, "version_date"), _calendar(plan_date, "plan_date")

    def run(ledger: Ledger) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name  # a base name, never a path
            path.write_bytes(raw)
            document, warnings, encoding = read_document(
                path, plan_id=plan, version_label=version, version_date=issued,
                plan_date=agreed, kind=kind,
            )  # fmt: skip
        outcome = ledger.import_document(document, dry_run=dry_run)
        return report_json(document, outcome, warnings, dry_run=dry_run, encoding=encoding)

    found: dict[str, Any] = await call(run)
    return found


def upload_name(sent: str | None) -> str:
    """The uploaded file's own name, as the ledger records it: its folders (``/`` or
    ``\\``) dropped; refused, naming the field, when nothing is left of it or it is
    longer than the ledger keeps (255 characters) or a file system allows (255 bytes)."""
    if not sent:
        return "upload.txt"
    name = PureWindowsPath(sent).name.strip()  # either separator
    if name in {"", ".", ".."}:
        raise InvalidCommand(f"file: {sent[:100]!r} is not the name of a file")
    name = values.line(name, "file: the file's name", values.FILE_NAME_MAX)
    if len(name.encode()) > values.FILE_NAME_MAX:
        raise InvalidCommand(
            f"file: the file's name is {len(name.encode()):,} bytes in UTF-8; the limit is 255"
        )
    return name


def _calendar(text: str | None, field: str) -> FuzzyDate | None:
    if not text:
        return None
    found = FuzzyDate.given(text)
    if not found.is_dated:
        raise InvalidCommand(f"{field}: {text!r} is not a date on the calendar")
    return found


@router.get("/directory/agencies", response_model=list[m.AgencyOut], tags=["directory"])
async def directory(call: Call) -> list[dict[str, Any]]:
    """The directory's agencies, each with its canonical name, kind and aliases."""
    return [a.to_json() for a in await call(lambda ledger: ledger.agencies())]


@writes.post("/directory/agencies", status_code=201, response_model=m.AgencyOut, tags=["directory"])
async def register_agency(body: RegisterAgency, call: Call) -> dict[str, Any]:
    """Enter an agency in the directory (coordinators)."""
    agency = await call(lambda ledger: ledger.register_agency(body))
    return _agency(agency)


@writes.post(
    "/directory/agencies/{slug}/aliases",
    status_code=201,
    response_model=m.AgencyOut,
    tags=["directory"],
)
async def add_agency_alias(slug: str, body: AddAgencyAlias, call: Call) -> dict[str, Any]:
    """Another spelling of an agency's name (coordinators): what is stored under it, before
    or after, counts under the agency."""
    return _agency(await call(lambda ledger: ledger.add_agency_alias(slug, body)))


def _agency(agency: Agency) -> dict[str, Any]:
    return AgencyView.of(agency).to_json()


@router.get("/directory/people", response_model=list[m.PersonOut], tags=["directory"])
async def people(call: Call) -> list[dict[str, Any]]:
    """The directory's people: name, post, agency, e-mail, reminders, aliases."""
    return [p.to_json() for p in await call(lambda ledger: ledger.people())]


@writes.post("/directory/people", status_code=201, response_model=m.PersonOut, tags=["directory"])
async def register_person(body: RegisterPerson, call: Call) -> dict[str, Any]:
    """Enter a person in the directory (coordinators)."""
    return PersonView.of(await call(lambda ledger: ledger.register_person(body))).to_json()


@writes.post(
    "/directory/people/{email}/aliases",
    status_code=201,
    response_model=m.PersonOut,
    tags=["directory"],
)
async def add_person_alias(email: str, body: AddPersonAlias, call: Call) -> dict[str, Any]:
    """Another way plans name a person (coordinators): leads written so are linked to them."""
    person = await call(lambda ledger: ledger.add_person_alias(email, body))
    return PersonView.of(person).to_json()


@writes.put("/directory/people/{email}/reminders", response_model=m.PersonOut, tags=["directory"])
async def choose_reminders(email: str, body: ChooseReminders, call: Call) -> dict[str, Any]:
    """Whether a person gets reminders by e-mail (coordinators)."""
    person = await call(lambda ledger: ledger.choose_reminders(email, body))
    return PersonView.of(person).to_json()


@router.get("/directory/unlinked-leads", response_model=list[m.LeadLoadOut], tags=["directory"])
async def unlinked_leads(call: Call, plan: PlanScope = None) -> list[dict[str, Any]]:
    """The leads, as known now, whom no person of the directory is known as."""
    found: list[dict[str, Any]] = await call(lambda ledger: ledger.unlinked_leads(plan))
    return found


@writes.post(
    "/plans/{plan}/requests", status_code=201, response_model=m.RequestedOut, tags=["requests"]
)
async def request_updates(plan: str, body: RequestUpdates, call: Call) -> dict[str, Any]:
    """Ask the leads of the plan's open items (of one agency, or all) for a progress update
    (coordinators)."""
    _, items = await call(lambda ledger: ledger.request_updates(plan, body))
    return {"items": items}


@router.get("/plans/{plan}/requests", response_model=list[m.RequestOut], tags=["requests"])
async def requests(plan: str, call: Call) -> list[dict[str, Any]]:
    """Each item asked for an update: its latest request, and whether it is answered."""
    found = await call(lambda ledger: ledger.requests(plan))
    return [view.to_json() for view in found.values()]


@router.get(
    "/plans/{plan}/response-rates", response_model=list[m.ResponseRateOut], tags=["requests"]
)
async def response_rates(
    plan: str,
    call: Call,
    since: RecordedSince = None,
    until: KnownAt = None,
) -> list[dict[str, Any]]:
    """Per agency: the items asked about in the period's requests (recorded from ``since``
    to ``until``; default: ever, and now), and how many of them were answered."""
    first, last = since or datetime.min.replace(tzinfo=UTC), until or datetime.now(UTC)
    found = await call(lambda ledger: ledger.response_rates(plan, first, last))
    return [rate.to_json() for rate in found]


@router.get("/proposals", response_model=list[m.ProposalOut], tags=["sign-off"])
async def proposals(
    call: Call,
    plan: PlanScope = None,
    decided: Annotated[bool, Query(description="Decided ones too.")] = False,
) -> list[dict[str, Any]]:
    """The approvals queue: changes awaiting a coordinator's sign-off, oldest first."""
    found = await call(lambda ledger: ledger.proposals(plan, pending_only=not decided))
    return [p.to_json() for p in found]


@writes.post(
    "/proposals/{proposal}/decision",
    status_code=201,
    response_model=m.DecidedOut,
    tags=["sign-off"],
)
async def decide(proposal: str, body: Decide, call: Call) -> dict[str, Any]:
    """Approve (the change takes effect now, as of its proposed date) or reject a proposed
    change (coordinators; never the one who proposed it)."""
    return {"event_ids": await call(lambda ledger: ledger.decide(proposal, body))}


@writes.put("/plans/{plan}/sign-off", response_model=m.SignOffOut, tags=["sign-off"])
async def set_sign_off(plan: str, body: SetSignOff, call: Call) -> dict[str, Any]:
    """Which changes need a coordinator's sign-off in the plan (coordinators)."""
    found = await call(lambda ledger: ledger.set_sign_off(plan, body))
    changes = sorted(kind.value for kind in found.sign_off)
    return {"changes": changes, "coordinators_too": found.coordinators_sign_off}


@writes.put("/plans/{plan}/reminder-window", response_model=m.ReminderWindowOut, tags=["requests"])
async def set_reminder_window(plan: str, body: SetReminderWindow, call: Call) -> dict[str, Any]:
    """How many days ahead of their targets the plan's open items are due soon, in
    reminders and the inbox (coordinators)."""
    found = await call(lambda ledger: ledger.set_reminder_window(plan, body))
    return {"days": found.reminder_days}


@router.get("/tokens", response_model=list[m.TokenListedOut], tags=["access"])
async def tokens(call: Call) -> list[dict[str, Any]]:
    """The tokens issued (coordinators): to whom, role, scope, issued, revoked; no secret."""
    return [t.to_json() for t in await call(lambda ledger: ledger.tokens())]


@writes.post("/tokens", status_code=201, response_model=m.TokenOut, tags=["access"])
async def issue_token(body: IssueToken, call: Call) -> dict[str, Any]:
    """Issue a token (coordinators): it is shown once, the ledger keeps its hash."""
    token = await call(lambda ledger: ledger.issue_token(body))
    return {"name": holder(token)[0], "token": token}


@writes.post("/tokens/{name}/revocation", status_code=204, tags=["access"])
async def revoke_token(name: str, body: RevokeToken, call: Call) -> None:
    await call(lambda ledger: ledger.revoke_token(name, body))
