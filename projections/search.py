"""Search: every text of every plan (recommendations, sub-actions, progress updates), found
by the database's own full-text engine, ranked, with the words found marked.

The search projection keeps each text as known now, read through its corrections, with the
first day as at which it counts (``domain.rules.counts_from``) and the first day its item
exists (its recommendation raised, its sub-action added). A text counts as at D when both
are on or before D; the item's row in ``rl_items`` (the recommendations projection's) gives
its status and agency then.

A query is words (each must appear; English stemming: "assessments" finds "assessment"),
"quoted phrases" (the words in that order), and prefixes (``safeguard*``). SQLite reads it
with FTS5 (porter stemmer, BM25 ranking); PostgreSQL with a stored
``to_tsvector('english', text)`` under a GIN index (``ts_rank``). A word of no letters or
digits is ignored; on PostgreSQL, so is an English stop word ("the", "and").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    column,
    delete,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)

from domain.errors import InvalidCommand
from domain.rules import counts_from
from domain.spelling import spelling_key
from domain.state import sub_action_ref
from projections.bulk import insert_rows, rows_matching
from projections.digest import Tally
from projections.directory import canonical
from projections.projection import EventSource
from projections.tables import SEARCH_INDEX, day_number, items, search_texts

KINDS = {"Raised": "recommendation", "SubActionAdded": "sub_action", "ProgressRecorded": "update"}
"""The events that record a text, and the kind of text each records."""

MARK, UNMARK = "\x02", "\x03"
"""Around each word found, in a snippet as the database gives it (then split on them)."""

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Clause:
    """One part of a query: ``words`` in that order (one word unless a phrase), the last a
    prefix when ``prefix``."""

    words: tuple[str, ...]
    prefix: bool = False


def parse(query: str) -> tuple[Clause, ...]:
    """The clauses of a query; ``InvalidCommand`` when it has no word to search for."""
    clauses = []
    for phrase, bare in _TOKEN.findall(query):
        words = tuple(w.lower() for w in _WORD.findall(phrase or bare))
        if words:
            prefix = not phrase and bare.endswith("*") and len(words) == 1
            clauses.append(Clause(words, prefix))
    if not clauses:
        raise InvalidCommand(f"nothing to search for in {query!r}: give a word")
    return tuple(clauses)


@dataclass(frozen=True)
class Filters:
    """What narrows a search: one plan (or those in ``plans``), the item's agency (any of
    its spellings) and status as at the day, the kind of text, and when its recommendation
    was raised (both days included)."""

    plans: tuple[str, ...] | None = None
    agencies: tuple[str, ...] | None = None
    status: str | None = None
    kind: str | None = None
    raised_from: date | None = None
    raised_to: date | None = None

    @property
    def asks_items(self) -> bool:
        """Whether it asks what the items are as at the day (their agency, their status)."""
        return self.agencies is not None or self.status is not None


@dataclass(frozen=True)
class SearchHit:
    plan: str
    ref: str
    kind: str
    status: str
    agency: str
    counts_from: date
    text: str
    snippet: tuple[tuple[str, bool], ...]
    """The text around the words found: pieces, each marked True where a word was found."""

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "ref": self.ref,
            "kind": self.kind,
            "status": self.status,
            "agency": self.agency,
            "counts_from": self.counts_from.isoformat(),
            "text": self.text,
            "snippet": [{"text": piece, "found": found} for piece, found in self.snippet],
        }


def search(
    conn: Connection,
    clauses: Sequence[Clause],
    filters: Filters,
    day: date,
    limit: int,
    offset: int = 0,
) -> list[SearchHit]:
    """The texts that match every clause as at ``day``, best first.

    Ranked first, from the search table alone (and the items only when a filter asks for
    their status or agency then); then, for the page of them only, each with its item's
    status and agency as at ``day`` and its snippet."""
    at = day_number(day)
    engine = _Postgres(clauses) if conn.dialect.name == "postgresql" else _Sqlite(clauses)
    item = and_(
        items.c.rec_id == search_texts.c.rec_id,
        items.c.ref == search_texts.c.ref,
        items.c.kind == "item",
        items.c.eff_from <= at,
        items.c.eff_to > at,
    )
    found = engine.found()
    ranked = (
        select(search_texts.c.id, engine.score.label("score"))
        .select_from(found.join(items, item) if filters.asks_items else found)
        .where(engine.match, *_narrowed(filters, at))
        .order_by(engine.score, *_IN_PLAN_ORDER)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    page = (
        select(search_texts, items.c.status, items.c.agency, engine.snippet.label("snippet"))
        .select_from(found.join(ranked, ranked.c.id == search_texts.c.id).join(items, item))
        .where(engine.match)
        .order_by(ranked.c.score, *_IN_PLAN_ORDER)
    )
    return [
        SearchHit(
            plan=row.plan_id,
            ref=row.ref,
            kind=row.kind,
            status=row.status,
            agency=row.agency,
            counts_from=date.fromordinal(row.eff_from),
            text=row.text,
            snippet=_pieces(row.snippet),
        )
        for row in conn.execute(page)
    ]


_IN_PLAN_ORDER = (
    search_texts.c.plan_id,
    search_texts.c.ref,
    search_texts.c.eff_from,
    search_texts.c.event_id,
)
"""Texts that rank alike, in the same order whichever way the index was built."""


class _Sqlite:
    """FTS5: the index joined by rowid, BM25 (lower is better), ``snippet``."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self.index = table(SEARCH_INDEX, column("rowid"))
        words: ColumnElement[Any] = literal_column(SEARCH_INDEX)
        match = " ".join('"' + " ".join(c.words) + '"' + ("*" if c.prefix else "") for c in clauses)
        self.match = text(f"{SEARCH_INDEX} MATCH :match").bindparams(match=match)
        self.score: ColumnElement[Any] = func.bm25(words)
        self.snippet: ColumnElement[Any] = func.snippet(words, 0, MARK, UNMARK, "…", 24)

    def found(self) -> Any:
        return search_texts.join(self.index, self.index.c.rowid == search_texts.c.id)


