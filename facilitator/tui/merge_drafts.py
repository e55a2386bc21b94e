"""The merged text being typed in the conflicts screen, kept on every key as the note
box's draft is (a closed terminal or ``kill -9`` lost it), and offered again when ``m``
is pressed on the same conflict.

One small file per conflict and reviewer, written by :class:`DraftFile` (one ``pwrite``
per key). A note's merge is filed under the note's conversation and a field's under its
review, so purging a review removes them with its note drafts (store/purge.py).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from facilitator.store import Store
from facilitator.store.draft_files import draft_path
from facilitator.sync import conflicts as rules
from facilitator.tui.drafts import DraftFile


class MergeDraft(DraftFile):
    """The merge being typed for one conflict (empty text: none kept)."""

    def __init__(self, store: Store, item: rules.NoteConflict | rules.FieldConflict) -> None:
        if isinstance(item, rules.NoteConflict):
            owner, key = item.note.conversation, f"note {item.note.id}"
        else:
            owner, key = item.review, f"field {item.entity} {item.entity_id} {item.field}"
        super().__init__(store, owner)
        self.key = key

    def _path(self) -> Path:
        # Named by a digest of its conversation (or review) first, like a note draft, but
        # never in a note draft's slots: the second digest is of the reviewer and the key.
        return draft_path(
            self.store.path, self.conversation, f"{self.store.author} merge {self.key}"
        )

    def kept(self) -> str:
        """The merge kept for this conflict, or ""."""
        draft = self.read()
        return draft.text if draft is not None else ""

    def keep(self, text: str) -> None:
        self.write(text, None)

    def clear(self) -> None:
        """Saved or given up: nothing to offer again."""
        self.close()
        with contextlib.suppress(OSError):
            os.unlink(self._path())
