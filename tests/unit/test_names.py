"""Issue 25, defect 8: the rule of names, and of numbers a person types.

A name stands for someone in the log: NFKC-normalised, refused with an invisible character,
and, for a token, refused where it looks like an existing token's name (the Unicode
confusables skeleton of UTS #39, from ICU, case aside).
"""

from __future__ import annotations

import pytest

from adapters.names import skeleton
from domain import values
from domain.errors import AlreadyExists, InvalidCommand

LOOK_ALIKES = {
    "Cyrillic es": "\u0441oord",
    "full-width": "\uff43\uff4f\uff4f\uff52\uff44",
    "capital": "Coord",
    "zeros for o": "c00rd",
}


def issued(name: str, existing: list[str]) -> str:
    """What the ledger does with a new token's name: normalise it, then compare it."""
    name = values.person_name(name, "the token's name")
    values.check_not_confusable(name, existing, skeleton)
    return name


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_token_name_that_looks_like_an_existing_one_is_refused(name: str) -> None:
    """Issue 25, defect 8: a Cyrillic es, full-width letters, another case, zeros."""
    with pytest.raises(AlreadyExists) as refused:
        issued(name, ["Clare", "coord"])
    assert "is confusable with the existing token name 'coord'" in str(refused.value)


def test_a_zero_width_space_in_a_name_is_refused_naming_the_field() -> None:
    """Issue 25, defect 8: "coord" + U+200B was accepted beside "coord" and showed as it."""
    with pytest.raises(InvalidCommand) as refused:
        issued("coord\u200b", ["coord"])
    assert str(refused.value) == (
        "the token's name holds U+200B (ZERO WIDTH SPACE) at position 6: a name may hold no "
        "invisible, control or formatting character"
    )


@pytest.mark.parametrize(
    "char",
    ["\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u034f", "\u3164", "\ufe0f"],
    ids=["ZWJ", "word joiner", "BOM", "soft hyphen", "RLO", "LRI", "CGJ", "Hangul filler", "VS16"],
)
def test_invisible_and_bidirectional_characters_are_refused_in_an_actor(char: str) -> None:
    """Issue 25, defect 8: format characters (Cf), bidi controls, and the default-ignorable
    letters and marks that are drawn as nothing."""
    with pytest.raises(InvalidCommand, match="the actor holds U\\+"):
        values.person_name(f"Jo{char} Reed", "the actor")


@pytest.mark.parametrize("name", [" Jo Reed", "Jo Reed ", "Jo  Reed", "Jo\tReed"])
def test_spaces_at_either_end_doubled_or_other_than_a_space_are_refused(name: str) -> None:
    with pytest.raises(InvalidCommand, match="the actor"):
        values.person_name(name, "the actor")


@pytest.mark.parametrize(
    "name", ["Zo\u00eb O'Brien", "\u0141ukasz", "Ana-Mar\u00eda", "\u674e\u96f7"]
)
def test_a_legitimate_name_outside_ascii_is_accepted(name: str) -> None:
    assert issued(name, ["coord", "Zoe O'Brien", "Lukasz"]) == name


def test_names_are_nfkc_normalised() -> None:
    """A full-width name, a no-break space, a decomposed "e" and its diaeresis."""
    assert values.person_name("\uff43\uff4f\uff4f\uff52\uff44", "x") == "coord"
    assert values.person_name("Jo\u00a0Reed", "x") == "Jo Reed"
    assert values.person_name("Zoe\u0308", "x") == "Zo\u00eb"


def test_the_look_alike_key_folds_case_after_the_skeleton() -> None:
    """A capital I looks like an l before it folds to i."""
    assert values.look_alike_key("Iuke", skeleton) == values.look_alike_key("luke", skeleton)
    assert values.look_alike_key("coord", skeleton) != values.look_alike_key("cord", skeleton)


@pytest.mark.parametrize("text", ["\uff12", "\u00b2", "\u0662", "1\uff12"])
def test_a_number_in_other_digits_than_ascii_is_refused(text: str) -> None:
    """Issue 25, defect 8: ``str.isdigit`` took a full-width 2 as event number 2, and a
    superscript 2, which ``int`` then failed on."""
    with pytest.raises(InvalidCommand, match="write the number in ASCII digits"):
        values.ascii_number(text, "event")


def test_a_number_in_ascii_digits_is_read_and_other_text_is_no_number() -> None:
    assert values.ascii_number("2", "event") == 2
    assert values.ascii_number("5d0c6f4e-2b1a", "event") is None
