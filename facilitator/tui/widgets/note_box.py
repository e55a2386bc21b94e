"""The box a note is typed into: Enter saves, ctrl+j or alt+enter starts a new line,
Tab completes a partly typed ``@tag``."""

from __future__ import annotations

import re
from collections.abc import Callable

from textual import events
from textual.message import Message
from textual.widgets import TextArea

_FRAGMENT = re.compile(r"(?<![\w@])@([\w-]*)$")
NEWLINE_KEYS = ("ctrl+j", "alt+enter", "shift+enter", "ctrl+enter")


class NoteBox(TextArea):
    """A plain-text box; ``complete(fragment)`` gives tag keys for completion.

    With ``on_submit``, Enter calls it at once with the text; otherwise Enter posts
    :class:`NoteBox.Submitted`.
    """

    class Submitted(Message):
        def __init__(self, box: NoteBox, text: str) -> None:
            super().__init__()
            self.box = box
            self.text = text

        @property
        def control(self) -> NoteBox:
            return self.box

    class MoveUp(Message):
        """Up arrow on the first line: the owner may move focus to earlier notes."""

    def __init__(
        self,
        text: str = "",
        *,
        complete: Callable[[str], list[str]] | None = None,
        on_submit: Callable[[str], object] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            text,
            id=id,
            classes=classes,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
            compact=True,
        )
        self._complete = complete
        self._on_submit = on_submit

    def tag_fragment(self) -> str | None:
        """The ``@fragment`` just before the cursor, without the @ (None if not in a tag)."""
        row, column = self.cursor_location
        line = self.document.get_line(row)[:column]
        match = _FRAGMENT.search(line)
        return match.group(1) if match else None

    def completions(self) -> list[str]:
        fragment = self.tag_fragment()
        if fragment is None or self._complete is None:
            return []
        return self._complete(fragment)

    def complete_tag(self) -> bool:
        """Complete the tag at the cursor to the candidates' common start; True if it did."""
        fragment = self.tag_fragment()
        if fragment is None:
            return False
        candidates = self.completions()
        if not candidates:
            return False
        common = candidates[0]
        for candidate in candidates[1:]:
            while not candidate.startswith(common):
                common = common[:-1]
        addition = common[len(fragment) :]
        if len(candidates) == 1:
            addition += " "
        if not addition:
            return False
        self.insert(addition)
        return True

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self._on_submit is not None:
                # Handled here, in key order: a message would arrive after keys typed
                # just after Enter, and clearing the box then would lose them.
                self._on_submit(self.text)
            else:
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        if event.key == "tab" and self.complete_tag():
            event.stop()
            event.prevent_default()
            return
        if event.key == "up" and self.cursor_location[0] == 0:
            event.stop()
            event.prevent_default()
            self.post_message(self.MoveUp())
            return
        await super()._on_key(event)