class _Postgres:
    """The stored ``words`` (``to_tsvector('english', text)``) under the GIN index,
    ``ts_rank`` (negated: lower is better, as BM25), ``ts_headline``."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        english: ColumnElement[Any] = literal_column("'english'")
        query: ColumnElement[Any] | None = None
        for clause in clauses:
            if clause.prefix:
                part = func.to_tsquery(english, literal(clause.words[0] + ":*"))
            elif len(clause.words) > 1:
                part = func.phraseto_tsquery(english, literal(" ".join(clause.words)))
            else:
                part = func.plainto_tsquery(english, literal(clause.words[0]))
            query = part if query is None else query.op("&&")(part)
        assert query is not None
        vector: ColumnElement[Any] = literal_column(
            "rl_search.words"
        )  # to_tsvector('english', text), stored
        options = f"StartSel={MARK}, StopSel={UNMARK}, MaxWords=35, MinWords=15, MaxFragments=2"
        self.match: ColumnElement[Any] = vector.op("@@")(query)
        self.score: ColumnElement[Any] = -func.ts_rank(vector, query)
        self.snippet: ColumnElement[Any] = func.ts_headline(
            english, search_texts.c.text, query, options
        )

    def found(self) -> Any:
        return search_texts


def _narrowed(filters: Filters, at: int) -> list[ColumnElement[bool]]:
    """Only the texts that count as at day ``at``, of items that exist then, as filtered."""
    where = [search_texts.c.eff_from <= at, search_texts.c.item_from <= at]
    if filters.plans is not None:
        where.append(search_texts.c.plan_id.in_(filters.plans))
    if filters.agencies is not None:
        where.append(items.c.agency.in_(filters.agencies))
    if filters.status is not None:
        where.append(items.c.status == filters.status)
    if filters.kind is not None:
        where.append(search_texts.c.kind == filters.kind)
    if filters.raised_from is not None:
        where.append(search_texts.c.raised >= day_number(filters.raised_from))
    if filters.raised_to is not None:
        where.append(search_texts.c.raised <= day_number(filters.raised_to))
    return where


def agency_spellings(conn: Connection, names: dict[str, str], agency: str) -> tuple[str, ...]:
    """Every agency the items name that names the same agency as ``agency``, by the
    directory's ``names`` (``names_known``): its spellings in the plans."""
    wanted = spelling_key(canonical(names, agency))
    stored = conn.execute(select(items.c.agency).where(items.c.kind == "item").distinct())
    return tuple(a for a in stored.scalars() if spelling_key(canonical(names, a)) == wanted)


def _pieces(snippet: str) -> tuple[tuple[str, bool], ...]:
    pieces: list[tuple[str, bool]] = []
    for index, part in enumerate(re.split(f"[{MARK}{UNMARK}]", snippet)):
        if part:
            pieces.append((part, index % 2 == 1))
    return tuple(pieces)


@dataclass
class _Known:
    """What the rows of a recommendation's texts carry: its plan, ref and raising day, and
    when each of its items (it, and each sub-action) exists from, by ref."""

    plan_id: str
    ref: str
    raised: int
    starts: dict[str, int]


