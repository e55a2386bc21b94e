"""The episode x contributory factor matrix: how many notes link each episode to each factor
area, with the notes behind every cell, so that a factor recurring across episodes stands
out (the guide's reason for tabulating factors).

Only notes that can speak to a factor's effect are counted: a ``?`` question or a ``~`` idea
tagged with a factor is not evidence of what it did. Participants' accounts and the team's
own view are counted, and their directions given, apart (guide 3.4.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from facilitator.analysis.coverage import is_evidence, is_team_view
from facilitator.analysis.episodes import board
from facilitator.method import Method
from facilitator.model import Episode, Note
from facilitator.store import Store


@dataclass
class Matrix:
    episodes: list[Episode]  # rows, in time order (merged duplicates folded in)
    factors: list[str]  # columns: the method's factor keys, then any unknown keys found
    cells: dict[tuple[str, str], list[Note]] = field(default_factory=dict)
    unlinked: dict[str, list[Note]] = field(default_factory=dict)  # factor notes, no episode

    def count(self, episode: str, factor: str) -> int:
        """Every note in the cell: participants' accounts and the team's view together."""
        return len(self.cells.get((episode, factor), ()))

    def team(self, episode: str, factor: str) -> int:
        """Notes in the cell that are the review team's own view (>>, !, ?)."""
        return sum(1 for n in self.cells.get((episode, factor), ()) if is_team_view(n))

    def marked(self, episode: str, factor: str, sign: str, *, team: bool | None = None) -> int:
        """Notes in the cell that say the factor helped ("+") or hindered ("-"): all of
        them, or with ``team`` only the team's view (True) or only accounts (False)."""
        return sum(
            1
            for n in self.cells.get((episode, factor), ())
            if n.direction(factor) == sign and (team is None or is_team_view(n) == team)
        )

    def accounts(self, episode: str, factor: str) -> int:
        """Notes in the cell that record what a participant said (guide 3.4.1: kept apart)."""
        return self.count(episode, factor) - self.team(episode, factor)

    def notes(self, episode: str, factor: str) -> list[Note]:
        """The notes behind one cell, in time order."""
        return list(self.cells.get((episode, factor), ()))

    def row_total(self, episode: str) -> int:
        return sum(self.count(episode, f) for f in self.factors)

    def spread(self, factor: str, *, team: bool = False) -> int:
        """In how many episodes participants' accounts (or with ``team``, the team's own
        view) link this factor: the repetition the team looks for."""
        count = self.team if team else self.accounts
        return sum(1 for e in self.episodes if count(e.id, factor))

    def recurring(self, minimum: int = 2, *, team: bool = False) -> list[str]:
        """Factors in at least ``minimum`` episodes' accounts (or the team's view), most
        widespread first."""
        found = [f for f in self.factors if self.spread(f, team=team) >= minimum]
        return sorted(found, key=lambda f: (-self.spread(f, team=team), self.factors.index(f)))


def episode_factor_matrix(
    store: Store,
    review: str,
    method: Method,
    *,
    kinds: Iterable[str] | None = None,
) -> Matrix:
    """Build the matrix for a review; ``kinds`` limits it to notes of those kinds."""
    wanted = set(kinds) if kinds is not None else None
    notes = [
        n
        for n in store.notes(review=review)
        if (wanted is None or n.kind in wanted) and is_evidence(n)
    ]
    entries = board(store, review, notes)
    factors = [a.key for a in method.factor_areas]
    for note in notes:
        for key in note.factors:
            if key not in factors:
                factors.append(key)
    matrix = Matrix([e.episode for e in entries], factors)
    for entry in entries:
        for note in entry.notes:
            for key in dict.fromkeys(note.factors):
                matrix.cells.setdefault((entry.episode.id, key), []).append(note)
    for note in notes:
        if not note.episodes:
            for key in dict.fromkeys(note.factors):
                matrix.unlinked.setdefault(key, []).append(note)
    return matrix
