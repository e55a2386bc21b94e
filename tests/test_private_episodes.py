"""An episode that nothing public links to stays out of packs and the final report (issue 16,
the hostile report's item 4): one created only in a private ``>> #new`` line, or named only
in the team's working notes, is the team's; a participant's pack and ``export --final``
neither show it nor hint at it (no "Untitled episode", no "Episode added"), and a public
account never sits under an episode that only a private line linked it to. The team's own
(draft) report keeps it, marked as the team's."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.dialogue import records
from facilitator.dialogue.pack import pack_items, render_markdown
from facilitator.method import Method
from facilitator.model import Note
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.cli_support import run_cli
from tests.test_reports_leaks_hostile import _exports

SECRET = ">> #new SECRET Kirby affair (1 May 2024): the team's hunch"


def _review(store: Store) -> tuple[str, str, object]:
    review = store.create_review("Private episodes (fictional)", ["What happened?"])
    person = store.add_participant(review, role="Social worker", agency="Children's services")
    talk = store.conversation(store.new_conversation(review, person, lead="Lee Ruiz"))
    return review, person, talk


def _pack(store: Store, review: str, draft_id: str, person: str) -> str:
    return render_markdown(pack_items(records.draft(store, review, draft_id), person))


def test_an_episode_made_only_in_a_private_line_is_in_no_public_output(
    store: Store, method: Method, service: Service
) -> None:
    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    service.record_note(talk, SECRET)
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert "untitled episode" not in text, fmt
        assert "kirby" not in text and "1 may 2024" not in text, fmt
        assert "home visit" in text, fmt
    md = texts["md"]
    assert "e2" not in md  # not even its label
    assert "1 key practice episode" in md  # nor counted


def test_a_public_account_is_never_listed_under_a_privately_made_episode(
    store: Store, method: Method, service: Service
) -> None:
    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Mother was tired #1\n" + SECRET)
    service.record_note(talk, "Nursery was closed that week\n" + SECRET.replace("Kirby", "Lane"))
    md = export(store, method, review, "md", final=True).decode()
    assert "Untitled episode" not in md and "E2" not in md and "E3" not in md
    assert "Mother was tired" in md
    # A note whose only link was private is still heard, in the person's own words.
    assert "Nursery was closed that week" in md


def test_an_episode_named_only_in_the_teams_working_notes_is_left_out(
    store: Store, method: Method, service: Service
) -> None:
    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_team_note(review, "#new Team hunch about the school (June 2024)")
    md = export(store, method, review, "md", final=True).decode()
    assert "Team hunch" not in md and "E2" not in md


def test_the_team_keeps_a_private_episode_in_its_own_report_marked_as_its_own(
    store: Store, method: Method, service: Service
) -> None:
    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, SECRET)
    md = export(store, method, review, "md", final=False).decode()
    assert "E2: SECRET Kirby affair" in md
    assert "Only the team's own notes name this episode" in md


def test_a_private_episode_the_team_takes_up_in_public_is_shown(
    store: Store, method: Method, service: Service
) -> None:
    """Named only in private, it is left out; renamed by the team, it is part of the
    analysis and shown under its new title."""
    from facilitator.analysis.episodes import rename_episode

    review, _, talk = _review(store)
    service.record_note(talk, SECRET)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    md = export(store, method, review, "md", final=True).decode()
    assert "Untitled episode" not in md
    secret = next(e for e in store.episodes(review) if e.label == "E1")
    rename_episode(store, review, secret.id, "Police visit")
    md = export(store, method, review, "md", final=True).decode()
    assert "E1: Police visit" in md and "Kirby" not in md


def test_packs_leave_out_a_private_episode_and_do_not_announce_it(
    store: Store, method: Method, service: Service
) -> None:
    review, person, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    first = records.freeze_draft(store, method, review, "preliminary")
    service.record_note(talk, SECRET)
    service.record_note(talk, "Mother was tired #1\n>> #new Hidden row (2 June 2024)")
    second = records.freeze_draft(store, method, review, "interim")
    frozen = records.draft(store, review, second)
    assert [e["label"] for e in frozen.content["episodes"]] == ["E1"]
    text = _pack(store, review, second, person)
    assert "Untitled episode" not in text and "Episode added" not in text
    assert "E2" not in text and "E3" not in text
    assert "Mother was tired" in text
    assert "E2" not in _pack(store, review, first, person)


def _note(text: str, episodes: tuple[str, ...]) -> Note:
    return Note("n1", "r", "c", "2024-05-01T10:00", None, 2, "observation", text, None, None,
                episodes=episodes)  # fmt: skip


def test_public_links_read_a_renumbered_or_renamed_episode_by_the_part_that_named_it(
    method: Method,
) -> None:
    """After a sync renumbered the public #5 to E7, the link is still the public part's; an
    episode made in the private line and renamed since is still the private part's."""
    from facilitator.capture import public_links

    labels = {"a": ("E7", "Home visit"), "b": ("E8", "Secret"), "c": ("E9", "Police visit")}
    assert public_links(_note("Tired #5\n>> #new Secret", ("a", "b")), labels, method) == ("a",)
    assert public_links(_note("Tired #7\n>> see #8", ("a", "b")), labels, method) == ("a",)
    # "c" was "#new Hunch" in the private line, renamed "Police visit" by the team.
    assert public_links(_note("Tired #7\n>> #new Hunch", ("a", "c")), labels, method) == ("a",)
    assert public_links(_note(">> #new Secret", ("b",)), labels, method) == ()
    assert public_links(_note("Tired #7 #8", ("a", "b")), labels, method) == ("a", "b")