class Search:
    """The search projection: a new text is added as its event is applied; a correction
    (or a sub-action of the oldest shape, known by its position) writes its
    recommendation's texts again, read through every correction (``texts_of``)."""

    name = "search"
    version = 1
    evidence = False
    tables: tuple[Table, ...] = (search_texts,)

    def __init__(self) -> None:
        self._known: dict[str, _Known] = {}
        """By recommendation id; forgotten when another process moves the table on."""

    def forget(self) -> None:
        self._known.clear()

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        from domain.recommendation import Recommendation  # the write model: only to apply

        if len(self._known) > 4096:
            self._known.clear()
        known = self._known
        rows: list[dict[str, Any]] = []
        again: dict[UUID, int] = {}  # the recommendations written again, to which version
        for event in events:
            if not isinstance(event, Recommendation.Event):
                continue
            if (
                event.originator_id in again
                or isinstance(event, Recommendation.Corrected)
                or (isinstance(event, Recommendation.SubActionAdded) and event.number is None)
            ):
                again[event.originator_id] = event.originator_version
                continue
            rec_id, day = str(event.originator_id), counts_from(event.effective, event.timestamp)
            if isinstance(event, Recommendation.Raised):
                raised = day_number(day)
                known[rec_id] = _Known(event.plan_id, event.ref, raised, {event.ref: raised})
                rows.append(_row(rec_id, event, known[rec_id], event.ref, day))
            elif isinstance(event, Recommendation.SubActionAdded | Recommendation.ProgressRecorded):
                if rec_id not in known:  # raised in an earlier batch
                    known[rec_id] = _stored(conn, rec_id)
                rec = known[rec_id]
                if isinstance(event, Recommendation.SubActionAdded):
                    item = sub_action_ref(rec.ref, event.number)  # type: ignore[arg-type]
                    rec.starts[item] = day_number(day)
                elif event.action is None:
                    item = rec.ref
                else:
                    item = sub_action_ref(rec.ref, event.action)
                rows.append(_row(rec_id, event, rec, item, day))
        if again:
            keys = [str(rec_id) for rec_id in again]
            old = rows_matching(conn, search_texts, ["rec_id"], [(key,) for key in keys])
            tally.rows(search_texts, old, -1)
            conn.execute(delete(search_texts).where(search_texts.c.rec_id.in_(keys)))
            rows = [row for row in rows if row["rec_id"] not in keys]
            for key in keys:  # a correction may move its raising, or take a sub-action away
                known.pop(key, None)
            for aggregate, version in again.items():
                rows += texts_of(str(aggregate), source.events_of(aggregate, version))
        insert_rows(conn, search_texts, rows, tally)


def _stored(conn: Connection, rec_id: str) -> _Known:
    """What a recommendation's texts' rows carry, from its own and its sub-actions' rows."""
    found = conn.execute(
        select(search_texts.c.kind, search_texts.c.plan_id, search_texts.c.ref,
               search_texts.c.raised, search_texts.c.eff_from)
        .where(search_texts.c.rec_id == rec_id, search_texts.c.kind != "update")
    ).all()  # fmt: skip
    [own] = (row for row in found if row.kind == "recommendation")
    return _Known(own.plan_id, own.ref, own.raised, {row.ref: row.eff_from for row in found})


def _row(rec_id: str, event: Any, rec: _Known, ref: str, day: date) -> dict[str, Any]:
    return {
        "rec_id": rec_id, "event_id": event.event_id, "plan_id": rec.plan_id, "ref": ref,
        "kind": KINDS[event.type_name], "eff_from": day_number(day), "raised": rec.raised,
        "item_from": rec.starts.get(ref, day_number(day)), "text": event.text,
    }  # fmt: skip


def texts_of(rec_id: str, events: Sequence[Any]) -> list[dict[str, Any]]:
    """A recommendation's texts as its corrections leave them, each with the day it counts
    from: a retracted text left out, and those of a sub-action whose adding was."""
    from domain.fold import amendments, item_refs, retracted

    gone, amended, refs = retracted(events), amendments(events), item_refs(events)
    rec = _Known(events[0].plan_id, events[0].ref, 0, {})
    rows: list[dict[str, Any]] = []
    for event in events:
        ref = refs[event.event_id]
        if event.type_name not in KINDS or event.event_id in gone:
            continue
        data = {**event.data(), **amended.get(event.event_id, {})}
        day = counts_from(data["effective"], event.timestamp)
        if event.type_name == "Raised":
            rec.raised = day_number(day)
        if event.type_name != "ProgressRecorded":
            rec.starts[ref] = day_number(day)
        if ref in rec.starts:  # not of a sub-action whose adding was retracted
            rows.append({**_row(rec_id, event, rec, ref, day), "text": data["text"]})
    return rows
