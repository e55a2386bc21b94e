"""The note-taker during a live conversation (issue 12): Tab never takes the box away,
the line is previewed as it will be read, and the list follows the op log."""

from __future__ import annotations

import pytest

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from tests.tui_support import START, FakeClock, screen_text, small_review


def notes_app(
    service: Service, conversation: str, clock: FakeClock | None = None
) -> FacilitatorApp:
    return FacilitatorApp(
        service, conversation=conversation, role="notes", clock=clock or FakeClock()
    )


@pytest.mark.parametrize(
    ("typed", "after_tab", "then", "saved"),
    [
        # unique: completed, with a space, and the next words follow it
        ("job @fam", "job @family ", "stress", "job @family stress"),
        # ambiguous: nothing to add, the candidates are shown, typing goes on in the box
        ("job @p", "job @p", "ersonal stress", "job @personal stress"),
        # ambiguous with a common start: completed as far as it goes
        ("job @lr-a", "job @lr-a", "ims set", "job @lr-aims set"),
        # no candidate at all
        ("job @zz", "job @zz", "top", "job @zztop"),
        # every prompt starts like this
        ("job @lr-", "job @lr-", "options", "job @lr-options"),
    ],
)
async def test_tab_in_a_tag_never_takes_the_box_away(
    service: Service, typed: str, after_tab: str, then: str, saved: str
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*typed)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is box
        assert box.text == after_tab
        await pilot.press(*then)
        await pilot.pause()
        assert app.focused is box
        await pilot.press("enter")
        await pilot.pause()
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == saved


async def test_tab_again_on_an_ambiguous_tag_cycles_through_the_candidates(
    service: Service,
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        await pilot.press(*"job @p", "tab")
        await pilot.pause()
        assert "@personal" in screen_text(app) and "@political" in screen_text(app)
        await pilot.press("tab")
        assert box.text == "job @personal"
        await pilot.press("tab")
        assert box.text == "job @political"
        await pilot.press("tab")
        assert box.text == "job @personal"
        await pilot.press(*" stress", "enter")
        await pilot.pause()
        assert app.focused is box
    (note,) = service.store.notes(conversation=setup.conversation)
    assert note.text == "job @personal stress" and note.factors == ("personal",)


async def test_the_line_is_previewed_as_it_will_be_read(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*"#new Home visit (early May 2026) cold flat @fam")
        await pilot.pause()
        text = screen_text(app)
        assert "Reads as: Observation" in text
        assert "new episode “Home visit” (early May 2026: 1–10 May 2026)" in text
        assert "factors: family" in text
        await pilot.press(*" #4")
        await pilot.pause()
        assert "⚠ #4: there is no episode E4 yet" in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await pilot.pause()
        await pilot.press(*"? ask about #1 @p")
        await pilot.pause()
        text = screen_text(app)
        assert "Reads as: Follow-up · E1 Home visit" in text
        assert "⚠ @p could be @personal, @political" in text
    [episode] = service.store.episodes(setup.review)
    assert (episode.title, episode.date_text) == ("Home visit", "early May 2026")
    assert (episode.date_start, episode.date_end) == ("2026-05-01", "2026-05-10")


@pytest.mark.parametrize("clearing", ["backspace", "ctrl+u"])
async def test_a_draft_cleared_by_hand_does_not_come_back(service: Service, clearing: str) -> None:
    from tests.test_tui_drafts import wait_for_draft

    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = notes_app(service, setup.conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Not this")
        await wait_for_draft(store, setup.conversation, "Not this")
        await pilot.press(*([clearing] * (8 if clearing == "backspace" else 1)))
        assert app.screen.query_one(NoteBox).text == ""
        for _ in range(100):
            if store.draft(setup.conversation) is None:
                break
            await pilot.pause(0.05)
        await pilot.press("f10")
        await pilot.pause()
    assert store.draft(setup.conversation) is None
    again = notes_app(service, setup.conversation)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.query_one(NoteBox).text == ""
        assert "Recovered draft" not in screen_text(again)


async def test_reopening_a_recovered_draft_keeps_its_time(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    store.save_draft(setup.conversation, "Half a thought", START.isoformat())
    saved = store.draft(setup.conversation)
    assert saved is not None
    for _ in range(2):
        app = notes_app(service, setup.conversation)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.6)  # longer than the draft-save delay
            assert "Recovered draft" in screen_text(app)
    assert store.draft(setup.conversation) == saved
