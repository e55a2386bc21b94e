"""Two laptops in one conversation, end to end in real terminals (issue 12): the lead's
app on laptop A (split view), the note-taker's app on laptop B, two stores and one shared
folder, each app syncing in its own background worker. Waits are generous: the speed goal
is measured by the sync benchmark, not here.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store
from facilitator.sync import engine_for, join_share, share_review
from tests.tmux_support import environment, press, screen, stored, type_keys, wait_for

PASS = "correct horse battery"
WAIT = 60.0


def wait_until_shown(session: str, text: str, timeout: float = WAIT) -> None:
    try:
        wait_for(lambda: text in " ".join(screen(session).split()), repr(text), timeout)
    except AssertionError:
        raise AssertionError(f"{text!r} never appeared:\n{screen(session)}") from None


BORDERS = "│▕▏▊▎▔▁▂▃▄▅▆▇█"


def notes_pane(session: str, divider: str, right: bool) -> str:
    """The words in the notes pane, wrapped lines joined: the part of each line on one
    side of the pane's ``divider`` character, borders and scrollbars removed."""
    parts = []
    for line in screen(session).split("\n"):
        if divider in line:
            line = line.rsplit(divider, 1)[1] if right else line.split(divider, 1)[0]
        elif right:
            continue
        parts.append(line.translate({ord(c): " " for c in BORDERS}))
    return " ".join(" ".join(parts).split())


def laptops(tmp_path: Path) -> tuple[Path, Path, str, str, str, str]:
    """Laptop A shares a review; B joins. A note typed on B is on both; a second note was
    edited on both laptops at once (a sync conflict)."""
    a_path, b_path, folder = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "share"
    with Store(a_path, author="Alex") as a, Store(b_path, author="Sam") as b:
        review = a.create_review("Two-laptop review (fictional)")
        person = a.add_participant(review, role="Health visitor", agency="Community health")
        conversation = a.new_conversation(review, person, planned_minutes=60)
        share_review(a, review, folder, PASS, scrypt_n=2**10)
        join_share(b, folder, PASS)
        service = Service(b, load_method())
        typo = service.record_note(b.conversation(conversation), "The helth visitor rang")
        clash = service.record_note(b.conversation(conversation), "Mother said the visit was late")
        engine_for(b, review).sync()
        engine_for(a, review).sync()
        a.revise_note(a.note(clash.note_id), "Mother said the visit was an hour late")
        b.revise_note(b.note(clash.note_id), "Mother said the visit was late [sic]")
        engine_for(a, review).sync()
        engine_for(b, review).sync()
        engine_for(a, review).sync()
        assert a.note(clash.note_id).conflict and b.note(clash.note_id).conflict
    return a_path, b_path, review, conversation, typo.note_id, clash.note_id


def app(tmp_path: Path, store: Path, author: str, args: str) -> str:
    home = tmp_path / author
    home.mkdir(exist_ok=True)
    return (
        f"exec env {environment(home, store, author)} {shlex.quote(sys.executable)} "
        f"-m facilitator {args}"
    )


def test_two_laptops_one_conversation(tmp_path: Path, terminal) -> None:  # noqa: ANN001
    a_path, b_path, _review, conversation, typo, clash = laptops(tmp_path)
    lead = terminal(app(tmp_path, a_path, "Alex", f"lead {conversation[:8]} --split"), 160, 48)
    notes = terminal(app(tmp_path, b_path, "Sam", f"notes {conversation[:8]}"), 80, 24)
    wait_until_shown(lead, "not started")
    wait_until_shown(notes, "The helth visitor rang")

    # A stage change on A is seen on B.
    press(lead, "F5")  # to the lead's panel, where single keys work
    wait_until_shown(lead, "Previous")  # the footer shows the lead's keys
    time.sleep(0.3)  # a person's pause before the next key
    press(lead, "3")
    wait_until_shown(lead, "Stage 3 of 9 · Key practice episodes")
    wait_until_shown(notes, "Stage 3/9")

    # An episode named on B is seen on A's stage-3 list.
    type_keys(notes, "#new Home visit (early May 2026) mum said the flat was cold")
    wait_until_shown(notes, "Reads as: Observation · new episode “Home visit”")
    press(notes, "Enter")
    wait_until_shown(lead, "Episodes 1")
    wait_until_shown(lead, "E1 Home visit (early")

    # A note edited on A (in the split view's note list) is seen on B.
    press(lead, "F5")  # back to the note box
    wait_for(lambda: "Previous" not in screen(lead), "focus in A's note box")
    press(lead, "Up")
    wait_until_shown(lead, "e Edit")
    press(lead, "Home")  # the first note: the one with the typo
    # A person's next key comes later: a key within 15 ms of the last is taken for part of
    # a burst of typing, and goes to the note box rather than acting on the list.
    time.sleep(0.3)
    press(lead, "e")
    wait_until_shown(lead, "Edit note")
    # No pause: keys typed as soon as the dialog shows are acted on in order. (Backspace
    # once acted only when it had bubbled up to the app, after letters typed behind it,
    # or after Enter had closed the dialog: "The helth vThe health visitor rang".)
    press(lead, "End", *["BSpace"] * len("The helth visitor rang"))
    type_keys(lead, "The health visitor rang")
    press(lead, "Enter")
    wait_until_shown(lead, "Edited")
    wait_until_shown(notes, "The health visitor rang")
    wait_for(lambda: "helth" not in screen(notes), "the typo gone on B", WAIT)

    # The conflict, resolved on B, is settled on both laptops.
    wait_until_shown(notes, "conflicting edits")
    press(notes, "C-p")
    type_keys(notes, "Sync conflicts")
    wait_until_shown(notes, "Sync conflicts")
    press(notes, "Enter")
    wait_until_shown(notes, "2 versions")
    press(notes, "1")
    wait_until_shown(notes, "No conflicts")
    press(notes, "Escape")
    wait_for(lambda: "conflicting edits" not in screen(notes), "B's row settled", WAIT)
    wait_for(lambda: "conflict" not in screen(lead), "A settled, status included", WAIT)
    [(kept,)] = stored(b_path, f"SELECT text FROM notes WHERE id = '{clash}'")
    wait_for(lambda: kept in notes_pane(lead, "▏", right=True), "the kept text on A", WAIT)
    wait_for(lambda: kept in notes_pane(notes, "│", right=False), "the kept text on B", WAIT)
    press(lead, "C-q")
    press(notes, "C-q")
    for path in (a_path, b_path):
        rows = stored(path, "SELECT text, conflict FROM notes ORDER BY at")
        assert ("The health visitor rang", 0) in rows and (kept, 0) in rows
    assert stored(a_path, f"SELECT count(*) FROM notes WHERE id = '{typo}'") == [(1,)]
