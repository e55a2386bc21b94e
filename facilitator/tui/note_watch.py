"""What changed in one conversation's notes since the note-taker's list was read, found by
following the store's op log (no Textual here).

Ops arrive from this window (a note saved, edited, deleted), from the lead's pane in the
split view, and from other laptops through sync; the list needs all of them, including
edits and merged conflicts. :meth:`NoteWatch.poll` reads only the ops appended since the
last call and re-reads just the notes they touch, so it costs a millisecond when nothing
happened however long the conversation has run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from facilitator.model import Note
from facilitator.store import Store
from facilitator.tui.widgets.lead_model import is_live_note


@dataclass
class NoteChanges:
    """``notes``: note id -> the note as it now stands, or None if it is deleted."""

    notes: dict[str, Note | None] = field(default_factory=dict)
    episodes: bool = False
    conversation: bool = False

    def __bool__(self) -> bool:
        return bool(self.notes) or self.episodes or self.conversation


class NoteWatch:
    """Follows one conversation. Create it *before* reading the notes it will follow, so
    no op falls between the read and the first poll; call :meth:`poll` from one thread
    at a time."""

    def __init__(self, store: Store, conversation_id: str, review: str) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.review = review
        self.position = store.op_position()
        self.known: set[str] = set()  # ids of this conversation's notes, deleted ones too

    def poll(self) -> NoteChanges:
        changes = NoteChanges()
        ops, position = self.store.ops_since(self.position)
        touched: list[str] = []
        for op in ops:
            if op.review != self.review:
                continue
            fields = op.fields
            if op.entity == "note":
                if self._ours(op.entity_id, fields.get("conversation")):
                    touched.append(op.entity_id)
            elif op.entity == "revision":
                if fields.get("note") in self.known:
                    touched.append(str(fields["note"]))
            elif op.entity == "link":
                if fields.get("source") in self.known:
                    touched.append(str(fields["source"]))
            elif op.entity == "episode":
                changes.episodes = True
            elif op.entity == "conversation" and op.entity_id == self.conversation_id:
                changes.conversation = True
        changes.notes = self.read(dict.fromkeys(touched))
        self.position = position  # only once read: a failed read is tried again
        return changes

    def _ours(self, note_id: str, conversation: object) -> bool:
        if note_id in self.known or conversation == self.conversation_id:
            self.known.add(note_id)
            return True
        if conversation is None:
            # e.g. restoring a note deleted before the list was read: ask the store.
            note = self.store.note(note_id)
            if note is not None and note.conversation == self.conversation_id:
                self.known.add(note_id)
                return True
        return False

    def read(self, note_ids: Iterable[str]) -> dict[str, Note | None]:
        """These notes as they now stand (None: deleted)."""
        found: dict[str, Note | None] = {}
        for note_id in note_ids:
            note = self.store.note(note_id)
            if note is not None and note.conversation != self.conversation_id:
                continue
            found[note_id] = note if note and is_live_note(self.store, note_id) else None
        return found
