"""Helpers for the TUI tests: a controllable clock, a small review, the screen as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from textual.app import App
from textual.pilot import Pilot

from facilitator.service import Service
from facilitator.tui.widgets.note_box import NoteBox

START = datetime(2025, 3, 4, 10, 0, 0, tzinfo=timezone(timedelta(hours=0)))


class FakeClock:
    """A clock that moves only when told to (for timestamps and frozen snapshots)."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def iso(self) -> str:
        return self.now.isoformat(timespec="milliseconds")


@dataclass
class Setup:
    review: str
    participant: str
    conversation: str


def small_review(service: Service, *, started_at: str | None = None) -> Setup:
    store = service.store
    review = store.create_review("Review of Child Q (fictional)")
    person = store.add_participant(
        review, role="Social worker", agency="Children's social care", name="Alex Moreno"
    )
    conversation = store.new_conversation(
        review, person, lead="Jordan", note_taker="Sam", planned_at="2025-03-04T10:00"
    )
    if started_at:
        store.start_conversation(store.conversation(conversation), at=started_at)
    return Setup(review, person, conversation)


def screen_text(app: App) -> str:
    """What the terminal shows now, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def type_note(pilot, text: str, *, keys: int = 2, enter: bool = True) -> None:  # noqa: ANN001
    """Type ``text`` into the focused note box: the first characters as real key presses
    (they set the note's timestamp), the rest inserted at once because each Pilot key
    press costs ~60 ms of test time. Then Enter."""
    await pilot.press(*text[:keys])
    box = pilot.app.focused
    box.insert(text[keys:])
    await pilot.pause()
    if enter:
        await pilot.press("enter")


async def steady(pilot: Pilot) -> None:
    """Bring the screen to rest before a snapshot, so two runs draw it the same whatever
    the machine's load:

    1. Wait until nothing is in flight: no worker running (the lead's reads, the note
       list's watch), no read queued, and the focus no longer moving (a focus change is
       a chain of messages that one pause may not finish under load).
    2. Stop the screen's timers (polls, once-a-second ticks, the cursor's blink): with
       the clock frozen they would redraw the same thing, but one firing mid-snapshot
       made the redraw race the screenshot.
    3. No cursor blink in the note boxes, and their line caches dropped: TextArea's
       cache key leaves the cursor out when blink is off, so a row cached in the blink's
       "off" phase would be reused without the cursor.
    """
    app = pilot.app
    focused: object = object()
    for _ in range(40):
        await app.workers.wait_for_complete()
        await pilot.pause()
        busy = any(
            getattr(node, "_polling", False) or getattr(node, "_watching", False)
            for node in app.screen.walk_children(with_self=True)
        )
        running = any(not worker.is_finished for worker in app.workers)
        if not busy and not running and app.focused is focused:
            break
        focused = app.focused
    else:
        raise AssertionError("the screen never came to rest")
    for node in app.screen.walk_children(with_self=True):
        for timer in list(node._timers):
            timer.pause()
    for box in app.screen.query(NoteBox):
        box.cursor_blink = False
        box._line_cache.clear()
        box.refresh()
    await pilot.pause()


async def wait_until(pilot, condition, what: str, timeout: float = 20.0) -> None:  # noqa: ANN001
    """Wait for ``condition()`` while the app runs: a fixed pause is too short on a loaded
    machine (two test workers on two cores) and too long on an idle one."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(
        f"timed out waiting for {what}; the screen shows:\n" + screen_text(pilot.app)
    )


async def list_command(pilot: Pilot, key: str) -> None:
    """A notes-list command letter (e, d, k, u, h), or a lead key in the split view's
    lead pane (n, p, 1-9, space), pressed on its own: it acts once ``NotesList.HOLD_S``
    has passed with no letter after it (a letter straight after it is typing, and both
    go to the note box)."""
    from facilitator.tui.widgets.note_capture import NotesList

    await pilot.press(key)
    await pilot.pause(NotesList.HOLD_S + 0.2)
