from datetime import UTC, date, datetime, timedelta, timezone

from domain.time_axes import EFFECTIVE, RECORDED, asked_at


def test_a_question_names_the_axis_of_each_time_it_was_asked_at() -> None:
    moment = datetime(2014, 6, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    assert asked_at(date(2014, 2, 28), None) == "as at (effective) 2014-02-28"
    assert asked_at(None, moment) == "as known at (recorded) 2014-06-01 11:00:00 UTC"
    assert asked_at(date(2014, 2, 28), moment) == (
        f"{EFFECTIVE.at(date(2014, 2, 28))}, {RECORDED.at(moment.astimezone(UTC))}"
    )


def test_a_question_asked_at_no_time_is_asked_now() -> None:
    assert asked_at(None, None) == "now"


def test_a_moment_at_the_calendars_edge_is_named_as_given_when_utc_would_leave_it() -> None:
    earliest = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    latest = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))
    assert RECORDED.at(earliest) == "as known at (recorded) 0001-01-01 00:00:00+05:00"
    assert RECORDED.at(latest) == "as known at (recorded) 9999-12-31 23:59:59-05:00"
