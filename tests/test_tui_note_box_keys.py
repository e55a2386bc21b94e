"""The note box, key by key: the defects a hostile tester found in the last pass of
issue 12 (Tab inside a tag, undo after Enter, a long note's cost per key, Up in a
wrapped note, pasted escape codes)."""

from __future__ import annotations

import pytest

from facilitator import capture
from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.note_capture import NotesList
from tests.tui_support import START, FakeClock, small_review

LONG = ("The health visitor said the mother was calm @family. " * 2200)[:113_000]


def notes_app(service: Service) -> tuple[FacilitatorApp, str]:
    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    return app, setup.conversation


async def test_a_long_note_is_not_read_again_for_the_preview_on_every_key(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """113 KB in the box: the preview is worked out once typing pauses, not per key (each
    reading of the whole text cost ~50 ms a key, twice: on the change and on the move).
    The pause is made long while typing, so the test does not depend on the machine's
    speed; then short, and the preview follows."""
    from facilitator.tui.widgets import note_capture

    app, _ = notes_app(service)
    readings: list[int] = []
    real = capture.preview

    def counted(line: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        readings.append(len(line))
        return real(line, *args, **kwargs)

    monkeypatch.setattr(capture, "preview", counted)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        box.load_text(LONG)
        box.move_cursor(box.document.end)
        await pilot.pause(0.6)
        readings.clear()
        monkeypatch.setattr(note_capture, "PREVIEW_DELAY_S", 3600)
        await pilot.press(*"abcde", "left", "right")
        assert [n for n in readings if n > 100_000] == []  # not on any key or move
        monkeypatch.setattr(note_capture, "PREVIEW_DELAY_S", 0.05)
        await pilot.press("f")
        await pilot.pause(0.5)
        shown = str(app.screen.query_one("#capture-preview").render())
    assert readings == [len(LONG) + 6]  # read once, after the keys paused
    assert "Reads as:" in shown and "family" in shown


async def test_tab_in_the_middle_of_a_tag_completes_the_whole_tag(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"job @fam", "left", "tab", "x")
        assert box.text == "job @family x"
        box.clear()
        await pilot.press(*"@pers and more", *["left"] * 11, "tab")
        assert box.text == "@personal and more"  # no second space: one is there
        assert box.cursor_location == (0, len("@personal "))


async def test_ctrl_z_after_enter_does_not_bring_the_saved_note_back(service: Service) -> None:
    app, conversation = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"saved once", "enter")
        await pilot.pause()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert box.text == ""
        await pilot.press("enter")
        await pilot.pause()
    texts = [n.text for n in service.store.notes(conversation=conversation)]
    assert texts == ["saved once"]


@pytest.mark.parametrize("role", ["notes", "split"])
async def test_the_hint_line_fits_at_80x24_in_every_state(service: Service, role: str) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role=role, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        hint = app.screen.query_one("#capture-hint")
        await pilot.pause()
        opening = str(hint.render())  # as first shown, before a key is pressed
        assert len(opening) <= hint.content_size.width, opening
        for typed in ("", "@p", "@zz", "@lr-", "@", "plain words "):
            box.clear()
            if typed:
                await pilot.press(*typed)
            await pilot.pause()
            shown = str(hint.render())
            assert len(shown) <= hint.content_size.width, (typed, shown)


async def test_up_on_the_second_row_of_a_wrapped_note_stays_in_the_box(service: Service) -> None:
    """One long line wraps onto three rows of the box: Up from the last row goes up a row
    as shown, and only Up on the first row as shown leaves for the earlier notes. (With
    the check on the document's rows, every Up in a one-line note left the box, and the
    keys typed next went to the notes list.)"""
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"an earlier note", "enter")
        long_line = "the visit was calm and the mother spoke warmly about the nursery " * 2
        box.insert(long_line.strip())
        await pilot.pause()
        rows = box.wrapped_document.height
        assert rows >= 3  # the test needs a line that wraps
        assert box.document.line_count == 1
        end = box.cursor_location
        for _ in range(rows - 1):
            await pilot.press("up")
            assert app.focused is box
        assert box.cursor_location[0] == 0 and box.cursor_location[1] < end[1]
        await pilot.press("up")  # now on the first row as shown: to the earlier notes
        assert app.focused is not box


