"""The note-taker during a live conversation (issue 12): Tab never takes the box away,
the line is previewed as it will be read, and the list follows the op log."""

from __future__ import annotations

import pytest

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from tests.tui_support import START, FakeClock, list_command, screen_text, small_review, wait_until


def notes_app(
    service: Service, conversation: str, clock: FakeClock | None = None
) -> FacilitatorApp:
    return FacilitatorApp(
        service, conversation=conversation, role="notes", clock=clock or FakeClock()
    )


@pytest.mark.parametrize(
    ("typed", "after_tab", "then", "saved"),
    [
        # unique: completed, with a space, and the next words follow it
        ("job @fam", "job @family ", "stress", "job @family stress"),
        # ambiguous: nothing to add, the candidates are shown, typing goes on in the box
        ("job @p", "job @p", "ersonal stress", "job @personal stress"),
        # ambiguous with a common start: completed as far as it goes
        ("job @lr-a", "job @lr-a", "ims set", "job @lr-aims set"),
        # no candidate at all
        ("job @zz", "job @zz", "top", "job @zztop"),
        # every prompt starts like this
        ("job @lr-", "job @lr-", "options", "job @lr-options"),
    ],
)
async def test_tab_in_a_tag_never_takes_the_box_away(
    service: Service, typed: str, after_tab: str, then: str, saved: str
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*typed)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is box
        assert box.text == after_tab
        await pilot.press(*then)
        await pilot.pause()
        assert app.focused is box
        await pilot.press("enter")
        await pilot.pause()
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == saved


async def test_tab_again_on_an_ambiguous_tag_cycles_through_the_candidates(
    service: Service,
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"job @p", "tab")
        await pilot.pause()
        assert "@personal" in screen_text(app) and "@political" in screen_text(app)
        # Each candidate is followed by a space, as a unique completion is, so typing
        # on never glues a word to the tag ("@personaly").
        await pilot.press("tab")
        assert box.text == "job @personal "
        await pilot.press("tab")
        assert box.text == "job @political "
        await pilot.press("tab")
        assert box.text == "job @personal "
        await pilot.press(*"ly stressed, ")
        assert box.text == "job @personal ly stressed, "
        await pilot.press(*"@p", "tab", "tab", "tab")
        assert box.text == "job @personal ly stressed, @political "
        await pilot.press(*" stress", "enter")  # a space typed anyway is not doubled
        await pilot.pause()
        assert app.focused is box
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == "job @personal ly stressed, @political stress"
    assert note.factors == ("personal", "political")


async def test_the_line_is_previewed_as_it_will_be_read(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*"#new Home visit (early May 2026) cold flat @fam")
        await pilot.pause()
        text = screen_text(app)
        assert "Reads as: Observation" in text
        assert "new episode “Home visit” (early May 2026: 1–10 May 2026)" in text
        assert "factors: family" in text
        await pilot.press(*" #4")
        await pilot.pause()
        assert "⚠ #4: there is no episode E4 yet" in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await pilot.pause()
        await pilot.press(*"? ask about #1 @p")
        await pilot.pause()
        text = screen_text(app)
        assert "Reads as: ⚠ @p could be @personal, @political" in text
        assert "Follow-up · E1 Home visit" in text
    [episode] = service.store.episodes(setup.review)
    assert (episode.title, episode.date_text) == ("Home visit", "early May 2026")
    assert (episode.date_start, episode.date_end) == ("2026-05-01", "2026-05-10")


@pytest.mark.parametrize("clearing", ["backspace", "ctrl+u"])
async def test_a_draft_cleared_by_hand_does_not_come_back(service: Service, clearing: str) -> None:
    from tests.test_tui_drafts import wait_for_draft

    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Not this")
        await wait_for_draft(store, setup.conversation, "Not this")
        await pilot.press(*([clearing] * (8 if clearing == "backspace" else 1)))
        assert app.screen.query_one(NoteBox).text == ""
        for _ in range(100):
            if store.draft(setup.conversation) is None:
                break
            await pilot.pause(0.05)
        await pilot.press("f10")
        await pilot.pause()
    assert store.draft(setup.conversation) is None
    again = notes_app(service, setup.conversation)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.query_one(NoteBox).text == ""
        assert "Recovered draft" not in screen_text(again)


async def test_reopening_a_recovered_draft_keeps_its_time(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    store.save_draft(setup.conversation, "Half a thought", START.isoformat())
    saved = store.draft(setup.conversation)
    assert saved is not None
    for _ in range(2):
        app = notes_app(service, setup.conversation)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.6)  # longer than the draft-save delay
            assert "Recovered draft" in screen_text(app)
    assert store.draft(setup.conversation) == saved


