"""Keys arriving together (laggy ssh, a busy app, an unbracketed paste): the defects a
hostile tester found driving the real app in tmux. A burst is made the way a terminal
read makes it: every key posted to the app before it handles any of them."""

from __future__ import annotations

from textual import events

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogs import EndDialog
from facilitator.tui.screens.help import HelpScreen
from facilitator.tui.widgets.note_box import NoteBox
from tests.tui_support import START, FakeClock, small_review


def notes_app(service: Service) -> tuple[FacilitatorApp, str]:
    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    return app, setup.conversation


def burst(app: FacilitatorApp, text: str) -> None:
    """Every character of ``text`` as one read from the terminal."""
    for char in text:
        key = "space" if char == " " else char
        app.post_message(events.Key(key, char))


async def test_typing_on_after_f2_puts_every_key_in_the_note(service: Service) -> None:
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"the visit was")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, EndDialog)
        burst(app, " late and nobody came yes")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, EndDialog)
        box = app.screen.query_one(NoteBox)
        assert box.text == "the visit was late and nobody came yes"
        assert app.focused is box


async def test_arrows_in_the_end_dialog_never_select_end_it(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        for key in ("down", "right", "left", "up", "right"):
            await pilot.press(key)
            assert app.focused is not None and app.focused.id == "keep"
        await pilot.press("enter")
        await pilot.pause()
    assert service.store.conversation(conversation).ended_at is None


async def test_keys_typed_while_help_is_open_go_to_the_note_in_order(service: Service) -> None:
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"it")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        burst(app, " was quite during help")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, HelpScreen)
        assert app.screen.query_one(NoteBox).text == "it was quite during help"


async def test_a_paste_while_a_dialog_is_open_goes_to_the_note(service: Service) -> None:
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"ab")
        for opener in ("f1", "f2"):
            await pilot.press(opener)
            await pilot.pause()
            app.post_message(events.Paste(f" pasted in {opener}"))
            await pilot.pause(0.2)
        assert app.screen.query_one(NoteBox).text == "ab pasted in f1 pasted in f2"
