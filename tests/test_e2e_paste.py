"""End to end in a real terminal (tmux): a bracketed paste that holds terminal escape
codes (text copied from a log, say) arrives whole, in order, with the codes made
visible, and the keys typed around it are all kept.

Textual's own input parser ended the paste at the first ESC and sent the rest as key
presses, garbled (ESC as ``^``) and ahead of the pasted text.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.tmux_support import (
    environment,
    press,
    stored,
    tmux,
    type_keys,
    wait_for,
    wait_for_text,
)

PASTED = "copied \x1b[31mred\x1b[0m text \x1b]0;title\x07 end"


def test_a_paste_with_escape_codes_arrives_whole_and_visible(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("Paste review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )
    session = terminal(command, 100, 30)
    wait_for_text(session, "note-taker")
    type_keys(session, "before ")
    wait_for_text(session, "before")
    tmux("set-buffer", "-b", "hostile", PASTED)
    tmux("paste-buffer", "-p", "-d", "-b", "hostile", "-t", session)  # -p: bracketed
    type_keys(session, " after")
    wait_for_text(session, "after")
    wait_for_text(session, "control")  # the note-taker is told what happened
    press(session, "Enter")
    wait_for(lambda: stored(store_path, "SELECT count(*) FROM notes") == [(1,)], "the note")
    [(text,)] = stored(store_path, "SELECT text FROM note_revisions")
    assert text == "before copied ␛[31mred␛[0m text ␛]0;title␇ end after"
