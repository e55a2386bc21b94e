"""One op id that arrives with two different contents.

A laptop never writes two ops under one id, but a hostile or faulty client can, and so
can a file-sync engine that mixes versions of a file. Keeping whichever came first made
each laptop's tables depend on arrival order, silently. Instead every version is kept
(the first in the log, the others in ``op_variants``) and none is applied, on every
laptop, whatever the order: the rows the applied version had touched are worked out again
from the rest of the log. The sync report says so.

An op that comes again under another numbering only (device, epoch, seq: a forked
laptop's op as the share numbers it) is the same op, not a variant (see
:func:`oplog.record_aliases`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence

from facilitator.store.entities import ENTITIES
from facilitator.store.materialise import _chunks, apply
from facilitator.store.oplog import OP_COLUMNS, Op

# What an op says, its numbering left out.
_CONTENT = ("hlc", "author", "review", "entity", "entity_id", "action", "format")
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


def content(op: Op) -> str:
    """An op's content as one text, the same whatever JSON text its fields came as."""
    return _canonical([*(getattr(op, name) for name in _CONTENT), op.fields])


def digest(op: Op) -> str:
    return hashlib.sha256(content(op).encode("utf-8", "surrogatepass")).hexdigest()


def conflicted_ids(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT DISTINCT id FROM op_variants")}


def settle(conn: sqlite3.Connection, others: Sequence[Op]) -> int:
    """For ops not appended because the log already holds their id (``others``): keep
    each one whose content differs from the log's, park the log's, and work out again the
    rows it had touched. Returns how many ids gained a second content now. The caller
    owns the transaction."""
    if not others:
        return 0
    held: dict[str, Op] = {}
    ids = list({op.id: None for op in others})
    for chunk in _chunks(ids):
        for row in conn.execute(
            f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            op = Op.from_row(row)
            held[op.id] = op
    differing: list[Op] = []
    for op in others:
        mine = held.get(op.id)
        if mine is None or _same(mine, op):
            continue
        differing.append(op)
    if not differing:
        return 0
    before = conflicted_ids(conn)
    conn.executemany(
        f"INSERT OR IGNORE INTO op_variants ({', '.join(OP_COLUMNS)}, digest) "
        f"VALUES ({', '.join('?' * (len(OP_COLUMNS) + 1))})",
        [(*op.row(), digest(op)) for op in differing],
    )
    newly = [held[op_id] for op_id in dict.fromkeys(op.id for op in differing)]
    newly = [op for op in newly if op.id not in before]
    if newly:
        conn.executemany("UPDATE ops SET applied = 0 WHERE id = ?", [(op.id,) for op in newly])
        rework(conn, newly)
    return len(newly)


def _same(a: Op, b: Op) -> bool:
    if a.fields_text() == b.fields_text() and all(
        getattr(a, name) == getattr(b, name) for name in _CONTENT
    ):
        return True
    return content(a) == content(b)


def rework(conn: sqlite3.Connection, parked: Sequence[Op]) -> None:
    """Work out again, from the ops still applied, every row that the ``parked`` ops
    touched: each such row is emptied and its ops applied again in clock order, as a
    rebuild would (the rules are order-independent, so the rows equal a rebuild's)."""
    rows: set[tuple[str, str]] = set()
    notes: set[str] = set()
    for op in parked:
        if op.entity not in ENTITIES:
            continue
        rows.add((op.entity, op.entity_id))
        if op.entity == "note":
            notes.add(op.entity_id)
        elif op.entity == "revision":
            note = op.fields.get("note")
            if isinstance(note, str) and note:
                notes.add(note)
    rows |= {("note", note) for note in notes}
    for name, entity_id in rows:
        conn.execute(f"DELETE FROM {ENTITIES[name].table} WHERE id = ?", (entity_id,))
    wanted: dict[str, Op] = {}
    select = f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE applied = 1"
    for name, entity_id in rows:
        for row in conn.execute(f"{select} AND entity = ? AND entity_id = ?", (name, entity_id)):
            wanted[row[0]] = Op.from_row(row)
    for note in notes:
        # A note's created/updated and text come from its revisions too. (Read in Python:
        # SQLite's JSON functions refuse some text Python's JSON takes, such as NaN.)
        for row in conn.execute(
            f"{select} AND entity = 'revision' AND instr(fields, ?) > 0", (note,)
        ):
            op = Op.from_row(row)
            if op.fields.get("note") == note:
                wanted[op.id] = op
    for op in sorted(wanted.values(), key=lambda op: (op.hlc, op.id)):
        apply(conn, op)


def all_versions(conn: sqlite3.Connection) -> list[Op]:
    """Every op of the log and every other version kept of one (for checks and tests)."""
    ops = [Op.from_row(row) for row in conn.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops")]
    ops += [
        Op.from_row(row) for row in conn.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM op_variants")
    ]
    return ops
