"""What the lead's view shows, kept up to date cheaply from the store.

No Textual here: :class:`ConversationWatch` reads one conversation once, then follows the op
log so that a new note costs one small read however long the conversation has run, and
hands the screen an immutable :class:`LeadSnapshot` whose size does not grow with the
number of notes (only with episodes and with "went well"/idea notes, which the recap lists).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from facilitator.analysis.coverage import (
    TEAM_VIEW_KINDS,
    EpisodeCoverage,
    episode_coverage,
    is_evidence,
    stage_visits,
)
from facilitator.analysis.episodes import canonical_ids
from facilitator.capture import public_links, split_private
from facilitator.dates import parse_moment as parse_at
from facilitator.method import Method
from facilitator.model import Conversation, Episode, Note, StageEvent
from facilitator.store import Store, deterministic_id

# A stage is "well over" once it has run half as long again as suggested, and at least
# two minutes over: short stages should not flag after a few seconds.
OVER_FACTOR = 1.5
OVER_MIN_S = 120.0
RECAP_LIMIT = 12
RECAP_KINDS = ("went_well", "idea")


def tick_id(conversation: str, stage: int, index: int) -> str:
    """Two laptops ticking the same "to cover" item make one entity."""
    return deterministic_id("tick", conversation, stage, index)


def ranking_id(conversation: str) -> str:
    return deterministic_id("ranking", conversation)


def seconds_between(start: str | None, end: datetime) -> float:
    begun = parse_at(start)
    if begun is None:
        return 0.0
    return max(0.0, (end - begun).total_seconds())


def suggested_minutes(method: Method, planned: int | None) -> dict[int, int]:
    """Minutes suggested for each stage, scaled so that they add up to the planned length
    (the guides' figures describe a 90-minute conversation; a 60-minute plan gets two
    thirds of each). Without a plan, the guides' figures as they are."""
    minutes = {stage.number: stage.minutes for stage in method.stages}
    total = sum(minutes.values())
    if not planned or not total or planned == total:
        return minutes
    return {number: max(1, round(m * planned / total)) for number, m in minutes.items()}


def well_over(elapsed_s: float, minutes: int) -> bool:
    suggested = minutes * 60.0
    return elapsed_s >= max(suggested * OVER_FACTOR, suggested + OVER_MIN_S)


def stage_totals(events: Iterable[StageEvent], end: datetime) -> dict[int, float]:
    """Seconds spent in each stage up to ``end``, adding up every visit."""
    totals: Counter[int] = Counter()
    for visit in stage_visits(list(events), now=end):
        totals[visit.stage] += visit.seconds
    return dict(totals)


def clock_text(seconds: float) -> str:
    """``mm:ss`` under an hour, ``h:mm:ss`` beyond (fixed width for a steady display)."""
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class EpisodeLine:
    episode: Episode
    notes: int
    prompts: frozenset[str]
    factors: frozenset[str]
    named_here: bool


@dataclass(frozen=True)
class RecapNote:
    id: str
    text: str
    episodes: tuple[str, ...]


@dataclass(frozen=True)
class LeadSnapshot:
    """Everything the view renders, copied out of the watch so the UI thread owns it."""

    conversation: Conversation
    events: tuple[StageEvent, ...]
    episodes: tuple[EpisodeLine, ...]
    factor_totals: tuple[tuple[str, int], ...]
    ticks: frozenset[tuple[int, int]]
    ranking: tuple[str, ...]
    went_well: tuple[RecapNote, ...]
    ideas: tuple[RecapNote, ...]
    went_well_total: int = 0
    ideas_total: int = 0
    note_count: int = 0
    version: int = 0
    # Factors tagged in the team's own notes (>>, !, ?): shown apart, never read back.
    team_factor_totals: tuple[tuple[str, int], ...] = ()
    # Which way each factor worked in the participant's accounts (``@team-``): factor key
    # -> {"+": helped, "-": hindered}. The team's own notes never count here.
    factor_ways: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    # Episode id -> the label to show for a note linked to it (merged: the survivor's).
    episode_labels: tuple[tuple[str, str], ...] = ()

    def ways(self, key: str) -> dict[str, int]:
        for factor, counts in self.factor_ways:
            if factor == key:
                return dict(counts)
        return {}

    @property
    def stage(self) -> int | None:
        return self.events[-1].stage if self.events else None

    def episode(self, episode_id: str) -> EpisodeLine | None:
        for line in self.episodes:
            if line.episode.id == episode_id:
                return line
        return None


