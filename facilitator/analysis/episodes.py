"""The episodes board: key practice episodes in time order, and the team's operations on them
(merge duplicates, split, rename, re-date, record the team's judgement).

Merging never rewrites a note's links. The duplicate gets ``merged_into`` set, and every
reader maps episode ids through :func:`canonical_ids`, so each account keeps its original
link (and so its provenance) and a merge can be undone with :func:`unmerge_episode`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from facilitator.dates import DateProblem, implausible, parse_period
from facilitator.model import Episode, Note
from facilitator.store import Store
from facilitator.store.db import StoreError

INVOLVED = "involved"
NOT_INVOLVED = "not_involved"


@dataclass(frozen=True)
class BoardEntry:
    """One live (not merged) episode on the board.

    ``merged`` are the duplicates folded into it; ``notes`` every live note linked to it
    or to one of its duplicates; ``sources`` the conversations and documents those notes
    came from, in first-mention order.
    """

    episode: Episode
    merged: tuple[Episode, ...]
    notes: tuple[Note, ...]
    sources: tuple[str, ...]

    @property
    def dated(self) -> bool:
        return bool(self.episode.date_start)

    @property
    def when(self) -> str:
        """How the date reads on the board: the typed text, else the ISO dates, else 'undated'."""
        e = self.episode
        if e.date_text:
            return e.date_text
        if e.date_start and e.date_end and e.date_end != e.date_start:
            return f"{e.date_start} to {e.date_end}"
        return e.date_start or "undated"


def canonical_ids(episodes: Iterable[Episode]) -> dict[str, str]:
    """Every episode id mapped to the live episode it now belongs to (itself if not merged).

    Follows chains (A merged into B merged into C gives C). A cycle, which concurrent merges
    on two laptops could produce, is broken deterministically at the smallest id so that every
    device reads the same board.
    """
    by_id = {e.id: e for e in episodes}
    result: dict[str, str] = {}
    for start in by_id:
        seen: list[str] = []
        current = start
        while True:
            target = by_id[current].merged_into if current in by_id else None
            if not target or target not in by_id:
                break
            if current in seen:
                cycle = seen[seen.index(current) :]
                current = min(cycle)
                break
            seen.append(current)
            current = target
        result[start] = current
    return result


def canonical(note: Note, mapping: dict[str, str]) -> tuple[str, ...]:
    """A note's episodes as live episode ids, duplicates removed, order kept."""
    if len(note.episodes) == 1:  # the usual case, worth no loop
        return (mapping.get(note.episodes[0], note.episodes[0]),)
    out: list[str] = []
    for episode in note.episodes:
        live = mapping.get(episode, episode)
        if live not in out:
            out.append(live)
    return tuple(out)


def _number(label: str) -> int:
    return int(label[1:]) if label[1:].isdigit() else 0


def time_order_key(episode: Episode) -> tuple:
    """Dated episodes first by start then end date; undated ones after, by label number."""
    if episode.date_start:
        return (
            0,
            episode.date_start,
            episode.date_end or episode.date_start,
            _number(episode.label),
        )
    return (1, "", "", _number(episode.label))


def source_label(store: Store, review: str) -> dict[str, str]:
    """Human labels for every source of notes: 'C1, Social worker (Children's social care)'
    for conversations, the title for documents."""
    people = {p.id: p for p in store.participants(review)}
    labels: dict[str, str] = {}
    for conv in store.conversations(review):
        who = people.get(conv.participant)
        labels[conv.id] = f"{conv.label}, {who.role} ({who.agency})" if who else conv.label
    for doc in store.documents(review):
        labels[doc.id] = f"document: {doc.title}"
    labels[TEAM_SOURCE] = "Review team (working notes)"
    return labels


# The conversation of a working note of the team's own, on the review or on a record: it
# belongs to no participant's conversation (guide 3.4.1 keeps the team's views apart).
TEAM_SOURCE = ""


def note_source(note: Note) -> str:
    """The id of where a note came from: its document if it has one, else its conversation."""
    return note.document or note.conversation


def board(store: Store, review: str, notes: list[Note] | None = None) -> list[BoardEntry]:
    """All live episodes in time order, each with its duplicates, notes and sources."""
    episodes = store.episodes(review)
    mapping = canonical_ids(episodes)
    notes = store.notes(review=review) if notes is None else notes
    per_episode: dict[str, list[Note]] = {}
    for note in notes:
        for live in canonical(note, mapping):
            per_episode.setdefault(live, []).append(note)
    entries = []
    for episode in sorted(episodes, key=time_order_key):
        if mapping[episode.id] != episode.id:
            continue
        merged = tuple(e for e in episodes if e.id != episode.id and mapping[e.id] == episode.id)
        linked = tuple(per_episode.get(episode.id, ()))
        sources: list[str] = []
        for note in linked:
            source = note_source(note)
            if source and source not in sources:
                sources.append(source)
        entries.append(BoardEntry(episode, merged, linked, tuple(sources)))
    return entries


