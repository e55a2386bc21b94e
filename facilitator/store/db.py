"""Opening a store file: location, permissions, PRAGMAs and numbered migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from facilitator.store.entities import ENTITIES

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
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
    elif path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        os.chmod(path, 0o600)


def connect(path: Path) -> sqlite3.Connection:
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a store file")
    try:
        _make_private_file(path)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path} is not a facilitator store ({exc})") from exc
    return conn


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


def _m6_sync_repair(db: sqlite_utils.Database) -> None:
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


MIGRATIONS: list[Migration] = [
    _m1_initial,
    _m2_sync,
    _m3_clock_stamps,
    _m4_clocks_in_rows,
    _m5_op_aliases,
    _m6_sync_repair,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to the newest schema; returns the version reached."""
    db = sqlite_utils.Database(conn)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"this store was written by a newer facilitator (schema {version}); please upgrade"
        )
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number](db)
            conn.execute(f"PRAGMA user_version={number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    _ensure_identity(conn)
    return len(MIGRATIONS)


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
    conn.execute("COMMIT")
