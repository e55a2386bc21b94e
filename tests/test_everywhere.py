"""Screens every user meets (issue 12): F1 reaches its end, forms fit 80x24 and keep what
was typed on an error, the home screen at 80x24, one date style."""

from __future__ import annotations

import pytest

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.help import HelpScreen
from tests.tui_support import FakeClock, screen_text, small_review


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (160, 48)])
async def test_help_scrolls_to_its_end(service: Service, size: tuple[int, int]) -> None:
    setup = small_review(service)
    app = FacilitatorApp(
        service, conversation=setup.conversation, role="notes", clock=FakeClock()
    )
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("end")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "@lr-options" in text and "What options they thought they had" in text
        await pilot.press("home")
        await pilot.pause(0.3)
        assert "Keys on this screen" in screen_text(app)
