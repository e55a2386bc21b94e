"""A fixed-width clock: redrawn every second without a relayout, so typing is undisturbed."""

from __future__ import annotations

from textual.widget import Widget

from facilitator.tui.text import plain


def format_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "--:--:--"
    seconds = int(max(0, seconds))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ElapsedClock(Widget):
    DEFAULT_CSS = "ElapsedClock { width: 24; height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = "not started (F2)"

    def set_elapsed(self, seconds: float | None, *, ended: bool = False) -> None:
        text = "not started (F2)" if seconds is None else "elapsed " + format_elapsed(seconds)
        if ended and seconds is not None:
            text += " ended"
        if text != self._text:
            self._text = text
            self.refresh()  # size is fixed in CSS: no layout needed

    def render(self):  # noqa: ANN201 - Textual's RenderResult
        return plain(self._text.ljust(24)[:24])
