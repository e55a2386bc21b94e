"""Keeping the note being typed safe, key by key.

Two copies, because they guard against different things:

- :class:`DraftFile`, a small private file rewritten (one ``pwrite``) on every change,
  on the UI thread, before the key's handler returns. A killed process (``kill -9``,
  SIGHUP from a closed terminal) loses nothing the kernel has been given, so no fsync is
  needed for that, and a write costs tens of microseconds (bench/README.md).
- The store's drafts table, written by :class:`DraftKeeper` off the UI thread a moment
  after typing pauses (the store's lock may be held by a sync for a while), with the
  store's durable commit: that copy also survives a power cut.

On opening, the newer of the two is recovered. When the note is recorded or the box is
emptied, both are emptied. :class:`DraftKeeper` makes sure the last request wins, and that
a save which arrives after the note was recorded never brings the recorded text back as a
draft.

The same conversation may be open in two windows on one laptop (two terminals, or the
note-taker's screen and the split view). Each window takes a slot of its own (a lock
file per slot, held while the window is open and let go by the kernel when its process
dies) and keeps its draft there, so neither overwrites the other's. A window opening
finds the drafts of slots no window holds any more (a crash of both) and takes them in,
so nothing typed in either window is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path

from facilitator.files import open_regular, read_exactly
from facilitator.model import Draft
from facilitator.store import Store
from facilitator.store.db import StoreError
from facilitator.store.draft_files import draft_path, draft_slots, drafts_folder

MAX_DRAFT_FILE = 64 * 1024 * 1024  # far beyond any note; a planted huge file is refused
MAX_WINDOWS = 32  # slots tried before a window shares the first one (and is warned)


class DraftFile:
    """The draft of one conversation by this store's reviewer, in a file beside the store
    (``<store>.drafts/``, folder 0700, files 0600).

    The file is kept open and each change is one ``pwrite`` at its start: a header with
    the length and a CRC-32 of what follows, then the draft as JSON. A process killed
    between two writes leaves the last whole one (a write to a file is not cut short by
    a signal); a tail left from a longer earlier draft is beyond the length and ignored;
    a file torn by a power cut fails its CRC and the store's copy is used instead. A
    rename per key (``os.replace``) cost several times more on ext4 (bench/README.md).
    """

    MAGIC = b"facilitator-draft 1 "

    def __init__(self, store: Store, conversation: str, slot: int = 0) -> None:
        self.store = store
        self.conversation = conversation
        self.slot = slot
        self.folder = drafts_folder(store.path)
        self._fd: int | None = None
        self._open_path: Path | None = None

    def _path(self) -> Path:
        # Per reviewer and window, like the store's drafts; the name says nothing about
        # its content.
        return draft_path(self.store.path, self.conversation, self.store.author, self.slot)

    def _descriptor(self) -> int:
        path = self._path()
        if self._fd is not None and self._open_path == path:
            return self._fd
        self.close()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        self._open_path = path
        return self._fd

    def write(self, text: str, started_at: str | None) -> None:
        """Keep ``text``. Empty text is kept too: it is newer than the store's copy, so a
        draft emptied or recorded a moment before a crash does not come back. Never
        raises: the store's copy follows a moment later, and a full disk must not stop
        the typing."""
        body = json.dumps(
            {
                "conversation": self.conversation,
                "text": text,
                "started_at": started_at,
                "saved_at": self.store.now_iso(),
            },
            ensure_ascii=False,
        ).encode("utf-8", "surrogatepass")
        header = self.MAGIC + b"%016x %08x\n" % (len(body), zlib.crc32(body))
        try:
            os.pwrite(self._descriptor(), header + body, 0)
        except OSError:
            self.close()

    def read(self) -> Draft | None:
        """The kept draft, or None if there is none (or it cannot be trusted)."""
        try:
            fd = open_regular(self._path())
        except OSError:
            return None
        try:
            size = os.fstat(fd).st_size
            if size > MAX_DRAFT_FILE:
                return None
            data = read_exactly(fd, size)
        except OSError:
            return None
        finally:
            os.close(fd)
        head, _, rest = data.partition(b"\n")
        if not head.startswith(self.MAGIC):
            return None
        try:
            length_hex, crc_hex = head[len(self.MAGIC) :].split()
            body = rest[: int(length_hex, 16)]
            if len(body) != int(length_hex, 16) or zlib.crc32(body) != int(crc_hex, 16):
                return None
            raw = json.loads(body.decode("utf-8", "surrogatepass"))
        except ValueError:
            return None
        if not (
            isinstance(raw, dict)
            and raw.get("conversation") == self.conversation
            and isinstance(raw.get("text"), str)
            and isinstance(raw.get("saved_at"), str)
            and isinstance(raw.get("started_at"), str | None)
        ):
            return None
        return Draft(
            self.conversation,
            self.store.author,
            raw["text"],
            raw["started_at"],
            raw["saved_at"],
            self.slot,
        )

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None
        self._open_path = None


class DraftKeeper:
    def __init__(self, store: Store, conversation: str) -> None:
        self.store = store
        self.conversation = conversation
        self.file = DraftFile(store, conversation)
        self._lock = threading.Lock()
        self._generation = 0
        self._written = 0
        self._cleared_at = 0
        self._open_fd: int | None = None
        self._taken: dict[int, int] = {}  # slots of closed windows being taken in: their locks

    @property
    def slot(self) -> int:
        return self.file.slot

    def _lock_path(self, slot: int) -> Path:
        return draft_path(self.store.path, self.conversation, self.store.author, slot).with_suffix(
            ".open"
        )

    def _try_lock(self, slot: int) -> int | None:
        """The slot's lock, taken (its descriptor), or None if a window holds it.
        Raises OSError if the lock file cannot be made at all."""
        import fcntl

        path = self._lock_path(slot)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    def claim(self) -> bool:
        """Take this window's slot: the first one no open window holds (its lock is let
        go when the window closes or the process dies), and keep the draft there. False
        if another window has the conversation open, so the user can be told.
        """
        try:
            import fcntl  # noqa: F401
        except ImportError:  # no flock here: one slot, nothing to warn with
            return True
        if self._open_fd is None:
            try:
                for slot in range(MAX_WINDOWS):
                    fd = self._try_lock(slot)
                    if fd is not None:
                        self._open_fd = fd
                        self.file.close()
                        self.file.slot = slot
                        break
                else:
                    self.file.slot = 0  # more windows than slots: the first is shared
                    return False
            except OSError:
                return True  # no lock files here: one slot, as before
        return not self._others_open()

    def _slots_kept(self) -> set[int]:
        """Slots with a draft (a file or a row in the store) or a lock file."""
        path, author = self.store.path, self.store.author
        slots = set(draft_slots(path, self.conversation, author))
        slots.update(draft_slots(path, self.conversation, author, ".open"))
        slots.update(self.store.draft_slots(self.conversation))
        return slots

    def _others_open(self) -> bool:
        for slot in self._slots_kept() - {self.slot} - set(self._taken):
            try:
                fd = self._try_lock(slot)
            except OSError:
                continue
            if fd is None:
                return True
            os.close(fd)
        return False

    def release(self) -> None:
        for fd in [self._open_fd, *self._taken.values()]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._open_fd = None
        self._taken.clear()

    def recover(self) -> Draft | None:
        """The draft to bring back on opening: the newer of the file and the store's."""
        return self._newest(self.file, self.store.draft(self.conversation, self.slot))

    @staticmethod
    def _newest(file: DraftFile, stored: Draft | None) -> Draft | None:
        kept = [d for d in (file.read(), stored) if d]
        if not kept:
            return None
        # The file is rewritten on every key, so it is never older than the store's copy
        # unless it could not be written. On a tie the file wins (it is listed first).
        newest = max(kept, key=lambda d: _moment(d.saved_at))
        return newest if newest.text else None

    def orphans(self) -> list[Draft]:
        """Drafts left in slots no window holds (windows closed by a crash), oldest
        first. Their slots stay locked by this window until :meth:`take_in` or
        :meth:`release`, so two windows opening together do not both take them."""
        if self._open_fd is None:
            return []  # no slot claimed (or no locks here): nothing to tell apart
        found = []
        for slot in sorted(self._slots_kept() - {self.slot} - set(self._taken)):
            try:
                fd = self._try_lock(slot)
            except OSError:
                continue
            if fd is None:
                continue  # a window has it open: its draft is its own
            draft = self._newest(
                DraftFile(self.store, self.conversation, slot),
                self.store.draft(self.conversation, slot),
            )
            if draft is None:
                os.close(fd)
                continue
            self._taken[slot] = fd
            found.append(draft)
        return sorted(found, key=lambda d: _moment(d.started_at or d.saved_at))

    def take_in(self, text: str, started_at: str | None) -> None:
        """Keep ``text`` (this window's draft with the orphans' added) as this window's
        draft, both copies, then empty the orphans' slots and let them go. In that
        order: a crash in between brings a text back twice, never loses it."""
        self.file.write(text, started_at)
        try:
            self.write(self.request(), text, started_at)
        except StoreError:
            return  # the others stay as they are: taken in again next time, never lost
        for slot, fd in list(self._taken.items()):
            with contextlib.suppress(OSError, StoreError):
                self.store.clear_draft(self.conversation, slot)
            with contextlib.suppress(OSError):
                os.unlink(draft_path(self.store.path, self.conversation, self.store.author, slot))
            with contextlib.suppress(OSError):
                os.close(fd)
            del self._taken[slot]

    def keep_now(self, text: str, started_at: str | None) -> None:
        """On the UI thread, on every change: the file copy (see the module's docstring)."""
        self.file.write(text, started_at)

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
                self.store.save_draft(self.conversation, text, started_at, self.slot)
            else:
                self.store.clear_draft(self.conversation, self.slot)
            self._written = generation
            return True

    def flush(self, text: str, started_at: str | None) -> None:
        """Save both copies now, on the calling thread (quitting, or a signal)."""
        self.file.write(text, started_at)
        self.write(self.request(), text, started_at)

    def forget(self) -> None:
        """The note is about to be recorded: no save requested before now may land.

        Call before clearing the stored draft, and never while holding the store's lock
        (a save in flight holds this lock while it waits for the store's).
        """
        self.file.write("", None)
        with self._lock:
            self._generation += 1
            self._cleared_at = self._generation

    def clear(self) -> None:
        """Forget the draft and any save in flight."""
        self.forget()
        self.store.clear_draft(self.conversation, self.slot)


def _moment(at: str) -> datetime:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
