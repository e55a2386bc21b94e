"""The lead during a live conversation (issue 12): always oriented at a glance, at 80x24
and in the split view, with times that fit the plan and a cursor that stays put."""

from __future__ import annotations

import re

import pytest

from facilitator.service import Service
from facilitator.tui.widgets.lead_model import suggested_minutes
from facilitator.tui.widgets.lead_timers import LeadTopBar
from tests.test_lead_screen import lead_app, settle, top_bar
from tests.tui_support import START, FakeClock, screen_text, small_review

# The nine stages in order, however narrow the strip (" 1  2 ", "1 2 " or "12").
STRIP = re.compile(r"1 *2 *3 *4 *5 *6 *7 *8 *9")


def bar_lines(pilot) -> list[str]:  # noqa: ANN001
    """The top bar as the terminal shows it (its region of the screen)."""
    bar = pilot.app.screen.query_one(LeadTopBar)
    lines = screen_text(pilot.app).split("\n")
    top = bar.region.y
    return [line[bar.region.x : bar.region.right] for line in lines[top : top + 2]]


@pytest.mark.parametrize("role", ["lead", "split"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_stage_and_its_name_show_at_every_size_before_and_after(
    service: Service, role: str, size: tuple[int, int]
) -> None:
    setup = small_review(service)
    store = service.store
    clock = FakeClock()
    app = lead_app(service, setup.conversation, clock, role=role)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        first, second = bar_lines(pilot)
        assert "Stage 1 of 9 · Intro" in first and "not started" in first
        assert STRIP.search(second) and "C1 · Alex Mor" in first + second, (first, second)
        store.start_conversation(store.conversation(setup.conversation), at=START.isoformat())
        for number in (9, 4):
            store.set_stage(store.conversation(setup.conversation), number, at=clock.iso())
            app.screen.query_one("LeadView").poll_now()
            await settle(pilot)
            first, second = bar_lines(pilot)
            title = service.method.stage(number).title
            assert f"Stage {number} of 9 · {title[:6]}" in first, first
            assert STRIP.search(second), second  # wide, or narrower at 80x24
            assert "C1 · Alex Mor" in first + second, (first, second)
        store.end_conversation(store.conversation(setup.conversation), at=clock.iso())
        app.screen.query_one("LeadView").poll_now()
        await settle(pilot)
        first, _ = bar_lines(pilot)
        assert "Stage 4 of 9" in first and "ended" in first


def test_suggested_times_add_up_to_the_planned_length(method) -> None:  # noqa: ANN001
    assert sum(suggested_minutes(method, None).values()) == 90
    for planned in (45, 60, 75, 120):
        scaled = suggested_minutes(method, planned)
        assert abs(sum(scaled.values()) - planned) <= 4
        assert all(minutes >= 1 for minutes in scaled.values())


async def test_a_sixty_minute_plan_is_not_behind_at_the_start(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    store.update(setup.review, "conversation", setup.conversation, planned_minutes=60)
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = top_bar(pilot)
        assert "behind plan" not in bar
        assert f"/{suggested_minutes(service.method, 60)[1]}m" in bar and "/60m" in bar


async def test_the_purpose_comes_first_in_a_line(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).split("\n")
        purpose = next(i for i, line in enumerate(lines) if "Purpose: Set the scene" in line)
        prompts = next(i for i, line in enumerate(lines) if line.strip().startswith("Prompts"))
        assert purpose == 2  # straight under the top bar
        assert prompts - purpose <= 3  # a line or two, then the prompts


async def test_ranking_leaves_the_cursor_where_the_lead_is_working(service: Service) -> None:
    from facilitator.tui.widgets.lead_ranking import RankingList
    from tests.test_lead_screen import view

    setup = small_review(service, started_at=START.isoformat())
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        ranking = app.screen.query_one(RankingList)
        ranking.focus()
        await pilot.pause()
        # Down the list: the third area, then two further down, then one more.
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        areas = [area.key for area in service.method.factor_areas]
        assert view(pilot).snapshot.ranking == (areas[2], areas[4], areas[5])


async def test_stage_keys_after_the_end_record_nothing(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    store.end_conversation(store.conversation(setup.conversation), at=START.isoformat())
    before = store.stage_events(setup.conversation)
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", "3", "p", "8")
        await settle(pilot)
        assert any("nothing recorded" in n.message for n in app._notifications)
        # The view moves (the recap can still be read back); the record does not.
        assert "Stage 8 of 9" in top_bar(pilot) and "ended" in top_bar(pilot)
    assert store.stage_events(setup.conversation) == before


async def test_the_recap_reads_labels_not_tags(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    talk = store.conversation(setup.conversation)
    service.record_note(talk, "#new Joint home visit (March 2024)")
    service.record_note(talk, "+ planned together the day before #1 @inter")
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        text = screen_text(app)
        # The episode by its label now (linked by id), after the words.
        assert "planned together the day before Inter-agency and" in text
        assert "(E1)" in text
        assert "#1" not in text and "@inter" not in text


def test_queries_read_labels_not_tags(method) -> None:  # noqa: ANN001
    from facilitator.analysis.queries import OverviewQuery
    from facilitator.tui.widgets.lead_queries import query_prompt

    fields = OverviewQuery.__dataclass_fields__
    values = {name: None for name in fields}
    values.update(kind="follow_up", id="q1", text="ask the GP about #2 @family", raised=False)
    values.update(source="C1 · GP")
    shown = query_prompt(OverviewQuery(**values), method).plain
    assert "ask the GP about E2 The family" in shown


async def test_at_80x24_the_recap_scrolls_straight_away(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    talk = service.store.conversation(setup.conversation)
    for number in range(12):
        service.record_note(talk, f"+ something that went well, number {number}")
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        recap = app.screen.query_one("#lead-recap-scroll")
        assert app.focused is recap
        await pilot.press("end")
        await pilot.pause()
        assert recap.scroll_y > 0


async def test_long_episode_titles_wrap_in_the_note_takers_side_panel(
    service: Service,
) -> None:
    from tests.test_note_taker_live import notes_app

    setup = small_review(service, started_at=START.isoformat())
    talk = service.store.conversation(setup.conversation)
    service.record_note(talk, "#new Strategy discussion that was never convened (March 2024)")
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = "\n".join(line[52:] for line in screen_text(app).split("\n"))
        words = " ".join(panel.replace("│", " ").split())
        assert "E1 Strategy discussion that was never convened 1" in words
