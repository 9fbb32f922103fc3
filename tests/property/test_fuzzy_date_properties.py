import calendar
import itertools
import json
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.fuzzy_date import FuzzyDate, Precision

MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SEASON_FIRST_MONTH = {"Spring": 3, "Summer": 6, "Autumn": 9, "Fall": 9, "Winter": 12}

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
years = st.integers(min_value=1990, max_value=2100)

# Date-like fragments glued together, so the parser sees near-misses as well as noise.
fragments = st.sampled_from(
    [
        "1st",
        "2 nd",
        "31",
        "29th",
        "of",
        "July",
        "Feb",
        "Sept.",
        "Winter",
        "Q3",
        "end of",
        "2014",
        "14",
        "99999",
        "0000",
        "/",
        "-",
        ".",
        ",",
        "and ongoing",
        "Ongoing",
        "TBC",
        "2014-02",
        "30/02/2014",
        " ",
        "\t",
    ]
)
date_like_text = st.lists(st.one_of(fragments, st.text(max_size=3)), max_size=6).map("".join)
any_text = st.one_of(st.text(), date_like_text)
any_year = st.one_of(st.none(), st.integers())


def ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def months_covered(parsed: FuzzyDate) -> int:
    assert parsed.start is not None and parsed.end is not None
    return (parsed.end.year - parsed.start.year) * 12 + parsed.end.month - parsed.start.month + 1


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@given(any_text, any_year)
def test_parse_never_raises_and_keeps_text_verbatim(text: str, year: int | None) -> None:
    assert FuzzyDate.parse(text, year=year).text == text


@given(any_text, any_year)
def test_parsed_interval_is_consistent_with_its_precision(text: str, year: int | None) -> None:
    parsed = FuzzyDate.parse(text, year=year)
    assert (parsed.start is None) == (parsed.end is None)
    assert (parsed.start is None) == (parsed.precision in (Precision.UNKNOWN, Precision.NONE))
    if parsed.start is not None and parsed.end is not None:
        assert parsed.start <= parsed.end
        assert (parsed.precision is Precision.DAY) == (parsed.start == parsed.end)


@given(days)
def test_iso_day_parses_to_that_day(day: date) -> None:
    assert FuzzyDate.parse(day.isoformat()) == FuzzyDate.on(day)


@given(days)
def test_uk_numeric_day_parses_to_that_day(day: date) -> None:
    parsed = FuzzyDate.parse(f"{day.day:02d}/{day.month:02d}/{day.year}")
    assert (parsed.start, parsed.end, parsed.precision) == (day, day, Precision.DAY)


@given(days)
def test_ordinal_day_month_name_and_year_parses_to_that_day(day: date) -> None:
    parsed = FuzzyDate.parse(f"{ordinal(day.day)} {MONTH_NAMES[day.month - 1]} {day.year}")
    assert (parsed.start, parsed.end, parsed.precision) == (day, day, Precision.DAY)


@given(days)
def test_month_name_and_year_spans_exactly_that_month(day: date) -> None:
    parsed = FuzzyDate.parse(f"{MONTH_NAMES[day.month - 1]} {day.year}")
    assert parsed.precision is Precision.MONTH
    assert parsed.start == day.replace(day=1)
    assert parsed.end == last_day(day.year, day.month)
    assert parsed.start <= day <= parsed.end


@given(st.sampled_from(sorted(SEASON_FIRST_MONTH)), years)
def test_season_spans_three_whole_months(season: str, year: int) -> None:
    parsed = FuzzyDate.parse(f"{season} {year}")
    assert parsed.precision is Precision.SEASON
    assert parsed.start == date(year, SEASON_FIRST_MONTH[season], 1)
    assert parsed.end is not None
    assert parsed.end == last_day(parsed.end.year, parsed.end.month)
    assert months_covered(parsed) == 3


@given(years)
def test_seasons_follow_each_other_without_gaps(year: int) -> None:
    chain = [f"Winter {year - 1}", f"Spring {year}", f"Summer {year}", f"Autumn {year}"]
    chain.append(f"Winter {year}")
    parsed = [FuzzyDate.parse(text) for text in chain]
    for earlier, later in itertools.pairwise(parsed):
        assert earlier.end is not None and later.start is not None
        assert earlier.end + timedelta(days=1) == later.start


