"""Bracketed pastes read whole, whatever they hold.

Textual's input parser (8.x) treats an ESC inside a bracketed paste as the start of a
key sequence: the paste ends there, and the rest of it arrives as key presses, garbled
(ESC shown as ``^``) and ahead of the pasted text. Text copied from a log or a terminal
often holds such codes. :class:`PasteSafeParser` takes each paste out of the input
before Textual's parser sees it and hands it on as one :class:`~textual.events.Paste`,
exactly as pasted, in its place among the keys; what is not a paste goes to Textual's
parser unchanged. The widget that takes the paste decides how to show control codes
(the note box makes them visible and says so).

Bytes that are not UTF-8 (a paste from a Latin-1 file, or one cut in the middle of a
character) are read as U+FFFD: Textual's driver decodes strictly, and one such byte
raised UnicodeDecodeError in its input thread and closed the app, losing the paste.

It also reads Alt+Enter as sent by tmux, screen and xterm with its meta key sending ESC:
ESC CR. Textual's parser keeps the Alt only on one-character key names, so ESC CR was a
plain Enter, and Alt+Enter saved the note instead of starting a new line in it.
"""

from __future__ import annotations

import codecs
import functools
import time
from collections.abc import Callable, Iterable

from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
HOLD_S = 0.05  # a marker cut in two by a read waits this long for its other half
ALT_ENTER = "\x1b\r"


def _partial_suffix(text: str, marker: str, shortest: int) -> int:
    """The length of the longest end of ``text`` that begins ``marker`` (at least
    ``shortest`` characters long), or 0."""
    for length in range(min(len(marker) - 1, len(text)), shortest - 1, -1):
        if marker.startswith(text[-length:]):
            return length
    return 0


class PasteSafeParser(XTermParser):
    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting: list[str] | None = None
        self._held = ""
        self._held_since = 0.0

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input: whatever is held goes to Textual as it is
            held, self._held = self._held, ""
            if self._pasting is not None:
                tokens = [events.Paste("".join(self._pasting) + held)]
                self._pasting = None
                return tokens + list(super().feed(""))
            tokens = self._keys(held) if held else []
            return tokens + list(super().feed(""))
        tokens: list[Message] = []
        buffer, self._held = self._held + data, ""
        while buffer:
            if self._pasting is None:
                start = buffer.find(PASTE_START)
                if start < 0:
                    # Hold "\x1b[2…" in case the start marker was cut by the read. A lone
                    # ESC (the Escape key) waits HOLD_S more than it would anyway.
                    keep = _partial_suffix(buffer, PASTE_START, 1)
                    if keep < len(buffer):  # never "": to Textual's parser that is the end
                        tokens.extend(self._keys(buffer[: len(buffer) - keep]))
                    self._hold(buffer[len(buffer) - keep :])
                    break
                if start:
                    tokens.extend(self._keys(buffer[:start]))
                buffer = buffer[start + len(PASTE_START) :]
                self._pasting = []
            else:
                end = buffer.find(PASTE_END)
                if end < 0:
                    keep = _partial_suffix(buffer, PASTE_END, 1)
                    self._pasting.append(buffer[: len(buffer) - keep])
                    self._held = buffer[len(buffer) - keep :]  # no time limit inside a paste
                    break
                self._pasting.append(buffer[:end])
                tokens.append(events.Paste("".join(self._pasting)))
                self._pasting = None
                buffer = buffer[end + len(PASTE_END) :]
        return tokens

    def _keys(self, text: str) -> list[Message]:
        """Keys (not a paste) through Textual's parser, with ESC CR read as Alt+Enter."""
        tokens: list[Message] = []
        while (at := text.find(ALT_ENTER)) >= 0:
            if at:
                tokens.extend(super().feed(text[:at]))
            tokens.append(events.Key("alt+enter", None))
            text = text[at + len(ALT_ENTER) :]
        if text:  # never "": to Textual's parser that is the end
            tokens.extend(super().feed(text))
        return tokens

    def _hold(self, text: str) -> None:
        self._held = text
        self._held_since = time.monotonic()

    def tick(self) -> Iterable[Message]:
        tokens: list[Message] = []
        if self._held and self._pasting is None and time.monotonic() - self._held_since > HOLD_S:
            held, self._held = self._held, ""
            tokens.extend(self._keys(held))
        tokens.extend(super().tick())
        return tokens


def install() -> bool:
    """Make Textual's Linux/macOS driver read input with :class:`PasteSafeParser`.

    Returns False (and changes nothing) if this Textual has no such driver or parser.
    """
    try:
        from textual.drivers import linux_driver
    except ImportError:  # Windows
        return False
    if getattr(linux_driver, "XTermParser", None) not in (XTermParser, PasteSafeParser):
        return False
    linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
    if getattr(linux_driver, "getincrementaldecoder", None) is codecs.getincrementaldecoder:
        linux_driver.getincrementaldecoder = lenient_decoder  # type: ignore[attr-defined]
    return True


def lenient_decoder(encoding: str) -> Callable[..., codecs.IncrementalDecoder]:
    """``codecs.getincrementaldecoder``, but its decoders replace what cannot be decoded
    rather than raise (the driver makes one with no arguments)."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")
