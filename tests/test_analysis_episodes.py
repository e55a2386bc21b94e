"""The episodes board and the team's operations on it: merge, unmerge, split, rename,
re-date, team judgement; the episode x factor matrix; patterns and recommendations."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.analysis.episodes import (
    board,
    canonical_ids,
    merge_episodes,
    redate_episode,
    rename_episode,
    set_team_judgement,
    split_episode,
    unmerge_episode,
)
from facilitator.analysis.matrix import episode_factor_matrix
from facilitator.analysis.patterns import (
    add_pattern,
    add_recommendation,
    patterns,
    prioritise_pattern,
    recommendations,
)
from facilitator.dates import DateProblem
from facilitator.method import Method
from facilitator.model import Episode
from facilitator.service import Service
from facilitator.store.db import StoreError
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fx(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _titles(service: Service, fx: ReviewFixture) -> list[str]:
    return [e.episode.label for e in board(service.store, fx.review)]


def test_board_orders_by_date_and_shows_undated_as_such(
    service: Service, fx: ReviewFixture
) -> None:
    entries = board(service.store, fx.review)
    assert [e.episode.label for e in entries] == ["E5", "E1", "E4", "E2", "E3", "E6"]
    assert [e.when for e in entries][-1] == "undated"
    assert not entries[-1].dated
    assert entries[3].sources == (fx.conversations["sw"], fx.conversations["hv"])


def test_merge_keeps_every_link_and_can_be_undone(service: Service, fx: ReviewFixture) -> None:
    store = service.store
    links_before = [r for r in store.rows("links", fx.review) if r["target_kind"] == "episode"]
    merge_episodes(store, fx.review, fx.episodes["E1"], fx.episodes["E5"])
    assert _titles(service, fx) == ["E1", "E4", "E2", "E3", "E6"]
    visit = board(store, fx.review)[0]
    assert {n.id for n in visit.notes} >= {fx.notes["hv_e5"], fx.notes["sw_e1"]}
    links_after = [r for r in store.rows("links", fx.review) if r["target_kind"] == "episode"]
    assert links_after == links_before
    with pytest.raises(StoreError, match="already"):
        merge_episodes(store, fx.review, fx.episodes["E5"], fx.episodes["E1"])
    unmerge_episode(store, fx.review, fx.episodes["E5"])
    assert "E5" in _titles(service, fx)
    with pytest.raises(StoreError, match="not merged"):
        unmerge_episode(store, fx.review, fx.episodes["E5"])


def test_merging_into_a_merged_episode_follows_the_chain(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    merge_episodes(store, fx.review, fx.episodes["E1"], fx.episodes["E5"])
    target = merge_episodes(store, fx.review, fx.episodes["E5"], fx.episodes["E4"])
    assert target == fx.episodes["E1"]
    mapping = canonical_ids(store.episodes(fx.review))
    assert mapping[fx.episodes["E4"]] == fx.episodes["E1"]


def test_concurrent_merges_that_form_a_cycle_resolve_the_same_way() -> None:
    a = Episode("a1", "E1", "r", "A", merged_into="b2")
    b = Episode("b2", "E2", "r", "B", merged_into="a1")
    c = Episode("c3", "E3", "r", "C", merged_into="b2")
    mapping = canonical_ids([a, b, c])
    assert mapping == {"a1": "a1", "b2": "a1", "c3": "a1"}
    assert canonical_ids([c, b, a]) == mapping


def test_split_moves_chosen_notes_and_marks_old_links_absent(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    new = split_episode(
        store,
        fx.review,
        fx.episodes["E2"],
        "Conference minutes",
        [fx.notes["sw_reflection"]],
        date_text="April 2024",
    )
    moved = store.note(fx.notes["sw_reflection"])
    assert moved is not None and moved.episodes == (new,)
    old_link = [
        r
        for r in store.rows("links", fx.review)
        if r["source"] == fx.notes["sw_reflection"] and r["target"] == fx.episodes["E2"]
    ]
    assert old_link and old_link[0]["present"] == 0
    entry = next(e for e in board(store, fx.review) if e.episode.id == new)
    assert entry.episode.date_start == "2024-04-01"
    with pytest.raises(StoreError, match="not linked"):
        split_episode(store, fx.review, fx.episodes["E2"], "X", [fx.notes["ct_e1"]])
    with pytest.raises(StoreError):
        split_episode(store, fx.review, fx.episodes["E2"], "X", [])


def test_rename_redate_and_judge(service: Service, fx: ReviewFixture) -> None:
    store = service.store
    rename_episode(store, fx.review, fx.episodes["E6"], "  Letter about   attendance ")
    redate_episode(store, fx.review, fx.episodes["E6"], "May 2024")
    set_team_judgement(
        store,
        fx.review,
        fx.episodes["E6"],
        good="Concern was raised promptly",
        problematic="[bold]No[/bold] follow-up visit",
    )
    episode = next(e for e in store.episodes(fx.review) if e.id == fx.episodes["E6"])
    assert episode.title == "Letter about attendance"
    assert (episode.date_start, episode.date_end) == ("2024-05-01", "2024-05-31")
    assert episode.team_problematic == "[bold]No[/bold] follow-up visit"
    redate_episode(store, fx.review, fx.episodes["E6"], "10 February 2024")
    assert _titles(service, fx) == ["E5", "E1", "E4", "E6", "E2", "E3"]
    with pytest.raises(DateProblem):
        redate_episode(store, fx.review, fx.episodes["E6"], "31 February 2024")
    with pytest.raises(DateProblem, match="after today: check the year; the date was not"):
        redate_episode(store, fx.review, fx.episodes["E6"], "10 February 2042")
    assert _titles(service, fx) == ["E5", "E1", "E4", "E6", "E2", "E3"]  # unchanged
    with pytest.raises(StoreError):
        rename_episode(store, fx.review, fx.episodes["E6"], "   ")
    redate_episode(store, fx.review, fx.episodes["E6"], "")
    assert _titles(service, fx)[-1] == "E6"


def test_matrix_counts_notes_and_shows_repetition(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    matrix = episode_factor_matrix(service.store, fx.review, method)
    assert matrix.factors[:9] == [a.key for a in method.factor_areas]
    assert matrix.count(fx.episodes["E1"], "interagency") == 2
    assert {n.id for n in matrix.notes(fx.episodes["E1"], "interagency")} >= {fx.notes["ct_e1"]}
    assert matrix.spread("interagency") == 2  # E1 and E2
    assert matrix.recurring() == ["family", "interagency"]
    assert len(matrix.unlinked["resources"]) == 1
    merge_episodes(service.store, fx.review, fx.episodes["E1"], fx.episodes["E5"])
    merged = episode_factor_matrix(service.store, fx.review, method)
    assert fx.episodes["E5"] not in [e.id for e in merged.episodes]
    only_accounts = episode_factor_matrix(service.store, fx.review, method, kinds=("observation",))
    assert only_accounts.row_total(fx.episodes["E1"]) <= merged.row_total(fx.episodes["E1"])


def test_patterns_and_recommendations_link_support_and_sort_by_priority(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    store = service.store
    low = add_pattern(
        store, fx.review, method, type="human-tool", title="Forms shape the visit",
        widespread=2, relevance=2,
    )  # fmt: skip
    high = add_pattern(
        store,
        fx.review,
        method,
        type="assessment-longer-term",
        title="Conference decisions are not written down",
        widespread=4,
        relevance=5,
        episodes=[fx.episodes["E2"], fx.episodes["E5"]],
        factors=["interagency"],
    )
    merge_episodes(store, fx.review, fx.episodes["E1"], fx.episodes["E5"])
    found = patterns(store, fx.review)
    assert [p.id for p in found] == [high, low]
    assert found[0].episodes == (fx.episodes["E2"], fx.episodes["E1"])
    assert found[0].factors == ("interagency",)
    prioritise_pattern(store, fx.review, low, priority=1)
    assert [p.id for p in patterns(store, fx.review)] == [low, high]
    rec = add_recommendation(
        store, fx.review, method, kind="clear-cut", text="Circulate minutes within two days",
        pattern=high, episodes=[fx.episodes["E2"]],
    )  # fmt: skip
    (view,) = recommendations(store, fx.review)
    assert (view.id, view.pattern, view.episodes) == (rec, high, (fx.episodes["E2"],))
    with pytest.raises(StoreError, match="pattern type"):
        add_pattern(store, fx.review, method, type="nonsense", title="x")
    with pytest.raises(StoreError, match="1 to 5"):
        add_pattern(store, fx.review, method, type="human-tool", title="x", widespread=9)
    with pytest.raises(StoreError, match="kind"):
        add_recommendation(store, fx.review, method, kind="smart", text="x")
    with pytest.raises(StoreError, match="factor area"):
        add_pattern(store, fx.review, method, type="human-tool", title="x", factors=["bogus"])
    assert len(patterns(store, fx.review)) == 2  # the refused ones left nothing behind


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=7), min_size=1, max_size=8), st.randoms())
def test_canonical_ids_are_idempotent_and_order_independent(
    targets: list[int], rng: random.Random
) -> None:
    ids = [f"e{i}" for i in range(len(targets))]
    episodes = [
        Episode(ids[i], f"E{i + 1}", "r", "t", merged_into=f"e{t}" if t >= 0 else None)
        for i, t in enumerate(targets)
    ]
    mapping = canonical_ids(episodes)
    assert set(mapping) == set(ids)
    for live in mapping.values():
        assert mapping[live] == live  # every id lands on an episode that stays put
    shuffled = episodes[:]
    rng.shuffle(shuffled)
    assert canonical_ids(shuffled) == mapping


def test_matrix_counts_accounts_and_the_teams_view_apart(
    service: Service, fx: ReviewFixture, method: Method
) -> None:
    """A team reflection tagged @culture #2 is the team's view of E2, not an account of it
    (guide 3.4.1): the matrix counts the two apart."""
    store = service.store
    conversation = store.conversation(fx.conversations["sw"])
    service.record_note(conversation, ">> Covert pressure to close cases @culture #2")
    matrix = episode_factor_matrix(store, fx.review, method)
    e2 = fx.episodes["E2"]
    assert (matrix.accounts(e2, "culture"), matrix.team(e2, "culture")) == (0, 1)
    assert (matrix.accounts(e2, "interagency"), matrix.team(e2, "interagency")) == (1, 0)
    assert matrix.count(e2, "culture") == 1


def test_a_merge_into_an_undated_episode_keeps_the_duplicates_date(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    redate_episode(store, fx.review, fx.episodes["E6"], "")
    redate_episode(store, fx.review, fx.episodes["E4"], "March 2024")
    merge_episodes(store, fx.review, fx.episodes["E6"], fx.episodes["E4"])
    kept = next(e for e in store.episodes(fx.review) if e.id == fx.episodes["E6"])
    assert (kept.date_text, kept.date_start, kept.date_end) == (
        "March 2024",
        "2024-03-01",
        "2024-03-31",
    )
    # A dated episode keeps its own date: the team is told that the two differed.
    from facilitator.analysis.episodes import merge_dates_differ

    redate_episode(store, fx.review, fx.episodes["E5"], "June 2024")
    assert merge_dates_differ(store, fx.review, fx.episodes["E6"], fx.episodes["E5"]) == (
        "June 2024"
    )
    assert merge_dates_differ(store, fx.review, fx.episodes["E6"], fx.episodes["E4"]) is None
