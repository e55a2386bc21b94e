"""The team's private words inside a participant's note (after ``>>``) are the team's:
their tags are not the participant's account, they are not read back to the participant,
and they never sit inside the participant's quote marks (hostile test of issue 14, round 4,
findings 1 and 2)."""

from __future__ import annotations

import pytest

from facilitator.analysis.coverage import conversation_coverage
from facilitator.analysis.matrix import episode_factor_matrix
from facilitator.analysis.plan import plan_for
from facilitator.capture import read_back
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.reports.public import public_notes
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _note(service: Service, store: Store, talk: str, line: str) -> str:
    return service.record_note(store.conversation(talk), line).note_id


def test_tags_after_the_teams_aside_do_not_link_the_participants_note(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    talk, e1 = fixture.conversations["sw"], fixture.episodes["E1"]
    before = episode_factor_matrix(store, fixture.review, method)
    counts = {k: before.accounts(e1, k) for k in ("family", "culture", "team")}
    lines = (
        '" #1 I was scared they would take her >> she seemed defensive @family-',
        "+ #1 The duty manager backed my visit @team+ >> we doubt it @culture- @team-",
        "#1 I went along >> we think she saw no options @lr-options",
    )
    quote, helped, prompts = (_note(service, store, talk, line) for line in lines)
    notes = {n.id: n for n in store.notes(conversation=talk)}
    assert notes[quote].factors == () and notes[quote].directions == ()
    assert notes[quote].episodes == (e1,)
    # The participant's "helped" stands: the team's doubt neither counts nor cancels it.
    assert notes[helped].factors == ("team",) and notes[helped].directions == ("team+",)
    assert notes[prompts].prompts == ()
    after = episode_factor_matrix(store, fixture.review, method)
    assert after.accounts(e1, "family") == counts["family"]
    assert after.accounts(e1, "culture") == counts["culture"]
    assert after.accounts(e1, "team") == counts["team"] + 1
    # The prompt the team guessed at is still open for the participant.
    cover = conversation_coverage(store, talk)
    assert "lr-options" in cover.episodes[e1].missing_prompts(method)


def test_an_edit_that_moves_a_tag_behind_the_aside_unlinks_it(
    store: Store, service: Service, fixture: ReviewFixture
) -> None:
    talk = fixture.conversations["sw"]
    note_id = _note(service, store, talk, "The GP never replied @interagency-")
    note = next(n for n in store.notes(conversation=talk) if n.id == note_id)
    service.edit_note(note, "The GP never replied >> a capacity problem @interagency-")
    note = next(n for n in store.notes(conversation=talk) if n.id == note_id)
    assert note.factors == () and note.directions == ()


def test_a_hash_new_in_the_aside_makes_the_episode_but_does_not_link_the_account(
    store: Store, service: Service, fixture: ReviewFixture
) -> None:
    talk = fixture.conversations["sw"]
    note_id = _note(service, store, talk, "We met at school >> #new Strategy meeting (May 2024)")
    made = [e for e in store.episodes(fixture.review) if e.title == "Strategy meeting"]
    assert len(made) == 1
    note = next(n for n in store.notes(conversation=talk) if n.id == note_id)
    assert made[0].id not in note.episodes


def test_the_recap_ideas_and_plan_read_back_only_the_participants_words(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    talk = fixture.conversations["sw"]
    said = (
        "+ My manager gave good supervision #2 @team+ >> we think it missed the neglect @culture-"
    )
    _note(service, store, talk, said)
    note = next(n for n in store.notes(conversation=talk) if "good supervision" in n.text)
    heard = read_back(note.text, method, ["E2"])
    assert heard.startswith("My manager gave good supervision Own team")
    assert "missed the neglect" not in heard and "Organisational culture" not in heard
    items = plan_for(store, method, fixture.participants["health_visitor"]).items
    text = " ".join(i.text for i in items)
    assert "My manager gave good supervision" in text
    assert "missed the neglect" not in text


def test_a_quote_keeps_the_teams_aside_outside_its_quote_marks_and_final_drops_its_tags(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    talk = fixture.conversations["sw"]
    _note(service, store, talk, '" #1 I was scared they would take her >> she seemed defensive')
    draft = export(store, method, fixture.review, "md").decode()
    assert "“I was scared they would take her” " in draft  # then the aside, outside
    assert "she seemed defensive”" not in draft


def test_a_note_saved_before_keeps_no_private_factor_in_a_public_report(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    # Notes saved by the earlier capture linked the aside's tags too: a public report
    # drops those links with the words.
    talk = fixture.conversations["sw"]
    note_id = _note(service, store, talk, "#1 Nobody replied @interagency-")
    store.link(fixture.review, note_id, "factor", "resources")
    store.link_direction(fixture.review, note_id, "resources-")
    store.revise_note(
        next(n for n in store.notes(conversation=talk) if n.id == note_id),
        "#1 Nobody replied @interagency- >> a capacity problem @resources-",
    )
    note = next(n for n in store.notes(conversation=talk) if n.id == note_id)
    assert "resources" in note.factors  # as the earlier capture left it
    [public] = public_notes([note], method)
    assert public.factors == ("interagency",)
    assert public.directions == ("interagency-",)
