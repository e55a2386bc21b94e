"""Draft safety: the note being typed is saved continuously and comes back on reopen."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.drafts import DraftKeeper
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.note_capture import DRAFT_SAVE_DELAY_S, NoteCapture
from tests.tui_support import START, FakeClock, screen_text, small_review


async def wait_for_draft(store: Store, conversation: str, text: str) -> None:
    for _ in range(100):
        draft = store.draft(conversation)
        if draft is not None and draft.text == text:
            return
        await asyncio.sleep(DRAFT_SAVE_DELAY_S / 5)
    raise AssertionError(f"draft never became {text!r}: {store.draft(conversation)!r}")


async def test_draft_is_saved_while_typing_and_recovered(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    clock = FakeClock()
    clock.advance(60)
    first_key = clock.iso()
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Half a tho")
        clock.advance(30)
        await pilot.press(*"ught")
        await wait_for_draft(store, setup.conversation, "Half a thought")
        # No Enter: the app goes away as if the terminal had been closed.
    draft = store.draft(setup.conversation)
    assert draft is not None and draft.started_at == first_key
    assert store.notes(conversation=setup.conversation) == []

    clock.advance(600)
    again = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=clock)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = again.screen.query_one(NoteBox)
        assert box.text == "Half a thought"
        assert again.screen.query_one(NoteCapture).recovered_draft
        assert "Recovered draft" in screen_text(again)
        await pilot.press("end", "!", "enter")
        await pilot.pause()
    (note,) = store.notes(conversation=setup.conversation)
    assert note.text == "Half a thought!"
    assert note.at == first_key  # the moment the note was begun, before the "crash"
    assert note.elapsed_s == 60
    assert store.draft(setup.conversation) is None


async def test_a_save_in_flight_when_enter_is_pressed_does_not_bring_the_note_back(
    service: Service,
) -> None:
    """Typing pauses, the store's copy is requested, and Enter comes before the worker
    thread that writes it gets to run (a busy laptop): the late save must not put the
    recorded note back as a draft, to be offered again as "Recovered draft" and saved
    twice. The worker threads' pool is held busy so the save is truly still in flight."""
    setup = small_review(service)
    store = service.store
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=1)
    loop.set_default_executor(pool)  # where Textual runs thread workers
    gate = threading.Event()
    busy = loop.run_in_executor(None, gate.wait)
    try:
        app = FacilitatorApp(
            service, conversation=setup.conversation, role="notes", clock=FakeClock()
        )
        async with app.run_test() as pilot:
            await pilot.press(*"Mum was not at home")
            for _ in range(100):  # until typing has paused long enough for a save
                if any(w.group == "draft" and not w.is_finished for w in app.workers):
                    break
                await asyncio.sleep(DRAFT_SAVE_DELAY_S / 5)
            else:
                raise AssertionError("no save of the draft was requested")
            assert store.draft(setup.conversation) is None  # requested, not yet run
            await pilot.press("enter")
            await pilot.pause()
            gate.set()  # the save in flight lands now, after the note was recorded
            await busy
            await app.workers.wait_for_complete()
        assert [n.text for n in store.notes(conversation=setup.conversation)] == [
            "Mum was not at home"
        ]
        assert store.draft(setup.conversation) is None
        again = FacilitatorApp(
            service, conversation=setup.conversation, role="notes", clock=FakeClock()
        )
        async with again.run_test() as pilot:
            await pilot.pause()
            assert again.screen.query_one(NoteBox).text == ""
            assert "Recovered draft" not in screen_text(again)
    finally:
        gate.set()
        pool.shutdown(wait=False)


def test_a_save_still_in_flight_cannot_bring_back_a_recorded_note(service: Service) -> None:
    setup = small_review(service)
    store = service.store
    keeper = DraftKeeper(store, setup.conversation)
    late = keeper.request()  # a save was requested while typing...
    keeper.clear()  # ...then Enter recorded the note and cleared the draft...
    assert not keeper.write(late, "recorded already", None)  # ...so the late save is dropped
    assert store.draft(setup.conversation) is None
    assert keeper.recover() is None


def test_an_older_save_landing_after_a_newer_one_does_not_overwrite_it(
    service: Service,
) -> None:
    """Two saves in flight from two pauses in typing, on worker threads that finish in
    the wrong order: the draft kept (and recovered after a crash) is the newer text."""
    setup = small_review(service)
    store = service.store
    keeper = DraftKeeper(store, setup.conversation)
    older = keeper.request()  # "Dad said" after the first pause
    newer = keeper.request()  # "Dad said he would call" after the second
    assert keeper.write(newer, "Dad said he would call", None)
    assert not keeper.write(older, "Dad said", None)
    assert store.draft(setup.conversation).text == "Dad said he would call"
    assert DraftKeeper(store, setup.conversation).recover().text == "Dad said he would call"
    # A later save still lands.
    assert keeper.write(keeper.request(), "Dad said he would call today", None)
    assert store.draft(setup.conversation).text == "Dad said he would call today"


async def test_ctrl_q_straight_after_typing_keeps_the_last_keys(service: Service) -> None:
    """ctrl+q a moment after the last key: the draft is written before the app exits
    (the debounced save used to leave the last quarter of a second behind)."""
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"first part")
        await wait_for_draft(store, setup.conversation, "first part")
        await pilot.press(*" and more", "ctrl+q")
    draft = store.draft(setup.conversation)
    assert draft is not None and draft.text == "first part and more"


