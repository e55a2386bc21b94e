"""End to end in a real terminal (tmux): an edit typed in the edit dialog survives
``kill -9``, and a merge typed in the conflicts screen survives a closed terminal
(SIGHUP) — hostile round 4 of issue 12, findings 3 and 4. The pattern of
tests/test_e2e_draft_signals.py: the app is killed 50 ms after the keys show."""

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
from facilitator.sync import engine_for, join_share, share_review
from tests.test_e2e_draft_signals import _dies, _pid
from tests.tmux_support import environment, press, screen, type_keys, wait_for_text

WIDTH, HEIGHT = 80, 24


def _command(tmp_path: Path, store_path: Path, args: str) -> str:
    return (
        f"exec env {environment(tmp_path, store_path, 'Sam')} {shlex.quote(sys.executable)} "
        f"-m facilitator {args}"
    )


def test_an_edit_typed_in_the_edit_dialog_survives_kill_9(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store:
        review = store.create_review("Unsaved edits review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())
    command = _command(tmp_path, store_path, f"notes {conversation[:8]}")

    first = terminal(command, WIDTH, HEIGHT)
    wait_for_text(first, "note-taker")
    type_keys(first, "The visit was late")
    press(first, "Enter")
    wait_for_text(first, "Enter saves")  # the box is empty again: the note is saved
    press(first, "Up")
    time.sleep(0.6)  # a person's pause: e on its own is the Edit command
    type_keys(first, "e")
    wait_for_text(first, "Edit note")
    press(first, "End")
    type_keys(first, " EDITED-UNSAVED")
    wait_for_text(first, "late EDITED-UNSAVED")
    time.sleep(0.05)
    pid = _pid(first)
    os.kill(pid, signal.SIGKILL)
    _dies(pid)

    second = terminal(command, WIDTH, HEIGHT)
    wait_for_text(second, "Recovered draft")
    assert "The visit was late EDITED-UNSAVED" in screen(second)


def test_a_merge_typed_in_the_conflicts_screen_survives_sighup(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    store_path = tmp_path / "e2e.db"
    with Store(store_path, author="Sam") as store, Store(tmp_path / "b.db", author="Bo") as other:
        review = store.create_review("Merge signals review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Community health")
        conversation = store.new_conversation(review, person)
        Service(store, load_method())
        share_review(store, review, tmp_path / "share", "correct horse battery", scrypt_n=2**10)
        join_share(other, tmp_path / "share", "correct horse battery")
        note = store.add_note(store.conversation(conversation), "Mother said the visit was late")
        engine_for(store, review).sync()
        engine_for(other, review).sync()
        other.revise_note(other.note(note), "Mother said the visit was an hour late")
        store.revise_note(store.note(note), "Mother said the visit was late [sic]")
        engine_for(other, review).sync()
        engine_for(store, review).sync()
        assert store.note(note).conflict
    command = _command(tmp_path, store_path, f"notes {conversation[:8]}")

    first = terminal(command, WIDTH, HEIGHT)
    wait_for_text(first, "note-taker")
    press(first, "C-p")
    time.sleep(0.5)
    type_keys(first, "Sync conflicts")
    time.sleep(0.5)
    press(first, "Enter")
    wait_for_text(first, "2 versions")
    type_keys(first, "m")
    wait_for_text(first, "ctrl+s saves it")
    type_keys(first, " MERGED-UNSAVED")
    wait_for_text(first, "MERGED-UNSAVED")
    time.sleep(0.05)
    pid = _pid(first)
    os.kill(pid, signal.SIGHUP)  # what closing the terminal window sends
    _dies(pid)

    second = terminal(command, WIDTH, HEIGHT)
    wait_for_text(second, "note-taker")
    press(second, "C-p")
    time.sleep(0.5)
    type_keys(second, "Sync conflicts")
    time.sleep(0.5)
    press(second, "Enter")
    wait_for_text(second, "A merge you were typing was kept")
    type_keys(second, "m")
    wait_for_text(second, "MERGED-UNSAVED")
