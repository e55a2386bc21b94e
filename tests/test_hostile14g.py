"""Regressions from the fourth hostile test of issue 14 (round 4, findings 3 to 8): the
accounts and the team's view counted apart by one rule in packs, the final report and the
patterns; a second conversation's plan saved on a conversation already held; follow-ups
routed to the person they name; the narrative's discrepancies and unlinked team notes."""

from __future__ import annotations

import re

import pytest

from facilitator.dialogue import records
from facilitator.dialogue.pack import pack_items, render_markdown
from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _say(service: Service, store: Store, fixture: ReviewFixture, who: str, line: str) -> str:
    recorded = service.record_note(store.conversation(fixture.conversations[who]), line)
    assert not recorded.problems, recorded.problems
    return recorded.note_id


def _line(text: str, lead: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"**{lead}"))


def test_a_pack_counts_the_accounts_and_the_teams_view_apart_and_no_idea(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    # E2 already has the social worker's naming note (@interagency): one account.
    _say(service, store, fixture, "hv", "#2 Nobody rang me after it @interagency-")
    _say(service, store, fixture, "hv", "! Says she was told; the minutes say not #2 @interagency-")
    _say(service, store, fixture, "sw", "~ A shared diary #2 @interagency")
    _say(service, store, fixture, "sw", "? Ask who sent the minutes #2 @interagency")
    draft_id = records.freeze_draft(store, method, fixture.review, "preliminary")
    items = pack_items(records.draft(store, fixture.review, draft_id), None)
    text = render_markdown(items)
    e2 = text[text.index("Case conference") :]
    accounts = _line(e2, "Contributory factors in the accounts:")
    assert "Inter-agency and inter-professional working (2 accounts, 1 hindered)" in accounts
    team = _line(e2, "Contributory factors in the review team's view:")
    assert "Inter-agency and inter-professional working (1 note, 1 hindered)" in team
    assert "Contributory factors noted" not in text


def _seen(text: str, title: str) -> str:
    start = text.index(f": {title}")
    return next(line for line in text[start:].splitlines() if "Seen in" in line)


def test_final_patterns_count_only_what_the_final_table_counts(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.patterns import add_pattern
    from facilitator.reports.export import export

    _say(service, store, fixture, "sw", "#3 Cover was thin @team+")
    _say(service, store, fixture, "sw", ">> We think the cover was thinner still #3 @team-")
    _say(service, store, fixture, "sw", "! Says cover was agreed; the rota shows none #3 @team")
    service.record_team_note(fixture.review, "#3 The rota has gaps all spring @team-")
    add_pattern(store, fixture.review, method, type=method.patterns[0].key, title="Thin cover",
                episodes=[fixture.episodes["E3"]], factors=["team"])  # fmt: skip
    final = export(store, method, fixture.review, "md", final=True).decode()  # type: ignore[union-attr]
    # The table: the naming note's @team? no: E3's accounts are the sign-off note and "+".
    row = next(line for line in final.splitlines() if line.startswith("| E3"))
    assert "Own team (2 accounts, 1 helped)" in row, row
    assert "The team's view:<br>Own team (1 note)" in row, row
    seen = _seen(final, "Thin cover")
    # The >> reflection and the plain working note are not in a public report: not counted.
    assert "Own team (2 accounts, 1 helped; the team's view: 1 note)" in seen, seen
    draft = export(store, method, fixture.review, "md").decode()  # type: ignore[union-attr]
    seen = _seen(draft, "Thin cover")
    assert "Own team (2 accounts, 1 helped; the team's view: 3 notes, 2 hindered)" in seen, seen


def test_saving_a_plan_never_puts_it_on_a_conversation_that_holds_notes(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.plan import agenda, plan_for, save_plan
    from facilitator.store.db import StoreError

    hv = fixture.participants["health_visitor"]
    # A conversation still marked planned whose notes were added (from an older version,
    # the command line, or another laptop) without starting it: it has been held.
    held = store.new_conversation(fixture.review, hv, planned_at="2025-03-04T10:00")
    store.add_note(store.conversation(held), "Saw the family twice in spring", stage=2)
    plan = plan_for(store, method, hv)
    assert plan.items
    saved = save_plan(store, plan, planned_at="2025-03-20T14:00")
    assert saved != held
    assert store.conversation(held).planned_at == "2025-03-04T10:00"
    assert not agenda(store, held)
    assert agenda(store, saved)
    with pytest.raises(StoreError, match="already holds notes"):
        save_plan(store, plan, conversation=held, planned_at="2025-03-21T14:00")
    assert store.conversation(held).planned_at == "2025-03-04T10:00"
    assert not agenda(store, held)


@pytest.mark.parametrize(
    ("where", "line", "owner"),
    [
        ("mother", "? ask the grandfather whether he told the social worker about the gas", "gf"),
        ("sw", "? ask mum about the meter money", "mother"),
        ("sw", "? ask Ann whether the meter was topped up", "mother"),
        ("mother", "? check with grandad when the gas went off", "gf"),
    ],
)
def test_a_follow_up_goes_to_the_person_it_asks(
    store: Store, service: Service, method: Method, fixture: ReviewFixture,
    where: str, line: str, owner: str,
) -> None:  # fmt: skip
    from facilitator.analysis.plan import plan_for

    review = fixture.review
    people = {
        "mother": store.add_participant(review, role="Mother", agency="Family", kind="family",
                                        name="Ann Blue", pseudonym="Ms Teal"),
        "gf": store.add_participant(review, role="Maternal grandfather", agency="Family",
                                    kind="family", name="Bob Blue"),
        "sw": fixture.participants["social_worker"],
    }  # fmt: skip
    if where == "mother":
        talk = store.conversation(store.new_conversation(review, people["mother"]))
    else:
        talk = store.conversation(fixture.conversations["sw"])
    recorded = service.record_note(talk, line)
    assert not recorded.problems

    def asked(who: str) -> bool:
        plan = plan_for(store, method, people[who])
        return any(i.kind == "follow_up" and i.ref == recorded.note_id or line[2:] in i.text
                   for i in plan.items)  # fmt: skip

    assert asked(owner), owner
    for other in set(people) - {owner}:
        assert not asked(other), other


def test_family_words_are_optional_and_a_broken_file_is_named(tmp_path) -> None:  # noqa: ANN001
    import shutil

    from facilitator.method import GuideError, default_guides_dir, load_method

    copy = tmp_path / "guides"
    shutil.copytree(default_guides_dir(), copy)
    words = {k.key: k.prompts for k in load_method(copy).relation_words}
    assert "grandad" in words["grandfather"] and "mum" in words["mother"]
    older = tmp_path / "older"  # a folder made before the file existed
    shutil.copytree(default_guides_dir(), older)
    (older / "family-words.md").unlink()
    assert load_method(older).relation_words == ()
    other = tmp_path / "other"
    shutil.copytree(default_guides_dir(), other)
    (other / "family-words.md").write_text("## Mother\n- mum\n", encoding="utf-8")
    with pytest.raises(GuideError, match="family-words.md:1"):
        load_method(other)


def test_the_narrative_shows_differences_and_team_notes_linked_to_no_episode(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.reports.export import export

    _say(service, store, fixture, "ct", "! Says she was never told of the conference; "
         "the letter shows she was sent one")  # fmt: skip
    service.record_team_note(fixture.review, "The school had no record of concerns @interagency-")
    service.record_team_note(fixture.review, "! The GP record and the school's dates differ")
    for final in (False, True):
        text = export(store, method, fixture.review, "md", what="narrative", final=final).decode()  # type: ignore[union-attr]
        line = next((x for x in text.splitlines() if "never told of the conference" in x), "")
        assert "Review team's observation in C3" in line, (final, line)
        assert "The GP record and the school's dates differ" in text, final
        # A plain working note is the team's working material: in the draft, not public.
        assert ("The school had no record of concerns" in text) is not final, final


def test_a_pack_gives_each_part_of_the_judgement_its_line_and_labels_an_idea(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.episodes import set_team_judgement

    set_team_judgement(store, fixture.review, fixture.episodes["E1"],
                  problematic="No return visit for three weeks\nSupervision did not name neglect",
                  significance="The child's weight loss went unseen")  # fmt: skip
    _say(service, store, fixture, "sw", "~ A cap on caseloads at 20 #1")
    draft_id = records.freeze_draft(store, method, fixture.review, "preliminary")
    text = render_markdown(pack_items(records.draft(store, fixture.review, draft_id), None))
    lines = text.splitlines()
    assert "**Problematic practice:** No return visit for three weeks" in lines
    assert "**Problematic practice:** Supervision did not name neglect" in lines
    assert "**Significance for the child:** The child's weight loss went unseen" in lines
    assert "- **C1, Social worker, Children's social care (Idea for change):** A cap on " \
        "caseloads at 20" in lines  # fmt: skip


def test_a_private_episode_is_dated_no_more_precisely_than_it_was_typed(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.reports.export import export

    _say(service, store, fixture, "hv", ">> #new Missed weighing (early July 2024)")
    # Taken up by the team (a judgement), so a public report shows it, untitled.
    made = next(e for e in store.episodes(fixture.review) if e.title == "Missed weighing")
    store.update(fixture.review, "episode", made.id, team_problematic="Not weighed for weeks")
    text = export(store, method, fixture.review, "md", what="episodes", final=True).decode()  # type: ignore[union-attr]
    row = next(line for line in text.splitlines() if "Untitled episode" in line)
    assert "Untitled episode<br>July 2024 |" in row, row
    assert "10 July" not in text


def test_lists_show_a_notes_words_and_its_factors_in_words_never_raw_tags(
    store: Store, service: Service, method: Method, fixture: ReviewFixture, tmp_path
) -> None:  # noqa: ANN001
    from pathlib import Path

    from facilitator.analysis.plan import plan_for
    from tests.test_cli_hostile import invoke

    _say(service, store, fixture, "sw", "~ A cap on caseloads at 20 @resources #1")
    _say(service, store, fixture, "sw", "? check with the health visitor about weights #4 @role-")
    service.record_team_note(fixture.review, "#3 The rota has gaps @team-")
    path = Path(store.path)
    code, ideas, _ = invoke(path, "ideas", fixture.review)
    assert code == 0
    assert "A cap on caseloads at 20 (factor: Resource allocation) (E1)" in ideas, ideas
    code, listed, _ = invoke(path, "note", "team-list", "--review", fixture.review)
    assert "The rota has gaps (factor: Own team, hindered) (E3)" in listed, listed
    code, overview, _ = invoke(path, "overview", fixture.review)
    assert "check with the health visitor about weights (factor: Aspects of the role, " \
        "hindered)" in overview, overview  # fmt: skip
    for text in (ideas, listed, overview):
        assert "@" not in text and "#4" not in text and "#3" not in text
    plan = plan_for(store, method, fixture.participants["health_visitor"])
    asked = [i.text for i in plan.items if i.kind == "follow_up"]
    assert "check with the health visitor about weights (factor: Aspects of the role, " \
        "hindered)" in asked, asked  # fmt: skip


def test_conversation_and_pattern_lists_speak_plainly(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from pathlib import Path

    from facilitator.analysis.patterns import add_pattern
    from tests.test_cli_hostile import invoke

    store.update(fixture.review, "conversation", fixture.conversations["tm"],
                 planned_at="2025-03-03T10:00")  # fmt: skip
    add_pattern(store, fixture.review, method, type=method.patterns[0].key, title="Thin cover")
    code, listed, _ = invoke(Path(store.path), "conversation", "list", fixture.review)
    assert code == 0 and "3 Mar 2025 10:00" in listed and "T10:00" not in listed, listed
    code, patterns, _ = invoke(Path(store.path), "pattern", "list", fixture.review)
    assert "widespread not yet scored, relevance not yet scored" in patterns, patterns
    assert "?" not in patterns


def test_a_pack_gives_dates_as_participants_read_them(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    draft_id = records.freeze_draft(store, method, fixture.review, "preliminary")
    draft = records.draft(store, fixture.review, draft_id)
    text = render_markdown(pack_items(draft, fixture.participants["social_worker"]))
    heading = next(line for line in text.splitlines() if line.startswith("### C1"))
    frozen = next(line for line in text.splitlines() if line.startswith("*Frozen "))
    for line in (heading, frozen):
        assert not re.search(r"\d{4}-\d\d-\d\d", line), line
    assert re.search(r"\(\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d\)", heading), heading


def test_episode_show_calls_a_working_note_the_teams_and_shows_no_raw_tags(
    store: Store, service: Service, fixture: ReviewFixture
) -> None:
    from pathlib import Path

    from tests.test_cli_hostile import invoke

    service.record_team_note(fixture.review, "#3 The rota has gaps @team-")
    code, shown, _ = invoke(Path(store.path), "episode", "show", "E3", "--review", fixture.review)
    assert code == 0
    assert "  Working note: The rota has gaps (factor: Own team, hindered)" in shown, shown
    assert "Observation: The rota" not in shown and "@" not in shown and "#3" not in shown
