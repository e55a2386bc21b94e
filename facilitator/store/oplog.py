"""The op: one change to a review, as appended to the log and carried between devices."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

# The op format this version writes and understands. Ops of a newer format are parked.
FORMAT = 1

ACTIONS = ("set", "add", "delete", "restore")

OP_COLUMNS = (
    "id",
    "hlc",
    "device",
    "epoch",
    "seq",
    "author",
    "review",
    "entity",
    "entity_id",
    "action",
    "fields",
    "format",
)


# Built once: json.dumps with options builds a new encoder per call. Same text.
_fields_text = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode

# C-level getters for Op.row: a sync writes tens of thousands of op rows.
_BEFORE_FIELDS = attrgetter(*OP_COLUMNS[: OP_COLUMNS.index("fields")])
_ROW_FROM_TEXT = attrgetter(*(c if c != "fields" else "fields_json" for c in OP_COLUMNS))


# json.loads is this scanner behind a Python wrapper that costs as much again for an op's
# small object; the wrapper's checks are kept (whitespace around, extra data).
_scan = json.JSONDecoder().scan_once


def _object_from_text(text: str) -> Any:
    """``json.loads(text)``, faster for the usual text: an object, nothing around it."""
    if text[:1] == "{":
        try:
            value, end = _scan(text, 0)
        except StopIteration:  # a value missing: json.loads says so as a ValueError
            return json.loads(text)
        if end == len(text):
            return value
    return json.loads(text)


@dataclass(frozen=True)
class Op:
    hlc: str
    device: str
    epoch: int
    seq: int
    author: str
    review: str
    entity: str
    entity_id: str
    action: str
    fields: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # ``fields`` as the JSON text it was read from (the log or a segment), so writing the op
    # again does not serialise it again: a sync of 100,000 ops spent 0.4 s on that alone.
    fields_json: str | None = field(default=None, compare=False, repr=False)

    def fields_text(self) -> str:
        if self.fields_json is not None:
            return self.fields_json
        return _fields_text(self.fields)

    def row(self) -> tuple:
        """The op's values in ``OP_COLUMNS`` order, as the log stores them."""
        if self.fields_json is None:
            return (*_BEFORE_FIELDS(self), self.fields_text(), self.format)
        return _ROW_FROM_TEXT(self)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in OP_COLUMNS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Op:
        fields = data["fields"]
        text = None
        if isinstance(fields, str):
            text = fields
            fields = _object_from_text(text)
        if not isinstance(fields, dict):
            raise TypeError("an op's fields must be an object")
        # Filled in directly rather than through the frozen dataclass's __init__ (one
        # object.__setattr__ per field): a sync builds tens of thousands of these.
        op = object.__new__(cls)
        op.__dict__.update(
            {
                "id": str(data["id"]),
                "hlc": str(data["hlc"]),
                "device": str(data["device"]),
                "epoch": int(data["epoch"]),
                "seq": int(data["seq"]),
                "author": str(data["author"]),
                "review": str(data["review"]),
                "entity": str(data["entity"]),
                "entity_id": str(data["entity_id"]),
                "action": str(data["action"]),
                "fields": fields,
                "format": int(data["format"]),
                "fields_json": text,
            }
        )
        return op

    @classmethod
    def made(
        cls,
        op_id: str,
        hlc: str,
        device: str,
        epoch: int,
        seq: int,
        author: str,
        review: str,
        entity: str,
        entity_id: str,
        action: str,
        fields: dict[str, Any],
    ) -> Op:
        """An op made on this laptop, with its fields' JSON text at hand for the log.
        Filled in directly, like :meth:`from_dict`: a note makes two or more ops inside
        the commit the reviewer waits for."""
        op = object.__new__(cls)
        op.__dict__.update(
            id=op_id,
            hlc=hlc,
            device=device,
            epoch=epoch,
            seq=seq,
            author=author,
            review=review,
            entity=entity,
            entity_id=entity_id,
            action=action,
            fields=fields,
            format=FORMAT,
            fields_json=_fields_text(fields),
        )
        return op

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple) -> Op:
        return cls.from_dict(dict(zip(OP_COLUMNS, row, strict=False)))


def insert_op(conn: sqlite3.Connection, op: Op, *, applied: bool) -> bool:
    """Append an op; False if an op with this id is already in the log."""
    cursor = conn.execute(
        f"INSERT OR IGNORE INTO ops ({', '.join(OP_COLUMNS)}, applied) "
        f"VALUES ({', '.join('?' * len(OP_COLUMNS))}, ?)",
        (*op.row(), int(applied)),
    )
    return cursor.rowcount == 1


def record_aliases(conn: sqlite3.Connection, ops: Iterable[Op]) -> None:
    """For ops already in the log: keep the numbering each arrived under if the log holds
    it under another (a forked laptop's op, as the share numbers it), so `store check`
    can tell a renumbered op from a lost one."""
    conn.executemany(
        "INSERT OR IGNORE INTO op_aliases (device, epoch, seq, id) "
        "SELECT ?, ?, ?, id FROM ops WHERE id = ? AND NOT (device = ? AND epoch = ? AND seq = ?)",
        [(op.device, op.epoch, op.seq, op.id, op.device, op.epoch, op.seq) for op in ops],
    )


def read_ops_since(conn: sqlite3.Connection, position: int) -> tuple[list[Op], int]:
    """Ops appended after rowid ``position``, in log order, and the rowid to read from next
    (from the same query, so an op appended meanwhile is neither skipped nor read twice)."""
    rows = conn.execute(
        f"SELECT rowid, {', '.join(OP_COLUMNS)} FROM ops WHERE rowid > ? ORDER BY hlc, id",
        (position,),
    ).fetchall()
    return [Op.from_row(row[1:]) for row in rows], max((row[0] for row in rows), default=position)


def read_ops(conn: sqlite3.Connection, where: str = "", params: tuple = ()) -> list[Op]:
    sql = f"SELECT {', '.join(OP_COLUMNS)} FROM ops {where} ORDER BY hlc, id"
    return [Op.from_row(row) for row in conn.execute(sql, params)]
