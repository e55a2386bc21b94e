"""What a conversation has covered: stages visited and the time spent in each; episodes
named; for each episode, which local-rationality prompts and which contributory factor
areas have at least one note (and so which are still thin)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from facilitator.analysis.episodes import canonical, canonical_ids
from facilitator.dates import parse_moment
from facilitator.method import Method
from facilitator.model import Note, StageEvent
from facilitator.store import Store


@dataclass
class EpisodeCoverage:
    episode: str
    notes: int = 0
    prompts: Counter[str] = field(default_factory=Counter)
    factors: Counter[str] = field(default_factory=Counter)

    def missing_prompts(self, method: Method) -> list[str]:
        """Local-rationality prompt keys with no note yet, in the guide's order."""
        return [p.key for p in method.local_rationality if not self.prompts.get(p.key)]


def episode_coverage(
    notes: Iterable[Note], mapping: dict[str, str] | None = None
) -> dict[str, EpisodeCoverage]:
    """For every episode named in ``notes``: note count, prompts and factors with notes.

    With ``mapping`` (from :func:`canonical_ids`), merged duplicates count as their episode.
    """
    result: dict[str, EpisodeCoverage] = {}
    for note in notes:
        episodes = canonical(note, mapping) if mapping is not None else note.episodes
        for episode in episodes:
            cover = result.get(episode)
            if cover is None:  # not setdefault: that would build two Counters per note
                cover = result[episode] = EpisodeCoverage(episode)
            cover.notes += 1
            # Counter.update costs a call even for nothing; most notes have no tags.
            if note.prompts:
                cover.prompts.update(note.prompts)
            if note.factors and note.kind not in NOT_EVIDENCE_KINDS:
                cover.factors.update(note.factors)
    return result


# Notes that record the review team's own view, not what a participant said (guide 3.4.1:
# the team's judgements are kept apart): a ``>>`` reflection, a ``!`` difference the team
# noticed, a ``?`` question the team means to ask.
TEAM_VIEW_KINDS = frozenset({"reflection", "discrepancy", "followup"})


def is_team_view(note: Note) -> bool:
    """The team's own view: a note of a team kind, or a working note of the team's that
    belongs to no conversation."""
    return note.kind in TEAM_VIEW_KINDS or not note.conversation


# A ``?`` question and a ``~`` idea for change say nothing about what a factor did in an
# episode: they are not evidence of its effect, so they count in no factor tally.
NOT_EVIDENCE_KINDS = frozenset({"followup", "idea"})


def is_evidence(note: Note) -> bool:
    """Whether the note can speak to a factor's effect (an account, a ``!`` or a ``>>``)."""
    return note.kind not in NOT_EVIDENCE_KINDS