# --- the team's operations --------------------------------------------------------------


def _episode(store: Store, review: str, episode_id: str) -> Episode:
    for episode in store.episodes(review):
        if episode.id == episode_id:
            return episode
    raise StoreError(f"no episode {episode_id} in this review")


def merge_episodes(store: Store, review: str, keep: str, duplicate: str) -> str:
    """Fold ``duplicate`` into ``keep`` (both as named by different participants, say).

    Returns the id of the live episode the duplicate now belongs to. Notes keep their own
    links; the duplicate's title and dates stay on record and show on the board as merged.
    An undated episode takes the duplicate's date, so a merge never leaves the episode
    undated when one of its parts knew when it happened.
    """
    episodes = store.episodes(review)
    by_id = {e.id: e for e in episodes}
    mapping = canonical_ids(episodes)
    _episode(store, review, keep)
    _episode(store, review, duplicate)
    target = mapping[keep]
    if mapping[duplicate] == target:
        raise StoreError("those episodes are already the same episode")
    with store.transaction():
        store.update(review, "episode", mapping[duplicate], merged_into=target)
        if mapping[duplicate] != duplicate:
            store.update(review, "episode", duplicate, merged_into=target)
        dated = next(
            (by_id[i] for i in (duplicate, mapping[duplicate]) if by_id[i].date_start), None
        )
        if not by_id[target].date_start and dated is not None:
            store.update(
                review,
                "episode",
                target,
                date_text=dated.date_text or "",
                date_start=dated.date_start or "",
                date_end=dated.date_end or "",
            )
    return target


def merge_dates_differ(store: Store, review: str, keep: str, duplicate: str) -> str | None:
    """Before a merge: the duplicate's date when both are dated differently (the kept
    episode's date stands; worth saying, as one of the two is wrong)."""
    by_id = {e.id: e for e in store.episodes(review)}
    kept, dup = by_id.get(keep), by_id.get(duplicate)
    if (
        kept
        and dup
        and kept.date_start
        and dup.date_start
        and ((kept.date_start, kept.date_end) != (dup.date_start, dup.date_end))
    ):
        return dup.date_text or dup.date_start
    return None


def judged_duplicates(store: Store, review: str, duplicate: str) -> list[str]:
    """Labels of the episodes a merge of ``duplicate`` would fold in (it and anything
    already merged into it) that carry a judgement or description of the team's: worth
    saying at merge."""
    episodes = store.episodes(review)
    mapping = canonical_ids(episodes)
    live = mapping.get(duplicate, duplicate)
    return [
        e.label
        for e in sorted(episodes, key=lambda e: _number(e.label))
        if mapping.get(e.id) == live and (judgement_lines(e) or descriptions(e))
    ]


def unmerge_episode(store: Store, review: str, episode_id: str) -> None:
    """Undo a merge: the episode stands on its own again with all its notes."""
    episode = _episode(store, review, episode_id)
    if not episode.merged_into:
        raise StoreError(f"{episode.label} is not merged into another episode")
    store.update(review, "episode", episode_id, merged_into="")


def rename_episode(store: Store, review: str, episode_id: str, title: str) -> None:
    title = " ".join(title.split())
    if not title:
        raise StoreError("an episode needs a title")
    _episode(store, review, episode_id)
    store.update(review, "episode", episode_id, title=title)


def date_fields(date_text: str) -> dict[str, str]:
    """Episode date fields from lenient text; empty text clears the date.

    Raises :class:`DateProblem` with a readable message for an impossible date.
    """
    text = " ".join(date_text.split())
    if not text:
        return {"date_text": "", "date_start": "", "date_end": ""}
    period = parse_period(text)
    doubt = implausible(period)
    if doubt:
        raise DateProblem(f"{doubt}; the date was not changed")
    return {
        "date_text": text,
        "date_start": period.start.isoformat() if period.start else "",
        "date_end": period.end.isoformat() if period.end else "",
    }


def redate_episode(store: Store, review: str, episode_id: str, date_text: str) -> None:
    _episode(store, review, episode_id)
    store.update(review, "episode", episode_id, **date_fields(date_text))


def set_team_judgement(
    store: Store,
    review: str,
    episode_id: str,
    *,
    good: str | None = None,
    problematic: str | None = None,
    description: str | None = None,
    significance: str | None = None,
    information: str | None = None,
) -> None:
    """The review team's own judgement of an episode, kept apart from participants' accounts.

    ``good`` and ``problematic`` may hold several lines, one for each part of the episode
    the team judges on its own (guide 3.4.2); blank lines are dropped. An empty string
    clears a field; None leaves it as it is."""
    _episode(store, review, episode_id)

    def lines(text: str | None) -> str | None:
        if text is None:
            return None
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    fields = {
        key: value
        for key, value in (
            ("team_good", lines(good)),
            ("team_problematic", lines(problematic)),
            ("description", description),
            ("team_significance", lines(significance)),
            ("team_information", lines(information)),
        )
        if value is not None
    }
    if fields:
        store.update(review, "episode", episode_id, **fields)


