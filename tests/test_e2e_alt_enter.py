"""End to end in a real terminal (tmux, 80x24): Alt+Enter starts a new line in the note.

tmux, like xterm with its meta key sending ESC, passes Alt+Enter as ESC CR. Textual's
parser read that as a plain Enter (the Alt is kept only for one-character key names),
so Alt+Enter saved the half-typed note instead of starting its second line.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.tmux_support import environment, press, stored, type_keys, wait_for, wait_for_text


def test_alt_enter_in_tmux_starts_a_new_line(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("Alt+Enter review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )
    session = terminal(command, 80, 24)
    wait_for_text(session, "note-taker")
    type_keys(session, "line one")
    wait_for_text(session, "line one")
    press(session, "M-Enter")
    type_keys(session, "line two")
    wait_for_text(session, "line two")
    press(session, "M-Enter")  # and once more straight after typing, in one burst
    type_keys(session, "line three")
    wait_for_text(session, "line three")
    assert stored(store_path, "SELECT count(*) FROM notes") == [(0,)]
    press(session, "Enter")
    wait_for(lambda: stored(store_path, "SELECT count(*) FROM notes") == [(1,)], "the note")
    [(text,)] = stored(store_path, "SELECT text FROM notes")
    assert text == "line one\nline two\nline three"
