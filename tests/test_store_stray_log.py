"""A write-ahead log that is not this store's own is never played into it (issue 11, the
hostile tester's sixth-session finding): another store's -wal copied beside a store, and a
backup of the store file put back over a store whose -wal is still beside it. SQLite plays
whatever -wal lies beside a file; the pages of another file's log landed on this one, and
`store check` could still say OK. The log is moved aside (kept), the store opens as it
stands and says so. A store's own log (a crash mid-write, a second process) still plays.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli_support import run_cli


def _cli(store: Path, *args: str) -> str:
    result = run_cli(store, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _new_store(path: Path, title: str) -> str:
    """A store made with the CLI, closed: returns its conversation's id."""
    path.parent.mkdir(parents=True, exist_ok=True)
    review = _cli(path, "--as", "Sam", "review", "new", title)
    person = _cli(path, "participant", "add", review, "--role", "Teacher", "--agency", "School")
    return _cli(path, "conversation", "new", review, person)


def _add_notes(path: Path, conversation: str, *texts: str) -> None:
    for text in texts:
        _cli(path, "--as", "Sam", "note", "add", conversation, text)


_HOLDER = (
    "import sys, time\n"
    "from facilitator.store import Store\n"
    "store = Store(sys.argv[1], author='Sam')\n"
    "print('open', flush=True)\n"
    "time.sleep(600)\n"
)


def _notes_while_the_app_is_open_then_it_crashes(
    path: Path, conversation: str, *texts: str
) -> None:
    """The app holds the store open (so `note add` leaves its commits in the -wal), and
    is killed: the -wal stays beside the file, holding those notes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        _add_notes(path, conversation, *texts)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert Path(f"{path}-wal").stat().st_size > 0


def _notes(path: Path) -> tuple[str, list[str], subprocess.CompletedProcess[str]]:
    """The review's title and its notes' texts, as `export --format json` gives them."""
    result = run_cli(path, "export", "R1", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    return data["review"]["title"], sorted(n["text"] for n in data["notes"]), result


def _set_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}-wal.set-aside-*"))


def _one_line_saying_so(stderr: str, path: Path) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "not this store's" in lines[0] and "set aside" in lines[0], lines[0]
    assert str(path) in lines[0] and "Traceback" not in stderr


def test_another_stores_log_copied_beside_a_store_is_set_aside_not_played(
    tmp_path: Path,
) -> None:
    mine, other = tmp_path / "mine" / "store.db", tmp_path / "other" / "store.db"
    conversation = _new_store(mine, "My review")
    _add_notes(mine, conversation, "Mine one", "Mine two")
    theirs = _new_store(other, "Their review")
    _add_notes(other, theirs, "Theirs one")
    _notes_while_the_app_is_open_then_it_crashes(other, theirs, "Theirs two", "Theirs three")
    log = Path(f"{other}-wal").read_bytes()
    shutil.copyfile(f"{other}-wal", f"{mine}-wal")  # both apps closed

    title, texts, result = _notes(mine)
    assert (title, texts) == ("My review", ["Mine one", "Mine two"])
    _one_line_saying_so(result.stderr, mine)
    assert not Path(f"{mine}-wal").exists() or Path(f"{mine}-wal").stat().st_size == 0
    [aside] = _set_aside(mine)
    assert aside.read_bytes() == log  # kept, byte for byte: nothing lost
    assert aside.stat().st_mode & 0o777 == 0o600

    check = run_cli(mine, "store", "check")
    assert check.returncode == 1, check.stdout
    assert aside.name in check.stderr and "not this store's" in check.stderr, check.stderr
    assert "integrity" not in check.stderr and "differs" not in check.stderr, check.stderr
    _add_notes(mine, conversation, "Mine three")  # the store goes on as it stood
    assert _notes(mine)[1] == ["Mine one", "Mine three", "Mine two"]
    # The other store, with its own log, is whole.
    assert _notes(other)[1] == ["Theirs one", "Theirs three", "Theirs two"]


def test_a_backup_put_back_over_a_store_whose_log_is_beside_it_is_not_damaged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    conversation = _new_store(path, "My review")
    _add_notes(path, conversation, "Monday one", "Monday two")
    backup = tmp_path / "backup-monday.db"
    shutil.copyfile(path, backup)  # closed: the file is the whole store
    _add_notes(path, conversation, "Tuesday one")
    _notes_while_the_app_is_open_then_it_crashes(path, conversation, "Tuesday two", "Tue 3")
    log = Path(f"{path}-wal").read_bytes()
    shutil.copyfile(backup, path)  # the user restores Monday's file; the -wal stays

    title, texts, result = _notes(path)
    assert (title, texts) == ("My review", ["Monday one", "Monday two"])
    _one_line_saying_so(result.stderr, path)
    [aside] = _set_aside(path)
    assert aside.read_bytes() == log
    check = run_cli(path, "store", "check")
    assert check.returncode == 1 and aside.name in check.stderr, check.stderr
    assert "integrity" not in check.stderr and "differs" not in check.stderr, check.stderr


def test_the_backup_of_exactly_the_state_the_log_was_made_on_still_plays_it(
    tmp_path: Path,
) -> None:
    """A backup taken while the store was closed, put back after a crash that left the
    log of the writes made since: the log was made against exactly this file, so it is
    this store's own and plays (nothing is set aside)."""
    path = tmp_path / "store.db"
    conversation = _new_store(path, "My review")
    _add_notes(path, conversation, "Monday one")
    backup = tmp_path / "backup.db"
    shutil.copyfile(path, backup)
    _notes_while_the_app_is_open_then_it_crashes(path, conversation, "Tuesday one")
    shutil.copyfile(backup, path)
    title, texts, result = _notes(path)
    assert texts == ["Monday one", "Tuesday one"] and result.stderr == ""
    assert _set_aside(path) == []
    assert run_cli(path, "store", "check").returncode == 0


