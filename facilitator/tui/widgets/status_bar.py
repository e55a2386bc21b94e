"""A one-line bar under each screen; other parts (e.g. sync status) add widgets to it
through ``FacilitatorApp.register_status_widget``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

if TYPE_CHECKING:
    from facilitator.tui.sync_worker import SyncStatus


class StatusBar(Horizontal):
    """``only_when_syncing``: shown only while a review here is shared (the lead's screens
    have no messages of their own, so the line is theirs otherwise)."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > #status-message { width: 1fr; height: 1; padding: 0 1; }
    StatusBar > * { height: 1; width: auto; }
    """

    def __init__(self, *, only_when_syncing: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.only_when_syncing = only_when_syncing

    def compose(self) -> ComposeResult:
        yield Static("", id="status-message", markup=False)
        status_widgets = getattr(self.app, "status_widgets", None)
        if status_widgets is not None:
            yield from status_widgets()

    def on_mount(self) -> None:
        if not self.only_when_syncing:
            return
        worker = getattr(self.app, "sync_worker", None)
        if worker is None:
            self.display = False
            return
        worker.changed.subscribe(self, self._sync_changed)
        self._sync_changed(worker.status)

    def _sync_changed(self, status: SyncStatus) -> None:
        if self.display != status.shared:  # a change of display relays out the screen
            self.display = status.shared

    def show(self, message: str) -> None:
        """A short message from the app (plain text, never markup)."""
        self.query_one("#status-message", Static).update(message, layout=False)
