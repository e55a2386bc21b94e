"""A note being typed when a sync renumbers episodes (hostile round 4 of issue 12,
finding 7): its ``#N`` meant the episode the note-taker saw as #N while typing. The draft
is relabelled as saved notes are, the preview names that episode, the status line says
so, and Enter links the note to it, not to the other laptop's episode that has the
number now."""

from __future__ import annotations

from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.sync import engine_for
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.note_capture import NoteCapture
from tests.test_sync_tui import episode_of, shared
from tests.tui_support import FakeClock, screen_text, wait_until


async def test_a_draft_keeps_the_episode_it_named_when_a_sync_renumbers(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    store = service.store
    # The other laptop names its episode first, so after the sync it keeps the number
    # and this laptop's moves up.
    beta = Service(lead, load_method()).record_note(
        lead.conversation(conversation), "#new Beta ep (July 2024)"
    )
    alpha = service.record_note(store.conversation(conversation), "#new Alpha ep (June 2024)")
    (alpha_id,) = alpha.new_episodes
    (beta_id,) = beta.new_episodes
    typed = episode_of(store, review, alpha_id).label[1:]
    assert typed == episode_of(lead, review, beta_id).label[1:]  # both the same #N
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        capture = app.screen.query_one(NoteCapture)
        box = capture.query_one(NoteBox)
        await pilot.press(*f"more about alpha #{typed} here")
        await wait_until(pilot, lambda: "Alpha ep" in screen_text(app), "the preview of #N")
        engine_for(lead, review).sync()
        app.sync_worker.sync_now()
        await wait_until(
            pilot,
            lambda: episode_of(store, review, alpha_id).label[1:] != typed,
            "the sync to renumber this laptop's episode",
        )
        now = episode_of(store, review, alpha_id).label[1:]
        await wait_until(pilot, lambda: f"#{now} " in box.text, "the draft relabelled")
        assert box.text == f"more about alpha #{now} here"
        shown = screen_text(app)
        assert "Alpha ep" in shown and f"#{typed}" in shown and f"#{now}" in shown, shown
        await pilot.press("end", *" too", "enter")
        await wait_until(
            pilot, lambda: any(n.text.endswith("too") for n in store.notes()), "the note"
        )
    (saved,) = [n for n in store.notes() if n.text.endswith("too")]
    assert saved.episodes == (alpha_id,)
    lead.close()
