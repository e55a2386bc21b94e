"""The stage guide (purpose, how to ask, prompts, and the method's own lists where a stage
uses them) and the tickable "to cover" items. All wording comes from guides/."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Markdown, SelectionList
from textual.widgets.selection_list import Selection

from facilitator.method import Method, Stage


def guide_markdown(method: Method, stage: Stage) -> str:
    """The guide text for one stage, as Markdown (guide files are trusted Markdown)."""
    parts = [
        f"## {stage.number}. {stage.title} · about {stage.minutes} min",
        f"**Purpose.** {stage.purpose}",
        f"**How to ask.** {stage.how_to_ask}",
        "### Prompts",
        "\n".join(f"- {prompt}" for prompt in stage.prompts),
    ]
    if stage.number == 4:
        parts.append("### Local rationality, per episode")
        if method.intros.get("local-rationality"):
            parts.append(method.intros["local-rationality"])
        for item in method.local_rationality:
            parts.append(f"**{item.title}** (`@{item.key}`)")
            parts.append("\n".join(f"- {prompt}" for prompt in item.prompts))
    if stage.number == 5:
        parts.append("### The factor framework, as prompts")
        for level in method.levels:
            parts.append(f"#### {level.title}")
            for area in level.areas:
                parts.append(f"**{area.title}** (`@{area.key}`)")
                parts.append("\n".join(f"- {prompt}" for prompt in area.prompts))
    return "\n\n".join(parts)


class StageGuide(Markdown):
    DEFAULT_CSS = """
    StageGuide { padding: 0 1; margin: 0; }
    StageGuide MarkdownH2 { margin: 0 0 1 0; }
    """


class ToCover(SelectionList[int]):
    """The stage's "To cover" items; space or enter ticks one (shared with the other laptop)."""

    DEFAULT_CSS = """
    ToCover { height: auto; max-height: 45%; border: round $primary 40%; }
    ToCover:focus { border: round $primary; }
    """

    class Ticked(Message):
        def __init__(self, stage: int, index: int, text: str, done: bool) -> None:
            super().__init__()
            self.stage, self.index, self.text, self.done = stage, index, text, done

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "To cover"
        self.stage: Stage | None = None

    def show_stage(self, stage: Stage, ticked: frozenset[tuple[int, int]]) -> None:
        if self.stage is None or self.stage.number != stage.number:
            self.stage = stage
            self.clear_options()
            self.add_options(
                Selection(Text(item), index, (stage.number, index) in ticked)
                for index, item in enumerate(stage.to_cover)
            )
            self.highlighted = 0 if stage.to_cover else None
            self._update_title(ticked)
            return
        self.sync(ticked)

    def sync(self, ticked: frozenset[tuple[int, int]]) -> None:
        """Bring the ticks in line with the store (the other laptop may have ticked)."""
        if self.stage is None:
            return
        for index in range(len(self.stage.to_cover)):
            want = (self.stage.number, index) in ticked
            if want != (index in self.selected):
                (self.select if want else self.deselect)(index)
        self._update_title(ticked)

    def _update_title(self, ticked: frozenset[tuple[int, int]]) -> None:
        if self.stage is None:
            return
        done = sum(1 for index in range(len(self.stage.to_cover)) if index in self.selected)
        self.border_title = f"To cover {done}/{len(self.stage.to_cover)}"

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        if self.stage is None:
            return
        index = int(event.selection.value)
        self.post_message(
            self.Ticked(
                self.stage.number,
                index,
                self.stage.to_cover[index],
                index in self.selected,
            )
        )
        done = len(self.selected)
        self.border_title = f"To cover {done}/{len(self.stage.to_cover)}"
