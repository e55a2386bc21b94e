"""The merged text typed in the conflicts screen survives a closed terminal or kill -9
(hostile round 4 of issue 12, finding 4): a merge was kept nowhere until ctrl+s, while
the edit dialog's text was. Each key is kept at once, and ``m`` on the same conflict
offers it again. The app is left here without quitting, as SIGHUP and kill -9 leave it:
no quit action and no unmount hook saves anything (the draft signal e2e test shows the
signal path: tests/test_e2e_draft_signals.py)."""

from __future__ import annotations

from pathlib import Path

from facilitator.service import Service
from facilitator.store.draft_files import drafts_folder
from facilitator.sync import engine_for
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.conflicts import ConflictsScreen
from tests.test_sync_tui import conflicting_note, shared
from tests.tui_support import FakeClock, screen_text, wait_until

TYPED = " (an hour, said both)"


async def open_conflicts(pilot, app: FacilitatorApp, review: str, shown: str) -> None:  # noqa: ANN001
    await pilot.pause()
    app.push_screen(ConflictsScreen(review, app.sync_worker))
    await wait_until(pilot, lambda: shown in screen_text(app), "the conflict")


async def test_a_merge_typed_when_the_app_dies_is_offered_again(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    note_id = conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_conflicts(pilot, app, review, "2 versions")
        await pilot.press("m")
        await pilot.pause()
        opened = app.focused.text
        await pilot.press(*TYPED)
        await pilot.pause(0.05)
    first, second = opened.split("\n")
    again = FacilitatorApp(service, review=review, clock=FakeClock())
    async with again.run_test(size=(80, 24)) as pilot:
        await open_conflicts(pilot, again, review, "2 versions")
        assert "A merge you were typing was kept: m opens it." in screen_text(again)
        await pilot.press("m")
        await pilot.pause()
        assert again.focused.text == f"{first}{TYPED}\n{second}"
        await pilot.press("!", "ctrl+s")
        await wait_until(pilot, lambda: not service.store.note(note_id).conflict, "the merge")
    assert service.store.note(note_id).text == f"{first}{TYPED}\n{second}!"  # typed at the end
    # Saved: nothing is offered again, and no copy of the text is left beside the store.
    assert not any(
        f"{TYPED}".encode() in path.read_bytes()
        for path in drafts_folder(service.store.path).iterdir()
        if path.is_file()
    )
    lead.close()


async def test_a_merge_given_up_with_escape_is_not_offered_again(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_conflicts(pilot, app, review, "2 versions")
        await pilot.press("m")
        await pilot.pause()
        opened = app.focused.text
        await pilot.press(*TYPED, "escape")
        await pilot.pause()
        assert "was kept" not in screen_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert app.focused.text == opened
    lead.close()


async def test_a_fields_merge_typed_when_the_app_dies_is_offered_again(
    service: Service, tmp_path: Path
) -> None:
    lead, review, _, _ = shared(service, tmp_path)
    store = service.store
    store.update(review, "review", review, title="Review of Child Q")
    lead.update(review, "review", review, title="Review of Child Q (2025)")
    for laptop in (store, lead, store):
        engine_for(laptop, review).sync()
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await open_conflicts(pilot, app, review, "review title")
        await pilot.press("m")
        await pilot.pause()
        app.focused.load_text("")
        await pilot.press(*"Review of Child Q, merged")
        await pilot.pause(0.05)
    again = FacilitatorApp(service, review=review, clock=FakeClock())
    async with again.run_test(size=(120, 30)) as pilot:
        await open_conflicts(pilot, again, review, "review title")
        await pilot.press("m")
        await pilot.pause()
        assert again.focused.text == "Review of Child Q, merged"
    lead.close()


async def test_purging_the_review_removes_the_merges_kept(service: Service, tmp_path: Path) -> None:
    """A kept merge holds note text and field values: purging the review removes it,
    as it removes the note drafts."""
    from facilitator.store.purge import purge_review

    lead, review, _, _ = shared(service, tmp_path)
    store = service.store
    store.update(review, "review", review, title="Review of Child Q")
    lead.update(review, "review", review, title="Review of Child Q (2025)")
    for laptop in (store, lead, store):
        engine_for(laptop, review).sync()
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await open_conflicts(pilot, app, review, "review title")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*" secret merge")
        await pilot.pause(0.05)
    folder = drafts_folder(store.path)
    assert any(b"secret merge" in p.read_bytes() for p in folder.iterdir() if p.is_file())
    purge_review(store, review)
    assert not any(b"secret merge" in p.read_bytes() for p in folder.iterdir() if p.is_file())
    lead.close()
