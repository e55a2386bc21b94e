"""Stages 3–5: the episodes this participant has named, and for the highlighted one what is
still open to explore. No scores ("lr 2/7"): the guides warn against using the prompts and
the factor framework as a checklist, so coverage is shown as what has not come up yet."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from facilitator.method import Method
from facilitator.tui.text import display_text
from facilitator.tui.widgets.lead_model import EpisodeLine, LeadSnapshot

GAP = "·"


def episode_prompt(line: EpisodeLine, method: Method) -> Text:
    """One row: label, title (user text, plain), date, and how much is covered."""
    episode = line.episode
    text = Text()
    text.append(f"{episode.label} ", style="bold")
    text.append(display_text(episode.title, one_line=True))
    if episode.date_text:
        text.append(f" ({episode.date_text})", style="dim")
    if line.named_here:
        plural = "" if line.notes == 1 else "s"
        text.append(f"\n   {line.notes} note{plural}", style="dim")
    return text


class EpisodeList(OptionList):
    """Episodes named in this conversation first, then those named only elsewhere."""

    DEFAULT_CSS = """
    EpisodeList { height: auto; max-height: 12; border: round $primary 40%; }
    EpisodeList:focus { border: round $primary; }
    """

    class Chosen(Message):
        def __init__(self, episode_id: str | None) -> None:
            super().__init__()
            self.episode_id = episode_id

    def __init__(self, method: Method, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.method = method
        self.border_title = "Episodes"
        self._shown: tuple = ()

    @property
    def chosen(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def show(self, snapshot: LeadSnapshot) -> None:
        here = [line for line in snapshot.episodes if line.named_here]
        elsewhere = [line for line in snapshot.episodes if not line.named_here]
        key = tuple(here) + (None,) + tuple(elsewhere)
        if key == self._shown:
            return
        self._shown = key
        keep = self.chosen
        if keep not in {line.episode.id for line in here} and here:
            keep = here[0].episode.id  # prefer an episode this participant has named
        options: list[Option | None] = [
            Option(episode_prompt(line, self.method), id=line.episode.id) for line in here
        ]
        if elsewhere:
            if here:
                options.append(None)
            options.extend(
                Option(episode_prompt(line, self.method), id=line.episode.id) for line in elsewhere
            )
        self.set_options(options)  # type: ignore[arg-type]
        self.border_title = f"Episodes {len(here)}" + (
            f" (+{len(elsewhere)} elsewhere)" if elsewhere else ""
        )
        ids = [o.id for o in options if o is not None]
        if keep in ids:
            self.highlighted = self.get_option_index(keep)  # type: ignore[arg-type]
        elif ids:
            self.highlighted = 0
        self.post_message(self.Chosen(self.chosen))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option.id))


class CoverageView(Widget):
    """For the highlighted episode: the prompts and factor areas not yet touched on, as
    openings to explore, and those already heard about; never a score."""

    DEFAULT_CSS = """
    CoverageView { height: auto; padding: 0 1; }
    """

    def __init__(self, method: Method, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.method = method
        self.line: EpisodeLine | None = None
        self.stage = 3

    def show(self, line: EpisodeLine | None, stage: int) -> None:
        self.line, self.stage = line, stage
        self.refresh(layout=True)

    def render(self) -> Text:
        line = self.line
        if line is None:
            return Text(
                "No episode yet. When the note-taker types #new Title (date), it appears here.",
                style="dim italic",
            )
        out = Text()
        title = Text(f"{line.episode.label} ", style="bold")
        title.append(display_text(line.episode.title, one_line=True))
        out.append_text(title)
        out.append("\n")
        if not line.named_here:
            out.append("Not yet discussed in this conversation.\n", style="dim italic")
        lr = self.method.local_rationality
        if self.stage in (3, 4):
            open_ = [item.title for item in lr if item.key not in line.prompts]
            heard = [item.title for item in lr if item.key in line.prompts]
            out.append("Still open to explore\n", style="bold")
            for title in open_:
                out.append(f" {GAP} {title}\n")
            if not open_:
                out.append(" nothing left unasked: follow what matters to them\n", style="dim")
            if heard:
                out.append("Heard about: " + "; ".join(heard) + "\n", style="dim")
        areas = self.method.factor_areas
        unspoken = [area.key for area in areas if area.key not in line.factors]
        spoken = [area.key for area in areas if area.key in line.factors]
        out.append("Factor areas not yet spoken of (prompts, not a checklist)\n", style="bold")
        # No-break spaces: an area's name never wraps apart.
        out.append(
            " " + " · ".join(k.replace("-", "\u2011") for k in unspoken) if unspoken else " none"
        )
        if spoken:
            out.append("\nSpoken of: " + " · ".join(spoken), style="dim")
        return out
