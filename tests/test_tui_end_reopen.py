"""Ending a conversation needs a deliberate choice, and an end can be undone.

F2 pressed by accident in the middle of a note must not end the conversation when the
note-taker carries on typing (a ``y`` in "yes" ended it), and nothing typed may be lost.
"""

from __future__ import annotations

from pathlib import Path

from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.note_box import NoteBox
from tests.tui_support import START, FakeClock, screen_text, small_review


async def test_f2_mid_note_then_typing_on_keeps_going_and_loses_no_key(
    service: Service,
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"she said ")
        await pilot.press("f2")  # meant F3, say
        await pilot.pause()
        assert "End this conversation" in screen_text(app)
        await pilot.press(*"yes it was")
        await pilot.pause()
        assert service.store.conversation(setup.conversation).ended_at is None
        assert isinstance(app.focused, NoteBox)
        await pilot.press("enter")
        await pilot.pause()
    notes = service.store.notes(conversation=setup.conversation)
    assert [n.text for n in notes] == ["she said yes it was"]
    assert service.store.conversation(setup.conversation).ended_at is None


async def test_enter_on_the_dialog_keeps_going_tab_enter_ends_and_f2_reopens(
    service: Service, tmp_path: Path
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "enter")  # the default is "Keep going"
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at is None
        await pilot.press("f2", "y", "escape", "f2", "escape")
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at is None
        await pilot.press("f2", "tab", "enter")  # to "End", then Enter
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at is not None
        assert "Reopen" in screen_text(app)
        # The end reached the other laptop...
        with Store(tmp_path / "other.db", author="Other") as other:
            other.ingest(store.ops())
            assert other.conversation(setup.conversation).ended_at is not None
            await pilot.press("f2")  # reopen: the end is undone
            await pilot.pause()
            assert store.conversation(setup.conversation).ended_at is None
            # ... and so does the reopening, as an op of its own.
            other.ingest(store.ops())
            assert other.conversation(setup.conversation).ended_at is None
        assert "End" in screen_text(app)


async def test_the_lead_reopens_an_ended_conversation_and_stage_keys_record_again(
    service: Service,
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="lead", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f2", "y", "escape")  # "y" is not a yes: nothing typed ends it
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at is None
        await pilot.press("f2", "tab", "enter")
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at is not None
        await pilot.press("3")  # shown, not recorded, after the end
        await pilot.pause()
        assert store.current_stage(setup.conversation) == 1
        await pilot.press("f2")
        await pilot.pause()
        assert store.conversation(setup.conversation).ended_at is None
        assert "ended" not in screen_text(app).splitlines()[0]
        await pilot.press("4")
        await pilot.pause()
        assert store.current_stage(setup.conversation) == 4


async def test_reopening_shows_the_recorded_stage_not_one_viewed_after_the_end(
    service: Service,
) -> None:
    """Stage 3, end, look at stage 6, reopen: the lead is at stage 3 (what was recorded),
    not at 6 with a timer stuck at 00:00."""
    from facilitator.tui.widgets.lead_view import LeadView

    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    app = FacilitatorApp(service, conversation=setup.conversation, role="lead", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await pilot.press("f2", "tab", "enter")
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        assert "Stage 6 of 9" in screen_text(app)
        await pilot.press("f2")  # reopen
        await pilot.pause()
        assert store.current_stage(setup.conversation) == 3
        assert app.screen.query_one(LeadView).stage == 3
        assert "Stage 3 of 9" in screen_text(app)


async def test_an_end_dialog_left_open_closes_when_the_conversation_ends_elsewhere(
    service: Service,
) -> None:
    """F2 on one laptop (or window), the dialog left open, the conversation ended on the
    other: the stale "End this conversation?" stayed, and "End it" ended it a second
    time, at a later moment. It closes and says what happened."""
    from facilitator.tui.screens.dialogs import EndDialog

    for role in ("notes", "split"):
        setup = small_review(service, started_at=START.isoformat())
        app = FacilitatorApp(service, conversation=setup.conversation, role=role, clock=FakeClock())
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause(0.3)
            await pilot.press("f2")
            await pilot.pause()
            assert isinstance(app.screen, EndDialog)
            store = service.store
            store.end_conversation(
                store.conversation(setup.conversation), at="2025-03-04T10:40:00+00:00"
            )
            for _ in range(60):
                if not isinstance(app.screen, EndDialog):
                    break
                await pilot.pause(0.05)
            assert not isinstance(app.screen, EndDialog), role
            await pilot.pause()
            assert any(
                "ended elsewhere" in str(n.message) and "10:40" in str(n.message)
                for n in app._notifications
            )
            await pilot.press("tab", "enter")  # the keys that would have chosen "End it"
            await pilot.pause()
        ended = service.store.conversation(setup.conversation).ended_at
        assert ended == "2025-03-04T10:40:00+00:00", role
