"""Opening a store file: location, permissions, PRAGMAs and numbered migrations."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import struct
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

import sqlite_utils

from facilitator.files import SQLITE_MAGIC
from facilitator.store import stray_log
from facilitator.store.entities import ENTITIES
from facilitator.store.stray_log import STAMP_SQL, TAG_KEY, UNTAGGED, WAL_MAGIC, checksum

STORE_ENV = "FACILITATOR_STORE"
COMMON_COLUMNS = {
    "id": str,
    "review": str,
    "deleted": int,
    "created": str,
    "updated": str,
    "clocks": str,
}
# Columns of notes derived from their revisions (not set by ops directly).
NOTE_DERIVED = {"text": str, "heads": str, "conflict": int}


class StoreError(Exception):
    """A problem with the store that the user can act on."""


def default_store_path() -> Path:
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    import platformdirs

    return Path(platformdirs.user_data_dir("facilitator", appauthor=False)) / "store.db"


def _make_private_file(path: Path) -> None:
    """Create the store file readable by the user only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)


def keep_private(path: Path) -> None:
    """Make a store file ours alone. Called only on a regular file known to be a store,
    never on a file that is not one yet (another program's, or a device)."""
    status = os.stat(path)
    if stat.S_ISREG(status.st_mode) and status.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        os.chmod(path, 0o600)


def _writable(path: Path) -> bool:
    """Whether this process may change the store: the file, and its folder (SQLite keeps
    its write-ahead log and index beside the file)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    os.close(fd)
    return os.access(path.parent, os.W_OK | os.X_OK)


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _has_log(path: Path) -> bool:
    """Whether committed changes may wait in the write-ahead log beside the file."""
    return _nonempty(_side(path, "-wal"))


def _immutable(path: Path) -> sqlite3.Connection:
    """The main file as it stands, read with no lock, no log and no index: SQLite opens
    nothing beside it and writes nothing at all."""
    uri = path.resolve().as_uri()
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _private_copy(path: Path) -> sqlite3.Connection:
    """The file and its write-ahead log copied to a private folder and read there, then
    held in memory: what SQLite would show, with no byte of the original, its -wal or its
    -shm touched (opening the original, even read-only, may checkpoint the log, delete it
    or write to the index)."""
    no_room = StoreError(
        f"cannot read {path} safely: there is no room for a private copy in "
        f"{tempfile.gettempdir()}; free some space there, or set TMPDIR to another "
        "folder (the file was left untouched)"
    )
    with tempfile.TemporaryDirectory(prefix="facilitator-") as folder:
        copy = Path(folder) / "copy.db"
        try:
            shutil.copyfile(path, copy)
            if _side(path, "-wal").exists():
                shutil.copyfile(_side(path, "-wal"), _side(copy, "-wal"))
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise no_room from exc
            raise
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            # The log folded into the copy: a database in memory cannot use one.
            conn.execute("PRAGMA journal_mode=DELETE")
            data = conn.serialize()
        except sqlite3.DatabaseError as exc:
            if is_disk_full(exc):
                raise no_room from exc
            raise
        finally:
            conn.close()
    memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    memory.deserialize(data)
    return memory


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that leaves nothing beside the file. With no write-ahead log
    beside it, the store was closed cleanly and is read as it stands. With a log and its
    index, SQLite reads both; a log whose index is missing or cannot be used is read from
    a private copy, so the latest changes show (SQLite alone would show older data, or
    leave an index behind)."""
    if not _has_log(path):
        return _immutable(path)
    if _side(path, "-shm").exists():
        uri = path.resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
    return _private_copy(path)