@given(years)
def test_quarters_tile_the_year(year: int) -> None:
    quarters = [FuzzyDate.parse(f"Q{n} {year}") for n in range(1, 5)]
    assert quarters[0].start == date(year, 1, 1)
    assert quarters[-1].end == date(year, 12, 31)
    for earlier, later in itertools.pairwise(quarters):
        assert earlier.end is not None and later.start is not None
        assert earlier.end + timedelta(days=1) == later.start


@st.composite
def fuzzy_dates(draw: st.DrawFn) -> FuzzyDate:
    text = draw(any_text)
    inferred = draw(st.booleans())
    precision = draw(st.sampled_from(list(Precision)))
    if precision in (Precision.UNKNOWN, Precision.NONE):
        return FuzzyDate(text, None, None, precision, inferred)
    start = draw(days)
    if precision is Precision.DAY:
        return FuzzyDate(text, start, start, precision, inferred)
    end = start + timedelta(days=draw(st.integers(min_value=1, max_value=400)))
    return FuzzyDate(text, start, end, precision, inferred)


@given(st.one_of(fuzzy_dates(), any_text.map(FuzzyDate.parse)))
def test_to_data_from_data_round_trips_through_json(original: FuzzyDate) -> None:
    data = json.loads(json.dumps(original.to_data()))
    assert FuzzyDate.from_data(data) == original


@given(days, st.sampled_from(["{o} {m}", "{o} of {m}", "{o} {m} and ongoing"]))
def test_day_and_month_without_year_is_unknown_unless_a_year_is_given(
    day: date, template: str
) -> None:
    text = template.format(o=ordinal(day.day), m=MONTH_NAMES[day.month - 1])
    unknown = FuzzyDate.parse(text)
    assert (unknown.start, unknown.end, unknown.precision) == (
        None,
        None,
        Precision.UNKNOWN,
    )
    placed = FuzzyDate.parse(text, year=day.year)
    assert (placed.start, placed.end, placed.precision) == (day, day, Precision.DAY)


@given(days)
def test_month_without_year_is_unknown_unless_a_year_is_given(day: date) -> None:
    text = MONTH_NAMES[day.month - 1]
    assert FuzzyDate.parse(text).precision is Precision.UNKNOWN
    assert FuzzyDate.parse(text, year=day.year).start == day.replace(day=1)


written_dates = st.one_of(
    days.map(lambda d: d.isoformat()),
    days.map(lambda d: f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"),
    st.tuples(st.sampled_from(MONTH_NAMES), years).map(lambda m: f"{m[0]} {m[1]}"),
    st.tuples(st.sampled_from(list(SEASON_FIRST_MONTH)), years).map(lambda s: f"{s[0]} {s[1]}"),
    st.tuples(st.integers(1, 4), years).map(lambda q: f"Q{q[0]} {q[1]}"),
    years.map(lambda y: f"{y}/{(y + 1) % 100:02d}"),
    st.tuples(st.integers(1, 4), years).map(lambda q: f"Q{q[0]} {q[1]}/{(q[1] + 1) % 100:02d}"),
    years.map(str),
)


@given(written=written_dates, inferred=st.booleans())
def test_plain_text_reads_back_as_the_same_interval_precision_and_inference(
    written: str, inferred: bool
) -> None:
    """``plain`` is how a report writes a date; importing the report reads it back."""
    when = FuzzyDate.parse(written)
    when = when.as_inferred() if inferred else when
    again = FuzzyDate.parse(when.plain())
    assert (again.start, again.end, again.precision, again.inferred) == (
        when.start,
        when.end,
        when.precision,
        when.inferred,
    )


@given(written=written_dates)
def test_no_later_than_a_date_is_that_date_inferred(written: str) -> None:
    stated, inferred = FuzzyDate.parse(written), FuzzyDate.parse(f"no later than {written}")
    assert inferred.inferred and not stated.inferred
    assert (inferred.start, inferred.end, inferred.precision) == (
        stated.start,
        stated.end,
        stated.precision,
    )
    assert inferred.text == f"no later than {written}"
