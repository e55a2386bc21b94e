"""The Plan, Episodes and Matrix screens, driven through the real app with Pilot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot

from facilitator.analysis.plan import agenda
from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogs import FormDialog
from facilitator.tui.screens.episodes import EpisodesScreen
from facilitator.tui.screens.plan import PlanScreen
from tests.review_fixture import ReviewFixture, build_review_fixture
from tests.tui_support import FakeClock, screen_text


@pytest.fixture
def fx(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


async def settle(app: FacilitatorApp, pilot: Pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def episodes_board(
    service: Service, fx: ReviewFixture
) -> AsyncIterator[tuple[FacilitatorApp, Pilot, EpisodesScreen]]:
    """The app on the fixture review's episodes board, read and shown."""
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(160, 50)) as pilot:
        screen = EpisodesScreen(fx.review)
        app.push_screen(screen)
        await settle(app, pilot)
        yield app, pilot, screen


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


async def test_episodes_board_merges_renames_and_shows_accounts(
    service: Service, fx: ReviewFixture
) -> None:
    from textual.widgets import DataTable

    store = service.store
    async with episodes_board(service, fx) as (app, pilot, screen):
        table = screen.query_one("#board", DataTable)
        assert [str(k.value) for k in table.rows] == [
            fx.episodes[e] for e in ("E5", "E1", "E4", "E2", "E3", "E6")
        ]
        text = screen_text(app)
        assert "undated" in text
        # E5 is highlighted first: merge it into E1 through the dialog.
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # the first choice offered is E1
        await settle(app, pilot)
        mapping = {e.id: e.merged_into for e in store.episodes(fx.review)}
        assert mapping[fx.episodes["E5"]] == fx.episodes["E1"]
        assert len(table.rows) == 5
        detail = " ".join(screen_text(app).split())
        assert "Also named: E5 Joint visit with social worker" in detail
        assert "C2, Health visitor (Community health)" in detail
        # Rename the highlighted episode (E1, kept under the cursor after the reload).
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("home", "ctrl+k", *"[b]Home visit[/b]", "enter")
        await settle(app, pilot)
        titles = {e.id: e.title for e in store.episodes(fx.review)}
        assert titles[fx.episodes["E1"]] == "[b]Home visit[/b]"
        assert "[b]Home visit[/b]" in screen_text(app)
        # The team's judgement shows apart from the accounts.
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("tab", *"Prompt response", "tab", *"No GP input // No nursery check")
        await pilot.press("tab", *"Set the tone", "ctrl+s")
        await settle(app, pilot)
        judged = {e.id: e for e in store.episodes(fx.review)}[fx.episodes["E1"]]
        # Each part judged on its own is a line of its own in the store.
        assert judged.team_problematic == "No GP input\nNo nursery check"
        assert judged.team_significance == "Set the tone"
        shown = " ".join(screen_text(app).split())
        assert "Review team (kept apart from the accounts)" in shown
        assert "Problematic practice: No GP input" in shown
        # And E5 can stand on its own again.
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("enter")  # its only merged duplicate, E5
        await settle(app, pilot)
        assert not {e.id: e.merged_into for e in store.episodes(fx.review)}[fx.episodes["E5"]]
        assert len(table.rows) == 6


async def test_episodes_board_shows_what_spans_the_review(
    service: Service, fx: ReviewFixture
) -> None:
    async with episodes_board(service, fx) as (app, pilot, _screen):
        await pilot.press("o")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert "E2: P5 GP, General practice (recorded by the team)" in shown
        assert "Discrepancies (2)" in shown and "Open follow-ups (2)" in shown


