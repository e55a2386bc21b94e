"""What two laptops changed at once, for the conflicts screen (no UI code here).

- Note text: two revisions on the same parent are both kept; the note shows ``conflict``
  until someone writes a revision with both as parents (a choice or a merge).
- Small fields merge by last writer wins. When the two latest values of a field come from
  different laptops, differ, and were written close together (within ``WINDOW_MS`` of
  each other on their clocks), the losing value is offered beside the winner. Choosing
  writes the chosen value again, marked as settling both, so the pair is not offered again
  on any laptop.
- Fields that say one thing together are one conflict: an episode's date as written, its
  start and its end (``GROUPS``). They are offered and settled as a whole, so the result
  never joins one laptop's words to the other's range.
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
# (entity, name the team uses): the fields written together as one value.
GROUPS = {("episode", "date"): ("date_text", "date_start", "date_end")}


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
    field: str  # a group's name (``GROUPS``) for fields settled together
    winner: Side
    other: Side
    settles: tuple[str, ...] = ()  # every op a choice settles, when more than the two sides

    @property
    def fields(self) -> tuple[str, ...]:
        """The stored fields this conflict is about (a group's value is a dict of them)."""
        return GROUPS.get((self.entity, self.field), (self.field,))

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
    return _grouped(result, latest)


def _grouped(
    conflicts: list[FieldConflict], latest: dict[tuple[str, str, str], list[Any]]
) -> list[FieldConflict]:
    """One conflict for each group of fields (an episode's date) that has any."""
    result: list[FieldConflict] = []
    parts: dict[tuple[str, str, str], list[FieldConflict]] = {}
    for conflict in conflicts:
        group = next(
            (
                g
                for (e, g), names in GROUPS.items()
                if e == conflict.entity and conflict.field in names
            ),
            None,
        )
        if group is None:
            result.append(conflict)
            continue
        key = (conflict.entity, conflict.entity_id, group)
        if key not in parts:
            parts[key] = []
            result.append(conflict)  # holds the group's place in the list
        parts[key].append(conflict)
    for (entity, entity_id, group), found in parts.items():
        names = GROUPS[(entity, group)]
        by_field = {c.field: c for c in found}
        # Each side as a whole: a field not in dispute reads the same on both.
        shown = {
            name: by_field[name].winner.value
            if name in by_field
            else (
                latest[(entity, entity_id, name)][-1][1].value
                if (entity, entity_id, name) in latest
                else None
            )
            for name in names
        }
        other = {
            name: by_field[name].other.value if name in by_field else shown[name] for name in names
        }
        first = found[0]
        settles = tuple(dict.fromkeys(op for c in found for op in (c.winner.op, c.other.op)))
        combined = FieldConflict(
            first.review,
            entity,
            entity_id,
            group,
            Side(shown, first.winner.author, first.winner.op, first.winner.at_ms),
            Side(other, first.other.author, first.other.op, first.other.at_ms),
            settles,
        )
        result[result.index(first)] = combined
    return result


def resolve_note(store: Store, note: Note, text: str) -> str:
    """A revision on top of every head: the conflict is settled everywhere once synced."""
    return store.revise_note(note, text, parents=note.heads)


def resolve_field(store: Store, conflict: FieldConflict, value: Any) -> None:
    """Write the chosen value again, marked as settling both sides. A group's value is a
    dict of its fields, written together in one op."""
    fields = dict(value) if isinstance(value, dict) else {conflict.field: value}
    settles = list(conflict.settles or (conflict.winner.op, conflict.other.op))
    store.emit(
        conflict.review,
        conflict.entity,
        conflict.entity_id,
        "set",
        {**fields, RESOLVES: settles},
    )


def conflicted(store: Store, review: str) -> tuple[frozenset[str], int]:
    """The ids of the notes with conflicting edits, and how many fields were set on two
    laptops at once (the sync worker announces each note once)."""
    notes = frozenset(row["id"] for row in store.rows("notes", review, conflict=1))
    return notes, len(field_conflicts(store, review))


def count(store: Store, review: str) -> int:
    # Counted, not read: the sync worker asks after every round that brought ops.
    return store.count("notes", review, conflict=1) + len(field_conflicts(store, review))
