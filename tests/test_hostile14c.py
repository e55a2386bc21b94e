"""Findings of a trained Learning Together reviewer's hostile test of issue 14 (third
round): counts that agree with the matrix, directions never lost silently, the team's
words never credited to a participant, and what the public report keeps."""

from __future__ import annotations

import io

import docx
import pytest

from facilitator.capture import labelled, parse, untagged
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _row(store: Store, method: Method, review: str, label: str, **options: object) -> dict:
    data = export(store, method, review, "docx", what="episodes", **options)  # type: ignore[arg-type]
    table = docx.Document(io.BytesIO(data)).tables[0]
    header = [c.text for c in table.rows[0].cells]
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if cells[0].startswith(f"{label}:"):
            return dict(zip(header, cells, strict=True))
    raise AssertionError(f"no row for {label}")


def _say(service: Service, fixture: ReviewFixture, key: str, line: str, stage: int = 5):
    talk = service.store.conversation(fixture.conversations[key])
    return service.record_note(talk, line, stage=stage)


def test_ideas_and_questions_count_in_no_direction_of_the_episode_table(
    service: Service, store: Store, method: Method, fixture: ReviewFixture
):
    assert not _say(
        service, fixture, "sw", "~ Share referrals by phone too @interagency+ #1"
    ).problems
    assert not _say(service, fixture, "sw", "? Ask who phoned whom @interagency- #1").problems
    factors = _row(store, method, fixture.review, "E1")["Contributory factors"]
    # The two accounts tagged inter-agency; the idea and the question say nothing of its effect.
    assert "Inter-agency and inter-professional working (2 accounts)" in factors.splitlines(), (
        factors
    )
    assert "helped" not in factors and "hindered" not in factors


@pytest.mark.parametrize(
    "line",
    [
        "Cover was found one week, not the next @resources+ @resources-",
        "Cover was found one week, not the next @res+-",
        "Cover was found one week, not the next @resources-+",
    ],
)
def test_a_factor_said_to_help_and_hinder_is_a_problem_never_a_silent_choice(
    method: Method, line: str
):
    parsed = parse(line, method)
    assert parsed.factors == ["resources"]
    assert "resources" not in parsed.directions  # neither way is taken on its own
    assert any("both helped and hindered" in p for p in parsed.problems), parsed.problems
    assert untagged(parsed.text, method) == "Cover was found one week, not the next"


def test_a_doubled_sign_leaves_no_stray_sign_and_says_so(method: Method):
    parsed = parse("The family came to every appointment @family++", method)
    assert parsed.directions == {"family": "+"}
    assert parsed.problems  # told, not guessed silently
    assert untagged(parsed.text, method) == "The family came to every appointment"
    assert "+" not in labelled(parsed.text, method).replace("(helped)", "")


def test_the_teams_reflection_is_not_a_participant_mentioning_someone(
    service: Service, store: Store, fixture: ReviewFixture
):
    from facilitator.analysis.review_overview import review_overview

    line = ">> The class teacher should have been told of the check #4"
    assert not _say(service, fixture, "sw", line, stage=8).problems
    item = review_overview(store, fixture.review).for_episode(fixture.episodes["E4"])
    reasons = item.involved[fixture.participants["class_teacher"]].reasons
    assert not any("C1, Social worker" in r for r in reasons), reasons
    assert any("Review team" in r for r in reasons), reasons


def test_an_episode_named_in_a_discrepancy_note_is_named_by_the_team(
    service: Service, store: Store, method: Method, fixture: ReviewFixture
):
    assert not _say(service, fixture, "hv", "! #new Two dates given for the review", 4).problems
    text = export(store, method, fixture.review, "md", what="narrative").decode()  # type: ignore[union-attr]
    after = text[text.index("Two dates given for the review") :]
    named = next(line for line in after.splitlines() if "Named in" in line)
    assert "C2, Health visitor" not in named
    assert "Review team's observation in C2" in named


