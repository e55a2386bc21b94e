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

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from facilitator.capture import parse, private_episode_titles, split_private
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
            kept.append(_without_private_tags(replace(note, text=public), private, method))
    return kept


def _without_private_tags(note: Note, private: str, method: Method) -> Note:
    """A note cut to its public part, without the factors, directions and prompts that
    only its private words tagged (a note saved before capture read tags from the account
    alone still carries links from its ``>>`` words)."""
    theirs, ours = parse(note.text, method), parse(private, method)
    factors = set(ours.factors) - set(theirs.factors)
    prompts = set(ours.prompts) - set(theirs.prompts)
    if not factors and not prompts:
        return note
    return replace(
        note,
        factors=tuple(f for f in note.factors if f not in factors),
        directions=tuple(d for d in note.directions if d[:-1] not in factors),
        prompts=tuple(p for p in note.prompts if p not in prompts),
    )


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


def _period(episode: Episode) -> str | None:
    """The period an episode's date was read as, in our words: "3 June 2024", "June
    2024", "2024" or "June 2024 to July 2024"; None if it was not read. A period other than
    a day is said by its months: "early July" was read as 1 to 10 July, and "1 July 2024
    to 10 July 2024" would claim a precision nobody typed."""
    try:
        start = date.fromisoformat(episode.date_start or "")
        end = date.fromisoformat(episode.date_end or episode.date_start or "")
    except ValueError:
        return None
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"
