from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest

from domain.errors import InvalidDate
from domain.fuzzy_date import FuzzyDate, Precision, parse_as_at, parse_known_at, parse_since


def _interval(text: str, **kwargs: int) -> tuple[date | None, date | None, Precision]:
    parsed = FuzzyDate.parse(text, **kwargs)
    return parsed.start, parsed.end, parsed.precision


# --- months ------------------------------------------------------------------


def test_month_and_year_spans_the_whole_month() -> None:
    assert _interval("July 2014") == (
        date(2014, 7, 1),
        date(2014, 7, 31),
        Precision.MONTH,
    )


def test_abbreviated_month_and_year_spans_the_whole_month() -> None:
    assert _interval("Feb 2014") == (
        date(2014, 2, 1),
        date(2014, 2, 28),
        Precision.MONTH,
    )


def test_full_month_name_and_year_spans_the_whole_month() -> None:
    assert _interval("September 2013") == (
        date(2013, 9, 1),
        date(2013, 9, 30),
        Precision.MONTH,
    )


def test_sept_abbreviation_with_full_stop_is_september() -> None:
    assert _interval("Sept. 2014") == (
        date(2014, 9, 1),
        date(2014, 9, 30),
        Precision.MONTH,
    )


def test_february_of_a_leap_year_ends_on_the_29th() -> None:
    assert _interval("Feb 2016") == (
        date(2016, 2, 1),
        date(2016, 2, 29),
        Precision.MONTH,
    )


def test_iso_month_spans_the_whole_month() -> None:
    assert _interval("2014-02") == (
        date(2014, 2, 1),
        date(2014, 2, 28),
        Precision.MONTH,
    )


def test_month_without_year_is_unknown() -> None:
    assert _interval("July") == (None, None, Precision.UNKNOWN)


def test_month_without_year_uses_the_given_year() -> None:
    assert _interval("July", year=2014) == (
        date(2014, 7, 1),
        date(2014, 7, 31),
        Precision.MONTH,
    )


# --- seasons, quarters, years ------------------------------------------------


def test_autumn_is_september_to_november() -> None:
    assert _interval("Autumn 2013") == (
        date(2013, 9, 1),
        date(2013, 11, 30),
        Precision.SEASON,
    )


def test_fall_is_a_synonym_for_autumn() -> None:
    assert _interval("Fall 2013") == _interval("Autumn 2013")


def test_spring_is_march_to_may() -> None:
    assert _interval("Spring 2014") == (
        date(2014, 3, 1),
        date(2014, 5, 31),
        Precision.SEASON,
    )


def test_summer_is_june_to_august() -> None:
    assert _interval("Summer 2014") == (
        date(2014, 6, 1),
        date(2014, 8, 31),
        Precision.SEASON,
    )


def test_winter_runs_from_december_into_the_next_year() -> None:
    assert _interval("Winter 2013") == (
        date(2013, 12, 1),
        date(2014, 2, 28),
        Precision.SEASON,
    )


def test_winter_ending_in_a_leap_year_ends_on_the_29th_of_february() -> None:
    assert _interval("Winter 2015") == (
        date(2015, 12, 1),
        date(2016, 2, 29),
        Precision.SEASON,
    )


def test_season_without_year_is_unknown() -> None:
    assert _interval("Autumn") == (None, None, Precision.UNKNOWN)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Q1 2014", date(2014, 1, 1), date(2014, 3, 31)),
        ("Q2 2014", date(2014, 4, 1), date(2014, 6, 30)),
        ("Q3 2014", date(2014, 7, 1), date(2014, 9, 30)),
        ("Q4 2014", date(2014, 10, 1), date(2014, 12, 31)),
    ],
)
def test_quarter_is_three_calendar_months_with_season_precision(
    text: str, start: date, end: date
) -> None:
    assert _interval(text) == (start, end, Precision.SEASON)


def test_bare_year_spans_the_whole_year() -> None:
    assert _interval("2014") == (date(2014, 1, 1), date(2014, 12, 31), Precision.YEAR)


def test_end_of_year_spans_the_whole_year() -> None:
    assert _interval("end of 2014") == (
        date(2014, 1, 1),
        date(2014, 12, 31),
        Precision.YEAR,
    )


def test_by_the_end_of_prefix_is_ignored() -> None:
    assert _interval("By the end of March 2014") == _interval("March 2014")


# --- days --------------------------------------------------------------------


def test_iso_day_is_that_day() -> None:
    assert _interval("2013-09-30") == (
        date(2013, 9, 30),
        date(2013, 9, 30),
        Precision.DAY,
    )


def test_numeric_date_is_read_in_uk_order() -> None:
    assert _interval("30/06/2014") == (
        date(2014, 6, 30),
        date(2014, 6, 30),
        Precision.DAY,
    )