def _identify_file(path: Path) -> tuple[str, tuple[int, int] | None]:
    """What ``path`` holds (see :func:`identify`), found without writing to it or beside
    it: the main file read as it stands and, when a log waits beside it or the tables only
    look like an old store, a private copy of both. With it, for our store read as it
    stands beside a log, where its ``meta`` lies (page, page size) for the log's check."""
    with open(path, "rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    if start and start != SQLITE_MAGIC:
        raise StoreError(_not_ours(path, "not an SQLite database"))
    try:
        conn = _immutable(path)
        try:
            kind = identify(conn, path)
            meta_at = stray_log.meta_page(conn) if kind == "ours" and _has_log(path) else None
        finally:
            conn.close()
    except StoreError:
        # The main file alone is another program's: a log beside it cannot make it ours,
        # so it is refused without copying it (a 400 MB file and its log took 811 MB).
        raise
    except sqlite3.DatabaseError as exc:
        if not _has_log(path):
            raise StoreError(_unreadable(path, exc)) from exc
        # Read while another process checkpointed (or the tables are in the log): the
        # copy of the file and its log, below, says.
        kind = ""
    if kind != "ours" and _nonempty(_side(path, "-journal")):
        # Our stores keep a write-ahead log; a rollback journal is another program's
        # unfinished write, which opening the file for writing would roll back.
        raise StoreError(
            _not_ours(path, "another program is writing it, or stopped while writing it")
        )
    if kind == "ours":
        why = _foreign_log(path)
        if why:
            raise StoreError(_not_ours(path, why))
        return kind, meta_at
    if kind == "new" and not _has_log(path):
        return kind, None
    try:
        with _copy_on_disk(path) as conn:
            kind = identify(conn, path)
            if kind == "legacy":
                _trial_migration(conn, path)
            return kind, None
    except sqlite3.DatabaseError as exc:
        raise StoreError(_unreadable(path, exc)) from exc


@contextmanager
def _copy_on_disk(path: Path, *, with_journal: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to a private copy of the file and its logs, for a look: kept on disk,
    not in memory (see :func:`_private_copy`), and removed after."""
    with tempfile.TemporaryDirectory(prefix="facilitator-") as folder:
        copy = Path(folder) / "copy.db"
        try:
            shutil.copyfile(path, copy)
            for suffix in ("-wal", "-journal") if with_journal else ("-wal",):
                if _nonempty(_side(path, suffix)):
                    shutil.copyfile(_side(path, suffix), _side(copy, suffix))
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreError(_no_room_for_copy(path)) from exc
            raise
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            yield conn
        except sqlite3.DatabaseError as exc:
            if is_disk_full(exc):
                raise StoreError(_no_room_for_copy(path)) from exc
            raise
        finally:
            conn.close()


def _no_room_for_copy(path: Path) -> str:
    return (
        f"cannot read {path} safely: there is no room for a private copy in "
        f"{tempfile.gettempdir()}; free some space there, or set TMPDIR to another "
        "folder (the file was left untouched)"
    )


def _foreign_log(path: Path) -> str | None:
    """Why a log beside our store is another program's, or None. Opening the store for
    writing would play it in: a stray -journal rolled back, or a -wal checkpointed,
    replaces our pages with the other program's (found by a hostile tester: a copied
    journal turned a 352 KB store into another program's 8 KB file). Reads headers only."""
    journal = _side(path, "-journal")
    if _nonempty(journal):
        # Our stores keep a write-ahead log, so a journal is rare: let SQLite itself roll
        # it back, in a private copy, and see whose file comes out.
        try:
            with _copy_on_disk(path, with_journal=True) as conn:
                identify(conn, path)
        except (sqlite3.DatabaseError, StoreError):
            return "another program's unfinished write (-journal) lies beside it"
    if not _has_log(path):
        return None
    return stray_log.asked_thrice(lambda: _foreign_wal(path))


def _foreign_wal(path: Path) -> str | None:
    """Why the -wal beside our store is another program's, or None (one look)."""
    mark = APPLICATION_ID.to_bytes(4, "big")
    try:
        with open(path, "rb") as handle:
            page_size = int.from_bytes(handle.read(100)[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        with open(_side(path, "-wal"), "rb") as wal:
            header = wal.read(32)
            if len(header) < 32:
                return None  # SQLite ignores a log too short to hold a header
            if int.from_bytes(header[0:4], "big") not in WAL_MAGIC:
                return None  # not a log SQLite would play
            if int.from_bytes(header[8:12], "big") != page_size:
                return "another program's write-ahead log (-wal) lies beside it"
            salts = header[16:24]
            # Where each copy of page 1 in this log starts. SQLite reads a page's latest
            # copy, so only that one says whose log it is: an earlier one may be from
            # before our mark was set (a store just made, held open by its maker).
            copies = []
            while True:
                start = wal.tell()
                frame = wal.read(24)
                if len(frame) < 24 or frame[8:16] != salts:
                    break
                if int.from_bytes(frame[0:4], "big") == 1:
                    copies.append(start)
                wal.seek(start + 24 + page_size)
            for start in reversed(copies):
                wal.seek(start + 24)
                page = wal.read(100)
                if page[:16] == SQLITE_MAGIC and page[68:72] == mark:
                    return None
                if _replayed(wal, page_size, start):
                    return "another program's write-ahead log (-wal) lies beside it"
                # Half written (a writer of ours appending, or a crash): SQLite ignores
                # it and reads the copy before it.
            return None
    except OSError as exc:
        return f"its log cannot be read ({exc.strerror})"


def _replayed(wal: BinaryIO, page_size: int, frame_at: int) -> bool:
    """Whether SQLite would play the log's frame at ``frame_at``: its checksum, chained
    from the log's header through every frame before it, holds. A frame half written (by
    another process of ours appending to the log as we look, or cut short by a crash)
    fails it, and SQLite ignores it: such a frame says nothing about whose log it is.
    Only read when a frame holding page 1 looks foreign, so rarely."""
    wal.seek(0)
    header = wal.read(32)
    order = "<" if int.from_bytes(header[0:4], "big") == WAL_MAGIC[0] else ">"
    s1, s2 = checksum(header[:24], order, 0, 0)
    if (s1, s2) != struct.unpack(">II", header[24:32]):
        return False
    while wal.tell() <= frame_at:
        frame = wal.read(24)
        page = wal.read(page_size)
        if len(frame) < 24 or len(page) < page_size:
            return False
        s1, s2 = checksum(frame[:8] + page, order, s1, s2)
        if (s1, s2) != struct.unpack(">II", frame[16:24]):
            return False
    return True


def _trial_migration(conn: sqlite3.Connection, path: Path) -> None:
    """An unmarked file whose tables look like an old store is ours only if it upgrades:
    tried on the copy, so a look-alike is refused before anything touches it."""
    try:
        migrate(conn)
    except Exception as exc:  # whatever a look-alike makes the migration meet
        raise StoreError(
            _not_ours(path, "tables like an old store's, but it does not upgrade")
        ) from exc


def _refuse_odd_paths(path: Path) -> bool:
    """Whether ``path`` exists, refusing what cannot be a store: a folder, a device, a
    pipe or a socket (SQLite would block on a pipe, and make a device 'private')."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):  # creating through it would fail, or land elsewhere
            raise StoreError(
                f"{path} is a link to {os.readlink(path)}, which does not exist: "
                "give the store file itself with --store (nothing was written)"
            ) from None
        return False
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc.strerror}") from exc
    if stat.S_ISDIR(mode):
        raise StoreError(f"{path} is a folder, not a store file")
    for suffix in ("-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            if not stat.S_ISREG(os.lstat(_side(path, suffix)).st_mode):
                raise StoreError(
                    f"{_side(path, suffix)}, beside the store, is not a regular file (a "
                    "folder, a link or a device), and SQLite keeps its log there: move it "
                    "away and try again (nothing was changed)"
                )
    if not stat.S_ISREG(mode):
        raise StoreError(
            f"{path} is not a regular file (a device, a pipe or a socket), so it cannot be "
            "a store; it was left untouched: give a file with --store"
        )
    return True


def no_store_message(path: Path) -> str:
    return (
        f"there is no store at {path} (nothing was created): check the path, or start "
        "one there with 'facilitator review new'"
    )


def connect(
    path: Path, *, create: bool = True
) -> tuple[sqlite3.Connection, bool | str, bool, str | None]:
    """Open a store file: (connection, read only, created now, a notice for the user or
    None). A new file is created private (only if ``create``); an existing one is first
    identified without writing to it or beside it, and a file that is not ours is refused
    before anything is written, chmodded or checkpointed. An empty file already there is
    somebody else's: only a file this run made is a new store. A log beside it that was
    not written against this file (see store/stray_log.py) is set aside, never played."""
    path = Path(path)
    created = False
    notice = None
    try:
        kind, meta_at = None, None
        if not _refuse_odd_paths(path):
            if not create:
                raise StoreError(no_store_message(path))
            _make_private_file(path)
            created = True
        if not created:
            kind, meta_at = _identify_file(path)
        if kind == "new":
            raise StoreError(
                _not_ours(
                    path,
                    "an empty file, or a database with nothing in it, that facilitator "
                    "did not make (if facilitator was stopped while making it, delete it)",
                )
            )
        read_only = not _writable(path)
        stray = meta_at is not None and _has_log(path) and stray_log.stray(path, *meta_at)
        if stray:
            aside = None
            if not read_only:
                if stray_log.in_use(path):
                    raise StoreError(
                        f"the write-ahead log beside {path} is not this store's, and a "
                        "program has it open: close other facilitator windows and try "
                        "again (nothing was changed)"
                    )
                aside = stray_log.set_aside(path)
            if aside or read_only:
                notice = stray_log.message(path, aside)
        sides_before = {suffix: _side(path, suffix).exists() for suffix in ("-wal", "-shm")}
        if read_only and stray:
            conn = _immutable(path)  # the file as it stands, without the log
        elif read_only:
            conn = _open_read_only(path)
        else:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except OSError as exc:
        if created:
            discard_new(path)
        if exc.errno == errno.ENOSPC:
            raise StoreError(disk_full_message(path)) from exc
        raise StoreError(f"cannot open the store at {path}: {exc.strerror or exc}") from exc
    except sqlite3.Error as exc:
        if created:
            discard_new(path)
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
    try:
        identify(conn, path)  # again, on the connection we keep
        if read_only:
            conn.execute("PRAGMA query_only=1")
        else:
            keep_private(path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA busy_timeout=5000")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if created:
            discard_new(path)
        elif not read_only and _no_room(exc, path):
            # A full disk: SQLite could not make its index file beside the store (the
            # file itself was identified as ours above). Read it as it stands instead.
            _remove_stubs(path, sides_before)
            return _open_when_full(path), DISK_FULL, created, notice
        if is_disk_full(exc):
            raise StoreError(disk_full_message(path)) from exc
        raise StoreError(f"{path} is not a facilitator store ({exc})") from exc
    except (StoreError, OSError):
        conn.close()
        raise
    return conn, read_only, created, notice


DISK_FULL = "disk full"  # connect's read_only when the store opened read-only for want of room
_IO_ERRORS = {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN}


def _no_room(exc: sqlite3.DatabaseError, path: Path) -> bool:
    """Whether an open failed because the disk is full (SQLite says only "disk I/O
    error" when it cannot make its index file)."""
    if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _IO_ERRORS and not is_disk_full(exc):
        return False
    try:
        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


def _remove_stubs(path: Path, existed: dict[str, bool]) -> None:
    """The empty -wal and the stub -shm a failed open left (not there before this run; a
    -shm in use by another process is at least 32 KB, and is never touched)."""
    for suffix, was_there in existed.items():
        side = _side(path, suffix)
        with suppress(OSError):
            if not was_there and side.stat().st_size < 32768 and not _has_log(path):
                side.unlink()


def _open_when_full(path: Path) -> sqlite3.Connection:
    try:
        conn = _open_read_only(path)
        identify(conn, path)
        conn.execute("PRAGMA query_only=1")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StoreError(disk_full_message(path)) from exc


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "is full" in str(exc)


def disk_full_message(path: Path) -> str:
    return (
        f"the disk holding the store is full ({Path(path).parent}): "
        "nothing was saved; free some space and try again"
    )


def discard_new(path: Path) -> None:
    """Remove a store file made by this run that never became a store (the disk filled
    while it was set up), so the next try starts afresh instead of meeting half a store."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(OSError):
            _side(path, suffix).unlink()


# --- what is ours ---------------------------------------------------------------------

# PRAGMA application_id of every facilitator store: "FcLt".
APPLICATION_ID = 0x46634C74
# Stores made before the mark (schemas 1 to 5) are known by these tables and op columns.
_LEGACY_TABLES = {"meta", "ops", "reviews", "notes", "note_revisions", "links"}
_OP_COLUMNS = {"id", "hlc", "device", "epoch", "seq", "entity", "entity_id", "action", "fields"}
_UNMARKED_SCHEMAS = range(1, 6)


def _unreadable(path: Path, exc: Exception) -> str:
    """Why SQLite cannot read ``path``: a damaged store of ours (its header still carries
    our mark) is told apart from another program's file."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        header = b""
    if header[68:72] == APPLICATION_ID.to_bytes(4, "big"):
        return damaged_message(path, str(exc))
    return _not_ours(path, str(exc))


def damaged_message(path: Path | str, why: str) -> str:
    return (
        f"the store at {path} is damaged and cannot be read ({why}); it was left "
        "untouched: keep a copy, and restore the review from an archive or from the "
        "shared folder (see 'facilitator review restore' and 'facilitator review join')"
    )


def _not_ours(path: Path | str, why: str) -> str:
    return (
        f"{path} is not a facilitator store ({why}); it was left untouched: "
        "give another file with --store"
    )


def identify(conn: sqlite3.Connection, path: Path | str) -> str:
    """``"new"`` for an empty file, ``"ours"`` for a marked facilitator store, ``"legacy"``
    for one made before the mark (schemas 1 to 5); anything else raises
    :class:`StoreError`. Reads only. Every schema object counts (a file of views alone is
    somebody's, not empty)."""
    application = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    tables = {name for kind, name in objects if kind == "table"}
    if application == APPLICATION_ID:
        missing = sorted(({"migrations"} | _LEGACY_TABLES) - tables)
        if not missing:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(ops)")}
            if columns >= _OP_COLUMNS:
                return "ours"
            # Refused here, before the file is made private or switched to WAL.
            raise StoreError(damaged_message(path, "its log of changes has the wrong columns"))
        ours_left = "migrations" in tables or len(tables & _LEGACY_TABLES) >= 4
        if not ours_left:  # another program that happens to use the same id
            raise StoreError(_not_ours(path, "another program's tables, under our mark"))
        # Our mark, and most of our tables: ours, damaged (not another program's).
        verb = "tables are" if len(missing) > 1 else "table is"
        raise StoreError(damaged_message(path, f"its {', '.join(missing)} {verb} missing"))
    if application == 0 and version == 0 and not objects:
        return "new"
    if application == 0 and version in _UNMARKED_SCHEMAS and tables >= _LEGACY_TABLES:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(ops)")}
        if columns >= _OP_COLUMNS:
            return "legacy"
    owner = f"application id {application}" if application else "another program's tables"
    raise StoreError(_not_ours(path, owner))


# --- migrations ---------------------------------------------------------------------


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["ops"].create(
        {
            "id": str,
            "hlc": str,
            "device": str,
            "epoch": int,
            "seq": int,
            "author": str,
            "review": str,
            "entity": str,
            "entity_id": str,
            "action": str,
            "fields": str,
            "format": int,
            "applied": int,
        },
        pk="id",
    )
    db["ops"].create_index(["device", "epoch", "seq"], unique=True)
    db["ops"].create_index(["hlc"])
    db["ops"].create_index(["entity", "entity_id"])
    create_materialised_tables(db)
    db["field_clocks"].create(  # replaced by each row's own `clocks` in migration 4
        {"entity": str, "entity_id": str, "field": str, "hlc": str},
        pk=("entity", "entity_id", "field"),
    )
    # Local only, never synced: the note being typed, per conversation and author.
    db["drafts"].create(
        {"conversation": str, "author": str, "text": str, "started_at": str, "saved_at": str},
        pk=("conversation", "author"),
    )
    db["settings"].create({"key": str, "value": str}, pk="key")


def create_materialised_tables(db: sqlite_utils.Database) -> None:
    for entity in ENTITIES.values():
        columns: dict[str, type] = dict(COMMON_COLUMNS)
        columns.update(entity.fields)
        if entity.name == "note":
            columns.update(NOTE_DERIVED)
        db[entity.table].create(columns, pk="id", not_null={"review"}, if_not_exists=True)
        db[entity.table].create_index(["review"], if_not_exists=True)
    db["notes"].create_index(["conversation", "at"], if_not_exists=True)
    db["note_revisions"].create_index(["note"], if_not_exists=True)
    db["links"].create_index(["source"], if_not_exists=True)
    db["links"].create_index(["target"], if_not_exists=True)
    db["stage_events"].create_index(["conversation", "at"], if_not_exists=True)


def _m2_sync(db: sqlite_utils.Database) -> None:
    """Shared-folder sync: local-only bookkeeping, and (device, epoch, seq) no longer unique.

    Two clones of one laptop can write different ops under the same (device, epoch, seq);
    a third device must keep both (ops are identified by id), so the index stops being
    unique. The sync tables are local state: never synced, never rebuilt from ops.
    """
    db.conn.execute("DROP INDEX IF EXISTS idx_ops_device_epoch_seq")
    db["ops"].create_index(["device", "epoch", "seq"], index_name="idx_ops_device_epoch_seq_2")
    db["sync_shares"].create(
        {"review": str, "folder": str, "key_id": str, "joined_at": str}, pk="review"
    )
    db["sync_files"].create(
        {"review": str, "name": str, "status": str, "detail": str}, pk=("review", "name")
    )
    db["sync_marks"].create(
        {"review": str, "device": str, "epoch": int, "hwm": int}, pk=("review", "device", "epoch")
    )


def _m3_clock_stamps(db: sqlite_utils.Database) -> None:
    """Field clocks gained the op id as a tie-break. The rebuild this needed is done by
    migration 4, which moves the clocks anyway."""


def _m4_clocks_in_rows(db: sqlite_utils.Database) -> None:
    """Each row keeps its field clocks in a JSON column instead of one `field_clocks` row
    per field (a note with two tags wrote twenty clock rows). Rebuilt from the op log."""
    from facilitator.store.materialise import rebuild

    for entity in ENTITIES.values():
        if "clocks" not in db[entity.table].columns_dict:
            db[entity.table].add_column("clocks", str)
    db.conn.execute("DROP TABLE IF EXISTS field_clocks")
    rebuild(db.conn)


Migration = Callable[[sqlite_utils.Database], None]


def _m5_op_aliases(db: sqlite_utils.Database) -> None:
    """Other numberings of ops already held: after a restored backup or a clone forks, the
    share can carry an op under one (device, epoch, seq) while this store holds it under
    another. Kept so that `store check` can tell a renumbered op from a lost one."""
    db["op_aliases"].create(
        {"device": str, "epoch": int, "seq": int, "id": str},
        pk=("device", "epoch", "seq", "id"),
        if_not_exists=True,
    )


def _m6_marked(db: sqlite_utils.Database) -> None:
    """Mark the file as ours (``PRAGMA application_id``) and keep a table of the migrations
    applied, so that another program's database is never mistaken for a store."""
    db["migrations"].create(
        {"number": int, "name": str, "applied_at": str}, pk="number", if_not_exists=True
    )
    db.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")


# Labels as the app shows them (R1, P2, C3, E4): numbered by creation within a review.
_LABELS = """
  r AS (SELECT id, title, 'R' || row_number() OVER (ORDER BY created, id) AS label
        FROM reviews WHERE deleted = 0),
  p AS (SELECT id, role, agency, kind,
               'P' || row_number() OVER (PARTITION BY review ORDER BY created, id) AS label
        FROM participants WHERE deleted = 0),
  c AS (SELECT id, review, participant, lead, note_taker, planned_at, started_at, ended_at,
               'C' || row_number() OVER (PARTITION BY review ORDER BY created, id) AS label
        FROM conversations WHERE deleted = 0),
  e AS (SELECT id, merged_into,
               'E' || row_number() OVER (PARTITION BY review ORDER BY created, id) AS label
        FROM episodes WHERE deleted = 0)"""


def _minute(column: str) -> str:
    """An ISO timestamp as '2025-03-04 10:15' (local time of the laptop that took it)."""
    return f"replace(substr({column}, 1, 16), 'T', ' ')"


def _clock_time(column: str) -> str:
    """The wall time of a clock value ('001796077687416.000002.device'), in UTC."""
    return f"datetime(CAST(substr({column}, 1, 15) AS INTEGER) / 1000, 'unixepoch')"


_LIVE_LINK = "l.deleted = 0 AND l.present = 1"

VIEWS = {
    "v_reviews": f"""
SELECT r.label AS review, r.title,
  (SELECT count(*) FROM conversations x WHERE x.review = r.id AND x.deleted = 0) AS conversations,
  (SELECT count(*) FROM notes x WHERE x.review = r.id AND x.deleted = 0) AS notes,
  {_clock_time("reviews.created")} AS created_utc, r.id AS review_id
FROM r JOIN reviews ON reviews.id = r.id""",
    "v_conversations": f"""
SELECT r.label AS review, c.label AS conversation, p.label AS participant,
  p.role AS participant_role, p.agency, c.lead, c.note_taker AS notes_by,
  {_minute("c.planned_at")} AS planned, {_minute("c.started_at")} AS started,
  {_minute("c.ended_at")} AS ended,
  CASE WHEN c.ended_at IS NOT NULL THEN 'done'
       WHEN c.started_at IS NOT NULL THEN 'in progress' ELSE 'planned' END AS status,
  (SELECT count(*) FROM notes x WHERE x.conversation = c.id AND x.deleted = 0) AS notes,
  r.title AS review_title, c.id AS conversation_id, c.participant AS participant_id,
  r.id AS review_id
FROM c JOIN r ON r.id = c.review LEFT JOIN p ON p.id = c.participant""",
    "v_notes": f"""
SELECT r.label AS review, c.label AS conversation, p.label AS participant,
  p.role AS participant_role, {_minute("n.at")} AS time,
  round(n.elapsed_s / 60.0, 1) AS minutes_in, n.stage, n.kind, n.text,
  (SELECT group_concat(label, ', ') FROM (
     SELECT e.label FROM links l JOIN e ON e.id = l.target
     WHERE l.source = n.id AND l.target_kind = 'episode' AND {_LIVE_LINK}
     ORDER BY CAST(substr(e.label, 2) AS INTEGER))) AS episodes,
  (SELECT group_concat(target, ', ') FROM (
     SELECT l.target || CASE WHEN l.relation != '' THEN ' (' || l.relation || ')' ELSE '' END
       AS target
     FROM links l WHERE l.source = n.id AND l.target_kind = 'factor' AND {_LIVE_LINK}
     ORDER BY l.target)) AS factors,
  n.author, CASE WHEN n.conflict THEN 'conflicting edits' ELSE '' END AS conflict,
  n.id AS note_id, n.conversation AS conversation_id, r.id AS review_id
FROM notes n JOIN r ON r.id = n.review
LEFT JOIN c ON c.id = n.conversation LEFT JOIN p ON p.id = c.participant
WHERE n.deleted = 0""",
    "v_episodes": f"""
SELECT r.label AS review, e.label AS episode, episodes.title,
  episodes.date_text AS date, episodes.date_start, episodes.date_end,
  m.label AS merged_into, episodes.description,
  episodes.team_good AS team_judgement_good,
  episodes.team_problematic AS team_judgement_problematic,
  (SELECT count(*) FROM links l JOIN notes x ON x.id = l.source AND x.deleted = 0
   WHERE l.target = e.id AND l.target_kind = 'episode' AND {_LIVE_LINK}) AS notes,
  (SELECT group_concat(label, ', ') FROM (
     SELECT DISTINCT c.label FROM links l JOIN notes x ON x.id = l.source AND x.deleted = 0
     JOIN c ON c.id = x.conversation
     WHERE l.target = e.id AND l.target_kind = 'episode' AND {_LIVE_LINK}
     ORDER BY CAST(substr(c.label, 2) AS INTEGER))) AS conversations,
  episodes.id AS episode_id, r.id AS review_id
FROM e JOIN episodes ON episodes.id = e.id JOIN r ON r.id = episodes.review
LEFT JOIN e AS m ON m.id = e.merged_into""",
    "v_follow_ups": f"""
SELECT r.label AS review, f.text, f.status, c.label AS conversation,
  p.label AS participant, p.role AS participant_role, raised.label AS raised_in,
  {_clock_time("f.created")} AS created_utc,
  f.id AS follow_up_id, f.note AS note_id, f.conversation AS conversation_id,
  r.id AS review_id
FROM follow_ups f JOIN r ON r.id = f.review
LEFT JOIN c ON c.id = f.conversation LEFT JOIN p ON p.id = f.participant
LEFT JOIN c AS raised ON raised.id = f.raised_in
WHERE f.deleted = 0""",
}


def _m7_readable_views(db: sqlite_utils.Database) -> None:
    """Read-only views in the user's language for sqlite-utils and Datasette: labels
    instead of hex ids, readable times, no clock columns (see the README)."""
    for name, body in VIEWS.items():
        db.conn.execute(f"DROP VIEW IF EXISTS {name}")
        db.conn.execute(f"CREATE VIEW {name} AS WITH {_LABELS} {body.strip()}")


def _m8_purged_seqs(db: sqlite_utils.Database) -> None:
    """The numbers of this laptop's ops removed with a purged review (and nothing else of
    it), so that `store check` tells a purged op from a lost one."""
    db["purged_seqs"].create(
        {"device": str, "epoch": int, "seq": int},
        pk=("device", "epoch", "seq"),
        if_not_exists=True,
    )


def _m9_sync_repair(db: sqlite_utils.Database) -> None:
    """Sync repairs itself: a refused segment keeps its size and mtime (read again when the
    file changes), and gaps in another laptop's ops are remembered until they close."""
    for column in ("size", "mtime"):
        if column not in db["sync_files"].columns_dict:
            db["sync_files"].add_column(column, int)
    db["sync_gaps"].create(
        {"review": str, "device": str, "epoch": int, "first": int, "last": int, "rounds": int},
        pk=("review", "device", "epoch"),
        if_not_exists=True,
    )


def _m10_dialogue(db: sqlite_utils.Database) -> None:
    """The dialogue with participants: drafts, sends, comments, answers and meetings, each
    materialised from its ops like every other entity."""
    create_materialised_tables(db)


# Fields the method needs that older stores lack (guide 2.1, 3.4.2, 3.4.5, 3.4.6).
_M11_COLUMNS = {
    "episode": ("team_significance", "team_information"),
    "pattern": ("types", "effect", "reasons"),
    "recommendation": ("owner",),
}


def _m11_method_fields(db: sqlite_utils.Database) -> None:
    """The team's judgement of an episode gains its significance for the child and the
    information used or needed; a pattern gains several types, whether it supports good
    practice or makes problematic practice more likely, and the reasons for its priority;
    a recommendation says who should act. Ops already held that carry these fields
    (written by a newer laptop) are applied again, so nothing they said is lost."""
    from facilitator.store.materialise import apply
    from facilitator.store.oplog import read_ops

    for entity, columns in _M11_COLUMNS.items():
        table = ENTITIES[entity].table
        for column in columns:
            if column in db[table].columns_dict:
                continue
            db[table].add_column(column, str)
            # A clock for a field with no column is stale: the value is applied again below.
            db.conn.execute(
                f"UPDATE {table} SET clocks = json_remove(clocks, '$.{column}') "
                "WHERE clocks IS NOT NULL"
            )
        for op in read_ops(db.conn, "WHERE entity = ?", (entity,)):
            if any(column in op.fields for column in columns):
                apply(db.conn, op)


def _m12_drafts_per_window(db: sqlite_utils.Database) -> None:
    """A draft per window: the same conversation open in two windows on one laptop kept
    one draft between them, and the last one saved won. The drafts gain a ``slot`` (the
    window's number, 0 for the first) in their key; drafts kept so far are slot 0."""
    if "slot" in db["drafts"].columns_dict:
        return
    conn = db.conn
    conn.execute(
        "CREATE TABLE drafts_by_window (conversation TEXT, author TEXT, "
        "slot INTEGER NOT NULL DEFAULT 0, text TEXT, started_at TEXT, saved_at TEXT, "
        "PRIMARY KEY (conversation, author, slot))"
    )
    conn.execute(
        "INSERT INTO drafts_by_window(conversation, author, slot, text, started_at, saved_at) "
        "SELECT conversation, author, 0, text, started_at, saved_at FROM drafts"
    )
    conn.execute("DROP TABLE drafts")
    conn.execute("ALTER TABLE drafts_by_window RENAME TO drafts")


def _m13_commit_tags(db: sqlite_utils.Database) -> None:
    """Every commit rewrites a tag in ``meta``, so that a log beside the file that was not
    written against it (another store's, or one older than a backup put back) is never
    played into it (see store/stray_log.py)."""
    db.conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
        (TAG_KEY, f"{UNTAGGED} {os.urandom(8).hex()}"),
    )


def _m14_op_variants(db: sqlite_utils.Database) -> None:
    """Other contents that arrived under the id of an op already held (a hostile or faulty
    laptop, or a file-sync engine mixing versions): kept, and none of them applied."""
    db["op_variants"].create(
        {
            "id": str,
            "hlc": str,
            "device": str,
            "epoch": int,
            "seq": int,
            "author": str,
            "review": str,
            "entity": str,
            "entity_id": str,
            "action": str,
            "fields": str,
            "format": int,
            "digest": str,
        },
        pk=("id", "digest"),
        if_not_exists=True,
    )


MIGRATIONS: list[Migration] = [
    _m1_initial,
    _m2_sync,
    _m3_clock_stamps,
    _m4_clocks_in_rows,
    _m5_op_aliases,
    _m6_marked,
    _m7_readable_views,
    _m8_purged_seqs,
    _m9_sync_repair,
    _m10_dialogue,
    _m11_method_fields,
    _m12_drafts_per_window,
    _m13_commit_tags,
    _m14_op_variants,
]


def migrate(conn: sqlite3.Connection, *, read_only: bool = False) -> int:
    """Bring the file up to the newest schema; returns the version reached. A read-only
    store is read as it is, if it needs no migration."""
    db = sqlite_utils.Database(conn)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"this store was written by a newer facilitator (schema {version}); please upgrade"
        )
    if read_only:
        if version == 0:
            raise StoreError("this store is read-only and empty: there is nothing to read")
        if version < len(MIGRATIONS):
            raise StoreError(
                "this store is read-only and was written by an older facilitator: "
                "open it once where it can be written, to upgrade it"
            )
        return version
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if number:  # meta is made by the first; the one making the tag starts it
                conn.execute(STAMP_SQL)
            MIGRATIONS[number](db)
            conn.execute(f"PRAGMA user_version={number + 1}")
            _record_migration(conn, number + 1)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    _ensure_identity(conn)
    return len(MIGRATIONS)


def _record_migration(conn: sqlite3.Connection, number: int) -> None:
    """Note a migration in the table migration 6 makes; that one records itself and the
    five before it."""
    from datetime import UTC, datetime

    if number < 6:
        return
    now = datetime.now(UTC).isoformat(timespec="seconds")
    done = range(1, 7) if number == 6 else (number,)
    conn.executemany(
        "INSERT OR IGNORE INTO migrations(number, name, applied_at) VALUES (?, ?, ?)",
        [(n, MIGRATIONS[n - 1].__name__.split("_", 2)[-1], now) for n in done],
    )


def _ensure_identity(conn: sqlite3.Connection) -> None:
    """Give a new store its device id and first epoch."""
    row = conn.execute("SELECT value FROM meta WHERE key='device'").fetchone()
    if row:
        return
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
        [("device", uuid.uuid4().hex[:12]), ("epoch", "1"), ("next_seq", "1"), ("hlc", "")],
    )
    conn.execute(STAMP_SQL)
    conn.execute("COMMIT")
