"""What of the team's notes and episodes a public (``--final``) report may show.

A note's private part (a ``>>`` or ``?`` line, see :func:`facilitator.capture.split_private`)
never reaches it. An episode created by ``#new`` in a private line is real, and accounts
may be linked to it, but its title was written in private: the public report calls it
"Untitled episode" until the team gives it a title of its own
(``facilitator episode rename E3 TITLE`` or in the app).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from facilitator.capture import private_episode_titles, split_private
from facilitator.method import Method
from facilitator.model import Episode, Note
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