@pytest.mark.parametrize("text", ["30.06.2014", "30-06-2014"])
def test_numeric_date_accepts_dots_and_dashes(text: str) -> None:
    assert _interval(text) == _interval("30/06/2014")


def test_two_digit_year_means_twenty_first_century() -> None:
    assert _interval("30/06/14") == _interval("30/06/2014")


def test_ordinal_day_month_and_year_is_that_day() -> None:
    assert _interval("1st April 2013") == (
        date(2013, 4, 1),
        date(2013, 4, 1),
        Precision.DAY,
    )


def test_ordinal_day_with_abbreviated_month_is_that_day() -> None:
    assert _interval("28th Feb 2014") == (
        date(2014, 2, 28),
        date(2014, 2, 28),
        Precision.DAY,
    )


def test_third_with_rd_suffix_is_that_day() -> None:
    assert _interval("3rd Feb 2014") == (
        date(2014, 2, 3),
        date(2014, 2, 3),
        Precision.DAY,
    )


def test_ordinal_suffix_may_be_separated_by_a_space() -> None:
    assert _interval("1 st July 2014") == (
        date(2014, 7, 1),
        date(2014, 7, 1),
        Precision.DAY,
    )


def test_of_between_day_and_month_is_allowed() -> None:
    assert _interval("22nd of May 2014") == (
        date(2014, 5, 22),
        date(2014, 5, 22),
        Precision.DAY,
    )


def test_comma_before_the_year_is_allowed() -> None:
    assert _interval("1 April, 2013") == (
        date(2013, 4, 1),
        date(2013, 4, 1),
        Precision.DAY,
    )


def test_day_and_month_without_year_is_unknown() -> None:
    assert _interval("1 st July") == (None, None, Precision.UNKNOWN)


def test_day_and_month_without_year_uses_the_given_year() -> None:
    assert _interval("1 st July", year=2014) == (
        date(2014, 7, 1),
        date(2014, 7, 1),
        Precision.DAY,
    )


def test_written_year_wins_over_the_given_year() -> None:
    assert _interval("1st July 2013", year=2014) == _interval("1st July 2013")


def test_matching_is_case_insensitive() -> None:
    assert _interval("1ST JULY 2014") == _interval("1st July 2014")
    assert _interval("autumn 2013") == _interval("Autumn 2013")


# --- ongoing, no date, unknown -----------------------------------------------


def test_date_followed_by_and_ongoing_parses_the_date() -> None:
    parsed = FuzzyDate.parse("1st July 2014 and ongoing")
    assert (parsed.start, parsed.end, parsed.precision) == (
        date(2014, 7, 1),
        date(2014, 7, 1),
        Precision.DAY,
    )
    assert parsed.is_ongoing


def test_day_and_month_and_ongoing_without_year_is_unknown_but_ongoing() -> None:
    parsed = FuzzyDate.parse("1st July and ongoing")
    assert parsed.precision is Precision.UNKNOWN
    assert parsed.is_ongoing


@pytest.mark.parametrize(
    ("text", "start"),
    [("1st July and ongoing", None), ("1 st July and ongoing", None),
     ("1 st April 2013 and ongoing", date(2013, 4, 1)), ("Ongoing", None)],
)  # fmt: skip
def test_and_ongoing_is_a_start_with_no_deadline_with_or_without_a_year(
    text: str, start: date | None
) -> None:
    parsed = FuzzyDate.parse(text)
    assert (parsed.start, parsed.deadline, parsed.is_ongoing) == (start, None, True)
    assert FuzzyDate.parse("July 2014").deadline == date(2014, 7, 31)


@pytest.mark.parametrize("text", ["Ongoing", "ongoing", "On-going"])
def test_ongoing_means_no_date(text: str) -> None:
    parsed = FuzzyDate.parse(text)
    assert (parsed.start, parsed.end, parsed.precision) == (None, None, Precision.NONE)
    assert parsed.is_ongoing


def test_implemented_and_ongoing_means_no_date_and_is_ongoing() -> None:
    parsed = FuzzyDate.parse("Implemented and ongoing.")
    assert (parsed.start, parsed.end, parsed.precision) == (None, None, Precision.NONE)
    assert parsed.is_ongoing


@pytest.mark.parametrize("text", ["", "   ", "\n", "N/A"])
def test_empty_blank_and_not_applicable_mean_no_date(text: str) -> None:
    assert _interval(text) == (None, None, Precision.NONE)


@pytest.mark.parametrize("text", ["TBC", "TBA", "when funding allows", "mid-2014"])
def test_unplaceable_text_is_unknown(text: str) -> None:
    assert _interval(text) == (None, None, Precision.UNKNOWN)


@pytest.mark.parametrize("text", ["31/02/2014", "30th Feb 2014", "29th Feb 2014", "2014-13"])
def test_impossible_dates_are_unknown_not_errors(text: str) -> None:
    assert _interval(text) == (None, None, Precision.UNKNOWN)