def test_the_episode_table_leads_a_cited_note_with_its_author_and_quotes_the_passage(
    service: Service, store: Store, method: Method, fixture: ReviewFixture
):
    passage = "Strategy meeting held."
    doc = store.add_document(fixture.review, "SW case file", f"12 March. {passage}")
    talk = store.conversation(fixture.conversations["hv"])
    note = "I read that the meeting went ahead"
    assert not service.record_note(talk, f"{note} #3", document=doc, passage=passage).problems
    accounts = _row(store, method, fixture.review, "E3")["Accounts"].splitlines()
    line = next(a for a in accounts if note in a)
    assert "cited in" not in line
    assert line.startswith("C2, Health visitor, Community health, on SW case file:"), line
    assert f"(the record: “{passage}”)" in line


def _final_md(store: Store, method: Method, review: str) -> str:
    return export(store, method, review, "md", final=True).decode()  # type: ignore[union-attr]


def test_the_final_report_keeps_the_teams_working_observation_and_document_evidence(
    service: Service, store: Store, method: Method, fixture: ReviewFixture
):
    differ = "The diary and the case record disagree on the date"
    assert not service.record_team_note(fixture.review, f"! {differ} #4").problems
    doc = store.add_document(fixture.review, "Police log", "4 April. Officer attended.")
    recorded = service.record_team_note(
        fixture.review, "#new Police attendance (4 April 2024)", document=doc, passage="Officer"
    )
    assert not recorded.problems
    text = _final_md(store, method, fixture.review)
    # The team's observation, attributed to the team, in the narrative and the table.
    shown = [line for line in text.splitlines() if differ in line]
    assert len(shown) == 2, shown
    assert f"**Review team's working note, Discrepancy:** {differ}" in shown
    assert f"Review team's observation (working notes): {differ}" in shown[1]
    e7 = _row(store, method, fixture.review, "E7", final=True)
    assert e7["Evidence"] != "no sources yet"
    assert "Police log" in e7["Evidence"], e7


def test_the_recap_names_the_episode_a_note_is_linked_to_not_the_number_typed(
    service: Service,
) -> None:
    """After a split the note typed "#1" is linked to the new episode: the stage-8 recap
    read back to the participant names that one."""
    from facilitator.analysis.episodes import split_episode
    from facilitator.tui.widgets.lead_model import ConversationWatch
    from facilitator.tui.widgets.lead_recap import recap_text
    from tests.tui_support import START, small_review

    setup = small_review(service, started_at=START.isoformat())
    talk = service.store.conversation(setup.conversation)
    assert not service.record_note(talk, "#new Home visit (May 2024)").problems
    good = service.record_note(talk, "+ The second visit was well planned #1")
    assert not good.problems
    (first,) = next(
        n for n in service.store.notes(review=setup.review) if n.id == good.note_id
    ).episodes
    new = split_episode(service.store, setup.review, first, "Second home visit", [good.note_id])
    label = next(e.label for e in service.store.episodes(setup.review) if e.id == new)
    assert label != "E1"
    watch = ConversationWatch(service.store, setup.conversation, service.method)
    watch.load()
    said = recap_text(watch.snapshot(), service.method).plain.split("Good practice")[1]
    line = next(x for x in said.splitlines() if "well planned" in x)
    assert label in line and "E1" not in line, line