async def test_tab_completes_a_tag_typed_in_capitals_to_the_tags_own_spelling(
    service: Service,
) -> None:
    """ "@RES" and Tab made "@RESources": the completion takes the tag's spelling."""
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"x @RES", "tab", *"y")
        assert app.screen.query_one(NoteBox).text == "x @resources y"


async def test_a_space_typed_after_a_completion_is_not_doubled(service: Service) -> None:
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"job @fam", "tab", *" stress")
        assert box.text == "job @family stress"
        await pilot.press("tab", "space", "space")  # Tab off a tag; two spaces are two
        assert box.text == "job @family stress  "


async def test_tab_on_a_tag_followed_by_punctuation_loses_and_moves_nothing(
    service: Service,
) -> None:
    """ "@res+" and Tab: the cursor is past the tag, so Tab leaves the text as it is;
    inside the tag, Tab completes it and the punctuation stays right after it."""
    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"@res+", "tab", *" ok")
        assert box.text == "@res+ ok"
        assert app.focused is box
        box.clear()
        await pilot.press(*"see @res, then", *["left"] * 6, "tab")
        assert box.text == "see @resources, then"
        assert box.cursor_location == (0, len("see @resources"))
        await pilot.press("end", *" @p,", "left", "tab", "tab")
        assert box.text == "see @resources, then @personal,"
        await pilot.press("tab")
        assert box.text == "see @resources, then @political,"
        await pilot.press(*"!")
        assert box.text == "see @resources, then @political!,"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_ctrl_u_on_a_wrapped_line_deletes_the_whole_line_before_the_cursor(
    service: Service, size: tuple[int, int]
) -> None:
    """Hostile round 4 of issue 12, finding 8: ctrl+u on a line wrapped over several rows
    of the box deleted only the last row shown, leaving the start of the line. As in a
    shell, it deletes back to the start of the line as typed (an earlier line is kept)."""
    app, _ = notes_app(service)
    first = "an earlier line"
    long = "the visit was long and the mother said a great deal about the flat " * 4
    async with app.run_test(size=size) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*first, "ctrl+j", *long)
        await pilot.pause()
        assert box.wrapped_document.height > 3  # wrapped: more rows than the line
        await pilot.press("ctrl+u")
        assert box.text == first + "\n"
        await pilot.press(*"kept")
        assert box.text == first + "\nkept"


async def _many_notes(pilot, count: int = 30) -> None:  # noqa: ANN001
    for number in range(1, count + 1):
        await pilot.press(*f"note number {number}", "enter")
    await pilot.pause()


async def test_esc_from_the_notes_list_shows_the_newest_notes_again(service: Service) -> None:
    """Hostile round 4 of issue 12, finding 8: Up into the list, back up a long way, then
    Esc to type again: the list stayed where it was, the newest notes off screen."""
    from tests.tui_support import screen_text

    app, _ = notes_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await _many_notes(pilot)
        await pilot.press("up", *["up"] * 25)
        await pilot.pause()
        assert "note number 30" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert isinstance(app.focused, NoteBox)
        assert "note number 30" in screen_text(app)


async def test_a_resize_while_typing_keeps_the_newest_notes_on_screen(service: Service) -> None:
    from tests.tui_support import screen_text

    app, _ = notes_app(service)
    async with app.run_test(size=(80, 40)) as pilot:
        await _many_notes(pilot)
        listing = app.screen.query_one(NotesList)
        for size in ((80, 24), (60, 20), (120, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
            # At the end (at 60 columns a note's row wraps, "30" on a row of its own).
            assert 0 < listing.max_scroll_y == listing.scroll_y, (size, screen_text(app))
