"""The note box, key by key: what keeping the draft costs per keystroke, and what one key
costs with a very long note (113 KB, a pasted document) in the box.

- ``note_box.draft_file_*``: :meth:`DraftKeeper.keep_now` (the draft file rewritten on every
  change, on the UI thread) against the CPU one key costs a bare Textual TextArea holding
  the same text (target: a tenth of it). The store's durable draft write for the same text
  is printed beside it (``store_ms``): on this virtual disk its fsync is sometimes free,
  sometimes 4 ms.
- ``note_box.long_note_key``: CPU per key in the note-taker's screen with 113 KB in the box,
  against a bare Textual TextArea holding the same text (Textual's own cost of a key).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from measure import Measure, median, percentile, timings
from textual.app import App, ComposeResult
from textual.widgets import TextArea

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.drafts import DraftKeeper
from facilitator.tui.widgets.note_box import NoteBox

SENTENCE = "The health visitor said the mother was calm at the visit @family #2. "
LONG = (SENTENCE * 2000)[:113_000]


def _setup(root: Path) -> tuple[Service, str]:
    store = Store(root / "bench.db", author="Bench")
    service = Service(store, load_method())
    review = store.create_review("Bench review (fictional)")
    person = store.add_participant(review, role="Social worker", agency="Council")
    return service, store.new_conversation(review, person)


def draft_measures(service: Service, conversation: str, repeat: int, presses: int) -> list[Measure]:
    keeper = DraftKeeper(service.store, conversation)
    measures = []
    for name, text in (("short", SENTENCE[:60]), ("600", (SENTENCE * 9)[:600]), ("113kb", LONG)):
        ours = timings(lambda t=text: keeper.keep_now(t, None), repeat)
        store = timings(lambda t=text: service.store.save_draft(conversation, t, None), repeat)
        key = asyncio.run(_key_cpu(_Bare(text), presses))
        measures.append(
            Measure(
                f"note_box.draft_file_{name}",
                median(ours),
                median(key),
                0.1,
                {
                    "p95_ms": f"{percentile(ours, 95) * 1e3:.3f}",
                    "store_ms": f"{median(store) * 1e3:.3f}",
                    "n": str(repeat),
                },
            )
        )
    return measures


class _Bare(App[None]):
    CSS = "TextArea { height: 3; }"  # as tall as the note box

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, soft_wrap=True, compact=True)


async def _key_cpu(app: App, presses: int) -> list[float]:
    samples = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if isinstance(app, FacilitatorApp):
            box: TextArea = app.screen.query_one(NoteBox)
            box.load_text(LONG)
        else:
            box = app.query_one(TextArea)
        box.focus()
        box.move_cursor(box.document.end)
        await pilot.pause(0.5)
        for _ in range(presses):
            start = time.process_time()
            await pilot.press("x")
            samples.append(time.process_time() - start)
    return samples


def run(quick: bool) -> list[Measure]:
    repeat = 50 if quick else 300
    presses = 8 if quick else 30
    with tempfile.TemporaryDirectory() as folder:
        service, conversation = _setup(Path(folder))
        measures = draft_measures(service, conversation, repeat, presses)
        ours = asyncio.run(_key_cpu(FacilitatorApp(service, conversation=conversation), presses))
        bare = asyncio.run(_key_cpu(_Bare(LONG), presses))
        measures.append(
            Measure(
                "note_box.long_note_key",
                median(ours),
                median(bare),
                1.5,
                {"p95_ms": f"{percentile(ours, 95) * 1e3:.1f}", "n": str(presses)},
            )
        )
        service.store.close()
    return measures
