"""The key footer every screen shows: Textual's, made compact on narrow terminals so that
every key still fits at 80 columns (the palette hint gives way first; F1 lists it)."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 100  # columns below which the footer drops its spacing and the palette hint


class KeyFooter(Footer):
    def on_mount(self) -> None:
        # Before the keys are first composed, so the first footer drawn already fits.
        self._fit(self.app.size.width, recompose=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int, *, recompose: bool = True) -> None:
        narrow = width < NARROW
        if narrow == self.compact and narrow != self.show_command_palette:
            return
        self.compact = narrow
        self.show_command_palette = not narrow
        if recompose and self.is_attached:
            self.call_after_refresh(self.recompose)
