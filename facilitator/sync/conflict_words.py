"""A field conflict in the words a reviewer uses (no UI code here).

The store keeps ids, 0/1 flags, ISO dates and column names; the team knows labels (E2,
C1, K3), factor areas by name, "linked" or "not linked", and dates as "3 Mar 2024". The
conflicts screen shows a conflict only through these words, so a reviewer can choose
between two versions without knowing how either is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from facilitator.dates import uk_moment
from facilitator.method import Method
from facilitator.store import Store
from facilitator.store.entities import ENTITIES
from facilitator.store.queries import LABEL_PREFIX
from facilitator.sync.conflicts import ENTITY_WORDS, FieldConflict

NOT_SET = "not set"

# Column names as the team says them; a field not listed reads as its name in words.
FIELD_WORDS = {
    "date_text": "date as written",
    "date_start": "start date",
    "date_end": "end date",
    "team_good": "good practice (team)",
    "team_problematic": "problematic practice (team)",
    "team_significance": "significance (team)",
    "team_information": "information (team)",
    "merged_into": "merged into",
    "planned_at": "planned time",
    "planned_minutes": "planned length",
    "started_at": "start",
    "ended_at": "end",
    "note_taker": "note-taker",
    "elapsed_s": "time into the conversation",
    "tombstone": "deletion",
    "done": "tick",
    "at": "time",
    "received_at": "time received",
    "imported_at": "time imported",
    "file_date": "file's date",
    "file_author": "file's author",
    "widespread": "how widespread",
    "relevance": "relevance now",
    "raised_in": "raised in",
}
# Fields that hold a moment or a day: shown in the one UK style users see.
DATE_FIELDS = frozenset(
    {
        "at",
        "planned_at",
        "started_at",
        "ended_at",
        "date_start",
        "date_end",
        "imported_at",
        "received_at",
        "frozen_at",
        "file_date",
    }
)
# Fields that hold another entity's id, and the labelled table it is in.
LABELLED_REFS = {
    "conversation": "conversations",
    "participant": "participants",
    "episode": "episodes",
    "merged_into": "episodes",
    "draft": "dialogue_drafts",
    "comment": "dialogue_comments",
}
# 0/1 fields: what each value means.
FLAGS = {
    "tombstone": ("not deleted", "deleted"),
    "done": ("not ticked", "ticked"),
}
# Free text the team writes and may merge by hand; the rest (ids, dates, flags, numbers,
# choices from a list) is chosen, never typed.
ONE_LINE = frozenset(
    {"title", "name", "pseudonym", "role", "agency", "lead", "note_taker", "date_text", "owner"}
)
MANY_LINES = frozenset(
    {
        "description",
        "text",
        "response",
        "note",
        "quote",
        "reasons",
        "team_good",
        "team_problematic",
        "team_significance",
        "team_information",
        "replacement",
    }
)
# Fields named "note" that hold a note's id, not the team's words.
NOTE_REFS = frozenset({("follow_up", "note")})


@dataclass(frozen=True)
class Worded:
    """One field conflict in words: what it is about, and each side's value."""

    subject: str
    winner: str
    other: str
    summary: str  # one line for the list


def field_words(conflict: FieldConflict) -> str:
    return FIELD_WORDS.get(conflict.field, conflict.field.replace("_", " "))


def editable(conflict: FieldConflict) -> bool:
    """Whether a merged value can be typed for this field (text the team writes)."""
    if (conflict.entity, conflict.field) in NOTE_REFS or conflict.entity == "link":
        return False
    return conflict.field in ONE_LINE or conflict.field in MANY_LINES


def one_line_only(conflict: FieldConflict) -> bool:
    return conflict.field in ONE_LINE


def when(at_ms: int) -> str:
    """When a side was written, as the team reads a time."""
    return uk_moment(datetime.fromtimestamp(at_ms / 1000).astimezone().isoformat())


def word(store: Store, conflict: FieldConflict, method: Method | None = None) -> Worded:
    words = _Words(store, conflict.review, method)
    if conflict.entity == "link":
        return words.link(conflict)
    subject = words.subject(conflict)
    winner = words.value(conflict, conflict.winner.value)
    other = words.value(conflict, conflict.other.value)
    short_winner, short_other = winner, other
    if isinstance(conflict.winner.value, dict) and isinstance(conflict.other.value, dict):
        # The list has room for the words as written; the detail shows each range too.
        short_winner = _date({"date_text": conflict.winner.value.get("date_text")}) or winner
        short_other = _date({"date_text": conflict.other.value.get("date_text")}) or other
        if NOT_SET in (short_winner, short_other) or short_winner == short_other:
            short_winner, short_other = winner, other
    summary = f"{subject}: {_short(short_winner)} (shown) or {_short(short_other)}"
    return Worded(subject, winner, other, summary)


def subject(store: Store, conflict: FieldConflict, method: Method | None = None) -> str:
    """What the two laptops disagree about, as the team names it: "K3, participant's
    comment text", "Answer to K3: response", "E2, episode title"."""
    return word(store, conflict, method).subject