def test_leap_day_without_year_is_unknown_when_the_given_year_has_none() -> None:
    assert _interval("29th Feb", year=2014) == (None, None, Precision.UNKNOWN)


@pytest.mark.parametrize("text", ["  July 2014.  ", "TBC;", "Implemented and ongoing.", ""])
def test_text_is_kept_verbatim(text: str) -> None:
    assert FuzzyDate.parse(text).text == text


def test_dated_dates_have_an_end() -> None:
    assert FuzzyDate.parse("July 2014").is_dated
    assert not FuzzyDate.parse("Ongoing").is_dated
    assert not FuzzyDate.parse("TBC").is_dated


def test_is_ongoing_is_false_without_the_word() -> None:
    assert not FuzzyDate.parse("July 2014").is_ongoing


# --- construction, serialisation, display -----------------------------------


def test_on_makes_a_day_precision_date_with_iso_text() -> None:
    assert FuzzyDate.on(date(2014, 7, 1)) == FuzzyDate(
        "2014-07-01", date(2014, 7, 1), date(2014, 7, 1), Precision.DAY
    )


def test_on_keeps_given_text_and_inferred_flag() -> None:
    made = FuzzyDate.on(date(2014, 7, 1), "1st July", inferred=True)
    assert (made.text, made.inferred, made.precision) == (
        "1st July",
        True,
        Precision.DAY,
    )


def test_constructor_rejects_an_interval_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="after end"):
        FuzzyDate("x", date(2014, 2, 1), date(2014, 1, 1), Precision.MONTH)


def test_constructor_rejects_dates_on_an_undated_precision() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        FuzzyDate("x", date(2014, 1, 1), date(2014, 1, 31), Precision.UNKNOWN)


def test_to_data_gives_iso_strings_and_plain_values() -> None:
    assert FuzzyDate.parse("Winter 2013").to_data() == {
        "text": "Winter 2013",
        "start": "2013-12-01",
        "end": "2014-02-28",
        "precision": "season",
        "inferred": False,
    }


def test_to_data_of_an_undated_date_has_none_dates() -> None:
    data = FuzzyDate.parse("Ongoing").to_data()
    assert (data["start"], data["end"], data["precision"]) == (None, None, "none")


@pytest.mark.parametrize("text", ["July 2014", "1st April 2013", "Ongoing", "TBC", "2014"])
def test_from_data_inverts_to_data(text: str) -> None:
    original = FuzzyDate.parse(text).as_inferred()
    assert FuzzyDate.from_data(original.to_data()) == original


def test_from_data_defaults_inferred_to_false() -> None:
    data = {
        "text": "July 2014",
        "start": "2014-07-01",
        "end": "2014-07-31",
        "precision": "month",
    }
    assert FuzzyDate.from_data(data).inferred is False


def test_as_inferred_returns_a_marked_copy() -> None:
    original = FuzzyDate.parse("July 2014")
    copy = original.as_inferred()
    assert copy.inferred and not original.inferred
    assert (copy.text, copy.start, copy.end) == (
        original.text,
        original.start,
        original.end,
    )


def test_str_is_the_original_text() -> None:
    assert str(FuzzyDate.parse(" Sept. 2014 ")) == " Sept. 2014 "


def test_str_marks_an_inferred_date() -> None:
    assert str(FuzzyDate.parse("July 2014").as_inferred()) == "July 2014 (inferred)"


# --- parse_as_at -------------------------------------------------------------


def test_parse_as_at_iso_day_is_that_day() -> None:
    assert parse_as_at("2014-07-01") == date(2014, 7, 1)


def test_parse_as_at_iso_month_is_its_last_day() -> None:
    assert parse_as_at("2014-02") == date(2014, 2, 28)


def test_parse_as_at_fuzzy_date_is_its_end() -> None:
    assert parse_as_at("Autumn 2013") == date(2013, 11, 30)


@pytest.mark.parametrize("text", ["soon", "Ongoing", "2014-02-30", "1st July"])
def test_parse_as_at_rejects_undated_text_quoting_it(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        parse_as_at(text)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("2014-07-09", date(2014, 7, 9)),
        ("2014-02", date(2014, 2, 1)),
        ("Feb 2014", date(2014, 2, 1)),
        ("Q1 2014", date(2014, 1, 1)),
        ("Autumn 2013", date(2013, 9, 1)),
    ],
)
def test_parse_since_is_the_first_day_of_the_period_given(text: str, first: date) -> None:
    assert parse_since(text) == first


