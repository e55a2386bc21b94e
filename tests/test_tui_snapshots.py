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
        # The live preview shows how the line will be read: a new episode with the days
        # its approximate date covers, a factor area, and the problem with #7.
        await pilot.press(*"#new Home visit (early May 2026) cold flat #7 @fa")
        await steady(pilot)

    app = FacilitatorApp(service, conversation=planned.id, role="notes", clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=typing)


def test_help_scrolled_to_its_end(snap_compare, service: Service, demo_review: str) -> None:  # noqa: ANN001
    planned = [c for c in service.store.conversations(demo_review) if c.status == "planned"][0]

    async def scrolled(pilot: Pilot) -> None:
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("end")
        await steady(pilot)
        await pilot.pause(0.3)

    app = FacilitatorApp(service, conversation=planned.id, role="notes", clock=FakeClock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=scrolled)


def test_add_pattern_form(snap_compare, service: Service, demo_review: str) -> None:  # noqa: ANN001
    from tests.test_everywhere import open_pattern_form

    async def form(pilot: Pilot) -> None:
        await pilot.pause()
        await open_pattern_form(pilot, demo_review)
        await pilot.press(*"Supervision squeezed by cover", "enter", "enter", *"seven")
        await pilot.press("enter", "enter", "enter", "enter")  # saved: refused inline
        await steady(pilot)

    app = FacilitatorApp(service, review=demo_review, clock=FakeClock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=form)
