"""The one validation at the edge of the domain: identifiers and text (issue 14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import values
from domain.audit import acting_as_owner
from domain.errors import InvalidCommand
from domain.plan import Plan
from domain.recommendation import Recommendation
from domain.refs import Ref


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("overview/1", "overview/1"), ("overview/01", "overview/1"),
     ("imr/west-mercia-police/21.01.1", "imr/west-mercia-police/21.1.1"),
     ("overview/01A", "overview/1a"), ("overview/21.03b", "overview/21.3b")],
)  # fmt: skip
def test_refs_are_canonical_so_look_alikes_are_the_same_ref(written: str, canonical: str) -> None:
    assert str(Ref.parse(written)) == canonical


@pytest.mark.parametrize(
    "bad",
    ["overview/\u0661", "overview/1\n", "overview/1 ", "overview/", "imr//1", "imr/West/1",
     "overview/" + "1" * 7, "overview/" + ".".join("1" * 7), "imr/" + "a" * 81 + "/1",
     "overview/" + "1" * 5000, "appendix/1", "overview/1ab", "overview/a", "overview/1\u00e9",
     "overview/1-a"],
)  # fmt: skip
def test_refs_outside_the_grammar_are_refused(bad: str) -> None:
    with pytest.raises(InvalidCommand):
        Ref.parse(bad)


@pytest.mark.parametrize("bad", ["dhr2\n", "DHR2", "dhr\u0662", "a" * 65, "", "dhr 2", "-dhr"])
def test_plan_ids_outside_the_grammar_are_refused(bad: str) -> None:
    with pytest.raises(InvalidCommand):
        values.plan_id(bad)


def test_one_line_fields_refuse_every_control_character_and_overlong_values() -> None:
    for bad in ("a\nb", "a\tb", "a\x1b[31m", "a\x00", "a\u202eb", "a\u2028b", "a\x85b", "\ud800"):
        with pytest.raises(InvalidCommand, match="control character"):
            values.line(bad, "the actor")
    with pytest.raises(InvalidCommand, match="201 characters long; the limit is 200"):
        values.line("a" * 201, "the actor")
    assert values.line("  Det Supt HQ PVP  ", "a lead") == "Det Supt HQ PVP"


def test_long_text_keeps_newlines_and_tabs_and_refuses_other_controls() -> None:
    assert values.long_text("one\r\ntwo\tthree\n", "the text") == "one\ntwo\tthree"
    for bad in ("a\x00b", "a\x1bb", "a\x07", "a\rb", "a\u202eb"):
        with pytest.raises(InvalidCommand, match="control character"):
            values.long_text(bad, "the text")
    with pytest.raises(InvalidCommand, match="the limit is 50,000"):
        values.long_text("x" * 50_001, "the text")


@given(st.text())
def test_an_accepted_name_is_the_trimmed_input_within_its_limit_without_controls(
    text: str,
) -> None:
    try:
        checked = values.line(text, "a name")
    except InvalidCommand:
        return
    assert len(checked) <= values.NAME_MAX
    assert checked == text.strip()
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in checked)


def test_every_command_checks_its_fields() -> None:
    with acting_as_owner("coordinator", "test"):
        with pytest.raises(InvalidCommand, match="the agency"):
            Recommendation.raise_recommendation(
                plan_id="dhr2", ref="overview/1", text="x", agency="West\nMercia"
            )
        rec = Recommendation.raise_recommendation(plan_id="dhr2", ref="overview/01", text="x")
        assert rec.state.ref == "overview/1"
        with pytest.raises(InvalidCommand, match="a lead"):
            rec.reassign_leads(["ok", "bad\x1b"], reason="r")
        with pytest.raises(InvalidCommand, match="the reason"):
            rec.withdraw(reason="r" * 50_001)
        with pytest.raises(InvalidCommand, match="amended text"):
            rec.correct(rec.log[0].event_id, "typo", amendment={"text": "a\x00"})
        with pytest.raises(InvalidCommand, match="has no field ref to amend; it allows: text"):
            rec.correct(rec.log[0].event_id, "typo", amendment={"ref": "overview/2"})
        with pytest.raises(InvalidCommand, match="the plan's title"):
            Plan.open("dhr2", "Title\x1b[2J")
        plan = Plan.open("dhr2", "DHR Case No 2")
        with pytest.raises(InvalidCommand, match="the version label"):
            plan.record_document_version("v" * 201)
    with (
        pytest.raises(InvalidCommand, match="the actor"),
        acting_as_owner("mallory\n9 forged", "cli"),
    ):
        pass


def test_a_repeated_number_is_named_by_its_repeat_and_sorts_after_the_first() -> None:
    assert str(Ref.parse("overview/03#02")) == "overview/3#2"
    for bad in ("overview/3#1", "overview/3#", "overview/3#x", "overview/3#1000", "overview/#2"):
        with pytest.raises(InvalidCommand):
            Ref.parse(bad)
    refs = ["overview/10", "overview/3#2", "imr/a/1", "overview/3", "overview/2", "overview/3#10"]
    ordered = sorted(refs, key=lambda ref: Ref.parse(ref).sort_key)
    assert ordered == [
        "overview/2", "overview/3", "overview/3#2", "overview/3#10", "overview/10", "imr/a/1"
    ]  # fmt: skip


def test_a_lettered_part_sorts_after_its_number_and_before_the_next() -> None:
    refs = ["overview/4", "overview/3b", "overview/10", "overview/3", "overview/3a", "overview/3.1"]
    ordered = sorted(refs, key=lambda ref: Ref.parse(ref).sort_key)
    assert ordered == [
        "overview/3", "overview/3.1", "overview/3a", "overview/3b", "overview/4", "overview/10"
    ]  # fmt: skip
