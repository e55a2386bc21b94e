"""Keys arriving together (laggy ssh, a busy app, an unbracketed paste): the defects a
hostile tester found driving the real app in tmux. A burst is made the way a terminal
read makes it: every key posted to the app before it handles any of them."""

from __future__ import annotations

import pytest
from textual import events

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogs import EndDialog
from facilitator.tui.screens.help import HelpScreen
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.note_capture import NotesList
from tests.tui_support import START, FakeClock, list_command, small_review


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


async def save_two_notes(pilot, service: Service, conversation: str) -> None:  # noqa: ANN001
    for line in ("first note", "second note"):
        await pilot.press(*line, "enter")
    await pilot.pause()
    assert len(service.store.notes(conversation=conversation)) == 2


async def test_a_burst_after_up_is_typing_not_list_commands(service: Service) -> None:
    """Up (first row) then "dad said no" in one read: no note deleted, every key in the box."""
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_two_notes(pilot, service, conversation)
        app.post_message(events.Key("up", None))
        burst(app, "dad said no")
        await pilot.pause(0.3)
        box = app.screen.query_one(NoteBox)
        assert box.text == "dad said no"
        assert app.focused is box
    assert [n.text for n in service.store.notes(conversation=conversation)] == [
        "first note",
        "second note",
    ]


async def test_shift_tab_then_typing_goes_to_the_box(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_two_notes(pilot, service, conversation)
        app.post_message(events.Key("shift+tab", None))
        burst(app, "hi there")  # h is History, i is back: typed together, they are text
        app.post_message(events.Paste(" and a paste"))
        await pilot.pause(0.3)
        box = app.screen.query_one(NoteBox)
        assert box.text == "hi there and a paste"
        assert app.focused is box


async def test_a_letter_that_is_no_list_command_goes_back_to_the_box(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_two_notes(pilot, service, conversation)
        await pilot.press("up")
        await pilot.pause()
        await pilot.press("w", "a", "s")  # typed at a person's pace: still text
        await pilot.pause()
        box = app.screen.query_one(NoteBox)
        assert box.text == "was"
        assert app.focused is box


async def test_after_an_edit_focus_is_back_in_the_box(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_two_notes(pilot, service, conversation)
        await pilot.press("up")
        await list_command(pilot, "e")
        await pilot.press("!", "enter")
        await pilot.pause(0.2)
        box = app.screen.query_one(NoteBox)
        assert app.focused is box
        await pilot.press("d", "x")
        await pilot.pause()
        assert box.text == "dx"
    texts = [n.text for n in service.store.notes(conversation=conversation)]
    assert texts == ["first note", "second note!"]


async def test_f6_and_f7_select_nothing_in_the_note_box(service: Service) -> None:
    """TextArea's own F6 (select the line) and F7 (select all): the next key replaced the
    note."""
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"abc")
        for key in ("f6", "f7"):
            await pilot.press(key, "x")
        assert app.screen.query_one(NoteBox).text == "abcxx"


async def test_ctrl_q_after_a_burst_keeps_every_key_before_it(service: Service) -> None:
    from facilitator.tui.drafts import DraftKeeper

    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await pilot.press("backspace")
        burst(app, "burst before quit")
        app.post_message(events.Key("ctrl+q", None))
        await pilot.pause(0.3)
    draft = DraftKeeper(service.store, conversation).recover()
    assert draft is not None and draft.text == "burst before quit"


async def test_keys_after_ctrl_z_in_one_read_are_kept(service: Service) -> None:
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"note ")
        await pilot.pause(0.2)
        burst(app, "abc")
        app.post_message(events.Key("ctrl+z", None))
        burst(app, "def")
        await pilot.pause(0.3)
        text = app.screen.query_one(NoteBox).text
    assert text.startswith("note ") and text.endswith("def")
    assert "abc" in text  # a ctrl+z inside a paste is not an undo of the paste


async def test_a_second_window_on_the_conversation_is_warned(service: Service) -> None:
    """Two windows on one conversation keep one draft between them: the second is told."""
    from facilitator.tui.drafts import DraftKeeper

    app, conversation = notes_app(service)
    other_window = DraftKeeper(service.store, conversation)
    assert other_window.claim()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            status = str(app.screen.query_one("#capture-status").render())
            assert "in another window too" in status
    finally:
        other_window.release()
    assert other_window.claim()  # the app let go when it closed
    other_window.release()


async def test_prose_typed_into_the_split_views_lead_pane_goes_to_the_box(
    service: Service,
) -> None:
    """F5 to the lead's pane, then a sentence in one read: n, p, digits and space were
    stage keys and ticks. Typed together they are a note."""
    from tests.test_lead_screen import settle

    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="split", clock=FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert not isinstance(app.focused, NoteBox)
        burst(app, "we have no plan 4 now")
        app.post_message(events.Paste(" pasted"))
        await pilot.pause(0.3)
        box = app.screen.query_one(NoteBox)
        assert box.text == "we have no plan 4 now pasted"
        assert app.focused is box
    assert service.store.current_stage(setup.conversation) in (None, 1)


async def test_ctrl_x_with_nothing_selected_cuts_nothing(service: Service) -> None:
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"keep me", "ctrl+x", "!")
        assert app.screen.query_one(NoteBox).text == "keep me!"


