"""Showing user text literally: never as markup, never as terminal control codes.

The stored text is always what was typed; only what is drawn on screen is neutralised.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.content import Content

# C0 and C1 controls (tab and newline are handled separately), plus DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates can reorder the rest of a line on screen.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture", e.g. ␛ for ESC
    return "\ufffd"


def display_text(text: str, *, one_line: bool = False) -> str:
    """User text made safe to draw: control characters shown as visible symbols."""
    if text.isprintable():
        # No tab, line break, control or bidi character (all are unprintable): as it is.
        return text
    text = text.replace("\t", "    ")
    if one_line:
        text = text.replace("\r\n", "\n").replace("\n", " ⏎ ")
    text = _CONTROLS.sub(_visible, text)
    return _BIDI_CONTROLS.sub("\ufffd", text)


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
