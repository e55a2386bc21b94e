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
from textual.timer import Timer
from textual.widget import Widget

from facilitator.tui.screens.lead import LeadActions
from facilitator.tui.widgets.key_footer import KeyFooter
from facilitator.tui.widgets.lead_view import LeadView
from facilitator.tui.widgets.note_capture import NoteCapture, NotesList
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

    # The held-letter rule of the notes list (``NotesList.HOLD_S``): a lead key pressed
    # on its own waits for the next key. A letter within the hold shows it began a word
    # ("pat said" lost its "p" as a stage step back), and both go to the box.
    holds_keys = True  # the app: this screen, naming itself as typing target, took the key
    _held: Key | None = None
    _held_timer: Timer | None = None

    def typing_target(self, event: Key | Paste, burst: bool) -> Widget | None:
        """Typing while the lead's pane has focus goes to the note box (the app asks;
        see ``FacilitatorApp.on_event``): a paste, a printable key that is no lead key,
        and any printable key that came in a burst (prose typed after F5 was stage
        changes and ticks). A lead key pressed on its own is held (this screen is
        returned: the key is taken) for ``NotesList.HOLD_S`` and then acts; a printable
        key meanwhile sends both to the box, and any other key makes it act first."""
        focused = self.focused
        if focused is None or self.capture in focused.ancestors_with_self:
            self._release_held()
            return None
        box = self.capture.box
        if isinstance(event, Paste) or (event.is_printable and self._held is not None):
            held = self._take_held()
            if held is not None:
                box._forward_event(Key(held.key, held.character))
            return box
        if not event.is_printable:
            self._release_held()
            return None
        if burst or event.key not in self.active_bindings:
            return box
        self._held = event
        # Released from the app's own queue: a key made by this screen's timer would
        # stop bubbling at this screen, short of the app, which checks the bindings.
        self._held_timer = self.set_timer(
            NotesList.HOLD_S, lambda: self.app.call_next(self._release_held)
        )
        return self

    def _take_held(self) -> Key | None:
        """The held lead key, if any, no longer held (its timer stopped)."""
        held, self._held = self._held, None
        if self._held_timer is not None:
            self._held_timer.stop()
            self._held_timer = None
        return held

    def _release_held(self) -> None:
        """The held key acts: sent, as a key already past the app, to the focused widget
        (its bindings and the lead's are checked as it bubbles), ahead of any key after."""
        held = self._take_held()
        if held is not None:
            (self.focused or self)._forward_event(Key(held.key, held.character))

    def action_switch(self) -> None:
        focused = self.focused
        if focused is not None and self.capture in focused.ancestors_with_self:
            self.lead.focus_main()
        else:
            self.capture.focus_box()
