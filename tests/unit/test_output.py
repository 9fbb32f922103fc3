"""Output that cannot be forged: escaped text, inert JSON, neutralised cells (issue 14)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from adapters.output import printable, spreadsheet_cell, to_json

_ACTING = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\t"}
_ACTING |= set("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_a_forged_history_line_stays_on_its_own_line_and_escapes_show() -> None:
    forged = "mallory\n  9  2014-02-28  chief.inspector  Completed\x1b[2K\u202e"
    shown = printable(forged)
    assert "\n" not in shown and "\x1b" not in shown and "\u202e" not in shown
    assert shown == "mallory\\n  9  2014-02-28  chief.inspector  Completed\\x1b[2K\\u202e"


@given(st.text())
def test_printable_output_never_holds_a_character_that_acts_on_a_terminal(text: str) -> None:
    assert not set(printable(text)) & _ACTING


@given(
    st.recursive(
        st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_json_output_is_inert_and_reads_back_as_the_same_data(value: object) -> None:
    dumped = to_json(value)
    assert not set(dumped) & (_ACTING - {"\n"})
    assert json.loads(dumped) == value


@given(st.text())
def test_no_spreadsheet_cell_begins_with_a_formula_character(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    if not text.startswith(("=", "+", "-", "@", "\t", "\r")) and not set(text) & _ACTING:
        assert cell == text  # ordinary text is untouched


def test_formula_cells_are_prefixed_as_owasp_recommends() -> None:
    assert spreadsheet_cell("=1+1") == "'=1+1"
    assert spreadsheet_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert spreadsheet_cell("-2") == "'-2"
    assert spreadsheet_cell(12) == 12
