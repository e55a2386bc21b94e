"""Taking a large batch of remote ops in at once (a sync), with exactly the tables that
applying them one by one in the same order would give (:func:`materialise.apply`), in a
few set-based statements instead of several per op.

The rules are those of :mod:`facilitator.store.materialise`: per-field last writer wins by
HLC then op id (:func:`materialise.stamp`), ``created``/``updated`` the earliest and
latest clock seen, immutable entities first write wins, note text from the revision graph.
Tests compare both paths on random op sets (tests/test_sync_bulk.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from facilitator.store.entities import ENTITIES, Entity
from facilitator.store.materialise import _value, applies, can_apply, row_fields, stamp
from facilitator.store.oplog import OP_COLUMNS, Op, record_aliases

CHUNK = 900  # stays under SQLite's default limit of bound parameters
_ALLOWED = {name: frozenset(entity.fields) | {"deleted"} for name, entity in ENTITIES.items()}


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class _Row:
    entity: Entity
    entity_id: str
    review: str
    created: str
    updated: str
    fields: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (hlc, value)


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
                _fold(rows, ENTITIES["note"], note_id, op, {})
                notes_to_recompute[note_id] = None
            continue
        if entity.name == "note" and op.action in ("delete", "restore"):
            notes_to_recompute[op.entity_id] = None
        _fold(rows, entity, op.entity_id, op, row_fields(entity, op))
    _write_immutable(conn, immutable)
    _write_rows(conn, rows)
    _recompute_notes(conn, list(notes_to_recompute))
    return fresh, parked


def _fold(
    rows: dict[tuple[str, str], _Row], entity: Entity, entity_id: str, op: Op, fields: dict
) -> None:
    key = (entity.name, entity_id)
    row = rows.get(key)
    if row is None:
        row = rows[key] = _Row(entity, entity_id, op.review, op.hlc, op.hlc)
    else:
        row.created = min(row.created, op.hlc)
        row.updated = max(row.updated, op.hlc)
    allowed = _ALLOWED[entity.name]
    written = stamp(op)
    for name, value in fields.items():
        if name in allowed:
            current = row.fields.get(name)
            if current is None or written > current[0]:
                row.fields[name] = (written, value)


def _write_immutable(conn: sqlite3.Connection, ops: list[Op]) -> None:
    groups: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
    for op in ops:
        entity = ENTITIES[op.entity]
        names = tuple(name for name in entity.fields if name in op.fields)
        values = [_value(entity, name, op.fields[name]) for name in names]
        groups.setdefault((entity.table, names), []).append(
            (op.entity_id, op.review, 0, op.hlc, op.hlc, *values)
        )
    for (table, names), values in groups.items():
        # Groups never share an id in practice; within one, executemany keeps batch order,
        # so the first write still wins.
        columns = ", ".join(["id", "review", "deleted", "created", "updated", *names])
        marks = ", ".join("?" * (5 + len(names)))
        conn.executemany(f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({marks})", values)


def _write_rows(conn: sqlite3.Connection, rows: dict[tuple[str, str], _Row]) -> None:
    clocks: dict[tuple[str, str], dict[str, str]] = {}
    by_entity: dict[str, list[str]] = {}
    for name, entity_id in rows:
        by_entity.setdefault(name, []).append(entity_id)
    for name, ids in by_entity.items():
        table = ENTITIES[name].table
        for chunk in _chunks(ids):
            for entity_id, held in conn.execute(
                f"SELECT id, clocks FROM {table} WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                if held:
                    clocks[(name, entity_id)] = json.loads(held)
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[tuple]] = {}
    for key, row in rows.items():
        held = clocks.get(key, {})
        winners = {
            name: (written, value)
            for name, (written, value) in row.fields.items()
            if name not in held or written > held[name]
        }
        values: dict[str, Any] = {
            "id": row.entity_id,
            "review": row.review,
            "deleted": 0,
            "created": row.created,
            "updated": row.updated,
        }
        values.update({name: _value(row.entity, name, v) for name, (_, v) in winners.items()})
        if winners:
            held.update({name: written for name, (written, _) in winners.items()})
            values["clocks"] = json.dumps(held, sort_keys=True)
        key_columns = (row.entity.table, tuple(values), tuple(winners))
        groups.setdefault(key_columns, []).append(tuple(values.values()))
    for (table, columns, winner_names), values in groups.items():
        updates = [
            "created = min(created, excluded.created)",
            "updated = max(updated, excluded.updated)",
            *(f"{name} = excluded.{name}" for name in winner_names),
        ]
        if winner_names:
            updates.append("clocks = excluded.clocks")
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (id) DO UPDATE SET {', '.join(updates)}",
            values,
        )


def _recompute_notes(conn: sqlite3.Connection, note_ids: list[str]) -> None:
    """As materialise._recompute_note, for many notes with two queries per chunk."""
    updates = []
    for chunk in _chunks(note_ids):
        marks = ",".join("?" * len(chunk))
        revisions: dict[str, list[tuple]] = {note: [] for note in chunk}
        for note, *rest in conn.execute(
            f"SELECT note, id, parents, text, created FROM note_revisions WHERE note IN ({marks})",
            chunk,
        ):
            revisions[note].append(tuple(rest))
        states = {
            note_id: (tombstone, seen_json)
            for note_id, tombstone, seen_json in conn.execute(
                f"SELECT id, tombstone, deleted_seen FROM notes WHERE id IN ({marks})", chunk
            )
        }
        for note in chunk:
            parents: set[str] = set()
            for _id, parent_json, _text, _created in revisions[note]:
                parents.update(json.loads(parent_json or "[]"))
            heads = sorted(
                (r for r in revisions[note] if r[0] not in parents), key=lambda r: (r[3], r[0])
            )
            text = heads[-1][2] if heads else ""
            head_ids = [h[0] for h in heads]
            tombstone, seen_json = states[note]
            seen = set(json.loads(seen_json or "[]"))
            deleted = int(bool(tombstone) and set(head_ids) <= seen)
            updates.append((text, json.dumps(head_ids), int(len(heads) > 1), deleted, note))
    conn.executemany(
        "UPDATE notes SET text = ?, heads = ?, conflict = ?, deleted = ? WHERE id = ?", updates
    )
