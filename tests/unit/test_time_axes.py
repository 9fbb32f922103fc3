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
