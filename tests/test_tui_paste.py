"""The input parser the app runs with: a bracketed paste is one Paste, whatever it holds,
in its place among the keys (facilitator/tui/paste.py)."""

from __future__ import annotations

import time

from textual import events
from textual.constants import ESCAPE_DELAY

from facilitator.tui.paste import HOLD_S, PasteSafeParser
from facilitator.tui.widgets.note_box import NoteBox

PASTED = "a \x1b[31mred\x1b[0m b\x07 \x1b]0;t\x07"


def tokens(*reads: str, wait: bool = False) -> list[tuple[str, str]]:
    parser = PasteSafeParser()
    found = []
    for data in reads:
        found.extend(parser.feed(data))
    for _ in range(2 if wait else 0):  # held by us, then by Textual's wait for a lone ESC
        time.sleep(max(HOLD_S, ESCAPE_DELAY) * 1.5)
        found.extend(parser.tick())
    return [
        ("paste", t.text) if isinstance(t, events.Paste) else ("key", t.key)
        for t in found
        if isinstance(t, events.Paste | events.Key)
    ]


def test_a_paste_with_escape_codes_is_one_paste_in_order() -> None:
    stream = "x\x1b[200~" + PASTED + "\x1b[201~y"
    assert tokens(stream) == [("key", "x"), ("paste", PASTED), ("key", "y")]


def test_markers_cut_by_a_read_anywhere_still_make_one_paste() -> None:
    stream = "x\x1b[200~" + PASTED + "\x1b[201~y"
    for cut in range(1, len(stream)):
        assert tokens(stream[:cut], stream[cut:]) == [
            ("key", "x"),
            ("paste", PASTED),
            ("key", "y"),
        ], cut


def test_keys_outside_a_paste_are_read_as_before() -> None:
    assert tokens("ab\x1b[A", "\x1b", wait=True) == [
        ("key", "a"),
        ("key", "b"),
        ("key", "up"),
        ("key", "escape"),
    ]


def test_esc_cr_is_alt_enter_wherever_a_read_cuts_it() -> None:
    """tmux and xterm (meta sends ESC) send Alt+Enter as ESC CR: Textual read a plain
    Enter, which saved the note. A CR alone is still Enter; ESC CR inside a paste is
    pasted text."""
    stream = "a\x1b\rb\r"
    expected = [("key", "a"), ("key", "alt+enter"), ("key", "b"), ("key", "enter")]
    for cut in range(len(stream) + 1):
        reads = [part for part in (stream[:cut], stream[cut:]) if part]
        assert tokens(*reads) == expected, cut
    assert tokens("\x1b[200~x\x1b\ry\x1b[201~") == [("paste", "x\x1b\ry")]


def test_the_end_of_input_gives_back_what_was_held() -> None:
    parser = PasteSafeParser()
    assert list(parser.feed("a")) and list(parser.feed("")) == []
    parser = PasteSafeParser()
    list(parser.feed("\x1b[200~half a paste"))
    assert [t.text for t in parser.feed("") if isinstance(t, events.Paste)] == ["half a paste"]


async def test_the_note_box_shows_pasted_codes_and_says_so(service) -> None:  # noqa: ANN001
    from facilitator.tui.app import FacilitatorApp
    from tests.tui_support import START, FakeClock, screen_text, small_review

    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press("x")
        box.post_message(events.Paste("a\x1b[31mb\r\nc"))
        await pilot.pause()
        await pilot.press("y")
        assert box.text == "xa␛[31mb\ncy"
        assert "control codes" in screen_text(app)
