"""Showing user text literally: never as markup, never as terminal control codes.

The stored text is always what was typed; only what is drawn on screen is neutralised.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from facilitator.safe_text import visible


def display_text(text: str, *, one_line: bool = False) -> str:
    """User text made safe to draw: control characters, bidirectional controls and line
    separators shown as visible marks, by the one rule the exports use too
    (:func:`facilitator.safe_text.visible`)."""
    if text.isprintable():
        # No tab, line break, control, bidi or separator character (all are unprintable).
        return text
    text = text.replace("\t", "    ")
    if one_line:
        text = text.replace("\r\n", "\n").replace("\n", " ⏎ ")
    return visible(text)


def plain(text: str, *, one_line: bool = False, style: str = "") -> Content:
    """Literal content for a widget: square brackets and the like are just characters."""
    return (
        Content.styled(display_text(text, one_line=one_line), style)
        if style
        else Content(display_text(text, one_line=one_line))
    )


def cell(text: str, style: str = "") -> Text:
    """A table cell that shows user text literally (DataTable reads plain str as markup)."""
    return Text(display_text(text, one_line=True), style=style, no_wrap=True, overflow="ellipsis")
