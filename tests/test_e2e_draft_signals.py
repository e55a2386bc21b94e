"""End to end in a real terminal (tmux): the last keys of a draft survive ``kill -9`` and
a closed terminal (SIGHUP), not only the text typed a quarter of a second earlier.

Each key's text is kept before the key's handler returns (see facilitator/tui/drafts.py),
so the app is killed 50 ms after the keys show on screen: the old debounced save lost them.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.tmux_support import environment, screen, tmux, type_keys, wait_for, wait_for_text

WIDTH, HEIGHT = 80, 24


def _pid(session: str) -> int:
    return int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())


def _dies(pid: int) -> None:
    def dead() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(dead, "the app to die")


def test_the_last_keys_of_a_draft_survive_kill_9_and_sighup(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("Draft signals review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )

    first = terminal(command, WIDTH, HEIGHT)
    wait_for_text(first, "note-taker")
    type_keys(first, "alpha")
    time.sleep(0.6)  # the debounced save has run
    type_keys(first, " beta")
    wait_for_text(first, "alpha beta")
    time.sleep(0.05)
    pid = _pid(first)
    os.kill(pid, signal.SIGKILL)
    _dies(pid)

    second = terminal(command, WIDTH, HEIGHT)
    wait_for_text(second, "Recovered draft")
    assert "alpha beta" in screen(second)
    type_keys(second, " gamma")
    wait_for_text(second, "alpha beta gamma")
    time.sleep(0.05)
    pid = _pid(second)
    os.kill(pid, signal.SIGHUP)  # what closing the terminal window sends
    _dies(pid)

    third = terminal(command, WIDTH, HEIGHT)
    wait_for_text(third, "Recovered draft")
    assert "alpha beta gamma" in screen(third)
