"""The Dialogue screen with thousands of comments (issue 16): a returned pack can carry
hundreds, and a hostile one 5,000.

- answer: the CPU the screen spends showing one new answer (the board is read again in a
  worker thread; the table changes the answered row and re-sorts), against a bare
  Textual app showing the same rows once in a ``DataTable``: what the screen cost when
  it cleared and refilled its table on every change. Target: 0.5 (at most half of a
  refill).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench_reports import build_review
from measure import Measure, median
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from facilitator.dialogue import records
from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogue import DialogueScreen
from facilitator.tui.text import cell


class BareTable(App[None]):
    def __init__(self, rows: list[tuple[str, ...]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(*(cell(text) for text in row))


async def bare_fill(rows: list[tuple[str, ...]]) -> float:
    app = BareTable(rows)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        for label, width in (("", 4), ("Draft", 5), ("From", 18), ("On", 14), ("Answer", 9)):
            table.add_column(label, width=width)
        table.add_column("Comment")
        await pilot.pause()
        start = time.process_time()
        app.fill()
        await pilot.pause()
        await pilot.pause()
        return time.process_time() - start


async def screen_answers(path: Path, review: str, repeat: int) -> tuple[list[float], list]:
    store = Store(path, author="bench")
    app = FacilitatorApp(Service(store, load_method()), review=review)
    costs = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = DialogueScreen(review)
        app.push_screen(screen)
        table = None
        while table is None or table.row_count < len(records.comments(store, review)):
            await pilot.pause(0.05)
            table = screen.query_one("#comments", DataTable)
        rows = [tuple(str(v) for v in table.get_row_at(r)) for r in range(table.row_count)]
        for comment in records.comments(store, review)[:repeat]:
            records.respond(store, review, comment.id, "noted")
            start = time.process_time()
            screen.load()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()
            costs.append(time.process_time() - start)
    store.close()
    return costs, rows


def run(quick: bool) -> list[Measure]:
    count = 1_000 if quick else 5_000
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = Store(path, author="bench")
        review = build_review(store, 200)
        draft = records.freeze_draft(store, load_method(), review, "preliminary")
        who = store.participants(review)[0].id
        with store.transaction():
            for n in range(count):
                fields = {"draft": draft, "participant": who, "text": f"Point {n} on the visit"}
                records.add_comment(store, review, fields)
        store.close()
        ours, rows = asyncio.run(screen_answers(path, review, repeat))
        base = [asyncio.run(bare_fill(rows)) for _ in range(repeat)]
    return [
        Measure(
            f"dialogue.screen_answer_{count}",
            median(ours),
            median(base),
            0.5,
            {"clock": "cpu", "n": str(repeat)},
        )
    ]
