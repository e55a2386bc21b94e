"""Whether the write-ahead log beside a store was written against this very file.

SQLite plays whatever ``-wal`` lies beside a database when it opens it. Another store's
log copied beside ours, or an older copy of the file put back (from a backup) under a log
written since, has its pages land on a file they were not made for: notes lost, tables
damaged, and the pages themselves say nothing is wrong.

The check. Every commit we make rewrites one row of ``meta`` (:data:`TAG_KEY`):
``"<tag it replaced> <new random tag>"``, 16 hex digits each. A log's first copy of
``meta``'s page that carries the row therefore names the tag of the file the log was
started on. The log fits the file when the file's tag is that one (nothing of the log
copied into the file yet), or one the log itself wrote (the file was checkpointed part
way). Anything else was made against another file: another store (its tags are its own
random ones) or another state of this one (a backup). A log with no copy of ``meta``'s
page says nothing either way (an older facilitator wrote it), and a copy that SQLite
would not play (a torn last frame, a crash mid-write) does not count: only headers and
one page per copy of ``meta`` are read, and checksums only when the log looks stray.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")

TAG_KEY = "commit_tag"
UNTAGGED = "0" * 16  # what a file made before the tags "held": the first tag replaces it
# Every commit that is not a note's (whose tag is written with the numbering) runs this.
STAMP_SQL = (
    "UPDATE meta SET value = substr(value, 18) || ' ' || lower(hex(randomblob(8))) "
    f"WHERE key = '{TAG_KEY}'"
)
SET_ASIDE = "-wal.set-aside-"
WAL_MAGIC = (0x377F0682, 0x377F0683)


def next_tag(held: str | None) -> str:
    """The tag a commit writes over ``held`` (the row's value read in that commit)."""
    return f"{_current(held)} {os.urandom(8).hex()}"


def _current(value: str | None) -> str:
    return value[17:] if value and len(value) == 33 else UNTAGGED


def meta_page(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """(page number, page size) of ``meta``'s page, read from the file as it stands."""
    row = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if not row or not row[0] or row[0] < 2:
        return None
    return row[0], conn.execute("PRAGMA page_size").fetchone()[0]


def asked_thrice(check: Callable[[], T]) -> T:
    """``check()``'s verdict against a log, asked up to three times 50 ms apart: it stands
    only if given each time. A second process of ours may checkpoint and restart its log
    while this one reads the log, then the file (or the log's frames at offsets found a
    moment before), and a log caught mid-restart looks like no log of this store's."""
    for attempt in range(3):
        verdict = check()
        if not verdict:
            return verdict
        if attempt < 2:
            time.sleep(0.05)
    return verdict


def stray(path: Path, root: int, page_size: int) -> bool:
    """Whether the log beside ``path`` (our store, whose ``meta`` is page ``root``) was
    not made against this file (see :func:`asked_thrice`)."""
    return asked_thrice(lambda: _misfits(path, root, page_size))


def _misfits(path: Path, root: int, page_size: int) -> bool:
    try:
        with open(path.with_name(path.name + "-wal"), "rb") as wal:
            header = wal.read(32)
            if len(header) < 32 or int.from_bytes(header[0:4], "big") not in WAL_MAGIC:
                return False  # SQLite plays no such log
            if int.from_bytes(header[8:12], "big") != page_size:
                return False  # another program's: refused before this is asked
            salts = header[16:24]
            copies: list[tuple[int, int]] = []  # (frame number, offset) of meta's page
            number = 0
            while True:
                start = wal.tell()
                frame = wal.read(24)
                if len(frame) < 24 or frame[8:16] != salts:
                    break
                if int.from_bytes(frame[0:4], "big") == root:
                    copies.append((number, start + 24))
                wal.seek(start + 24 + page_size)
                number += 1
            if not copies:
                return False
            with open(path, "rb") as main:
                main.seek((root - 1) * page_size)
                held = _tag_in(main.read(page_size))
            current = held[1] if held else UNTAGGED

            def tag(offset: int) -> tuple[str, str] | None:
                wal.seek(offset)
                return _tag_in(wal.read(page_size))

            # The usual answers first: the file as the log began (its first tag), or
            # checkpointed to its end (its last); else every copy is looked at.
            first = next((found for _, at in copies if (found := tag(at))), None)
            if first is None:
                fits = held is None  # both from before the tags
            else:
                fits = current == first[0] or current == first[1]
                if not fits:
                    fits = any((found := tag(at)) and found[1] == current for _, at in copies)
            return not fits and _played_from(wal, page_size, copies[0][0])
    except OSError:
        return False


def _played_from(wal: BinaryIO, page_size: int, index: int) -> bool:
    """Whether SQLite would play the log's frame number ``index``: a commit at or after
    it has checksums that hold, chained from the header through every frame before."""
    wal.seek(0)
    header = wal.read(32)
    order = "<" if int.from_bytes(header[0:4], "big") == WAL_MAGIC[0] else ">"
    sums = checksum(header[:24], order, 0, 0)
    if sums != struct.unpack(">II", header[24:32]):
        return False
    number = 0
    while True:
        frame = wal.read(24)
        page = wal.read(page_size)
        if len(frame) < 24 or len(page) < page_size or frame[8:16] != header[16:24]:
            return False
        sums = checksum(frame[:8] + page, order, *sums)
        if sums != struct.unpack(">II", frame[16:24]):
            return False
        if number >= index and int.from_bytes(frame[4:8], "big"):
            return True
        number += 1


def checksum(data: bytes, order: str, s1: int, s2: int) -> tuple[int, int]:
    """SQLite's write-ahead log checksum of ``data``, continued from ``(s1, s2)``."""
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for first, second in zip(words[0::2], words[1::2], strict=True):
        s1 = (s1 + first + s2) & 0xFFFFFFFF
        s2 = (s2 + second + s1) & 0xFFFFFFFF
    return s1, s2


def _tag_in(page: bytes) -> tuple[str, str] | None:
    """(tag replaced, tag written) held in ``page``, ``meta``'s one leaf page, or None."""
    try:
        if page[0] != 13:  # a table's leaf page
            return None
        for cell in range(int.from_bytes(page[3:5], "big")):
            at = int.from_bytes(page[8 + 2 * cell : 10 + 2 * cell], "big")
            size, at = _varint(page, at)
            _rowid, at = _varint(page, at)
            record = page[at : at + size]
            end, at = _varint(record, 0)
            types = []
            while at < end:
                kind, at = _varint(record, at)
                types.append(kind)
            if len(types) != 2 or any(kind < 13 or kind % 2 == 0 for kind in types):
                continue  # not a row of two texts
            key_len, value_len = ((kind - 13) // 2 for kind in types)
            if record[end : end + key_len] != TAG_KEY.encode():
                continue
            value = record[end + key_len : end + key_len + value_len].decode("ascii")
            held, _, written = value.partition(" ")
            return (held, written) if len(held) == len(written) == 16 else None
    except (IndexError, ValueError):
        return None
    return None


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for offset in range(8):
        byte = data[at + offset]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + offset + 1
    return (value << 8) | data[at + 8], at + 9


def in_use(path: Path) -> bool:
    """Whether another process has the store open: each SQLite connection to a file in
    WAL mode holds a read lock on byte 128 of its ``-shm`` while it is open. Asked only
    of a log already found stray. The lock is taken through a descriptor of our own, and
    closing it lets go of this process's locks on the file, which another connection of
    this process to the same store would need; it has none when the log is stray."""
    try:
        import fcntl
    except ImportError:  # no POSIX locks here: a log whose tags misfit is no live one's
        return False
    try:
        fd = os.open(path.with_name(path.name + "-shm"), os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: assume so
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128)
        return False
    finally:
        os.close(fd)


def set_aside(path: Path) -> Path | None:
    """Move the log beside ``path`` to a name SQLite never reads, beside it (kept).
    None if it has gone meanwhile (another process of ours set it aside first)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}{SET_ASIDE}{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}{SET_ASIDE}{stamp}-{number}")
    try:
        os.rename(path.with_name(path.name + "-wal"), aside)
    except FileNotFoundError:
        return None
    os.chmod(aside, 0o600)  # it holds somebody's notes
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return aside


def set_aside_logs(path: Path) -> list[str]:
    """The names of logs set aside beside ``path``, for `store check`."""
    prefix = path.name + SET_ASIDE
    try:
        return sorted(
            entry.name for entry in os.scandir(path.parent) if entry.name.startswith(prefix)
        )
    except OSError:
        return []


def message(path: Path, aside: Path | None) -> str:
    where = (
        f"it was set aside as {aside.name} (kept), and the store opened as it stands"
        if aside
        else "it was not read, and the store is read as it stands"
    )
    return (
        f"the write-ahead log beside {path} is not this store's (another store's log, "
        f"or one left from before this file was put back from a backup), so it was not "
        f"played into the store: {where}"
    )
