"""Beside the note box: stage and elapsed time, this conversation's episodes and the
factor areas with how many of the participant's own notes each has (the team's notes are
kept apart and not counted)."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from facilitator.method import Method
from facilitator.model import Episode
from facilitator.tui.text import display_text
from facilitator.tui.widgets.clock import ElapsedClock


def episodes_content(episodes: Sequence[Episode], counts: Counter[str], width: int) -> Content:
    """One entry per episode; a long title wraps under itself instead of being cut."""
    if not episodes:
        return Content.styled("No episodes yet: #new Title (date)", "dim")
    lines: list[Content] = []
    for episode in episodes:
        count = counts.get(episode.id, 0)
        title = display_text(episode.title, one_line=True)
        room = max(8, width - 4 - 3)  # the label column, and room for a count
        wrapped = textwrap.wrap(title, room, break_long_words=True) or [""]
        tail = f" {count}" if count else ""
        for index, part in enumerate(wrapped):
            last = index == len(wrapped) - 1
            lines.append(
                Content.assemble(
                    (f"{episode.label:<4}" if index == 0 else "    ", "bold"),
                    (part, "" if count else "dim"),
                    (tail if last else "", "$accent"),
                )
            )
    return Content("\n").join(lines)


def factors_content(method: Method, counts: Counter[str]) -> Content:
    lines = []
    for area in method.factor_areas:
        count = counts.get(area.key, 0)
        lines.append(
            Content.assemble(
                (f"@{area.key:<12}", "" if count else "dim"),
                (f"{count:>3}" if count else "  ·", "bold $accent" if count else "dim"),
            )
        )
    return Content("\n").join(lines)


class SidePanel(Vertical):
    DEFAULT_CSS = """
    SidePanel { width: 28; height: 1fr; border-left: solid $primary; padding: 0 1; }
    SidePanel > .side-heading { height: 1; text-style: bold; color: $text-muted; }
    SidePanel > #side-stage { height: 2; }
    SidePanel > #side-episodes { height: auto; max-height: 12; }
    SidePanel > #side-factors { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="side-stage", markup=False)
        yield ElapsedClock(id="side-clock")
        yield Static("Episodes: their notes", classes="side-heading", markup=False)
        yield Static("", id="side-episodes", markup=False)
        yield Static("Factor areas: their notes", classes="side-heading", markup=False)
        yield Static("", id="side-factors", markup=False)

    def show_stage(self, stage: int | None, title: str) -> None:
        text = f"Stage {stage}/9: {title}" if stage else "Stage: not set"
        self.query_one("#side-stage", Static).update(
            display_text(text, one_line=True), layout=False
        )

    _episode_rows = -1

    def show_episodes(self, episodes: Sequence[Episode], counts: Counter[str]) -> None:
        # Lay out again only when the number of rows changes (counts change far more often).
        rows = max(1, len(episodes))
        self.query_one("#side-episodes", Static).update(
            episodes_content(episodes, counts, 26), layout=rows != self._episode_rows
        )
        self._episode_rows = rows

    def show_factors(self, method: Method, counts: Counter[str]) -> None:
        self.query_one("#side-factors", Static).update(
            factors_content(method, counts), layout=False
        )

    @property
    def clock(self) -> ElapsedClock:
        return self.query_one(ElapsedClock)