async def test_episodes_board_records_who_was_and_was_not_involved(
    service: Service, fx: ReviewFixture
) -> None:
    async with episodes_board(service, fx) as (app, pilot, screen):
        await pilot.press("down", "down", "down")  # E2: the GP is recorded as involved
        await pilot.press("i")
        await pilot.pause()
        (line,) = [x for x in screen_text(app).splitlines() if "P5 GP, General practice" in x]
        assert "✓ involved" in line
        await pilot.press("end", "enter")  # the GP, last: involved -> not involved
        await settle(app, pilot)
        assert screen.current is not None and screen.current.missing == []
        assert screen.current.team_view == {fx.participants["gp"]: False}


async def test_episodes_board_reports_an_impossible_date(
    service: Service, fx: ReviewFixture
) -> None:
    async with episodes_board(service, fx) as (app, pilot, _screen):
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("home", "ctrl+k", *"31 February 2024", "enter")
        await settle(app, pilot)
        # Said inside the form, which stays open with the date as typed.
        assert isinstance(app.screen, FormDialog)
        assert "not a real date" in screen_text(app)
        assert app.screen.values()["date"] == "31 February 2024"
        await pilot.press("escape")
        episode = next(e for e in service.store.episodes(fx.review) if e.id == fx.episodes["E5"])
        assert episode.date_text == "January 2024"


async def test_matrix_screen_opens_the_notes_behind_a_cell(
    service: Service, fx: ReviewFixture
) -> None:
    from textual.coordinate import Coordinate
    from textual.widgets import DataTable

    from facilitator.tui.screens.matrix import MatrixScreen

    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(160, 50)) as pilot:
        screen = MatrixScreen(fx.review)
        app.push_screen(screen)
        await settle(app, pilot)
        table = screen.query_one("#matrix", DataTable)
        row = [str(k.value) for k in table.rows].index(fx.episodes["E1"])
        column = 2 + screen.matrix.factors.index("interagency")  # type: ignore[union-attr]
        table.cursor_coordinate = Coordinate(row, column)
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert (
            "E1 × Inter-agency and inter-professional working: 2 from accounts, "
            "0 from the team's own view" in shown
        )
        assert "C3, Class teacher (Northfield Primary School): #1 Reported the bruise" in shown
        assert (
            "Recurring in accounts (highlighted): The family and their circumstances, "
            "Inter-agency and inter-professional working" in shown
        )


