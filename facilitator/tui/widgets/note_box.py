"""The box a note is typed into: Enter saves, ctrl+j or alt+enter starts a new line,
Tab completes a partly typed ``@tag``.

Tab never moves focus out of the box: the note-taker is typing fast and the keys that
follow must land in it (shift+tab, or Up from the first row, leave it). A tag that could
be several keys is completed as far as the candidates agree; pressing Tab again then
cycles through them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from facilitator.safe_text import visible
from facilitator.tui.widgets.key_order import run_own_binding

_FRAGMENT = re.compile(r"(?<![\w@])@([\w-]*)$")
_TAG_REST = re.compile(r"[\w-]*")
NEWLINE_KEYS = ("ctrl+j", "alt+enter", "shift+enter", "ctrl+enter")


class OrderedTextArea(TextArea):
    """A TextArea that acts on every key in the order typed (see tui/widgets/key_order.py)."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and await run_own_binding(self, event):
            return
        await super()._on_key(event)

    def cursor_to_end_of_first_line(self) -> None:
        """Where typing belongs in a text of versions, one per line (a note's edit or a
        merge): after the first (for a one-line text, its end)."""
        self.move_cursor((0, len(self.document.get_line(0))))


class NoteBox(OrderedTextArea):
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
        """Up arrow on the first line: the owner may move focus to earlier notes,
        unless the box was typed in since (``text`` is what it held at the Up)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class PastedControls(Message):
        """A paste held control characters (ESC and the like): they were put in as
        visible symbols (␛), and the owner should say so."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(
        self,
        text: str = "",
        *,
        complete: Callable[[str], list[str]] | None = None,
        on_submit: Callable[[str], object] | None = None,
        id: str | None = None,
        classes: str | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__(
            text,
            id=id,
            classes=classes,
            placeholder=placeholder,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
            compact=True,
        )
        self._complete = complete
        self._on_submit = on_submit
        # (row, column where the tag's key starts, candidates, index, how far the cursor
        # is past the tag) while Tab cycles.
        self._cycle: tuple[int, int, list[str], int, int] | None = None

    def tag_fragment(self) -> str | None:
        """The ``@fragment`` just before the cursor, without the @ (None if not in a tag)."""
        row, column = self.cursor_location
        # Only the end of the line before the cursor: a tag is short, a pasted line is not.
        line = self.document.get_line(row)[max(0, column - 200) : column]
        match = _FRAGMENT.search(line)
        return match.group(1) if match else None

    def completions(self) -> list[str]:
        fragment = self.tag_fragment()
        if fragment is None or self._complete is None:
            return []
        return self._complete(fragment)

    def complete_tag(self) -> bool:
        """Complete the tag at the cursor; True if the cursor was in a tag (Tab is used).

        One candidate: completed, with a space. Several: completed to their common start;
        if that adds nothing, the first Tab leaves the text (the hint lists them) and
        each further Tab puts the next candidate, with a space, in place of the tag. A
        completed tag is followed by a space at the end of a line, moves past a space
        that is there already, and stays right before punctuation ("@res|," is
        "@resources,"), so typing on never glues a word to it.
        """
        row, column = self.cursor_location
        soft, self._soft_space = self._soft_space == (row, column), None
        if self._cycle is not None:
            cycle_row, start, candidates, index, gap = self._cycle
            current = candidates[index]
            line = self.document.get_line(row)
            if (
                row == cycle_row
                and column == start + len(current) + gap
                and line[start : start + len(current)] == current
            ):
                index = (index + 1) % len(candidates)
                gap = self._put_tag(row, start, start + len(current), candidates[index])
                self._cycle = (row, start, candidates, index, gap)
                if soft:  # the space is still the one a completion put there
                    self._soft_space = self.cursor_location
                return True
            self._cycle = None
        fragment = self.tag_fragment()
        if fragment is None:
            return False
        start = column - len(fragment)
        # The rest of the tag after the cursor (Tab pressed inside a tag): the whole tag
        # is completed and replaced, never spliced ("@fa|m" + Tab was "@family m").
        line = self.document.get_line(row)
        end = column + len(_TAG_REST.match(line, column).group())
        if end > column:
            whole = line[start:end]
            candidates = (self._complete(whole) if self._complete else []) or self.completions()
            if not candidates:
                return True
            common = _common_start(candidates)
            if len(candidates) == 1:
                self._put_tag(row, start, end, common)
            else:
                self._replace_fragment(row, start, end, common)
            return True
        candidates = self.completions()
        if not candidates:
            return True  # nothing to complete, but the box keeps focus
        common = _common_start(candidates)
        if len(candidates) == 1:
            # The whole fragment takes the tag's own spelling ("@RES" is "@resources").
            self._put_tag(row, start, column, common)
        elif len(common) > len(fragment):
            self._replace_fragment(row, start, column, common)
        elif self.previous_tab_showed(row, start, fragment):
            gap = self._put_tag(row, start, column, candidates[0])
            self._cycle = (row, start, candidates, 0, gap)
            return True
        self._shown = (row, start, fragment)
        return True

    _shown: tuple[int, int, str] | None = None
    # Where the cursor stood after a space that a completion put in: a space typed there
    # next is that same space, not a second one.
    _soft_space: tuple[int, int] | None = None

    def previous_tab_showed(self, row: int, start: int, fragment: str) -> bool:
        """Whether the last Tab, on this same tag, already showed its candidates."""
        return self._shown == (row, start, fragment)

    def _replace_fragment(self, row: int, start: int, end: int, key: str) -> None:
        self.replace(key, (row, start), (row, end))
        self.move_cursor((row, start + len(key)))

    def _put_tag(self, row: int, start: int, end: int, key: str) -> int:
        """Put a whole tag in place of ``start:end`` and the cursor after it and its
        space; returns how far the cursor is past the tag (0 before punctuation)."""
        after = self.document.get_line(row)[end : end + 1]
        if not after:
            self.replace(key + " ", (row, start), (row, end))
            self._soft_space = (row, start + len(key) + 1)
            gap = 1
        else:
            self.replace(key, (row, start), (row, end))
            gap = 1 if after.isspace() else 0
        self.move_cursor((row, start + len(key) + gap))
        return gap

    def action_delete_to_start_of_line(self) -> None:
        """ctrl+u: back to the start of the line as typed, as in a shell. TextArea's own
        stopped at the start of the row shown, so on a line wrapped over several rows it
        left most of the line behind. At the start of a line it joins it to the one above,
        as TextArea's does."""
        if self.read_only or self.cursor_at_start_of_line:
            super().action_delete_to_start_of_line()
            return
        end = self.selection.end
        self._delete_via_keyboard(end, (end[0], 0))

    async def _on_paste(self, event: events.Paste) -> None:
        """Pasted text goes in whole; control characters in it (a terminal's colour codes,
        copied from a log) go in as visible symbols, never as codes a screen obeys."""
        event.stop()
        event.prevent_default()  # not TextArea's own handler as well
        if self.read_only:
            return
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        shown = visible(text)
        if shown != text:
            changed = sum(1 for a, b in zip(text, shown, strict=False) if a != b) or 1
            self.post_message(self.PastedControls(changed))
        if result := self._replace_via_keyboard(shown, *self.selection):
            self.move_cursor(result.end_location)
            self.focus()

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
        if event.key == "tab":
            # Tab never leaves the box: a second Tab after a completion, or a Tab in an
            # empty box, sent the keys typed next to the notes list or the lead's pane.
            # (shift+tab, Up from the first row and F5 in the split view move focus.)
            event.stop()
            event.prevent_default()
            self.complete_tag()
            return
        if event.key in ("ctrl+z", "ctrl+y"):
            # Here, in key order: as a binding it ran once the key had bubbled up to the
            # app, after keys typed behind it (and undid them too). Inside a burst it is
            # a byte in unbracketed pasted text, not an undo: dropped.
            event.stop()
            event.prevent_default()
            in_burst = getattr(self.app, "key_in_burst", None)
            if in_burst is not None and in_burst(event):
                return
            if event.key == "ctrl+z":
                self.action_undo()
            else:
                self.action_redo()
            return
        if event.key == "ctrl+x" and self.selection.is_empty:
            # TextArea cuts the whole line when nothing is selected: a note typed so far
            # vanished into the clipboard on a slip of the finger.
            event.stop()
            event.prevent_default()
            return
        if event.key in ("f6", "f7"):
            # TextArea's select-line and select-all: the next key typed replaced the note.
            event.stop()
            event.prevent_default()
            return
        if event.key == "shift+tab":
            # Moved here, at once, and not when the key has bubbled up to the app: keys
            # that came with it are then typing that went on (see below).
            event.stop()
            event.prevent_default()
            self.screen.focus_previous()
            return
        if event.key != "tab":
            # Any other key ends a run of Tabs: the next Tab starts afresh.
            self._cycle = None
            self._shown = None
            soft, self._soft_space = self._soft_space, None
            if event.key == "space" and soft == self.cursor_location and self.selection.is_empty:
                event.stop()
                event.prevent_default()
                return
        if event.key == "up" and self.navigator.is_first_wrapped_line(self.cursor_location):
            # Only from the first row as shown: Up on the second row of a wrapped line
            # means the row above, not the notes list.
            event.stop()
            event.prevent_default()
            self.post_message(self.MoveUp(self.text))
            return
        if event.is_printable and self.screen.focused not in (self, None):
            # Typed here although focus has moved on (Up and more keys in one read: the
            # keys were already on their way here): typing goes on here, with focus.
            self.screen.set_focus(self, scroll_visible=False)
        await super()._on_key(event)  # the box's own keys in order (OrderedTextArea)


def _common_start(candidates: list[str]) -> str:
    """What every candidate starts with (compared without case)."""
    common = candidates[0]
    for candidate in candidates[1:]:
        while not candidate.lower().startswith(common.lower()):
            common = common[:-1]
    return common
