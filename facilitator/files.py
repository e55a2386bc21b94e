"""Files this program writes and reads for itself: private, never half-written, and read
with a bound.

Shared by the reports (output files) and sync (the cached key, the shared folder), so it
sits below both.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


class FileTooLarge(OSError):
    """Larger than the caller's limit: refused before reading it."""


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write atomically (temp file, fsync, rename) with mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def open_regular(path: Path | str, *, dir_fd: int | None = None) -> int:
    """A read-only descriptor for ``path`` (relative to ``dir_fd`` if given) if it is a
    plain file.

    Opened without blocking, so a FIFO or a device planted under a file's name is refused
    at once instead of hanging the reader or feeding it forever.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags, dir_fd=dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_exactly(fd: int, count: int) -> bytes:
    """Up to ``count`` bytes from ``fd`` (fewer only at the end of the file)."""
    chunks: list[bytes] = []
    while count > 0:
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read_bounded(path: Path | str, limit: int, *, dir_fd: int | None = None) -> bytes:
    """A plain file's bytes, refusing files larger than ``limit`` without reading them."""
    fd = open_regular(path, dir_fd=dir_fd)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise FileTooLarge(errno.EFBIG, f"larger than {limit:,} bytes ({size:,})")
        data = read_exactly(fd, limit + 1)
        if len(data) > limit:  # grew while we read
            raise FileTooLarge(errno.EFBIG, f"larger than {limit:,} bytes")
        return data
    finally:
        os.close(fd)


SQLITE_MAGIC = b"SQLite format 3\x00"


def refuse_to_overwrite(path: Path, store: Path) -> str | None:
    """Why writing an output file to ``path`` would destroy data, or None if it may go.

    An export or an archive named like the store itself (or its -wal/-shm), or any
    SQLite database, would replace it whole: the store's reviews, or another program's
    data. (Found by a hostile tester: `export -o store.db` emptied the store silently.)
    """
    target = Path(path).resolve()
    own = Path(store).resolve()
    sides = {own.with_name(own.name + side) for side in ("-wal", "-shm", "-journal")}
    if target == own or target in sides:
        return f"{path} is this laptop's store; choose another file name"
    try:
        fd = open_regular(target)  # never blocks on a pipe
    except OSError:
        return None  # not there yet, or not a file (write_output says which)
    try:
        start = read_exactly(fd, len(SQLITE_MAGIC))
    finally:
        os.close(fd)
    if start == SQLITE_MAGIC:
        return f"{path} is a database (a store, or another program's); choose another file name"
    return None


class OutputRefused(Exception):
    """A file the user named that must not be written: the message says why."""


def output_target(path: Path, store: Path) -> Path:
    """The file that writing ``path`` would replace: the path itself, or the file a link
    points to (the link is kept). Refused: a device, a pipe or a socket (replacing one
    with a file broke /dev/null and /dev/stdout for a hostile tester; opening a pipe hung),
    a link to nothing, and any database (see :func:`refuse_to_overwrite`)."""
    path = Path(path)
    try:
        status = os.stat(path)  # through links
    except FileNotFoundError:
        if os.path.islink(path):
            raise OutputRefused(
                f"{path} is a link to {os.readlink(path)}, which does not exist"
            ) from None
        target = path
    except OSError as exc:
        raise OutputRefused(f"cannot write {path}: {exc.strerror}") from exc
    else:
        if stat.S_ISDIR(status.st_mode):
            raise OutputRefused(f"{path} is a folder; give a file name")
        if not stat.S_ISREG(status.st_mode):
            raise OutputRefused(
                f"{path} is not a regular file (a device, a pipe or a socket); "
                "use -o - to write to standard output"
            )
        target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    problem = refuse_to_overwrite(target, store)
    if problem:
        raise OutputRefused(problem)
    return target


def write_output(path: Path, data: bytes, store: Path) -> Path:
    """Write a file the user named (an export, an archive), atomically and private; returns
    the file written. Every command that writes a user-named file comes through here."""
    target = output_target(path, store)
    try:
        write_private_bytes(target, data)
    except OSError as exc:
        # Named as the user named it, not as the hidden temporary file beside it.
        raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from exc
    return target


def free_name(path: Path) -> Path:
    """``path``, or the first of name-2, name-3... not already there: a file made under a
    name the user did not choose never replaces one of theirs."""
    path = Path(path)
    candidate, number = path, 1
    while os.path.lexists(candidate):
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate
