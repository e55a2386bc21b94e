"""The other laptop for bench_propagation.py: the note-taker's app, headless, in its own
process with its own store and its own background sync, as on a second laptop.

    python bench/propagation_peer.py STORE CONVERSATION

Prints ``ready`` once the screen is up, then ``stage N T`` (T: time.time()) each time its
side panel starts showing another stage. Reads commands on stdin: ``episode TITLE`` types
``#new TITLE`` into the note box and presses Enter, then prints ``saved T`` with the time
Enter was pressed; ``quit`` ends it.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.widgets import Static  # noqa: E402

from facilitator.method import load_method  # noqa: E402
from facilitator.service import Service  # noqa: E402
from facilitator.store import Store  # noqa: E402
from facilitator.tui.app import FacilitatorApp  # noqa: E402
from facilitator.tui.widgets.note_box import NoteBox  # noqa: E402


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(store_path: str, conversation: str) -> None:
    store = Store(store_path, author="Taker")
    app = FacilitatorApp(Service(store, load_method()), conversation=conversation, role="notes")
    commands: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line.strip())
        loop.call_soon_threadsafe(commands.put_nowait, "quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = ""
        say("ready")
        while True:
            stage = str(app.screen.query_one("#side-stage", Static).content)
            if stage != shown:
                shown = stage
                say(f"stage {stage} {time.time():.4f}")
            try:
                command = commands.get_nowait()
            except asyncio.QueueEmpty:
                await pilot.pause(0.005)
                continue
            if command == "quit":
                break
            if command.startswith("episode "):
                box = app.screen.query_one(NoteBox)
                box.insert(f"#new {command.removeprefix('episode ')}")
                await pilot.pause()
                pressed = time.time()
                await pilot.press("enter")
                say(f"saved {pressed:.4f}")
    store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
