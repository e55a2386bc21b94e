"""Where the note-taker's draft files live (see facilitator/tui/drafts.py): beside the
store, in ``<store>.drafts/``, one file per conversation, reviewer and window (the same
conversation may be open in two windows on one laptop: each keeps its own draft, in its
own slot, so neither overwrites the other's).

Here, below both the TUI that writes them and the purge that must remove them with the
review, so the two agree on the names. A file's name starts with a digest of its
conversation (never its text or title), so a conversation's files can be found without
knowing who typed them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def drafts_folder(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".drafts")


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def draft_path(store_path: Path, conversation: str, author: str, slot: int = 0) -> Path:
    """Slot 0 (the first window) keeps the name drafts always had, so a draft left by an
    older version is still found."""
    window = f"-{slot}" if slot else ""
    name = f"{_digest(conversation, 20)}-{_digest(author, 8)}{window}.draft"
    return drafts_folder(store_path) / name


def draft_slots(
    store_path: Path, conversation: str, author: str, suffix: str = ".draft"
) -> list[int]:
    """The slots (windows) that have a file of this conversation and reviewer: the draft
    files, or with ``suffix=".open"`` the window locks."""
    stem = f"{_digest(conversation, 20)}-{_digest(author, 8)}"
    folder = drafts_folder(store_path)
    slots = set()
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError:
        return []
    for name in names:
        if not (name.startswith(stem) and name.endswith(suffix)):
            continue
        rest = name[len(stem) : -len(suffix)]
        if not rest:
            slots.add(0)
        elif rest.startswith("-") and rest[1:].isdigit():
            slots.add(int(rest[1:]))
    return sorted(slots)


def remove_drafts(store_path: Path, conversations: Iterable[str]) -> int:
    """Delete the draft files of these conversations (overwritten first, so the text is
    not left in the file's old blocks on a plain file system); returns how many."""
    folder = drafts_folder(store_path)
    prefixes = tuple(_digest(c, 20) + "-" for c in conversations)
    if not prefixes or not folder.is_dir():
        return 0
    removed = 0
    for entry in os.scandir(folder):
        if entry.name.startswith(prefixes) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                size = entry.stat(follow_symlinks=False).st_size
                fd = os.open(entry.path, os.O_WRONLY | os.O_NOFOLLOW)
                try:
                    os.pwrite(fd, b"\0" * size, 0)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed
