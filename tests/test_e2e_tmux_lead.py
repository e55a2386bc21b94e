"""End to end in a real terminal (tmux): the lead's single keys, notes arriving from the
note-taker's laptop by sync, and one reviewer leading and taking notes in one window.

tmux is required (CI installs it); without it these tests fail with a plain message.
"""

from __future__ import annotations

import shlex
import shutil
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

WIDTH, HEIGHT = 120, 40
ROOT = Path(__file__).resolve().parents[1]


def tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def terminal() -> Iterator[Callable[..., str]]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: install it (apt-get install tmux) to run this test")
    sessions: list[str] = []

    def open_session(command: str, width: int = WIDTH, height: int = HEIGHT) -> str:
        name = f"facilitator-lead-{uuid.uuid4().hex[:8]}"
        tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
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
        raise AssertionError(
            f"{text!r} never appeared; the screen shows:\n{screen(session)}"
        ) from None


def press(session: str, *keys: str) -> None:
    tmux("send-keys", "-t", session, *keys)


def type_keys(session: str, text: str) -> None:
    tmux("send-keys", "-t", session, "-l", text)


def stored(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def environment(tmp_path: Path, store_path: Path) -> str:
    env = {
        "FACILITATOR_STORE": str(store_path),
        "FACILITATOR_AS": "Alex",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
    }
    return " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())


def planned_conversation(store_path: Path) -> tuple[str, str]:
    with Store(store_path, author="Alex") as store:
        review = store.create_review("Lead end-to-end review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        return review, store.new_conversation(review, person)


def test_lead_keys_and_notes_arriving_by_sync(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "lead.db"
    _review, conversation = planned_conversation(store_path)
    command = (
        f"exec env {environment(tmp_path, store_path)} {shlex.quote(sys.executable)} "
        f"-m facilitator lead {conversation[:8]}"
    )
    session = terminal(command)
    wait_for_text(session, "Not started")
    press(session, "n")  # the first stage key starts the clock at stage 1
    wait_for_text(session, "Stage 1 of 9")
    press(session, "n")
    wait_for_text(session, "Stage 2 of 9")
    press(session, "4")
    wait_for_text(session, "Stage 4 of 9")
    wait_for_text(session, "No episode yet")

    # The note-taker's laptop: its own store, synced both ways by ops.
    with Store(tmp_path / "notes.db", author="Sam") as notes_store:
        with Store(store_path, author="Alex") as lead_store:
            notes_store.ingest(lead_store.ops())
        service = Service(notes_store, load_method())
        service.record_note(
            notes_store.conversation(conversation), "#new Home visit (May 2024) @lr-picture"
        )
        with Store(store_path, author="Alex") as lead_store:
            lead_store.ingest(notes_store.ops())
    wait_for_text(session, "Episodes 1")
    wait_for_text(session, "Local rationality 1/7")

    press(session, "p")
    wait_for_text(session, "Stage 3 of 9")
    press(session, "8")
    wait_for_text(session, "Episodes they picked out")
    wait_for_text(session, "E1 Home visit")
    press(session, "C-q")
    stages = [row[0] for row in stored(store_path, "SELECT stage FROM stage_events ORDER BY at")]
    assert stages == [1, 2, 4, 3, 8]
    assert stored(store_path, "SELECT stage FROM notes") == [(4,)]


def test_one_laptop_split_view(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "split.db"
    _review, conversation = planned_conversation(store_path)
    command = (
        f"exec env {environment(tmp_path, store_path)} {shlex.quote(sys.executable)} "
        f"-m facilitator lead {conversation[:8]} --split"
    )
    session = terminal(command, 160, 48)  # the split view is for a wide window
    wait_for_text(session, "Not started")
    press(session, "F2")  # start: stage 1
    wait_for_text(session, "Stage 1 of 9")
    press(session, "F4", "F4")
    wait_for_text(session, "Stage 3 of 9")
    type_keys(session, "#new Strategy meeting (June 2024) @lr-aims")
    press(session, "Enter")
    wait_for_text(session, "Episodes 1")
    press(session, "F5")  # to the lead's panel, where single keys work
    wait_for_text(session, "Next stage")  # the footer shows the lead's keys once focus is there
    press(session, "n")
    wait_for_text(session, "Stage 4 of 9")
    wait_for_text(session, "Local rationality 1/7")
    press(session, "F5")
    wait_for(lambda: "Next stage" not in screen(session), "focus back in the note box")
    type_keys(session, "Thought the meeting could wait")
    press(session, "Enter")
    wait_for(lambda: len(stored(store_path, "SELECT id FROM notes")) == 2, "the second note")
    press(session, "C-q")
    assert sorted(row[0] for row in stored(store_path, "SELECT stage FROM notes")) == [3, 4]
