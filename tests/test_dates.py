"""Lenient dates as reviewers type them; impossible dates refused clearly."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.dates import DateProblem, parse_moment, parse_period, parse_when, uk_moment


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12 March 2024", dt.date(2024, 3, 12), dt.date(2024, 3, 12)),
        ("12/3/2024", dt.date(2024, 3, 12), dt.date(2024, 3, 12)),
        ("2024-03-12", dt.date(2024, 3, 12), dt.date(2024, 3, 12)),
        ("March 2024", dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
        ("February 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("Jan-Mar 2024", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("3-5 May 2024", dt.date(2024, 5, 3), dt.date(2024, 5, 5)),
        ("March to May 2024", dt.date(2024, 3, 1), dt.date(2024, 5, 31)),
    ],
)
def test_periods(text: str, start: dt.date, end: dt.date) -> None:
    parsed = parse_period(text)
    assert (parsed.start, parsed.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31 February 2024", "not a real date"),
        ("30/02/2024", "not a real date"),
        ("banana", "not a date I can read"),
        ("12 March", "has no year"),
        ("May-Mar 2024", "ends before it starts"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(DateProblem, match=message):
        parse_period(text)


def test_when_takes_times_and_words() -> None:
    now = dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC)
    assert parse_when("5 March 2025 10:30", now=now) == dt.datetime(
        2025, 3, 5, 10, 30, tzinfo=dt.UTC
    )
    assert parse_when("tomorrow", now=now).date() == dt.date(2025, 3, 5)
    with pytest.raises(DateProblem):
        parse_when("31 February 2025", now=now)


# --- Written while killing mutants of facilitator/dates.py (TESTING.md) ----------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("late February 2023", dt.date(2023, 2, 21), dt.date(2023, 2, 28)),  # not a leap year
        ("mid 2024", dt.date(2024, 5, 1), dt.date(2024, 8, 31)),
        ("middle of 2024", dt.date(2024, 5, 1), dt.date(2024, 8, 31)),
        # A range across a new year, each side with its own year.
        ("November 2023 to February 2024", dt.date(2023, 11, 1), dt.date(2024, 2, 29)),
        # The left side borrows the year, or the month and year, of a numeric right side.
        ("Jan to 14/2/24", dt.date(2024, 1, 1), dt.date(2024, 2, 14)),
        ("14 - 16/2/24", dt.date(2024, 2, 14), dt.date(2024, 2, 16)),
        # A "range" that starts and ends on one day is that day, not a mistake.
        ("3 May 2024 to 3 May 2024", dt.date(2024, 5, 3), dt.date(2024, 5, 3)),
    ],
)
def test_more_periods_are_read_as_a_reviewer_means_them(
    text: str, start: dt.date, end: dt.date
) -> None:
    parsed = parse_period(text)
    assert (parsed.start, parsed.end) == (start, end)
    assert parsed.text == text  # kept as written, for the chronology


def test_a_single_date_is_kept_as_written() -> None:
    parsed = parse_period("12 March  2024")
    assert parsed.text == "12 March 2024"  # only runs of spaces are tidied
    assert parsed.precision == "day"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The reason is quoted with the text, so the reviewer sees what to correct.
        ("31 February 2024", r"^'31 February 2024' is not a real date \(day is out of range"),
        ("2024-13-01", r"^'2024-13-01' is not a real date \(month must be in 1\.\.12\)$"),
        ("12/13/24", r"^'12/13/24' is not a real date \(day/month/year: there is no month 13\)$"),
        # A leap day without a year is a missing year, not an impossible date.
        ("29 February", r"^'29 February' has no year: add one, e.g. '29 February 2024'$"),
        (" , ", r"^no date given$"),
        ("w/c March 2024", r"^'w/c March 2024': a week starts on a day"),
        ("late 28 March 2024", r"^'late 28 March 2024': early, mid and late go with a month"),
        ("mid 12 March 2024", r"^'mid 12 March 2024': early, mid and late go with a month"),
    ],
)
def test_refusals_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(DateProblem, match=message):
        parse_period(text)


NOW = dt.datetime(2025, 3, 4, 12, 34, 56, 789, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        (" Today ", NOW),
        ("Yesterday", NOW - dt.timedelta(days=1)),
        ("tomorrow", NOW + dt.timedelta(days=1)),
        # A date alone is 9 in the morning, in the reviewer's time zone.
        ("5 March 2025", dt.datetime(2025, 3, 5, 9, 0, tzinfo=NOW.tzinfo)),
        ("5/3/2025", dt.datetime(2025, 3, 5, 9, 0, tzinfo=NOW.tzinfo)),  # UK order
        ("5 March 2025 10:30", dt.datetime(2025, 3, 5, 10, 30, tzinfo=NOW.tzinfo)),
        # A time zone typed with the time is that instant (not the reviewer's 10:30),
        # shown in the reviewer's zone, as every other moment on the board is.
        ("5 March 2025 10:30 +05:00", dt.datetime(2025, 3, 5, 6, 30, tzinfo=NOW.tzinfo)),
        # "GMT+1" is an hour ahead of GMT, as a UK reader means it (dateutil: behind).
        ("5 March 2025 10:30 GMT+1", dt.datetime(2025, 3, 5, 10, 30, tzinfo=NOW.tzinfo)),
        ("5 March 2025 10:30 BST", dt.datetime(2025, 3, 5, 10, 30, tzinfo=NOW.tzinfo)),
        ("5 March 2025 10:30 GMT", dt.datetime(2025, 3, 5, 11, 30, tzinfo=NOW.tzinfo)),
    ],
)
def test_when_reads_words_dates_and_times(text: str, expected: dt.datetime) -> None:
    import warnings

    warnings.simplefilter("error")  # no warning may reach the terminal
    moment = parse_when(text, now=NOW)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()


def test_when_refuses_an_impossible_date_by_name() -> None:
    with pytest.raises(DateProblem, match=r"^'31 February 2025' is not a real date \(day is"):
        parse_when(" 31 February 2025 ", now=NOW)


def test_stored_moments_are_read_leniently() -> None:
    assert parse_moment(None) is None
    assert parse_moment("") is None
    assert parse_moment("not a time") is None  # synced from elsewhere: never a crash
    aware = parse_moment("2025-03-04T10:00:00+05:00")
    assert aware == dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert aware.utcoffset() == dt.timedelta(hours=5)
    naive = parse_moment("2025-03-04T10:00:00")
    assert naive.tzinfo is not None  # local time, comparable with aware moments
    assert naive.replace(tzinfo=None) == dt.datetime(2025, 3, 4, 10, 0)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (None, ""),
        ("", ""),
        ("2025-03-04", "4 Mar 2025"),
        ("2025-03-04T10:05:00+00:00", "4 Mar 2025 10:05"),
        ("2025-12-25T09:00", "25 Dec 2025 09:00"),
        ("sometime", "sometime"),  # unreadable: shown as it is
    ],
)
def test_stored_moments_are_shown_in_one_uk_style(stored: str | None, shown: str) -> None:
    assert uk_moment(stored) == shown