@dataclass
class Changes:
    notes: bool = False
    episodes: bool = False
    stage: bool = False
    ticks: bool = False
    ranking: bool = False
    conversation: bool = False
    queries: bool = False

    def __bool__(self) -> bool:
        return any(vars(self).values())


@dataclass
class ConversationWatch:
    """One conversation's notes, coverage and lead records, followed through the op log.

    ``load()`` reads everything once; ``poll()`` reads only ops appended since and
    re-reads the notes they touch, so its cost follows the size of the change.
    Call both from one thread at a time (the screen uses a single exclusive worker).
    """

    store: Store
    conversation_id: str
    method: Method
    conversation: Conversation | None = None
    notes: dict[str, Note] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    coverage: dict[str, EpisodeCoverage] = field(default_factory=dict)
    factor_totals: Counter[str] = field(default_factory=Counter)  # the participant's notes
    team_factor_totals: Counter[str] = field(default_factory=Counter)  # the team's own notes
    factor_marked: Counter[str] = field(default_factory=Counter)  # "conditions-": accounts only
    recap: dict[str, dict[str, Note]] = field(default_factory=dict)  # kind -> id -> note
    episodes: list[Episode] = field(default_factory=list)
    episode_labels: dict[str, str] = field(default_factory=dict)
    _link_labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # (label, title)
    events: list[StageEvent] = field(default_factory=list)
    ticks: set[tuple[int, int]] = field(default_factory=set)
    ranking: tuple[str, ...] = ()
    position: int = 0
    version: int = 0

    @property
    def review(self) -> str:
        assert self.conversation is not None
        return self.conversation.review

    # --- reading ------------------------------------------------------------------

    def load(self) -> None:
        self.position = self.store.op_position()  # before reading: nothing falls between
        self.conversation = self.store.conversation(self.conversation_id)
        live = self.store.notes(conversation=self.conversation_id)
        every = self.store.notes(conversation=self.conversation_id, include_deleted=True)
        self.notes = {n.id: n for n in live}
        self.hidden = {n.id for n in every} - set(self.notes)
        self.factor_totals = Counter()
        self.team_factor_totals = Counter()
        self.factor_marked = Counter()
        self.recap = {kind: {} for kind in RECAP_KINDS}
        self._load_episodes()  # first: a note's public links are read by the labels
        # What the participant said: the team's own notes do not cover a prompt or factor,
        # nor does a link typed in a private line (">> #new Hunch") pick out an episode.
        self.coverage = episode_coverage(
            [self._as_said(n) for n in live if n.kind not in TEAM_VIEW_KINDS]
        )
        for note in live:
            self._totals(note).update(note.factors)
            if self._totals(note) is self.factor_totals:
                self.factor_marked.update(note.directions)
            if note.kind in self.recap:
                self.recap[note.kind][note.id] = note
        self._load_events()
        self._load_ticks()
        self._load_ranking()
        self.version += 1

    def poll(self) -> Changes:
        """Apply whatever arrived since the last call; say what changed."""
        changes = Changes()
        ops, self.position = self.store.ops_since(self.position)
        if not ops:
            return changes
        touched: dict[str, bool] = {}  # note id -> whether its liveness may have changed
        for op in ops:
            if op.review != self.review:
                continue
            fields = op.fields
            if op.entity == "note":
                # A note created earlier in this same batch counts as ours too.
                mine = self._known(op.entity_id, touched)
                if mine or fields.get("conversation") == self.conversation_id:
                    recheck = op.action in ("delete", "restore")
                    touched[op.entity_id] = touched.get(op.entity_id, False) or recheck
                else:
                    changes.queries = True
            elif op.entity == "revision":
                note = str(fields.get("note", ""))
                if self._known(note, touched):
                    touched[note] = touched.get(note, False) or note in self.hidden
            elif op.entity == "link":
                source = str(fields.get("source", ""))
                if self._known(source, touched):
                    touched.setdefault(source, False)
            elif op.entity == "episode":
                changes.episodes = True
            elif op.entity in ("stage_event", "tick", "ranking"):
                if fields.get("conversation") == self.conversation_id:
                    name = {"stage_event": "stage", "tick": "ticks"}.get(op.entity, op.entity)
                    setattr(changes, name, True)
            elif op.entity == "conversation" and op.entity_id == self.conversation_id:
                changes.conversation = True
            elif op.entity in ("follow_up", "agenda_item"):
                changes.queries = True
        if changes.episodes:  # first: a note's public links are read by the labels
            self._load_episodes()
        for note_id, recheck in touched.items():
            self._refresh_note(note_id, recheck)
            changes.notes = True
        if changes.notes:
            changes.queries = True
        if changes.stage:
            self._load_events()
        if changes.ticks:
            self._load_ticks()
        if changes.ranking:
            self._load_ranking()
        if changes.conversation:
            self.conversation = self.store.conversation(self.conversation_id)
        if changes:
            self.version += 1
        return changes

    def _known(self, note_id: str, touched: dict[str, bool]) -> bool:
        return note_id in self.notes or note_id in self.hidden or note_id in touched

    def _refresh_note(self, note_id: str, recheck: bool) -> None:
        old = self.notes.pop(note_id, None)
        if old is not None:
            self._count(old, -1)
        live = True
        if recheck or note_id in self.hidden:
            live = is_live_note(self.store, note_id)
        note = self.store.note(note_id) if live else None
        if note is None or note.conversation != self.conversation_id:
            if note is None and live is False:
                self.hidden.add(note_id)
            return
        self.hidden.discard(note_id)
        self.notes[note_id] = note
        self._count(note, +1)

    def _as_said(self, note: Note) -> Note:
        """The note with only the episode links its public part made (see
        :func:`facilitator.capture.public_links`)."""
        if not note.episodes:
            return note
        links = public_links(note, self._link_labels, self.method)
        return note if links == note.episodes else replace(note, episodes=links)

    def _count(self, note: Note, sign: int) -> None:
        counted = [] if note.kind in TEAM_VIEW_KINDS else [self._as_said(note)]
        for episode, part in episode_coverage(counted).items():
            cover = self.coverage.setdefault(episode, EpisodeCoverage(episode))
            cover.notes += sign * part.notes
            if sign > 0:
                cover.prompts.update(part.prompts)
                cover.factors.update(part.factors)
            else:
                cover.prompts.subtract(part.prompts)
                cover.factors.subtract(part.factors)
                cover.prompts = +cover.prompts
                cover.factors = +cover.factors
            if cover.notes <= 0:
                del self.coverage[episode]
        if note.kind in RECAP_KINDS:
            kept = self.recap.setdefault(note.kind, {})
            if sign > 0:
                kept[note.id] = note
            else:
                kept.pop(note.id, None)
        totals = self._totals(note)
        marked = self.factor_marked if totals is self.factor_totals else Counter()
        if sign > 0:
            totals.update(note.factors)
            marked.update(note.directions)
        else:
            totals.subtract(note.factors)
            marked.subtract(note.directions)
            for key in note.factors:
                if totals[key] <= 0:
                    del totals[key]
            for key in note.directions:
                if marked[key] <= 0:
                    del marked[key]

    def _totals(self, note: Note) -> Counter[str]:
        """Where a note's factors count: the participant's account or the team's view (a
        ``?`` question or ``~`` idea is not evidence of a factor's effect: nowhere)."""
        if not is_evidence(note):
            return Counter()  # a throwaway: updating it counts nothing
        return self.team_factor_totals if note.kind in TEAM_VIEW_KINDS else self.factor_totals

    def _load_episodes(self) -> None:
        every = self.store.episodes(self.review)
        self.episodes = [e for e in every if not e.merged_into]
        # A note's link, by id, to the label shown: a merged duplicate's is its survivor's.
        live = canonical_ids(every)
        labels = {e.id: e.label for e in self.episodes}
        self.episode_labels = {e.id: labels.get(live.get(e.id, e.id), e.label) for e in every}
        self._link_labels = {e.id: (e.label, e.title) for e in every}

    def _load_events(self) -> None:
        self.events = self.store.stage_events(self.conversation_id)

    def _load_ticks(self) -> None:
        # Ticks are known by their deterministic ids; ``item`` holds the wording for exports.
        places = {
            tick_id(self.conversation_id, stage.number, index): (stage.number, index)
            for stage in self.method.stages
            # A family member's list may be longer than the usual one.
            for index in range(max(len(stage.to_cover), len(stage.family_to_cover)))
        }
        self.ticks = {
            places[row["id"]]
            for row in self.store.rows("ticks", self.review)
            if row["id"] in places and row["done"]
        }

    def _load_ranking(self) -> None:
        self.ranking = ()
        for row in self.store.rows("rankings", self.review):
            if row["id"] == ranking_id(self.conversation_id):
                self.ranking = tuple(_json_list(row["factors"]))

    # --- the snapshot ----------------------------------------------------------------

    def snapshot(self) -> LeadSnapshot:
        assert self.conversation is not None
        lines = []
        for episode in self.episodes:
            cover = self.coverage.get(episode.id)
            lines.append(
                EpisodeLine(
                    episode,
                    cover.notes if cover else 0,
                    frozenset(cover.prompts) if cover else frozenset(),
                    frozenset(cover.factors) if cover else frozenset(),
                    cover is not None,
                )
            )
        # Kept incrementally: a snapshot never walks every note.
        went_well = list(self.recap.get("went_well", {}).values())
        ideas = list(self.recap.get("idea", {}).values())
        return LeadSnapshot(
            conversation=self.conversation,
            events=tuple(self.events),
            episodes=tuple(lines),
            factor_totals=tuple(self.factor_totals.most_common()),
            team_factor_totals=tuple(self.team_factor_totals.most_common()),
            factor_ways=_ways(self.factor_marked),
            ticks=frozenset(self.ticks),
            ranking=self.ranking,
            went_well=_recap(went_well, self),
            ideas=_recap(ideas, self),
            went_well_total=len(_read_back(went_well, self)),
            ideas_total=len(_read_back(ideas, self)),
            note_count=len(self.notes),
            version=self.version,
            episode_labels=tuple(self.episode_labels.items()),
        )


