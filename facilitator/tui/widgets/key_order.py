"""Text widgets that act on every key in the order it was typed.

A text widget's own editing keys (Backspace, Delete, the arrows, Home/End, ctrl+w ...)
are bindings, and Textual runs a binding only once the key has bubbled up to the app,
while a letter goes in as soon as it reaches the widget. Keys that arrive in one read (a
laggy link, a busy app) are all queued to the widget at once, so the letters typed after
a Backspace went in first and the Backspace then ate them ("teh", two Backspaces, "he"
gave "tehh"), or it arrived after Enter had closed a dialog and was lost. These widgets
act on a key bound by the widget itself as it arrives, in order with the letters.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own (non-priority) binding for ``event`` now; True if one ran."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class OrderedInput(Input):
    """A one-line field (forms) that keeps its keys in order."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and await run_own_binding(self, event):
            return
        await super()._on_key(event)
