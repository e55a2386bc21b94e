"""The note-taker's box when the store refuses a note (a full disk; a read-only store
says so the same way): the app keeps running, says why, and the typed note stays in the
box to be saved once there is room."""

from __future__ import annotations

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from tests.tui_support import FakeClock, screen_text, small_review


async def test_a_full_disk_keeps_the_note_in_the_box_and_says_so(service: Service) -> None:
    setup = small_review(service)
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    text = "Said the referral was never acknowledged " + "and more detail " * 400
    async with app.run_test(size=(100, 30)) as pilot:
        box = app.screen.query_one(NoteBox)
        store.conn.execute("VACUUM")
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count={pages}")  # SQLITE_FULL, as a full disk
        box.load_text(text)
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        assert box.text == text
        assert "disk holding the store is full" in screen_text(app)
        assert store.notes(conversation=setup.conversation) == []
        store.conn.execute(f"PRAGMA max_page_count={pages * 100}")
        await pilot.press("enter")
        await pilot.pause()
        assert box.text == ""
    assert [n.text for n in store.notes(conversation=setup.conversation)] == [text.strip()]
