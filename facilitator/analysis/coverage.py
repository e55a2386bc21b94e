"""What a conversation has covered so far: per episode, which local-rationality prompts
and which contributory factor areas have at least one note."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from facilitator.model import Note


@dataclass
class EpisodeCoverage:
    episode: str
    notes: int = 0
    prompts: Counter[str] = field(default_factory=Counter)
    factors: Counter[str] = field(default_factory=Counter)


def episode_coverage(notes: Iterable[Note]) -> dict[str, EpisodeCoverage]:
    """For every episode named in ``notes``: note count, prompts and factors with notes."""
    result: dict[str, EpisodeCoverage] = {}
    for note in notes:
        for episode in note.episodes:
            cover = result.setdefault(episode, EpisodeCoverage(episode))
            cover.notes += 1
            cover.prompts.update(note.prompts)
            cover.factors.update(note.factors)
    return result


def factor_counts(notes: Iterable[Note]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for note in notes:
        counts.update(note.factors)
    return counts
