"""Statements attributed to their real source (guide 3.4.1): a ``!`` note is the review
team's observation made in that conversation, and the team's own working notes, on the
review or on a record, belong to no participant's conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.analysis.matrix import episode_factor_matrix
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from facilitator.sync.share import engine_for
from tests.review_fixture import ReviewFixture, build_review_fixture
from tests.sync_support import shared_pair

DISCREPANCY = "Her recollection of the conference differs from the social worker's"
WORKING = "The GP letter of 3 March says no invitation to the conference came"


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _md(store: Store, method: Method, review: str, **options: object) -> str:
    return export(store, method, review, "md", **options).decode()  # type: ignore[arg-type,union-attr]


def test_a_discrepancy_note_is_the_teams_observation_in_the_narrative(
    store: Store, method: Method, fixture: ReviewFixture
):
    for final in (False, True):
        text = _md(store, method, fixture.review, what="narrative", final=final)
        assert f"**Review team's observation in C2:** {DISCREPANCY}" in text
        # Never printed as the health visitor's own account.
        assert f"Health visitor, Community health:** {DISCREPANCY}" not in text
        assert f"Health visitor:** {DISCREPANCY}" not in text


def test_the_record_marks_a_discrepancy_as_the_teams_observation(
    store: Store, method: Method, fixture: ReviewFixture
):
    text = _md(store, method, fixture.review, what="record")
    assert f"Review team's observation:** {DISCREPANCY}" in text


def test_a_team_working_note_belongs_to_no_conversation(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
):
    recorded = service.record_team_note(fixture.review, f"{WORKING} #2 @interagency")
    note = store.note(recorded.note_id)
    assert note.conversation == "" and note.kind == "observation"
    assert store.check().ok, store.check().problems
    from facilitator.reports.json_export import dumps

    assert WORKING in dumps(store, fixture.review)
    assert export(store, method, fixture.review, "qdpx")  # a REFI-QDA export still builds
    assert all(n.id != note.id for talk in store.conversations(fixture.review)
               for n in store.notes(conversation=talk.id))  # fmt: skip
    # It is the team's view: counted apart from the participants' accounts.
    matrix = episode_factor_matrix(store, fixture.review, method)
    e2 = fixture.episodes["E2"]
    assert (matrix.accounts(e2, "interagency"), matrix.team(e2, "interagency")) == (1, 1)
    draft = _md(store, method, fixture.review)
    assert "## Review team's working notes" in draft
    assert f"**Review team's working note:** {WORKING}" in draft
    assert "unknown source" not in draft
    # Working material: never in the public report.
    assert WORKING not in _md(store, method, fixture.review, final=True)


def test_team_notes_from_the_cli_with_a_citation_and_listed(
    store: Store, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    from facilitator.cli.main import main

    record = tmp_path / "gp-letter.txt"
    record.write_text("Dear colleague, no invitation to the conference reached us.\n")
    store.close()

    def cli(*args: str) -> str:
        try:
            main(["--store", str(store.path), *args])
        except SystemExit as exc:
            assert not exc.code, capsys.readouterr()
        return capsys.readouterr().out

    document = cli("import", "R1", str(record), "--title", "GP letter", "--agency", "GP").strip()
    cli(
        "note",
        "team",
        "The letter shows no invitation reached the GP #2",
        "--review",
        "R1",
        "--cite",
        document[:8],
        "--passage",
        "no invitation to the conference reached us",
    )
    listed = cli("note", "team-list", "--review", "R1")
    assert "The letter shows no invitation reached the GP" in listed
    assert "(on GP letter)" in listed
    shown = cli("episode", "show", "E2", "--review", "R1")
    assert f"Discrepancy (the review team's observation): {DISCREPANCY}" in shown
    team_part = shown.split("Review team's notes:")[1]
    assert "The letter shows no invitation reached the GP" in team_part


def test_a_team_working_note_syncs_to_the_other_laptop(tmp_path: Path, method: Method):
    for lead, taker, _share, review, _conversation in shared_pair(tmp_path):
        Service(lead, method).record_team_note(review, "Working note on the chronology")
        engine_for(lead, review).sync()
        engine_for(taker, review).sync()
        (arrived,) = [n for n in taker.notes(review=review) if not n.conversation]
        assert arrived.text == "Working note on the chronology"


IDEA = "Minutes of conferences sent to everyone within two days"


def test_participants_ideas_for_change_are_gathered_attributed(
    store: Store, method: Method, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    """Guide 3.3.2 stage 7 feeds 3.4.6: every ~ idea across the review, attributed, where
    the team weighs patterns and recommendations."""
    draft = _md(store, method, fixture.review, what="findings")
    ideas = draft.split("### Participants' ideas for change")[1]
    assert f"- **C1, Social worker, Children's social care:** {IDEA}" in ideas
    final = _md(store, method, fixture.review, final=True)
    assert f"- **C1, Social worker:** {IDEA}" in final
    from facilitator.cli.main import main

    store.close()
    main(["--store", str(store.path), "ideas"])
    out = capsys.readouterr().out
    assert f"C1, Social worker (Children's social care): {IDEA}" in out


def test_the_narrative_holds_each_perspective_in_its_own_words(
    store: Store, method: Method, fixture: ReviewFixture
):
    """Guide 2.4, 3.4.1: many strands, not episodes only. A stage-2 story and a note
    linked to no episode reach the narrative, attributed; the episodes follow, where the
    strands meet."""
    text = _md(store, method, fixture.review, what="narrative")
    strands, episodes = text.split("### E5")[0], text.split("### E5")[1]
    assert "#### Ana Lopes (Social worker, Children's social care)" in strands
    assert (
        "- **C1, Social worker, Children's social care:** "
        "Took the case after the school's referral in January"
    ) in strands
    assert "Two vacancies in the team that spring" in strands  # no episode, stage 5
    assert "Noticed the bruise at morning registration" in strands  # the teacher's story
    assert "Understands the purpose of the review" not in text  # stage 1: the process
    assert "We wonder whether" not in strands  # the team's view is not a strand
    assert "**Gap:** **Not yet heard:** Team manager, Children's social care" in strands
    assert "Reported the bruise to social care the same day" in episodes
    final = _md(store, method, fixture.review, what="narrative", final=True)
    assert "- **C1, Social worker:** Took the case after the school's referral in January" in final
    assert "Ana Lopes" not in final
