"""Every screen's key footer fits an 80-column terminal, so no key (Quit, Help, Lead) is
cut off; wider terminals keep the spacing and the palette hint."""

from __future__ import annotations

import pytest

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.help import HelpScreen
from facilitator.tui.widgets.key_footer import KeyFooter
from tests.tui_support import FakeClock, screen_text

ROLES = ["home", "notes", "lead", "split"]


def open_app(service: Service, review: str, role: str) -> FacilitatorApp:
    if role == "home":
        return FacilitatorApp(service, review=review, clock=FakeClock())
    planned = [c for c in service.store.conversations(review) if c.status == "planned"][0]
    return FacilitatorApp(service, conversation=planned.id, role=role, clock=FakeClock())


def footer_line(app: FacilitatorApp) -> str:
    return screen_text(app).split("\n")[-1]


async def settled_footer(pilot, wanted: str) -> str:  # noqa: ANN001
    """The footer line once it shows ``wanted`` (it is recomposed after bindings and size
    settle, later on a loaded machine); the last line seen if it never does within 5 s."""
    line = ""
    for _ in range(100):
        await pilot.pause(0.05)
        line = footer_line(pilot.app)
        if wanted in line:
            break
    return line


@pytest.mark.parametrize("role", ROLES)
async def test_every_key_shows_at_80_columns(service: Service, demo_review: str, role: str) -> None:
    app = open_app(service, demo_review, role)
    async with app.run_test(size=(80, 24)) as pilot:
        line = await settled_footer(pilot, "^q Quit f1 Help")
        assert line.rstrip().endswith("^q Quit f1 Help"), line
        assert "palette" not in line
        if role == "home":
            for key in ("n Review", "a Person", "c Conversation", "o Notes", "l Lead", "s Both"):
                assert key in line


async def test_wide_terminals_keep_the_spacing_and_the_palette_hint(
    service: Service, demo_review: str
) -> None:
    app = open_app(service, demo_review, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled_footer(pilot, "f1 Help")
        assert app.screen.query_one(KeyFooter).compact
        await pilot.resize_terminal(140, 40)
        line = await settled_footer(pilot, "^p palette")
        assert not app.screen.query_one(KeyFooter).compact
        assert "^q Quit  f1 Help" in line and "^p palette" in line


async def test_help_gives_the_long_wording_of_short_labels(
    service: Service, demo_review: str
) -> None:
    app = open_app(service, demo_review, "home")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "New review" in text and "Add a participant" in text
        assert "Take notes in the selected conversation" in text
