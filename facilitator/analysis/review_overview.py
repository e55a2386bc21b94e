"""Across the review: every key practice episode with each participant's account, attributed;
who was involved but has not been heard on it; discrepancies; open follow-ups.

Involvement comes from two places, both shown with their reason so the team can judge:

- the team's own record, an ``involved`` link episode -> participant
  (:func:`facilitator.analysis.episodes.set_involved`);
- being *mentioned* by name or role in a note on the episode taken from someone else
  (another participant's conversation or a document).

A participant is *heard* on an episode when a note of theirs (an account, not the team's
``>>`` reflection, ``!`` observation or ``?`` question) is linked to it. Missing
perspectives are the involved who are not heard. Discrepancies are ``!`` notes and pairs
of notes linked as contradicting each other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from facilitator.analysis.attribution import (
    follow_up_attribution,
    note_attribution,
    notes_attribution,
)
from facilitator.analysis.coverage import is_team_view
from facilitator.analysis.episodes import (
    INVOLVED,
    NOT_INVOLVED,
    BoardEntry,
    board,
    canonical,
    canonical_ids,
    note_source,
    source_label,
)
from facilitator.model import Conversation, Episode, FollowUp, Note, Participant
from facilitator.store import Store
from facilitator.store.db import StoreError

# Kinds that record what the participant said; "reflection", "discrepancy" (a ``!`` the team
# noticed) and "followup" are the team's (see coverage.TEAM_VIEW_KINDS).
ACCOUNT_KINDS = ("observation", "quote", "went_well", "idea")
TEAM_KINDS = ("reflection", "followup")


def is_account(note: Note) -> bool:
    """Whether a note is someone's account, as reports and drafts show it: said in a
    conversation, and not a reflection or follow-up of the team's. A working note of the
    team's (``note team``) belongs to no conversation, so it is never anyone's account."""
    return note.kind not in TEAM_KINDS and bool(note.conversation)


@dataclass(frozen=True)
class Account:
    """One note of what a source said about an episode, attributed."""

    note: Note
    source: str  # conversation or document id
    source_label: str
    participant: str | None  # None for the team's working notes

    def cites(self, labels: dict[str, str]) -> str:
        """The title of the record the note cites ("" if none)."""
        if not self.note.document:
            return ""
        return labels.get(self.note.document, "a record").removeprefix("document: ")


@dataclass(frozen=True)
class RecordEntry:
    """A dated entry from an agency's record, accepted into the chronology for an episode."""

    id: str
    document: str
    source_label: str  # "document: <title>"
    date: str
    text: str


@dataclass(frozen=True)
class Involvement:
    participant: str
    reasons: tuple[str, ...]  # "recorded by the team", "mentioned in C1, GP (General practice)"


@dataclass(frozen=True)
class Discrepancy:
    """A difference between accounts or records, anchored on one note.

    ``id`` is the anchor note's id: the ``!`` note, or the source of a "contradicts" link.
    ``raised_in`` lists the conversations in which it has been put to someone.
    """

    id: str
    notes: tuple[Note, ...]
    episodes: tuple[str, ...]
    sources: tuple[str, ...]
    raised_in: tuple[str, ...] = ()

    @property
    def anchor(self) -> Note:
        return self.notes[0]

    @property
    def text(self) -> str:
        return self.anchor.text


@dataclass
class EpisodeAccounts:
    entry: BoardEntry
    accounts: list[Account] = field(default_factory=list)
    team_notes: list[Account] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)  # participant ids, first-heard order
    involved: dict[str, Involvement] = field(default_factory=dict)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    records: list[RecordEntry] = field(default_factory=list)  # from documents, by date
    team_view: dict[str, bool] = field(default_factory=dict)  # participant -> involved or not

    @property
    def episode(self) -> Episode:
        return self.entry.episode

    @property
    def missing(self) -> list[Involvement]:
        """Involved participants not yet heard on this episode."""
        return [i for p, i in self.involved.items() if p not in self.heard]

    def accounts_by_source(self) -> dict[str, list[Account]]:
        grouped: dict[str, list[Account]] = {}
        for account in self.accounts:
            grouped.setdefault(account.source, []).append(account)
        return grouped


