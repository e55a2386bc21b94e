"""What a report says, independent of its format: headings, attributed paragraphs, tables
and the review team's comments, built from the store. Markdown and Word render this.

The team's own judgements (``>>`` reflection notes, an episode's ``team_good`` and
``team_problematic``) are never mixed into the accounts: they travel as
:class:`Comment` objects anchored on the passage they comment on, which Word shows as
real comments and Markdown as marked blockquotes after the passage.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from facilitator.analysis.attribution import team_made
from facilitator.analysis.coverage import (
    account_words,
    factor_tallies_apart,
    is_team_view,
    team_words,
)
from facilitator.analysis.episodes import (
    TEAM_SOURCE,
    BoardEntry,
    board,
    canonical_ids,
    descriptions,
    judgement_lines,
    team_judgement,
)
from facilitator.analysis.review_overview import (
    Involvement,
    ReviewOverview,
    is_account,
    review_overview,
)
from facilitator.capture import split_private
from facilitator.method import Method
from facilitator.model import Conversation, Episode, Note, Participant
from facilitator.reports.ours import Ours
from facilitator.safe_text import controls_shown
from facilitator.store import Store
from facilitator.store.db import StoreError

SECTIONS = ("record", "narrative", "episodes", "findings", "plan")
WHAT_CHOICES = (*SECTIONS, "all")
# The public report (guide 3.2.4, 3.4.5, 3.4.6) is the findings: never the records of
# conversations, the team's reflections, follow-ups, plans or comments.
FINAL_SECTIONS = ("narrative", "episodes", "findings")


class NotPublic(StoreError):
    """Asked for working material (a record, a plan) as a final, public report."""


def clean(text: str | None) -> str:
    """User text made safe for any output format: control characters (which XML 1.0
    forbids, and Word and QDA tools reject) shown as visible marks, as the command line
    shows them, never dropped unseen."""
    return controls_shown(text or "")


_TAG = re.compile(r"(?<![\w@])@([A-Za-z][\w-]*[+-]*)")  # as capture's: signs a direction
_REF = re.compile(r"(?<![\w#&])#[Ee]?(\d+)\b")
_NEW = re.compile(r"(?<![\w#])#new\b[ \t]*", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{2,}")


def readable(text: str | None, method: Method, keep: Collection[int] = ()) -> str:
    """A note as a reader should see it: the capture tags (@factor, #3, #new) taken out,
    since reports show links as attributions and columns. Unknown @words stay, and so do
    the ``#N`` in ``keep`` (references that linked no episode): a tag never vanishes."""
    text = clean(text)
    if "@" in text or "#" in text:  # every capture tag has one; most notes have neither
        from facilitator.capture import resolve_tag

        def tag(match: re.Match[str]) -> str:
            key, _ = resolve_tag(match.group(1), method)
            return "" if key else match.group(0)

        def ref(match: re.Match[str]) -> str:
            return match.group(0) if int(match.group(1)) in keep else ""

        text = _NEW.sub("", _REF.sub(ref, _TAG.sub(tag, text)))
    if "  " in text or "\t" in text:  # every run _SPACES collapses has one or the other
        text = _SPACES.sub(" ", text)
    return text.strip()


def quoted(text: str) -> str:
    return f"“{text.strip().strip(chr(34)).strip()}”"


def said(note: Note, method: Method, kind: str | None = None) -> str:
    """A note's words as a report shows them: a quote in quote marks, but only the
    participant's part of it; the team's private words after ``>>`` (a draft keeps them;
    a final report has already cut them) stand outside the quote marks."""
    kind = kind or note.kind
    if kind != "quote":
        return note.text
    public, private = split_private(note.text, kind, method)
    return f"{quoted(public)} {private.strip()}" if public and private else quoted(note.text)


@dataclass(frozen=True)
class Comment:
    text: str
    author: str
    at: str = ""  # ISO time of the note it comes from ("" for the team's standing view)


@dataclass
class Heading:
    text: str
    level: int


@dataclass
class Para:
    text: str
    lead: str = ""  # shown bold before the text, e.g. the source of an account
    style: str = "body"  # body | bullet | quote | meta
    flag: str = ""  # "" | gap | discrepancy
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    # (row, column) -> comments anchored on that cell's text
    comments: dict[tuple[int, int], list[Comment]] = field(default_factory=dict)
    # Relative column widths for formats that size columns (Word); () for equal ones.
    widths: tuple[int, ...] = ()


Block = Heading | Para | Table


@dataclass
class Report:
    title: str
    banner: str
    final: bool
    blocks: list[Block] = field(default_factory=list)

    def map_text(self, fn: Callable[[str], str]) -> Report:
        """The same report with ``fn`` applied to every string a reader sees."""

        def comments(items: list[Comment]) -> list[Comment]:
            return [Comment(fn(c.text), fn(c.author), c.at) for c in items]

        blocks: list[Block] = []
        for block in self.blocks:
            if isinstance(block, Heading):
                blocks.append(Heading(fn(block.text), block.level))
            elif isinstance(block, Para):
                blocks.append(
                    replace(
                        block,
                        text=fn(block.text),
                        lead=fn(block.lead),
                        comments=comments(block.comments),
                    )
                )
            else:
                blocks.append(
                    Table(
                        [fn(h) for h in block.headers],
                        [[fn(c) for c in row] for row in block.rows],
                        {k: comments(v) for k, v in block.comments.items()},
                        block.widths,
                    )
                )
        return Report(fn(self.title), fn(self.banner), self.final, blocks)

    def texts(self) -> list[tuple[str, str]]:
        """(where, text) for every string, for checks and tests."""
        found = [("title", self.title), ("banner", self.banner)]
        for number, block in enumerate(self.blocks, 1):
            where = f"block {number}"
            if isinstance(block, Heading):
                found.append((where, block.text))
            elif isinstance(block, Para):
                found += [(where, block.lead), (where, block.text)]
                found += [(f"{where} comment", c.text) for c in block.comments]
            else:
                found += [(where, "\n".join(block.headers))]
                found += [(f"{where} row {i}", "\n".join(r)) for i, r in enumerate(block.rows, 1)]
                for items in block.comments.values():
                    found += [(f"{where} comment", c.text) for c in items]
        return found


# Our own words (see :mod:`facilitator.reports.ours`) are never redacted.
DRAFT_BANNER = Ours(
    "CONFIDENTIAL DRAFT: for the review team only. It names participants and family "
    "members; do not circulate."
)
FINAL_BANNER = Ours(
    "Final report: professionals are referred to by role, family members by pseudonym, "
    "and places are removed."
)
TEAM = Ours("Review team")


def _described(text: str, mark: str = "") -> str:
    """The team's description of an episode, said to be theirs (mark: " (as E2)")."""
    return f"{TEAM}'s description{mark}: {clean(text)}"


class CachedReads:
    """The store, with each read done once for the length of one export.

    The analysis functions a report uses (overview, plans) read the same notes, episodes
    and participants again; on a 20,000-note review reading notes twice costs more than
    writing the report. Results are copied out, so no caller can change another's list.
    """

    _CACHED = frozenset(
        {"notes", "episodes", "participants", "conversations", "documents", "follow_ups", "rows"}
    )

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[tuple, list] = {}

    def __getattr__(self, name: str) -> object:
        value = getattr(self._store, name)
        if name not in self._CACHED:
            return value

        def cached(*args: object, **kwargs: object) -> list:
            key = (name, args, tuple(sorted(kwargs.items())))
            if key not in self._cache:
                self._cache[key] = value(*args, **kwargs)
            return list(self._cache[key])

        return cached

    def prime(self, name: str, args: tuple, value: list) -> None:
        """Answer ``name(*args)`` with ``value`` from now on: a public report's participants
        as it shows them, for every reader of this store (the analysis too)."""
        self._cache[(name, args, ())] = list(value)


class ReviewData:
    """Everything a report reads, fetched once from the store.

    This is the seam to :mod:`facilitator.analysis`: accounts per episode, missing
    perspectives and discrepancies are computed here from plain store reads.
    """

    def __init__(self, store: Store, method: Method, review: str, *, final: bool) -> None:
        self._sources: dict[str, str] = {}  # conversation id -> attribution
        store = CachedReads(store)  # type: ignore[assignment]
        self.store = store
        self.method = method
        self.final = final
        self.review = store.review(review)
        self.people = {p.id: p for p in store.participants(review)}
        self.talks = {c.id: c for c in store.conversations(review)}
        notes = store.notes(review=review)
        if final:  # a note's private lines never reach a public report
            from facilitator.reports.public import public_links, public_notes

            labels = {e.id: (e.label, e.title) for e in store.episodes(review)}
            # Worked out on each note as typed (before it is cut to its public part).
            self._public_links = {
                n.id: public_links(n, labels, method) for n in notes if n.episodes
            }
            # The team's working notes are working material: a public report neither
            # shows nor counts them (evidence, factors), but for the team's observation
            # that accounts or records differ (a "!" note, attributed to the team), and the
            # records the others cite, which stay in the evidence (see hidden_citations).
            public = public_notes(notes, method)
            notes = [n for n in public if n.conversation or n.kind == "discrepancy"]
            kept = {n.id for n in notes}
            self._hidden_citations = {
                n.id: n.document for n in public if n.document and n.id not in kept
            }
            # A link typed in a private line is the team's: the note's public words are
            # not listed under that episode (see public_links).
            # A "!" line's observation (its id the note's, marked) goes with its note.
            from facilitator.reports.public import TEAM_LINE

            notes = [
                replace(n, episodes=links)
                if n.episodes
                and (links := self._public_links.get(n.id.removesuffix(TEAM_LINE), n.episodes))
                != n.episodes
                else n
                for n in notes
            ]
        else:
            self._hidden_citations = {}
            self._public_links = {}
        self.notes = [_readable_note(n, method) for n in notes]
        self.documents = {d.id: d for d in store.documents(review)}
        self.chronology = store.rows("chronology", review)
        if final:  # nor do private lines in the team's fields or in imported records
            from facilitator.reports import public

            self.review = public.public_review(self.review, method)
            # Roles and agencies up to a private line, wherever the report reads them
            # (the analysis names a source "C1, Social worker (agency)" itself).
            people = public.public_participants(self.people.values(), method)
            self.people = {p.id: p for p in people}
            store.prime("participants", (review,), people)  # type: ignore[attr-defined]
            kept = public.public_documents(self.documents.values(), method)
            self.documents = {d.id: d for d in kept}
            self.chronology = public.public_records(self.chronology, method)
        self.kind_labels = {k.key: k.label for k in method.note_kinds}
        self.factor_titles = {a.key: a.title for a in method.factor_areas}
        self.factor_words: dict[tuple, str] = {}  # (factors, directions) -> their words
        self.stage_titles = {s.number: s.title for s in method.stages}
        self.notes_by_conversation: dict[str, list[Note]] = defaultdict(list)
        for note in self.notes:
            self.notes_by_conversation[note.conversation].append(note)
        self._review_id = review

    # Episodes, accounts, gaps and discrepancies come from the analysis layer, so the
    # report shows what the team sees on the board (merged duplicates folded in). Each is
    # worked out on first use: a REFI-QDA export needs the board's episodes only, not the
    # overview's search of every note for every participant's name.

    @cached_property
    def overview(self) -> ReviewOverview:
        return review_overview(self.store, self._review_id)

    @cached_property
    def _board(self) -> list[BoardEntry]:
        if "overview" in self.__dict__:  # already worked out: the same entries
            return [item.entry for item in self.overview.episodes]
        return board(self.store, self._review_id, self.store.notes(review=self._review_id))

    @cached_property
    def episodes(self) -> list[Episode]:
        episodes = [entry.episode for entry in self._board]
        if self.final:  # a title typed in a private line is not shown
            from facilitator.reports.public import public_episodes

            all_notes = self.store.notes(review=self._review_id)
            episodes = public_episodes(episodes, all_notes, self.method)
            # Nor is an episode that nothing public links to (made in a private line or
            # a working note): not even its label, nor a count that includes it.
            episodes = [e for e in episodes if e.id not in self.team_only]
        return episodes

    @cached_property
    def team_only(self) -> set[str]:
        """Live episodes that nothing public links to (see
        :func:`facilitator.reports.public.team_only_episodes`): left out of a public
        report and of drafts; the team's own report marks them as the team's."""
        from facilitator.analysis.patterns import patterns, recommendations
        from facilitator.reports.public import team_only_episodes

        review = self._review_id
        if not self.final:  # worked out on the notes a public report counts
            return ReviewData(self.store, self.method, review, final=True).team_only  # type: ignore[arg-type]
        taken_up = [r["episode"] for r in self.chronology if r["status"] == "accepted"]
        for item in [*patterns(self.store, review), *recommendations(self.store, review)]:  # type: ignore[arg-type]
            taken_up += item.episodes
        counted = {n.id for n in self.notes}

        def counts(note: Note) -> bool:
            # A working note citing a record: the record is evidence (hidden_citations).
            return note.id in counted or note.id in self._hidden_citations

        live = self.store.notes(review=review)

        def deleted() -> list[Note]:
            kept = {n.id for n in live}
            every = self.store.notes(review=review, include_deleted=True)
            return [n for n in every if n.id not in kept]

        return team_only_episodes(
            self.store.episodes(review), live, counts, [e for e in taken_up if e], self.method,
            deleted,
        )  # fmt: skip

    @cached_property
    def notes_by_episode(self) -> dict[str, list[Note]]:
        by_id = {n.id: n for n in self.notes}
        # A public report's note of the team's from a "!" line follows the note it was in.
        from facilitator.reports.public import TEAM_LINE

        # In a public report, only the links made in a note's public part.
        canonical = self.canonical if self.final else None

        def linked(key: str, episode: str) -> bool:
            return key in by_id and (
                canonical is None or episode in {canonical.get(e, e) for e in by_id[key].episodes}
            )

        return {
            entry.episode.id: [
                by_id[key]
                for n in entry.notes
                for key in (n.id, n.id + TEAM_LINE)
                if linked(key, entry.episode.id)
            ]
            for entry in self._board
        }

    @cached_property
    def hidden_citations(self) -> dict[str, list[str]]:
        """Live episode id -> the records cited by working notes a public report leaves
        out: the record is still evidence for the episode (linked in the note's public
        part)."""
        cited: dict[str, list[str]] = {}
        canonical = self.canonical
        for entry in self._board:
            for note in entry.notes:
                if note.id not in self._hidden_citations:
                    continue
                links = self._public_links.get(note.id, note.episodes)
                if entry.episode.id in {canonical.get(e, e) for e in links}:
                    cited.setdefault(entry.episode.id, []).append(self._hidden_citations[note.id])
        return cited

    @cached_property
    def canonical(self) -> dict[str, str]:
        """Episode id -> the live episode it was merged into (or itself)."""
        return canonical_ids(self.store.episodes(self._review_id))

    @cached_property
    def reflections(self) -> dict[str, dict[str, list[Note]]]:
        """Per conversation: reflections keyed by the id of the note they followed."""
        return {
            talk: _reflection_anchors(notes) for talk, notes in self.notes_by_conversation.items()
        }

    @cached_property
    def accepted_records(self) -> dict[str, list[dict]]:
        """Live episode id -> chronology entries accepted into it or into a duplicate since
        merged into it (as the board shows them), in store order."""
        accepted: dict[str, list[dict]] = defaultdict(list)
        for entry in self.chronology:
            if entry["status"] == "accepted":
                episode = entry["episode"]
                accepted[self.canonical.get(episode, episode)].append(entry)
        return accepted

    @cached_property
    def merged(self) -> dict[str, tuple[Episode, ...]]:
        """Live episode id -> the duplicates merged into it (their judgements still show)."""
        return {entry.episode.id: entry.merged for entry in self._board}

    @cached_property
    def naming(self) -> set[str]:
        """Notes that only named the episode they link to ("#new Home visit (May 2024)"),
        under its title or a merged duplicate's: no account, so never listed or counted as
        one."""
        found = set()
        by_id = {n.id: n for n in self.notes}
        for entry in self._board:
            titles = set()
            for episode in (entry.episode, *entry.merged):
                title = " ".join(clean(episode.title).split())
                titles |= {title, f"{title} ({' '.join(clean(episode.date_text).split())})"}
            for note in entry.notes:
                shown = by_id.get(note.id)
                if shown is not None and shown.text.strip() in titles:
                    found.add(note.id)
        return found

    @cached_property
    def _missing(self) -> dict[str, list[Involvement]]:
        return {item.episode.id: item.missing for item in self.overview.episodes}

    @cached_property
    def contradicted(self) -> set[str]:
        """Notes that are part of a discrepancy (a ``!`` note or a contradicting pair)."""
        return {n.id for d in self.overview.discrepancies for n in d.notes}

    # --- how people and sources are named ------------------------------------------

    def who(self, participant: Participant | None) -> str:
        if participant is None:
            return "unknown participant"
        if self.final:
            if participant.kind == "family":
                # Their pseudonym with their role, unless the pseudonym says it already.
                role = clean(participant.role)
                pseudonym = clean(participant.pseudonym or "")
                if not pseudonym or role.casefold() in pseudonym.casefold():
                    return pseudonym or role
                said = role if role[:2].isupper() else role[:1].lower() + role[1:]  # "GP" stays
                return f"{pseudonym} ({said})"
            return clean(participant.role)
        if participant.name:
            return clean(f"{participant.name} ({participant.role}, {participant.agency})")
        return clean(f"{participant.role}, {participant.agency}")

    def source(self, conversation_id: str) -> str:
        """The attribution of an account: conversation label and who gave it."""
        known = self._sources.get(conversation_id)
        if known is None:
            known = self._sources[conversation_id] = self._source(conversation_id)
        return known

    def _source(self, conversation_id: str) -> str:
        talk = self.talks.get(conversation_id)
        if talk is None:
            return "unknown source"
        person = self.people.get(talk.participant)
        if person is None and talk.id in self.meetings:
            return f"{talk.label}, {self.meetings[talk.id]}"
        if self.final:
            return f"{talk.label}, {self.who(person)}"
        agency = f", {clean(person.agency)}" if person else ""
        return f"{talk.label}, {clean(person.role) if person else 'unknown'}{agency}"

    def observation_source(self, conversation_id: str) -> str:
        """The attribution of a ``!`` note: what the team noticed, in that conversation."""
        talk = self.talks.get(conversation_id)
        return f"{TEAM}'s observation in {talk.label if talk else 'an unknown conversation'}"

    def question_source(self, conversation_id: str) -> str:
        """The attribution of a ``?`` note: the team's question, raised in that conversation."""
        talk = self.talks.get(conversation_id)
        return team_made("followup", talk.label if talk else "an unknown conversation")

    def reviewer(self, name: str | None) -> str:
        return TEAM if self.final or not name else f"{TEAM} ({clean(name)})"

    def document_source(self, document_id: str | None) -> str:
        document = self.documents.get(document_id or "")
        if document is None:
            return "document (not in this review)"
        agency = f" ({clean(document.agency)})" if document.agency else ""
        return f"Document: {clean(document.title)}{agency}"

    @cached_property
    def meetings(self) -> dict[str, str]:
        """Conversation id -> the group meeting noted in it ("Interim group meeting")."""
        from facilitator.dialogue.model import MEETING_TITLES

        return {
            row["conversation"]: MEETING_TITLES.get(row["kind"], "Group meeting")
            for row in self.store.rows("meetings", self._review_id)
        }

    def talk_with(self, talk: Conversation) -> str:
        """Whom a conversation was with: the participant, or the group meeting held."""
        person = self.people.get(talk.participant)
        if person is None and talk.id in self.meetings:
            return self.meetings[talk.id]
        return self.who(person)

    # --- reading across the review -------------------------------------------------

    def missing_perspectives(self, episode: Episode) -> list[str]:
        """People involved in this episode whose account of it has not been heard, and why
        the team thinks they were involved."""
        missing = []
        for gap in self._missing.get(episode.id, []):
            person = self.people.get(gap.participant)
            reasons = "; ".join(clean(r) for r in gap.reasons)
            missing.append(f"{self.who(person)} ({reasons})" if reasons else self.who(person))
        return missing


def _reflection_anchors(notes: list[Note]) -> dict[str, list[Note]]:
    """Reflections keyed by the id of the note they concern ("" for none): for a reflection
    on an episode, the latest earlier note on that episode; for one on no episode, the note
    just before it if in the same stage. Anything else stands on its own, where it was made:
    a reflection on E1 is never a comment on an idea about calendars."""
    anchored: dict[str, list[Note]] = defaultdict(list)
    earlier: list[Note] = []
    for note in notes:
        if note.kind != "reflection":
            earlier.append(note)
            continue
        anchor = ""
        if note.episodes:
            wanted = set(note.episodes)
            anchor = next((n.id for n in reversed(earlier) if wanted & set(n.episodes)), "")
        elif earlier and earlier[-1].stage == note.stage:
            anchor = earlier[-1].id
        anchored[anchor].append(note)
    return anchored


def _readable_note(note: Note, method: Method) -> Note:
    """The note with its text as a reader should see it; the same object when nothing
    changes (``dataclasses.replace`` costs more than the rest of a note's export)."""
    keep: Collection[int] = ()
    if note.problems:
        from facilitator.capture import unresolved_numbers

        keep = unresolved_numbers(note.problems)
    text = readable(note.text, method, keep)
    passage = clean(note.passage) if note.passage else None
    if text == note.text and passage == note.passage:
        return note
    return replace(note, text=text, passage=passage)


def _reflection(data: ReviewData, note: Note) -> Comment:
    """A reflection as a comment: the reviewer who wrote it, when they wrote it."""
    return Comment(note.text, data.reviewer(note.author), note.at)


def _time(note: Note) -> str:
    return note.at[11:16] if len(note.at) >= 16 else note.at


def _note_lead(data: ReviewData, note: Note) -> str:
    if note.kind == "observation":  # most notes: the time alone
        return _time(note)
    if note.kind == "discrepancy":  # noticed by the team, not said by the participant
        return f"{_time(note)} {TEAM}'s observation:"
    if note.kind == "reflection":  # one that concerns no earlier note stands in place
        return f"{_time(note)} {TEAM}'s reflection:"
    return f"{_time(note)} {data.kind_labels.get(note.kind, note.kind)}:"


_WAYS = {"+": "helped", "-": "hindered"}


def _factor_words(data: ReviewData, note: Note) -> str:
    """The factor areas a note was tagged with and which way each worked, in words: the
    tags are taken out of the text, and an unlinked note's direction would show nowhere
    else (" (factors: Working conditions, hindered; Own team)")."""
    if not note.factors:
        return ""
    tags = (note.factors, note.directions)
    done = data.factor_words.get(tags)  # a few tag sets recur across thousands of notes
    if done is None:
        named = []
        for key in dict.fromkeys(note.factors):
            way = _WAYS.get(note.direction(key), "")
            title = data.factor_titles.get(key, key)
            named.append(f"{title}, {way}" if way else title)
        done = f" ({'factors' if len(named) > 1 else 'factor'}: {'; '.join(named)})"
        data.factor_words[tags] = done
    return done


def _citation(data: ReviewData, note: Note) -> str:
    """What follows a note's text in a report: its factors, then the record it cites."""
    factors = _factor_words(data, note)
    if not note.document:
        return factors
    passage = f": “{note.passage}”" if note.passage else ""
    return f"{factors} (cites {data.document_source(note.document)}{passage})"


# --- sections ------------------------------------------------------------------------


def record_section(data: ReviewData) -> list[Block]:
    blocks: list[Block] = [Heading("Conversation records", 1)]
    talks = sorted(data.talks.values(), key=lambda t: (t.started_at or t.planned_at or "", t.label))
    if not talks:
        blocks.append(Para("No conversations yet.", style="meta"))
    for talk in talks:
        blocks += _conversation_record(data, talk)
    blocks += _working_notes(data)
    return blocks


def _working_notes(data: ReviewData) -> list[Block]:
    """The team's working notes on the review and on records: no one's conversation."""
    notes = data.notes_by_conversation.get(TEAM_SOURCE, [])
    if not notes:
        return []
    blocks: list[Block] = [
        Heading(f"{TEAM}'s working notes", 2),
        Para("Notes of the team's own, on the review and on records.", style="meta"),
    ]
    for note in notes:
        text = said(note, data.method)
        blocks.append(Para(text + _citation(data, note), _working_lead(data, note), "bullet"))
    return blocks


def _working_lead(data: ReviewData, note: Note) -> str:
    kind = "" if note.kind == "observation" else f", {data.kind_labels.get(note.kind, note.kind)}"
    return f"{TEAM}'s working note{kind}:"


def _conversation_record(data: ReviewData, talk: Conversation) -> list[Block]:
    blocks: list[Block] = [Heading(f"{talk.label}: {data.talk_with(talk)}", 2)]
    when = (talk.started_at or talk.planned_at or "")[:16].replace("T", " ")
    meta = f"Status: {talk.status}" + (f"; {when}" if when else "")
    if not data.final:
        team = [
            f"lead {talk.lead}" if talk.lead else "",
            f"notes {talk.note_taker}" if talk.note_taker else "",
        ]
        team_text = ", ".join(t for t in team if t)
        if team_text:
            meta += f"; reviewers: {clean(team_text)}"
    meta_para = Para(meta, style="meta")
    blocks.append(meta_para)
    notes = data.notes_by_conversation.get(talk.id, [])
    anchors = data.reflections.get(talk.id, {})
    standing = {r.id for r in anchors.get("", [])}  # concern no earlier note: in place
    stage: int | None = -1
    append = blocks.append
    for note in notes:
        kind = note.kind
        if kind == "reflection" and note.id not in standing:
            continue  # a comment on the note it concerns
        if note.stage != stage:
            stage = note.stage
            title = data.stage_titles.get(stage or 0, "")
            append(Heading(f"Stage {stage}: {title}" if stage else "Notes", 3))
        text = said(note, data.method, kind)
        if note.document or note.factors:
            text += _citation(data, note)
        para = Para(text, _note_lead(data, note), "quote" if kind == "quote" else "body")
        reflections = anchors.get(note.id)
        if reflections:
            para.comments = [_reflection(data, r) for r in reflections]
        append(para)
    if not notes:
        blocks.append(Para("No notes yet.", style="meta"))
    return blocks


def narrative_section(data: ReviewData) -> list[Block]:
    blocks: list[Block] = [
        Heading(Ours("Narrative of multi-agency perspectives"), 1),
        Para(
            Ours(
                "Each person's perspective in their own words, then the key practice episodes "
                "in time order, where the perspectives meet. Each account is attributed to the "
                "conversation or document it comes from; gaps and discrepancies are marked. "
                + (
                    "The review team's own judgements are in the table of key practice episodes."
                    if data.final
                    else "The review team's own judgements are kept separate, as comments."
                )
            ),
            style="meta",
        ),
    ]
    blocks += _strands(data)
    blocks += _unlinked_team_notes(data)
    contradicted = data.contradicted
    by_anchor_all = data.reflections
    anchor_of = {
        reflection.id: anchor
        for anchors in by_anchor_all.values()
        for anchor, reflections in anchors.items()
        for reflection in reflections
    }
    for episode in data.episodes:
        when = f" ({clean(episode.date_text)})" if episode.date_text else " (date not known)"
        # The description is the team's own words (episode judge --description), never
        # printed as plain fact; a merged duplicate's shows too, marked.
        described = descriptions(episode, data.merged.get(episode.id, ()))
        if len(described) == 1:
            mark, text = described[0]
            heading_para = Para(clean(text), lead=f"{TEAM}'s description{mark}:")
        elif described:
            heading_para = Para("\n".join(_described(text, mark) for mark, text in described))
        else:
            heading_para = Para("No description yet.", style="meta")
        blocks += [Heading(f"{episode.label}: {clean(episode.title)}{when}", 2), heading_para]
        if not data.final and episode.id in data.team_only:
            blocks.append(Para(TEAM_ONLY, style="meta"))
        if not data.final:
            heading_para.comments += [
                Comment(f"{label}: {clean(text)}", TEAM)
                for label, text in judgement_lines(episode, data.merged.get(episode.id, ()))
            ]
        linked = data.notes_by_episode.get(episode.id, [])
        accounts = [n for n in linked if is_account(n)]
        # A note that only named the episode is no account: who named it is said once.
        named = [n for n in accounts if n.id in data.naming]
        accounts = [n for n in accounts if n.id not in data.naming]
        if named:
            sources = dict.fromkeys(
                (
                    data.observation_source(n.conversation)
                    if is_team_view(n)
                    else data.source(n.conversation)
                )
                + _factor_words(data, n)
                for n in named
            )
            blocks.append(Para("; ".join(sources), lead=Ours("Named in:")))
        for note in accounts:
            flagged = note.kind == "discrepancy" or note.id in contradicted
            text = said(note, data.method)
            if note.kind == "discrepancy":  # noticed by the team, not said by the participant
                lead = f"{data.observation_source(note.conversation)}:"
                text += _citation(data, note)
            elif note.document:  # their words about a record; the passage is the record's
                document = data.document_source(note.document).removeprefix("Document: ")
                lead = f"{data.source(note.conversation)}, on {document}:"
                text += _citation(data, note)
            else:  # a "+" note is labelled here as in the table and the strands
                label = _account_label(data, note.kind)
                lead = f"{data.source(note.conversation)}{f' ({label})' if label else ''}:"
                text += _citation(data, note)
            para = Para(text, lead, "bullet", "discrepancy" if flagged else "")
            reflections = by_anchor_all.get(note.conversation, {}).get(note.id)
            if reflections and not data.final:
                para.comments = [_reflection(data, r) for r in reflections]
            blocks.append(para)
        for entry in data.accepted_records.get(episode.id, []):
            blocks.append(
                Para(
                    f"{entry['date'] or ''} {clean(entry['text'])}".strip(),
                    lead=f"{data.document_source(entry['document'])}:",
                    style="bullet",
                )
            )
        # A public report keeps only the team's working observations (see ReviewData).
        for note in [n for n in linked if not n.conversation] if data.final else linked:
            if not note.conversation:  # the team's working note: theirs, apart
                blocks.append(Para(note.text + _citation(data, note), _working_lead(data, note)))
            elif note.kind == "followup":
                blocks.append(
                    Para(
                        note.text + _citation(data, note),
                        lead=f"Still to ask ({data.question_source(note.conversation)}):",
                        flag="gap",
                    )
                )
        # Reflections tagged to this episode directly but following no account of it.
        shown = {n.id for n in accounts}
        for note in [] if data.final else linked:
            if not note.conversation:
                continue
            if note.kind == "reflection" and anchor_of.get(note.id) not in shown:
                heading_para.comments.append(_reflection(data, note))
        if not accounts:
            blocks.append(Para(Ours("No account of this episode yet."), flag="gap"))
        missing = data.missing_perspectives(episode)
        if missing:
            blocks.append(Para("; ".join(missing), lead=Ours("Perspectives missing:"), flag="gap"))
    if not data.episodes:
        blocks.append(Para(Ours("No key practice episodes have been identified yet."), flag="gap"))
    return blocks


TEAM_ONLY = Ours(
    "Only the team's own notes name this episode (a private line or a working note): "
    "participants' packs and the final report leave it out until an account, an accepted "
    "record, a pattern or the team's judgement takes it up, or the team renames it."
)


# The key practice episode table as the guide lays it out (3.4.2, 3.4.3): the episode and
# what happened, close to the accounts; the accounts, attributed; the review team's own
# judgement; the contributory factors, the team's apart; the evidence. Widths are relative.
EPISODE_HEADERS = (
    "Episode",
    "What happened",
    "Accounts",
    "The team's judgement",
    "Contributory factors",
    "Evidence",
)
EPISODE_WIDTHS = (12, 15, 24, 22, 16, 11)
# Kinds of account said by their label in the guides (guides/note-kinds.md): one label
# everywhere, "Good practice" in the table as on the episode screen and in episode show.
_LABELLED_KINDS = ("went_well", "idea")


def _account_label(data: ReviewData, kind: str) -> str:
    return data.kind_labels.get(kind, kind) if kind in _LABELLED_KINDS else ""


# Stages whose notes are about the conversation itself, not the case (introduction,
# reflections on the process): not part of anyone's story.
_PROCESS_STAGES = (1, 9)


def _strands(data: ReviewData) -> list[Block]:
    """Each participant's own account (guide 2.4): their story (stage 2) and whatever they
    said that is linked to no episode, attributed, grouped by agency. The episodes follow
    in the narrative, where the strands meet."""
    blocks: list[Block] = [Heading("Each perspective in its own words", 2)]
    talks_of: dict[str, list[Conversation]] = defaultdict(list)
    for talk in sorted(data.talks.values(), key=lambda t: (t.sequence, t.label)):
        talks_of[talk.participant].append(talk)
    people = sorted(data.people.values(), key=lambda p: (p.kind == "family", p.agency, p.label))
    unheard = []
    for person in people:
        talks = talks_of.get(person.id, [])
        notes = [
            n
            for talk in talks
            for n in data.notes_by_conversation.get(talk.id, [])
            if not is_team_view(n)
            and n.stage not in _PROCESS_STAGES
            and (n.stage == 2 or not n.episodes)
        ]
        if not notes:
            # Heard if anything they said was noted, if only on episodes (shown there).
            spoke = any(
                not is_team_view(n)
                for talk in talks
                for n in data.notes_by_conversation.get(talk.id, [])
            )
            if not spoke:
                unheard.append(person)
            continue
        agency = (
            f", {clean(person.agency)}"
            if data.final and person.kind != "family" and person.agency
            else ""
        )
        blocks.append(Heading(f"{data.who(person)}{agency}", 3))
        for note in notes:
            text = said(note, data.method)
            label = _account_label(data, note.kind)
            lead = data.source(note.conversation) + (f" ({label})" if label else "")
            blocks.append(Para(text + _citation(data, note), f"{lead}:", "bullet"))
    if unheard:
        names = "; ".join(
            f"{data.who(p)}" if data.final else f"{clean(p.role)}, {clean(p.agency)}"
            for p in unheard
        )
        blocks.append(Para(names, lead="Not yet heard:", flag="gap"))
    if len(blocks) == 1:
        blocks.append(Para("No one's account has been heard yet.", flag="gap"))
    return blocks


def _unlinked_team_notes(data: ReviewData) -> list[Block]:
    """What the team noticed or noted that is linked to no episode (guide 2.4, 3.4.1:
    differences shown, every statement attributed): a ``!`` difference, as the team's
    observation in that conversation; the team's working notes; in the draft, questions
    still to ask. A public report keeps what it keeps elsewhere (see ReviewData)."""
    notes = [
        n
        for n in data.notes
        if not n.episodes
        and (n.kind == "discrepancy" or not n.conversation or n.kind == "followup")
        and not (data.final and n.kind == "followup")
    ]
    if not notes:
        return []
    heading = Ours("Differences and the review team's notes on no episode")
    blocks: list[Block] = [Heading(heading, 2)]
    for note in sorted(notes, key=lambda n: (n.kind != "discrepancy", n.at, n.id)):
        text = said(note, data.method) + _citation(data, note)
        if not note.conversation:
            blocks.append(Para(text, _working_lead(data, note), "bullet", _flag(note)))
        elif note.kind == "discrepancy":
            lead = f"{data.observation_source(note.conversation)}:"
            blocks.append(Para(text, lead, "bullet", "discrepancy"))
        else:
            lead = f"Still to ask ({data.question_source(note.conversation)}):"
            blocks.append(Para(text, lead, "bullet", "gap"))
    return blocks


def _flag(note: Note) -> str:
    return "discrepancy" if note.kind == "discrepancy" else ""


def episodes_section(data: ReviewData) -> list[Block]:
    blocks: list[Block] = [
        Heading(Ours("Key practice episodes"), 1),
        Para(
            Ours(
                "Each episode with the accounts that bear on it, attributed; the review team's "
                "own judgement of the practice in it, kept apart from the accounts; the "
                "contributory factors participants and the team identified; and the evidence."
            ),
            style="meta",
        ),
    ]
    table = Table([Ours(h) for h in EPISODE_HEADERS], [], widths=EPISODE_WIDTHS)
    for episode in data.episodes:
        notes = data.notes_by_episode.get(episode.id, [])
        records = data.accepted_records.get(episode.id, [])
        table.rows.append(
            [
                f"{episode.label}: {clean(episode.title)}\n"
                + (clean(episode.date_text) or "date not known"),
                "\n".join(
                    f"{_described(text, mark)}"
                    for mark, text in descriptions(episode, data.merged.get(episode.id, ()))
                )
                or Ours("not yet described"),
                "\n".join(_episode_accounts(data, episode, notes, records))
                or Ours("no account yet"),
                team_judgement(episode, data.merged.get(episode.id, ())) or Ours("not yet judged"),
                _factor_lines(data, notes) or Ours("none noted"),
                "\n".join(
                    _evidence(data, notes, records, data.hidden_citations.get(episode.id, ()))
                )
                or Ours("no sources yet"),
            ]
        )
    if table.rows:
        blocks.append(table)
    else:
        blocks.append(Para("No key practice episodes have been identified yet.", flag="gap"))
    return blocks


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _evidence(
    data: ReviewData, notes: list[Note], records: list[dict], documents: Iterable[str] = ()
) -> list[str]:
    """Where the row's statements come from, each source once, its counts agreeing with
    the Accounts column: a conversation's accounts (a note that only named the episode is
    said as such, not counted as one); a document's citing notes and accepted entries on
    one line (``documents``: records cited by notes not shown); the team's working notes
    apart (in a public report only its observations of differences: see ReviewData)."""
    accounts: dict[str, int] = defaultdict(int)
    named: dict[str, str] = {}  # source -> the naming note's factors, in words
    cited: dict[str, int] = defaultdict(int)
    read: dict[str, int] = defaultdict(int)
    working = 0
    for note in notes:
        if not note.conversation:
            working += 1
        elif not is_team_view(note):
            source = data.source(note.conversation)
            if note.id in data.naming:
                named[source] = named.get(source, "") or _factor_words(data, note)
            else:
                accounts[source] += 1
        if note.document:
            cited[data.document_source(note.document)] += 1
    # Records cited by working notes a public report leaves out: named, not counted, as
    # the notes citing them are neither shown nor counted.
    referenced = [data.document_source(document) for document in documents]
    for entry in records:
        read[data.document_source(entry["document"])] += 1
    lines = []
    for source in dict.fromkeys([*accounts, *named]):
        said = [_plural(accounts[source], "account")] if accounts.get(source) else []
        # Its factor tags count with the accounts' (the participant's, at naming): said here.
        said += [f"named the episode{named[source]}"] if source in named else []
        lines.append(f"{source} ({'; '.join(said)})")
    for source in dict.fromkeys([*cited, *read, *referenced]):
        said = [f"cited in {_plural(cited[source], 'note')}"] if cited.get(source) else []
        if read.get(source):
            said.append(f"{_plural(read[source], 'entry', 'entries')} accepted")
        lines.append(f"{source} ({'; '.join(said)})" if said else source)
    if working:
        lines.append(f"{TEAM}'s working notes ({working})")
    return lines


def _episode_accounts(
    data: ReviewData, episode: Episode, notes: list[Note], records: list[dict]
) -> list[str]:
    """The accounts bearing on an episode, each attributed; then the records accepted into
    it; then the differences the team noticed, attributed to the team. A note that only
    named the episode ("#new Home visit (May 2024)") says nothing more, and is left out."""
    lines = []
    for note in notes:
        if is_team_view(note) or note.id in data.naming:
            continue
        text = said(note, data.method)
        source = data.source(note.conversation)
        if note.document:  # their words about a record, as the narrative leads them
            document = data.document_source(note.document).removeprefix("Document: ")
            source = f"{source}, on {document}"
            text += f" (the record: “{note.passage}”)" if note.passage else ""
        label = _account_label(data, note.kind)
        lines.append(f"{source} ({label}): {text}" if label else f"{source}: {text}")
    for entry in records:
        when = f", {clean(entry['date'])}" if entry["date"] else ""
        lines.append(f"{data.document_source(entry['document'])}{when}: {clean(entry['text'])}")
    lines += [
        (
            f"{data.observation_source(n.conversation)}: {n.text}"
            if n.conversation
            else f"{TEAM}'s observation (working notes): {n.text}"
        )
        for n in notes
        if n.kind == "discrepancy"
    ]
    return lines


def _factor_lines(data: ReviewData, notes: list[Note]) -> str:
    """Factor areas from the accounts, then the team's own, each with its note count and
    how many of those notes say it helped or hindered (the rule of the matrix and packs)."""
    accounts, team = factor_tallies_apart(notes)
    out = []
    for heading, counts, words in (
        ("From accounts", accounts, account_words),
        ("The team's view", team, team_words),
    ):
        if not counts:
            continue
        out.append(f"{heading}:")
        for key, tally in sorted(counts.items(), key=lambda kv: (-kv[1].notes, kv[0])):
            out.append(f"{data.factor_titles.get(key, key)} ({words(tally)})")
    return "\n".join(out)


def ideas_blocks(data: ReviewData) -> list[Block]:
    """Every participant's idea for change (``~``) across the review, attributed, where the
    team weighs its patterns and recommendations (guide 3.3.2 stage 7, 3.4.6)."""
    ideas = [n for n in data.notes if n.kind == "idea" and n.conversation]
    blocks: list[Block] = [Heading("Participants' ideas for change", 2)]
    if not ideas:
        blocks.append(Para("No participant has suggested a change yet.", style="meta"))
    for note in sorted(ideas, key=lambda n: (data.source(n.conversation), n.at, n.id)):
        blocks.append(Para(note.text, lead=f"{data.source(note.conversation)}:", style="bullet"))
    return blocks


def plan_section(data: ReviewData) -> list[Block]:
    """Each participant's agenda for a further conversation, as the analysis proposes it
    (priorities and minutes from :func:`facilitator.analysis.plan.plan_for`)."""
    from facilitator.analysis.plan import plan_for

    blocks: list[Block] = [Heading("Follow-up plans for second conversations", 1)]
    any_items = False
    for person in data.people.values():
        plan = plan_for(data.store, data.method, person.id, overview=data.overview)
        talks = [t for t in data.talks.values() if t.participant == person.id]
        planned = [t for t in talks if t.status == "planned"]
        if not plan.items and talks:
            continue
        any_items = True
        blocks.append(Heading(data.who(person), 2))
        for talk in planned:
            when = (talk.planned_at or "")[:16].replace("T", " ")
            blocks.append(
                Para(f"{talk.label} planned" + (f" for {when}" if when else ""), style="meta")
            )
        if not talks:
            blocks.append(Para("No conversation planned yet.", flag="gap"))
        if not plan.items:
            continue
        fits, spare = plan.fitting()
        blocks.append(
            Para(
                f"{len(plan.items)} item(s), {plan.total_minutes} minutes suggested; "
                f"{plan.minutes_available} minutes available after the introduction, "
                "summing up and reflections.",
                style="meta",
            )
        )
        spare_ids = {id(item) for item in spare}  # identity: dataclass == compares every field
        for item in fits + spare:
            lead = f"Priority {item.priority}, {item.minutes} min"
            if id(item) in spare_ids:
                lead += ", if time allows"
            text = readable(item.text, data.method)
            if item.reason:
                text += f" ({clean(item.reason)})"
            blocks.append(
                Para(
                    text,
                    lead=f"{lead}:",
                    style="bullet",
                    flag="discrepancy" if item.kind == "discrepancy" else "",
                )
            )
    if not any_items:
        blocks.append(Para("Nothing is waiting for a second conversation.", style="meta"))
    return blocks


def _findings(data: ReviewData) -> list[Block]:
    from facilitator.reports.findings import findings_section

    return findings_section(data)


BUILDERS: dict[str, Callable[[ReviewData], list[Block]]] = {
    "record": record_section,
    "narrative": narrative_section,
    "episodes": episodes_section,
    "findings": _findings,
    "plan": plan_section,
}


def build_report(
    store: Store, method: Method, review: str, *, what: str = "all", final: bool = False
) -> Report:
    """The content of a report. ``final`` names people by role or pseudonym; the register's
    own replacements are applied by :func:`facilitator.reports.export.render`."""
    if what not in WHAT_CHOICES:
        raise ValueError(f"what must be one of {', '.join(WHAT_CHOICES)}")
    if final and what not in (*FINAL_SECTIONS, "all"):
        raise NotPublic(
            f"a final report is the public findings report and never holds the {what}s: "
            f"export the {what} without --final for the review team, or a final report "
            f"with --what {', '.join(FINAL_SECTIONS)} or all"
        )
    data = ReviewData(store, method, review, final=final)
    if final:
        sections: tuple[str, ...] = FINAL_SECTIONS if what == "all" else (what,)
    else:
        sections = SECTIONS if what == "all" else (what,)
    if {"narrative", "plan"} & set(sections):
        data.overview  # noqa: B018 - worked out first, so the board comes from it, not again
    titles = {
        "record": "Conversation records",
        "narrative": "Narrative of multi-agency perspectives",
        "episodes": "Key practice episodes",
        "findings": "Findings",
        "plan": "Follow-up plans",
    }
    subtitle = ("Findings report" if final else "Review report") if what == "all" else titles[what]
    report = Report(
        f"{clean(data.review.title)}: {subtitle}",
        FINAL_BANNER if final else DRAFT_BANNER,
        final,
    )
    if final and what == "all":
        from facilitator.reports.findings import scope_section

        report.blocks += scope_section(data)
    elif data.review.questions and what in ("all", "narrative"):
        report.blocks.append(Heading(Ours("Questions the review is asking"), 1))
        report.blocks += [Para(clean(q), style="bullet") for q in data.review.questions]
    for section in sections:
        report.blocks += BUILDERS[section](data)
    if final:  # nothing above adds one; this keeps it so whatever a section does
        for block in report.blocks:
            if isinstance(block, Table):
                block.comments = {}
            elif isinstance(block, Para):
                block.comments = []
    return report
