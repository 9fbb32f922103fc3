"""Search (issue 29): by stem, phrase and prefix; filtered by plan, agency (any spelling the
directory gives it), status and kind as at the day, and by when the recommendation was
raised; as at a day (a text counts from its effective day, an item from when it exists);
corrected texts found as corrected, retracted ones not at all (nor those of a sub-action
whose adding was retracted); the same after a rebuild;
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from adapters.importing.document import read_document
from domain.errors import InvalidCommand, PlanNotFound
from service import command_models as cmd
from service.ledger import Ledger


@pytest.fixture
def ledger(db_url: str, open_ledger: Callable[[str], Ledger]) -> Ledger:
    """Two plans: dhr1 raised in 2013, dhr9 in 2016, with sub-actions and updates."""
    ledger = open_ledger(db_url)
    ledger.register_agency(cmd.RegisterAgency(name="West Mercia Police", slug="wmp"))
    ledger.add_agency_alias("wmp", cmd.AddAgencyAlias(alias="WMP"))
    ledger.open_plan(cmd.OpenPlan(plan_id="dhr1", title="One"))
    ledger.raise_recommendation("dhr1", cmd.RaiseRecommendation(
        ref="overview/1", text="Review the risk assessment of every referral",
        agency="West Mercia Police", effective="2013-04-01",
    ))  # fmt: skip
    ledger.change("dhr1", "overview/1", cmd.AddSubAction(
        text="Train staff in safeguarding children", effective="2013-09-01",
    ))  # fmt: skip
    ledger.change("dhr1", "overview/1", cmd.RecordProgress(
        text="Assessments were audited by the board", effective="2014-02-28",
    ))  # fmt: skip
    ledger.raise_recommendation("dhr1", cmd.RaiseRecommendation(
        ref="overview/2", text="Assessment of housing need, and the risk to children",
        agency="Housing", effective="2013-04-01",
    ))  # fmt: skip
    ledger.open_plan(cmd.OpenPlan(plan_id="dhr9", title="Nine"))
    ledger.raise_recommendation("dhr9", cmd.RaiseRecommendation(
        ref="overview/1", text="Safeguard adults at risk: a new assessment pathway",
        agency="WMP", effective="2016-05-01",
    ))  # fmt: skip
    return ledger


def found(ledger: Ledger, query: str, **filters: object) -> set[str]:
    return {f"{hit.plan} {hit.ref} {hit.kind}" for hit in ledger.search(query, **filters)}  # type: ignore[arg-type]


def test_words_are_stemmed_phrases_keep_their_order_and_prefixes_complete(ledger: Ledger) -> None:
    assert found(ledger, "assessments") == {
        "dhr1 overview/1 recommendation", "dhr1 overview/1 update",
        "dhr1 overview/2 recommendation", "dhr9 overview/1 recommendation",
    }  # fmt: skip
    assert found(ledger, '"risk assessment"') == {"dhr1 overview/1 recommendation"}
    assert found(ledger, "risk assessment") == {
        "dhr1 overview/1 recommendation", "dhr1 overview/2 recommendation",
        "dhr9 overview/1 recommendation",
    }  # fmt: skip
    assert found(ledger, "safeguard*") == {
        "dhr1 overview/1.1 sub_action",
        "dhr9 overview/1 recommendation",
    }
    assert found(ledger, "safeguard") == {"dhr9 overview/1 recommendation"} | (
        {"dhr1 overview/1.1 sub_action"}  # "safeguarding" stems to "safeguard"
    )
    assert found(ledger, "xylophone") == set()


def test_the_best_match_comes_first_and_its_words_are_marked(ledger: Ledger) -> None:
    [best, *_] = ledger.search("risk assessment referral")
    assert (best.plan, best.ref) == ("dhr1", "overview/1")
    marked = {text.lower() for text, found in best.snippet if found}
    assert marked >= {"risk", "assessment", "referral"}
    assert "".join(text for text, _ in best.snippet) in best.text or "…" in "".join(
        text for text, _ in best.snippet
    )


def test_filters_narrow_by_plan_agency_status_kind_and_raising(ledger: Ledger) -> None:
    assert found(ledger, "assessment", plan_id="dhr9") == {"dhr9 overview/1 recommendation"}
    by_agency = {"dhr1 overview/1 recommendation", "dhr1 overview/1 update",
                 "dhr9 overview/1 recommendation"}  # fmt: skip
    assert found(ledger, "assessment", agency="wmp") == by_agency  # the alias names it too
    assert found(ledger, "assessment", agency="West Mercia Police") == by_agency
    assert found(ledger, "assessment", kind="update") == {"dhr1 overview/1 update"}
    assert found(ledger, "assessment", status="in_progress") == {
        "dhr1 overview/1 recommendation",
        "dhr1 overview/1 update",
    }  # the update moved it on
    assert found(ledger, "assessment", raised_from=date(2016, 1, 1)) == {
        "dhr9 overview/1 recommendation"
    }
    assert "dhr9 overview/1 recommendation" not in found(
        ledger, "assessment", raised_to=date(2015, 12, 31)
    )


def test_as_at_a_day_only_what_counts_then_is_found(ledger: Ledger) -> None:
    assert found(ledger, "assessment", as_at=date(2013, 3, 31)) == set()
    assert found(ledger, "assessment", as_at=date(2014, 2, 27)) == {
        "dhr1 overview/1 recommendation",
        "dhr1 overview/2 recommendation",
    }
    assert found(ledger, "safeguarding", as_at=date(2013, 8, 31)) == set()  # not added yet
    assert found(ledger, "safeguarding", as_at=date(2013, 9, 1)) == {"dhr1 overview/1.1 sub_action"}
    [hit] = ledger.search("audited", as_at=date(2014, 2, 28))
    assert (hit.counts_from, hit.status) == (date(2014, 2, 28), "in_progress")
    [before] = ledger.search("referral", as_at=date(2014, 2, 27))
    assert before.status == "open"  # the status as at the day asked


def test_corrected_texts_are_found_as_corrected_and_retracted_ones_not_at_all(
    ledger: Ledger,
) -> None:
    update = ledger.history("dhr1", "overview/1")[-1].event_id
    ledger.change("dhr1", "overview/1", cmd.Correct(
        event=update, reason="typo", text="Assessments were inspected by the board"
    ))  # fmt: skip
    assert found(ledger, "audited") == set()
    assert found(ledger, "inspected") == {"dhr1 overview/1 update"}
    ledger.change("dhr1", "overview/1", cmd.Correct(event=update, reason="wrong", retract=True))
    assert found(ledger, "inspected") == set()
    ledger.change("dhr1", "overview/1.1", cmd.RecordProgress(
        text="Safeguarding course booked", effective="2014-03-01",
    ))  # fmt: skip
    assert found(ledger, "safeguarding", plan_id="dhr1") == {
        "dhr1 overview/1.1 sub_action",
        "dhr1 overview/1.1 update",
    }
    added = next(e for e in ledger.history("dhr1", "overview/1") if e.type == "SubActionAdded")
    ledger.change("dhr1", "overview/1.1", cmd.Correct(
        event=added.event_id, reason="never agreed", retract=True
    ))  # fmt: skip
    assert found(ledger, "safeguarding", plan_id="dhr1") == set()  # and its update with it
    before = [hit.to_json() for hit in ledger.search("assessment")]
    ledger.read_model.clear()
    ledger.project()
    assert [hit.to_json() for hit in ledger.search("assessment")] == before


def test_a_query_of_no_words_or_a_filter_of_no_such_value_is_refused_and_a_missing_plan_named(
    ledger: Ledger,
) -> None:
    for query in ("", "  ", '"" *', "&&& ---"):
        with pytest.raises(InvalidCommand, match="nothing to search for"):
            ledger.search(query)
    with pytest.raises(InvalidCommand, match="no status"):
        ledger.search("risk", status="lost")
    with pytest.raises(InvalidCommand, match="no kind"):
        ledger.search("risk", kind="plan")
    with pytest.raises(PlanNotFound):
        ledger.search("risk", plan_id="nope")
    every = [hit.to_json() for hit in ledger.search("assessment")]
    pages = [ledger.search("assessment", limit=1, offset=n) for n in range(len(every) + 1)]
    assert [hit.to_json() for page in pages for hit in page] == every


def test_the_seed_plan_is_found_by_its_own_words(
    db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path
) -> None:
    ledger = open_ledger(db_url)
    ledger.import_document(read_document(seed_plan)[0])
    hits = ledger.search('"harm assessment unit"', kind="update", limit=50)
    assert hits and all("harm assessment unit" in hit.text.lower() for hit in hits)
    assert {hit.agency for hit in hits} == {"West Mercia Police"}
    assert len(ledger.search("marac", limit=200)) > len(
        ledger.search("marac", as_at=date(2013, 12, 31), limit=200)
    )
