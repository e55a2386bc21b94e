"""The open conflicts screen follows sync (hostile round 4 of issue 12, finding 6): a
conflict that arrives while it is open is listed, a resolution that comes back as a new
conflict is listed rather than "No conflicts", and the cursor stays on the conflict the
user was looking at while rows come and go around it."""

from __future__ import annotations

from pathlib import Path

from facilitator.service import Service
from facilitator.sync import engine_for
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.conflicts import ConflictsScreen
from tests.test_sync_tui import conflicting_note, shared
from tests.tui_support import FakeClock, screen_text, wait_until


def detail(app: FacilitatorApp) -> str:
    return str(app.screen.query_one("#conflict-detail").render())


async def test_a_conflict_arriving_while_the_screen_is_open_is_listed(
    service: Service, tmp_path: Path
) -> None:
    """Open on one note conflict; a field conflict then comes in by sync: the screen
    lists it without being reopened, and the cursor stays on the note conflict."""
    lead, review, conversation, _ = shared(service, tmp_path)
    store = service.store
    conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the note conflict")
        store.update(review, "review", review, title="Review of Child Q")
        lead.update(review, "review", review, title="Review of Child Q (2025)")
        engine_for(lead, review).sync()
        app.sync_worker.sync_now()
        await wait_until(
            pilot, lambda: "review title" in screen_text(app), "the new conflict on screen"
        )
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        assert len(screen.items) == 2
        assert "Keys: a number keeps that version; m merges" in detail(app)
        assert "2 versions" in str(
            screen.query_one("#conflict-list")
            .get_option_at_index(screen.query_one("#conflict-list").highlighted)
            .prompt
        )
    lead.close()


async def test_a_resolution_that_comes_back_as_a_conflict_is_listed(
    service: Service, tmp_path: Path
) -> None:
    """Both laptops settle the same note at once, each its own way: after the other
    laptop's choice arrives the screen must not go on saying "No conflicts"."""
    lead, review, conversation, _ = shared(service, tmp_path)
    store = service.store
    note_id = conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the note conflict")
        # The other laptop keeps its own version at the same moment as this one keeps 1.
        other = lead.note(note_id)
        lead.revise_note(other, "Lead's choice: the visit was an hour late", parents=other.heads)
        await pilot.press("1")
        await wait_until(pilot, lambda: "No conflicts" in screen_text(app), "no conflicts")
        engine_for(lead, review).sync()
        app.sync_worker.sync_now()
        await wait_until(pilot, lambda: store.note(note_id).conflict, "the choices to meet")
        await wait_until(
            pilot, lambda: "2 versions" in screen_text(app), "the conflict listed again"
        )
        assert "No conflicts" not in screen_text(app)
        assert "Lead's choice" in screen_text(app) + detail(app)
    lead.close()
