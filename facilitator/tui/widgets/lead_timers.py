"""The lead's top bar: where we are (stage n of 9 and its name, at every width, before
the start and after the end), and two quiet timers against the plan, with each stage's
suggested time scaled to the planned length.

A fixed-height line-rendered widget refreshed once a second: no relayout, no reflow;
each of its two lines is cut to the width, never wrapped.
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
    suggested_minutes,
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

    def suggested(self) -> dict[int, int]:
        planned = self.snapshot.conversation.planned_minutes if self.snapshot else None
        return suggested_minutes(self.method, planned)

    def behind_plan(self) -> float:
        """Seconds by which the suggested time for the rest of the stages exceeds the
        time left in the planned length (0 when on time or not started)."""
        snap = self.snapshot
        if snap is None or not self.stage or not snap.conversation.planned_minutes:
            return 0.0
        in_stage, total = self.timings()
        if not snap.conversation.started_at:
            return 0.0
        suggested = self.suggested()
        here = suggested[self.stage] * 60 - in_stage
        later = sum(m for number, m in suggested.items() if number > self.stage) * 60
        left = snap.conversation.planned_minutes * 60 - total
        return max(0.0, max(0.0, here) + later - left)

    def render(self) -> Text:
        width = max(20, self.size.width - 2)
        snap = self.snapshot
        if snap is None:
            return Text("Loading the conversation…", style="dim", no_wrap=True)
        conv = snap.conversation
        number = self.stage or 1
        stage = self.method.stage(number)
        minutes = self.suggested().get(number)
        state = ""
        if conv.ended_at:
            state = " · ended"
        elif not conv.started_at:
            state = " · not started"
        left = Text(no_wrap=True, overflow="ellipsis")
        left.append(f"Stage {number} of 9 · {stage.title}", style="bold")
        left.append(state, style="bold" if conv.ended_at else "dim")
        # The stage and its name come first; the timers take what room is left, and
        # move to the second line when the name needs the whole first one.
        timers: Text | None = None
        moved: Text | None = None
        if conv.started_at:
            for words in (True, False):
                candidate = self._timer_text(minutes, words=words)
                if left.cell_len + 1 + candidate.cell_len <= width:
                    timers = candidate
                    break
            if timers is None:
                moved = self._timer_text(minutes, words=False)
        top = left
        if timers is not None:
            top.append(" " * max(1, width - left.cell_len - timers.cell_len))
            top.append_text(timers)
        top.truncate(width, overflow="ellipsis")

        who = Text(f"{conv.label} · {self.who}", style="dim")  # plain text, no markup
        # Enough of the person to know whose conversation this is at a glance.
        enough = min(who.cell_len, len(conv.label) + 3 + 10)
        # The stage strip and the hint give way before the person does: the strip gets
        # narrower (never goes: the lead reads the stages' positions from it), the hint
        # shorter, or the person moves up beside the stage's name if there is room.
        top_room = width - top.cell_len - 2 if timers is None else 0
        levels = [
            ("wide", "F2 or a stage key starts the clock", False),
            ("compact", "F2 or a stage key starts the clock", False),
            ("compact", "F2 or a stage key starts the clock", True),
            ("compact", "F2 starts the clock", False),
            ("tight", "F2 starts the clock", False),
        ]
        for strip, hint, up in levels:
            if up and top_room < enough:
                continue
            bottom = self._strip(strip)
            if moved is not None:
                bottom.append_text(moved)
                if not up:
                    bottom.append(" · ", style="dim")
            if not conv.started_at:
                bottom.append(hint + ("" if up else " · "), style="dim italic")
            if up or width - bottom.cell_len >= enough:
                break
        if up:
            who.truncate(top_room, overflow="ellipsis")
            top.append(" " * (width - top.cell_len - who.cell_len))
            top.append_text(who)
        else:
            bottom.append_text(who)
        if not conv.ended_at:
            behind = self.behind_plan()
            if behind >= BEHIND_NOTICE_S:
                bottom.append(f" · about {int(behind // 60)}m behind plan", style="dim italic")
        bottom.truncate(width, overflow="ellipsis")
        result = Text("\n", no_wrap=True, overflow="ellipsis").join([top, bottom])
        result.no_wrap = True
        return result

    def _strip(self, kind: str) -> Text:
        """The nine stages as a strip, the current one highlighted: "wide" (" 1  2 "),
        "compact" ("1 2 ") or "tight" ("12")."""
        strip = Text(no_wrap=True, overflow="ellipsis")
        for index in range(1, 10):
            label = f" {index} " if kind == "wide" else f"{index}"
            strip.append(label, style="reverse bold" if index == self.stage else "dim")
            if kind == "compact":
                strip.append(" ")
        strip.append({"wide": "  ", "compact": " ", "tight": " "}[kind])
        return strip

    def _timer_text(self, minutes: int | None, *, words: bool = True) -> Text:
        in_stage, total = self.timings()
        planned = self.snapshot.conversation.planned_minutes if self.snapshot else None
        text = Text(no_wrap=True)
        if words:
            text.append("stage ", style="dim")
        over = minutes is not None and well_over(in_stage, minutes)
        text.append(clock_text(in_stage), style="bold yellow" if over else "bold")
        if minutes is not None:
            text.append(f"/{minutes}m", style="dim")
        if over:
            text.append(" over", style="italic")
        text.append("   total " if words else " · ", style="dim")
        late = bool(planned) and total > (planned or 0) * 60
        text.append(clock_text(total), style="italic" if late else "bold")
        if planned:
            text.append(f"/{planned}m", style="dim")
        return text
