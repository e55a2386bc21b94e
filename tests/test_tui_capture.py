"""The note-taker's capture: typing speed, timestamps, the grammar, completion."""

from __future__ import annotations

import gc
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from facilitator.collector import collector_paused
from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.note_capture import NoteCapture
from tests.tui_support import (
    START,
    FakeClock,
    list_command,
    screen_text,
    small_review,
    type_note,
)


def notes_app(service: Service, conversation: str, clock: FakeClock) -> FacilitatorApp:
    return FacilitatorApp(service, conversation=conversation, role="notes", clock=clock)


async def test_note_box_has_focus_and_enter_saves(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    clock = FakeClock()
    app = notes_app(service, setup.conversation, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.focused, NoteBox)
        await pilot.press(*"Visited on Monday")
        await pilot.press("enter")
        await pilot.pause()
        notes = service.store.notes(conversation=setup.conversation)
        assert [n.text for n in notes] == ["Visited on Monday"]
        assert app.screen.query_one(NoteBox).text == ""
        assert "Visited on Monday" in screen_text(app)


async def test_timestamp_stage_and_elapsed_come_from_the_first_character(
    service: Service,
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    store.set_stage(store.conversation(setup.conversation), 3, at=START.isoformat())
    clock = FakeClock()
    clock.advance(125)
    app = notes_app(service, setup.conversation, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        first_key_at = clock.iso()
        await pilot.press("S")
        # Time passes and the lead moves on while the note is still being typed.
        clock.advance(40)
        store.set_stage(store.conversation(setup.conversation), 4, at=clock.iso())
        await pilot.press(*"he was worried")
        await pilot.press("enter")
        await pilot.pause()
    (note,) = store.notes(conversation=setup.conversation)
    assert note.at == first_key_at
    assert note.stage == 3
    assert note.elapsed_s == 125
    assert note.text == "She was worried"


async def test_ctrl_j_and_alt_enter_insert_new_lines(service: Service) -> None:
    setup = small_review(service)
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test() as pilot:
        await pilot.press("a", "ctrl+j", "b", "alt+enter", "c", "enter")
        await pilot.pause()
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == "a\nb\nc"


async def test_kinds_factors_and_episode_links(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        for line in (
            '"I had twenty cases',
            "? ask the GP @inter",
            "#new Home visit (12 March 2024) @family",
            "! differs from the school #1",
            ">> we wonder about supervision @team",
        ):
            await type_note(pilot, line)
        await pilot.pause()
        text = screen_text(app)
        capture = app.screen.query_one(NoteCapture)
        # The side panel counts the participant's own notes: not the team's ?, ! or >>.
        assert capture.factor_counts == {"family": 1}
        assert list(capture.episode_counts.values()) == [1]  # E1: the "!" is not theirs
    notes = service.store.notes(conversation=setup.conversation)
    assert [n.kind for n in notes] == [
        "quote",
        "followup",
        "observation",
        "discrepancy",
        "reflection",
    ]
    (episode,) = service.store.episodes(setup.review)
    assert episode.title == "Home visit" and episode.date_start == "2024-03-12"
    assert notes[2].episodes == (episode.id,) and notes[3].episodes == (episode.id,)
    assert notes[1].factors == ("interagency",)
    assert len(service.store.follow_ups(setup.review)) == 1
    # The side panel counts the participant's own notes per episode and factor area.
    assert "E1  Home visit 1" in text
    assert re.search(r"@family +1\b", text)


async def test_unknown_tags_are_kept_saved_and_shown(service: Service) -> None:
    setup = small_review(service)
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await type_note(pilot, "Talked about @nonsense and #9 and #foo")
        await pilot.pause()
        text = screen_text(app)
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == "Talked about @nonsense and #9 and #foo"
    assert len(note.problems) == 3
    assert "Saved, but: @nonsense is not a factor area" in text
    # The row in the list carries a warning too, so it can be found and fixed later.
    assert "⚠ @nonsense" in text


async def test_tag_completion_as_you_type(service: Service) -> None:
    setup = small_review(service)
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"Busy @c")
        await pilot.pause()
        assert "Tab: @conditions  @culture" in screen_text(app)
        await pilot.press("u", "tab")
        await pilot.pause()
        box = app.screen.query_one(NoteBox)
        assert box.text == "Busy @culture "
        await pilot.press(*"and @lr-pi", "tab")
        assert box.text == "Busy @culture and @lr-picture "
        await pilot.press(*"@zz")
        await pilot.pause()
        assert "@zz: no such factor area or prompt" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.factors == ("culture",) and note.prompts == ("lr-picture",)


async def test_user_text_is_shown_literally(service: Service) -> None:
    setup = small_review(service)
    store = service.store
    conversation = store.conversation(setup.conversation)
    lines = [
        "[bold]not bold[/bold]",
        "[type=x, v={'a[0]'}]",
        "colour \x1b[31mred\x1b[0m end",
        "مرحبا بالعالم",
        "emoji 👩‍👧 ok",
    ]
    for line in lines:
        service.record_note(conversation, line)
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
    assert "[bold]not bold[/bold]" in text
    assert "[type=x, v={'a[0]'}]" in text
    assert "colour ␛[31mred␛[0m end" in text
    assert "مرحبا بالعالم" in text
    assert "👩‍👧" in text or "👩" in text
    # What was stored is exactly what was typed.
    assert [n.text for n in store.notes(conversation=setup.conversation)] == lines


async def test_keys_typed_straight_after_enter_are_not_lost(service: Service) -> None:
    """A fast typist's next keys can be queued before the Enter is handled."""
    from textual import events

    setup = small_review(service)
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test() as pilot:
        # All queued at once, as a terminal delivers a burst of typing.
        for key, character in [("a", "a"), ("enter", "\r"), ("b", "b"), ("c", "c")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one(NoteBox).text == "bc"
    assert [n.text for n in service.store.notes(conversation=setup.conversation)] == ["a"]


async def test_a_huge_paste_is_kept_whole_and_shown_shortened(service: Service) -> None:
    setup = small_review(service)
    app = notes_app(service, setup.conversation, FakeClock())
    huge = "word " * 200_000  # a megabyte
    async with app.run_test(size=(120, 40)) as pilot:
        await type_note(pilot, "Pasted: " + huge)
        await pilot.pause()
        assert "more characters)" in screen_text(app)
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == ("Pasted: " + huge).strip()


# --- the rows of earlier notes ---------------------------------------------------------------

ROW_TEXTS = st.text(
    alphabet=st.sampled_from(list("ab c\t\n") + ["é", "👩", "中", "\x1b", "\u202e", "\r"]),
    max_size=90,
)


@settings(max_examples=150, deadline=None)
@given(text=ROW_TEXTS, width=st.integers(min_value=1, max_value=100), pad=st.integers(0, 2))
def test_a_note_row_measures_as_many_lines_as_textual_wraps_it_to(
    text: str, width: int, pad: int
) -> None:
    """Rows skip the wrap when they fit; the height must be what wrapping would give."""
    assume(width > 2 * pad)  # no room for text at all: Textual itself cannot wrap
    from textual.content import Content, Span

    from facilitator.tui.widgets.note_capture import NoteRow

    spans = [Span(0, min(3, len(text)), "dim")] if text else []
    for wrap in ("wrap", "nowrap"):
        for overflow in ("fold", "ellipsis"):
            rules = {"line_pad": pad, "text_wrap": wrap, "text_overflow": overflow}
            expected = Content(text, list(spans)).get_height(rules, width)
            assert NoteRow(text, list(spans)).get_height(rules, width) == expected


async def test_long_notes_wrap_and_short_ones_take_one_line(service: Service) -> None:
    setup = small_review(service)
    conversation = service.store.conversation(setup.conversation)
    service.record_note(conversation, "Short note")
    service.record_note(conversation, "A long note " + "about the visit " * 12 + "END")
    service.record_note(conversation, "Another short note")
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(NoteCapture).notes_list
        heights = [listing._line_cache.heights[index] for index in range(3)]
        text = screen_text(app)
    assert heights[0] == 1 and heights[2] == 1 and heights[1] >= 3
    assert "END" in text and "Another short note" in text


def test_reading_notes_pauses_the_collector_only_for_the_read() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failed read")
    assert gc.isenabled()
    gc.disable()  # someone else's pause is left as it was
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_bidi_and_line_separators_are_made_visible_on_screen() -> None:
    """One rule for the screen and for exports (facilitator/safe_text.py): U+200F, U+2028
    and their kind reorder or break what is drawn, so they are shown, not obeyed."""
    from facilitator.tui.text import display_text

    for hidden in ("\u200f", "\u200e", "\u061c", "\u2028", "\u2029", "\u202e", "\u2066"):
        shown = display_text(f"a{hidden}b")
        assert hidden not in shown and f"U+{ord(hidden):04X}" in shown
        assert hidden not in display_text(f"a{hidden}b", one_line=True)
    assert display_text("a\x1bb\x85") == "a␛b<U+0085>"
    assert display_text("tab\there", one_line=True) == "tab    here"


def status_messages() -> list[str]:
    """Every message the note-taker's status line can show, as the code writes it, a
    placeholder filled with a value of its longest usual width (a time is 8 characters,
    a count 2, an episode's label 4); messages built around a problem's own words
    (``"Saved, but: " + …``) are measured from their fixed part."""
    import ast
    import inspect

    from facilitator.tui.screens import notes
    from facilitator.tui.widgets import note_capture

    def fixed(node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(
                value.value if isinstance(value, ast.Constant) else "12:34:56"
                for value in node.values
            )
        if isinstance(node, ast.BinOp):
            return fixed(node.left)
        if isinstance(node, ast.IfExp):
            return max(fixed(node.body), fixed(node.orelse), key=len)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return fixed(node.func.value)  # "…".join(...) and the like
        return ""

    found = []
    for module in (note_capture, notes):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("set_status", "explain")
                and node.args
            ):
                found.append(fixed(node.args[0]))
    return found


async def test_every_status_message_fits_the_note_takers_screen_at_80x24(
    service: Service,
) -> None:
    """The status line under the notes is what the note-taker reads at a glance; cut
    short, "… in its history: h)." loses the key that finds the old text."""
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        width = app.screen.query_one("#capture-status").content_region.width
    messages = status_messages()
    assert len(messages) >= 15  # the walk finds them (it would pass vacuously if not)
    too_long = [m for m in messages if len(m) > width]
    assert not too_long, f"wider than {width} columns: {too_long}"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_status_message_reads_in_full_in_the_split_view(
    service: Service, size: tuple[int, int]
) -> None:
    """Beside the lead's panel the status line is 24 columns at 80x24: each message is
    shown there by the real status line and read back from the screen, whole (it wraps
    onto the lines the split view gives it; none is cut)."""
    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="split", clock=FakeClock())
    messages = status_messages()
    assert len(messages) >= 15
    cut = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        capture = app.screen.query_one(NoteCapture)
        status = capture.query_one("#capture-status")
        box_at = capture.box.region
        width = status.content_region.width
        for message in messages:
            capture.set_status(message)
            await pilot.pause()
            region = status.content_region
            rows = screen_text(app).splitlines()[region.y : region.bottom]
            shown = " ".join(" ".join(row[region.x : region.right] for row in rows).split())
            if shown != " ".join(message.split()):
                cut.append((message, shown))
            # The box stays where it was: a message does not move what is being typed.
            assert capture.box.region == box_at
    assert not cut, f"cut at {width} columns: {cut}"


async def test_fixing_a_typo_in_a_new_episode_line_renames_that_episode(
    service: Service,
) -> None:
    """The note-taker fixes "#new Delta ep" to "#new Deltaa ep": the status says the
    episode was renamed, and there is still one episode, with this note on it."""
    from facilitator.tui.screens.dialogs import EditNoteDialog

    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await type_note(pilot, "#new Delta ep (3 May 2024) she was late")
        await pilot.pause()
        await pilot.press("up")
        await list_command(pilot, "e")
        assert isinstance(app.screen, EditNoteDialog)
        box = app.screen.query_one(NoteBox)
        box.load_text("#new Deltaa ep (4 May 2024) she was late")
        await pilot.press("enter")
        await pilot.pause()
        status = str(app.screen.query_one("#capture-status").render())
        assert "E1 renamed/redated" in status
    (episode,) = service.store.episodes(setup.review)
    assert (episode.title, episode.date_text) == ("Deltaa ep", "4 May 2024")
