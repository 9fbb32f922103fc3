"""The queries: the read side of the use cases, answered from the read models."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from domain import values
from domain.errors import (
    InvalidCommand,
    NotPermitted,
    PlanNotFound,
    RecommendationNotFound,
)
from domain.kinds import AgencyKind, Status
from domain.rules import NO_LEAD
from domain.spelling import spelling_key
from projections import queries
from projections.changes import Bound, changes_in
from projections.directory import (
    AgencyView,
    PersonView,
    agencies_in_order,
    leads_known,
    names_known,
    people_in_order,
    refiled,
)
from projections.history import HistoryEntry, history
from projections.national import NationalItem, first_day, national_items
from projections.plans import PlanView, plan_view, plans_in_order
from projections.search import KINDS, Filters, SearchHit, agency_spellings, parse, search
from projections.similar import Said, other_recommendations
from projections.tables import micros
from projections.views import ChangeView, Page, RecommendationView
from service import access
from service.store import Store, today


class Queries(Store):
    """What the users ask: plans, an item's history, the plan as at D as known at T,
    overdue, changes, workload. Each read catches up with the log first (unless a
    projection worker keeps the read models), so it never answers stale."""

    def plan_view(self, plan_id: str) -> PlanView:
        """One plan as the plans projection holds it (title, kind, document versions)."""
        access.check_sees(plan_id)
        with self._read_model().engine.connect() as conn:
            found = plan_view(conn, plan_id)
        if found is None:
            raise PlanNotFound(f"no plan {plan_id!r}; open it first")
        return found

    def plans(self) -> list[PlanView]:
        """Every plan, in the order they were opened (from the plans projection)."""
        with self._read_model().engine.connect() as conn:
            found = plans_in_order(conn)
        return [plan for plan in found if access.sees(plan.plan_id)]

    def may_change(self, plan_id: str, ref: str) -> bool:
        """Whether the one acting may record changes to this item (to offer the forms)."""
        rec, action = self.item(plan_id, ref)
        try:
            access.check_writes(plan_id, rec, action)
        except NotPermitted:
            return False
        return True

    def may_coordinate(self, plan_id: str) -> bool:
        try:
            access.check_coordinates(plan_id, "coordinate")
        except NotPermitted:
            return False
        return True

    def trend(self, plan_id: str, days: Iterable[date]) -> list[tuple[date, dict[str, int]]]:
        """Open, overdue and completed items of a plan as at each day (as known now)."""
        found = []
        for day in days:
            rows = self.workload("agency", plan_id, as_at=day)
            found.append(
                (day, {m: sum(r[m] for r in rows) for m in ("open", "overdue", "completed")})
            )
        return found

    def history(self, plan_id: str, ref: str) -> list[HistoryEntry]:
        """Every event of a recommendation (its sub-actions' too), or of one sub-action."""
        rec, action = self.item(plan_id, ref)
        entries = history(rec.log)
        if action is None:
            return entries
        wanted = rec.state.item(action).ref
        return [entry for entry in entries if entry.ref == wanted]

    def status(
        self,
        plan_id: str | None = None,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> list[RecommendationView]:
        """Every recommendation (of one plan, or all) as at a day, as known at a moment."""
        found = self._query(
            plan_id, lambda conn, day: queries.snapshot(conn, plan_id, day, known_at), as_at
        )
        return found if plan_id is not None else [v for v in found if access.sees(v.plan)]

    def detail(
        self,
        plan_id: str,
        ref: str,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> RecommendationView:
        """One recommendation or sub-action as at a day, as known at a moment: everything
        about it."""
        rec, action = self.item(plan_id, ref)
        wanted = rec.state.item(action).ref
        for view in self.status(plan_id, as_at=as_at, known_at=known_at):
            for item in view.items():
                if item.ref == wanted:
                    return item
        when = f" as at {as_at.isoformat()}" if as_at else ""
        raise RecommendationNotFound(f"plan {plan_id!r} has no recommendation {wanted}{when}")

    def overdue(
        self,
        plan_id: str | None = None,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page:
        """The overdue items as at a day, most overdue first: ``limit`` summary rows from
        ``offset``, and how many there are in all."""
        values.count(offset, "offset")
        if limit is not None:
            values.count(limit, "limit")
        plan_id = access.narrow(plan_id)
        return self._query(
            plan_id,
            lambda conn, day: queries.overdue_page(conn, plan_id, day, known_at, limit, offset),
            as_at,
            found=lambda page: bool(page.total),
        )

    def search(
        self,
        query: str,
        plan_id: str | None = None,
        *,
        agency: str | None = None,
        status: str | None = None,
        kind: str | None = None,
        raised_from: date | None = None,
        raised_to: date | None = None,
        as_at: date | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """The texts (recommendations, sub-actions, progress updates) that match ``query``
        as at a day (as known now), best first: ``limit`` from ``offset``."""
        clauses = parse(query)
        values.count(limit, "limit")
        values.count(offset, "offset")
        if status is not None and status not in set(Status):
            raise InvalidCommand(f"no status {status!r}: one of {', '.join(Status)}")
        if kind is not None and kind not in KINDS.values():
            raise InvalidCommand(f"no kind {kind!r}: one of {', '.join(KINDS.values())}")
        plan_id = access.narrow(plan_id)

        def found(conn: Any, day: date) -> list[SearchHit]:
            spellings = (
                None if agency is None else agency_spellings(conn, names_known(conn), agency)
            )
            plans = None if plan_id is None else (plan_id,)
            filters = Filters(plans, spellings, status, kind, raised_from, raised_to)
            return search(conn, clauses, filters, day, limit, offset)

        hits = self._query(plan_id, found, as_at)
        return [hit for hit in hits if access.sees(hit.plan)]

    def national(self, *, as_at: date | None = None) -> list[NationalItem]:
        """Every recommendation and sub-action of the plans the one acting sees addressed to
        a national body (an agency the directory marks national), as at a day (as known
        now): its status, age and latest response, oldest first."""
        day = as_at or today()
        bodies = {a.name for a in self.agencies() if a.kind is AgencyKind.NATIONAL}
        if not bodies:
            return []
        return national_items(self.status(as_at=day), self.agency_names(), bodies, day)

    def similar(self, plan_id: str, ref: str, *, limit: int = 5) -> list[Said]:
        """The recommendations of other plans (that the one acting sees) most like this
        one, by their texts as known now, most alike first, with what became of each."""
        return self.said_before(plan_id, self.detail(plan_id, ref).text, limit=limit)

    def said_before(self, plan_id: str, text: str, *, limit: int = 5) -> list[Said]:
        """The recommendations of plans other than ``plan_id`` most like ``text``."""
        from rapidfuzz import fuzz, process  # only said before compares texts
        from rapidfuzz.utils import default_process

        values.count(limit, "limit")
        others = self._query(None, lambda conn, day: other_recommendations(conn, plan_id), None)
        ranked = process.extract(
            text, [other.text for other in others], scorer=fuzz.token_set_ratio,
            processor=default_process, limit=None,
        )  # fmt: skip
        found = [replace(others[index], score=score) for _, score, index in ranked]
        said: list[Said] = []
        for other in (s for s in found if access.sees(s.plan)):
            if len(said) == limit:
                break
            now = self.detail(other.plan, other.ref)
            done, begun = first_day(now.completed), first_day(now.raised)
            days = (done - begun).days if done and begun else None
            said.append(replace(other, status=now.status.value, days=days))
        return said

    def changes(
        self,
        plan_id: str,
        since: Bound,
        until: Bound | None = None,
        *,
        recorded: bool = False,
        corrected: bool = False,
    ) -> list[ChangeView]:
        """What changed from ``since`` to ``until`` (both included; default today), on the
        effective axis (days) or the recorded one (days or moments): every event as stored,
        or, ``corrected``, as its corrections leave it (retracted ones and the corrections
        themselves left out).

        Read from the plan's own events (a plan holds a few hundred): always exact."""
        aggregates = self.plan_events(plan_id)
        return changes_in(
            plan_id, aggregates, since, until or today(), recorded=recorded, corrected=corrected
        )

    def plan_events(self, plan_id: str) -> list[tuple[str | None, list[Any]]]:
        """Every event of a plan: its own (ref None), then each recommendation's."""
        plan = self.plan(plan_id)
        self.project()  # every one of them, even where a worker keeps the read models
        with self.read_model.engine.connect() as conn:
            rec_ids = queries.recommendation_ids(conn, plan_id)
        aggregates: list[tuple[str | None, list[Any]]] = [
            (None, self.events_of(plan.id, plan.version))
        ]
        for rec_id in rec_ids:
            events = self.events_of(UUID(rec_id))
            aggregates.append((events[0].ref, events))
        return aggregates

    def workload(
        self,
        by: Literal["lead", "agency"],
        plan_id: str | None = None,
        *,
        as_at: date | None = None,
        known_at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Open, overdue and completed counts per lead or per agency (of one plan, or all),
        over every item: as known now, counted from the items' index."""
        plan_id = access.narrow(plan_id)
        if known_at is not None:
            rows = queries.workload(self.status(plan_id, as_at=as_at, known_at=known_at), by)
            return rows if by == "lead" else refiled(rows, self.agency_names(known_at))

        def counted(conn: Any, day: date) -> list[dict[str, Any]]:
            rows = queries.workload_now(conn, by, plan_id, day)
            return rows if by == "lead" else refiled(rows, names_known(conn))

        return self._query(plan_id, counted, as_at)

    def agencies(self) -> list[AgencyView]:
        """Every agency of the directory, with its aliases."""
        return self._query(None, lambda conn, day: agencies_in_order(conn), None)

    def people(self) -> list[PersonView]:
        """Every person of the directory, with their aliases."""
        return self._query(None, lambda conn, day: people_in_order(conn), None)

    def unlinked_leads(self, plan_id: str | None = None) -> list[dict[str, Any]]:
        """The leads (of one plan, or all) as known now whom no person of the directory is
        known as, with their counts: for the coordinator to enter or alias."""
        plan_id = access.narrow(plan_id)

        def unlinked(conn: Any, day: date) -> list[dict[str, Any]]:
            linked = leads_known(conn)
            rows = queries.workload_now(conn, "lead", plan_id, day)
            return [
                row for row in rows
                if row["lead"] != NO_LEAD and spelling_key(row["lead"]) not in linked
            ]  # fmt: skip

        return self._query(plan_id, unlinked, None)

    def agency_names(self, known_at: datetime | None = None) -> dict[str, str]:
        """Each spelling the directory knows (``domain.agency.spelling_key``), and the
        canonical name of the agency it names: as known at ``known_at``, or now."""
        at = None if known_at is None else micros(known_at)
        return self._query(None, lambda conn, day: names_known(conn, at), None)