@dataclass
class ReviewOverview:
    review: str
    episodes: list[EpisodeAccounts]
    discrepancies: list[Discrepancy]
    open_follow_ups: list[FollowUp]
    labels: dict[str, str]  # source id -> human label
    participants: dict[str, Participant]
    conversations: dict[str, Conversation]
    _by_participant: dict[str, list[Note]] | None = field(default=None, repr=False, compare=False)

    def episode_notes_of(self, participant_id: str) -> list[Note]:
        """Notes on episodes taken in this participant's conversations (a note on two
        episodes counts once per episode), grouped once for every participant."""
        if self._by_participant is None:
            grouped: dict[str, list[Note]] = {}
            for item in self.episodes:
                for note in item.entry.notes:
                    conversation = self.conversations.get(note.conversation)
                    if conversation is not None:
                        grouped.setdefault(conversation.participant, []).append(note)
            self._by_participant = grouped
        return self._by_participant.get(participant_id, [])

    def conversations_of(self, participant_id: str | None) -> set[str]:
        """Ids of the conversations held with this participant."""
        return {c for c, talk in self.conversations.items() if talk.participant == participant_id}

    def episodes_involving(self, participant_id: str | None) -> set[str]:
        """Ids of the episodes this participant was part of (spoke of, was recorded by the
        team as involved in, or was named in an account of)."""
        return {item.episode.id for item in self.episodes if participant_id in item.involved}

    def episodes_recorded(self, participant_id: str | None) -> set[str]:
        """Ids of the episodes the team recorded this participant as involved in."""
        return {item.episode.id for item in self.episodes if item.team_view.get(participant_id)}

    def where(self, gap: Discrepancy) -> str:
        """Who a discrepancy's notes are attributed to, for a reader: a ``!`` note is the
        review team's observation, a contradicting account its speaker's."""
        return notes_attribution(gap.notes, self.labels, self.conversations)

    def follow_up_source(self, follow_up: FollowUp) -> str:
        """A ``?`` question is the review team's, raised in a conversation or working notes."""
        return follow_up_attribution(follow_up, self.conversations)

    def for_episode(self, episode_id: str) -> EpisodeAccounts | None:
        for item in self.episodes:
            if item.episode.id == episode_id or any(m.id == episode_id for m in item.entry.merged):
                return item
        return None

    def missing_perspectives(self) -> list[tuple[EpisodeAccounts, Involvement]]:
        return [(item, gap) for item in self.episodes for gap in item.missing]


def stake_in(
    gap: Discrepancy,
    theirs: set[str],
    part_of: set[str],
    pattern: re.Pattern[str] | None = None,
    others: re.Pattern[str] | None = None,
    witnessed: set[str] | None = None,
) -> str | None:
    """How a discrepancy concerns a participant: "own" (it was noted in their conversation,
    or it names them), "episode" (it sits on one of their episodes and names no one else,
    or it names others but the team recorded this person as involved in it: a witness) or
    None. ``pattern`` matches their names, ``others`` everyone else's, ``witnessed`` holds
    the episodes the team recorded them as involved in. A difference that names the social
    worker and the mother is for them, not for everyone who spoke of the episode."""
    if any(n.conversation in theirs for n in gap.notes):
        return "own"
    text = "\n".join(n.text for n in gap.notes)
    if pattern and pattern.search(text):
        return "own"
    if others and others.search(text):
        return "episode" if witnessed and not witnessed.isdisjoint(gap.episodes) else None
    return None if part_of.isdisjoint(gap.episodes) else "episode"


# Who a question is put to: the words after "ask", "check with" and the like, up to the
# word that starts what is asked ("whether", "about", ...). "Ask the grandfather whether
# he told the social worker" is for the grandfather; the social worker is only mentioned.
_ASKED = re.compile(
    r"(?<!\w)(?:ask|asking|check with|confirm with|speak to|speak with|talk to|talk with"
    r"|contact|phone|ring|call)\s+(.+?)(?=\s+(?:whether|if|about|why|when|what|whom?|how"
    r"|where|which|to|for|that|and|again|re)\b|[?.,;:!()]|$)",
    re.IGNORECASE,
)


def asked_of(text: str) -> str:
    """The words naming whom a follow-up asks ("the grandfather", "mum", "Ann"), or ""."""
    match = _ASKED.search(text)
    return match.group(1) if match else ""


def follow_up_concerns(
    follow_up: FollowUp,
    theirs: set[str],
    pattern: re.Pattern[str] | None,
    others: re.Pattern[str] | None = None,
    asked_pattern: re.Pattern[str] | None = None,
    asked_others: re.Pattern[str] | None = None,
) -> bool:
    """Whether a follow-up belongs on this participant's agenda: it asks them ("ask mum
    …", by name, role, first name or a family word); or, asking no one in the review, it
    names them; or it was raised in their conversation and names no one else (``others``
    matches the other participants' names and roles). "Ask the health visitor …" typed in
    the social worker's conversation is for the health visitor, not the social worker."""
    asked = asked_of(follow_up.text)
    mine, theirs_too = asked_pattern or pattern, asked_others or others
    if asked and mine and mine.search(asked):
        return True
    if asked and theirs_too and theirs_too.search(asked):
        return False  # put to someone else, whoever else it mentions
    if pattern and pattern.search(follow_up.text):
        return True
    if follow_up.conversation not in theirs:
        return False
    return not (others and others.search(follow_up.text))


