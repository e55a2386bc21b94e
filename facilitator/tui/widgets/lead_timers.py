"""The lead's top bar: where we are (stage n of 9), and two quiet timers against the plan.

A fixed-height line-rendered widget refreshed once a second: no relayout, no reflow.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from facilitator.method import Method
from facilitator.tui.widgets.lead_model import (
    LeadSnapshot,
    clock_text,
    parse_at,
    seconds_between,
    stage_totals,
    well_over,
)

BEHIND_NOTICE_S = 5 * 60


class LeadTopBar(Widget):
    DEFAULT_CSS = """
    LeadTopBar { height: 2; width: 1fr; background: $boost; padding: 0 1; }
    """

    def __init__(self, method: Method, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.method = method
        self.snapshot: LeadSnapshot | None = None
        self.stage: int | None = None
        self.now: datetime | None = None
        self.who = ""

    def show(self, snapshot: LeadSnapshot | None, stage: int | None, now: datetime) -> None:
        self.snapshot, self.stage, self.now = snapshot, stage, now
        self.refresh()

    def timings(self) -> tuple[float, float]:
        """(seconds spent in the current stage, seconds since the conversation started)."""
        snap, now = self.snapshot, self.now
        if snap is None or now is None or not snap.conversation.started_at:
            return 0.0, 0.0
        end = parse_at(snap.conversation.ended_at) or now
        total = seconds_between(snap.conversation.started_at, end)
        # Every visit to this stage counts (returning to stage 4 for another episode).
        in_stage = stage_totals(snap.events, end).get(self.stage or 0, 0.0)
        if snap.events and snap.events[-1].stage != self.stage:
            in_stage = 0.0  # our own key press is on screen before the reader has caught up
        return in_stage, total

    def behind_plan(self) -> float:
        """Seconds by which the suggested time for the rest of the stages exceeds the
        time left in the planned length (0 when on time or not started)."""
        snap = self.snapshot
        if snap is None or not self.stage or not snap.conversation.planned_minutes:
            return 0.0
        in_stage, total = self.timings()
        if not snap.conversation.started_at:
            return 0.0
        here = self.method.stage(self.stage).minutes * 60 - in_stage
        later = sum(s.minutes for s in self.method.stages if s.number > self.stage) * 60
        left = snap.conversation.planned_minutes * 60 - total
        return max(0.0, max(0.0, here) + later - left)

    def render(self) -> Text:
        width = max(20, self.size.width - 2)
        top = Text(no_wrap=True, overflow="ellipsis")
        bottom = Text(no_wrap=True, overflow="ellipsis")
        snap = self.snapshot
        if snap is None:
            top.append("Loading the conversation…", style="dim")
            return top
        stage = self.method.stage(self.stage) if self.stage else None
        if stage:
            top.append(f"Stage {stage.number} of 9 · ", style="bold")
            top.append(stage.title, style="bold")
        else:
            top.append("Not started", style="bold")
            top.append(" · F2 or a stage key starts the clock", style="dim italic")
        timers = self._timer_text(stage.minutes if stage else None)
        gap = max(1, width - top.cell_len - timers.cell_len)
        top.append(" " * gap)
        top.append_text(timers)
        for number in range(1, 10):
            label = f" {number} "
            if number == self.stage:
                bottom.append(label, style="reverse bold")
            else:
                bottom.append(label, style="dim")
        bottom.append("  ")
        conv = snap.conversation
        bottom.append(Text(f"{conv.label} · {self.who}", style="dim"))  # plain text, no markup
        if conv.ended_at:
            bottom.append(" · ended", style="dim")
        else:
            behind = self.behind_plan()
            if behind >= BEHIND_NOTICE_S:
                bottom.append(f" · about {int(behind // 60)}m behind plan", style="dim italic")
        return Text("\n").join([top, bottom])

    def _timer_text(self, minutes: int | None) -> Text:
        in_stage, total = self.timings()
        planned = self.snapshot.conversation.planned_minutes if self.snapshot else None
        text = Text(no_wrap=True)
        text.append("stage ", style="dim")
        over = minutes is not None and well_over(in_stage, minutes)
        text.append(clock_text(in_stage), style="bold yellow" if over else "bold")
        if minutes is not None:
            text.append(f"/{minutes}m", style="dim")
        if over:
            text.append(" over", style="italic")
        text.append("   total ", style="dim")
        late = bool(planned) and total > (planned or 0) * 60
        text.append(clock_text(total), style="italic" if late else "bold")
        if planned:
            text.append(f"/{planned}m", style="dim")
        return text