@pytest.mark.parametrize("text", ["soon", "Ongoing", "2014-02-30", "1st July"])
def test_parse_since_rejects_text_with_no_first_day_quoting_it(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        parse_since(text)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("Mar-19", date(2019, 3, 1), date(2019, 3, 31), Precision.MONTH),  # Excel's mmm-yy
        ("2019/20", date(2019, 4, 1), date(2020, 3, 31), Precision.YEAR),  # financial year
        ("2019-20", date(2019, 4, 1), date(2020, 3, 31), Precision.YEAR),
        ("2019/2020", date(2019, 4, 1), date(2020, 3, 31), Precision.YEAR),
        ("Q1 2019/20", date(2019, 4, 1), date(2019, 6, 30), Precision.SEASON),
        ("Q4 2019/20", date(2020, 1, 1), date(2020, 3, 31), Precision.SEASON),
        ("By end of 2019/20", date(2019, 4, 1), date(2020, 3, 31), Precision.YEAR),
    ],
)
def test_spreadsheet_and_financial_year_forms(
    text: str, start: date, end: date, precision: Precision
) -> None:
    parsed = FuzzyDate.parse(text)
    assert (parsed.start, parsed.end, parsed.precision) == (start, end, precision)


@pytest.mark.parametrize("text", ["2019/21", "2019-13", "Foo-19", "Q5 2019/20"])
def test_look_alikes_of_those_forms_are_not_dates(text: str) -> None:
    assert FuzzyDate.parse(text).precision == Precision.UNKNOWN


# --- the forms a person types as documents write them (issue 31, item 6.2) -------


@pytest.mark.parametrize(
    "text", ["Feb 2014", "Feb-2014", "Feb/2014", "February 2014", "February-2014", "feb-2014"]
)
def test_a_month_and_its_year_are_read_apart_by_a_space_a_hyphen_or_a_slash(text: str) -> None:
    parsed = FuzzyDate.parse(text)
    assert (parsed.start, parsed.end, parsed.precision) == (
        date(2014, 2, 1), date(2014, 2, 28), Precision.MONTH,
    )  # fmt: skip


@pytest.mark.parametrize("text", ["Mar-19", "Mar/19", "March-19"])
def test_a_month_and_a_two_digit_year_after_a_hyphen_or_slash_is_that_month(text: str) -> None:
    parsed = FuzzyDate.parse(text)
    assert (parsed.start, parsed.precision) == (date(2019, 3, 1), Precision.MONTH)


def test_a_month_and_two_digits_after_a_space_is_a_day_not_a_year() -> None:
    assert FuzzyDate.parse("March 19").precision == Precision.UNKNOWN  # no year: not guessed


@pytest.mark.parametrize(
    ("text", "last"),
    [("Feb-2014", date(2014, 2, 28)), ("Mar-19", date(2019, 3, 31)), ("2014-02-28", None)],
)
def test_the_query_parsers_take_every_form_a_document_writes(text: str, last: date | None) -> None:
    last = last or date.fromisoformat(text)
    assert parse_as_at(text) == last
    assert parse_known_at(text) == datetime.combine(last, time.max, tzinfo=UTC)
    assert parse_known_at(text, first=True).date() == parse_since(text)


def test_a_known_at_moment_is_still_an_iso_time() -> None:
    assert parse_known_at("2015-03-01T12:00:00") == datetime(2015, 3, 1, 12, tzinfo=UTC)
    assert parse_known_at("2015-03-01T12:00:00+01:00").hour == 12


@pytest.mark.parametrize("parse", [parse_as_at, parse_since, parse_known_at])
@pytest.mark.parametrize("text", ["soon", "2014-02-30", "Febtember 2014"])
def test_a_date_no_parser_reads_is_invalid_and_the_error_says_what_it_takes(
    parse: Callable[[str], object], text: str
) -> None:
    with pytest.raises(InvalidDate, match=repr(text)) as refused:
        parse(text)
    assert "Feb 2014" in str(refused.value) and "Feb-2014" in str(refused.value)
    assert isinstance(refused.value, ValueError)  # bad input to a validator (the API's)


def test_only_a_no_later_than_date_says_only_by_when() -> None:
    assert FuzzyDate.parse("no later than Feb 2014").only_bounds
    assert not FuzzyDate.parse("Feb 2014").only_bounds
    assert not FuzzyDate.parse("Feb 2014").as_inferred().only_bounds  # inferred, read as when


@pytest.mark.parametrize("text", ["26.11.2018", "Feb 2014", "no later than March 2015"])
def test_an_exported_update_date_reads_back_as_the_same_interval_inferred_or_not(
    text: str,
) -> None:
    """An update dated from inside its sentence is inferred: its export must say so."""
    from adapters.reports.shape import written

    for when in (FuzzyDate.parse(text), FuzzyDate.parse(text).as_inferred()):
        back = FuzzyDate.parse(written(when))
        assert (back.start, back.end, back.inferred) == (when.start, when.end, when.inferred)
