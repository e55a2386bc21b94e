"""One laptop, one reviewer: the lead's panel and the note box side by side.

Typing goes to the note box, so the lead's single keys (``n``, ``p``, ``1``–``9``) work
when the lead's panel has focus (F5 moves between the two); F3/F4 change stage
from anywhere, as on the note-taker's screen, and F10 goes home. The sync status shows
along the bottom while the review is shared.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Key, Paste
from textual.widget import Widget

from facilitator.tui.screens.lead import LeadActions
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.lead_view import LeadView
from facilitator.tui.widgets.note_capture import NoteCapture
from facilitator.tui.widgets.status_bar import StatusBar


class SplitScreen(LeadActions):
    DEFAULT_CSS = """
    SplitScreen > #split-body { height: 1fr; }
    SplitScreen #split-lead { width: 2fr; }
    SplitScreen #split-notes { width: 1fr; border-left: vkey $primary 30%; }
    SplitScreen #split-lead #lead-guide { width: 1fr; }
    SplitScreen #split-lead #lead-side { width: 1fr; }
    """

    BINDINGS = [
        Binding("f2", "start", "Start", id="split-start"),
        Binding("f2", "end", "End", id="split-end"),
        Binding("f2", "reopen", "Reopen", id="split-reopen"),
        Binding("f3", "stage(-1)", "Stage -", id="split-stage-previous"),
        Binding("f4", "stage(1)", "Stage +", id="split-stage-next"),
        Binding("f5", "switch", "Notes/lead", id="split-switch"),
        # Not ctrl+w: the note box takes that (delete a word). F10 as on the note-taker's screen.
        Binding("f10", "close", "Home", id="split-close"),
    ]

    def __init__(self, conversation_id: str) -> None:
        super().__init__()
        self.conversation_id = conversation_id

    def compose(self) -> ComposeResult:
        with Horizontal(id="split-body"):
            yield LeadView(self.conversation_id, id="split-lead")
            yield NoteCapture(self.conversation_id, id="split-notes")
        yield StatusBar(only_when_syncing=True)
        yield KeyFooter()

    @property
    def capture(self) -> NoteCapture:
        return self.query_one(NoteCapture)

    def on_mount(self) -> None:
        self.capture.focus_box()

    def on_note_capture_changed(self, event: NoteCapture.Changed) -> None:
        # A note was saved in this window: show its coverage now rather than at the next poll.
        self.lead.poll_now()
        if event.started:  # the note started the conversation: the keys change
            self.refresh_bindings()

    def on_lead_view_conversation_changed(self, event: LeadView.ConversationChanged) -> None:
        self.capture.refresh_conversation()
        self.refresh_bindings()

    def typing_target(self, event: Key | Paste, burst: bool) -> Widget | None:
        """Typing while the lead's pane has focus goes to the note box (the app asks;
        see ``FacilitatorApp.on_event``): a paste, a printable key that is no lead key,
        and any printable key that came in a burst (prose typed after F5 was stage
        changes and ticks). A lead key pressed on its own still acts."""
        focused = self.focused
        if focused is None or self.capture in focused.ancestors_with_self:
            return None
        if isinstance(event, Paste):
            return self.capture.box
        if not event.is_printable:
            return None
        if burst or event.key not in self.active_bindings:
            return self.capture.box
        return None

    def action_switch(self) -> None:
        focused = self.focused
        if focused is not None and self.capture in focused.ancestors_with_self:
            self.lead.focus_main()
        else:
            self.capture.focus_box()
