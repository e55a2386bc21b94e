"""Starting and ending a conversation, and setting the stage from the note-taker's screen."""

from __future__ import annotations

from datetime import timedelta

from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.clock import format_elapsed
from tests.tui_support import START, FakeClock, screen_text, small_review


async def test_start_set_stage_and_end(service: Service) -> None:
    setup = small_review(service)
    store = service.store
    clock = FakeClock()
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "not started" in screen_text(app)
        await pilot.press("f2")
        await pilot.pause()
        conversation = store.conversation(setup.conversation)
        assert conversation.started_at == clock.iso()
        assert store.current_stage(setup.conversation) == 1
        await pilot.press("f4", "f4", "f3")
        await pilot.pause()
        assert store.current_stage(setup.conversation) == 2
        clock.advance(3723)
        await pilot.pause(1.2)  # the clock is redrawn every second
        text = screen_text(app)
        assert "01:02:03" in text
        assert "Stage 2/9" in text
        await pilot.press("f2", "tab", "enter")  # to "End it", then Enter
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at == clock.iso()
        # Typing carries on after the end: late notes are still welcome.
        await pilot.press("o", "k", "enter")
        await pilot.pause()
    assert [n.text for n in store.notes(conversation=setup.conversation)] == ["ok"]


async def test_note_taker_cannot_set_the_stage_while_the_lead_does(
    service: Service, tmp_path
) -> None:  # noqa: ANN001
    """While the lead sets stages from another laptop, F3/F4 are off and the status line
    says why and until when; once no stage has come from there for LEAD_QUIET_MIN
    minutes (the lead's app closed, say), the note-taker may set the stage again."""
    from facilitator.tui.screens.notes import LEAD_QUIET_MIN

    setup = small_review(service, started_at=START.isoformat())
    # The lead, on another laptop, sets stage 5; their op reaches this store by sync.
    with Store(tmp_path / "lead.db", author="Jordan the lead") as lead_store:
        lead_store.ingest(service.store.ops())
        lead_store.set_stage(lead_store.conversation(setup.conversation), 5, at=START.isoformat())
        service.store.ingest(lead_store.ops())
    clock = FakeClock()
    clock.advance(60)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Stage 5/9" in screen_text(app)
        await pilot.press("f4")
        await pilot.pause()
        assert service.store.current_stage(setup.conversation) == 5
        until = (START + timedelta(minutes=LEAD_QUIET_MIN)).strftime("%H:%M")
        assert f"Stage set elsewhere; F3/F4 free at {until}." in screen_text(app)
        clock.advance(LEAD_QUIET_MIN * 60)
        await pilot.press("f4")
        await pilot.pause()
        assert service.store.current_stage(setup.conversation) == 6


def test_elapsed_clock_is_fixed_width() -> None:
    assert format_elapsed(0) == "00:00:00"
    assert format_elapsed(59.9) == "00:00:59"
    assert format_elapsed(36000) == "10:00:00"
    assert len({len(format_elapsed(s)) for s in (0, 61, 3599, 3600, 86399)}) == 1
