"""Removing a review from this laptop at the end of its retention period.

The op log is otherwise append-only; purging is the one exception, and it leaves nothing
of the review in the file: its ops, every row derived from them, its sync bookkeeping and
drafts are deleted with ``secure_delete`` on, then the file is vacuumed and its
write-ahead log truncated, so no free page or log frame still holds a note. The
note-taker's draft files beside the store go too. Only the
numbers of this laptop's purged ops are kept, so that ``store check`` does not report
them as lost.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from facilitator.store.db import StoreError, is_disk_full
from facilitator.store.draft_files import remove_drafts
from facilitator.store.entities import MATERIALISED_TABLES
from facilitator.store.store import Store

# Local tables keyed by review (sync bookkeeping, never synced).
_LOCAL_BY_REVIEW = ("sync_shares", "sync_files", "sync_marks")


@dataclass(frozen=True)
class Purged:
    ops: int
    rows: int


def purge_review(store: Store, review: str) -> Purged:
    """Delete everything of ``review`` from the store file; other reviews are untouched."""
    conn = store.conn
    conversations = [
        row[0] for row in conn.execute("SELECT id FROM conversations WHERE review = ?", (review,))
    ]
    with store.transaction():
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute(
            "INSERT OR IGNORE INTO purged_seqs (device, epoch, seq) "
            "SELECT device, epoch, seq FROM ops WHERE review = ? AND device = ?",
            (review, store.device),
        )
        conn.execute(
            "DELETE FROM op_aliases WHERE id IN (SELECT id FROM ops WHERE review = ?)", (review,)
        )
        conn.execute(
            "DELETE FROM op_variants "
            "WHERE review = ? OR id IN (SELECT id FROM ops WHERE review = ?)",
            (review, review),
        )
        conn.execute(
            "DELETE FROM drafts WHERE conversation IN "
            "(SELECT id FROM conversations WHERE review = ?)",
            (review,),
        )
        rows = 0
        for table in (*MATERIALISED_TABLES, *_LOCAL_BY_REVIEW):
            rows += conn.execute(f"DELETE FROM {table} WHERE review = ?", (review,)).rowcount
        ops = conn.execute("DELETE FROM ops WHERE review = ?", (review,)).rowcount
    # The note-taker's per-key copies, and merges typed in the conflicts screen (a
    # field's are filed under the review).
    remove_drafts(store.path, [*conversations, review])
    compact(store)
    return Purged(ops, rows)


def compact(store: Store) -> None:
    """Rewrite the file without free pages, and empty the write-ahead log, whose frames
    would otherwise still hold deleted pages until the next checkpoint."""
    store.require_writable()
    try:
        with store.lock:
            # Another window holding the file open is not waited for long: it is told.
            store.conn.execute("PRAGMA busy_timeout=1000")
            try:
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                store.conn.execute("VACUUM")
                busy = store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                store.conn.execute("PRAGMA busy_timeout=5000")
    except sqlite3.OperationalError as exc:
        if is_disk_full(exc):
            raise StoreError(
                "the store could not be compacted: the disk is full (compacting needs room "
                "for a second copy of the store); free some space and run "
                "'facilitator store compact' (nothing was lost)"
            ) from exc
        raise StoreError(
            f"the store could not be compacted ({exc}): close other facilitator windows "
            "and run 'facilitator store compact'; until then deleted pages stay in the file"
        ) from exc
    if busy:
        raise StoreError(
            "another facilitator window is reading the store, so its log still holds "
            "deleted pages: close it and run 'facilitator store compact'"
        )
