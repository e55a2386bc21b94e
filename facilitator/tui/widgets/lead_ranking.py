"""Stage 5: the participant's own ranking of what mattered most, as an ordered list of
factor areas. One ranking entity per conversation (deterministic id), so both laptops
edit the same record."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from facilitator.analysis.patterns import direction_words
from facilitator.method import Method


def reorder(ranking: Sequence[str], key: str, action: str) -> tuple[str, ...]:
    """``toggle`` adds at the end or removes; ``up``/``down`` move a ranked area by one."""
    order = list(ranking)
    if action == "toggle":
        if key in order:
            order.remove(key)
        else:
            order.append(key)
    elif key in order:
        index = order.index(key)
        target = index - 1 if action == "up" else index + 1
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
    return tuple(order)


class RankingList(OptionList):
    """Ranked areas first (1, 2, 3 …), then the rest; counts are notes in this conversation."""

    DEFAULT_CSS = """
    RankingList { height: auto; max-height: 13; border: round $primary 40%; }
    RankingList:focus { border: round $primary; }
    """

    BINDINGS = [
        Binding("enter", "select", "Rank / unrank"),
        Binding("shift+up", "move('up')", "Rank higher", show=True),
        Binding("shift+down", "move('down')", "Rank lower", show=True),
    ]

    class Changed(Message):
        def __init__(self, ranking: tuple[str, ...]) -> None:
            super().__init__()
            self.ranking = ranking

    def __init__(self, method: Method, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.method = method
        self.ranking: tuple[str, ...] = ()
        self.totals: dict[str, int] = {}
        self.ways: dict[str, dict[str, int]] = {}
        self.covered: frozenset[str] | None = None
        self.label = ""
        self.border_title = "Factors · their ranking (enter)"
        self._shown: tuple = ()

    def show(
        self,
        ranking: tuple[str, ...],
        totals: dict[str, int],
        covered: frozenset[str] | None = None,
        episode_label: str = "",
        ways: dict[str, dict[str, int]] | None = None,
    ) -> None:
        """``covered``: the factor areas the highlighted episode has notes on (✓); ``ways``:
        how many of the participant's notes say each area helped ("+") or hindered ("-")."""
        known = {area.key for area in self.method.factor_areas}
        ranking = tuple(key for key in ranking if key in known)
        ways = dict(ways or {})
        state = (ranking, dict(totals), covered, episode_label, repr(sorted(ways.items())))
        if state == self._shown:
            return
        self._shown = state
        self.ranking, self.totals, self.ways = ranking, dict(totals), ways
        self.covered, self.label = covered, episode_label
        if episode_label:
            self.border_subtitle = f"✓ = notes on {episode_label}"
        keep = self.highlighted_option.id if self.highlighted_option else None
        order = list(ranking) + [a.key for a in self.method.factor_areas if a.key not in ranking]
        options = []
        for key in order:
            area = self.method.area(key)
            text = Text(no_wrap=True, overflow="ellipsis")
            has = self.covered is not None and key in self.covered
            text.append("✓ " if has else "· ", style="green" if has else "dim")
            if key in ranking:
                text.append(f"{ranking.index(key) + 1:>2}. ", style="bold")
                text.append(area.title, style="bold")
            else:
                text.append("    ")
                text.append(area.title)
            count = totals.get(key, 0)
            way = direction_words(ways.get(key))
            text.append(f"  {count} note{'s' if count != 1 else ''}", style="dim")
            if way:
                text.append(f", {way}", style="dim")
            options.append(Option(text, id=key))
        self.set_options(options)
        if keep is not None:
            self.highlighted = self.get_option_index(keep)
        else:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._change(event.option.id, "toggle")

    def action_move(self, direction: str) -> None:
        option = self.highlighted_option
        if option is not None and option.id:
            self._change(option.id, direction)

    def _change(self, key: str, action: str) -> None:
        ranking = reorder(self.ranking, key, action)
        if ranking == self.ranking:
            return
        row = self.highlighted
        self.show(ranking, self.totals, self.covered, self.label, self.ways)
        if action == "toggle" and row is not None:
            # Ranking moves the area up the list, but the cursor stays on the row the
            # lead is working down, so Down, Enter ranks the next area as expected.
            self.highlighted = min(row, self.option_count - 1)
        else:
            self.highlighted = self.get_option_index(key)  # moving: follow the area
        self.post_message(self.Changed(ranking))
