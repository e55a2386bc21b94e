"""A one-line bar under each screen; other parts (e.g. sync status) add widgets to it
through ``FacilitatorApp.register_status_widget``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


class StatusBar(Horizontal):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > #status-message { width: 1fr; height: 1; padding: 0 1; }
    StatusBar > * { height: 1; width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="status-message", markup=False)
        status_widgets = getattr(self.app, "status_widgets", None)
        if status_widgets is not None:
            yield from status_widgets()

    def show(self, message: str) -> None:
        """A short message from the app (plain text, never markup)."""
        self.query_one("#status-message", Static).update(message, layout=False)
