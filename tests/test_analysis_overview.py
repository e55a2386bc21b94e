"""Accounts per episode, missing perspectives, discrepancies and coverage, on the fictional
review fixture (tests/review_fixture.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from facilitator.analysis.coverage import conversation_coverage, stage_visits
from facilitator.analysis.episodes import merge_episodes, set_involved
from facilitator.analysis.review_overview import contradict, discrepancies, review_overview
from facilitator.model import StageEvent
from facilitator.service import Service
from facilitator.store.db import StoreError
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fx(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def test_fixture_has_the_shape_the_issue_asks_for(service: Service, fx: ReviewFixture) -> None:
    people = service.store.participants(fx.review)
    assert len(people) >= 4
    assert len({p.agency for p in people}) >= 3


def test_each_episode_lists_every_account_attributed_to_its_source(
    service: Service, fx: ReviewFixture
) -> None:
    overview = review_overview(service.store, fx.review)
    conference = overview.for_episode(fx.episodes["E2"])
    assert conference is not None
    by_source = conference.accounts_by_source()
    assert set(by_source) == {fx.conversations["sw"], fx.conversations["hv"]}
    texts = {a.note.text for a in by_source[fx.conversations["hv"]]}
    assert any("worried and wanted a plan" in t for t in texts)
    labels = {a.source_label for a in conference.accounts}
    assert any(label.startswith("C2, Health visitor (Community health)") for label in labels)
    # The team's reflection and follow-up are kept apart from the participants' accounts.
    team = {a.note.id for a in conference.team_notes}
    assert fx.notes["sw_reflection"] in team and fx.notes["sw_followup"] in team
    assert not team & {a.note.id for a in conference.accounts}


def test_episodes_are_in_time_order_with_undated_last(service: Service, fx: ReviewFixture) -> None:
    overview = review_overview(service.store, fx.review)
    labels = [item.episode.label for item in overview.episodes]
    assert labels[-1] == "E6"
    assert overview.episodes[-1].entry.when == "undated"
    assert labels.index("E1") < labels.index("E4") < labels.index("E2") < labels.index("E3")


def test_involved_but_never_asked_is_a_missing_perspective(
    service: Service, fx: ReviewFixture
) -> None:
    overview = review_overview(service.store, fx.review)
    conference = overview.for_episode(fx.episodes["E2"])
    assert conference is not None
    missing = {m.participant: m.reasons for m in conference.missing}
    assert missing == {fx.participants["gp"]: ("recorded by the team",)}
    assert set(conference.heard) == {
        fx.participants["social_worker"],
        fx.participants["health_visitor"],
    }


def test_being_named_in_another_account_counts_as_involved(
    service: Service, fx: ReviewFixture
) -> None:
    overview = review_overview(service.store, fx.review)
    strategy = overview.for_episode(fx.episodes["E3"])
    assert strategy is not None
    (gap,) = strategy.missing
    assert gap.participant == fx.participants["team_manager"]
    assert gap.reasons[0].startswith("mentioned in C1, Social worker")


def test_a_name_is_found_in_one_account_never_across_two(
    service: Service, fx: ReviewFixture
) -> None:
    """The overview narrows its search over all of an episode's notes at once; a name
    that only appears when two notes are read together is still not a mention."""
    store = service.store
    gp = fx.participants["gp"]
    talk = store.conversation(fx.conversations["ct"])
    service.record_note(talk, "#1 The referral was read out by Eva")
    service.record_note(talk, "#1 Frost was on the windows, it was very cold that morning")
    nursery = review_overview(store, fx.review).for_episode(fx.episodes["E1"])
    assert nursery is not None and gp not in nursery.involved
    service.record_note(talk, "#1 I think eva frost had seen him the week before")
    nursery = review_overview(store, fx.review).for_episode(fx.episodes["E1"])
    assert nursery is not None
    assert nursery.involved[gp].reasons == (
        "mentioned in C3, Class teacher (Northfield Primary School)",
    )


def test_once_heard_a_participant_is_no_longer_missing(service: Service, fx: ReviewFixture) -> None:
    store = service.store
    gp_talk = store.new_conversation(fx.review, fx.participants["gp"])
    store.update(fx.review, "conversation", gp_talk, started_at="2025-05-20T10:00:00+00:00")
    service.record_note(store.conversation(gp_talk), "#2 Attended for the first half only")
    conference = review_overview(store, fx.review).for_episode(fx.episodes["E2"])
    assert conference is not None
    assert conference.missing == []
    assert fx.participants["gp"] in conference.heard


def test_withdrawn_involvement_is_no_longer_missing(service: Service, fx: ReviewFixture) -> None:
    set_involved(service.store, fx.review, fx.episodes["E2"], fx.participants["gp"], None)
    conference = review_overview(service.store, fx.review).for_episode(fx.episodes["E2"])
    assert conference is not None and conference.missing == []
    assert conference.team_view == {}


def test_the_teams_not_involved_outweighs_a_chance_mention(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    manager = fx.participants["team_manager"]
    set_involved(store, fx.review, fx.episodes["E3"], manager, False)
    strategy = review_overview(store, fx.review).for_episode(fx.episodes["E3"])
    assert strategy is not None
    assert strategy.missing == [] and strategy.team_view == {manager: False}
    set_involved(store, fx.review, fx.episodes["E3"], manager, None)  # back to the notes
    strategy = review_overview(store, fx.review).for_episode(fx.episodes["E3"])
    assert strategy is not None and [m.participant for m in strategy.missing] == [manager]
    # Someone the team says was not involved but who spoke of it is still heard.
    speaker = fx.participants["social_worker"]
    set_involved(store, fx.review, fx.episodes["E3"], speaker, False)
    strategy = review_overview(store, fx.review).for_episode(fx.episodes["E3"])
    assert strategy is not None and speaker in strategy.heard


def test_discrepancies_pair_the_two_accounts_that_disagree(
    service: Service, fx: ReviewFixture
) -> None:
    found = discrepancies(service.store, fx.review)
    pair = next(d for d in found if d.id == fx.notes["sw_agreed"])
    assert [n.id for n in pair.notes] == [fx.notes["sw_agreed"], fx.notes["hv_worried"]]
    assert pair.sources == (fx.conversations["sw"], fx.conversations["hv"])
    assert pair.episodes == (fx.episodes["E2"],)
    flagged = next(d for d in found if d.id == fx.notes["hv_flag"])
    assert flagged.notes[0].kind == "discrepancy"
    overview = review_overview(service.store, fx.review)
    conference = overview.for_episode(fx.episodes["E2"])
    assert conference is not None
    assert {d.id for d in conference.discrepancies} == {fx.notes["sw_agreed"], fx.notes["hv_flag"]}
    assert overview.for_episode(fx.episodes["E1"]).discrepancies == []  # type: ignore[union-attr]


def test_a_flagged_note_linked_as_contradicting_is_one_discrepancy(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    contradict(store, fx.review, fx.notes["hv_flag"], fx.notes["sw_agreed"])
    found = discrepancies(store, fx.review)
    flagged = next(d for d in found if d.id == fx.notes["hv_flag"])
    assert fx.notes["sw_agreed"] in [n.id for n in flagged.notes]
    with pytest.raises(StoreError):
        contradict(store, fx.review, fx.notes["hv_flag"], fx.notes["hv_flag"])


def test_open_follow_ups_are_attached_to_their_episode(service: Service, fx: ReviewFixture) -> None:
    overview = review_overview(service.store, fx.review)
    assert len(overview.open_follow_ups) == 2
    conference = overview.for_episode(fx.episodes["E2"])
    assert conference is not None
    assert [f.note for f in conference.follow_ups] == [fx.notes["sw_followup"]]


def test_merged_duplicates_pool_accounts_and_keep_provenance(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    merge_episodes(store, fx.review, fx.episodes["E1"], fx.episodes["E5"])
    overview = review_overview(store, fx.review)
    assert overview.for_episode(fx.episodes["E5"]) is overview.for_episode(fx.episodes["E1"])
    visit = overview.for_episode(fx.episodes["E1"])
    assert visit is not None
    assert [e.id for e in visit.entry.merged] == [fx.episodes["E5"]]
    assert fx.participants["health_visitor"] in visit.heard
    # The note still links to the episode its author named.
    hv_note = store.note(fx.notes["hv_e5"])
    assert hv_note is not None and hv_note.episodes == (fx.episodes["E5"],)
    assert fx.episodes["E5"] not in [i.episode.id for i in overview.episodes]


def test_conversation_coverage_counts_stage_time_and_episode_prompts(
    service: Service, method, fx: ReviewFixture
) -> None:
    cover = conversation_coverage(service.store, fx.conversations["sw"])
    assert cover.stages_visited == list(range(1, 10))
    # Stage 4 ran from 19.5 to 30.5 minutes after the start (events are 30 s before notes).
    assert cover.seconds_by_stage[4] == pytest.approx(11 * 60)
    # The last stage runs until the conversation ended (58 minutes).
    assert cover.seconds_by_stage[9] == pytest.approx((58 - 54.5) * 60)
    visit = cover.episodes[fx.episodes["E1"]]
    assert set(visit.prompts) == {"lr-picture", "lr-information"}
    assert set(visit.factors) == {"family", "interagency"}
    assert "lr-aims" in visit.missing_prompts(method)
    assert cover.unlinked_factors["resources"] == 1
    assert fx.episodes["E4"] not in cover.episodes


def test_stage_visits_join_repeats_and_run_to_now_when_unfinished() -> None:
    events = [
        StageEvent("a", "c", 2, "2025-01-01T10:00:00+00:00"),
        StageEvent("b", "c", 3, "2025-01-01T10:05:00+00:00"),
        StageEvent("c", "c", 3, "2025-01-01T10:06:00+00:00"),
        StageEvent("d", "c", 2, "2025-01-01T10:10:00+00:00"),
    ]
    now = datetime.fromisoformat("2025-01-01T10:12:00+00:00")
    visits = stage_visits(events, now=now)
    assert [(v.stage, v.seconds) for v in visits] == [(2, 300), (3, 300), (2, 120)]
    assert visits[-1].end is None
    assert [v.seconds for v in stage_visits(events)][-1] == 0


def test_records_accepted_into_an_episode_are_attributed_to_their_document(
    service: Service, fx: ReviewFixture, tmp_path: Path
) -> None:
    from facilitator.importers import import_file

    store = service.store
    path = tmp_path / "gp.txt"
    path.write_text("12/03/2024 GP letter: the GP attended the conference briefly\n")
    result = import_file(store, fx.review, path, agency="General practice", title="GP letter")
    (entry,) = result.entries
    store.update(fx.review, "chronology", entry, status="accepted", episode=fx.episodes["E2"])
    conference = review_overview(store, fx.review).for_episode(fx.episodes["E2"])
    assert conference is not None
    (shown,) = conference.records
    assert shown.source_label == "document: GP letter" and "attended" in shown.text
    reasons = {m.participant: m.reasons for m in conference.missing}
    assert reasons[fx.participants["gp"]] == (
        "recorded by the team",
        "mentioned in document: GP letter",
    )
