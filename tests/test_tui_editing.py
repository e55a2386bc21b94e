"""Earlier notes: move into the list, edit (a new revision), change kind, re-link,
delete with undo, and look at a note's history."""

from __future__ import annotations

import re

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogs import EditNoteDialog, HistoryDialog, KindDialog
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.note_capture import NotesList
from tests.tui_support import START, FakeClock, list_command, screen_text, small_review


def seeded(service: Service) -> tuple[FacilitatorApp, str]:
    setup = small_review(service, started_at=START.isoformat())
    conversation = service.store.conversation(setup.conversation)
    service.record_note(conversation, "#new Home visit (May 2024)")
    service.record_note(conversation, "#new Strategy meeting (June 2024)")
    service.record_note(conversation, "First note")
    service.record_note(conversation, "Second note @family #1")
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    return app, setup.conversation


async def test_up_moves_into_earlier_notes_and_escape_comes_back(service: Service) -> None:
    app, _conversation = seeded(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up")
        listing = app.screen.query_one(NotesList)
        assert app.focused is listing
        assert listing.highlighted == 3  # the latest note
        await pilot.press("up")
        assert listing.highlighted == 2
        await pilot.press("escape")
        assert isinstance(app.focused, NoteBox)


async def test_edit_makes_a_revision_and_relinks(service: Service) -> None:
    app, conversation = seeded(service)
    store = service.store
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up")
        await list_command(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, EditNoteDialog)
        box = dialog.query_one(NoteBox)
        assert box.text == "Second note @family #1"
        box.clear()
        box.insert("! Second note, corrected @team #2")
        await pilot.press("enter")
        await pilot.pause()
        assert "! Second note, corrected @team #2" in screen_text(app)
        assert isinstance(app.focused, NoteBox)  # back to typing after an edit
        await pilot.press("up")
        await list_command(pilot, "h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryDialog)
        history = screen_text(app)
        assert "Second note @family #1" in history
        assert "Second note, corrected @team #2" in history
        # Each version's moment in the UK style users see everywhere, not ISO 8601.
        assert re.search(r"2\. \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d ", history)
        assert not re.search(r"\d{4}-\d\d-\d\d", history)
        await pilot.press("escape")
    note = store.notes(conversation=conversation)[-1]
    assert note.text == "Second note, corrected @team #2"
    assert note.kind == "discrepancy"
    assert note.factors == ("team",)
    episodes = {e.label: e.id for e in store.episodes(note.review)}
    assert note.episodes == (episodes["E2"],)
    assert [r.text for r in store.revisions(note.id)] == [
        "Second note @family #1",
        "Second note, corrected @team #2",
    ]


async def test_change_kind(service: Service) -> None:
    app, conversation = seeded(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up")
        await list_command(pilot, "k")
        assert isinstance(app.screen, KindDialog)
        await pilot.press("down", "down", "enter")  # observation -> quote -> followup
        await pilot.pause()
    assert service.store.notes(conversation=conversation)[-1].kind == "followup"


async def test_delete_leaves_a_tombstone_and_undo_restores(service: Service) -> None:
    app, conversation = seeded(service)
    store = service.store
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up", "up")
        await list_command(pilot, "d")
        await pilot.pause()
        remaining = [n.text for n in store.notes(conversation=conversation)]
        assert "First note" not in remaining
        assert "First note" in [
            n.text for n in store.notes(conversation=conversation, include_deleted=True)
        ]
        assert "deleted: First note" in screen_text(app)
        await list_command(pilot, "u")
        await pilot.pause()
        assert "deleted: First note" not in screen_text(app)
    assert "First note" in [n.text for n in store.notes(conversation=conversation)]


async def test_deleted_notes_stay_hidden_after_reopening(service: Service) -> None:
    app, conversation = seeded(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up")
        await list_command(pilot, "d")
        await pilot.pause()
    again = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(again)
    assert "Second note" not in text
    assert "First note" in text