# The parts of the team's judgement (guide 3.4.2), with the one label each has in every
# screen and report: the label "Good practice" is never "Went well" somewhere else.
JUDGEMENT_PARTS = (
    ("team_good", "Good practice"),
    ("team_problematic", "Problematic practice"),
    ("team_significance", "Significance for the child"),
    ("team_information", "Information used or needed"),
)


def judgement_lines(episode: Episode, merged: Iterable[Episode] = ()) -> list[tuple[str, str]]:
    """(label, text) for each part of the team's judgement recorded, one per line given:
    a judgement on one part of the episode keeps its own line. A duplicate ``merged`` into
    the episode keeps the judgement the team made of it, shown after the episode's own and
    marked with where it was made: a merge never hides a judgement."""
    found = []
    for judged, mark in ((episode, ""), *((m, f" (judged as {m.label})") for m in merged)):
        for key, label in JUDGEMENT_PARTS:
            text = getattr(judged, key) or ""
            found += [(label + mark, line.strip()) for line in text.splitlines() if line.strip()]
    return found


def descriptions(episode: Episode, merged: Iterable[Episode] = ()) -> list[tuple[str, str]]:
    """(mark, text) for the team's description of the episode and of each duplicate merged
    into it ("" for the episode's own, " (as E2)" for a duplicate's): a merge hides none."""
    return [
        (mark, " ".join(judged.description.split()))
        for judged, mark in ((episode, ""), *((m, f" (as {m.label})") for m in merged))
        if judged.description and judged.description.strip()
    ]


def team_judgement(episode: Episode, merged: Iterable[Episode] = ()) -> str:
    """The team's judgement as text, one labelled line per part ("" if not judged yet)."""
    return "\n".join(f"{label}: {text}" for label, text in judgement_lines(episode, merged))


def split_episode(
    store: Store,
    review: str,
    episode_id: str,
    title: str,
    notes: Iterable[str],
    *,
    date_text: str = "",
) -> str:
    """Make a new episode from part of one, moving the chosen notes' links to it.

    The old links are marked absent, not deleted, so the op log keeps where each note was.
    Returns the new episode's id.
    """
    title = " ".join(title.split())
    if not title:
        raise StoreError("the new episode needs a title")
    chosen = list(dict.fromkeys(notes))
    if not chosen:
        raise StoreError("choose at least one note to move to the new episode")
    episodes = store.episodes(review)
    mapping = canonical_ids(episodes)
    _episode(store, review, episode_id)
    family = {e for e, live in mapping.items() if live == mapping[episode_id]}
    found = {n.id: n for n in store.notes(review=review) if n.id in chosen}
    for note_id in chosen:
        note = found.get(note_id)
        if note is None or not family & set(note.episodes):
            raise StoreError(f"note {note_id[:8]} is not linked to that episode")
    dates = date_fields(date_text) if date_text.strip() else {}
    with store.transaction():
        new = store.create_episode(review, title)
        if dates:
            store.update(review, "episode", new, **dates)
        for note_id in chosen:
            for old in set(found[note_id].episodes) & family:
                store.link(review, note_id, "episode", old, present=False)
            store.link(review, note_id, "episode", new)
    return new


def set_involved(
    store: Store,
    review: str,
    episode_id: str,
    participant_id: str,
    involved: bool | None = True,
) -> None:
    """The team's view of whether a participant was involved in an episode.

    ``True``: involved (so their perspective is sought); ``False``: not involved, which also
    overrides being mentioned in someone's account (a name or role matched by chance);
    ``None``: withdraw the team's view and go back to what the notes suggest.
    """
    _episode(store, review, episode_id)
    store.participant(participant_id)
    with store.transaction():
        for relation, present in ((INVOLVED, involved is True), (NOT_INVOLVED, involved is False)):
            store.link(
                review,
                episode_id,
                "participant",
                participant_id,
                relation=relation,
                present=present,
                source_kind="episode",
            )


__all__ = [
    "BoardEntry",
    "DateProblem",
    "board",
    "canonical",
    "canonical_ids",
    "date_fields",
    "merge_dates_differ",
    "descriptions",
    "merge_episodes",
    "note_source",
    "redate_episode",
    "rename_episode",
    "set_involved",
    "set_team_judgement",
    "judged_duplicates",
    "judgement_lines",
    "team_judgement",
    "source_label",
    "split_episode",
    "time_order_key",
    "unmerge_episode",
]
