"""review share / review join / sync from the command line: ids on stdout, one-line errors,
passphrases from a file, the environment or nowhere (never a hang)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facilitator.store import Store

PASS = "correct horse battery"


def run(
    store: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.fixture
def pair(tmp_path: Path):
    lead, taker = tmp_path / "lead.db", tmp_path / "taker.db"
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASS + "\n")
    with Store(lead, author="Lead") as store:  # set up in-process: only sync goes via the CLI
        review = store.create_review("Fictional review")
        person = store.add_participant(review, role="Teacher", agency="School")
        talk = store.new_conversation(review, person)
        # Under way, as a conversation with notes is (a first `note add` would start it,
        # and the counts below are of the note's own ops).
        store.start_conversation(store.conversation(talk))
        store.add_note(store.conversation(talk), "Visited the school on Monday")
    return lead, taker, secret, review, talk, tmp_path / "share"


def test_share_join_and_sync_round_trip(pair) -> None:
    lead, taker, secret, review, talk, share = pair
    shared = run(lead, "review", "share", review[:6], str(share), "--passphrase-file", str(secret))
    assert "sent" in shared.stdout
    joined = run(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    assert joined.stdout.strip() == review  # the id alone on stdout
    assert "Fictional review" in run(taker, "review", "list").stdout
    run(taker, "note", "add", talk[:6], "Head teacher was worried")
    out = run(taker, "sync").stdout
    assert "sent 2 ops" in out
    assert "received 2 ops" in run(lead, "sync", review[:6]).stdout.lower()
    with Store(lead) as store:
        assert {n.text for n in store.notes(review=review)} == {
            "Visited the school on Monday",
            "Head teacher was worried",
        }


def test_the_passphrase_can_come_from_the_environment(pair) -> None:
    lead, taker, _, review, _, share = pair
    env = {"FACILITATOR_PASSPHRASE": PASS}
    run(lead, "review", "share", review, str(share), env=env)
    assert run(taker, "review", "join", str(share), env=env).stdout.strip() == review


def test_no_passphrase_and_no_terminal_is_a_clear_error(pair) -> None:
    lead, _, _, review, _, share = pair
    result = run(lead, "review", "share", review, str(share), check=False)
    one_line_error(result, "no passphrase")
    assert not share.exists()


def test_a_wrong_passphrase_is_one_line_and_changes_nothing(pair, tmp_path: Path) -> None:
    lead, taker, secret, review, _, share = pair
    run(lead, "review", "share", review, str(share), "--passphrase-file", str(secret))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    result = run(taker, "review", "join", str(share), "--passphrase-file", str(wrong), check=False)
    one_line_error(result, "wrong passphrase")
    assert "No reviews yet" in run(taker, "review", "list").stdout


def test_a_short_passphrase_and_a_second_share_are_refused(pair, tmp_path: Path) -> None:
    lead, _, secret, review, _, share = pair
    short = tmp_path / "short.txt"
    short.write_text("abc\n")
    result = run(
        lead, "review", "share", review, str(share), "--passphrase-file", str(short), check=False
    )
    one_line_error(result, "at least 8 characters")
    run(lead, "review", "share", review, str(share), "--passphrase-file", str(secret))
    again = run(
        lead,
        "review",
        "share",
        review,
        str(tmp_path / "other"),
        "--passphrase-file",
        str(secret),
        check=False,
    )
    one_line_error(again, "already shared")


def test_sync_with_the_share_unplugged_reports_and_keeps_everything(pair, tmp_path) -> None:
    lead, _, secret, review, talk, share = pair
    run(lead, "review", "share", review, str(share), "--passphrase-file", str(secret))
    share.rename(tmp_path / "unplugged")
    run(lead, "note", "add", talk, "Written with no network")
    result = run(lead, "sync", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "unreachable" in result.stderr and "2 ops wait to be sent" in result.stdout
    with Store(lead) as store:
        assert len(store.notes(review=review)) == 2


def test_sync_with_nothing_shared_says_what_to_do(pair) -> None:
    lead = pair[0]
    one_line_error(run(lead, "sync", check=False), "review share")


def test_sync_watch_keeps_syncing_until_interrupted(pair) -> None:
    lead, taker, secret, review, talk, share = pair
    run(lead, "review", "share", review, str(share), "--passphrase-file", str(secret))
    run(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "facilitator",
            "--store",
            str(taker),
            "sync",
            "--watch",
            "--interval",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run(lead, "note", "add", talk, "Arrives while the watcher runs")
        run(lead, "sync")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with Store(taker) as store:
                if len(store.notes(review=review)) == 2:
                    break
            time.sleep(0.2)
    finally:
        watcher.send_signal(signal.SIGINT)
        out, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    assert "Stopped." in err and "Received 2 ops" in out


def test_sync_watch_stops_cleanly_when_the_system_asks(pair) -> None:
    """A logout or `kill` sends SIGTERM: the watcher finishes the sync under way and says
    it stopped, rather than dying in the middle of one."""
    lead, taker, secret, review, talk, share = pair
    run(lead, "review", "share", review, str(share), "--passphrase-file", str(secret))
    run(taker, "review", "join", str(share), "--passphrase-file", str(secret))
    watcher = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "--store", str(taker), "sync", "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stderr is not None
        assert "Syncing every" in watcher.stderr.readline()
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, err
    assert "Stopped." in err
