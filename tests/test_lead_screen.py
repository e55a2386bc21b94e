"""The lead questioner's screen, driven through the real app with Pilot and a real store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from facilitator.analysis.queries import overview_queries
from facilitator.demo import build_demo
from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.lead_episodes import CoverageView, EpisodeList
from facilitator.tui.widgets.lead_model import ranking_id, tick_id
from facilitator.tui.widgets.lead_queries import QueryList
from facilitator.tui.widgets.lead_ranking import RankingList
from facilitator.tui.widgets.lead_stage import ToCover
from facilitator.tui.widgets.lead_timers import LeadTopBar
from facilitator.tui.widgets.lead_view import LeadView
from tests.tui_support import START, FakeClock, list_command, screen_text, small_review, wait_until

DEMO_START = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def lead_app(service: Service, conversation: str, clock: FakeClock, role: str = "lead"):
    return FacilitatorApp(service, conversation=conversation, role=role, clock=clock)


async def settle(pilot: Pilot) -> None:
    """Let the lead's reader catch up: no read running and none queued."""
    app = pilot.app
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        views = list(app.screen.query(LeadView))
        if not views or (not views[0]._polling and views[0].snapshot is not None):
            return
    raise AssertionError("the lead's view never finished reading")


async def poll(pilot: Pilot) -> None:
    pilot.app.screen.query_one(LeadView).poll_now()
    await settle(pilot)


def view(pilot: Pilot) -> LeadView:
    return pilot.app.screen.query_one(LeadView)


def top_bar(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one(LeadTopBar).render())


def stages(store: Store, conversation: str) -> list[int]:
    return [event.stage for event in store.stage_events(conversation)]


# --- stepping and jumping --------------------------------------------------------------------