_WRITER = (
    "import sys\n"
    "from facilitator.store import Store\n"
    "store = Store(sys.argv[1], author='Sam')\n"
    "conversation = store.conversation(sys.argv[2])\n"
    "for n in range(100000):\n"
    "    store.add_note(conversation, f'kept {sys.argv[3]} {n}')\n"
    "    store.save_draft(conversation.id, f'typing {n}', None)\n"
    "    print(n, flush=True)\n"
)


def test_our_own_log_after_a_kill_mid_write_still_plays_every_saved_note(
    tmp_path: Path,
) -> None:
    """kill -9 at random moments of a process writing notes (and drafts), sometimes with
    a second process holding the store open: every note whose save returned is there
    after, and nothing is set aside."""
    path = tmp_path / "store.db"
    conversation = _new_store(path, "My review")
    saved: list[str] = []
    for round_ in range(6):
        holder = None
        if round_ % 2:
            holder = subprocess.Popen(
                [sys.executable, "-c", _HOLDER, str(path)], stdout=subprocess.PIPE, text=True
            )
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), conversation, str(round_)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        first = writer.stdout.readline()
        assert first.strip() == "0", first
        time.sleep(0.05 + 0.07 * round_)
        writer.send_signal(signal.SIGKILL)
        out = first + writer.stdout.read()
        writer.wait()
        if holder is not None:
            holder.send_signal(signal.SIGKILL)
            holder.wait()
        saved += [f"kept {round_} {line}" for line in out.split()]
        _title, texts, result = _notes(path)
        assert result.stderr == "", result.stderr
        assert set(saved) <= set(texts)
        assert _set_aside(path) == []
    assert run_cli(path, "store", "check").returncode == 0
    assert os.stat(path).st_size > 0