def test_the_recap_read_back_to_the_participant_keeps_the_teams_lines_out(
    service: Service,
) -> None:
    """Stage 8 reads good practice and ideas back to the participant: a ``>>`` line in such
    a note, and the episode it made, are the team's and are not read out."""
    from facilitator.tui.widgets.lead_model import ConversationWatch
    from facilitator.tui.widgets.lead_recap import recap_text
    from tests.tui_support import START, small_review

    setup = small_review(service, started_at=START.isoformat())
    talk = service.store.conversation(setup.conversation)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "+ Weekly calls worked #1\n>> we think she lied #new Kirby affair")
    service.record_note(talk, "~ Shared chronology >> PRIVATE_IDEA")
    watch = ConversationWatch(service.store, setup.conversation, service.method)
    watch.load()
    text = recap_text(watch.snapshot(), service.method).plain
    assert "Weekly calls worked (E1)" in text
    assert "Shared chronology" in text
    for private in ("she lied", "Kirby", "E2", "PRIVATE_IDEA"):
        assert private not in text, private


def test_draft_new_tells_the_team_which_episodes_it_left_out(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    for args in (
        ("review", "new", "Private episodes (fictional)"),
        ("participant", "add", "R1", "--role", "Health visitor", "--agency", "Health"),
        ("conversation", "new", "R1", "P1"),
        ("note", "add", "C1", "#new Home visit (3 March 2024)"),
        ("note", "add", "C1", SECRET),
    ):
        assert run_cli(path, *args).returncode == 0
    frozen = run_cli(path, "draft", "R1", "new", "preliminary")
    assert frozen.returncode == 0, frozen.stderr
    (line,) = frozen.stderr.strip().splitlines()
    assert line.startswith("not in the draft: E2, named only in the team's own notes")
    exported = run_cli(path, "draft", "R1", "export", "D1", "--format", "md", "-o", "-")
    assert "E1: Home visit" in exported.stdout
    assert "E2" not in exported.stdout and "Kirby" not in exported.stdout


async def test_the_dialogue_screen_says_which_episodes_a_frozen_draft_left_out(
    store: Store, service: Service
) -> None:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.screens.dialogue import DialogueScreen
    from tests.tui_support import FakeClock

    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, SECRET)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **_: said.append(str(message))  # type: ignore[method-assign]
        app.push_screen(DialogueScreen(review))
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    (draft,) = records.drafts(store, review)
    assert [e["label"] for e in draft.content["episodes"]] == ["E1"]
    assert any(m.startswith("Preliminary report frozen. Not in it: E2, named only") for m in said)


@pytest.mark.parametrize("taken_up", ["pattern", "judgement", "account"])
def test_a_private_episode_a_pattern_a_judgement_or_an_account_takes_up_is_shown(
    store: Store, method: Method, service: Service, taken_up: str
) -> None:
    """Part of the team's analysis now: shown, untitled (its title was typed in private)."""
    from facilitator.analysis.episodes import set_team_judgement
    from facilitator.analysis.patterns import add_pattern

    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, SECRET)
    secret = next(e for e in store.episodes(review) if e.label == "E2").id
    if taken_up == "pattern":
        add_pattern(store, review, method, type="human-management", title="Supervision",
                    episodes=[secret])  # fmt: skip
    elif taken_up == "judgement":
        set_team_judgement(store, review, secret, problematic="Nobody asked the school")
    else:
        service.record_note(talk, "The school was not asked #2")
    md = export(store, method, review, "md", final=True).decode()
    assert "E2: Untitled episode (May 2024)" in md or "E2: Untitled episode (1 May 2024)" in md
    assert "Kirby" not in md


def test_an_episode_whose_private_note_was_deleted_stays_out(
    store: Store, method: Method, service: Service
) -> None:
    review, _, talk = _review(store)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    recorded = service.record_note(talk, SECRET)
    service.delete_note(store.note(recorded.note_id))
    md = export(store, method, review, "md", final=True).decode()
    assert "Untitled episode" not in md and "E2" not in md
    assert "E1: Home visit" in md
