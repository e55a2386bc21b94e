"""Stage 6: queries from the overview (earlier follow-ups, discrepancies from other
accounts, saved agenda items). Enter marks one raised; the mark is shared."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from facilitator.analysis.queries import OverviewQuery
from facilitator.capture import labelled
from facilitator.method import Method
from facilitator.tui.text import display_text

KIND_LABEL = {"follow_up": "follow-up", "discrepancy": "discrepancy", "agenda": "agenda"}


def query_prompt(query: OverviewQuery, method: Method | None = None) -> Text:
    text = Text()
    text.append("✓ " if query.raised else "○ ", style="green" if query.raised else "bold")
    text.append(f"{KIND_LABEL.get(query.kind, query.kind)}: ", style="dim" if query.raised else "")
    # User text: plain, never markup.
    words = labelled(query.text, method) if method is not None else query.text
    text.append(display_text(words, one_line=True), style="dim" if query.raised else "")
    text.append(f"  — {display_text(query.source, one_line=True)}", style="dim italic")
    return text


class QueryList(OptionList):
    BINDINGS = [Binding("enter", "select", "Mark raised / not")]

    DEFAULT_CSS = """
    QueryList { height: 1fr; min-height: 4; border: round $primary 40%; }
    QueryList:focus { border: round $primary; }
    """

    class Raise(Message):
        def __init__(self, query: OverviewQuery) -> None:
            super().__init__()
            self.query = query

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queries: tuple[OverviewQuery, ...] = ()
        self.border_title = "Queries from other accounts"

    def show(self, queries: Sequence[OverviewQuery]) -> None:
        queries = tuple(queries)
        if queries == self.queries and self.option_count:
            return
        keep = self.highlighted
        self.queries = queries
        if not queries:
            self.set_options(
                [Option(Text("Nothing carried over for this participant."), disabled=True)]
            )
        else:
            method = getattr(self.app, "method", None)
            self.set_options(
                Option(query_prompt(q, method), id=f"{q.kind}:{q.id}") for q in queries
            )
            self.highlighted = min(keep or 0, len(queries) - 1)
        still = sum(1 for q in queries if not q.raised)
        if not queries:
            self.border_title = "Queries from other accounts"
        elif still:
            self.border_title = f"Queries: {still} still to raise (enter)"
        else:
            self.border_title = "Queries: all raised (enter)"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self.queries):
            self.post_message(self.Raise(self.queries[index]))