def keys(app: FacilitatorApp, *names: str) -> None:
    """Named keys (backspace, left, end, ...) in the same read as what came before."""
    for name in names:
        app.post_message(events.Key(name, "\x7f" if name == "backspace" else None))


async def test_editing_keys_in_a_burst_act_in_the_order_typed(service: Service) -> None:
    """Backspace, the arrows and Home/End are TextArea bindings, run once the key has
    bubbled up to the app; letters are put in at once by the box. In one read, the
    letters typed after a Backspace went in first and the Backspace then ate them."""
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, "teh")
        keys(app, "backspace", "backspace")
        burst(app, "he")
        keys(app, "left", "left")
        burst(app, "x")
        keys(app, "end")
        burst(app, "!")
        await pilot.pause(0.3)
        assert app.screen.query_one(NoteBox).text == "txhe!"


@pytest.mark.parametrize("when", ["as it opens", "once open"])
async def test_retyping_a_note_in_the_edit_dialog_in_one_read(service: Service, when: str) -> None:
    """The two-laptop test's flake: End, 22 Backspaces and the new text, in the edit
    dialog, gave "The helth vThe health visitor rang" (11 Backspaces acted after the
    text had gone in, or after the dialog had closed). The keys come either while the
    dialog is being put up (pushed, not yet composed or focused) or once it is open."""
    import asyncio

    from facilitator.tui.screens.dialogs import EditNoteDialog

    app, conversation = notes_app(service)
    service.record_note(service.store.conversation(conversation), "The helth visitor rang")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up")
        await pilot.pause(0.1)
        app.post_message(events.Key("e", "e"))
        while not isinstance(app.screen, EditNoteDialog):
            await asyncio.sleep(0)
        if when == "once open":
            await pilot.pause()
        else:
            assert app.screen.focused is None  # not composed yet
        keys(app, "end", *["backspace"] * len("The helth visitor rang"))
        burst(app, "The health visitor rang")
        keys(app, "enter")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, EditNoteDialog)
    [note] = service.store.notes(conversation=conversation)
    assert note.text == "The health visitor rang"


async def test_a_forms_field_acts_on_backspace_in_the_order_typed(service: Service) -> None:
    """The same for a form's one-line fields (Input's Backspace and arrows are bindings
    too): "Alxe", two Backspaces and "ex" in one read must give "Alex"."""
    from textual.widgets import Input

    from facilitator.tui.screens.dialogs import Field, FormDialog

    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FormDialog("A form", [Field("name", "Name")]))
        await pilot.pause()
        burst(app, "Alxe")
        keys(app, "backspace", "backspace")
        burst(app, "ex")
        keys(app, "home")
        burst(app, "[")
        await pilot.pause(0.3)
        assert app.screen.query_one(Input).value == "[Alex"