class _Words:
    def __init__(self, store: Store, review: str, method: Method | None) -> None:
        self.store = store
        self.review = review
        self.method = method
        self._labels: dict[str, dict[str, str]] = {}

    def label(self, table: str, identifier: str) -> str | None:
        if table not in self._labels:
            self._labels[table] = self.store.labels(table, self.review)
        return self._labels[table].get(identifier)

    # --- what the conflict is about -----------------------------------------------------

    def subject(self, conflict: FieldConflict) -> str:
        field = field_words(conflict)
        if conflict.entity == "answer":
            comment = next(
                (
                    row["comment"]
                    for row in self.store.rows("comment_answers", self.review)
                    if row["id"] == conflict.entity_id
                ),
                "",
            )
            return f"Answer to {self.label('dialogue_comments', comment) or 'a comment'}: {field}"
        if conflict.entity == "note":
            return f"{self.note(conflict.entity_id)}: {field}"
        what = f"{ENTITY_WORDS.get(conflict.entity, conflict.entity)} {field}"
        entity = ENTITIES.get(conflict.entity)
        if entity is not None and entity.table in LABEL_PREFIX:
            label = self.label(entity.table, conflict.entity_id)
            if label:
                return f"{label}, {what}"
        return what[:1].upper() + what[1:]

    def note(self, note_id: str) -> str:
        note = self.store.note(note_id)
        if note is None:
            return "A deleted note"
        text = " ".join(note.text.split())
        text = text if len(text) <= 30 else text[:29] + "…"
        return f"Note at {note.at[11:16]} “{text}”"

    # --- a link: one line, both sides --------------------------------------------------

    def link(self, conflict: FieldConflict) -> Worded:
        row = next(
            (r for r in self.store.rows("links", self.review) if r["id"] == conflict.entity_id),
            None,
        )
        if row is None:
            target = "a tag"
            source = "A note"
        else:
            target = self.target(row["target_kind"], row["target"], row["relation"] or "")
            source = self.note(row["source"]) if row["source_kind"] == "note" else "A record"
        if conflict.field != "present":
            # The other fields of a link name what it joins and never change.
            subject = f"{source}: link to {target}, {field_words(conflict)}"
            winner = self.plain(conflict.winner.value)
            other = self.plain(conflict.other.value)
            summary = f"{subject}: {_short(winner)} (shown) or {_short(other)}"
            return Worded(subject, winner, other, summary)
        linked, unlinked = f"Linked to {target}", f"Not linked to {target}"
        winner = linked if conflict.winner.value else unlinked
        other = linked if conflict.other.value else unlinked
        summary = f"{source}: linked to {target} on one laptop, not on the other"
        return Worded(f"{source}: link to {target}", winner, other, summary)

    def target(self, kind: str, target: str, relation: str) -> str:
        if kind == "episode":
            name = self.label("episodes", target) or "a deleted episode"
        elif kind in ("factor", "prompt"):
            name = self.tag(target)
        else:
            name = target
        if relation in ("helped", "hindered"):
            return f"{name} (as having {relation})"
        return f"{name} ({relation})" if relation else name

    def tag(self, key: str) -> str:
        if self.method is not None:
            for keyed in (*self.method.factor_areas, *self.method.local_rationality):
                if keyed.key == key:
                    return keyed.title
        return f"@{key}"

    # --- one side's value ---------------------------------------------------------------

    def value(self, conflict: FieldConflict, value: Any) -> str:
        field = conflict.field
        if isinstance(value, dict):  # fields settled together (conflicts.GROUPS)
            return _date(value) if field == "date" else self.plain(list(value.values()))
        if value is None or value == "" or value == []:
            return NOT_SET
        if field in FLAGS:
            return FLAGS[field][1 if value else 0]
        if field in DATE_FIELDS:
            return uk_moment(str(value))
        if (conflict.entity, field) in NOTE_REFS:
            return self.note(str(value))
        if field in LABELLED_REFS:
            return self.label(LABELLED_REFS[field], str(value)) or f"a deleted {field}"
        if field == "document":
            return next(
                (d.title for d in self.store.documents(self.review) if d.id == value),
                "a deleted document",
            )
        if field == "pattern":
            return next(
                (r["title"] for r in self.store.rows("patterns", self.review) if r["id"] == value),
                "a deleted pattern",
            )
        if field == "stage":
            return self.stage(value)
        if field == "kind" and conflict.entity == "note" and self.method is not None:
            return self.method.kind_label(str(value))
        if field == "planned_minutes":
            return f"{value} minutes"
        if field == "elapsed_s" and isinstance(value, int | float):
            return f"{int(value) // 60} min {int(value) % 60:02d} s in"
        if field == "factors":
            return ", ".join(self.tag(key) for key in _listed(value)) or NOT_SET
        if field == "attended":
            people = [self.label("participants", p) or "someone deleted" for p in _listed(value)]
            return ", ".join(people) or NOT_SET
        return self.plain(value)

    def stage(self, value: Any) -> str:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return self.plain(value)
        if self.method is not None and 1 <= number <= len(self.method.stages):
            return f"stage {number} ({self.method.stage(number).title})"
        return f"stage {number}"

    @staticmethod
    def plain(value: Any) -> str:
        if value is None or value == "":
            return NOT_SET
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value) or NOT_SET
        return str(value)


def _date(value: dict[str, Any]) -> str:
    """An episode's date as a whole: the words as written, then the range they were read
    as, so two sides differ visibly in both: "summer 2024 (1 Jun 2024 to 31 Aug 2024)"."""
    start, end = uk_moment(value.get("date_start")), uk_moment(value.get("date_end"))
    span = f"{start} to {end}" if start and end and start != end else start or end
    written = " ".join(str(value.get("date_text") or "").split())
    if written and span:
        return f"{written} ({span})"
    return written or span or NOT_SET


def _short(text: str, width: int = 32) -> str:
    """A side as the one-line list shows it: both sides fit, the detail has them whole."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]
