"""Taking a large batch of remote ops in at once (a sync), with exactly the tables that
applying them one by one in the same order would give (:func:`materialise.apply`), in a
few set-based statements instead of several per op.

The rules and the row writers are those of :mod:`facilitator.store.materialise` (which
applies one op with the same writers): per-field last writer wins by HLC then op id,
``created``/``updated`` the earliest and latest clock seen, immutable entities first write
wins, note text from the revision graph. What this module adds is the batching: each row's
fields folded over the whole batch before one write. Tests compare both paths on random
op sets (tests/test_sync_bulk.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from facilitator.store.entities import ENTITIES
from facilitator.store.materialise import (
    _chunks,
    _Row,
    applies,
    can_apply,
    fold,
    recompute_notes,
    row_fields,
    write_immutable,
    write_rows,
)
from facilitator.store.oplog import OP_COLUMNS, Op, record_aliases


def held_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """Which of these op ids the log already holds."""
    held: set[str] = set()
    for chunk in _chunks(ids):
        held.update(
            row[0]
            for row in conn.execute(
                f"SELECT id FROM ops WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
        )
    return held


def new_ops(conn: sqlite3.Connection, ops: Sequence[Op]) -> list[Op]:
    """The ops not yet in the log, each once, in their batch order (the numbering of those
    already held is recorded if it differs: :func:`record_aliases`)."""
    seen: set[str] = set()
    unique = []
    for op in ops:
        if op.id not in seen:
            seen.add(op.id)
            unique.append(op)
    held = held_ids(conn, [op.id for op in unique])
    record_aliases(conn, [op for op in unique if op.id in held])
    return [op for op in unique if op.id not in held]


def ingest(conn: sqlite3.Connection, ops: Sequence[Op]) -> tuple[list[Op], int]:
    """Append and apply the new ops of a batch. Returns (new ops, parked count).

    The caller owns the transaction.
    """
    fresh = new_ops(conn, ops)
    conn.executemany(
        f"INSERT INTO ops ({', '.join(OP_COLUMNS)}, applied) "
        f"VALUES ({', '.join('?' * (len(OP_COLUMNS) + 1))})",
        [(*op.row(), int(can_apply(op))) for op in fresh],
    )
    rows: dict[tuple[str, str], _Row] = {}
    immutable: list[Op] = []
    notes_to_recompute: dict[str, None] = {}
    parked = 0
    for op in fresh:
        if not applies(op):
            parked += 1
            continue
        entity = ENTITIES[op.entity]
        if entity.immutable:
            immutable.append(op)
            note_id = str(op.fields.get("note", "")) if entity.name == "revision" else ""
            if note_id:
                fold(rows, ENTITIES["note"], note_id, op, {})
                notes_to_recompute[note_id] = None
            continue
        if entity.name == "note" and op.action in ("delete", "restore"):
            notes_to_recompute[op.entity_id] = None
        fold(rows, entity, op.entity_id, op, row_fields(entity, op))
    write_immutable(conn, immutable)
    write_rows(conn, rows)
    recompute_notes(conn, list(notes_to_recompute))
    return fresh, parked
