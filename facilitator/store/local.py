"""Writing a note made on this laptop: its ops and the rows they create, in a few
statements inside the caller's transaction.

Everything such a batch touches is new: the note and its first revision have fresh ids,
and its links and follow-up take ids made from the note's. So nothing is read first
(there are no field clocks to compare, no revisions to walk): each row is inserted whole,
the note with the text and head its one revision gives it. A note is saved on every
Enter, inside the durable commit the reviewer waits for; the general path
(:func:`materialise.apply`, op by op) took about 15 statements for a plain note.

The rows are exactly those that applying the ops one by one gives, as
tests/test_store_local.py checks against a second store fed the same ops.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from facilitator.store.entities import ENTITIES
from facilitator.store.materialise import _ROW_START, _clocks_text, _Row, _value, fold
from facilitator.store.oplog import OP_COLUMNS, Op

_NOTE = ENTITIES["note"]
# Bound parameters per INSERT: a note with hundreds of tags stays under the smallest
# limit an older SQLite has (999).
_MAX_PARAMS = 900


@lru_cache(maxsize=32)
def _insert_ops_sql(count: int) -> str:
    """One multi-row insert for ``count`` ops (built once per count; SQLite's statement
    cache then keeps it prepared)."""
    marks = "(" + ", ".join("?" * (len(OP_COLUMNS) + 1)) + ")"
    return f"INSERT INTO ops ({', '.join(OP_COLUMNS)}, applied) VALUES " + ", ".join(
        [marks] * count
    )


@lru_cache(maxsize=64)
def _insert_rows_sql(table: str, columns: tuple[str, ...], count: int) -> str:
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([marks] * count)


def write_new(conn: sqlite3.Connection, ops: list[Op]) -> None:
    """Append ``ops`` (made here, in order) to the log and write the rows they create.

    Only for batches that create what they touch: set ops on rows new to the store, and
    revisions that are the first and only one of a note set earlier in the batch. Anything
    else is a programming error (ValueError), raised before anything is written. The
    caller owns the transaction.
    """
    rows: dict[tuple[str, str], _Row] = {}
    firsts: dict[str, Op] = {}
    for op in ops:
        entity = ENTITIES[op.entity]
        if entity.name == "revision" and op.action == "add" and not op.fields.get("parents"):
            note = str(op.fields.get("note", ""))
            if note in firsts or ("note", note) not in rows:
                raise ValueError(f"revision {op.entity_id} is not the first of a new note")
            firsts[note] = op
            fold(rows, _NOTE, note, op, {})
        elif not entity.immutable and op.action == "set":
            # The same link twice (a caller's repeated factor) folds into one row, as
            # applying the two ops one by one would.
            if entity.name == "note" and {"tombstone", "deleted"} & set(op.fields):
                raise ValueError("a new note is not deleted")
            fold(rows, entity, op.entity_id, op, op.fields)
        else:
            raise ValueError(f"{op.entity} {op.action} does not create a new row")
    if len(firsts) != sum(1 for name, _ in rows if name == "note"):
        raise ValueError("a new note needs its first revision in the same batch")

    per = _MAX_PARAMS // (len(OP_COLUMNS) + 1)
    for start in range(0, len(ops), per):
        chunk = ops[start : start + per]
        params: list = []
        for op in chunk:
            params += op.row()
            params.append(1)
        conn.execute(_insert_ops_sql(len(chunk)), params)

    groups: dict[tuple[str, tuple[str, ...]], list] = {}
    for (name, entity_id), row in rows.items():
        entity = row.entity
        names = tuple(row.fields)
        values = [entity_id, row.review, row.created, row.updated]
        values += [_value(entity, field, value) for field, (_, value) in row.fields.items()]
        columns = (*_ROW_START, *names)
        if "deleted" not in row.fields:
            columns += ("deleted",)
            values.append(0)
        if names:
            columns += ("clocks",)
            values.append(
                _clocks_text({field: written for field, (written, _) in row.fields.items()})
            )
        if name == "note":
            first = firsts[entity_id]
            columns += ("text", "heads", "conflict")
            values += [first.fields.get("text", ""), _clocks_text([first.entity_id]), 0]
        groups.setdefault((entity.table, columns), []).append(values)
    for first in firsts.values():
        revision = ENTITIES["revision"]
        names = tuple(field for field in revision.fields if field in first.fields)
        values = [first.entity_id, first.review, 0, first.hlc, first.hlc]
        values += [_value(revision, field, first.fields[field]) for field in names]
        groups.setdefault(
            (revision.table, ("id", "review", "deleted", "created", "updated", *names)), []
        ).append(values)
    for (table, columns), batch in groups.items():
        per = _MAX_PARAMS // len(columns)
        for start in range(0, len(batch), per):
            chunk = batch[start : start + per]
            flat: list = []
            for values in chunk:
                flat += values
            conn.execute(_insert_rows_sql(table, columns, len(chunk)), flat)