def _commits(path: Path) -> list[list[tuple[int, bytes]]]:
    """The log's commits, each a list of (page number, page) in the order written."""
    log = Path(f"{path}-wal").read_bytes()
    size = int.from_bytes(log[8:12], "big")
    salts, at, commits, frames = log[16:24], 32, [], []
    while at + 24 + size <= len(log) and log[at + 8 : at + 16] == salts:
        frames.append((int.from_bytes(log[at : at + 4], "big"), log[at + 24 : at + 24 + size]))
        if int.from_bytes(log[at + 4 : at + 8], "big"):
            commits.append(frames)
            frames = []
        at += 24 + size
    return commits


def test_every_commit_the_store_makes_moves_its_tag(tmp_path: Path) -> None:
    """The check relies on this: each commit (a note, a draft, a setting, a sync's
    bookkeeping, a stage, `store check`) rewrites meta's page with a tag naming the one
    before, so a log's first tag names the file it was written against."""
    from facilitator.store import Store
    from facilitator.store.stray_log import _tag_in
    from facilitator.sync import engine_for, join_share, share_review
    from tests.sync_support import FAST_SCRYPT, PASS, start_review

    lead_path, taker_path, share = tmp_path / "lead.db", tmp_path / "taker.db", tmp_path / "s"
    with Store(lead_path, author="Lead") as lead:
        review, conversation = start_review(lead)
    Store(taker_path, author="Taker").close()
    with Store(lead_path) as lead, Store(taker_path) as taker:
        for store in (lead, taker):
            store.conn.execute("PRAGMA wal_autocheckpoint=0")  # every commit stays in the log
        share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
        lead.add_note(conversation, "A note #new Visit (3 May 2024) @family-")
        lead.save_draft(conversation.id, "typing", None)
        lead.clear_draft(conversation.id)
        lead.set_reviewer("Alex Lead")
        lead.set_stage(conversation, 3)
        engine_for(lead, review).sync()
        join_share(taker, share, PASS)
        taker.add_note(taker.conversation(conversation.id), "From the taker")
        engine_for(taker, review).sync()
        engine_for(lead, review).sync()
        assert lead.check().ok
        root = lead.conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'meta'"
        ).fetchone()[0]
        for path in (lead_path, taker_path):
            size = 4096
            with open(path, "rb") as main:
                main.seek((root - 1) * size)
                held = _tag_in(main.read(size))
            assert held is not None
            commits = _commits(path)
            assert len(commits) >= 4
            for number, commit in enumerate(commits):
                copies = [_tag_in(page) for page_number, page in commit if page_number == root]
                assert copies and copies[-1], f"commit {number} of {path.name} has no tag"
                assert copies[-1][0] == held[1], f"commit {number} does not follow the last"
                held = copies[-1]


def _two_stores_and_a_stray_log(tmp_path: Path) -> tuple[Path, bytes]:
    """My store, closed, with another store's log copied beside it."""
    mine, other = tmp_path / "mine" / "store.db", tmp_path / "other" / "store.db"
    _add_notes(mine, _new_store(mine, "My review"), "Mine one")
    theirs = _new_store(other, "Their review")
    _notes_while_the_app_is_open_then_it_crashes(other, theirs, "Theirs one")
    shutil.copyfile(f"{other}-wal", f"{mine}-wal")
    return mine, Path(f"{mine}-wal").read_bytes()


def test_a_read_only_store_with_a_stray_log_reads_as_it_stands_and_changes_nothing(
    tmp_path: Path,
) -> None:
    from tests.test_store_safety import _files, run

    mine, _log = _two_stores_and_a_stray_log(tmp_path)
    before = _files(mine.parent)
    mine.parent.chmod(0o500)
    try:
        result = run(mine, "export", "R1", "--format", "json", unprivileged=True)
        # 'store check' says so too, and fails: it said "OK" and exited 0 (hostile tester).
        checked = run(mine, "store", "check", unprivileged=True)
    finally:
        mine.parent.chmod(0o700)
    assert checked.returncode == 1
    assert "not this store's" in checked.stdout + checked.stderr
    assert "OK: integrity check passed" not in checked.stdout
    assert result.returncode == 0, result.stderr
    assert [n["text"] for n in json.loads(result.stdout)["notes"]] == ["Mine one"]
    assert "not this store's" in result.stderr and "not read" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _files(mine.parent) == before  # the log left where it is, nothing written


