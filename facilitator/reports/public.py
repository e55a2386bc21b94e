"""What of the team's notes and episodes a public (``--final``) report may show.

A note's private part (a ``>>`` or ``?`` line, see :func:`facilitator.capture.split_private`)
never reaches it. An episode created by ``#new`` in a private line is real, and accounts
may be linked to it, but its title was written in private: the public report calls it
"Untitled episode" until the team gives it a title of its own
(``facilitator episode rename E3 TITLE`` or in the app).

The same rule holds for every other text a user wrote that a public report draws on: the
team's own fields (an episode's description and judgement, a pattern's title, description
and reasons, a recommendation and who should act on it, the review's title and
questions) and the text of imported records. A line there that starts with ``>>`` or
``?`` (after any tags), or a ``>>`` after a space, begins private material, as it does in
a note: the team's fields stop there (:func:`public_text`); an imported record, which is
the agency's and not the team's, loses only those lines (:func:`public_lines`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta

from facilitator.analysis.episodes import canonical_ids
from facilitator.capture import episode_refs, private_episode_titles, public_links, split_private
from facilitator.method import Method
from facilitator.model import Document, Episode, Note, Review
from facilitator.reports.normalise import fold_text

UNTITLED = "Untitled episode"


def public_notes(notes: Iterable[Note], method: Method) -> list[Note]:
    """Each note cut to its public part; notes with none left out."""
    kept = []
    for note in notes:
        public, private = split_private(note.text or "", note.kind, method)
        if not private:
            kept.append(note)
        elif public.strip():
            kept.append(replace(note, text=public))
    return kept


def public_text(text: str | None, method: Method) -> str:
    """A text the team wrote, up to its first private line or ``>>``."""
    return split_private(text, "observation", method)[0] if text else ""


def public_lines(text: str | None, method: Method) -> str:
    """An imported record's text without its private lines: each line is read on its own
    (a record holds many entries, and a ``?`` line in one is not the end of the record)."""
    if not text or (">>" not in text and "?" not in text and text.isascii()):
        return text or ""
    kept = [public_text(line, method) for line in text.splitlines()]
    return "\n".join(
        line for line, full in zip(kept, text.splitlines(), strict=True) if line or not full.strip()
    )


def public_review(review: Review, method: Method) -> Review:
    return replace(
        review,
        title=public_text(review.title, method),
        questions=tuple(q for q in (public_text(q, method) for q in review.questions) if q),
    )


def public_documents(documents: Iterable[Document], method: Method) -> list[Document]:
    return [
        replace(d, title=public_text(d.title, method), text=public_lines(d.text, method))
        for d in documents
    ]


def public_records(rows: Iterable[dict], method: Method) -> list[dict]:
    """Chronology entries (imported record lines, continuation lines merged in) with their
    private lines taken out; an entry with nothing public left is left out."""
    kept = []
    for row in rows:
        text = public_lines(row.get("text"), method)
        if text.strip() or not (row.get("text") or "").strip():
            kept.append({**row, "text": text})
    return kept


_TEAM_FIELDS = ("description", "team_good", "team_problematic", "team_significance",
                "team_information")  # fmt: skip


def public_fields(item: object, fields: Iterable[str], method: Method) -> object:
    """``item`` (a frozen dataclass) with each of ``fields`` cut to its public part."""
    changes = {}
    for name in fields:
        value = getattr(item, name)
        if value:
            public = public_text(value, method)
            if public != value:
                changes[name] = public
    return replace(item, **changes) if changes else item  # type: ignore[type-var]


def public_episodes(
    episodes: list[Episode], notes: Iterable[Note], method: Method
) -> list[Episode]:
    """The episodes, any whose title was typed in a private line titled :data:`UNTITLED`
    and dated only by the period its date was read as ("June 2024"): the words around a
    date ("week the worker was drunk, June 2024") were written in private too. A title
    that holds a private marker (saved before the grammar cut titles there) keeps only
    its public part."""
    private = {
        " ".join(fold_text(title).split())
        for note in notes
        if "#" in (note.text or "")
        for title in private_episode_titles(note.text or "", note.kind, method)
    }
    kept = []
    for episode in episodes:
        episode = public_fields(episode, _TEAM_FIELDS, method)  # type: ignore[assignment]
        title = episode.title or ""
        if private and " ".join(fold_text(title).split()) in private:
            episode = replace(episode, title=UNTITLED, date_text=_period(episode))
        else:
            public, hidden = split_private(title, "observation", method)
            if hidden:
                episode = replace(episode, title=public or UNTITLED, date_text=_period(episode))
        kept.append(episode)
    return kept


def team_only_episodes(
    episodes: list[Episode],
    notes: Iterable[Note],
    counted: Callable[[Note], bool],
    taken_up: Iterable[str],
    method: Method,
    deleted: Callable[[], Iterable[Note]] = tuple,
) -> set[str]:
    """Live episodes that nothing public links to: every note that names one is a private
    line or a note ``counted`` leaves out (the team's working notes), and the team has not
    taken it up since: no public link from a note that counts, no judgement or
    description of the team's, no title of its own (renamed), and nothing in
    ``taken_up`` (episodes an accepted record, a pattern or a recommendation is on).
    An episode no note names (made on the board) is the team's analysis: never left out,
    but for one whose title was typed in a private line of a note since deleted
    (``deleted()`` gives those notes; read only when some episode no live note names).
    Merged duplicates count for the episode they joined."""
    mapping = canonical_ids(episodes)
    labels = {e.id: (e.label, e.title) for e in episodes}
    public = {mapping.get(e, e) for e in taken_up}
    named: set[str] = set()
    titles: set[str] = set()  # as typed in the notes that do not count
    for note in notes:
        if not note.episodes:
            continue
        named.update(mapping.get(e, e) for e in note.episodes)
        if counted(note):
            public.update(mapping.get(e, e) for e in public_links(note, labels, method))
            titles.update(episode_refs(split_private(note.text or "", note.kind, method)[1],
                                       method)[1])  # fmt: skip
        else:
            titles.update(episode_refs(note.text or "", method)[1])
    if set(mapping.values()) - named:
        for note in deleted():  # a private line deleted: its episode is still the team's
            typed = episode_refs(split_private(note.text or "", note.kind, method)[1], method)[1]
            if typed and note.episodes:
                named.update(mapping.get(e, e) for e in note.episodes)
                titles |= typed
    for episode in episodes:
        live = mapping.get(episode.id, episode.id)
        if live not in named or live in public:
            continue
        if any(public_text(getattr(episode, name), method).strip() for name in _TEAM_FIELDS):
            public.add(live)
        elif live == episode.id and " ".join(episode.title.casefold().split()) not in titles:
            public.add(live)  # renamed by the team: a title of its own
    return named - public


def _period(episode: Episode) -> str | None:
    """The period an episode's date was read as, in our words: "3 June 2024", "June
    2024", "2024" or "3 June 2024 to 5 July 2024"; None if it was not read."""
    try:
        start = date.fromisoformat(episode.date_start or "")
        end = date.fromisoformat(episode.date_end or episode.date_start or "")
    except ValueError:
        return None
    if start == end:
        return f"{start.day} {start:%B %Y}"
    month_end = (end + timedelta(days=1)).day == 1
    if start.day == 1 and month_end and (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year}"
    if start.day == 1 and month_end:
        return f"{start:%B %Y} to {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
