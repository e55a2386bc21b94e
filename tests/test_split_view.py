"""The one-laptop split view (lead's panel beside the notes): the note box can be found
at a glance even when empty, at 80x24 and at 160x48."""

from __future__ import annotations

import pytest

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from tests.test_lead_screen import settle
from tests.test_lead_snapshots import second_conversation
from tests.tui_support import screen_text

SIZES = [(80, 24), (160, 48)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_empty_note_box_is_seen_in_the_split_view(
    service: Service, size: tuple[int, int]
) -> None:
    """Empty, the box was three rows of a background one shade off its neighbours', next
    to the lead's busy panel: nothing on screen said where to type. Now it is framed and
    says what it is for, wherever the focus is."""
    conversation, clock = second_conversation(service)
    app = FacilitatorApp(service, conversation=conversation, role="split", clock=clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for focus in ("notes", "lead"):
            box = app.screen.query_one(NoteBox)
            assert box.text == ""
            region = box.region
            lines = screen_text(app).splitlines()
            assert region.bottom <= len(lines) - 1, "the box is under the key line"
            top, bottom = lines[region.y], lines[region.bottom - 1]
            inside = lines[region.y + 1 : region.bottom - 1]
            # A frame round the box: its corners, and its sides on every row between.
            assert top[region.x] == "╭" and top[region.right - 1] == "╮", (focus, top)
            assert bottom[region.x] == "╰" and bottom[region.right - 1] == "╯", (focus, bottom)
            assert all(row[region.x] == "│" == row[region.right - 1] for row in inside)
            # At least one row to type in, and it says what the box is for.
            assert len(inside) >= 1
            assert "Type a note" in inside[0][region.x : region.right], (focus, inside)
            await pilot.press("f5")  # to the lead's panel: the box must still be seen
            await settle(pilot)
