"""The team's views are never a participant's account, and ``?`` questions and ``~`` ideas
are not evidence of what a factor did (hostile test of issue 14, findings 5, 6 and 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facilitator.analysis.coverage import conversation_coverage
from facilitator.analysis.matrix import episode_factor_matrix
from facilitator.analysis.patterns import factor_directions
from facilitator.analysis.plan import plan_for
from facilitator.analysis.review_overview import review_overview
from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture
from tests.test_cli_hostile import invoke


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _gp_team_notes_only(store: Store, service: Service, fixture: ReviewFixture) -> str:
    talk = store.new_conversation(fixture.review, fixture.participants["gp"])
    conversation = store.conversation(talk)
    for line in ("! School says it never met him #2", ">> We think the GP was not invited #2"):
        assert not service.record_note(conversation, line).problems
    return talk


def test_team_notes_in_a_conversation_do_not_make_its_participant_heard(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
):
    _gp_team_notes_only(store, service, fixture)
    overview = review_overview(store, fixture.review)
    e2 = overview.for_episode(fixture.episodes["E2"])
    assert e2 is not None
    gp = fixture.participants["gp"]
    assert gp not in e2.heard
    assert gp in {i.participant for i in e2.missing}
    kinds = {(i.kind, i.ref) for i in plan_for(store, method, gp).items}
    assert ("missing_perspective", fixture.episodes["E2"]) in kinds
    assert not any(k in ("thin_rationality", "no_factors") for k, _ in kinds)


def test_coverage_counts_accounts_apart_from_the_teams_notes(
    store: Store, service: Service, fixture: ReviewFixture
):
    talk = _gp_team_notes_only(store, service, fixture)
    assert not service.record_note(store.conversation(talk), "Was told of it later #2").problems
    cover = conversation_coverage(store, talk)
    assert (cover.notes, cover.team_notes) == (1, 2)
    assert cover.episodes[fixture.episodes["E2"]].notes == 1


def test_queries_and_ideas_are_not_evidence_of_a_factors_effect(
    store: Store, method: Method, service: Service, fixture: ReviewFixture, tmp_path: Path
):
    c1 = store.conversation(fixture.conversations["sw"])
    for line in ("? Ask about the rota @role- #3", "~ A shared calendar @role+ #3"):
        assert not service.record_note(c1, line).problems
    # Team-only factor in two episodes: not "recurring" in the accounts.
    for line in (">> Fear of blame @personal- #1", ">> Fear of blame again @personal- #3"):
        assert not service.record_note(c1, line).problems
    matrix = episode_factor_matrix(store, fixture.review, method)
    e3 = fixture.episodes["E3"]
    assert (matrix.accounts(e3, "role"), matrix.team(e3, "role")) == (0, 0)
    assert matrix.marked(e3, "role", "-") == matrix.marked(e3, "role", "+") == 0
    assert "personal" not in matrix.recurring()
    assert "personal" in matrix.recurring(team=True)
    assert "role" not in factor_directions(store, fixture.review)
    code, stdout, _ = invoke(Path(store.path), "matrix", fixture.review, "--json")
    assert code == 0
    data = json.loads(stdout)
    row = next(r for r in data["episodes"] if r["id"] == e3)
    assert "role" not in row["factors"]
    e1 = next(r for r in data["episodes"] if r["id"] == fixture.episodes["E1"])
    assert e1["factors"]["personal"]["hindered"] == {"accounts": 0, "team": 1}


def test_the_json_export_keeps_which_way_a_factor_worked(
    store: Store, service: Service, fixture: ReviewFixture
):
    from facilitator.reports.json_export import dumps

    c1 = store.conversation(fixture.conversations["sw"])
    recorded = service.record_note(c1, "Housing pressure @resources- @team+")
    assert not recorded.problems
    note = next(n for n in json.loads(dumps(store, fixture.review))["notes"]
                if n["id"] == recorded.note_id)  # fmt: skip
    assert sorted(note["directions"]) == ["resources-", "team+"]


def test_a_patterns_seen_in_line_says_which_way_its_factors_worked(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
):
    from facilitator.analysis.patterns import add_pattern
    from facilitator.reports.export import export

    c1 = store.conversation(fixture.conversations["sw"])
    for line in ("Two vacancies @resources- #2", ">> Thin cover @resources- #2"):
        assert not service.record_note(c1, line).problems
    add_pattern(store, fixture.review, method, type=method.patterns[0].key, title="Cover",
                factors=["resources"])  # fmt: skip
    text = export(store, method, fixture.review, "md", what="findings").decode()  # type: ignore[union-attr]
    seen = next(line for line in text.splitlines() if "Seen in:" in line)
    assert "(2 accounts, 1 hindered; the team's view: 1 note, 1 hindered)" in seen, seen
