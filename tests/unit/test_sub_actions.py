"""Sub-actions are items of their own, and the one rule for their recommendation's status.

The rule (``domain.state.settle``): a recommendation with sub-actions is completed
exactly when every sub-action is completed or withdrawn and at least one completed, no
earlier than the last of them; completing, reopening or withdrawing the recommendation
does the same to its sub-actions first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.audit import acting_as_owner
from domain.errors import InvalidCommand, LedgerError, RecommendationNotFound, RuleViolated
from domain.fold import fold, item_refs
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.recommendation import Recommendation


@pytest.fixture(autouse=True)
def actor() -> Iterator[None]:
    with acting_as_owner("alice", "cli"):
        yield


def with_actions(*targets: str | None) -> Recommendation:
    rec = Recommendation.raise_recommendation(
        plan_id="dhr2", ref="overview/3", text="Assure GP practice", agency="CCG",
        leads=["Frances Howie"], target=FuzzyDate.parse("December 2013"),
    )  # fmt: skip
    for number, target in enumerate(targets, start=1):
        rec.add_sub_action(
            f"Action {number}", ["Jonathan Leach"], FuzzyDate.parse(target) if target else None
        )
    return rec


def day(text: str) -> FuzzyDate:
    return FuzzyDate.parse(text)


def test_a_sub_action_has_its_own_ref_leads_target_status_and_updates() -> None:
    rec = with_actions("March 2013", "April 2013")
    first, second = rec.state.sub_actions
    assert (first.ref, second.ref) == ("overview/3.1", "overview/3.2")
    assert (first.leads, first.target, first.status) == (
        ("Jonathan Leach",), day("March 2013"), Status.OPEN,
    )  # fmt: skip
    rec.record_progress("Item in June Newsletter", day("June 2013"), action="1")
    assert [u.text for u in first.updates] == ["Item in June Newsletter"]
    assert (first.status, second.status) == (Status.IN_PROGRESS, Status.OPEN)
    assert rec.state.status == Status.IN_PROGRESS  # progress on a sub-action is progress on it
    assert rec.state.updates == []


def test_every_command_works_on_a_sub_action_and_leaves_the_others_alone() -> None:
    rec = with_actions("March 2013", "April 2013")
    rec.reassign_leads(["Ellen Footman"], "cover", action="2")
    rec.reassign_agency("NHS England", "commissioning moved", action="2")
    rec.revise_target(day("June 2013"), "newsletter slipped", action="2")
    rec.change_status(Status.ONGOING, action="2")
    second = rec.state.sub_actions[1]
    assert (second.leads, second.agency, second.target, second.status) == (
        ("Ellen Footman",), "NHS England", day("June 2013"), Status.ONGOING,
    )  # fmt: skip
    assert rec.state.sub_actions[0].leads == ("Jonathan Leach",)
    assert (rec.state.leads, rec.state.agency) == (("Frances Howie",), "CCG")
    rec.withdraw("no contractual obligation", action="1")
    assert rec.state.sub_actions[0].status == Status.WITHDRAWN
    with pytest.raises(RuleViolated, match=r"cannot record progress on overview/3\.1"):
        rec.record_progress("late news", day("July 2013"), action="1")
    with pytest.raises(RecommendationNotFound, match="overview/3 has no sub-action 7"):
        rec.complete(day("July 2013"), action="7")


def test_the_recommendation_is_completed_when_its_last_open_action_is_and_no_earlier() -> None:
    rec = with_actions("March 2013", "April 2013", "May 2013")
    rec.complete(day("2013-09-30"), action="2")
    rec.withdraw("superseded by the audit", action="3")
    assert rec.state.status != Status.COMPLETED  # 3.1 is still open
    rec.complete(day("2013-08-01"), "newsletter issued", action="1")
    assert rec.state.status == Status.COMPLETED
    assert rec.state.completed == day("2013-09-30")  # the last of them, not the latest event
    assert rec.state.sub_actions[0].evidence == "newsletter issued"


def test_reopening_or_adding_an_action_makes_the_recommendation_no_longer_completed() -> None:
    rec = with_actions("March 2013", "April 2013")
    rec.complete(day("2013-05-01"), action="1")
    rec.complete(day("2013-06-01"), action="2")
    assert rec.state.status == Status.COMPLETED
    rec.reopen("the audit found gaps", action="2")
    assert (rec.state.status, rec.state.completed) == (Status.OPEN, None)
    rec.complete(day("2013-07-01"), action="2")
    assert rec.state.completed == day("2013-07-01")
    rec.add_sub_action("Evaluate the training", ["Jo Galloway"])
    assert (rec.state.status, rec.state.completed) == (Status.OPEN, None)


def test_withdrawn_actions_alone_do_not_complete_the_recommendation() -> None:
    rec = with_actions("March 2013", "April 2013")
    rec.withdraw("moot", action="1")
    rec.withdraw("moot", action="2")
    assert rec.state.status == Status.OPEN


def test_completing_the_recommendation_completes_its_open_actions_with_it() -> None:
    rec = with_actions("March 2013", "April 2013", "May 2013")
    rec.complete(day("2014-03-31"), action="1")
    rec.withdraw("moot", action="3")
    rec.complete(day("2014-02-28"), "all practices informed")
    first, second, third = rec.state.sub_actions
    assert (first.completed, second.completed, third.status) == (
        day("2014-03-31"), day("2014-02-28"), Status.WITHDRAWN,
    )  # fmt: skip
    assert (rec.state.status, rec.state.completed) == (Status.COMPLETED, day("2014-03-31"))
    rec.reopen("not embedded after all")
    assert [s.status for s in rec.state.sub_actions] == [Status.OPEN, Status.OPEN, Status.WITHDRAWN]
    rec.withdraw("superseded by the next review")
    assert [s.status for s in rec.state.sub_actions] == [Status.WITHDRAWN] * 3


def test_numbers_follow_the_highest_or_are_the_documents_own_and_never_repeat() -> None:
    rec = with_actions("March 2013")
    assert rec.add_sub_action("Second") == "2"
    assert rec.add_sub_action("Lettered", number="4a") == "4a"
    with pytest.raises(RuleViolated, match=r"overview/3\.2 is already taken"):
        rec.add_sub_action("Again", number="2")
    with pytest.raises(InvalidCommand, match="one part"):
        rec.add_sub_action("Nested", number="2.1")
    added = rec.log[-1].event_id
    rec.correct(added, "entered twice", retract=True, action="4a")
    assert rec.add_sub_action("Next") == "5"  # after the highest used: 4a, though retracted


def test_a_correction_names_an_event_of_the_item_it_is_given() -> None:
    rec = with_actions("March 2013", "April 2013")
    rec.complete(day("2013-05-01"), action="1")
    completion = rec.log[-1].event_id
    with pytest.raises(RuleViolated, match=r"is about overview/3\.1, not overview/3\.2"):
        rec.correct(completion, "wrong day", amendment={"effective": day("2013-05-02")}, action="2")
    rec.correct(completion, "wrong day", amendment={"effective": day("2013-05-02")}, action="1")
    first = rec.state.sub_actions[0]
    assert first.completed == day("2013-05-02")
    assert first.corrected["completed"].reason == "wrong day"
    assert item_refs(rec.log)[rec.log[-1].event_id] == "overview/3.1"


def test_a_version_1_sub_action_is_numbered_by_its_position() -> None:
    rec = with_actions("March 2013", "April 2013")
    for event in rec.log[1:]:
        object.__setattr__(event, "number", None)  # as a version-1 event is upcast
    assert [s.ref for s in fold(rec.log).sub_actions] == ["overview/3.1", "overview/3.2"]
    assert list(item_refs(rec.log).values())[1:] == ["overview/3.1", "overview/3.2"]


COMMANDS = st.lists(
    st.tuples(
        st.sampled_from(["complete", "reopen", "withdraw", "update", "add"]),
        st.sampled_from([None, "1", "2", "3"]),
        st.dates(date(2013, 1, 1), date(2014, 12, 31)),
    ),
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(COMMANDS)
def test_a_recommendation_is_completed_exactly_when_its_actions_are_and_no_earlier_than_the_last(
    commands: list[tuple[str, str | None, date]],
) -> None:
    with acting_as_owner("alice", "cli"):
        rec = with_actions("March 2013", "April 2013")
        for name, action, when in commands:
            on = FuzzyDate.on(when)
            try:
                if name == "complete":
                    rec.complete(on, action=action)
                elif name == "reopen":
                    rec.reopen("gaps", action=action)
                elif name == "withdraw" and when.day < 5:  # keep withdrawals rare
                    rec.withdraw("moot", action=action)
                elif name == "update":
                    rec.record_progress("news", on, action=action)
                elif name == "add":
                    rec.add_sub_action("More", ["Jo Galloway"])
            except LedgerError:
                continue
            state, subs = rec.state, rec.state.sub_actions
            assert state == fold(rec.log)  # the incremental state is the fold's
            if state.status == Status.WITHDRAWN:
                assert all(s.status in (Status.COMPLETED, Status.WITHDRAWN) for s in subs)
                continue
            done = [s.completed for s in subs if s.status == Status.COMPLETED and s.completed]
            closed = all(s.status in (Status.COMPLETED, Status.WITHDRAWN) for s in subs)
            if not closed:
                assert state.status != Status.COMPLETED
            elif done:
                assert state.status == Status.COMPLETED
                assert state.completed is not None and state.completed.end is not None
                assert state.completed.end >= max(d.end for d in done if d.end)
