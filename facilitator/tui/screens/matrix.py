"""The episode x contributory factor matrix: note counts per cell, how many episodes each
factor appears in, and the notes behind the highlighted cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static

from facilitator.analysis.coverage import is_team_view
from facilitator.analysis.episodes import note_source, source_label
from facilitator.analysis.matrix import Matrix, episode_factor_matrix
from facilitator.tui.text import cell, display_text
from facilitator.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp

FIRST_FACTOR_COLUMN = 2  # columns 0 and 1 are the episode label and title


class MatrixScreen(Screen[None]):
    DEFAULT_CSS = """
    MatrixScreen #matrix { height: 1fr; }
    MatrixScreen #matrix-summary { height: auto; padding: 0 1; color: $text-muted; }
    MatrixScreen #cell-notes-box { height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="matrix-back")]

    def __init__(self, review: str) -> None:
        super().__init__()
        self.review_id = review
        self.matrix: Matrix | None = None
        self.labels: dict[str, str] = {}

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(
            "Episodes × contributory factors (notes per cell: accounts/the team's view)",
            classes="screen-title",
            markup=False,
        )
        yield DataTable(id="matrix", cursor_type="cell")
        yield Static("", id="matrix-summary", markup=False)
        with VerticalScroll(id="cell-notes-box"):
            yield Static("Loading…", id="cell-notes", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#matrix", DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="matrix")
    def load(self) -> None:
        store = self.facilitator.store
        try:
            matrix = episode_factor_matrix(store, self.review_id, self.facilitator.method)
            labels = source_label(store, self.review_id)
        except Exception as exc:  # noqa: BLE001 - report, keep the screen usable
            self.app.call_from_thread(
                self.query_one("#cell-notes", Static).update, f"Could not build it: {exc}"
            )
            return
        self.app.call_from_thread(self._show, matrix, labels)

    def _title(self, key: str) -> str:
        """A factor area in the guide's words (the column headings are the typed tags)."""
        try:
            return self.facilitator.method.area(key).title
        except KeyError:
            return key

    def _show(self, matrix: Matrix, labels: dict[str, str]) -> None:
        self.matrix, self.labels = matrix, labels
        table = self.query_one("#matrix", DataTable)
        table.clear(columns=True)
        table.add_column("Ep", width=4)
        table.add_column("Episode", width=28)
        for key in matrix.factors:
            table.add_column(key, width=max(len(key), 5))
        for episode in matrix.episodes:
            cells: list[Text] = [
                Text(episode.label, style="bold"),
                cell(episode.title),
            ]
            for key in matrix.factors:
                count = matrix.count(episode.id, key)
                spread = matrix.spread(key)
                own = matrix.accounts(episode.id, key)
                style = "bold reverse" if own and spread >= 2 else ("bold" if count else "dim")
                team = matrix.team(episode.id, key)
                shown = f"{count - team or '·'}/{team}" if team else str(count or "·")
                cells.append(Text(shown, style=style, justify="center"))
            table.add_row(*cells, key=episode.id)
        spreads = Text("In episodes: ", style="dim")
        for key in matrix.factors:
            spreads.append(
                f"{key} {matrix.spread(key)}  ", style="bold" if matrix.spread(key) >= 2 else "dim"
            )
        recurring = matrix.recurring()
        if recurring:
            spreads.append(
                "\nRecurring in accounts (highlighted): " + ", ".join(map(self._title, recurring))
            )
        team_only = [k for k in matrix.recurring(team=True) if k not in recurring]
        if team_only:
            spreads.append(
                "\nRecurring in the team's view only: " + ", ".join(map(self._title, team_only))
            )
        self.query_one("#matrix-summary", Static).update(spreads)
        if matrix.episodes:
            table.cursor_coordinate = Coordinate(0, FIRST_FACTOR_COLUMN)
            self._show_cell(0, FIRST_FACTOR_COLUMN)
        else:
            self.query_one("#cell-notes", Static).update("No episodes yet.")

    def _show_cell(self, row: int, column: int) -> None:
        matrix = self.matrix
        target = self.query_one("#cell-notes", Static)
        if not matrix or not 0 <= row < len(matrix.episodes):
            return
        episode = matrix.episodes[row]
        factor_index = column - FIRST_FACTOR_COLUMN
        if not 0 <= factor_index < len(matrix.factors):
            target.update(Text(display_text(f"{episode.label} {episode.title}"), style="bold"))
            return
        factor = matrix.factors[factor_index]
        notes = matrix.notes(episode.id, factor)
        out = Text()
        team = matrix.team(episode.id, factor)
        out.append(
            f"{episode.label} × {self._title(factor)}: {len(notes) - team} from accounts, "
            f"{team} from the team's own view\n",
            style="bold",
        )
        for note in notes:
            source = self.labels.get(note_source(note), "unknown source")
            if is_team_view(note) and note.conversation:
                source = f"Review team, in {source}"
            way = {"+": " (helped)", "-": " (hindered)"}.get(note.direction(factor), "")
            source += way
            out.append(display_text(source) + ": ", style="dim")
            out.append(display_text(note.text) + "\n")
        target.update(out)

    @on(DataTable.CellHighlighted, "#matrix")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._show_cell(event.coordinate.row, event.coordinate.column)
