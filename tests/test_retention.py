"""Keeping and ending a review: an encrypted archive that restores, and a purge that
leaves nothing of the review in the store file while other reviews stay intact."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from facilitator.cli.main import main
from facilitator.store import Store
from facilitator.store.draft_files import drafts_folder
from facilitator.tui.drafts import DraftKeeper

PASS = "a long retention passphrase"
SECRET_WORDS = ("Quokkaford", "Zebedee Marchbanks", "bruise-on-the-left-ear", "Kestrel Lane")


def cli(store: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(["--store", str(store), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _two_reviews(path: Path) -> tuple[str, str]:
    with Store(path, author="Jo") as store:
        doomed = store.create_review(f"Child {SECRET_WORDS[0]}")
        person = store.add_participant(
            doomed, role="Social worker", agency="CSC", name=SECRET_WORDS[1]
        )
        conversation = store.conversation(store.new_conversation(doomed, person))
        note = store.add_note(conversation, f"Saw a {SECRET_WORDS[2]} at {SECRET_WORDS[3]}")
        store.revise_note(store.note(note), f"Saw a {SECRET_WORDS[2]} (edited)")
        store.create_episode(doomed, f"Visit to {SECRET_WORDS[3]}")
        store.add_follow_up(doomed, f"Ask {SECRET_WORDS[1]}", conversation=conversation.id)
        store.save_draft(conversation.id, f"half typed {SECRET_WORDS[2]}", None)
        DraftKeeper(store, conversation.id).keep_now(f"half typed {SECRET_WORDS[2]}", None)
        kept = store.create_review("Child K")
        other = store.add_participant(kept, role="Nurse", agency="Health")
        talk = store.conversation(store.new_conversation(kept, other))
        store.add_note(talk, "kept note")
        return doomed, kept


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    for extra in ("-wal", "-journal"):
        side = Path(f"{path}{extra}")
        if side.exists():
            data += side.read_bytes()
    return data


def _review_rows(store: Store, review: str) -> dict[str, list[tuple]]:
    return {
        table: [row for row in rows if review in row] for table, rows in store.snapshot().items()
    }


def test_purge_leaves_nothing_of_the_review_and_keeps_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    doomed, kept = _two_reviews(path)
    with Store(path) as store:
        kept_before = _review_rows(store, kept)
        kept_ops = [op.id for op in store.ops("WHERE review = ?", (kept,))]
    assert all(word.encode() in _file_bytes(path) for word in SECRET_WORDS)
    drafts = drafts_folder(path)
    assert any(SECRET_WORDS[2].encode() in f.read_bytes() for f in drafts.iterdir())
    code, _, err = cli(path, "review", "purge", "R1", "--confirm", f"child {SECRET_WORDS[0]}",
                       capsys=capsys)  # fmt: skip
    assert code == 0, err
    assert "Purged R1" in err
    for data in (_file_bytes(path),):
        for word in (*SECRET_WORDS, doomed):
            assert word.encode() not in data, word
    conn = sqlite3.connect(path)
    conn.execute("VACUUM")
    conn.close()
    data = _file_bytes(path)
    for word in (*SECRET_WORDS, doomed):
        assert word.encode() not in data, word
    assert list(drafts.iterdir()) == []  # the note-taker's draft file went with the review
    with Store(path) as store:
        assert [r.id for r in store.reviews()] == [kept]
        assert _review_rows(store, kept) == kept_before
        assert [op.id for op in store.ops()] == kept_ops
        report = store.check()
        assert report.ok, report.problems


def test_purge_asks_for_the_title_and_refuses_anything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    _two_reviews(path)
    code, _, err = cli(path, "review", "purge", "R1", "--confirm", "Child K", capsys=capsys)
    assert code == 1 and "not the title of R1; nothing was purged" in err
    code, _, err = cli(path, "review", "purge", "R1", capsys=capsys)
    assert code == 1 and "needs confirmation" in err
    with Store(path) as store:
        assert len(store.reviews()) == 2


def test_archive_then_purge_then_restore_gives_the_review_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    doomed, _kept = _two_reviews(path)
    with Store(path) as store:
        before = _review_rows(store, doomed)
    archive = tmp_path / "archive" / "child.facilitator"
    code, out, err = cli(path, "review", "archive", "R1", "-o", str(archive), capsys=capsys)
    assert code == 0, err
    assert out.strip() == str(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    sealed = archive.read_bytes()
    for word in (*SECRET_WORDS, doomed):
        assert word.encode() not in sealed
    cli(path, "review", "purge", "R1", "--confirm", f"Child {SECRET_WORDS[0]}", capsys=capsys)
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", "not the passphrase")
    code, _, err = cli(path, "review", "restore", str(archive), capsys=capsys)
    assert code == 1 and "wrong passphrase" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", PASS)
    code, out, err = cli(path, "review", "restore", str(archive), capsys=capsys)
    assert code == 0, err
    assert out.strip() == doomed
    with Store(path) as store:
        assert _review_rows(store, doomed) == before
        assert store.check().ok, store.check().problems
    # Restoring twice changes nothing; into another laptop's store, it gives the same.
    code, _, err = cli(path, "review", "restore", str(archive), capsys=capsys)
    assert code == 0 and "0 changes taken in" in err
    other = tmp_path / "other.db"
    assert cli(other, "review", "restore", str(archive), capsys=capsys)[0] == 0
    with Store(other) as store:
        assert _review_rows(store, doomed) == before


def test_a_changed_or_foreign_archive_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_PASSPHRASE", PASS)
    path = tmp_path / "s.db"
    _two_reviews(path)
    archive = tmp_path / "a.facilitator"
    cli(path, "review", "archive", "R1", "-o", str(archive), capsys=capsys)
    data = bytearray(archive.read_bytes())
    data[-20] ^= 1
    archive.write_bytes(bytes(data))
    code, _, err = cli(path, "review", "restore", str(archive), capsys=capsys)
    assert code == 1 and "changed since it was written" in err
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not an archive")
    code, _, err = cli(path, "review", "restore", str(junk), capsys=capsys)
    assert code == 1 and "not a facilitator review archive" in err


def test_purging_a_shared_review_leaves_a_signed_marker_that_other_laptops_offer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from facilitator.sync.purge import MARKER_FILE

    monkeypatch.setenv("FACILITATOR_PASSPHRASE", PASS)
    mine, theirs, share = tmp_path / "mine.db", tmp_path / "theirs.db", tmp_path / "share"
    _two_reviews(mine)
    assert cli(mine, "review", "share", "R1", str(share), capsys=capsys)[0] == 0
    assert cli(theirs, "review", "join", str(share), capsys=capsys)[0] == 0
    code, _, err = cli(theirs, "sync", capsys=capsys)
    assert code == 0 and "purge" not in err
    title = f"Child {SECRET_WORDS[0]}"
    code, _, err = cli(mine, "review", "purge", "R1", "--confirm", title, capsys=capsys)
    assert code == 0, err
    assert "Left a purged marker" in err
    marker = share / MARKER_FILE
    assert marker.is_file()
    with Store(mine) as store:  # this laptop forgot the review's key; the other keeps its own
        assert not list(tmp_path.glob(f"sync-keys/{store.device}-*"))
    assert len(list(tmp_path.glob("sync-keys/*"))) == 1
    code, _, err = cli(theirs, "sync", capsys=capsys)
    assert "another laptop purged this review" in err
    assert "facilitator review purge R1" in err
    # A marker not signed with the review's key is ignored.
    signed = json.loads(marker.read_text())
    signed["hmac"] = "0" * 64
    marker.write_text(json.dumps(signed))
    code, _, err = cli(theirs, "sync", capsys=capsys)
    assert "purged" not in err


def test_a_purge_while_another_window_reads_says_so_and_compact_finishes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    _two_reviews(path)
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM notes").fetchone()  # holds a read snapshot
    code, _, err = cli(path, "review", "purge", "R1", "--confirm", f"Child {SECRET_WORDS[0]}",
                       capsys=capsys)  # fmt: skip
    assert code == 1 and "facilitator store compact" in err, err
    assert len(err.strip().splitlines()) == 1
    reader.close()
    code, out, err = cli(path, "store", "compact", capsys=capsys)
    assert code == 0, err
    data = _file_bytes(path)
    for word in SECRET_WORDS:
        assert word.encode() not in data, word
    with Store(path) as store:
        assert [r.title for r in store.reviews()] == ["Child K"]
