"""The note-taker's screen: the note box (focused from the start), earlier notes, and
beside them the stage, the elapsed time, episodes and factor areas."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from facilitator.dates import parse_moment
from facilitator.model import Conversation
from facilitator.tui.screens.dialogs import confirm_end
from facilitator.tui.text import display_text
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.note_capture import NoteCapture
from facilitator.tui.widgets.side_panel import SidePanel
from facilitator.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp

# A stage set from another laptop (the lead's) within this many minutes means someone is
# leading there, so F3/F4 here are off; after that (the lead's app closed, or the lead
# stopped moving the stage) the note-taker may set it. Stages mostly last 5 to 15 minutes.
LEAD_QUIET_MIN = 20


class NotesScreen(Screen[None]):
    """Everything the note-taker needs, usable from the keyboard alone at 80x24."""

    AUTO_FOCUS = "#note-box"

    BINDINGS = [
        Binding("f2", "start", "Start", id="start"),
        Binding("f2", "end", "End", id="end"),
        Binding("f2", "reopen", "Reopen", id="reopen"),
        Binding("f3", "stage(-1)", "Stage -", id="stage-previous"),
        Binding("f4", "stage(1)", "Stage +", id="stage-next"),
        Binding("ctrl+up", "earlier_notes", "Earlier notes", id="earlier-notes"),
        Binding("f10", "close", "Home", id="close"),
    ]

    def __init__(self, conversation_id: str) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self._stage: int | None = None
        # When a stage was last set from another laptop (ISO), if ever.
        self._stage_by_others: str | None = None
        self._stage_shown = False
        self._ticks = 0

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="notes-title", classes="screen-title", markup=False)
        with Horizontal(id="notes-body"):
            yield NoteCapture(self.conversation_id, id="note-capture")
            yield SidePanel(id="side-panel")
        yield StatusBar()
        yield KeyFooter()

    @property
    def capture(self) -> NoteCapture:
        return self.query_one(NoteCapture)

    @property
    def conversation(self) -> Conversation:
        return self.capture.conversation

    def on_mount(self) -> None:
        from facilitator.dialogue.records import who_talks

        store = self.facilitator.store
        conversation = store.conversation(self.conversation_id)
        who = who_talks(store, conversation.review, conversation.id, conversation.participant)
        title = f"{conversation.label} · {who} · note-taker"
        self.query_one("#notes-title", Static).update(display_text(title, one_line=True))
        self._refresh_stage()
        self._refresh_panel(episodes=True)
        self._tick()
        self.set_interval(1.0, self._tick)

    # --- the once-a-second refresh: clock and stage (cheap, no relayout) --------------

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % 5 == 0:
            # Started or ended elsewhere (the lead's laptop, through sync)?
            before = self.conversation
            after = self.capture.refresh_conversation()
            if (before.started_at, before.ended_at) != (after.started_at, after.ended_at):
                self.refresh_bindings()
        conversation = self.conversation
        panel = self.query_one(SidePanel)
        start = parse_moment(conversation.started_at)
        if start is not None:
            end = parse_moment(conversation.ended_at) or self.facilitator.clock()
            panel.clock.set_elapsed(
                (end - start).total_seconds(), ended=bool(conversation.ended_at)
            )
        else:
            panel.clock.set_elapsed(None)
        self._refresh_stage()

    def refresh_from_store(self) -> None:
        """Ops arrived from another laptop (the sync worker calls this): show its stage
        change and new episodes now rather than at the next tick."""
        if not self._stage_shown:
            return  # not mounted yet: on_mount reads everything anyway
        self._refresh_stage()
        self._refresh_panel(episodes=True)

    def _refresh_stage(self) -> None:
        store = self.facilitator.store
        events = store.stage_events(self.conversation_id)
        stage = events[-1].stage if events else None
        self._stage_by_others = max(
            (event.at for event in events if event.by not in (None, store.author)), default=None
        )
        if stage != self._stage or not self._stage_shown:
            first = not self._stage_shown
            self._stage, self._stage_shown = stage, True
            title = self.facilitator.method.stage(stage).title if stage else ""
            self.query_one(SidePanel).show_stage(stage, title)
            if not first:  # the footer is built after mounting anyway
                self.refresh_bindings()

    def _refresh_panel(self, *, episodes: bool) -> None:
        capture_ = self.capture
        panel = self.query_one(SidePanel)
        if episodes:
            self._episodes = self.facilitator.store.episodes(self.conversation.review)
        panel.show_episodes(self._episodes, capture_.episode_counts)
        panel.show_factors(self.facilitator.method, capture_.factor_counts)

    @on(NoteCapture.Changed)
    def _notes_changed(self, event: NoteCapture.Changed) -> None:
        self._refresh_panel(episodes=event.episodes_changed)
        if event.started:  # F2 now ends it; the clock runs
            self._tick()
            self.refresh_bindings()

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stage":
            # Shown while the lead leads too: pressing one says why it is off, and till when.
            return not self.conversation.ended_at
        if action == "start":
            return not self.conversation.started_at
        if action == "end":
            return bool(self.conversation.started_at) and not self.conversation.ended_at
        if action == "reopen":
            return bool(self.conversation.ended_at)
        return True

    def action_start(self) -> None:
        conversation = self.capture.refresh_conversation()
        if conversation.started_at:
            return
        self.facilitator.store.start_conversation(conversation, at=self.facilitator.now_iso())
        self.capture.refresh_conversation()
        self.notify("Conversation started: stage 1.")
        self._after_status_change()

    def action_end(self) -> None:
        def end() -> None:
            conversation = self.capture.refresh_conversation()
            if conversation.ended_at:  # ended elsewhere meanwhile: keep its moment
                self._after_status_change()
                return
            self.facilitator.store.end_conversation(conversation, at=self.facilitator.now_iso())
            self.capture.refresh_conversation()
            self.notify("Conversation ended. Notes can still be added and edited; F2 reopens it.")
            self._after_status_change()

        confirm_end(self, end)

    def action_reopen(self) -> None:
        conversation = self.capture.refresh_conversation()
        if not conversation.ended_at:
            return
        self.facilitator.store.reopen_conversation(conversation)
        self.capture.refresh_conversation()
        self.notify("Conversation reopened: the clock runs on from its start.")
        self._after_status_change()

    def _after_status_change(self) -> None:
        self._tick()
        self.refresh_bindings()
        self.capture.box.focus()

    def _led_until(self) -> str | None:
        """HH:MM (on this laptop's clock) until which the stage is left to the laptop that
        set it last, or None if the note-taker may set it now."""
        if self._stage_by_others is None:
            return None
        then = parse_moment(self._stage_by_others)
        now = parse_moment(self.facilitator.now_iso())
        if then is None or now is None:
            return None
        until = then + timedelta(minutes=LEAD_QUIET_MIN)
        # A time ahead of ours (a clock set differently there) counts as recent.
        if now >= until:
            return None
        return until.astimezone(now.tzinfo).strftime("%H:%M")

    def action_stage(self, step: int) -> None:
        self._refresh_stage()  # a stage from the lead may have just arrived
        until = self._led_until()
        if until is not None:
            self.capture.set_status(f"Stage set elsewhere; F3/F4 free at {until}.", "-problem")
            return
        conversation = self.capture.refresh_conversation()
        current = self._stage or 0
        target = min(9, max(1, current + step))
        if target == current:
            return
        if not conversation.started_at:
            self.facilitator.store.start_conversation(conversation, at=self.facilitator.now_iso())
            conversation = self.capture.refresh_conversation()
        self.facilitator.store.set_stage(conversation, target, at=self.facilitator.now_iso())
        self._refresh_stage()

    def action_earlier_notes(self) -> None:
        self.capture.focus_list()

    def action_close(self) -> None:
        self.app.pop_screen()

    def palette_commands(self) -> Iterable[SystemCommand]:
        if not self.conversation.started_at:
            yield SystemCommand("Start the conversation", "F2", self.action_start)
        elif not self.conversation.ended_at:
            yield SystemCommand("End the conversation", "F2", self.action_end)
        else:
            yield SystemCommand("Reopen the conversation", "F2: undo the end", self.action_reopen)
        if self._led_until() is None:
            for number, stage in enumerate(self.facilitator.method.stages, start=1):
                yield SystemCommand(
                    f"Stage {number}: {stage.title}",
                    "Set the current stage",
                    lambda n=number: self.action_stage(n - (self._stage or 0)),
                )
        yield SystemCommand(
            "Undo delete", "Restore the last deleted note", self.capture.undo_delete
        )
        yield SystemCommand("Back to the home screen", "F10", self.action_close)
