"""The Plan, Episodes and Matrix screens, driven through the real app with Pilot."""

from __future__ import annotations

import pytest

from facilitator.analysis.plan import agenda
from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.plan import PlanScreen
from tests.review_fixture import ReviewFixture, build_review_fixture
from tests.tui_support import FakeClock, screen_text


@pytest.fixture
def fx(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


async def settle(app: FacilitatorApp, pilot) -> None:  # noqa: ANN001 - Pilot
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_plan_screen_lists_the_agenda_and_saves_it(
    service: Service, fx: ReviewFixture
) -> None:
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(140, 40)) as pilot:
        screen = PlanScreen(fx.participants["gp"])
        app.push_screen(screen)
        await settle(app, pilot)
        text = screen_text(app)
        assert "Plan for the next conversation with P5 Eva Frost (GP, General practice)" in text
        assert "not yet heard" in text and "discrepancy" in text
        assert screen.plan is not None and screen.plan.items
        await pilot.press("s")
        await settle(app, pilot)
        assert screen.saved is not None
        rows = agenda(service.store, screen.saved)
        assert [(r["kind"], r["ref"]) for r in rows] == [(i.kind, i.ref) for i in screen.plan.items]
        await pilot.press("minus", "minus", "minus", "minus")
        await settle(app, pilot)
        assert screen.minutes == 30
        assert "only if time allows" in " ".join(screen_text(app).split())


async def test_plan_screen_shows_markup_in_user_text_literally(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    conversation = store.conversation(fx.conversations["ct"])
    store.add_follow_up(
        fx.review, "Ask about [bold]the letter[/bold]", conversation=conversation.id,
        participant=conversation.participant,
    )  # fmt: skip
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(160, 40)) as pilot:
        app.push_screen(PlanScreen(fx.participants["class_teacher"]))
        await settle(app, pilot)
        assert "Ask about [bold]the letter[/bold]" in screen_text(app)
