"""The home screen and the app shell: reviews, participants and conversations from the
keyboard; opening a conversation in a role; themes; help."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from facilitator.service import Service
from facilitator.tui import app as app_module
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.help import HelpScreen
from facilitator.tui.screens.home import HomeScreen
from facilitator.tui.screens.notes import NotesScreen
from facilitator.tui.themes import HIGH_CONTRAST, THEME_SETTING
from tests.tui_support import FakeClock, screen_text, small_review


async def fill(pilot, *values: str) -> None:  # noqa: ANN001
    """Fill the focused form field by field (Enter moves on, and saves after the last)."""
    for value in values:
        field = pilot.app.focused
        assert isinstance(field, Input)
        field.value = value
        await pilot.press("enter")
    await pilot.pause()


def pane_text(app: FacilitatorApp, selector: str) -> str:
    """The words one pane shows on screen, its wrapped lines joined."""
    region = app.screen.query_one(selector).region
    lines = screen_text(app).split("\n")[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right] for line in lines).split())


async def test_create_review_participant_and_conversation_from_the_keyboard(
    service: Service,
) -> None:
    store = service.store
    app = FacilitatorApp(service, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert "No reviews yet" in screen_text(app)
        await pilot.press("n")
        await fill(pilot, "Review of Child Z [draft]", "What happened?; Why?")
        (review,) = store.reviews()
        assert review.title == "Review of Child Z [draft]"
        assert review.questions == ("What happened?", "Why?")
        assert "Review of Child Z [draft]" in pane_text(app, "#reviews")

        await pilot.press("a")
        await fill(pilot, "Health visitor", "Community health", "", "worker", "")
        (person,) = store.participants(review.id)
        assert (person.role, person.agency, person.kind) == (
            "Health visitor",
            "Community health",
            "worker",
        )

        await pilot.press("c")
        await pilot.press("enter")  # with whom: the only participant
        await fill(pilot, "Jordan", "Sam", "4 March 2025 10:00")
        (conversation,) = store.conversations(review.id)
        assert conversation.lead == "Jordan" and conversation.note_taker == "Sam"
        assert conversation.planned_at.startswith("2025-03-04T10:00")
        assert "C1  planned" in screen_text(app)

        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        await pilot.press("f10")
        assert isinstance(app.screen, HomeScreen)


async def test_required_fields_are_asked_for_not_guessed(service: Service) -> None:
    app = FacilitatorApp(service, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await fill(pilot, "", "")
        assert "Please fill in: Title" in screen_text(app)
        await pilot.press("escape")
    assert service.store.reviews() == []


async def test_edit_a_review_title(service: Service) -> None:
    setup = small_review(service)
    app = FacilitatorApp(service, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        field = app.focused
        assert isinstance(field, Input) and field.value == "Review of Child Q (fictional)"
        await fill(pilot, "Review of Child Q (renamed)", "")
    assert service.store.review(setup.review).title == "Review of Child Q (renamed)"


async def test_command_line_roles_open_straight_into_a_screen(service: Service) -> None:
    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, NotesScreen)
        assert app.screen.conversation_id == setup.conversation


async def test_a_missing_role_view_is_a_clear_message_not_a_crash(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = small_review(service)
    monkeypatch.setitem(app_module._ROLE_SCREENS, "lead", ("facilitator.tui.screens.nowhere", "X"))
    app = FacilitatorApp(service, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_conversation(setup.conversation, "lead")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("not available" in str(n.message) for n in app._notifications)


async def test_theme_choice_is_remembered(service: Service) -> None:
    app = FacilitatorApp(service, clock=FakeClock())
    async with app.run_test() as pilot:
        app.action_high_contrast()
        await pilot.pause()
    assert service.store.setting(THEME_SETTING) == HIGH_CONTRAST.name
    again = FacilitatorApp(service, clock=FakeClock())
    assert again.theme == HIGH_CONTRAST.name


async def test_no_color_is_respected(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    service.store.set_setting(THEME_SETTING, HIGH_CONTRAST.name)
    monkeypatch.setenv("NO_COLOR", "1")
    app = FacilitatorApp(service, clock=FakeClock())
    assert app.theme == "ansi-dark"
    assert app.no_color


async def test_help_lists_this_screens_keys_and_the_note_grammar(service: Service) -> None:
    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Earlier notes" in text
        assert "Start" in text
        assert "#new" in text and "@family" in text and "Team reflection" in text
        await pilot.press("escape")
        assert isinstance(app.screen, NotesScreen)


async def test_palette_offers_the_main_actions(service: Service) -> None:
    small_review(service)
    app = FacilitatorApp(service, clock=FakeClock())
    async with app.run_test(size=(80, 24)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert "New review" in titles and "Add participant" in titles
    assert "Take notes: C1" in titles and "Lead: C1" in titles and "Help" in titles


async def test_closing_a_role_opened_from_the_command_line_shows_home(service: Service) -> None:
    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, NotesScreen)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "R1 Review of Child Q" in pane_text(app, "#reviews")
