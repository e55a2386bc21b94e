"""Stage 8: a recap to read back to the participant, built from what was noted."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from facilitator.analysis.patterns import direction_words
from facilitator.capture import read_back
from facilitator.method import Method
from facilitator.tui.text import display_text
from facilitator.tui.widgets.lead_model import LeadSnapshot, RecapNote

TOP_FACTORS = 5


def recap_text(snapshot: LeadSnapshot, method: Method) -> Text:
    out = Text()

    def heading(title: str) -> None:
        if out:
            out.append("\n")
        out.append(title + "\n", style="bold underline")

    def area_title(key: str) -> str:
        try:
            return method.area(key).title
        except KeyError:
            return key

    heading("Episodes they picked out")
    here = [line for line in snapshot.episodes if line.named_here]
    for line in here:
        out.append(f" {line.episode.label} ", style="bold")
        out.append(display_text(line.episode.title, one_line=True))
        if line.episode.date_text:
            out.append(f" ({line.episode.date_text})", style="dim")
        out.append(f" · {line.notes} note{'' if line.notes == 1 else 's'}\n", style="dim")
    if not here:
        out.append(" none noted\n", style="dim italic")

    heading("Factors most discussed")
    if snapshot.factor_totals:
        for key, count in snapshot.factor_totals[:TOP_FACTORS]:
            out.append(f" {area_title(key)}", style="")
            # Which way it worked, as they said it: their accounts only, never the team's.
            ways = direction_words(snapshot.ways(key))
            out.append(f" ({count}{'; ' + ways if ways else ''})\n", style="dim")
    else:
        out.append(" none noted\n", style="dim italic")
    if snapshot.team_factor_totals:  # the team's view: apart, and not theirs to confirm
        out.append(" The team's own notes (not to read back): ", style="dim italic")
        out.append(
            ", ".join(f"{area_title(k)} ({n})" for k, n in snapshot.team_factor_totals),
            style="dim italic",
        )
        out.append("\n")

    heading("What they said mattered most")
    if snapshot.ranking:
        for place, key in enumerate(snapshot.ranking, start=1):
            out.append(f" {place}. {area_title(key)}\n", style="bold" if place == 1 else "")
    else:
        out.append(" no ranking recorded (stage 5)\n", style="dim italic")

    labels = dict(snapshot.episode_labels)
    for title, notes, total in (
        ("Good practice", snapshot.went_well, snapshot.went_well_total),
        ("Their ideas for change", snapshot.ideas, snapshot.ideas_total),
    ):
        _notes(out, heading, title, notes, total, method, labels)
    return out


def _notes(  # noqa: ANN001
    out: Text,
    heading,
    title: str,
    notes: tuple[RecapNote, ...],
    total: int,
    method: Method,
    labels: dict[str, str],
) -> None:
    heading(title)
    for note in notes:
        out.append(" • ")
        # Read back to the participant: E1 and the factor's name, not the typed tags.
        linked = (labels[e] for e in note.episodes if e in labels)  # by id, not as typed
        out.append(display_text(read_back(note.text, method, linked), one_line=True))
        out.append("\n")
    if total > len(notes):
        out.append(f" … and {total - len(notes)} more\n", style="dim")
    if not total:
        out.append(" none noted\n", style="dim italic")


class Recap(Widget):
    DEFAULT_CSS = """
    Recap { height: auto; padding: 0 1; }
    """

    def __init__(self, method: Method, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.method = method
        self.text = Text()

    def show(self, snapshot: LeadSnapshot) -> None:
        self.text = recap_text(snapshot, self.method)
        self.refresh(layout=True)

    def render(self) -> Text:
        return self.text
