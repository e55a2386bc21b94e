"""The two copies of the note being typed (facilitator/tui/drafts.py), without the app:
what comes back after a crash, a torn or planted file, a second window, or a save that
lands late. The app's side is in tests/test_tui_drafts.py. Written while killing mutants
of facilitator/tui/drafts.py (TESTING.md)."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from facilitator.store import Store
from facilitator.store.store import AUTHOR_ENV
from facilitator.tui.drafts import MAX_DRAFT_FILE, DraftFile, DraftKeeper

CONVERSATION = "conversation-1"
BEGUN = "2025-03-04T10:00:00.000+00:00"


class Clock:
    """The store's wall clock, moved by hand: which copy is newer is the point here."""

    def __init__(self) -> None:
        self.moment = datetime(2025, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=1)))

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(tmp_path / "store.db", author="Jordan", now=clock) as opened:
        yield opened


def plant(path: Path, body: bytes, *, length: int | None = None, tail: bytes = b"") -> None:
    """A draft file in the kept format: ``DraftFile.MAGIC``, length and CRC-32, body, and
    whatever a longer earlier draft left after it."""
    size = len(body) if length is None else length
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    header = DraftFile.MAGIC + b"%016x %08x\n" % (size, zlib.crc32(body))
    path.write_bytes(header + body + tail)


def test_the_file_gives_back_exactly_what_was_typed(store: Store, clock: Clock) -> None:
    kept = DraftFile(store, CONVERSATION)
    text = 'Mum said "it\'s fine" — Zoë (5) 😊\nsecond line\ttabbed'
    kept.write(text, BEGUN)
    draft = DraftFile(store, CONVERSATION).read()  # as a restarted process reads it
    assert draft is not None
    assert draft.text == text
    assert draft.started_at == BEGUN
    assert draft.saved_at == clock().isoformat(timespec="milliseconds")
    assert (draft.conversation, draft.author) == (CONVERSATION, "Jordan")
    kept.close()


def test_a_shorter_draft_after_a_longer_one_leaves_no_tail(store: Store) -> None:
    kept = DraftFile(store, CONVERSATION)
    kept.write("a long first thought about the home visit", BEGUN)
    kept.write("short", BEGUN)
    assert DraftFile(store, CONVERSATION).read().text == "short"
    kept.write("", None)
    emptied = DraftFile(store, CONVERSATION).read()
    assert emptied is not None and emptied.text == "" and emptied.started_at is None
    kept.close()


def test_each_conversation_and_reviewer_has_its_own_draft(tmp_path: Path, store: Store) -> None:
    DraftFile(store, CONVERSATION).write("Jordan's note", BEGUN)
    DraftFile(store, "conversation-2").write("another conversation", BEGUN)
    assert DraftFile(store, CONVERSATION).read().text == "Jordan's note"
    with Store(tmp_path / "store.db", author="Sam") as other_reviewer:
        assert DraftFile(other_reviewer, CONVERSATION).read() is None