async def test_review_screens_are_in_the_command_palette(
    service: Service, fx: ReviewFixture
) -> None:
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Episodes board", "Episode × factor matrix"} <= set(commands)
        commands["Plan next conversation: P5"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.participant_id == fx.participants["gp"]
        await pilot.press("escape")
        commands["Episodes board"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, EpisodesScreen)


async def test_episodes_board_splits_chosen_notes_into_a_new_episode(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    async with episodes_board(service, fx) as (app, pilot, screen):
        await pilot.press("down", "down", "down")  # E2, the case conference
        assert screen.current is not None and screen.current.episode.id == fx.episodes["E2"]
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nothing typed: refused, dialog stays
        await pilot.pause()
        assert "Please give the new episode a title." in screen_text(app)
        await pilot.press(*"Minutes", "enter", *"April 2024", "enter")
        await pilot.press("space")  # the first note on E2, in time order
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        moved = store.note(fx.notes["sw_e2"])
        assert moved is not None and fx.episodes["E2"] not in moved.episodes
        (new,) = moved.episodes
        episode = next(e for e in store.episodes(fx.review) if e.id == new)
        assert (episode.title, episode.date_start) == ("Minutes", "2024-04-01")


async def test_patterns_screen_records_a_pattern_and_a_recommendation(
    service: Service, method, fx: ReviewFixture
) -> None:
    from facilitator.analysis.patterns import patterns, recommendations
    from facilitator.tui.screens.patterns import PatternsScreen

    store = service.store
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(160, 50)) as pilot:
        app.push_screen(PatternsScreen(fx.review))
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")  # the fourth type
        await pilot.pause()
        await pilot.press(*"Conference decisions go unrecorded", "enter", "enter")
        await pilot.press("4", "enter", "5", "enter", *"E2", "enter", *"interagency", "enter")
        await settle(app, pilot)
        (found,) = patterns(store, fx.review)
        assert found.type == method.patterns[3].key
        assert (found.widespread, found.relevance) == (4, 5)
        assert found.episodes == (fx.episodes["E2"],) and found.factors == ("interagency",)
        assert "Conference decisions go unrecorded" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("enter", "enter", "1", "enter", *"Seen in every agency", "enter")
        await pilot.press(*"hind", "enter")
        await settle(app, pilot)
        ranked = patterns(store, fx.review)[0]
        assert ranked.priority == 1
        assert (ranked.reasons, ranked.effect) == ("Seen in every agency", "hinders")
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("enter")  # clear-cut
        await pilot.pause()
        await pilot.press(*"Send minutes within two days", "enter", "enter", "enter", "enter")
        await settle(app, pilot)
        (rec,) = recommendations(store, fx.review)
        assert (rec.kind, rec.pattern) == ("clear-cut", found.id)
        # A bad score is refused with a message; nothing is recorded.
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter", *"Another", "enter", "enter", *"lots", "enter")
        await pilot.press("enter", "enter", "enter")
        await settle(app, pilot)
        assert len(patterns(store, fx.review)) == 1
        assert isinstance(app.screen, FormDialog) and "whole number" in screen_text(app)
        assert app.screen.values()["widespread"] == "lots"  # kept, to be corrected


async def test_a_saved_plan_is_the_leads_stage_six_agenda(
    service: Service, method, fx: ReviewFixture
) -> None:
    from facilitator.analysis.plan import plan_for, save_plan
    from facilitator.tui.widgets.lead_queries import QueryList
    from facilitator.tui.widgets.lead_view import LeadView

    store = service.store
    plan = plan_for(store, method, fx.participants["health_visitor"])
    conversation = save_plan(store, plan)
    app = FacilitatorApp(service, conversation=conversation, role="lead", clock=FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:

        async def caught_up() -> None:
            for _ in range(20):
                await settle(app, pilot)
                lead = app.screen.query_one(LeadView)
                if not lead._polling and lead.snapshot is not None:
                    return

        await caught_up()
        await pilot.press("6")
        await caught_up()
        listing = app.screen.query_one(QueryList)
        assert [q.kind for q in listing.queries] == ["agenda"] * len(plan.items)
        assert "agenda: Ask the health visitor whether she agreed" in screen_text(app)
        # A "?" is the review team's question, asked in C1: never the social worker's.
        assert listing.queries[0].source.startswith("plan · Review team's question in C1")
        listing.focus()
        listing.highlighted = 0  # the follow-up from C1, first by priority
        await pilot.press("enter")
        await caught_up()
        (row, *_rest) = agenda(store, conversation)
        assert row["status"] == "raised"
        follow_up = next(f for f in store.follow_ups(fx.review) if f.id == row["ref"])
        assert (follow_up.status, follow_up.raised_in) == ("raised", conversation)
        assert f"{len(plan.items) - 1} still to raise" in str(listing.border_title)


async def test_at_80_columns_each_items_from_column_is_on_screen_whole(
    service: Service, fx: ReviewFixture
) -> None:
    """Hostile test of issue 14, finding 10: at 80 columns the From column was off the
    right edge. It now wraps within the screen, so where each item comes from reads whole;
    and no stored kind (thin_rationality) shows, only its label."""
    from textual.widgets import DataTable

    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = PlanScreen(fx.participants["health_visitor"])
        app.push_screen(screen)
        await settle(app, pilot)
        assert screen.plan is not None and screen.plan.items
        table = screen.query_one("#agenda", DataTable)
        shown = " ".join(screen_text(app).split())
        assert "From" in shown
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.size.width, (widths, table.size.width)
        first = screen.plan.items[0]
        assert " ".join(first.reason.split()) in shown, (first.reason, shown)
        assert "thin" not in shown and "rationality" not in shown
