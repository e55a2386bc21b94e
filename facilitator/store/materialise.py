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
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
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
    """False for ops this version does not understand, or whose values no column can hold
    (sent by a newer version or a faulty one): they are parked, never dropped, and the
    rest of the sync goes on."""
    return (
        op.format <= FORMAT
        and op.entity in ENTITIES
        and op.action in ACTIONS
        and storable(ENTITIES[op.entity], op.fields)
        and fits(op)
    )


# Fields only a delete or restore op sets (a "set" carrying one is made up: applied, it
# hid or showed a note until the next revision came, so laptops differed by arrival order).
_FLAG_FIELDS = frozenset(("deleted",))
_NOTE_FLAG_FIELDS = frozenset(("deleted", "tombstone", "deleted_seen"))


def fits(op: Op) -> bool:
    """Whether an op's fields have the shape its kind has when a laptop writes it: a
    "set" never carries a deletion flag (only delete and restore ops do), a note's delete
    lists the revisions it saw as text, and a revision names its note and parents as
    text. Ops that do not fit are parked (kept in the log, never applied)."""
    fields = op.fields
    if op.action == "set":
        flags = _NOTE_FLAG_FIELDS if op.entity == "note" else _FLAG_FIELDS
        return flags.isdisjoint(fields)
    if op.entity == "note" and op.action == "delete":
        return _texts(fields.get("seen", []))
    if op.entity == "revision" and op.action == "add":
        note = fields.get("note", "")
        parents = fields.get("parents")
        return note.__class__ is str and (parents is None or _texts(parents))
    return True


def _texts(value: Any) -> bool:
    return value.__class__ is list and all(item.__class__ is str for item in value)


_INT_LIMIT = 2**63  # SQLite's integers are 64-bit


def storable(entity: Entity, fields: dict[str, Any]) -> bool:
    """Whether every field of ``entity`` in ``fields`` can be written to its column: a
    text, number, true/false or nothing (JSON fields: any JSON value), text that UTF-8 can
    hold (not a lone surrogate such as \\ud800) and whole numbers of 64 bits. One op
    holding such a value stopped every later sync on every laptop."""
    json_fields = entity.json_fields
    for name, value in fields.items():
        if name not in entity.fields:
            continue  # not stored
        cls = value.__class__
        if cls is str:
            if not value.isascii() and not _encodes(value):
                return False
        elif cls is int:
            if not -_INT_LIMIT <= value < _INT_LIMIT:
                return False
        elif value is None or cls is bool or cls is float:
            continue
        elif name in json_fields:
            try:
                _json_text(value).encode("utf-8")
            except (TypeError, ValueError, RecursionError):
                return False
        else:
            return False
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
        replaced = _add_immutable(conn, entity, op)
        if entity.name == "revision":
            _recompute_note(conn, str(op.fields.get("note", "")), op.review, op.hlc)
            # A revision replaced by one of another note (made up) leaves its old note.
            recompute_notes(conn, [note for note in replaced if note])
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


# Encoders built once: json.dumps with options builds a new encoder per call, and a sync
# of 100,000 ops makes tens of thousands of these calls. Same text as json.dumps gives.
_json_text = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


def stored_values(fields: dict[str, Any], names: Sequence[str], json_fields: Sequence[str]) -> list:
    """The ``names`` fields as their columns hold them: JSON fields as text (an empty
    list without the encoder), booleans as 0 or 1."""
    values = []
    for name in names:
        value = fields[name]
        if name in json_fields:
            value = "[]" if value == [] else _json_text(value)
        elif value.__class__ is bool:
            value = int(value)
        values.append(value)
    return values


_clocks_text = json.JSONEncoder(sort_keys=True).encode
_NO_LIST = ("", "[]", None)
# Text that json.dumps writes as it is between quotes (printable ASCII, no quote or
# backslash): such a string's JSON can be put together without the encoder.
_PLAIN = re.compile(r"[ !#-\[\]-~]*").fullmatch
_ROW_START = ("id", "review", "created", "updated")


def _value(entity: Entity, name: str, value: Any) -> Any:
    if name in entity.json_fields:
        return "[]" if value == [] else _json_text(value)
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
    rows: dict[tuple[str, str], _Row] = {}
    fold(rows, entity, op.entity_id, op, fields)
    write_rows(conn, rows)


