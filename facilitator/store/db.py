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
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)


def _keep_private(path: Path) -> None:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        os.chmod(path, 0o600)


def _writable(path: Path) -> bool:
    """Whether this process may change the store: the file, and its folder (SQLite keeps
    its write-ahead log and index beside the file)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return os.access(path.parent, os.W_OK | os.X_OK)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that leaves nothing beside the file. With no write-ahead log
    beside it, the store was closed cleanly and is read as it stands (SQLite would
    otherwise leave an empty log and index behind, or fail in a read-only folder)."""
    uri = path.resolve().as_uri()
    if Path(f"{path}-wal").exists():
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()  # a log that cannot be read here: read the file as it stands
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def connect(path: Path) -> tuple[sqlite3.Connection, bool]:
    """Open a store file: (connection, read only). A new file is created private; an
    existing one is first identified by reading alone, and a file that is not ours is
    refused before anything is written to it or beside it."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a store file")
    try:
        if not path.exists():
            _make_private_file(path)
        read_only = not _writable(path)
        if read_only:
            conn = _open_read_only(path)
        else:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
    try:
        identify(conn, path)
        if read_only:
            conn.execute("PRAGMA query_only=1")
        else:
            _keep_private(path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA busy_timeout=5000")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path} is not a facilitator store ({exc})") from exc
    except (StoreError, OSError):
        conn.close()
        raise
    return conn, read_only


# --- what is ours ---------------------------------------------------------------------

# PRAGMA application_id of every facilitator store: "FcLt".
APPLICATION_ID = 0x46634C74
# Stores made before the mark (schemas 1 to 5) are known by these tables and op columns.
_LEGACY_TABLES = {"meta", "ops", "reviews", "notes", "note_revisions", "links"}
_OP_COLUMNS = {"id", "hlc", "device", "epoch", "seq", "entity", "entity_id", "action", "fields"}
_UNMARKED_SCHEMAS = range(1, 6)


def identify(conn: sqlite3.Connection, path: Path | str) -> str:
    """``"new"`` for an empty file, ``"ours"`` for a facilitator store; anything else
    raises :class:`StoreError`. Reads only, so another program's file is left as it was."""
    application = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application == APPLICATION_ID:
        return "ours"
    if application == 0 and version == 0 and not tables:
        return "new"
    if application == 0 and version in _UNMARKED_SCHEMAS and tables >= _LEGACY_TABLES:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(ops)")}
        if columns >= _OP_COLUMNS:
            return "ours"
    owner = f"application id {application}" if application else "another program's tables"
    raise StoreError(
        f"{path} is not a facilitator store ({owner}); it was left untouched: "
        "give another file with --store"
    )


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


MIGRATIONS: list[Migration] = [
    _m1_initial,
    _m2_sync,
    _m3_clock_stamps,
    _m4_clocks_in_rows,
    _m5_op_aliases,
    _m6_marked,
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
    conn.execute("COMMIT")
