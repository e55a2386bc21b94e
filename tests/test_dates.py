"""Lenient dates as reviewers type them; impossible dates refused clearly."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.dates import DateProblem, parse_period, parse_when


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
