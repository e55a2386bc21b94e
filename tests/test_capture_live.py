"""The note grammar as the live conversation uses it (issue 12): `#new` with text after
the date, approximate dates as case notes write them, unknown references kept."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator import capture
from facilitator.dates import parse_period
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("early May 2026", dt.date(2026, 5, 1), dt.date(2026, 5, 10)),
        ("mid-March 2024", dt.date(2024, 3, 11), dt.date(2024, 3, 20)),
        ("mid March 2024", dt.date(2024, 3, 11), dt.date(2024, 3, 20)),
        ("late February 2024", dt.date(2024, 2, 21), dt.date(2024, 2, 29)),
        ("end of June 2024", dt.date(2024, 6, 21), dt.date(2024, 6, 30)),
        ("late 2023", dt.date(2023, 9, 1), dt.date(2023, 12, 31)),
        ("early 2024", dt.date(2024, 1, 1), dt.date(2024, 4, 30)),
        ("summer 2024", dt.date(2024, 6, 1), dt.date(2024, 8, 31)),
        ("Spring 2023", dt.date(2023, 3, 1), dt.date(2023, 5, 31)),
        ("autumn 2022", dt.date(2022, 9, 1), dt.date(2022, 11, 30)),
        ("winter 2023", dt.date(2023, 12, 1), dt.date(2024, 2, 29)),
        ("w/c 3 March 2024", dt.date(2024, 3, 3), dt.date(2024, 3, 9)),
        ("week commencing 3/3/24", dt.date(2024, 3, 3), dt.date(2024, 3, 9)),
        ("w/b 10 June 2024", dt.date(2024, 6, 10), dt.date(2024, 6, 16)),
    ],
)
def test_approximate_dates_are_periods_kept_as_written(
    text: str, start: dt.date, end: dt.date
) -> None:
    parsed = parse_period(text)
    assert (parsed.start, parsed.end) == (start, end)
    assert parsed.text == text
    assert parsed.precision == "period"


def test_new_episode_title_ends_at_the_date_and_the_rest_stays_in_the_note(
    method: Method,
) -> None:
    parsed = capture.parse(
        "#new Home visit (early May 2026) mum said the flat was cold @family", method
    )
    [episode] = parsed.new_episodes
    assert episode.title == "Home visit"
    assert episode.date_text == "early May 2026"
    assert episode.date is not None and episode.date.start == dt.date(2026, 5, 1)
    assert parsed.factors == ["family"]
    assert parsed.problems == []
    assert "mum said the flat was cold" in parsed.text


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("#new Strategy meeting: nobody from health came", "Strategy meeting"),
        ("#new Strategy meeting; nobody from health came", "Strategy meeting"),
        ("#new Strategy meeting - nobody from health came", "Strategy meeting"),
        ("#new Strategy meeting. Nobody from health came", "Strategy meeting"),
        ("#new Strategy meeting @team", "Strategy meeting"),
        ("#new Strategy meeting", "Strategy meeting"),
    ],
)
def test_new_episode_without_a_date_ends_at_the_first_break(
    method: Method, line: str, title: str
) -> None:
    [episode] = capture.parse(line, method).new_episodes
    assert episode.title == title and episode.date is None


def test_new_episode_with_an_unclosed_date_is_a_problem(method: Method) -> None:
    parsed = capture.parse("#new Home visit (12 March 2024 she said", method)
    [episode] = parsed.new_episodes
    assert episode.title == "Home visit"
    assert any("')'" in problem for problem in parsed.problems)


def test_an_unknown_episode_reference_stays_in_exported_text(
    service: Service, method: Method
) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    service.record_note(conversation, "#new Visit (March 2024)")
    service.record_note(conversation, "as at #1 and again at #7 @family")
    text = export(store, method, review, "md").decode()
    line = next(line for line in text.splitlines() if "again at" in line)
    # The known link is shown as an attribution, so its tag goes; the unknown one stays.
    assert "#7" in line
    assert "#1" not in line and "@family" not in line
