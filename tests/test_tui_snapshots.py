"""What the home and note-taker screens look like at 80x24 and 120x40 (frozen clock,
no cursor blink). Update with ``pytest tests/test_tui_snapshots.py --snapshot-update``
after checking the change by eye."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from tests.tui_support import FakeClock, steady

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_screen(snap_compare, service: Service, demo_review: str, size) -> None:  # noqa: ANN001
    app = FacilitatorApp(service, review=demo_review, clock=FakeClock())
    assert snap_compare(app, terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_note_taker_screen(snap_compare, service: Service, demo_review: str, size) -> None:  # noqa: ANN001
    planned = [c for c in service.store.conversations(demo_review) if c.status == "planned"][0]
    clock = FakeClock()
    service.store.start_conversation(planned, at=clock.iso())
    conversation = service.store.conversation(planned.id)
    for line in (
        '"I sent the letter [urgent] the same day @inter #1',
        "? check the \x1b[31mGP\x1b[0m record @nope",
    ):
        clock.advance(61)
        service.record_note(conversation, line, at=clock.iso())
    clock.advance(632)

    async def typing(pilot: Pilot) -> None:
        await pilot.press(*"Half @fa")
        await steady(pilot)

    app = FacilitatorApp(service, conversation=planned.id, role="notes", clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=typing)
