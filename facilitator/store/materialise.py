"""Turning ops into the materialised tables.

Every rule here is order-independent, so two devices that hold the same set of ops hold
identical tables, whatever order the ops arrived in:

- small fields: last writer wins per field, by HLC (ties broken by device, then op id);
- ``created``/``updated``: the earliest/latest HLC seen for the entity;
- note text: the head(s) of the revision graph; two heads are a visible conflict;
- note deletion: a tombstone hides the note only if it had seen every current head;
- immutable entities (stage events, revisions): first write wins, later copies ignored.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from facilitator.store.entities import ENTITIES, MATERIALISED_TABLES, Entity
from facilitator.store.oplog import ACTIONS, FORMAT, Op, read_ops


def stamp(op: Op) -> str:
    """What a field's last writer is judged by: the HLC, then the op id.

    HLCs alone can tie when a laptop was cloned (same device id, same clock); breaking the
    tie by op id keeps every device's choice the same whatever order ops arrive in.
    """
    return f"{op.hlc} {op.id}"


def can_apply(op: Op) -> bool:
    """False for ops this version does not understand: they are parked, never dropped."""
    return op.format <= FORMAT and op.entity in ENTITIES and op.action in ACTIONS


def applies(op: Op) -> bool:
    """Whether :func:`apply` applies this op rather than parking it: immutable entities
    are only ever added, the others set, deleted or restored."""
    if not can_apply(op):
        return False
    if ENTITIES[op.entity].immutable:
        return op.action == "add"
    return op.action in ("set", "delete", "restore")


def apply(conn: sqlite3.Connection, op: Op) -> bool:
    """Apply one op to the materialised tables; False if it had to be parked."""
    if not applies(op):
        return False
    entity = ENTITIES[op.entity]
    if entity.immutable:
        _add_immutable(conn, entity, op)
        if entity.name == "revision":
            _recompute_note(conn, str(op.fields.get("note", "")), op.review, op.hlc)
        return True
    _set_fields(conn, entity, op, row_fields(entity, op))
    # Note text comes from revisions; only a tombstone change alters what a note shows.
    if entity.name == "note" and op.action in ("delete", "restore"):
        _recompute_note(conn, op.entity_id, op.review, op.hlc)
    return True


def row_fields(entity: Entity, op: Op) -> dict[str, Any]:
    """The fields a set, delete or restore op writes to its row. A delete or restore sets
    a note's tombstone (with the revisions the deleter saw) or any other row's deleted flag."""
    if op.action not in ("delete", "restore"):
        return dict(op.fields)
    flag = 1 if op.action == "delete" else 0
    if entity.name != "note":
        return {"deleted": flag}
    fields: dict[str, Any] = {"tombstone": flag}
    if op.action == "delete":
        fields["deleted_seen"] = op.fields.get("seen", [])
    return fields


def _value(entity: Entity, name: str, value: Any) -> Any:
    if name in entity.json_fields:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def _ensure_row(conn: sqlite3.Connection, entity: Entity, entity_id: str, review: str, hlc: str):
    conn.execute(
        f"INSERT INTO {entity.table} (id, review, deleted, created, updated) "
        "VALUES (?, ?, 0, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "created = min(created, excluded.created), updated = max(updated, excluded.updated)",
        (entity_id, review, hlc, hlc),
    )


def _set_fields(conn: sqlite3.Connection, entity: Entity, op: Op, fields: dict[str, Any]) -> None:
    allowed = set(entity.fields) | {"deleted"}
    held = conn.execute(
        f"SELECT clocks FROM {entity.table} WHERE id = ?", (op.entity_id,)
    ).fetchone()
    clocks: dict[str, str] = json.loads(held[0]) if held and held[0] else {}
    written = stamp(op)
    winners = {
        name: _value(entity, name, value)
        for name, value in fields.items()
        if name in allowed and (name not in clocks or written > clocks[name])
    }
    # One upsert creates the row if needed, widens created/updated and sets the winners.
    values = {
        "id": op.entity_id,
        "review": op.review,
        "deleted": 0,
        "created": op.hlc,
        "updated": op.hlc,
        **winners,
    }
    updates = [
        "created = min(created, excluded.created)",
        "updated = max(updated, excluded.updated)",
        *(f"{name} = excluded.{name}" for name in winners),
    ]
    if winners:
        clocks.update(dict.fromkeys(winners, written))
        values["clocks"] = json.dumps(clocks, sort_keys=True)
        updates.append("clocks = excluded.clocks")
    conn.execute(
        f"INSERT INTO {entity.table} ({', '.join(values)}) "
        f"VALUES ({', '.join('?' * len(values))}) "
        f"ON CONFLICT (id) DO UPDATE SET {', '.join(updates)}",
        tuple(values.values()),
    )


def _add_immutable(conn: sqlite3.Connection, entity: Entity, op: Op) -> None:
    names = [name for name in entity.fields if name in op.fields]
    values = [_value(entity, name, op.fields[name]) for name in names]
    columns = ", ".join(["id", "review", "deleted", "created", "updated", *names])
    marks = ", ".join("?" * (5 + len(names)))
    conn.execute(
        f"INSERT OR IGNORE INTO {entity.table} ({columns}) VALUES ({marks})",
        (op.entity_id, op.review, 0, op.hlc, op.hlc, *values),
    )


def _recompute_note(conn: sqlite3.Connection, note_id: str, review: str, hlc: str) -> None:
    if not note_id:
        return
    _ensure_row(conn, ENTITIES["note"], note_id, review, hlc)
    revisions = conn.execute(
        "SELECT id, parents, text, created FROM note_revisions WHERE note = ?", (note_id,)
    ).fetchall()
    parents: set[str] = set()
    for _id, parent_json, _text, _created in revisions:
        parents.update(json.loads(parent_json or "[]"))
    heads = sorted((r for r in revisions if r[0] not in parents), key=lambda r: (r[3], r[0]))
    text = heads[-1][2] if heads else ""
    head_ids = [h[0] for h in heads]
    tombstone, seen_json = conn.execute(
        "SELECT tombstone, deleted_seen FROM notes WHERE id = ?", (note_id,)
    ).fetchone()
    seen = set(json.loads(seen_json or "[]"))
    deleted = int(bool(tombstone) and set(head_ids) <= seen)
    conn.execute(
        "UPDATE notes SET text = ?, heads = ?, conflict = ?, deleted = ? WHERE id = ?",
        (text, json.dumps(head_ids), int(len(heads) > 1), deleted, note_id),
    )


def rebuild(conn: sqlite3.Connection) -> tuple[int, int]:
    """Rebuild every materialised table from the op log. Returns (applied, parked).

    The caller owns the transaction.
    """
    for table in MATERIALISED_TABLES:
        conn.execute(f"DELETE FROM {table}")
    applied = parked = 0
    for op in read_ops(conn):
        ok = apply(conn, op)
        conn.execute("UPDATE ops SET applied = ? WHERE id = ?", (int(ok), op.id))
        applied += ok
        parked += not ok
    return applied, parked
