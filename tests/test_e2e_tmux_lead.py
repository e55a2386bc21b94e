"""End to end in a real terminal (tmux): the lead's single keys, notes arriving from the
note-taker's laptop by sync, and one reviewer leading and taking notes in one window.

tmux is required (CI installs it); without it these tests fail with a plain message.
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
    screen,
    stored,
    type_keys,
    wait_for,
    wait_for_text,
)


def planned_conversation(store_path: Path) -> tuple[str, str]:
    with Store(store_path, author="Alex") as store:
        review = store.create_review("Lead end-to-end review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        return review, store.new_conversation(review, person)


def test_lead_keys_and_notes_arriving_by_sync(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "lead.db"
    _review, conversation = planned_conversation(store_path)
    command = (
        f"exec env {environment(tmp_path, store_path, 'Alex')} {shlex.quote(sys.executable)} "
        f"-m facilitator lead {conversation[:8]}"
    )
    session = terminal(command)
    wait_for_text(session, "not started")
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
    wait_for_text(session, "Still open to explore")

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
        f"exec env {environment(tmp_path, store_path, 'Alex')} {shlex.quote(sys.executable)} "
        f"-m facilitator lead {conversation[:8]} --split"
    )
    session = terminal(command, 160, 48)  # the split view is for a wide window
    wait_for_text(session, "not started")
    press(session, "F2")  # start: stage 1
    wait_for_text(session, "Stage 1 of 9")
    press(session, "F4", "F4")
    wait_for_text(session, "Stage 3 of 9")
    type_keys(session, "#new Strategy meeting (June 2024) @lr-aims")
    press(session, "Enter")
    wait_for_text(session, "Episodes 1")
    press(session, "F5")  # to the lead's panel, where single keys work
    wait_for_text(session, "Previous")  # the footer shows the lead's keys once focus is there
    press(session, "n")
    wait_for_text(session, "Stage 4 of 9")
    wait_for_text(session, "Still open to explore")
    press(session, "F5")
    wait_for(lambda: "Previous" not in screen(session), "focus back in the note box")
    type_keys(session, "Thought the meeting could wait")
    press(session, "Enter")
    wait_for(lambda: len(stored(store_path, "SELECT id FROM notes")) == 2, "the second note")
    press(session, "C-q")
    assert sorted(row[0] for row in stored(store_path, "SELECT stage FROM notes")) == [3, 4]