def typed_at_a_typists_pace(app: FacilitatorApp, text: str, gap: float = 0.15) -> None:
    """``text`` typed one key every ``gap`` seconds (by the keys' timestamps), none of
    them part of a burst, reaching the app faster than it handles them."""
    import time

    now = time.monotonic()
    for index, char in enumerate(text):
        event = events.Key("space" if char == " " else char, char)
        event.time = now + index * gap
        app.post_message(event)


@pytest.mark.parametrize("into_list", ["up", "shift+tab"])
async def test_typing_on_after_an_accidental_up_changes_no_saved_note(
    service: Service, into_list: str
) -> None:
    """Up (or Shift+Tab) pressed by mistake, then a sentence at a typist's pace: "dad
    said" deleted the last note (d), "he said" opened its history (h) and lost the keys,
    "under" restored a deleted note (u). A command letter followed by another key
    within a moment is typing: every key goes to the box, and no note changes."""
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        for text in ("First note", "Second note"):
            await pilot.press(*text)
            await pilot.press("enter")
        await pilot.pause()
        before = service.store.notes(conversation=conversation, include_deleted=True)
        for sentence in ("dad said", "he said", "kids ok", "under", "each time"):
            await pilot.press(into_list)
            await pilot.pause()
            assert not isinstance(app.focused, NoteBox)
            typed_at_a_typists_pace(app, sentence)
            await pilot.pause(0.8)
            box = app.screen.query_one(NoteBox)
            assert box.text == sentence, sentence
            assert app.focused is box and app.screen is not None
            box.clear()
            await pilot.pause()
        assert service.store.notes(conversation=conversation, include_deleted=True) == before


async def test_a_command_letter_pressed_on_its_own_still_acts(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Only note")
        await pilot.press("enter")
        await pilot.press("up")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause(0.8)
        assert service.store.notes(conversation=conversation) == []
        assert len(service.store.notes(conversation=conversation, include_deleted=True)) == 1


@pytest.mark.parametrize(
    "first, rest",
    [("p", "at said"), ("n", "ow then"), ("3", " people"), (" ", "spaced")],
    ids=["p", "n", "digit", "space"],
)
async def test_the_first_key_typed_into_the_split_views_lead_pane_is_kept(
    service: Service, first: str, rest: str
) -> None:
    """Hostile round 4 of issue 12, finding 2: F5 to the lead's pane, a pause, then prose
    in one read. The first key (a lead key on its own so far) was neither typed nor seen
    to act: "pat said" became "at said". As in the notes list, a lead key waits
    ``NotesList.HOLD_S`` for the next key; a letter meanwhile sends both to the box."""
    from tests.test_lead_screen import settle

    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="split", clock=FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f4")  # stage 2: "p" and "n" would both move it
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause(0.6)
        assert not isinstance(app.focused, NoteBox)
        burst(app, first)
        await pilot.pause(0.1)  # typed at a person's pace, not in the same read
        burst(app, rest)
        await pilot.pause(NotesList.HOLD_S + 0.2)
        await settle(pilot)
        box = app.screen.query_one(NoteBox)
        assert box.text == first + rest
        assert app.focused is box
    assert service.store.current_stage(setup.conversation) == 2


async def test_a_lead_key_pressed_on_its_own_in_the_split_view_still_acts(
    service: Service,
) -> None:
    """Held for the next key, a lead key on its own acts when the hold ends, and a key
    that is no typing (F5 here) makes it act first, in the order pressed."""
    from tests.test_lead_screen import settle

    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="split", clock=FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await list_command(pilot, "4")
        await settle(pilot)
        assert service.store.current_stage(setup.conversation) == 4
        await pilot.press("n", "f5")  # n acts before F5 moves focus to the box
        await settle(pilot)
        assert service.store.current_stage(setup.conversation) == 5
        assert isinstance(app.focused, NoteBox)
        await pilot.press("x")
        assert app.screen.query_one(NoteBox).text == "x"
