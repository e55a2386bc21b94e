"""Driving the real app in a real terminal (tmux): shared by the end-to-end tests.

tmux is required (CI installs it); without it the tests fail with a plain message. Every
test run uses its own tmux server (``tmux -L``, no configuration file), so nothing set
on the user's default server (NO_COLOR, a status line, key tables) reaches the tests,
and the tests never touch the user's sessions.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER = f"facilitator-tests-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def tmux(*args: str) -> str:
    """Run a tmux command on this test run's private server."""
    result = subprocess.run(
        ["tmux", "-L", SERVER, "-f", os.devnull, *args], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise AssertionError(f"tmux {' '.join(args[:3])}… failed: {result.stderr.strip()}")
    return result.stdout


@atexit.register
def _stop_server() -> None:
    if shutil.which("tmux") is not None:
        subprocess.run(["tmux", "-L", SERVER, "kill-server"], capture_output=True)


@pytest.fixture
def terminal() -> Iterator[Callable[..., str]]:
    """``terminal(command, width, height)`` starts a tmux session; all are killed after."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: install it (apt-get install tmux) to run this test")
    sessions: list[str] = []

    def open_session(command: str, width: int = 120, height: int = 40) -> str:
        name = f"facilitator-e2e-{uuid.uuid4().hex[:8]}"
        new = ("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
        try:
            tmux(*new)
        except AssertionError:
            # The server was exiting, its last session just killed by the test before
            # ("server exited unexpectedly", seen in a full run): a new one starts now.
            time.sleep(0.5)
            tmux(*new)
        sessions.append(name)
        return name

    yield open_session
    for name in sessions:
        subprocess.run(["tmux", "-L", SERVER, "kill-session", "-t", name], capture_output=True)


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


def environment(tmp_path: Path, store_path: Path, author: str) -> str:
    """``KEY=value`` words for ``env``: the app on this store, isolated from the user's."""
    env = {
        "FACILITATOR_STORE": str(store_path),
        "FACILITATOR_AS": author,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
    }
    return " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