def _cli(store: Store, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    from facilitator.cli.main import main

    try:
        main(["--store", str(store.path), *args])
    except SystemExit as exc:
        assert not exc.code, exc.code
    out, err = capsys.readouterr()
    return out + err


def test_a_patterns_directions_count_only_its_own_episodes_notes(
    service: Service,
    store: Store,
    method: Method,
    fixture: ReviewFixture,
    capsys: pytest.CaptureFixture[str],
):
    from facilitator.analysis.patterns import add_pattern

    assert not _say(
        service, fixture, "sw", "#1 The school rang the same day @interagency+"
    ).problems
    for n in (4, 6):  # other episodes' notes: not the pattern's
        assert not _say(service, fixture, "hv", f"#{n} Nobody rang back @interagency-").problems
    add_pattern(
        store, fixture.review, method, type="crisis-response", title="Same-day calls",
        episodes=[fixture.episodes["E1"]], factors=["interagency"],
    )  # fmt: skip
    text = export(store, method, fixture.review, "md", what="findings").decode()  # type: ignore[union-attr]
    seen = next(line for line in text.splitlines() if "Seen in" in line)
    assert "1 helped" in seen and "hindered" not in seen, seen
    listed = _cli(store, "pattern", "list", fixture.review, capsys=capsys)
    assert "1 helped" in listed and "hindered" not in listed, listed


def test_pattern_recommend_and_ideas_lists_speak_the_guides_words_not_keys(
    service: Service,
    store: Store,
    method: Method,
    fixture: ReviewFixture,
    capsys: pytest.CaptureFixture[str],
):
    from facilitator.analysis.patterns import add_pattern, add_recommendation

    add_pattern(
        store, fixture.review, method, type=["crisis-response", "assessment-longer-term"],
        title="Same-day calls", episodes=[fixture.episodes["E1"]], factors=["interagency"],
    )  # fmt: skip
    add_recommendation(store, fixture.review, method, kind="clear-cut", text="Ring back")
    listed = _cli(store, "pattern", "list", fixture.review, capsys=capsys)
    assert "crisis-response" not in listed and "interagency" not in listed, listed
    assert "Multi-agency working in response to incidents and crises" in listed
    assert "Inter-agency and inter-professional working" in listed
    recommended = _cli(store, "recommend", "list", fixture.review, capsys=capsys)
    assert "[clear-cut]" not in recommended and "Clear-cut and locally actionable" in recommended
    assert not _say(service, fixture, "sw", "~ Ring the school back @interagency+ #1").problems
    ideas = _cli(store, "ideas", fixture.review, capsys=capsys)
    line = next(x for x in ideas.splitlines() if "Ring the school back" in x)
    assert "@interagency" not in line and "#1" not in line, line
    covered = _cli(store, "coverage", fixture.conversations["sw"][:8], capsys=capsys)
    e1 = next(x for x in covered.splitlines() if x.strip().startswith("E1 "))
    assert "lr-" not in covered and "What they thought was going on" not in e1, covered
    assert "still open: What lay behind their thinking and feelings, " in e1
    assert "spoken of: Inter-agency and inter-professional working, The family" in e1


def test_a_family_member_with_a_pseudonym_keeps_their_role_in_the_final_report(
    store: Store, method: Method, fixture: ReviewFixture
):
    store.add_participant(
        fixture.review, role="Mother", agency="Family", name="Mary Quinn", kind="family",
        pseudonym="Ms Blue",
    )  # fmt: skip
    store.add_participant(
        fixture.review, role="Grandmother", agency="Family", name="Gwen Quinn", kind="family",
        pseudonym="Grandmother G",
    )  # fmt: skip
    text = _final_md(store, method, fixture.review)
    assert "- Ms Blue (mother): no conversation yet" in text.splitlines(), text
    assert "- Grandmother G: no conversation yet" in text.splitlines()  # said once is enough
    assert "Mary" not in text and "Gwen" not in text


def test_ideas_name_the_episode_an_idea_is_linked_to_after_a_split(
    service: Service, store: Store, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str]
):
    from facilitator.analysis.episodes import split_episode

    idea = _say(service, fixture, "sw", "~ Ring the school back the same day @interagency #1", 7)
    assert not idea.problems
    new = split_episode(store, fixture.review, fixture.episodes["E1"], "Call back", [idea.note_id])
    label = next(e.label for e in store.episodes(fixture.review) if e.id == new)
    ideas = _cli(store, "ideas", fixture.review, capsys=capsys)
    line = next(x for x in ideas.splitlines() if "Ring the school back" in x)
    assert line.endswith(f"({label})") and "E1" not in line, line