def test_a_draft_emptied_just_before_a_crash_does_not_come_back(service: Service) -> None:
    """The box was emptied (or the note recorded) and the app killed before the store's
    copy caught up: the kept file, newer and empty, wins over the store's old text."""
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    keeper = DraftKeeper(store, setup.conversation)
    keeper.keep_now("a half thought", START.isoformat())
    keeper.write(keeper.request(), "a half thought", START.isoformat())
    assert keeper.recover().text == "a half thought"
    assert keeper.file._path().stat().st_mode & 0o777 == 0o600
    assert keeper.file.folder.stat().st_mode & 0o777 == 0o700
    keeper.keep_now("", None)  # emptied; the debounced store write never happened
    assert store.draft(setup.conversation) is not None
    assert DraftKeeper(store, setup.conversation).recover() is None


async def test_two_windows_on_one_conversation_keep_both_drafts(service: Service) -> None:
    """The same conversation open in two windows on one laptop, both lost in a crash: the
    two shared one draft and the last one saved won. Each window keeps its own, and the
    window opened next brings back every draft left behind, one after the other."""
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"typed in window one")
        await wait_for_draft(store, setup.conversation, "typed in window one")
        # The second window (another terminal on this laptop) opens and types too.
        other = DraftKeeper(store, setup.conversation)
        assert not other.claim()  # told that window one has it open
        assert other.recover() is None  # window one's draft is not taken while it is open
        other.keep_now("typed in window two", START.isoformat())
        other.write(other.request(), "typed in window two", START.isoformat())
        await pilot.press(*" still")
        await pilot.pause(DRAFT_SAVE_DELAY_S * 2)
        other.file.close()
        other.release()  # window two's process dies
    # Window one goes too (no Enter). Whichever window is opened next gets both back.
    again = FacilitatorApp(
        service, conversation=setup.conversation, role="notes", clock=FakeClock()
    )
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = again.screen.query_one(NoteBox).text
        assert text.splitlines() == ["typed in window one still", "typed in window two"]
        assert "2 windows" in screen_text(again)
        await pilot.press("ctrl+q")
    # Taken in whole: kept as this window's draft, and no longer the other's.
    leftovers = DraftKeeper(store, setup.conversation)
    assert leftovers.claim()
    assert leftovers.recover().text.splitlines() == [
        "typed in window one still",
        "typed in window two",
    ]
    assert leftovers.orphans() == []
    leftovers.release()


async def test_a_second_window_starts_empty_and_leaves_the_first_windows_draft(
    service: Service,
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    first = DraftKeeper(store, setup.conversation)
    assert first.claim()
    first.keep_now("the first window's half note", START.isoformat())
    try:
        app = FacilitatorApp(
            service, conversation=setup.conversation, role="notes", clock=FakeClock()
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            box = app.screen.query_one(NoteBox)
            assert box.text == ""
            assert "in another window too" in screen_text(app)
            await pilot.press(*"second window", "enter")
            await pilot.pause()
        assert first.recover().text == "the first window's half note"
        assert [n.text for n in store.notes(conversation=setup.conversation)] == ["second window"]
    finally:
        first.release()


async def test_an_edit_typed_but_not_saved_is_kept_when_the_app_quits(service: Service) -> None:
    """Up, e, a correction typed, then ctrl+q (or the terminal closed): the correction
    went nowhere. It is kept in the note draft, offered as "Recovered draft" next time,
    and the note itself is not changed unasked."""
    from tests.tui_support import list_command

    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"The visit was late")
        await pilot.press("enter")
        await pilot.press("up")
        await list_command(pilot, "e")
        await pilot.press("end", *" by an hour")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    (note,) = store.notes(conversation=setup.conversation)
    assert note.text == "The visit was late"
    again = FacilitatorApp(
        service, conversation=setup.conversation, role="notes", clock=FakeClock()
    )
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.query_one(NoteBox).text == "The visit was late by an hour"
        assert "Recovered draft" in screen_text(again)


@pytest.mark.parametrize("typing", ["", "half a note"], ids=["empty-box", "note-begun"])
async def test_an_edit_typed_but_not_saved_survives_a_kill(service: Service, typing: str) -> None:
    """Hostile round 4 of issue 12, finding 3: Up, e, a correction typed, then kill -9
    (the app gone with no quit action, no signal handler): the edit was kept only by
    ctrl+q and SIGHUP, so it was lost. Each key of it is kept at once, as the note box's
    are; the app is left here before the store's debounced copy, so only what each key
    wrote survives, as after kill -9."""
    from tests.tui_support import list_command

    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"The visit was late", "enter")
        await pilot.press(*typing)
        await pilot.press("up")
        await list_command(pilot, "e")
        await pilot.press("end", *" by an hour")
        await pilot.pause(0.05)
    (note,) = store.notes(conversation=setup.conversation)
    assert note.text == "The visit was late"  # never saved over the note unasked
    again = FacilitatorApp(
        service, conversation=setup.conversation, role="notes", clock=FakeClock()
    )
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = again.screen.query_one(NoteBox)
        edit = "The visit was late by an hour"
        assert box.text == (f"{typing}\n{edit}" if typing else edit)
        assert "Recovered draft" in screen_text(again)


async def test_an_edit_cancelled_leaves_the_draft_as_the_box(service: Service) -> None:
    """Esc in the edit dialog: the edit typed there is no longer kept in the draft."""
    from tests.tui_support import list_command

    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"The visit was late", "enter", *"next")
        await pilot.press("up")
        await list_command(pilot, "e")
        await pilot.press("end", *" by an hour", "escape")
        await pilot.pause(0.5)
    again = FacilitatorApp(
        service, conversation=setup.conversation, role="notes", clock=FakeClock()
    )
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.query_one(NoteBox).text == "next"
