"""End to end in a real terminal (tmux): type notes, kill the app with SIGKILL while a
note is half typed, reopen, and find every saved note and the draft.

tmux is required (CI installs it); without it this test fails with a plain message.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.tmux_support import (
    environment,
    press,
    screen,
    stored,
    tmux,
    type_keys,
    wait_for,
    wait_for_text,
)

WIDTH, HEIGHT = 100, 30


def test_notes_and_draft_survive_sigkill(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("End-to-end review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())  # the guides load, as the app will need them
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )

    session = terminal(command, WIDTH, HEIGHT)
    wait_for_text(session, "note-taker")
    press(session, "F2")  # start the conversation
    wait_for_text(session, "elapsed 00:00:0")
    type_keys(session, "First [note] @fam")
    press(session, "Tab")
    press(session, "Enter")
    wait_for_text(session, "First [note] @family")
    type_keys(session, "? ask about the visit #new Home visit (May 2024)")
    press(session, "Enter")
    type_keys(session, "line one")
    press(session, "C-j")
    type_keys(session, "line two")
    press(session, "Enter")
    wait_for_text(session, "line one ⏎ line two")
    type_keys(session, "Unfinished thought about the GP")
    wait_for(
        lambda: (
            stored(store_path, "SELECT text FROM drafts") == [("Unfinished thought about the GP",)]
        ),
        "the draft to be saved",
    )
    pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not _alive(pid), "the app to die")

    texts = [row[0] for row in stored(store_path, "SELECT text FROM notes ORDER BY at")]
    assert texts == [
        "First [note] @family",
        "ask about the visit #new Home visit (May 2024)",
        "line one\nline two",
    ]

    again = terminal(command, WIDTH, HEIGHT)
    wait_for_text(again, "Recovered draft")
    shown = screen(again)
    assert "Unfinished thought about the GP" in shown
    assert "First [note] @family" in shown
    assert "ask about the visit" in shown
    assert "E1  Home visit" in shown
    press(again, "Enter")
    wait_for(
        lambda: len(stored(store_path, "SELECT id FROM notes")) == 4,
        "the draft to be saved as a note",
    )
    assert stored(store_path, "SELECT count(*) FROM drafts") == [(0,)]
    press(again, "C-q")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_paste_that_is_not_utf8_is_kept_and_the_app_goes_on(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    # A paste from a Latin-1 file (or cut mid-character) closed the app: Textual's driver
    # decoded its input strictly, and the paste was lost.
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("End-to-end review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )
    session = terminal(command, WIDTH, HEIGHT)
    wait_for_text(session, "note-taker")
    press(session, "F2")
    wait_for_text(session, "elapsed 00:00:0")
    type_keys(session, "typed before ")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"the caf\xe9 on the corner \xc3")  # a Latin-1 byte; a cut character
    tmux("load-buffer", "-b", "latin1", str(latin1))
    tmux("paste-buffer", "-p", "-b", "latin1", "-t", session)
    type_keys(session, " and after")
    press(session, "Enter")
    wait_for(lambda: len(stored(store_path, "SELECT id FROM notes")) == 1, "the note to be saved")
    [(text,)] = stored(store_path, "SELECT text FROM notes")
    assert text.startswith("typed before the caf\ufffd on the corner")
    assert text.endswith(" and after")
    type_keys(session, "still here")  # the app is still running, reading keys
    wait_for_text(session, "still here")
    press(session, "C-q")