def test_keys_typed_after_the_reviewer_gives_their_name_are_kept_as_theirs(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(AUTHOR_ENV, raising=False)
    with Store(tmp_path / "unnamed.db", now=clock) as unnamed:
        kept = DraftFile(unnamed, CONVERSATION)
        kept.write("typed before the name was given", BEGUN)
        unnamed.set_reviewer("Sam")  # the file open for no one must not take Sam's keys
        kept.write("typed as Sam", BEGUN)
        assert DraftFile(unnamed, CONVERSATION).read().text == "typed as Sam"
        kept.close()


@pytest.mark.parametrize(
    "damage",
    [
        "flipped byte",
        "cut short",
        "not a draft file",
        "length beyond the file",
        "not json",
        "another conversation",
        "text not a string",
        "no saved_at",
        "started_at not a string",
        "a json list",
    ],
)
def test_a_torn_or_planted_file_is_not_trusted_and_the_stores_copy_comes_back(
    store: Store, clock: Clock, damage: str
) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    keeper.write(keeper.request(), "the store's copy", BEGUN)
    clock.advance(5)
    keeper.keep_now("the file's newer copy", BEGUN)
    path = keeper.file._path()
    data = path.read_bytes()
    good = {"conversation": CONVERSATION, "text": "x", "started_at": None, "saved_at": BEGUN}
    if damage == "flipped byte":
        path.write_bytes(data[:-3] + bytes([data[-3] ^ 0x01]) + data[-2:])
    elif damage == "cut short":
        path.write_bytes(data[:-4])
    elif damage == "not a draft file":
        path.write_bytes(b"facilitator-draft 2 " + data[len(DraftFile.MAGIC) :])
    elif damage == "length beyond the file":
        body = data.partition(b"\n")[2]
        plant(path, body, length=len(body) + 1)
    elif damage == "not json":
        plant(path, b"{not json")
    else:
        import json

        if damage == "another conversation":
            good["conversation"] = "conversation-2"
        elif damage == "text not a string":
            good["text"] = ["x"]
        elif damage == "no saved_at":
            del good["saved_at"]
        elif damage == "started_at not a string":
            good["started_at"] = 5
        raw = [good] if damage == "a json list" else good
        plant(path, json.dumps(raw).encode())
    assert DraftFile(store, CONVERSATION).read() is None
    recovered = DraftKeeper(store, CONVERSATION).recover()
    assert recovered is not None and recovered.text == "the store's copy"


def test_a_good_planted_file_is_read(store: Store) -> None:
    """The reader is no stricter than the format: a file in it, written by hand, reads."""
    import json

    body = {"conversation": CONVERSATION, "text": "kept", "started_at": None, "saved_at": BEGUN}
    plant(DraftFile(store, CONVERSATION)._path(), json.dumps(body).encode(), tail=b"old tail")
    draft = DraftFile(store, CONVERSATION).read()
    assert draft is not None and (draft.text, draft.started_at) == ("kept", None)


def test_a_huge_planted_file_is_refused_without_reading_it(store: Store) -> None:
    path = DraftFile(store, CONVERSATION)._path()
    plant(path, b"{}")
    os.truncate(path, MAX_DRAFT_FILE + 1)  # sparse: costs no disk
    assert DraftFile(store, CONVERSATION).read() is None


def test_a_file_of_the_largest_size_allowed_is_still_read(store: Store) -> None:
    import json

    path = DraftFile(store, CONVERSATION)._path()
    body = {"conversation": CONVERSATION, "text": "kept", "started_at": None, "saved_at": BEGUN}
    plant(path, json.dumps(body).encode())
    os.truncate(path, MAX_DRAFT_FILE)  # zeros after the body: beyond its length
    assert DraftFile(store, CONVERSATION).read().text == "kept"


def test_a_link_planted_as_the_draft_is_neither_followed_nor_fatal(
    tmp_path: Path, store: Store
) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours")
    kept = DraftFile(store, CONVERSATION)
    path = kept._path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.symlink_to(target)
    kept.write("typing goes on", BEGUN)  # never raises: the store's copy follows
    assert target.read_text() == "not yours"
    assert kept.read() is None
    kept.close()


def test_a_folder_in_place_of_the_draft_is_not_read(store: Store) -> None:
    path = DraftFile(store, CONVERSATION)._path()
    path.mkdir(parents=True)
    assert DraftFile(store, CONVERSATION).read() is None


def test_writing_again_after_a_failed_write_works(store: Store) -> None:
    kept = DraftFile(store, CONVERSATION)
    path = kept._path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.mkdir()  # the write fails...
    kept.write("first", BEGUN)
    path.rmdir()  # ...and once the obstacle goes, the next key is kept again
    kept.write("second", BEGUN)
    assert DraftFile(store, CONVERSATION).read().text == "second"
    kept.close()
    kept.close()  # closing twice is harmless


# --- which copy comes back ------------------------------------------------------------


def test_the_newer_copy_comes_back(store: Store, clock: Clock) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    keeper.keep_now("older, in the file", BEGUN)
    clock.advance(2)
    keeper.write(keeper.request(), "newer, in the store", BEGUN)  # the file failed since
    assert DraftKeeper(store, CONVERSATION).recover().text == "newer, in the store"
    clock.advance(2)
    keeper.keep_now("newest, in the file", BEGUN)
    assert DraftKeeper(store, CONVERSATION).recover().text == "newest, in the file"


def test_on_a_tie_the_file_wins(store: Store) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    keeper.write(keeper.request(), "the store's", BEGUN)
    keeper.keep_now("the file's, typed since", BEGUN)  # the same millisecond
    assert DraftKeeper(store, CONVERSATION).recover().text == "the file's, typed since"


def test_only_one_copy_is_enough(store: Store) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    assert keeper.recover() is None
    keeper.write(keeper.request(), "only in the store", BEGUN)
    assert DraftKeeper(store, CONVERSATION).recover().text == "only in the store"
    store.clear_draft(CONVERSATION)
    keeper.keep_now("only in the file", BEGUN)
    assert DraftKeeper(store, CONVERSATION).recover().text == "only in the file"


def test_a_copy_with_an_unreadable_time_loses_and_a_naive_time_is_utc(
    store: Store, clock: Clock
) -> None:
    import json

    keeper = DraftKeeper(store, CONVERSATION)
    keeper.write(keeper.request(), "the store's copy", BEGUN)  # 10:00+01:00 = 09:00 UTC
    path = keeper.file._path()
    body = {"conversation": CONVERSATION, "text": "file", "started_at": None, "saved_at": "?"}
    plant(path, json.dumps(body).encode())
    assert DraftKeeper(store, CONVERSATION).recover().text == "the store's copy"
    body["saved_at"] = "2025-03-04T09:30:00"  # no offset: UTC, so after the store's
    plant(path, json.dumps(body).encode())
    assert DraftKeeper(store, CONVERSATION).recover().text == "file"
    body["saved_at"] = "2025-03-04T08:30:00"
    plant(path, json.dumps(body).encode())
    assert DraftKeeper(store, CONVERSATION).recover().text == "the store's copy"


# --- saves from the worker thread ----------------------------------------------------


def test_saving_empty_text_removes_the_stored_draft(store: Store) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    assert keeper.write(keeper.request(), "half a thought", BEGUN)
    assert store.draft(CONVERSATION).started_at == BEGUN
    assert keeper.write(keeper.request(), "", None)  # the box was cleared by hand
    assert store.draft(CONVERSATION) is None


def test_flush_saves_both_copies_at_once_and_beats_earlier_saves(store: Store) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    pending = keeper.request()  # the debounced save, still to run
    keeper.flush("every key before ctrl+q", BEGUN)
    assert store.draft(CONVERSATION).text == "every key before ctrl+q"
    assert DraftFile(store, CONVERSATION).read().text == "every key before ctrl+q"
    assert not keeper.write(pending, "every key before ctrl", BEGUN)
    assert DraftKeeper(store, CONVERSATION).recover().text == "every key before ctrl+q"


def test_after_a_note_is_recorded_the_next_one_is_kept(store: Store, clock: Clock) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    keeper.keep_now("first note", BEGUN)
    keeper.write(keeper.request(), "first note", BEGUN)
    late = keeper.request()
    keeper.clear()  # Enter: recorded
    assert DraftFile(store, CONVERSATION).read().text == ""
    assert store.draft(CONVERSATION) is None
    assert keeper.recover() is None
    assert not keeper.write(late, "first note", BEGUN)
    # The next note's saves land as usual.
    clock.advance(1)
    assert keeper.write(keeper.request(), "second note", BEGUN)
    assert DraftKeeper(store, CONVERSATION).recover().text == "second note"


def test_forget_refuses_saves_requested_before_it_but_keeps_the_store_copy(
    store: Store,
) -> None:
    """forget() comes before the note's own transaction, which clears the store's copy:
    until then the store still has it (a failed save must not lose the draft)."""
    keeper = DraftKeeper(store, CONVERSATION)
    keeper.write(keeper.request(), "being recorded", BEGUN)
    late = keeper.request()
    keeper.forget()
    assert not keeper.write(late, "being recorded", BEGUN)
    assert store.draft(CONVERSATION).text == "being recorded"
    assert keeper.write(keeper.request(), "being recorded, again", BEGUN)


# --- a second window -----------------------------------------------------------------


def test_a_second_window_on_the_conversation_is_told(store: Store) -> None:
    first, second = DraftKeeper(store, CONVERSATION), DraftKeeper(store, CONVERSATION)
    assert first.claim()
    assert first.claim()  # asking again from the same window is not a second window
    assert not second.claim()
    assert DraftKeeper(store, "conversation-2").claim()  # another conversation is free
    first.release()
    first.release()
    assert second.claim()  # the first window closed
    second.release()


def test_text_with_a_lone_surrogate_is_kept_too(store: Store) -> None:
    """A paste of badly encoded bytes can leave lone surrogates in the box: the file copy
    keeps them as they are rather than failing on every key."""
    kept = DraftFile(store, CONVERSATION)
    text = "pasted \udcff\udc80 bytes, then Zoë"
    kept.write(text, BEGUN)
    assert DraftFile(store, CONVERSATION).read().text == text
    assert DraftKeeper(store, CONVERSATION).recover().text == text
    kept.close()


def test_every_copy_keeps_when_the_note_was_begun(store: Store, clock: Clock) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    keeper.keep_now("begun at ten", BEGUN)
    assert DraftFile(store, CONVERSATION).read().started_at == BEGUN
    clock.advance(1)
    keeper.flush("begun at ten, quitting", BEGUN)
    assert DraftFile(store, CONVERSATION).read().started_at == BEGUN
    assert store.draft(CONVERSATION).started_at == BEGUN
    assert DraftKeeper(store, CONVERSATION).recover().started_at == BEGUN


def test_a_window_opened_before_any_draft_makes_only_private_files(store: Store) -> None:
    keeper = DraftKeeper(store, CONVERSATION)
    assert keeper.claim()  # the first thing a window does, before any key
    folder = keeper.file.folder
    assert folder.stat().st_mode & 0o777 == 0o700
    keeper.keep_now("typed", BEGUN)
    files = list(folder.iterdir())
    assert len(files) >= 2  # the draft and the open-window marker
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    keeper.release()


def test_when_the_open_window_marker_cannot_be_made_no_second_window_is_claimed(
    store: Store,
) -> None:
    """A drafts folder that cannot be made (a file in its place): nothing to warn with,
    and no false warning that the conversation is open elsewhere."""
    folder = DraftFile(store, CONVERSATION).folder
    folder.write_text("not a folder")
    assert DraftKeeper(store, CONVERSATION).claim()
    assert DraftKeeper(store, CONVERSATION).claim()