def _ways(marked: Counter[str]) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    """ "conditions-": 2 as (("conditions", (("-", 2),)),), in a stable order."""
    found: dict[str, dict[str, int]] = {}
    for tag, count in sorted(marked.items()):
        if count > 0 and tag[-1:] in "+-" and tag[:-1]:
            found.setdefault(tag[:-1], {})[tag[-1]] = count
    return tuple((key, tuple(sorted(counts.items()))) for key, counts in found.items())


def _read_back(notes: list[Note], watch: ConversationWatch) -> list[RecapNote]:
    """Each note as it may be read back to the participant: its public part, linked to the
    episodes that part named; a ``>>`` line and what it linked are the team's."""
    said = []
    for note in sorted(notes, key=lambda n: (n.at, n.id)):
        public, private = split_private(note.text, note.kind, watch.method)
        if not private:
            said.append(RecapNote(note.id, note.text, note.episodes))
        elif public.strip():
            said.append(RecapNote(note.id, public, watch._as_said(note).episodes))
    return said


def _recap(notes: list[Note], watch: ConversationWatch) -> tuple[RecapNote, ...]:
    return tuple(_read_back(notes, watch)[:RECAP_LIMIT])


def _json_list(value: object) -> list[str]:
    import json

    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        loaded = json.loads(str(value or "[]"))
    except ValueError:
        return []
    return [str(v) for v in loaded] if isinstance(loaded, list) else []


def is_live_note(store: Store, note_id: str) -> bool:
    """Whether the store shows this note (not deleted), by two indexed look-ups.

    ``Note`` records carry no deleted flag and ``store.notes()`` reads a whole
    conversation, so ask for the note's own ops on condition that its row is live.
    """
    return bool(
        store.ops(
            "WHERE entity = 'note' AND entity_id = ? "
            "AND EXISTS (SELECT 1 FROM notes WHERE id = ? AND deleted = 0)",
            (note_id, note_id),
        )
    )