def factor_counts(notes: Iterable[Note]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for note in notes:
        counts.update(note.factors)
    return counts


def factor_counts_apart(notes: Iterable[Note]) -> tuple[Counter[str], Counter[str]]:
    """Factor counts from participants' accounts and from the team's view, kept apart."""
    accounts: Counter[str] = Counter()
    team: Counter[str] = Counter()
    for note in notes:
        if note.factors and is_evidence(note):
            (team if is_team_view(note) else accounts).update(note.factors)
    return accounts, team


@dataclass
class Tally:
    """How many notes link a factor area, and how many of them say it helped or hindered."""

    notes: int = 0
    helped: int = 0
    hindered: int = 0

    def add(self, sign: str) -> None:
        self.notes += 1
        self.helped += sign == "+"
        self.hindered += sign == "-"

    def words(self, one: str, many: str) -> str:
        """ "3 accounts, 2 helped, 1 hindered" ("1 note" if no note gave a direction)."""
        said = [f"{self.notes} {one if self.notes == 1 else many}"]
        said += [f"{n} {w}" for n, w in ((self.helped, "helped"), (self.hindered, "hindered")) if n]
        return ", ".join(said)


def factor_tallies_apart(notes: Iterable[Note]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """The one rule every count of factors follows (the matrix, the episode table, packs,
    patterns' "Seen in"): per factor area, the participants' accounts and the team's view
    (``>>``, ``!``, a working note) apart, each note once; a ``?`` or ``~`` not at all."""
    accounts: dict[str, Tally] = {}
    team: dict[str, Tally] = {}
    for note in notes:
        if not note.factors or not is_evidence(note):
            continue
        side = team if is_team_view(note) else accounts
        for key in dict.fromkeys(note.factors):
            side.setdefault(key, Tally()).add(note.direction(key))
    return accounts, team


def account_words(tally: Tally) -> str:
    return tally.words("account", "accounts")


def team_words(tally: Tally) -> str:
    return tally.words("note", "notes")


def tally_words(accounts: Tally | None, team: Tally | None) -> str:
    """Both sides in one phrase, accounts first: "3 accounts, 2 helped; the team's view:
    1 note, 1 hindered" ("" if neither)."""
    said = [account_words(accounts)] if accounts else []
    said += [f"the team's view: {team_words(team)}"] if team else []
    return "; ".join(said)


@dataclass(frozen=True)
class StageVisit:
    stage: int
    start: str
    end: str | None  # None while the conversation is still in this stage
    seconds: float


def stage_visits(
    events: list[StageEvent], *, ended_at: str | None = None, now: datetime | None = None
) -> list[StageVisit]:
    """Each stretch spent in one stage, in order. A stage may be visited more than once.

    The last visit runs to ``ended_at`` if the conversation has ended, else to ``now``
    (no end, zero seconds, if neither is given). Unreadable times count as zero seconds.
    """
    ordered = sorted(events, key=lambda e: e.at)
    visits: list[StageVisit] = []
    final = parse_moment(ended_at) or now
    for index, event in enumerate(ordered):
        start = parse_moment(event.at)
        if index + 1 < len(ordered):
            end_text: str | None = ordered[index + 1].at
            end = parse_moment(end_text)
        else:
            end_text = ended_at
            end = final
        seconds = max(0.0, (end - start).total_seconds()) if start and end else 0.0
        if visits and visits[-1].stage == event.stage:
            last = visits[-1]
            visits[-1] = StageVisit(last.stage, last.start, end_text, last.seconds + seconds)
            continue
        visits.append(StageVisit(event.stage, event.at, end_text, seconds))
    return visits


@dataclass
class ConversationCoverage:
    conversation: str
    visits: list[StageVisit]
    episodes: dict[str, EpisodeCoverage]  # live episode id -> coverage, in first-named order
    notes: int  # the participant's own notes (accounts)
    unlinked_factors: Counter[str]  # factor areas noted without an episode

    @property
    def seconds_by_stage(self) -> dict[int, float]:
        totals: dict[int, float] = {}
        for visit in self.visits:
            totals[visit.stage] = totals.get(visit.stage, 0.0) + visit.seconds
        return totals

    @property
    def stages_visited(self) -> list[int]:
        return sorted(self.seconds_by_stage)

    team_notes: int = 0  # the review team's notes made in the conversation (>>, !, ?)


def conversation_coverage(
    store: Store, conversation_id: str, *, now: datetime | None = None
) -> ConversationCoverage:
    """Stages, time in each, episodes named and prompts/factors noted, for one conversation."""
    conversation = store.conversation(conversation_id)
    notes = store.notes(conversation=conversation_id)
    mapping = canonical_ids(store.episodes(conversation.review))
    visits = stage_visits(
        store.stage_events(conversation_id), ended_at=conversation.ended_at, now=now
    )
    # What the participant said: the team's own notes (>>, !, ?) cover nothing with them.
    theirs = [n for n in notes if not is_team_view(n)]
    unlinked: Counter[str] = Counter()
    for note in theirs:
        if not note.episodes and is_evidence(note):
            unlinked.update(note.factors)
    return ConversationCoverage(
        conversation_id,
        visits,
        episode_coverage(theirs, mapping),
        len(theirs),
        unlinked,
        len(notes) - len(theirs),
    )
