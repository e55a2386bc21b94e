"""In a real terminal (tmux, private server): keys that arrive in one read after F2.
``send-keys -l`` of a whole string hands the app every key in one read, as a laggy link
or an unbracketed paste does. Before the fix the End dialog closed twice on the burst
(ScreenStackError) and the keys were lost."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from tests.tmux_support import environment, press, stored, type_keys, wait_for, wait_for_text


def test_a_burst_after_f2_goes_into_the_note(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "burst.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("Burst review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        store.start_conversation(store.conversation(conversation), at="2025-03-04T10:00:00+00:00")
        Service(store, load_method())
    command = (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator notes {conversation[:8]}"
    )
    session = terminal(command, 80, 24)
    wait_for_text(session, "note-taker")
    type_keys(session, "the visit was")
    press(session, "F2")
    wait_for_text(session, "End this conversation?")
    type_keys(session, " late and nobody came yes")
    press(session, "Enter")
    wait_for(
        lambda: stored(store_path, "SELECT count(*) FROM notes")[0][0] == 1,
        "the note to be saved",
        timeout=10,
    )
    texts = [row[0] for row in stored(store_path, "SELECT text FROM notes")]
    assert texts == ["the visit was late and nobody came yes"]
