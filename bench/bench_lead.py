"""The lead's screen with many notes: changing stage, and coverage catching up with a note.

- lead.stage_switch_5000_vs_50: CPU time of one stage key (the stage event op, the reader
  catching up with it, the new stage drawn), cycling through stages 2-9 and back, with
  5,000 notes in the conversation, against the same screen with 50 notes. Target 1.5.
- lead.coverage_refresh_5000_vs_50: CPU time from a note arriving (written by "the other
  laptop" beforehand, not timed) to the lead's coverage panel showing it: the op-log read,
  the note re-read, the coverage update and the repaint. 5,000 notes against 50. Target 1.5.

CPU time (``time.process_time``, all threads) rather than wall time, because Pilot also
waits for the app to go idle, which no user sees as work.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from fixtures import START, conversation_with_notes
from measure import Measure, median, percentile
from textual.pilot import Pilot

from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.widgets.lead_episodes import CoverageView
from facilitator.tui.widgets.lead_view import LeadView

LINES = [
    "#1 @lr-picture Thought the bruise was explained by a fall @family",
    "#2 @lr-weighing Was weighing a court deadline on another case @conditions",
    '"I had twenty-two cases that month"',
    "+ Weekly calls with the class teacher worked well #1",
    "~ A shared chronology that every agency adds to",
    "#3 @lr-aims Wanted to keep mother engaged @team",
    "! The GP letter says no invitation came #1",
]
STAGE_KEYS = ["2", "3", "4", "5", "6", "7", "8", "9", "1"]


def build(root: Path, count: int) -> tuple[Service, str]:
    episodes = ["Home visit (May 2024)", "Strategy meeting (June 2024)", "Referral"]
    return conversation_with_notes(root / f"lead-{count}.db", count, episodes, LINES)


def clock() -> datetime:
    return START + timedelta(minutes=40)


async def settle(pilot: Pilot) -> None:
    view = pilot.app.screen.query_one(LeadView)
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not view._polling and view.snapshot is not None:
            return
    raise RuntimeError("the lead's reader did not settle")


async def stage_costs(service: Service, conversation: str, rounds: int) -> list[float]:
    samples: list[float] = []
    app = FacilitatorApp(service, conversation=conversation, role="lead", clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        view = pilot.app.screen.query_one(LeadView)
        for key in STAGE_KEYS:  # warm every stage once (first drawing of each panel)
            await pilot.press(key)
            await settle(pilot)
        for _ in range(rounds):
            for key in STAGE_KEYS:
                start = time.process_time()
                await pilot.press(key)
                await settle(pilot)
                samples.append(time.process_time() - start)
                assert view.stage == int(key)
    return samples


async def coverage_costs(service: Service, conversation: str, repeat: int) -> list[float]:
    samples: list[float] = []
    store = service.store
    app = FacilitatorApp(service, conversation=conversation, role="lead", clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        view = pilot.app.screen.query_one(LeadView)
        coverage = pilot.app.screen.query_one(CoverageView)
        for index in range(repeat):
            # The note-taker's note arrives (not timed): alternate a prompt in and out.
            line = "#1 @lr-options Thought a strategy discussion needed sign-off"
            recorded = service.record_note(store.conversation(conversation), line)
            if index % 2:
                service.delete_note(store.note(recorded.note_id))
            before = coverage.line
            start = time.process_time()
            view.poll_now()
            await settle(pilot)
            samples.append(time.process_time() - start)
            assert coverage.line is not before
    return samples


async def main(quick: bool) -> list[Measure]:
    rounds = 2 if quick else 6
    repeat = 20 if quick else 60
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        big_service, big = build(root, 5000)
        small_service, small = build(root, 50)
        big_stage, small_stage, big_cover, small_cover = [], [], [], []
        for _ in range(2):  # interleaved, so machine noise affects both sides alike
            small_stage += await stage_costs(small_service, small, rounds // 2 or 1)
            big_stage += await stage_costs(big_service, big, rounds // 2 or 1)
            small_cover += await coverage_costs(small_service, small, repeat // 2)
            big_cover += await coverage_costs(big_service, big, repeat // 2)
        big_service.store.close()
        small_service.store.close()

    def detail(big: list[float], small: list[float]) -> dict[str, str]:
        return {
            "p50_ms_5000": f"{percentile(big, 50) * 1e3:.2f}",
            "p95_ms_5000": f"{percentile(big, 95) * 1e3:.2f}",
            "p50_ms_50": f"{percentile(small, 50) * 1e3:.2f}",
            "p95_ms_50": f"{percentile(small, 95) * 1e3:.2f}",
            "n": str(len(big)),
        }

    return [
        Measure(
            "lead.stage_switch_5000_vs_50",
            median(big_stage),
            median(small_stage),
            1.5,
            detail(big_stage, small_stage),
        ),
        Measure(
            "lead.coverage_refresh_5000_vs_50",
            median(big_cover),
            median(small_cover),
            1.5,
            detail(big_cover, small_cover),
        ),
    ]


def run(quick: bool) -> list[Measure]:
    return asyncio.run(main(quick))