def _add_immutable(conn: sqlite3.Connection, entity: Entity, op: Op) -> list[str]:
    return write_immutable(conn, [op])


def _recompute_note(conn: sqlite3.Connection, note_id: str, review: str, hlc: str) -> None:
    if not note_id:
        return
    _ensure_row(conn, ENTITIES["note"], note_id, review, hlc)
    recompute_notes(conn, [note_id])


# --- many rows at once: one op's writes above, and a sync's batch (store/bulk.py) -----


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


def fold(
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


# An immutable op's columns, in the entity's order, by its entity and field names as sent.
_COLUMNS_OF: dict[tuple[str, ...], tuple[str, ...]] = {}


def write_immutable(conn: sqlite3.Connection, ops: list[Op]) -> list[str]:
    """Add immutable rows. Two ops that add one id with different content (made up: a
    laptop adds each id once) keep the one with the earliest clock, then the least content,
    whatever order they came in. Returns the notes whose revision was replaced so."""
    groups: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
    replaced: list[str] = []
    for op in ops:
        entity = ENTITIES[op.entity]
        fields = op.fields
        given = (entity.name, *fields)
        names = _COLUMNS_OF.get(given)
        if names is None:
            names = tuple(name for name in entity.fields if name in fields)
            if len(_COLUMNS_OF) < 1000:  # a hostile peer's made-up names are not kept
                _COLUMNS_OF[given] = names
        values = [op.entity_id, op.review, 0, op.hlc, op.hlc]
        values += stored_values(fields, names, entity.json_fields)
        groups.setdefault((entity.table, names), []).append(tuple(values))
    for (table, names), values in groups.items():
        # Groups never share an id in practice; within one, executemany keeps batch order,
        # so the first write still wins.
        columns = ", ".join(["id", "review", "deleted", "created", "updated", *names])
        marks = ", ".join("?" * (5 + len(names)))
        cursor = conn.executemany(
            f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({marks})", values
        )
        if cursor.rowcount != len(values):
            replaced += _settle_immutable(conn, table, names, values)
    return replaced


def _settle_immutable(
    conn: sqlite3.Connection, table: str, names: tuple[str, ...], values: list[tuple]
) -> list[str]:
    """For rows some of ``values`` found already held: the held row or the new one,
    whichever has the earlier clock, then the lesser content (as JSON text), every field
    of the entity counted (one an op leaves out is empty)."""
    entity = next(e for e in ENTITIES.values() if e.table == table)
    every = tuple(entity.fields)
    select = f"SELECT review, created, {', '.join(every)} FROM {table} WHERE id = ?"
    replaced: list[str] = []
    for row in values:
        given = dict(zip(names, row[5:], strict=True))
        new = (row[1], row[3], *(given.get(name) for name in every))
        held = conn.execute(select, (row[0],)).fetchone()
        if held is None or tuple(held) == new:
            continue
        if (new[1], _clocks_text(new)) < (held[1], _clocks_text(tuple(held))):
            sets = ", ".join(f"{name} = ?" for name in every)
            conn.execute(
                f"UPDATE {table} SET review = ?, created = ?, updated = ?, {sets} WHERE id = ?",
                (new[0], new[1], new[1], *new[2:], row[0]),
            )
            if entity.name == "revision":
                replaced.append(str(held[2 + every.index("note")] or ""))
    return replaced


def write_rows(conn: sqlite3.Connection, rows: dict[tuple[str, str], _Row]) -> None:
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
    groups: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
    for key, row in rows.items():
        identity = (row.entity_id, row.review, row.created, row.updated)
        names, values = winning_row(row.entity, identity, row.fields, clocks.get(key))
        groups.setdefault((row.entity.table, names), []).append(values)
    upsert_groups(conn, groups)


def winning_row(
    entity: Entity,
    identity: tuple,
    fields: dict[str, tuple[str, Any]],
    held: dict[str, str] | None,
) -> tuple[tuple[str, ...], tuple]:
    """(columns, values) to upsert for one row: ``identity`` (id, review, created,
    updated), then each field of ``fields`` (name -> (clock, value)) whose clock beats the
    one ``held`` for it (None: a row new to this store, where every field wins), then the
    clocks. ``held`` is updated with the winners' clocks."""
    if held is None:
        held = {}
        winners = fields
    else:
        winners = {
            name: (written, value)
            for name, (written, value) in fields.items()
            if name not in held or written > held[name]
        }
    values = [*identity, *(_value(entity, name, value) for name, (_, value) in winners.items())]
    if "deleted" not in winners:  # a new row starts undeleted; a delete op says 1
        values.append(0)
    if winners:
        for name, (written, _) in winners.items():
            held[name] = written
        values.append(_clocks_text(held))
    return tuple(winners), tuple(values)


def upsert_groups(
    conn: sqlite3.Connection, groups: dict[tuple[str, tuple[str, ...]], list[tuple]]
) -> None:
    """Write rows grouped by (table, fields that won): id, review, created, updated, the
    winners' values, deleted (unless a winner) and the clocks (if any field won)."""
    for (table, winner_names), values in groups.items():
        columns = (
            *_ROW_START,
            *winner_names,
            *(() if "deleted" in winner_names else ("deleted",)),
            *(("clocks",) if winner_names else ()),
        )
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


def recompute_notes(conn: sqlite3.Connection, note_ids: list[str]) -> None:
    """Each note's text, heads, conflict and deletion from its revision graph and
    tombstone, for many notes with two queries per chunk."""
    updates = []
    for chunk in _chunks(note_ids):
        marks = ",".join("?" * len(chunk))
        revisions = note_revisions(conn, chunk)
        states = {
            note_id: (tombstone, seen_json)
            for note_id, tombstone, seen_json in conn.execute(
                f"SELECT id, tombstone, deleted_seen FROM notes WHERE id IN ({marks})", chunk
            )
        }
        for note in chunk:
            updates.append((*note_state(revisions[note], *states[note]), note))
    conn.executemany(
        "UPDATE notes SET text = ?, heads = ?, conflict = ?, deleted = ? WHERE id = ?", updates
    )


def note_revisions(conn: sqlite3.Connection, chunk: Sequence[str]) -> dict[str, list[tuple]]:
    """(note, id, parents, text, created) of each revision of these notes, by note."""
    revisions: dict[str, list[tuple]] = {note: [] for note in chunk}
    for row in conn.execute(
        "SELECT note, id, parents, text, created FROM note_revisions "
        f"WHERE note IN ({','.join('?' * len(chunk))})",
        chunk,
    ):
        revisions[row[0]].append(row)
    return revisions


def note_state(held: list[tuple], tombstone: Any, seen_json: Any) -> tuple[str, str, int, int]:
    """A note's (text, heads, conflict, deleted) from its revisions (as
    :func:`note_revisions` gives them) and its tombstone and deleted_seen columns."""
    if len(held) == 1 and held[0][2] in _NO_LIST:
        # One revision with no parents (a note never edited): it is the head.
        _note, head, _parents, text, _created = held[0]
        head_ids = [head]
    else:
        parents: set[str] = set()
        for _note, _id, parent_json, _text, _created in held:
            if parent_json not in _NO_LIST:
                parents.update(json.loads(parent_json))
        heads = sorted((r for r in held if r[1] not in parents), key=lambda r: (r[4], r[1]))
        text = heads[-1][3] if heads else ""
        head_ids = [h[1] for h in heads]
    deleted = 0
    if tombstone:
        seen = set() if seen_json in _NO_LIST else set(json.loads(seen_json))
        deleted = int(set(head_ids) <= seen)
    if len(head_ids) == 1 and _PLAIN(head_ids[0]):
        heads_text = f'["{head_ids[0]}"]'  # as json.dumps writes it
    else:
        heads_text = _clocks_text(head_ids)
    return text, heads_text, int(len(head_ids) > 1), deleted


def rebuild(conn: sqlite3.Connection) -> tuple[int, int]:
    """Rebuild every materialised table from the op log. Returns (applied, parked).

    The caller owns the transaction.
    """
    for table in MATERIALISED_TABLES:
        conn.execute(f"DELETE FROM {table}")
    applied = parked = 0
    # An id that came with two contents: every version kept, none applied (store/variants.py).
    conflicted: set[str] = set()
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'op_variants'").fetchone():
        # (Not there yet when an earlier migration rebuilds.)
        conflicted = {row[0] for row in conn.execute("SELECT DISTINCT id FROM op_variants")}
    for op in read_ops(conn):
        ok = op.id not in conflicted and apply(conn, op)
        conn.execute("UPDATE ops SET applied = ? WHERE id = ?", (int(ok), op.id))
        applied += ok
        parked += not ok
    return applied, parked
