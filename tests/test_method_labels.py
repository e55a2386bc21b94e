"""One label for each kind of statement and each judgement, in the guides' own words,
wherever it shows; a merge never hides the team's judgement of a duplicate; an episode's
description is said to be the review team's (hostile test of issue 14, finding 16)."""

from __future__ import annotations

import io
import re

import docx
import pytest
from markdown_it import MarkdownIt

from facilitator.analysis.episodes import set_team_judgement
from facilitator.analysis.review_overview import review_overview
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

RAW_KEY = re.compile(r"\[(went_well|followup|reflection|observation|discrepancy|quote|idea)\]")


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _cli(store: Store, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    from facilitator.cli.main import main

    try:
        main(["--store", str(store.path), *args])
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr()
    return capsys.readouterr().out


def test_episode_show_labels_statements_in_the_guides_words(
    store: Store, method: Method, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    store.close()
    e1 = _cli(store, capsys, "episode", "show", "E1", "--review", "R1")
    e2 = _cli(store, capsys, "episode", "show", "E2", "--review", "R1")
    for shown in (e1, e2):
        assert not RAW_KEY.search(shown), shown
    good = method.kind("went_well").label  # "Good practice", as guides/note-kinds.md says
    assert f"{good}: Weekly calls with the class teacher worked well" in e1
    assert f"{method.kind('reflection').label}: We wonder whether" in e2
    assert f"{method.kind('followup').label}: Ask the health visitor" in e2


def test_the_episodes_screen_labels_the_teams_notes_in_the_guides_words(
    store: Store, method: Method, fixture: ReviewFixture
):
    from facilitator.tui.screens.episodes import describe

    overview = review_overview(store, fixture.review)
    item = overview.for_episode(fixture.episodes["E2"])
    assert item is not None
    shown = describe(item, overview, method).plain
    assert not RAW_KEY.search(shown), shown
    assert "Team reflection: We wonder whether" in shown
    e1 = overview.for_episode(fixture.episodes["E1"])
    assert e1 is not None
    good = method.kind("went_well").label
    assert (
        f"• {good}: Weekly calls with the class teacher worked well"
        in describe(e1, overview, method).plain
    )


def test_a_merge_never_hides_the_judgement_of_the_duplicate(
    store: Store, method: Method, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    # E5 ("Joint visit with social worker") is E1 under another name; the team judged it.
    set_team_judgement(
        store, fixture.review, fixture.episodes["E5"], good="The visit was planned together"
    )
    set_team_judgement(
        store, fixture.review, fixture.episodes["E5"], description="Both went to the house"
    )
    store.close()
    said = _cli(store, capsys, "episode", "merge", "E1", "E5", "--review", "R1")
    assert "E5 has the team's own judgement or description" in said
    shown = _cli(store, capsys, "episode", "show", "E1", "--review", "R1")
    assert "Good practice (judged as E5): The visit was planned together" in shown
    assert "Review team's description (as E5): Both went to the house" in shown
    reopened = Store(store.path)
    try:
        data = export(reopened, method, fixture.review, "docx", what="episodes")
    finally:
        reopened.close()
    table = docx.Document(io.BytesIO(data)).tables[0]
    e1 = next(r for r in table.rows[1:] if r.cells[0].text.startswith("E1:"))
    assert "Good practice (judged as E5): The visit was planned together" in e1.cells[3].text
    assert e1.cells[1].text == "Review team's description (as E5): Both went to the house"


def test_an_episodes_description_is_attributed_to_the_review_team(
    store: Store, method: Method, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    set_team_judgement(
        store, fixture.review, fixture.episodes["E2"], description="The conference met once"
    )
    store.close()
    shown = _cli(store, capsys, "episode", "show", "E2", "--review", "R1")
    assert "Review team's description: The conference met once" in shown
    store = Store(store.path)
    for final in (False, True):
        data = export(store, method, fixture.review, "docx", what="episodes", final=final)
        table = docx.Document(io.BytesIO(data)).tables[0]
        e2 = next(r for r in table.rows[1:] if r.cells[0].text.startswith("E2:"))
        assert e2.cells[1].text == "Review team's description: The conference met once"
        text = export(store, method, fixture.review, "md", what="narrative", final=final)
        html = MarkdownIt("commonmark").render(text.decode())  # type: ignore[union-attr]
        assert (
            "<p><strong>Review team's description:</strong> The conference met once</p>"
            in html.replace("&#x27;", "'")
        )
    store.close()


def test_the_table_and_the_draft_pack_use_the_guides_labels(
    store: Store, method: Method, fixture: ReviewFixture
):
    from facilitator.dialogue import records
    from facilitator.dialogue.pack import pack_items, render_markdown

    good = method.kind("went_well").label
    set_team_judgement(
        store,
        fixture.review,
        fixture.episodes["E2"],
        good="All invited came",
        problematic="No plan",
    )
    text = export(store, method, fixture.review, "md", what="episodes").decode()  # type: ignore[union-attr]
    assert f"({good}): Weekly calls with the class teacher worked well" in text
    assert "(good practice)" not in text
    draft = records.freeze_draft(store, method, fixture.review, "interim", force=True)
    pack = render_markdown(pack_items(records.draft(store, fixture.review, draft), None))
    assert "What went well" not in pack and "What was problematic" not in pack
    assert "**Good practice:** All invited came" in pack
    assert "**Problematic practice:** No plan" in pack


def test_the_demos_discrepancy_reads_as_the_teams_observation(service: Service):
    """Hostile test of issue 14, finding 16: '!' is the review team's observation of a
    difference (help tags says so); the demo's '!' line read as the participant's claim
    ('Says the GP was invited...'). It now sets the record beside the account."""
    from facilitator.demo import build_demo

    review = build_demo(service)
    (note,) = [n for n in service.store.notes(review=review) if n.kind == "discrepancy"]
    # The record and the account set side by side, neither told as the participant's.
    assert not note.text.startswith("Says"), note.text
    assert "GP letter says" in note.text and "the account has" in note.text


def test_plan_json_gives_each_item_its_label_beside_the_stored_kind(
    store: Store, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    import json

    from facilitator.analysis.plan import KIND_LABELS

    store.close()
    items = json.loads(_cli(store, capsys, "plan", "P2", "--review", "R1", "--json"))["items"]
    assert items
    assert all(item["label"] == KIND_LABELS[item["kind"]] for item in items)
    assert not any("thin" in item["label"] for item in items)


def test_the_narrative_labels_a_good_practice_account_on_its_episode_as_the_table_does(
    store: Store, method: Method, fixture: ReviewFixture
):
    good = method.kind("went_well").label
    text = export(store, method, fixture.review, "md", what="narrative").decode()  # type: ignore[union-attr]
    episodes = text.split("### E1:")[1]
    line = next(x for x in episodes.splitlines() if "Weekly calls with the class teacher" in x)
    assert line.startswith(f"- **C1, Social worker, Children's social care ({good}):**"), line