async def test_n_p_and_digits_move_between_stages_and_store_stage_events(
    service: Service, method: Method
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    clock = FakeClock()
    app = lead_app(service, setup.conversation, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Stage 1 of 9" in top_bar(pilot)
        clock.advance(300)
        await pilot.press("n")
        await settle(pilot)
        assert view(pilot).stage == 2
        assert f"Stage 2 of 9 · {method.stage(2).title}" in top_bar(pilot)
        assert method.stage(2).prompts[0][:40] in screen_text(app)
        await pilot.press("p")
        await pilot.press("7")
        await settle(pilot)
        assert f"Stage 7 of 9 · {method.stage(7).title}" in top_bar(pilot)
        assert method.stage(7).prompts[0][:40] in screen_text(app)
        await pilot.press("9", "n")  # n beyond the last stage does nothing
        await pilot.press("1", "p")
        await settle(pilot)
    assert stages(store, setup.conversation) == [1, 2, 1, 7, 9, 1]
    events = store.stage_events(setup.conversation)
    assert events[1].at == (START + timedelta(seconds=300)).isoformat(timespec="milliseconds")
    # Every stage change is an op, so it syncs and reaches exports.
    ops = store.ops("WHERE entity = 'stage_event'")
    assert len(ops) == 6


async def test_the_first_stage_key_starts_a_planned_conversation(service: Service) -> None:
    setup = small_review(service)
    store = service.store
    clock = FakeClock()
    app = lead_app(service, setup.conversation, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Stage 1 of 9 · Introduction · not started" in top_bar(pilot)
        assert "F2 or a stage key starts the clock" in screen_text(app)
        await pilot.press("3")
        await settle(pilot)
        assert "Stage 3 of 9" in top_bar(pilot)
    conversation = store.conversation(setup.conversation)
    assert conversation.started_at == clock.iso()
    assert stages(store, setup.conversation) == [1, 3]


async def test_a_stage_set_on_the_other_laptop_is_followed(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store.set_stage(store.conversation(setup.conversation), 5, at=START.isoformat())
        await poll(pilot)
        assert view(pilot).stage == 5
        assert "Stage 5 of 9" in top_bar(pilot)


# --- timers ----------------------------------------------------------------------------------


async def test_timers_follow_the_clock_and_flag_a_stage_that_runs_well_over(
    service: Service, method: Method
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    clock = FakeClock()
    app = lead_app(service, setup.conversation, clock)
    minutes = method.stage(2).minutes
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.advance(10 * 60)
        await pilot.press("n")
        await settle(pilot)
        clock.advance(125)
        view(pilot).tick()
        bar = top_bar(pilot)
        assert f"stage 02:05/{minutes}m" in bar
        assert "total 12:05/90m" in bar
        assert "over" not in bar
        assert "behind plan" not in bar
        clock.advance(minutes * 60 * 1.5)
        view(pilot).tick()
        assert "over" in top_bar(pilot)
        # The rest of the stages now need more than the planned length leaves: a quiet hint.
        later = sum(s.minutes for s in method.stages if s.number > 2) * 60
        total = 10 * 60 + 125 + minutes * 60 * 1.5
        behind = later - (90 * 60 - total)  # stage 2 itself is used up
        assert f"about {int(behind // 60)}m behind plan" in top_bar(pilot)
        clock.advance(3 * 3600)
        view(pilot).tick()
        assert "total 3:" in top_bar(pilot)
        # Time in a stage adds up over visits: back to stage 1 after 10 more minutes there.
        await pilot.press("1")
        await settle(pilot)
        clock.advance(60)
        view(pilot).tick()
        assert "stage 11:00/" in top_bar(pilot)


# --- ticks -----------------------------------------------------------------------------------


async def test_ticking_an_item_is_one_shared_entity(tmp_path: Path, service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    other = Store(tmp_path / "other.db", author="Other laptop")
    other.ingest(store.ops())
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        cover = app.screen.query_one(ToCover)
        cover.focus()
        await pilot.press("down", "space")
        await settle(pilot)
        expected = tick_id(setup.conversation, 1, 1)
        rows = store.rows("ticks", setup.review)
        assert [(r["id"], r["stage"], r["done"]) for r in rows] == [(expected, 1, 1)]
        assert cover.done == {1}
        # The other laptop ticks the same item and a second one; both sync in.
        for index in (1, 2):
            other.update(
                setup.review,
                "tick",
                tick_id(setup.conversation, 1, index),
                conversation=setup.conversation,
                stage=1,
                item="x",
                done=1,
            )
        store.ingest(other.ops())
        await poll(pilot)
        assert len(store.rows("ticks", setup.review)) == 2
        assert cover.done == {1, 2}
        assert cover.done == {1, 2} and str(cover.border_title).endswith(" open")
        await pilot.press("space")  # untick item 1
        await settle(pilot)
        done = {r["id"]: r["done"] for r in store.rows("ticks", setup.review)}
        assert done[expected] == 0
    other.close()


# --- coverage as notes arrive ----------------------------------------------------------------


async def test_coverage_updates_as_the_note_takers_notes_arrive(
    tmp_path: Path, service: Service, method: Method
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "No episode yet" in screen_text(app)
        # The note-taker's laptop: its own store, synced by ops.
        other = Store(tmp_path / "notes.db", author="Note-taker")
        other.ingest(store.ops())
        notes = Service(other, method)
        conversation = other.conversation(setup.conversation)
        notes.record_note(conversation, "#new Home visit (12 January 2024) @lr-picture")
        store.ingest(other.ops())
        await poll(pilot)
        coverage = app.screen.query_one(CoverageView)
        assert coverage.line is not None
        assert coverage.line.episode.title == "Home visit"
        assert coverage.line.prompts == {"lr-picture"}
        text = screen_text(app)
        # What is still open, not a score (issue 14: no "lr 1/7" pushing to a checklist).
        assert "Still open to explore" in text
        assert "Heard about: What they thought was going on" in text
        assert "1/7" not in text and "lr 1" not in text
        assert "Episodes 1" in text
        seen = len(other.ops())
        notes.record_note(conversation, "#1 @lr-aims @family Wanted to keep mother engaged")
        store.ingest(other.ops()[seen:])  # only what is new, as a sync would bring
        await poll(pilot)
        assert coverage.line.prompts == {"lr-picture", "lr-aims"}
        assert coverage.line.factors == {"family"}
        assert (
            "Heard about: What they thought was going on; What they were trying to achieve"
            in coverage.render().plain
        )
        assert "Spoken of: family" in coverage.render().plain
        # A deleted note stops counting.
        live = other.notes(conversation=setup.conversation)
        (aims,) = [n for n in live if "lr-aims" in n.prompts]
        notes.delete_note(aims)
        store.ingest(other.ops())
        await poll(pilot)
        assert coverage.line.prompts == {"lr-picture"}
        assert "What they were trying to achieve" in screen_text(app).split("Heard about")[0]
        other.close()


async def test_episodes_named_elsewhere_are_listed_after_this_participants(
    service: Service,
) -> None:
    review = build_demo(service, start=DEMO_START)
    store = service.store
    # The difference about the GP's invitation names the GP: it is on the GP's list.
    gp = next(p for p in store.participants(review) if p.role == "GP")
    second = store.conversation(store.new_conversation(review, gp.id))
    app = lead_app(service, second.id, FakeClock(DEMO_START + timedelta(days=7)))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        listing = app.screen.query_one(EpisodeList)
        assert listing.border_title == "Episodes 0 (+3 elsewhere)"
        service.record_note(store.conversation(second.id), "#2 @lr-aims Was at that meeting")
        await poll(pilot)
        assert listing.border_title == "Episodes 1 (+2 elsewhere)"
        assert listing.highlighted_option is not None
        assert "Strategy discussion" in str(listing.highlighted_option.prompt)


# --- ranking (stage 5) -----------------------------------------------------------------------


async def test_the_participants_ranking_is_recorded_in_order(
    service: Service, method: Method
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = lead_app(service, setup.conversation, FakeClock())
    areas = [a.key for a in method.factor_areas]
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert method.factor_areas[0].prompts[0][:40] in screen_text(app)  # framework as prompts
        ranking = app.screen.query_one(RankingList)
        ranking.focus()
        ranking.highlighted = areas.index("conditions")
        await pilot.press("enter")
        ranking.highlighted = ranking.get_option_index("team")
        await pilot.press("enter")
        await settle(pilot)
        (row,) = store.rows("rankings", setup.review)
        assert row["id"] == ranking_id(setup.conversation)
        assert view(pilot).snapshot.ranking == ("conditions", "team")
        ranking.highlighted = ranking.get_option_index("team")
        await pilot.press("shift+up")  # team moves above conditions
        await settle(pilot)
        assert view(pilot).snapshot.ranking == ("team", "conditions")
        ranking.highlighted = ranking.get_option_index("conditions")
        await pilot.press("enter")  # and conditions comes off the list
        await settle(pilot)
        assert view(pilot).snapshot.ranking == ("team",)
        assert len(store.rows("rankings", setup.review)) == 1


# --- queries from the overview (stage 6) -----------------------------------------------------


async def test_queries_from_the_overview_are_listed_and_marked_raised(service: Service) -> None:
    review = build_demo(service, start=DEMO_START)
    store = service.store
    # The difference about the GP's invitation names the GP: it is on the GP's list.
    gp = next(p for p in store.participants(review) if p.role == "GP")
    second = store.conversation(store.new_conversation(review, gp.id))
    app = lead_app(service, second.id, FakeClock(DEMO_START + timedelta(days=7)))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        listing = app.screen.query_one(QueryList)
        expected = overview_queries(store, second.id)
        assert expected and len(listing.queries) == len(expected)
        assert "GP letter says no invitation came" in screen_text(app)
        assert "1 still to raise" in str(listing.border_title)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert overview_queries(store, second.id)[0].raised
        assert listing.queries[0].raised
        assert "all raised" in str(listing.border_title)
        await pilot.press("enter")  # a mistaken mark can be taken back
        await settle(pilot)
        assert not overview_queries(store, second.id)[0].raised


# --- recap (stage 8) -------------------------------------------------------------------------


async def test_recap_reads_back_episodes_factors_ranking_and_ideas(service: Service) -> None:
    review = build_demo(service, start=DEMO_START)
    store = service.store
    first = store.conversations(review)[0]
    store.update(
        review,
        "ranking",
        ranking_id(first.id),
        conversation=first.id,
        factors=["conditions", "team"],
    )
    service.record_note(store.conversation(first.id), "~ [bold]Shared[/bold] \x1b[31mnotes")
    app = lead_app(service, first.id, FakeClock(DEMO_START + timedelta(minutes=70)))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        text = screen_text(app)
        assert "Joint home visit with health visitor" in text
        assert "Working conditions" in text or "conditions" in text
        assert "1. " in text and "2. " in text
        assert "Good relationship with the class teacher" in text
        assert "A shared chronology" in text
        # User text is shown literally: markup stays visible, escape codes are neutralised.
        assert "[bold]Shared[/bold]" in text
        assert "\x1b" not in text and "␛[31mnotes" in text


# --- one laptop: lead and notes in one window ------------------------------------------------


async def test_split_view_takes_notes_and_moves_stages(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    clock = FakeClock()
    app = lead_app(service, setup.conversation, clock, role="split")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press(*"#new Home visit (May 2024) @lr-picture")
        await pilot.press("enter")
        await settle(pilot)
        (note,) = store.notes(conversation=setup.conversation)
        assert note.stage == 1
        # Letters go to the note box; F4 moves the stage from anywhere.
        await pilot.press("f4", "f4", "f4")
        await settle(pilot)
        assert stages(store, setup.conversation)[-1] == 4
        assert "Heard about: What they thought was going on" in screen_text(app)
        await pilot.press("f5")  # to the lead's panel, where single keys work
        await list_command(pilot, "p")  # on its own: held, then it acts
        await settle(pilot)
        assert stages(store, setup.conversation)[-1] == 3
        await pilot.press("f5", *"Second note", "enter")
        await settle(pilot)
        notes = store.notes(conversation=setup.conversation)
        assert [n.stage for n in notes] == [1, 3]


async def test_f10_goes_home_from_the_split_views_note_box(service: Service) -> None:
    """ctrl+w deletes a word in the note box, so closing is F10, as for the note-taker."""
    from facilitator.tui.screens.home import HomeScreen
    from facilitator.tui.screens.split import SplitScreen
    from facilitator.tui.widgets.note_box import NoteBox

    setup = small_review(service, started_at=START.isoformat())
    app = lead_app(service, setup.conversation, FakeClock(), role="split")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        box = app.screen.query_one(NoteBox)
        assert app.screen.focused is box
        assert "f10 Home" in screen_text(app).splitlines()[-1]
        await pilot.press("f1")
        help_text = " ".join(str(static.content) for static in app.screen.query(Static))
        assert re.search(r"f10\s+Home", help_text)  # the help lists the screen's keys
        await pilot.press("escape", *"two words", "ctrl+w")
        assert box.text == "two " and isinstance(app.screen, SplitScreen)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    # Closing saved nothing as a note.
    assert service.store.notes(conversation=setup.conversation) == []


async def test_f10_goes_home_from_the_lead_screen(service: Service) -> None:
    from facilitator.tui.screens.home import HomeScreen

    setup = small_review(service, started_at=START.isoformat())
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(
            pilot, lambda: "f10 Home" in screen_text(app).splitlines()[-1], "the key line"
        )
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_family_member_gets_the_family_prompts_on_the_leads_screen(
    service: Service, method: Method
) -> None:
    """Guide 2.3: the lead of a conversation with a parent is not prompted about the
    parent's 'workload' or 'supervision'."""
    store = service.store
    review = store.create_review("Review of Child Q (fictional)")
    mother = store.add_participant(review, role="Mother", agency="Family", kind="family")
    talk = store.new_conversation(review, mother, lead="Jordan")
    store.start_conversation(store.conversation(talk), at=START.isoformat())
    app = lead_app(service, talk, FakeClock())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert "Prompts, worded for a family member" in shown
        assert method.stage(5).family_prompts[0] in shown
        assert "workload" not in shown.lower()
        cover = app.screen.query_one(ToCover)
        assert cover.stage is not None
        assert cover.stage.to_cover == method.stage(5).family_to_cover
        professional = ("working conditions", "team", "political", "role")
        assert not any(w in i.lower() for i in cover.stage.to_cover for w in professional)
        # Stage 4 too: the family's prompts and list, not "your wider work".
        await pilot.press("4")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert method.stage(4).family_prompts[0] in shown
        assert "on your plate" not in shown and "caseload" not in shown.lower()
        assert cover.stage.to_cover == method.stage(4).family_to_cover
        # What is still open, never a score.
        assert str(cover.border_title).endswith(" open")
        assert not re.search(r"\d+/\d+", str(cover.border_title))


@pytest.mark.parametrize("stage", ["1", "4", "9"])
async def test_the_split_views_top_bar_names_the_conversation_and_person_at_80x24(
    service: Service, stage: str
) -> None:
    """The lead glances up to see whose conversation this is: at 80x24 the split view's
    top bar dropped "C1 · who" off the end of its second line."""
    setup = small_review(service, started_at=START.isoformat())
    clock = FakeClock()
    clock.advance(40 * 60)
    app = lead_app(service, setup.conversation, clock, role="split")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await list_command(pilot, stage)
        await settle(pilot)
        shown = top_bar(pilot)
        assert "C1 · Alex Mor" in shown, shown
        assert f"Stage {stage} of 9" in shown
        assert "40:00" in shown  # the total time is still there


async def test_the_stage_5_ranking_says_which_way_each_factor_worked_at_80_columns(
    service: Service,
) -> None:
    """The participant's own notes say a factor helped or hindered; the stage-5 panel says
    so beside the count, readable at 80x24. The team's own '!' note is not counted."""
    setup = small_review(service, started_at=START.isoformat())
    conversation = service.store.conversation(setup.conversation)
    for line in (
        "Caseload doubled after a colleague left @conditions-",
        "Supervision was cancelled twice @conditions-",
        "! The duty log disagrees @conditions+",
    ):
        assert not service.record_note(conversation, line).problems
    app = lead_app(service, setup.conversation, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        ranking = app.screen.query_one(RankingList)
        ranking.focus()
        ranking.highlighted = ranking.get_option_index("conditions")
        await settle(pilot)
        option = ranking.get_option("conditions").prompt
        assert option.plain.endswith("Working conditions  2 notes, 2 hindered"), option
        # Drawn whole at 80 columns (wrapped, never cut off).
        assert "notes, 2 hindered" in screen_text(app)
        assert "helped" not in screen_text(app)