async def test_the_app_says_a_stray_log_was_set_aside(tmp_path: Path) -> None:
    from facilitator.method import load_method
    from facilitator.service import Service
    from facilitator.store import Store
    from facilitator.tui.app import FacilitatorApp
    from tests.tui_support import FakeClock

    mine, _log = _two_stores_and_a_stray_log(tmp_path)
    with Store(mine, author="Sam") as store:
        app = FacilitatorApp(Service(store, load_method()), clock=FakeClock())
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            said = [str(n.message) for n in app._notifications]
            assert any("not this store's" in text and "set aside" in text for text in said)
        assert [n.text for n in store.notes()] == ["Mine one"]
    assert len(_set_aside(mine)) == 1


# --- the judge itself, on logs made in this process (fast) ------------------------------


def _judge(path: Path) -> bool:
    from facilitator.store import db, stray_log

    kind, meta_at = db._identify_file(path)
    assert kind == "ours" and meta_at is not None
    return stray_log.stray(path, *meta_at)


def _open_with_notes(path: Path, *texts: str):  # noqa: ANN202
    from facilitator.store import Store

    store = Store(path, author="Sam")
    store.conn.execute("PRAGMA wal_autocheckpoint=0")
    review = store.create_review("R")
    person = store.add_participant(review, role="Teacher", agency="School")
    conversation = store.conversation(store.new_conversation(review, person))
    for text in texts:
        store.add_note(conversation, text)
    return store, conversation


def test_the_judge_takes_our_log_at_every_checkpoint_and_refuses_others(tmp_path: Path) -> None:
    from facilitator.store import Store

    mine = tmp_path / "mine.db"
    Store(mine, author="Sam").close()
    store, conversation = _open_with_notes(mine, "one", "two")
    other, _ = _open_with_notes(tmp_path / "other.db", "theirs")
    try:
        assert not _judge(mine)  # nothing of the log in the file yet
        reader = __import__("sqlite3").connect(mine)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM notes").fetchone()  # a reader mid-log
        store.add_note(conversation, "three")
        store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the file part way along
        assert not _judge(mine)
        reader.close()
        store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the whole log in the file
        assert not _judge(mine)
        # Another store's log beside a copy of mine: refused, whatever the file's state.
        twin = tmp_path / "twin.db"
        shutil.copyfile(mine, twin)
        shutil.copyfile(tmp_path / "other.db-wal", f"{twin}-wal")
        assert _judge(twin)
        # Our own log, beside the file as it was before any of it (a backup then): ours.
        store.add_note(conversation, "four")
        older = tmp_path / "older.db"
        shutil.copyfile(mine, older)
        store.add_note(conversation, "five")
        store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        shutil.copyfile(f"{mine}-wal", f"{older}-wal")
        assert not _judge(older)  # the log began on exactly this file: ours
    finally:
        store.close()
        other.close()


def test_a_torn_copy_of_meta_alone_says_nothing(tmp_path: Path) -> None:
    """Another store's log whose only copy of meta's page never committed (cut short):
    SQLite plays none of it, so the judge does not call it stray."""
    mine = tmp_path / "mine.db"
    store, _conversation = _open_with_notes(mine, "one")
    store.close()
    other, _ = _open_with_notes(tmp_path / "other.db", "theirs")
    try:
        log = bytearray(Path(f"{tmp_path / 'other.db'}-wal").read_bytes())
        size = int.from_bytes(log[8:12], "big")
        log[32 + 24 + size // 2 : 32 + 24 + size // 2 + 8] = b"\xff" * 8  # frame 1 torn
        Path(f"{mine}-wal").write_bytes(bytes(log))
        assert not _judge(mine)
        log = bytearray(Path(f"{tmp_path / 'other.db'}-wal").read_bytes())
        Path(f"{mine}-wal").write_bytes(bytes(log))
        assert _judge(mine)
    finally:
        other.close()