# --- the list follows the op log: the other laptop through a real shared folder ------


async def test_notes_edits_and_merged_conflicts_from_the_other_laptop_appear(
    service: Service, tmp_path
) -> None:
    from facilitator.sync import conflicts, engine_for
    from facilitator.tui.screens.dialogs import EditNoteDialog
    from tests.test_sync_tui import shared

    lead, review, conversation, _folder = shared(service, tmp_path)
    store = service.store
    first = service.record_note(store.conversation(conversation), "The helth visitor rang")
    lead_sync = engine_for(lead, review)
    app = notes_app(service, conversation)
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(120, 30)) as pilot:

        def lead_has_it() -> bool:
            lead_sync.sync()
            return lead.note(first.note_id) is not None

        await wait_until(pilot, lead_has_it, "the note-taker's note on the lead's laptop")
        # The lead jots a note and fixes a typo in the note-taker's note.
        talk = lead.conversation(conversation)
        lead.add_note(talk, "Jotted by the lead in split view", at=START.isoformat())
        lead.revise_note(lead.note(first.note_id), "The health visitor rang")
        lead_sync.sync()
        await wait_until(pilot, lambda: "Jotted by the lead" in screen_text(app), "the lead's note")
        await wait_until(pilot, lambda: "The health visitor rang" in screen_text(app), "the edit")
        assert "helth" not in screen_text(app)

        # Both laptops edit the same note at once: a conflict, then merged on the lead's.
        mine = store.note(first.note_id)
        store.revise_note(mine, "The health visitor rang twice")
        lead.revise_note(lead.note(first.note_id), "The health visitor rang on Monday")
        lead_sync.sync()
        await wait_until(pilot, lambda: "conflicting edits" in screen_text(app), "the conflict")
        lead_sync.sync()
        [conflict] = conflicts.note_conflicts(lead, review)
        conflicts.resolve_note(lead, conflict.note, "The health visitor rang twice on Monday")
        lead_sync.sync()
        await wait_until(
            pilot, lambda: "rang twice on Monday" in screen_text(app), "the merged text"
        )
        assert "conflicting edits" not in screen_text(app)
        # Editing now starts from the merged text, not the text first shown.
        await pilot.press("up")
        listing = app.screen.query_one("#earlier-notes")
        listing.highlighted = [o.id for o in listing._options].index(first.note_id)
        await list_command(pilot, "e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditNoteDialog)
        assert dialog.query_one(NoteBox).text == "The health visitor rang twice on Monday"


@pytest.mark.parametrize("how", ["conflicts screen", "edit in the list"])
async def test_the_conflict_count_drops_once_the_conflict_is_resolved_here(
    service: Service, tmp_path, how: str
) -> None:
    from facilitator.tui.screens.conflicts import ConflictsScreen
    from facilitator.tui.widgets.sync_status import SyncStatusWidget
    from tests.test_sync_tui import conflicting_note, shared

    lead, review, conversation, _folder = shared(service, tmp_path)
    note_id = conflicting_note(service, lead, review, conversation)
    app = notes_app(service, conversation)
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(120, 30)) as pilot:
        widget = app.screen.query_one(SyncStatusWidget)
        await wait_until(pilot, lambda: "1 conflict" in str(widget.render()), "1 conflict")
        if how == "conflicts screen":
            app.push_screen(ConflictsScreen(review, app.sync_worker))
            await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the conflict")
            await pilot.press("1")
            await wait_until(pilot, lambda: "No conflicts" in screen_text(app), "resolved")
            await pilot.press("escape")
        else:
            await pilot.press("up")
            await list_command(pilot, "e")
            await pilot.pause()
            app.screen.query_one(NoteBox).load_text("Mother said the visit was late (settled)")
            await pilot.press("enter")
        await pilot.pause()
        assert not service.store.note(note_id).conflict
        widget = app.screen.query_one(SyncStatusWidget)
        await wait_until(pilot, lambda: "conflict" not in str(widget.render()), "no conflict")
        await wait_until(pilot, lambda: "conflicting edits" not in screen_text(app), "the row")
    lead.close()


@pytest.mark.parametrize(
    ("before", "tabs"),
    [
        ("second @fam", 2),  # a second Tab after the tag was completed
        ("", 1),  # Tab in an empty box
        ("plain words ", 1),  # Tab with no tag at the cursor
    ],
)
async def test_no_tab_ever_takes_the_box_away(service: Service, before: str, tabs: int) -> None:
    """Found by the hostile tester: the second Tab moved focus to the notes list (or the
    lead's pane in the split view, where the next letters changed the stage)."""
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*before, *["tab"] * tabs, *"then we talked")
        await pilot.pause()
        assert app.focused is box
        assert box.text.endswith("then we talked")
