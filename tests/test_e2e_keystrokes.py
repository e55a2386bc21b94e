"""No keystroke lost in the note box (issue 12): a scripted conversation of 200 notes is
typed through tmux at 15 characters a second, the speed of a fast note-taker, with Tab
completions (unique, and ambiguous then cycled) and #new episodes; then the store is
compared with the script, character for character.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from tests.tmux_support import environment, press, stored, tmux, wait_for, wait_for_text

CPS = 15
NOTES = 200


def script() -> list[tuple[list[tuple[str, str]], str, str]]:
    """Per note: the keys to send ((kind, keys): "text" or "key"), the text the store
    must hold, and its kind."""
    notes = []
    for number in range(1, NOTES + 1):
        if number % 25 == 1:
            keys = [("text", f"#new V{number} (May 2024) ok")]
            expected, kind = f"#new V{number} (May 2024) ok", "observation"
        elif number % 10 == 3:
            keys = [("text", f"n{number} @fam"), ("key", "Tab"), ("text", "ok")]
            expected, kind = f"n{number} @family ok", "observation"
        elif number % 10 == 7:
            keys = [("text", f"n{number} @p"), ("key", "Tab"), ("key", "Tab"), ("text", " x")]
            expected, kind = f"n{number} @personal x", "observation"
        elif number % 10 == 5:
            keys = [("text", f"? ask {number}")]
            expected, kind = f"ask {number}", "followup"
        else:
            keys = [("text", f"said {number}")]
            expected, kind = f"said {number}", "observation"
        notes.append((keys, expected, kind))
    return notes


def send_slowly(session: str, text: str) -> None:
    for character in text:
        tmux("send-keys", "-t", session, "-l", character)
        time.sleep(1 / CPS)


def test_two_hundred_notes_typed_at_speed_lose_nothing(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    from facilitator.store import Store

    store_path = tmp_path / "notes.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("Keystroke review (fictional)")
        person = store.add_participant(review, role="Social worker", agency="Children's care")
        conversation = store.new_conversation(review, person)
        store.start_conversation(store.conversation(conversation))
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )
    session = terminal(command, 80, 24)
    wait_for_text(session, "Enter saves")
    notes = script()
    for keys, _expected, _kind in notes:
        for kind, value in keys:
            if kind == "text":
                send_slowly(session, value)
            else:
                press(session, value)
                time.sleep(1 / CPS)
        press(session, "Enter")
        time.sleep(1 / CPS)
    wait_for(
        lambda: stored(store_path, "SELECT count(*) FROM notes")[0][0] == NOTES,
        "every note in the store",
        timeout=120,
    )
    press(session, "C-q")
    rows = stored(store_path, "SELECT text, kind FROM notes ORDER BY at, created, id")
    assert rows == [(expected, kind) for _keys, expected, kind in notes]
    typed = sum(len(expected) for _keys, expected, _kind in notes)
    held = sum(len(text) for text, _kind in rows)
    assert held == typed  # 0 characters lost
    episodes = stored(store_path, "SELECT title, date_text FROM episodes ORDER BY created")
    assert episodes == [(f"V{n}", "May 2024") for n in range(1, NOTES + 1, 25)]
