"""Plain records of the dialogue, as read back from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DRAFT_KINDS = ("preliminary", "interim", "final")
MEETING_KINDS = ("preliminary", "interim", "closing")
RESPONSES = ("accepted", "declined", "noted")
# What a comment is tied to in a draft: an episode, a pattern, a chronology entry, or
# the participant's own record, or nothing more precise than a passage of the text.
TARGET_KINDS = ("episode", "pattern", "chronology", "recommendation", "record", "passage")
ANCHOR_FOUND = "found"
ANCHOR_NOT_FOUND = "anchor not found"
ANCHOR_NONE = "general"  # typed with no --on: about the draft as a whole

DRAFT_TITLES = {
    "preliminary": "Preliminary report",
    "interim": "Interim report",
    "final": "Final draft report",
}
MEETING_TITLES = {
    "preliminary": "Preliminary group meeting",
    "interim": "Interim group meeting",
    "closing": "Closing meeting",
}


@dataclass(frozen=True)
class DraftRecord:
    id: str
    label: str  # D1, D2 ... in the order they were frozen
    review: str
    kind: str
    frozen_at: str
    by: str
    content: dict[str, Any]

    @property
    def title(self) -> str:
        return DRAFT_TITLES.get(self.kind, self.kind)

    @property
    def frozen_label(self) -> str:
        """The label the draft was frozen with (``D3``), as its packs print it. The label
        the team uses (:attr:`label`) gains the start of the id when another laptop froze
        a D3 too; what a pack already said must not change with it."""
        number = self.content.get("number")
        return f"D{number}" if isinstance(number, int) and number > 0 else self.label


@dataclass(frozen=True)
class Send:
    id: str
    draft: str
    participant: str
    at: str
    by: str


@dataclass(frozen=True)
class Answer:
    response: str
    note: str
    by: str
    at: str
    earlier: tuple[Answer, ...] = ()  # answers it replaced, oldest first: kept, not lost

    @property
    def history(self) -> str:
        """Every answer given, when there was more than one (on two laptops, say): "answered
        twice: accepted by A on …, declined by B on … (reason); the later stands". Empty
        when the comment was answered once."""
        if not self.earlier:
            return ""
        given = [*self.earlier, self]
        times = {2: "twice", 3: "three times"}.get(len(given), f"{len(given)} times")

        def one(answer: Answer) -> str:
            when = f" on {answer.at[:16].replace('T', ' ')}" if answer.at else ""
            note = " ".join(answer.note.split())
            note = f" ({note[:39]}…)" if len(note) > 40 else f" ({note})" if note else ""
            return f"{answer.response} by {answer.by or 'someone'}{when}{note}"

        latest = "the later" if len(given) == 2 else "the latest"
        return f"answered {times}: {', '.join(one(a) for a in given)}; {latest} stands"


@dataclass(frozen=True)
class CommentRecord:
    id: str
    label: str  # K1, K2 ...
    review: str
    draft: str
    participant: str
    source: str  # word | typed
    kind: str  # comment | insertion | deletion
    text: str
    quote: str
    target_kind: str
    target: str
    target_label: str
    anchor: str
    near: str
    received_at: str
    file_author: str
    file_date: str
    filename: str
    by: str
    answer: Answer | None = None

    @property
    def open(self) -> bool:
        return self.answer is None

    @property
    def where(self) -> str:
        """What the comment is on, as a reader would say it."""
        if self.anchor == ANCHOR_NOT_FOUND:
            near = f", near {self.near}" if self.near else ""
            return f"anchor not found{near}"
        return self.target_label or "the draft as a whole"


@dataclass(frozen=True)
class MeetingRecord:
    id: str
    label: str  # M1, M2 ...
    review: str
    kind: str
    at: str
    attended: tuple[str, ...]
    draft: str
    conversation: str

    @property
    def title(self) -> str:
        return MEETING_TITLES.get(self.kind, self.kind)


@dataclass
class Board:
    """Everything the dialogue board shows, in one read."""

    drafts: list[DraftRecord] = field(default_factory=list)
    sends: list[Send] = field(default_factory=list)
    comments: list[CommentRecord] = field(default_factory=list)
    meetings: list[MeetingRecord] = field(default_factory=list)
