"""What two laptops changed at once, for the conflicts screen (no UI code here).

- Note text: two revisions on the same parent are both kept; the note shows ``conflict``
  until someone writes a revision with both as parents (a choice or a merge).
- Small fields merge by last writer wins. When the two latest values of a field come from
  different laptops, differ, and were written close together (within ``WINDOW_MS`` of
  each other on their clocks), the losing value is offered beside the winner. Choosing
  writes the chosen value again, marked as settling both, so the pair is not offered again
  on any laptop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitator.hlc import Timestamp
from facilitator.model import Note, Revision
from facilitator.store import Store
from facilitator.store.entities import ENTITIES
from facilitator.store.store import RESOLVES

WINDOW_MS = 10 * 60 * 1000
ENTITY_WORDS = {
    "review": "review",
    "participant": "participant",
    "conversation": "conversation",
    "note": "note",
    "episode": "episode",
    "link": "link",
    "follow_up": "follow-up",
    "document": "document",
    "comment": "participant's comment",
    "draft_send": "draft sent",
    "meeting": "group meeting",
}
# Bookkeeping, not the team's words: who recorded a returned comment and when it came in.
# One file imported on two laptops writes both; either value is right, so the later one
# stands without asking anyone to choose.
QUIET_FIELDS = frozenset({("comment", "by"), ("comment", "received_at")})


@dataclass(frozen=True)
class NoteConflict:
    note: Note
    heads: tuple[Revision, ...]


@dataclass(frozen=True)
class Side:
    value: Any
    author: str
    op: str
    at_ms: int


@dataclass(frozen=True)
class FieldConflict:
    review: str
    entity: str
    entity_id: str
    field: str
    winner: Side
    other: Side

    @property
    def title(self) -> str:
        return f"{ENTITY_WORDS.get(self.entity, self.entity)} {self.field.replace('_', ' ')}"


def note_conflicts(store: Store, review: str) -> list[NoteConflict]:
    result = []
    for note in store.notes(review=review):
        if note.conflict:
            heads = tuple(r for r in store.revisions(note.id) if r.id in note.heads)
            result.append(NoteConflict(note, heads))
    return result


def field_conflicts(store: Store, review: str, window_ms: int = WINDOW_MS) -> list[FieldConflict]:
    latest: dict[tuple[str, str, str], list[tuple[str, Side, str, bool]]] = {}
    mutable = tuple(name for name, entity in ENTITIES.items() if not entity.immutable)
    marks = ",".join("?" * len(mutable))
    for op in store.ops(
        f"WHERE review = ? AND action = 'set' AND entity IN ({marks})", (review, *mutable)
    ):
        try:
            stamp = Timestamp.decode(op.hlc)
        except ValueError:
            continue
        settles = bool(op.fields.get(RESOLVES))
        for name, value in op.fields.items():
            if name not in ENTITIES[op.entity].fields or (op.entity, name) in QUIET_FIELDS:
                continue
            side = Side(value, op.author, op.id, stamp.wall_ms)
            history = latest.setdefault((op.entity, op.entity_id, name), [])
            history.append((op.hlc, side, op.device, settles))
            if len(history) > 2:
                del history[0]  # ops come in clock order: keep the two latest
    result = []
    for (entity, entity_id, name), history in latest.items():
        if len(history) < 2:
            continue
        (_, other, other_device, _), (_, winner, winner_device, settled) = history
        if settled or other_device == winner_device or other.value == winner.value:
            continue
        if abs(winner.at_ms - other.at_ms) > window_ms:
            continue
        result.append(FieldConflict(review, entity, entity_id, name, winner, other))
    return result


def resolve_note(store: Store, note: Note, text: str) -> str:
    """A revision on top of every head: the conflict is settled everywhere once synced."""
    return store.revise_note(note, text, parents=note.heads)


def resolve_field(store: Store, conflict: FieldConflict, value: Any) -> None:
    store.emit(
        conflict.review,
        conflict.entity,
        conflict.entity_id,
        "set",
        {conflict.field: value, RESOLVES: [conflict.winner.op, conflict.other.op]},
    )


def conflicted(store: Store, review: str) -> tuple[frozenset[str], int]:
    """The ids of the notes with conflicting edits, and how many fields were set on two
    laptops at once (the sync worker announces each note once)."""
    notes = frozenset(row["id"] for row in store.rows("notes", review, conflict=1))
    return notes, len(field_conflicts(store, review))


def count(store: Store, review: str) -> int:
    # Counted, not read: the sync worker asks after every round that brought ops.
    return store.count("notes", review, conflict=1) + len(field_conflicts(store, review))