def follow_up_for(
    follow_up: FollowUp, people: Iterable[Participant], talks: Iterable[Conversation]
) -> list[str]:
    """Ids of the participants whose agenda a follow-up belongs on, by
    :func:`follow_up_concerns`: the one rule for the plan, the lead's queries and exports."""
    everyone = list(people)
    conversations = list(talks)
    found = []
    for person in everyone:
        theirs = {c.id for c in conversations if c.participant == person.id}
        if follow_up_concerns(follow_up, theirs, *asking_patterns(person, everyone)):
            found.append(person.id)
    return found


def asking_patterns(person: Participant, people: Iterable[Participant]) -> tuple:
    """The four patterns :func:`follow_up_concerns` reads for ``person``: their mentions,
    everyone else's, and both again as whom a question asks (first names too)."""
    everyone = list(people)
    return (
        mention_pattern(person),
        others_pattern(person, everyone),
        mention_pattern(person, asked=True),
        others_pattern(person, everyone, asked=True),
    )


def others_pattern(
    person: Participant, people: Iterable[Participant], *, asked: bool = False
) -> re.Pattern[str] | None:
    """Whole-word match for the name or role of anyone in the review but ``person``
    (a role they share with ``person`` is left out: it could mean either); with ``asked``,
    first names too (see :func:`mention_pattern`)."""

    def short(who: Participant) -> list[str]:
        return [*_initials(who), *(_first_name(who) if asked else [])]

    own = {p.casefold() for p in (*_names(person), *short(person))}
    phrases = {
        phrase
        for other in people
        if other.id != person.id
        for phrase in _names(other)
        if phrase.casefold() not in own
    }
    initials = {
        word
        for other in people
        if other.id != person.id
        for word in short(other)
        if word.casefold() not in own
    }
    return _compile(phrases, initials)


TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def _names(participant: Participant) -> list[str]:
    """How the team may refer to the participant in a note, matched whatever the case: name,
    role, pseudonym, and the surname after a title ("Ms Lopes"), spaces collapsed, where long
    enough to look for."""
    found = [
        " ".join(p.split())
        for p in (participant.name, participant.role, participant.pseudonym)
        if p and len(p.strip()) >= 2
    ]
    words = (participant.name or "").split()
    if len(words) >= 2 and len(words[-1]) >= 2:
        found += [f"{title} {words[-1]}" for title in TITLES]
        found += [f"{title}. {words[-1]}" for title in TITLES]
    if participant.kind == "family":
        found += _relation_names(participant.role or "")
    return found


def _relation_names(role: str) -> list[str]:
    """A family member's relation as a note may say it: the role's last word
    ("grandfather" for "Maternal grandfather") and the everyday words the guides give for
    that relation (``family-words.md``: "grandad", "mum")."""
    words = [w.casefold() for w in re.findall(r"[\w'-]+", role)]
    found = [words[-1]] if len(words) > 1 and len(words[-1]) >= 3 else []
    for relation in _relation_words():
        names = {relation.key.casefold(), relation.title.casefold()}
        if names & set(words) or relation.title.casefold() == " ".join(words):
            found += list(relation.prompts)
    return found


def _relation_words() -> tuple:
    from facilitator.method import GUIDES_ENV

    return _relation_words_in(os.environ.get(GUIDES_ENV))


@lru_cache(maxsize=4)
def _relation_words_in(_guides: str | None) -> tuple:
    # The guides the process loads by default (the env var chooses another folder); read
    # once, not for every participant and every note.
    from facilitator.method import load_method

    return load_method().relation_words


def _initials(participant: Participant) -> list[str]:
    """A role of two or more words by its capital initials ("SW" for a social worker, "HV"
    for a health visitor), matched only in capitals so that ordinary words never match."""
    found = []
    words = [w for w in re.split(r"[\s-]+", participant.role or "") if w[:1].isalpha()]
    if len(words) >= 2:
        found.append("".join(w[0].upper() for w in words))
    return found


