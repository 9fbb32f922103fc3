"""Search against a naive scan, over generated plans whose texts are drawn from a small
vocabulary of words that every stemmer leaves as they are (so a word found by the index is
the word written): on SQLite and PostgreSQL.

The invariant: the texts a search finds as at a day are exactly those a scan of every
recommendation's and update's text finds (the word among its words, the phrase among its
consecutive words, a word starting with the prefix), among those that count as at that
day (raised, or effective, on or before it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.command_models import Correct, OpenPlan, RaiseRecommendation, RecordProgress
from service.ledger import Ledger

VOCABULARY = ["court", "audit", "staff", "fund", "team", "plan", "panel", "grant", "alarm", "child"]
"""Stems of themselves under Porter and PostgreSQL's English stemmer, no stop word, and no two
sharing their first three letters (the prefixes asked)."""
START = date(2013, 1, 1)

texts = st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=7).map(" ".join)
days = st.integers(0, 700).map(lambda n: START + timedelta(days=n))
corrections = st.one_of(
    st.none(), st.just(("retract", None)), texts.map(lambda text: ("text", text)),
    st.integers(0, 400).map(lambda later: ("later", later)),
)  # fmt: skip
"""What becomes of an update: nothing, retracted, its text amended, or its day moved."""
updates = st.lists(st.tuples(texts, st.integers(0, 400), corrections), max_size=3)
recommendation = st.tuples(texts, days, updates)
queries = st.one_of(
    st.sampled_from(VOCABULARY).map(lambda word: ("word", word)),
    st.sampled_from(VOCABULARY).map(lambda word: ("prefix", word[:3])),
    st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY)).map(
        lambda pair: ("phrase", " ".join(pair))
    ),
)

_plans = itertools.count(1)


def matches(kind: str, asked: str, text: str) -> bool:
    words = text.split()
    if kind == "word":
        return asked in words
    if kind == "prefix":
        return any(word.startswith(asked) for word in words)
    first, second = asked.split()
    return any(pair == (first, second) for pair in itertools.pairwise(words))


def written(kind: str, asked: str) -> str:
    return {"word": asked, "prefix": f"{asked}*", "phrase": f'"{asked}"'}[kind]


@pytest.fixture
def ledger(db_url: str, open_ledger: Callable[[str], Ledger]) -> Ledger:
    return open_ledger(db_url)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=st.lists(recommendation, min_size=1, max_size=4),
    query=queries,
    as_at=days,
)
def test_search_as_at_a_day_finds_exactly_what_a_naive_scan_of_the_texts_counting_then_finds(
    ledger: Ledger,
    plan: list[tuple[str, date, list[tuple[str, int, tuple[str, object] | None]]]],
    query: tuple[str, str],
    as_at: date,
) -> None:
    plan_id = f"p{next(_plans)}"
    ledger.open_plan(OpenPlan(plan_id=plan_id, title="Generated"))
    expected = []
    for number, (text, raised, updates) in enumerate(plan, start=1):
        ref = f"overview/{number}"
        ledger.raise_recommendation(
            plan_id, RaiseRecommendation(ref=ref, text=text, effective=raised.isoformat())
        )
        units = [("recommendation", text, raised)]
        for update, later, correction in updates:
            day = raised + timedelta(days=later)
            recorded = ledger.change(
                plan_id, ref, RecordProgress(text=update, effective=day.isoformat())
            )
            event, fix = recorded.event_ids[0], correction or ("keep", None)
            if fix[0] == "retract":
                ledger.change(plan_id, ref, Correct(event=event, reason="wrong", retract=True))
                continue
            if fix[0] == "text":
                update = str(fix[1])
                ledger.change(plan_id, ref, Correct(event=event, reason="typo", text=update))
            elif fix[0] == "later":
                day = raised + timedelta(days=int(fix[1]))  # type: ignore[call-overload]
                ledger.change(
                    plan_id, ref, Correct(event=event, reason="date", effective=day.isoformat())
                )
            units.append(("update", update, day))
        expected += [
            (ref, kind, unit_text)
            for kind, unit_text, day in units
            if raised <= as_at and day <= as_at and matches(*query, unit_text)
        ]
    hits = ledger.search(written(*query), plan_id, as_at=as_at, limit=1000)
    assert sorted((hit.ref, hit.kind, hit.text) for hit in hits) == sorted(expected)
