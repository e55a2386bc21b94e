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
    """The episodes, any whose title was typed in a private line titled :data:`UNTITLED`."""
    private = {
        " ".join(fold_text(title).split())
        for note in notes
        if "#" in (note.text or "")
        for title in private_episode_titles(note.text or "", note.kind, method)
    }
    if not private:
        return episodes
    return [
        replace(episode, title=UNTITLED)
        if " ".join(fold_text(episode.title or "").split()) in private
        else episode
        for episode in episodes
    ]