def _first_name(participant: Participant) -> list[str]:
    """The first name of a full name ("Ann" for Ann Blue), matched only as written. Only
    whom a follow-up asks is read for it ("ask Ann whether ..."): elsewhere a first name
    alone says too little to count as a mention."""
    names = (participant.name or "").split()
    if len(names) >= 2 and len(names[0]) >= 2 and names[0][:1].isupper():
        return [names[0]]
    return []


def _compile(phrases: Iterable[str], initials: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [re.escape(p) for p in sorted(set(phrases), key=len, reverse=True)]
    alternatives += [f"(?-i:{re.escape(i)})" for i in sorted(set(initials))]
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def mention_pattern(participant: Participant, *, asked: bool = False) -> re.Pattern[str] | None:
    """Whole-word match for how the team may refer to a participant (see :func:`_names`
    and :func:`_initials`); with ``asked``, as the one a follow-up asks, by first name too."""
    first = _first_name(participant) if asked else []
    return _compile(_names(participant), [*_initials(participant), *first])


def mention_phrases(participant: Participant) -> tuple[str, ...]:
    """The case-folded phrases :func:`mention_pattern` looks for: a cheap substring test
    on them rules a text out before the regular expression runs."""
    return tuple(p.casefold() for p in (*_names(participant), *_initials(participant)))


def mentions(text: str, participants: list[Participant]) -> list[str]:
    """Ids of the participants whose name or role appears in ``text``."""
    found = []
    folded = text.casefold()
    for person in participants:
        if not any(phrase in folded for phrase in mention_phrases(person)):
            continue
        pattern = mention_pattern(person)
        if pattern and pattern.search(text):
            found.append(person.id)
    return found


def involved_links(store: Store, review: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Two maps of episode id -> participant ids: those the team has recorded as involved,
    and those it has recorded as not involved (one read of the links for both)."""
    involved: dict[str, set[str]] = {}
    excluded: dict[str, set[str]] = {}
    wanted = {INVOLVED: involved, NOT_INVOLVED: excluded}
    for row in store.rows(
        "links", review, source_kind="episode", target_kind="participant", present=1
    ):
        result = wanted.get(row["relation"])
        if result is not None:
            result.setdefault(row["source"], set()).add(row["target"])
    return involved, excluded


def discrepancies(store: Store, review: str, notes: list[Note] | None = None) -> list[Discrepancy]:
    """Every ``!`` note and every pair of notes linked as contradicting, grouped so that a
    ``!`` note and the notes it contradicts are one discrepancy. In time order."""
    notes = store.notes(review=review) if notes is None else notes
    by_id = {n.id: n for n in notes}
    mapping = canonical_ids(store.episodes(review))
    groups: dict[str, list[str]] = {}
    for note in notes:
        if note.kind == "discrepancy":
            groups.setdefault(note.id, [note.id])
    for note in notes:
        for other in note.contradicts:
            if other not in by_id:
                continue
            if other in groups and note.id not in groups:
                anchor, extra = other, note.id
            else:
                anchor, extra = note.id, other
            members = groups.setdefault(anchor, [anchor])
            if extra not in members:
                members.append(extra)
    raised = _raised_discrepancies(store, review)
    result = []
    for anchor, members in groups.items():
        linked = tuple(by_id[m] for m in members)
        episodes: list[str] = []
        sources: list[str] = []
        for note in linked:
            for episode in canonical(note, mapping):
                if episode not in episodes:
                    episodes.append(episode)
            source = note_source(note)
            if source and source not in sources:
                sources.append(source)
        result.append(
            Discrepancy(anchor, linked, tuple(episodes), tuple(sources), raised.get(anchor, ()))
        )
    result.sort(key=lambda d: (d.anchor.at, d.id))
    return result


def _raised_discrepancies(store: Store, review: str) -> dict[str, tuple[str, ...]]:
    raised: dict[str, list[str]] = {}
    for row in store.rows("agenda_items", review):
        if row["kind"] == "discrepancy" and row["status"] == "raised" and row["ref"]:
            raised.setdefault(row["ref"], []).append(row["conversation"])
    return {k: tuple(v) for k, v in raised.items()}


def open_follow_ups(store: Store, review: str) -> list[FollowUp]:
    return [f for f in store.follow_ups(review) if f.status == "open"]


def review_overview(store: Store, review: str) -> ReviewOverview:
    """Everything the team needs to see across conversations, episode by episode."""
    notes = store.notes(review=review)
    people = {p.id: p for p in store.participants(review)}
    talks = {c.id: c for c in store.conversations(review)}
    labels = source_label(store, review)
    entries = board(store, review, notes)
    team_involved, team_excluded = involved_links(store, review)
    all_discrepancies = discrepancies(store, review, notes)
    follow_ups = open_follow_ups(store, review)
    patterns = {pid: mention_pattern(p) for pid, p in people.items()}
    phrases = {pid: mention_phrases(p) for pid, p in people.items()}
    records, by_episode = _records(store, review, labels)
    speakers = {c.id: c.participant for c in talks.values()}

    def family_records(episode_ids: tuple[str, ...]) -> set[str]:
        return {r for e in episode_ids for r in by_episode.get(e, ())}

    items: list[EpisodeAccounts] = []
    for entry in entries:
        item = EpisodeAccounts(entry)
        # The episode, then its merged duplicates in board order: a tuple, not a set, so the
        # order of reasons (and which of two team records wins) is the same in every run.
        family_ids = (entry.episode.id, *(m.id for m in entry.merged))
        heard: dict[str, None] = {}  # insertion-ordered set
        for note in entry.notes:
            # A note citing a record is its author's words about it: theirs, not the record's.
            source = note.conversation or note_source(note)
            speaker = speakers.get(note.conversation)
            account = Account(note, source, labels.get(source, "unknown source"), speaker)
            if not is_account(note):  # the team's own notes
                item.team_notes.append(account)
                continue
            item.accounts.append(account)
            if speaker and not is_team_view(note):  # a ``!`` is the team's, not theirs
                heard[speaker] = None
        item.heard = list(heard)
        reasons: dict[str, list[str]] = {}
        for episode_id in family_ids:
            for pid in sorted(team_involved.get(episode_id, ())):
                if "recorded by the team" not in reasons.setdefault(pid, []):
                    reasons[pid].append("recorded by the team")
        wanted = family_records(family_ids)
        item.records = sorted((r for r in records if r.id in wanted), key=lambda r: (r.date, r.id))
        # The team's notes (>>, !, working notes) are the team's words: a name in them is
        # the team's mention, never the participant's in whose conversation it was typed.
        texts = [
            (
                a.participant,
                note_attribution(a.note, labels, talks) if is_team_view(a.note) else a.source_label,
                a.note.text,
            )
            for a in (*item.accounts, *item.team_notes)
        ]
        texts += [(None, r.source_label, r.text) for r in item.records]
        # One substring test per participant over all the episode's texts rules most
        # people out at once; only those whose name or role occurs somewhere are searched
        # text by text (the joined text only narrows the search, it decides nothing).
        everything = "\x00".join(text for _, _, text in texts).casefold()
        for pid, pattern in patterns.items():
            if not pattern or not any(p in everything for p in phrases[pid]):
                continue
            for speaker, label, text in texts:
                if pid != speaker and pattern.search(text):
                    reason = f"mentioned in {label}"
                    if reason not in reasons.setdefault(pid, []):
                        reasons[pid].append(reason)
        for episode_id in family_ids:
            for pid in team_involved.get(episode_id, ()):
                item.team_view[pid] = True
            for pid in team_excluded.get(episode_id, ()):
                item.team_view[pid] = False
                reasons.pop(pid, None)  # the team's "not involved" outweighs a chance mention
        for pid in item.heard:
            reasons.setdefault(pid, []).append("spoke of it")
        item.involved = {pid: Involvement(pid, tuple(r)) for pid, r in reasons.items()}
        item.discrepancies = [d for d in all_discrepancies if entry.episode.id in d.episodes]
        note_ids = {n.id for n in entry.notes}
        item.follow_ups = [f for f in follow_ups if f.note in note_ids]
        items.append(item)
    return ReviewOverview(review, items, all_discrepancies, follow_ups, labels, people, talks)


def _records(
    store: Store, review: str, labels: dict[str, str]
) -> tuple[list[RecordEntry], dict[str, list[str]]]:
    """Accepted chronology entries that the team placed in an episode."""
    records: list[RecordEntry] = []
    by_episode: dict[str, list[str]] = {}
    for row in store.rows("chronology", review):
        if row["status"] != "accepted" or not row["episode"]:
            continue
        document = row["document"] or ""
        records.append(
            RecordEntry(
                row["id"],
                document,
                labels.get(document, "document"),
                row["date"] or "",
                row["text"] or "",
            )
        )
        by_episode.setdefault(row["episode"], []).append(row["id"])
    return records, by_episode


def contradict(store: Store, review: str, note_a: str, note_b: str, *, present: bool = True) -> str:
    """Record that two notes contradict each other (or withdraw that)."""
    if note_a == note_b:
        raise StoreError("a note cannot contradict itself")
    return store.link(review, note_a, "note", note_b, relation="contradicts", present=present)
