"""The stage guide (purpose, how to ask, prompts, and the method's own lists where a stage
uses them) and the tickable "to cover" items. All wording comes from guides/."""

from __future__ import annotations

import re

from rich.console import RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from facilitator.method import Method, Stage


def purpose_line(purpose: str) -> str:
    """The purpose in a line or two: the first sentence of its first paragraph."""
    first = purpose.strip().split("\n\n")[0].replace("\n", " ")
    match = re.match(r"(.+?[.!?])(\s|$)", first)
    return match.group(1) if match else first


def guide_markdown(method: Method, stage: Stage, kind: str = "worker") -> str:
    """The guide text for one stage, as Markdown (guide files are trusted Markdown), with
    the prompts worded for the participant's ``kind`` (a family member is not asked about
    their workload or supervision)."""
    family = kind == "family" and bool(stage.family_prompts)
    # What the stage is for, in a line, then the prompts the lead glances at
    # mid-conversation; the full purpose closes the guide. The stage's number, title and
    # minutes are on the top bar already.
    parts = [
        f"**Purpose:** {purpose_line(stage.purpose)}",
        "### Prompts, worded for a family member" if family else "### Prompts",
        "\n".join(f"- {prompt}" for prompt in stage.prompts_for(kind)),
        "### How to ask",
        stage.how_to_ask,
        "### Purpose in full",
        stage.purpose,
    ]
    if stage.number == 4:
        parts.append("### Local rationality, per episode")
        if method.intros.get("local-rationality"):
            parts.append(method.intros["local-rationality"])
        for item in method.local_rationality:
            parts.append(f"**{item.title}** (`@{item.key}`)")
            parts.append("\n".join(f"- {prompt}" for prompt in item.prompts))
    if stage.number == 5 and family:
        parts.append(
            "The factor framework's prompts are worded for professionals: with a family "
            "member, listen for the same areas in their own words and tag them as usual."
        )
    elif stage.number == 5:
        parts.append("### The factor framework, as prompts")
        for level in method.levels:
            parts.append(f"### {level.title}")
            for area in level.areas:
                parts.append(f"**{area.title}** (`@{area.key}`)")
                parts.append("\n".join(f"- {prompt}" for prompt in area.prompts))
    return "\n\n".join(parts)


class StageGuide(Widget):
    """The guide text as one Rich Markdown render: a single widget, so changing stage costs
    one repaint rather than mounting a widget per paragraph (Textual's Markdown widget
    took up to a second on the long stage 4 and 5 guides)."""

    DEFAULT_CSS = """
    StageGuide { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rendered: RichMarkdown | None = None

    def update(self, markdown: str) -> None:
        self._rendered = RichMarkdown(markdown, hyperlinks=False)
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        return self._rendered if self._rendered is not None else ""


class ToCover(OptionList):
    """The stage's "To cover" items; space or enter ticks one (shared with the other laptop).

    An OptionList rather than a SelectionList so that long items wrap instead of being cut.
    """

    DEFAULT_CSS = """
    ToCover { height: auto; max-height: 45%; border: round $primary 40%; }
    ToCover:focus { border: round $primary; }
    """

    BINDINGS = [
        Binding("space", "select", "Tick"),
        Binding("enter", "select", "Tick / untick", show=False),
    ]

    class Ticked(Message):
        def __init__(self, stage: int, index: int, text: str, done: bool) -> None:
            super().__init__()
            self.stage, self.index, self.text, self.done = stage, index, text, done

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "To cover"
        self.stage: Stage | None = None
        self.done: set[int] = set()

    def show_stage(self, stage: Stage, ticked: frozenset[tuple[int, int]]) -> None:
        done = {index for (number, index) in ticked if number == stage.number}
        if self.stage is not None and self.stage.number == stage.number and done == self.done:
            return
        moved = self.stage is None or self.stage.number != stage.number
        self.stage, self.done = stage, done
        keep = 0 if moved else (self.highlighted or 0)
        self.set_options(self._option(index) for index in range(len(stage.to_cover)))
        if stage.to_cover:
            self.highlighted = min(keep, len(stage.to_cover) - 1)
        # What is still open to explore, never a score: the list is not a checklist.
        still = len(stage.to_cover) - len(done & set(range(len(stage.to_cover))))
        # Short enough for the split view's narrow column at 80x24; space ticks (footer).
        self.border_title = f"To cover: {still} open" if still else "To cover: all touched on"

    def _option(self, index: int) -> Option:
        assert self.stage is not None
        ticked = index in self.done
        text = Text()
        text.append("✓ " if ticked else "○ ", style="green bold" if ticked else "dim")
        text.append(self.stage.to_cover[index], style="dim" if ticked else "")
        return Option(text, id=str(index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.stage is None:
            return
        index = event.option_index
        done = set(self.done)
        done ^= {index}
        ticked = frozenset((self.stage.number, i) for i in done)
        self.show_stage(self.stage, ticked)
        self.post_message(
            self.Ticked(self.stage.number, index, self.stage.to_cover[index], index in done)
        )
