"""Where the note-taker's draft files live (see facilitator/tui/drafts.py): beside the
store, in ``<store>.drafts/``, one file per conversation and reviewer.

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


def draft_path(store_path: Path, conversation: str, author: str) -> Path:
    name = f"{_digest(conversation, 20)}-{_digest(author, 8)}.draft"
    return drafts_folder(store_path) / name


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
