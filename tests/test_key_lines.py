"""Every key shows at 80 columns (issue 12): where a screen has more keys than one line
holds (the lead's ranking panel, the notes list, the episodes board), the key line takes
a second line instead of cutting keys off."""

from __future__ import annotations

from textual.app import App

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.lead_ranking import RankingList
from facilitator.tui.widgets.note_capture import NotesList
from tests.test_lead_screen import settle
from tests.tui_support import FakeClock, screen_text


def missing_keys(app: App) -> list[str]:
    """Keys the footer should show that the bottom of the screen does not."""
    bottom = "\n".join(screen_text(app).split("\n")[-3:])
    wanted = [
        f"{app.get_key_display(binding)} {binding.description}"
        for (_, binding, _enabled, _tip) in app.screen.active_bindings.values()
        if binding.show and binding.description
    ]
    return [key for key in dict.fromkeys(wanted) if key not in bottom]


async def footer_settles(pilot) -> None:  # noqa: ANN001
    for _ in range(40):
        await pilot.pause(0.05)
        if not missing_keys(pilot.app):
            return


def planned(service: Service, review: str) -> str:
    return [c for c in service.store.conversations(review) if c.status == "planned"][0].id


async def test_the_ranking_panel_shows_every_key(service: Service, demo_review: str) -> None:
    app = FacilitatorApp(
        service, conversation=planned(service, demo_review), role="lead", clock=FakeClock()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        app.screen.query_one(RankingList).focus()
        await footer_settles(pilot)
        assert not missing_keys(app), screen_text(app).split("\n")[-3:]


async def test_the_notes_list_shows_every_key(service: Service, demo_review: str) -> None:
    done = [c for c in service.store.conversations(demo_review) if c.status != "planned"][0]
    app = FacilitatorApp(service, conversation=done.id, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("up")
        assert isinstance(app.focused, NotesList)
        await footer_settles(pilot)
        assert not missing_keys(app), screen_text(app).split("\n")[-3:]


async def test_the_episodes_board_shows_every_key(service: Service, demo_review: str) -> None:
    from facilitator.tui.screens.episodes import EpisodesScreen

    app = FacilitatorApp(service, review=demo_review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(EpisodesScreen(demo_review))
        await pilot.pause(0.3)
        await footer_settles(pilot)
        assert not missing_keys(app), screen_text(app).split("\n")[-3:]
