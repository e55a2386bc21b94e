"""Keeping the note being typed safe: saved continuously, off the UI thread.

A closed terminal (SIGHUP) or ``kill -9`` runs no quit handler, so a draft that is only
saved on exit is lost. The UI asks for a save on every change; :class:`DraftKeeper` makes
sure the last request wins, and that a save which arrives after the note was recorded
never brings the recorded text back as a draft.
"""

from __future__ import annotations

import threading

from facilitator.store import Store


class DraftKeeper:
    def __init__(self, store: Store, conversation: str) -> None:
        self.store = store
        self.conversation = conversation
        self._lock = threading.Lock()
        self._generation = 0
        self._written = 0
        self._cleared_at = 0

    def request(self) -> int:
        """Note that the text changed; returns the generation to pass to :meth:`write`."""
        with self._lock:
            self._generation += 1
            return self._generation

    def write(self, generation: int, text: str, started_at: str | None) -> bool:
        """Save ``text`` unless something newer was saved or the note was recorded since.
        Empty text (the box cleared by hand) removes the stored draft, so it cannot come
        back as "Recovered draft".

        Safe to call from a worker thread.
        """
        with self._lock:
            if generation <= self._cleared_at or generation < self._written:
                return False
            if text:
                self.store.save_draft(self.conversation, text, started_at)
            else:
                self.store.clear_draft(self.conversation)
            self._written = generation
            return True

    def forget(self) -> None:
        """The note is about to be recorded: no save requested before now may land.

        Call before clearing the stored draft, and never while holding the store's lock
        (a save in flight holds this lock while it waits for the store's).
        """
        with self._lock:
            self._generation += 1
            self._cleared_at = self._generation

    def clear(self) -> None:
        """Forget the draft and any save in flight."""
        self.forget()
        self.store.clear_draft(self.conversation)
