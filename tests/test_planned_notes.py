"""A note on a conversation that is only planned (issue 16, left open by the hostile
tester): the note is kept, and the conversation is started with it, at the note's moment,
and the user is told so, in the command line as in the app's note box. A conversation
started meanwhile elsewhere (another laptop, through a sync) keeps its own start."""

from __future__ import annotations

from pathlib import Path

from facilitator.service import Service
from facilitator.store import Store
from facilitator.sync import engine_for, join_share, share_review
from facilitator.tui.app import FacilitatorApp
from tests.cli_support import run_cli
from tests.tui_support import START, FakeClock, screen_text, small_review, type_note


def _planned(store_path: Path) -> None:
    for args in (
        ("review", "new", "Planned notes (fictional)"),
        ("participant", "add", "R1", "--role", "Health visitor", "--agency", "Health"),
        ("conversation", "new", "R1", "P1", "--at", "3 June 2025 10:00"),
    ):
        result = run_cli(store_path, *args)
        assert result.returncode == 0, result.stderr


def test_note_add_on_a_planned_conversation_starts_it_at_the_notes_moment_and_says_so(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    _planned(path)
    added = run_cli(path, "note", "add", "C1", "--at", "3 June 2025 10:04", "Seen at home")
    assert added.returncode == 0, added.stderr
    said = added.stderr.strip().splitlines()
    assert said == ["C1 was only planned: started at 3 Jun 2025 10:04, with this note (stage 1)."]
    listed = run_cli(path, "conversation", "list", "R1").stdout
    assert "in progress" in listed and "planned" not in listed
    with Store(path) as store:
        (talk,) = store.conversations(store.reviews()[0].id)
        assert talk.started_at.startswith("2025-06-03T10:04")
        (note,) = store.notes(conversation=talk.id)
        assert note.stage == 1 and note.elapsed_s == 0
    # A second note: the conversation is under way, nothing more is said.
    again = run_cli(path, "note", "add", "C1", "--at", "3 June 2025 10:09", "Mother was tired")
    assert again.returncode == 0 and again.stderr == ""


def test_a_note_without_its_time_on_a_conversation_planned_for_another_day_is_refused(
    tmp_path: Path,
) -> None:
    """Typed up after the meeting, a note without --at would start the conversation today
    and put every later note typed with its real time before the start: the time is
    asked for, in one line, and nothing is saved; '--at now' starts it now."""
    path = tmp_path / "store.db"
    _planned(path)
    refused = run_cli(path, "note", "add", "C1", "Seen at home")
    assert refused.returncode != 0 and refused.stdout == ""
    (line,) = refused.stderr.strip().splitlines()
    assert "C1 is planned for 3 Jun 2025 10:00 and has not started" in line
    assert "--at" in line and "--at now" in line
    with Store(path) as store:
        assert store.notes(review=store.reviews()[0].id) == []
    now = run_cli(path, "note", "add", "C1", "--at", "now", "Seen at home")
    assert now.returncode == 0 and "C1 was only planned: started at" in now.stderr


def test_a_conversation_started_on_the_other_laptop_keeps_its_start(
    service: Service, tmp_path: Path
) -> None:
    """The note-taker's laptop still holds the conversation as planned when the lead's start
    arrives by sync; the note typed then is saved in the started conversation, whose start
    and first stage stay the lead's."""
    setup = small_review(service)
    folder = tmp_path / "share"
    lead = Store(tmp_path / "lead.db", author="Lead")
    share_review(service.store, setup.review, folder, "correct horse battery", scrypt_n=2**10)
    join_share(lead, folder, "correct horse battery")
    stale = service.store.conversation(setup.conversation)  # read before the sync
    lead.start_conversation(lead.conversation(setup.conversation), at="2025-03-04T10:00:00")
    lead.set_stage(lead.conversation(setup.conversation), 3, at="2025-03-04T10:20:00")
    engine_for(lead, setup.review).sync()
    engine_for(service.store, setup.review).sync()
    recorded = service.record_note(stale, "Seen at home", at="2025-03-04T10:25:00", start=True)
    assert recorded.started is None
    talk = service.store.conversation(setup.conversation)
    assert talk.started_at == "2025-03-04T10:00:00"
    assert [e.stage for e in service.store.stage_events(talk.id)] == [1, 3]
    assert service.store.note(recorded.note_id).stage == 3
    lead.close()


async def test_the_note_box_starts_a_planned_conversation_with_its_first_note(
    service: Service,
) -> None:
    setup = small_review(service)
    clock = FakeClock()
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_note(pilot, "Seen at home")
        await pilot.pause()
        shown = screen_text(app)
        assert "Conversation started with this note" in shown
        talk = service.store.conversation(setup.conversation)
        assert talk.started_at == START.isoformat(timespec="milliseconds")
        (note,) = service.store.notes(conversation=talk.id)
        assert note.stage == 1 and note.elapsed_s == 0
        # F2 now ends it (it no longer offers a start).
        footer = shown.splitlines()[-1]
        assert "f2 End" in footer and "Start" not in footer, footer
        await type_note(pilot, "Mother was tired")
        await pilot.pause()
        assert "Conversation started" not in screen_text(app)


async def test_the_split_view_starts_a_planned_conversation_with_its_first_note(
    service: Service,
) -> None:
    """One laptop, lead and notes in one window: the first note starts the clock for the
    lead's pane too (stage 1), and the next stage key moves on from there."""
    from tests.test_lead_screen import settle

    setup = small_review(service)
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="split", clock=FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "not started" in screen_text(app)
        await type_note(pilot, "Seen at home")
        await settle(pilot)
        assert "Conversation started with this note" in screen_text(app)
        assert "Stage 1 of 9" in screen_text(app) and "not started" not in screen_text(app)
        await pilot.press("f4")
        await settle(pilot)
        assert [e.stage for e in store.stage_events(setup.conversation)] == [1, 2]
    (note,) = store.notes(conversation=setup.conversation)
    assert note.stage == 1
