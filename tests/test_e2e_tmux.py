"""End to end in a real terminal (tmux): type notes, kill the app with SIGKILL while a
note is half typed, reopen, and find every saved note and the draft.

tmux is required (CI installs it); without it this test fails with a plain message.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store

WIDTH, HEIGHT = 100, 30


def tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def terminal() -> Iterator[Callable[[str], str]]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: install it (apt-get install tmux) to run this test")
    sessions: list[str] = []

    def open_session(command: str) -> str:
        name = f"facilitator-e2e-{uuid.uuid4().hex[:8]}"
        tmux("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command)
        sessions.append(name)
        return name

    yield open_session
    for name in sessions:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_text(session: str, text: str) -> None:
    try:
        wait_for(lambda: text in screen(session), repr(text))
    except AssertionError:
        shown = screen(session)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{shown}") from None


def type_keys(session: str, text: str) -> None:
    tmux("send-keys", "-t", session, "-l", text)


def press(session: str, *keys: str) -> None:
    tmux("send-keys", "-t", session, *keys)


def stored(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def test_notes_and_draft_survive_sigkill(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("End-to-end review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())  # the guides load, as the app will need them
    env = {
        "FACILITATOR_STORE": str(store_path),
        "FACILITATOR_AS": "Sam",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = (
        f"exec env {exports} {shlex.quote(sys.executable)} -m facilitator notes {conversation[:8]}"
    )

    session = terminal(command)
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

    again = terminal(command)
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
