"""When a send or a meeting happened: a day must be named; a day without a year is the
nearest such day (the last one before now, for something already done)."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.dates import DateProblem, parse_day_when

NOW = dt.datetime(2026, 12, 1, 4, 32, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "past", "expected"),
    [
        ("1 December 04:30", True, dt.datetime(2026, 12, 1, 4, 30, tzinfo=dt.UTC)),
        ("3 June 10:00", True, dt.datetime(2026, 6, 3, 10, 0, tzinfo=dt.UTC)),
        ("20 December", True, dt.datetime(2025, 12, 20, 9, 0, tzinfo=dt.UTC)),
        ("10 June 12:00", False, dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)),
        ("20 December 14:00", False, dt.datetime(2026, 12, 20, 14, 0, tzinfo=dt.UTC)),
        ("5 January", False, dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC)),
        ("3 June 2025 10:00", True, dt.datetime(2025, 6, 3, 10, 0, tzinfo=dt.UTC)),
        ("today", True, NOW),
    ],
)
def test_a_day_without_a_year_is_the_nearest_sensible_one(
    text: str, past: bool, expected: dt.datetime
) -> None:
    assert parse_day_when(text, now=NOW, past=past) == expected


@pytest.mark.parametrize("text", ["March 2026", "2026", "June", "December 2025 10:00"])
def test_a_month_or_a_year_alone_is_refused(text: str) -> None:
    with pytest.raises(DateProblem, match="give the day, not only the month or year"):
        parse_day_when(text, now=NOW)


def test_a_time_alone_is_today() -> None:
    assert parse_day_when("04:00", now=NOW, past=True) == NOW.replace(hour=4, minute=0)
    assert parse_day_when("16:00", now=NOW) == NOW.replace(hour=16, minute=0)


def test_something_done_cannot_be_later_than_now() -> None:
    with pytest.raises(DateProblem, match="later than now"):
        parse_day_when("1 December 2026 23:59", now=NOW, past=True)
    with pytest.raises(DateProblem, match="later than now"):
        parse_day_when("16:00", now=NOW, past=True)
    # A day given without a time, today, is now (not 09:00 still to come).
    assert parse_day_when("1 Dec", now=NOW, past=True) == NOW
    assert parse_day_when("1 December 2026", now=NOW, past=True) == NOW


def test_an_unknown_zone_is_a_clear_problem() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DateProblem, match="give the time in this laptop's time"):
            parse_day_when("1 December 2026 04:00 XYZT", now=NOW, past=True)


def test_a_moment_that_cannot_be_read_suggests_a_moment_not_a_month() -> None:
    # "try 'March 2024'" for a send or a meeting was then refused as "give the day".
    for text in ("", "blah"):
        with pytest.raises(DateProblem, match="'3 June 2025 10:00' or 'today'"):
            parse_day_when(text, now=NOW)
