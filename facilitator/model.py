"""Plain records read from the store. No behaviour beyond small derived properties."""

from __future__ import annotations

from dataclasses import dataclass, field

PARTICIPANT_KINDS = ("worker", "manager", "family", "other")


@dataclass(frozen=True)
class Review:
    id: str
    label: str
    title: str
    questions: tuple[str, ...] = ()
    created: str = ""


@dataclass(frozen=True)
class Participant:
    id: str
    label: str
    review: str
    role: str
    agency: str
    kind: str = "worker"
    name: str | None = None
    pseudonym: str | None = None

    @property
    def display(self) -> str:
        """How the team refers to this person inside the review (never in a final report)."""
        who = self.name or self.role
        return f"{who} ({self.role}, {self.agency})" if self.name else f"{who}, {self.agency}"


@dataclass(frozen=True)
class Conversation:
    id: str
    label: str
    review: str
    participant: str
    sequence: int
    lead: str | None = None
    note_taker: str | None = None
    planned_at: str | None = None
    planned_minutes: int | None = None
    started_at: str | None = None
    ended_at: str | None = None

    @property
    def status(self) -> str:
        if self.ended_at:
            return "done"
        if self.started_at:
            return "in progress"
        return "planned"


@dataclass(frozen=True)
class StageEvent:
    id: str
    conversation: str
    stage: int
    at: str
    by: str | None = None


@dataclass(frozen=True)
class Revision:
    id: str
    note: str
    text: str
    parents: tuple[str, ...]
    at: str
    author: str | None


@dataclass(frozen=True)
class Note:
    id: str
    review: str
    conversation: str
    at: str
    elapsed_s: float | None
    stage: int | None
    kind: str
    text: str
    author: str | None
    device: str | None
    heads: tuple[str, ...] = ()
    conflict: bool = False
    problems: tuple[str, ...] = ()
    episodes: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()
    # Factors the note marks as having helped ("resources+") or hindered ("team-") practice.
    directions: tuple[str, ...] = ()
    contradicts: tuple[str, ...] = ()
    document: str | None = None
    passage: str | None = None

    def direction(self, factor: str) -> str:
        """ "+" if the note says this factor helped, "-" if it hindered, else ""."""
        for marked in self.directions:
            if marked[:-1] == factor:
                return marked[-1]
        return ""


@dataclass(frozen=True)
class Episode:
    id: str
    label: str
    review: str
    title: str
    date_text: str | None = None
    date_start: str | None = None
    date_end: str | None = None
    description: str | None = None
    team_good: str | None = None
    team_problematic: str | None = None
    merged_into: str | None = None
    # The rest of the team's judgement (guide 3.4.2): how the episode bears on what
    # happened to the child, and what information was, or should have been, used.
    team_significance: str | None = None
    team_information: str | None = None


@dataclass(frozen=True)
class FollowUp:
    id: str
    review: str
    text: str
    status: str
    conversation: str | None = None
    participant: str | None = None
    note: str | None = None
    raised_in: str | None = None


@dataclass(frozen=True)
class Document:
    id: str
    review: str
    title: str
    agency: str | None = None
    filename: str | None = None
    text: str = ""
    imported_at: str | None = None


@dataclass(frozen=True)
class Draft:
    conversation: str
    author: str
    text: str
    started_at: str | None
    saved_at: str
    slot: int = 0  # the window it was typed in (the same conversation may be open twice)


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    ops: int = 0
    parked: int = 0
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems
