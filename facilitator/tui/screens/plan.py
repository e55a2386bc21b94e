"""The Plan screen: the agenda for a further conversation with one participant, ordered by
priority with suggested timings; `s` saves it as a planned conversation carrying the agenda
(which the lead then sees at stage 6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from facilitator.analysis.plan import KIND_LABELS, AgendaProposal, Plan, plan_for, save_plan
from facilitator.tui.text import cell, display_text
from facilitator.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from facilitator.tui.app import FacilitatorApp

KIND_LABEL = KIND_LABELS
STEP_MINUTES = 15
COLUMNS = (("At", 4), ("Min", 3), ("Pri", 3), ("Kind", 16), ("What to raise", 64), ("From", 40))
# Room each column takes beyond its width (a cell's padding either side) and the scrollbar.
_PADDING, _SCROLLBAR = 2, 2
_MIN_FROM, _MIN_WHAT = 16, 20


def column_widths(width: int) -> tuple[int, ...]:
    """Column widths for a table ``width`` cells wide: the short columns as they are, and
    "What to raise" and "From" sharing the rest, so the From column is always on screen
    (at 80 columns it was off the right edge). The full text of an item is in the detail
    box below; a From cell wraps rather than being cut."""
    fixed = [w for _label, w in COLUMNS[:4]]
    wanted_what, wanted_from = COLUMNS[4][1], COLUMNS[5][1]
    room = width - sum(fixed) - _PADDING * len(COLUMNS) - _SCROLLBAR
    if room >= wanted_what + wanted_from:
        return (*fixed, room - wanted_from, wanted_from)
    from_width = max(_MIN_FROM, room // 2)
    return (*fixed, max(_MIN_WHAT, room - from_width), from_width)


class PlanScreen(Screen[None]):
    DEFAULT_CSS = """
    PlanScreen #plan-summary { height: auto; padding: 0 1; color: $text-muted; }
    PlanScreen #agenda { height: 1fr; }
    PlanScreen #plan-detail-box { height: 8; border-top: solid $panel-lighten-2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="plan-back"),
        Binding("s", "save", "Save as planned conversation", id="plan-save"),
        Binding("plus,equals_sign", "longer", "Longer", id="plan-longer"),
        Binding("minus", "shorter", "Shorter", id="plan-shorter"),
    ]

    def __init__(self, participant: str, *, minutes: int = 90) -> None:
        super().__init__()
        self.participant_id = participant
        self.minutes = minutes
        self.plan: Plan | None = None
        self.saved: str | None = None  # the conversation the plan was last saved on

    @property
    def facilitator(self) -> FacilitatorApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("Plan", id="plan-title", classes="screen-title", markup=False)
        yield Static("Working out the agenda…", id="plan-summary", markup=False)
        table: DataTable = DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="plan-detail-box"):
            yield Static("", id="plan-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#agenda", DataTable)
        self._columns(table)
        table.focus()
        self.load()

    def _columns(self, table: DataTable) -> None:
        self._widths = column_widths(self.app.size.width)
        table.clear(columns=True)
        for (label, _wanted), width in zip(COLUMNS, self._widths, strict=True):
            table.add_column(label, width=width)

    def on_resize(self) -> None:
        if column_widths(self.app.size.width) != getattr(self, "_widths", None):
            self._columns(self.query_one("#agenda", DataTable))
            if self.plan is not None:
                self._show(self.plan)

    # --- data ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="plan")
    def load(self) -> None:
        try:
            plan = plan_for(
                self.facilitator.store,
                self.facilitator.method,
                self.participant_id,
                planned_minutes=self.minutes,
            )
        except Exception as exc:  # noqa: BLE001 - report and keep the screen usable
            self.app.call_from_thread(self._failed, f"Could not work out the plan: {exc}")
            return
        self.app.call_from_thread(self._show, plan)

    def _failed(self, message: str) -> None:
        self.query_one("#plan-summary", Static).update(message)

    def _show(self, plan: Plan) -> None:
        self.plan = plan
        person = plan.participant
        self.query_one("#plan-title", Static).update(
            display_text(f"Plan for the next conversation with {person.label} {person.display}")
        )
        fits, spare = plan.fitting()
        summary = (
            f"{self.minutes} minutes: {plan.framing_minutes} for introduction, summing up and "
            f"reflections, {plan.minutes_available} for the agenda; "
            f"{plan.total_minutes} suggested across {len(plan.items)} item(s)."
        )
        if spare:
            summary += f" {len(spare)} item(s) only if time allows (dimmed)."
        if not plan.items:
            summary = "Nothing outstanding for this participant."
        self.query_one("#plan-summary", Static).update(summary)
        table = self.query_one("#agenda", DataTable)
        keep = table.cursor_row
        table.clear()
        at = self.facilitator.method.stage(1).minutes
        for index, item in enumerate(plan.items):
            dim = "dim" if item in spare else ""
            start = f"{at}'" if item in fits else "-"
            if item in fits:
                at += item.minutes
            table.add_row(
                cell(start, dim),
                cell(str(item.minutes), dim),
                cell(str(item.priority), dim),
                cell(KIND_LABEL.get(item.kind, item.kind), dim),
                cell(item.text, dim),
                # Wrapped, never cut: where an item comes from reads whole at 80 columns.
                Text(display_text(item.reason, one_line=True), style=dim),
                key=str(index),
                height=None,
            )
        if plan.items:
            table.move_cursor(row=min(keep, len(plan.items) - 1))
            self._detail(plan.items[table.cursor_row])
        else:
            self.query_one("#plan-detail", Static).update("")

    def _detail(self, item: AgendaProposal) -> None:
        text = Text()
        text.append(f"{KIND_LABEL.get(item.kind, item.kind)} · priority {item.priority} · ")
        text.append(f"{item.minutes} min\n", style="bold")
        text.append(display_text(item.text))
        text.append("\nfrom: ", style="dim")
        text.append(display_text(item.reason), style="dim")
        self.query_one("#plan-detail", Static).update(text)

    @on(DataTable.RowHighlighted, "#agenda")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.plan and 0 <= event.cursor_row < len(self.plan.items):
            self._detail(self.plan.items[event.cursor_row])

    # --- actions -------------------------------------------------------------------------

    def action_longer(self) -> None:
        self.minutes = min(480, self.minutes + STEP_MINUTES)
        self.load()

    def action_shorter(self) -> None:
        self.minutes = max(30, self.minutes - STEP_MINUTES)
        self.load()

    def action_save(self) -> None:
        if self.plan is None:
            return
        if not self.plan.items:
            self.notify("There is nothing to put on an agenda.", severity="warning")
            return
        self._save(self.plan)

    @work(thread=True, exclusive=True, group="plan-save")
    def _save(self, plan: Plan) -> None:
        store = self.facilitator.store
        try:
            conversation_id = save_plan(store, plan, planned_minutes=self.minutes)
            label = store.conversation(conversation_id).label
        except Exception as exc:  # noqa: BLE001 - report, nothing is lost
            self.app.call_from_thread(
                self.notify, f"Could not save the plan: {exc}", severity="error", markup=False
            )
            return
        self.saved = conversation_id
        self.app.call_from_thread(
            self.notify,
            f"Saved {len(plan.items)} agenda item(s) on {label}, a planned conversation.",
            markup=False,
        )
