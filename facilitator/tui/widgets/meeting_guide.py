"""The lead's guide for one group meeting, as a read-only dialog (guides/meetings.md)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from facilitator.method import Keyed
from facilitator.tui.text import plain


class MeetingGuideDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close"), Binding("g", "close", "Close", show=False)]

    def __init__(self, guide: Keyed) -> None:
        super().__init__()
        self.guide = guide

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(plain(f"Leading the {self.guide.title.lower()}"), classes="dialog-title")
            with VerticalScroll(id="meeting-guide", can_focus=True):
                if self.guide.text:
                    yield Static(plain(self.guide.text), markup=False)
                for prompt in self.guide.prompts:
                    yield Static(plain(f"• {prompt}"), markup=False)
            yield Label(plain("Esc: close"), classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
