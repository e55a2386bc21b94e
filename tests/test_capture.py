"""The note line grammar: one parser for the note box and `facilitator note add`."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator import capture
from facilitator.method import Method
from facilitator.service import Service


@pytest.mark.parametrize(
    ("line", "kind", "text"),
    [
        ("Visited the family", "observation", "Visited the family"),
        ('"It felt calm that day"', "quote", "It felt calm that day"),
        ('"Open quote only', "quote", "Open quote only"),
        ("? ask the GP", "followup", "ask the GP"),
        ("! differs from the school's record", "discrepancy", "differs from the school's record"),
        (">> we think workload mattered", "reflection", "we think workload mattered"),
        ("+ weekly calls helped", "went_well", "weekly calls helped"),
        ("~ a shared chronology", "idea", "a shared chronology"),
    ],
)
def test_kind_by_prefix(method: Method, line: str, kind: str, text: str) -> None:
    parsed = capture.parse(line, method)
    assert (parsed.kind, parsed.text) == (kind, text)


def test_factor_tags_by_unique_prefix(method: Method) -> None:
    parsed = capture.parse("Supervision cancelled @cond @team @res @lr-opt", method)
    assert parsed.factors == ["conditions", "team", "resources"]
    assert parsed.prompts == ["lr-options"]
    assert parsed.problems == []


def test_ambiguous_and_unknown_tags_are_problems_not_losses(method: Method) -> None:
    parsed = capture.parse("@p said @banana", method)
    assert parsed.factors == []
    assert parsed.text == "@p said @banana"
    assert any("@p could be @personal, @political" in p for p in parsed.problems)
    assert any("@banana is not a factor area" in p for p in parsed.problems)


def test_email_addresses_are_not_tags(method: Method) -> None:
    parsed = capture.parse("wrote to duty@example.org", method)
    assert parsed.factors == [] and parsed.problems == []


def test_completion(method: Method) -> None:
    assert capture.complete_tag("p", method) == ["personal", "political"]
    assert capture.complete_tag("lr-a", method) == ["lr-attention", "lr-aims"]


def test_episode_references_and_new_episode(method: Method) -> None:
    parsed = capture.parse("#3 and #E12 #new Home visit (12 March 2024) @family", method)
    assert parsed.episode_numbers == [3, 12]
    assert parsed.factors == ["family"]
    [episode] = parsed.new_episodes
    assert episode.title == "Home visit"
    assert episode.date is not None and episode.date.start == dt.date(2024, 3, 12)


def test_impossible_date_on_new_episode_is_kept_and_reported(method: Method) -> None:
    parsed = capture.parse("#new Strategy meeting (31 February 2024)", method)
    [episode] = parsed.new_episodes
    assert episode.title == "Strategy meeting" and episode.date is None
    assert episode.date_text == "31 February 2024"
    assert any("not a real date" in p for p in parsed.problems)


def test_unknown_hash_reference_is_reported(method: Method) -> None:
    parsed = capture.parse("see #minutes", method)
    assert parsed.episode_numbers == []
    assert any("#minutes" in p for p in parsed.problems)


def test_service_saves_note_with_problems_and_links(service: Service) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    first = service.record_note(conversation, "#new Visit (March 2024) @family", stage=3)
    [episode] = store.episodes(review)
    assert episode.label == "E1" and episode.date_start == "2024-03-01"
    second = service.record_note(conversation, "! the GP disagrees #1 #9 @zz", stage=4)
    note = store.note(second.note_id)
    assert note.kind == "discrepancy" and note.stage == 4
    assert note.episodes == (episode.id,)
    assert set(note.problems) == set(second.problems)
    assert any("E9" in p for p in note.problems) and any("@zz" in p for p in note.problems)
    assert store.note(first.note_id).factors == ("family",)


def test_markup_and_escape_codes_are_stored_exactly(service: Service) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    line = "[bold]x[/] [type=x, v={'a[0]'}] \x1b[31mred\x1b[0m שלום 👍"
    recorded = service.record_note(conversation, line)
    assert store.note(recorded.note_id).text == line


def test_edit_relinks_and_does_not_duplicate_new_episodes(service: Service) -> None:
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    recorded = service.record_note(conversation, "#new Visit (2024) @family")
    note = store.note(recorded.note_id)
    service.edit_note(note, "#new Visit (2024) @team corrected")
    edited = store.note(recorded.note_id)
    assert len(store.episodes(review)) == 1
    assert edited.factors == ("team",) and edited.text == "#new Visit (2024) @team corrected"
    assert len(store.revisions(note.id)) == 2


@pytest.mark.parametrize(
    ("line", "factors", "directions"),
    [
        ("Two vacancies @resources-", ["resources"], {"resources": "-"}),
        ("Weekly supervision @team+ kept her going", ["team"], {"team": "+"}),
        (
            "Prefixes work too @res+ @cond-",
            ["resources", "conditions"],
            {"resources": "+", "conditions": "-"},
        ),  # fmt: skip
        ("No direction @family", ["family"], {}),
    ],
)
def test_a_factor_can_be_marked_as_helping_or_hindering(
    method: Method, line: str, factors: list[str], directions: dict[str, str]
) -> None:
    parsed = capture.parse(line, method)
    assert parsed.problems == []
    assert parsed.factors == factors
    assert parsed.directions == directions


def test_a_prompt_has_no_direction(method: Method) -> None:
    parsed = capture.parse("Thought it was calm @lr-picture+", method)
    assert parsed.prompts == ["lr-picture"]
    assert any("direction" in p for p in parsed.problems)


def test_direction_is_read_aloud_and_kept_through_save_and_edit(
    method: Method, service: Service
) -> None:
    assert capture.labelled("Vacancies @res- hurt", method) == (
        "Vacancies Resource allocation (hindered) hurt"
    )
    assert "factors: resources (hindered)" in capture.preview("x @res-", method).reading
    store = service.store
    review = store.create_review("R")
    person = store.add_participant(review, role="GP", agency="General practice")
    conversation = store.conversation(store.new_conversation(review, person))
    saved = store.note(service.record_note(conversation, "Vacancies @res- @team+").note_id)
    assert saved.factors == ("resources", "team")
    assert saved.directions == ("resources-", "team+")
    service.edit_note(saved, "Vacancies @res+ @team")
    edited = store.note(saved.id)
    assert set(edited.factors) == {"resources", "team"}
    assert edited.directions == ("resources+",)
