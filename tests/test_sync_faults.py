"""Shared-folder sync under the faults real shares produce: each fault loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from facilitator.store import Store
from facilitator.store.oplog import Op
from facilitator.sync import (
    SyncEngine,
    WrongPassphrase,
    engine_for,
    join_share,
    share_review,
    state,
)
from facilitator.sync import segments as seg
from facilitator.sync.layout import DEVICES, REVIEW_FILE

PASS = "correct horse battery"
DAY_MS = 86_400_000
FAST_SCRYPT = 2**10


class Wall:
    """A wall clock the test controls (milliseconds)."""

    def __init__(self, offset_ms: int = 0) -> None:
        self.offset_ms = offset_ms
        self.ticks = 0

    def __call__(self) -> int:
        from facilitator.hlc import wall_clock_ms

        self.ticks += 1
        return wall_clock_ms() + self.offset_ms + self.ticks


def open_store(path: Path, author: str, wall: Callable[[], int] | None = None) -> Store:
    return Store(path, author=author, wall_ms=wall) if wall else Store(path, author=author)


@pytest.fixture
def share(tmp_path: Path) -> Path:
    return tmp_path / "share"


@pytest.fixture
def lead(tmp_path: Path):
    with open_store(tmp_path / "lead.db", "Lead") as store:
        yield store


@pytest.fixture
def taker(tmp_path: Path):
    with open_store(tmp_path / "taker.db", "Taker") as store:
        yield store


def start_review(store: Store) -> tuple[str, object]:
    review = store.create_review("Fictional review")
    person = store.add_participant(review, role="Health visitor", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    store.start_conversation(conversation)
    return review, conversation


def shared_pair(lead: Store, taker: Store, share: Path):
    review, conversation = start_review(lead)
    lead.add_note(conversation, "Visited the family on Tuesday")
    share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
    join_share(taker, share, PASS)
    return review, conversation


def sync(store: Store, review: str):
    return engine_for(store, review).sync()


def segment_files(share: Path) -> list[Path]:
    return sorted((share / DEVICES).rglob("*.seg"))


def op_ids(store: Store) -> set[str]:
    return {op.id for op in store.ops()}


# --- the ordinary path ---------------------------------------------------------------


def test_a_note_and_a_stage_change_reach_the_other_laptop(lead, taker, share) -> None:
    review, conversation = shared_pair(lead, taker, share)
    assert [n.text for n in taker.notes(review=review)] == ["Visited the family on Tuesday"]
    lead.set_stage(conversation, 3)
    taker.add_note(taker.conversation(conversation.id), "Mother was worried")
    first = sync(lead, review)
    assert first.pushed_ops == 1 and first.pending == 0
    second = sync(taker, review)
    assert second.pulled_ops == 1 and second.pushed_ops == 2  # a note and its first revision
    sync(lead, review)
    assert taker.current_stage(conversation.id) == 3
    assert lead.snapshot() == taker.snapshot()
    assert op_ids(lead) == op_ids(taker)


def test_nothing_new_reads_no_file(lead, taker, share, monkeypatch) -> None:
    review, _ = shared_pair(lead, taker, share)
    engine = engine_for(taker, review)
    engine.sync()
    monkeypatch.setattr(seg, "decode", lambda *a, **k: pytest.fail("read a known segment"))
    report = engine.sync()
    assert report.pulled_segments == 0 and report.reachable and not report.problems


def test_the_key_is_cached_privately(lead, taker, share) -> None:
    review, _ = shared_pair(lead, taker, share)
    path = state.key_path(taker, review)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    info = json.loads((share / REVIEW_FILE).read_text())
    assert path.read_bytes().hex() not in json.dumps(info)
    for segment in segment_files(share):
        assert b"Visited the family" not in segment.read_bytes()


# --- copies made by file-sync engines ---------------------------------------------------

COPY_NAMES = (
    "{stem}-LAPTOP-7.seg",  # OneDrive
    "{stem} (Jordan's conflicted copy 2025-03-04).seg",  # Dropbox
    "{stem}.sync-conflict-20250304-101010-ABCDEFG.seg",  # Syncthing
)


def test_duplicated_and_conflicted_copies_are_harmless(lead, taker, share) -> None:
    review, conversation = start_review(lead)
    for i in range(5):
        lead.add_note(conversation, f"Note {i}")
    share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
    (original,) = segment_files(share)
    for pattern in COPY_NAMES:
        shutil.copy(original, original.with_name(pattern.format(stem=original.stem)))
    report = join_share(taker, share, PASS)
    assert report.pulled_segments == 4 and not report.problems and not report.waiting
    assert len(taker.ops()) == len(lead.ops())
    assert taker.snapshot() == lead.snapshot()
    assert taker.check().ok


# --- truncated, placeholder, unreadable --------------------------------------------------


def test_a_segment_cut_at_every_byte_offset_waits_and_then_arrives(lead, taker, share) -> None:
    review, _ = shared_pair(lead, taker, share)
    conversation = lead.conversation(lead.conversations(review)[0].id)
    lead.add_note(conversation, "A note that has not arrived yet")
    report = sync(lead, review)
    path = next(p for p in segment_files(share) if p.name.startswith("000000000008"))
    data = path.read_bytes()
    engine = engine_for(taker, review)
    before = taker.snapshot()
    for offset in range(len(data)):
        path.write_bytes(data[:offset])
        result = engine.sync()
        assert result.pulled_ops == 0 and not result.problems, offset
        assert any("incomplete" in w for w in result.waiting), offset
        assert taker.snapshot() == before
    path.write_bytes(data)
    assert engine.sync().pulled_ops == report.pushed_ops
    assert "A note that has not arrived yet" in {n.text for n in taker.notes(review=review)}


def test_placeholders_and_unreadable_files_are_not_yet_never_a_deletion(lead, taker, share) -> None:
    review, conversation = shared_pair(lead, taker, share)
    lead.add_note(conversation, "Second note")
    sync(lead, review)
    newest = max(segment_files(share))
    data = newest.read_bytes()
    newest.unlink()
    folder = newest.parent
    newest.write_bytes(b"")  # a cloud placeholder not yet downloaded
    (folder / f".{newest.name}.icloud").write_bytes(b"bplist")  # iCloud's placeholder
    (folder / "desktop.ini").write_text("[.ShellClassInfo]")
    blocked = folder / "000000000099-000000000099.seg"
    blocked.mkdir()  # cannot be read as a file
    os.mkfifo(folder / "000000000100-000000000100.seg")  # would block a naive reader
    notes_before = taker.notes(review=review)
    report = sync(taker, review)
    assert report.pulled_ops == 0 and not report.problems
    assert len(report.waiting) >= 3
    assert taker.notes(review=review) == notes_before
    newest.write_bytes(data)
    assert sync(taker, review).pulled_ops == 2  # the note and its first revision


@pytest.mark.parametrize("how", ["unmounted", "empty", "emptied of segments", "unreadable"])
def test_an_unusable_share_changes_nothing_locally(lead, taker, share, how) -> None:
    review, conversation = shared_pair(lead, taker, share)
    taker.add_note(taker.conversation(conversation.id), "Written offline")
    snapshot, ops = taker.snapshot(), op_ids(taker)
    files_before = len(segment_files(share))
    if how == "unmounted":
        shutil.rmtree(share)
    elif how == "empty":  # the mount point of an unmounted share: there, but empty
        shutil.rmtree(share)
        share.mkdir()
    elif how == "emptied of segments":
        shutil.rmtree(share / DEVICES)
    else:
        (share / REVIEW_FILE).unlink()
        (share / REVIEW_FILE).mkdir()
    report = sync(taker, review)
    assert taker.snapshot() == snapshot and op_ids(taker) == ops
    if how == "emptied of segments":
        # Still a share: our own ops go back up, nothing is taken away.
        assert report.reachable and report.pushed_ops >= 1
        return
    assert not report.reachable and report.problems
    assert report.pending == 2  # the note and its first revision, still here
    # Nothing written into an empty mount point or beside an unreadable review.json.
    assert len(segment_files(share)) == (files_before if how == "unreadable" else 0)


# --- order, gaps, crashes ----------------------------------------------------------------


def test_segments_out_of_order_and_with_gaps(lead, taker, share, tmp_path) -> None:
    review, conversation = start_review(lead)
    share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
    for i in range(3):
        lead.add_note(conversation, f"Batch {i}")
        sync(lead, review)
    files = segment_files(share)
    assert len(files) == 4
    partial = tmp_path / "partial"
    shutil.copy(share / REVIEW_FILE, partial / REVIEW_FILE) if partial.mkdir() is None else None
    for path in (files[3], files[1]):  # the newest first, and one gap left open
        target = partial / path.relative_to(share)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    report = join_share(taker, partial, PASS)
    assert report.pulled_segments == 2
    missing = seg.parse_name(files[0].name)  # the first hole: the first segment's ops
    assert [(g.first, g.last) for g in report.gaps] == [(missing.first, missing.last)]
    assert any("not here yet" in line for line in report.lines())
    for path in files:
        target = partial / path.relative_to(share)
        if not target.exists():
            shutil.copy(path, target)
    report = sync(taker, review)
    assert not report.gaps and not report.waiting
    assert taker.snapshot() == lead.snapshot()


def test_a_crash_before_the_segment_rename_loses_nothing(lead, taker, share, monkeypatch) -> None:
    from facilitator.sync import layout

    review, conversation = shared_pair(lead, taker, share)
    lead.add_note(conversation, "Typed just before the crash")

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # the process dies between the temp file and the rename

    monkeypatch.setattr(layout.os, "link", crash)
    with pytest.raises(KeyboardInterrupt):
        sync(lead, review)
    monkeypatch.undo()
    assert "Typed just before the crash" in {n.text for n in lead.notes(review=review)}
    report = sync(lead, review)
    assert report.pushed_ops == 2 and report.pending == 0
    assert not [p for p in share.rglob(".tmp-*")]
    sync(taker, review)
    assert taker.snapshot() == lead.snapshot()


def test_a_crash_after_the_rename_before_it_was_recorded(lead, taker, share, monkeypatch) -> None:
    review, conversation = shared_pair(lead, taker, share)
    lead.add_note(conversation, "Sent but not recorded")
    real = state.save_marks

    def crash(store, rev, updated):  # noqa: ANN001
        raise KeyboardInterrupt

    monkeypatch.setattr(state, "save_marks", crash)
    with pytest.raises(KeyboardInterrupt):
        sync(lead, review)
    monkeypatch.setattr(state, "save_marks", real)
    count = len(segment_files(share))
    report = sync(lead, review)
    assert report.pending == 0 and not report.problems and report.forked_to is None
    assert len(segment_files(share)) == count  # the segment was recognised, not rewritten
    sync(taker, review)
    assert taker.snapshot() == lead.snapshot()


# --- clocks ------------------------------------------------------------------------------


def test_clock_skew_of_two_days_either_way(tmp_path, share) -> None:
    ahead, behind = Wall(2 * DAY_MS), Wall(-2 * DAY_MS)
    with (
        open_store(tmp_path / "a.db", "A", ahead) as a,
        open_store(tmp_path / "b.db", "B", behind) as b,
    ):
        review, conversation = shared_pair(a, b, share)
        b.update(review, "review", review, title="Title from the slow clock")
        a.update(review, "review", review, title="Title from the fast clock")
        b.add_note(b.conversation(conversation.id), "Slow clock note")
        for store in (a, b, a, b):
            report = sync(store, review)
            assert not report.problems
        assert a.snapshot() == b.snapshot()
        assert {n.text for n in b.notes(review=review)} == {
            "Visited the family on Tuesday",
            "Slow clock note",
        }
        # The slow laptop is not dragged two days ahead by what it saw ...
        assert b.clock.last.wall_ms < ahead() - DAY_MS
        # ... and both titles stay in every log, whichever one the clocks let win.
        for store in (a, b):
            titles = {op.fields.get("title") for op in store.ops("WHERE entity = 'review'")}
            assert {"Title from the slow clock", "Title from the fast clock"} <= titles


def test_a_clock_that_jumps_backwards(tmp_path, share, taker) -> None:
    wall = Wall()
    with open_store(tmp_path / "a.db", "A", wall) as a:
        review, _ = shared_pair(a, taker, share)
        a.update(review, "review", review, title="Before the jump")
        wall.offset_ms = -3 * DAY_MS
        a.update(review, "review", review, title="After the jump")
        sync(a, review)
        sync(taker, review)
        assert taker.review(review).title == "After the jump"
        assert a.snapshot() == taker.snapshot()


# --- forks ---------------------------------------------------------------------------------


def backed_up_then_lost(
    lead: Store, taker: Store, share: Path, tmp_path: Path
) -> tuple[str, object, Path]:
    """The lead's laptop is backed up, then writes and syncs a note, then is lost.
    Returns the review, the conversation and the backup's path."""
    review, conversation = shared_pair(lead, taker, share)
    lead.close()
    backup = tmp_path / "backup.db"
    shutil.copy(tmp_path / "lead.db", backup)
    with open_store(tmp_path / "lead.db", "Lead") as old:
        old.add_note(old.conversation(conversation.id), "Written before the laptop was lost")
        sync(old, review)
    return review, conversation, backup


def test_a_laptop_restored_from_a_backup_forks_and_keeps_both(lead, taker, share, tmp_path):
    review, conversation, backup = backed_up_then_lost(lead, taker, share, tmp_path)
    with open_store(backup, "Lead") as restored:
        restored.add_note(restored.conversation(conversation.id), "Written after the restore")
        report = sync(restored, review)
        assert report.forked_to is not None and report.forked_to > 1
        assert sync(restored, review).pending == 0
        sync(taker, review)
        texts = {n.text for n in taker.notes(review=review)}
        assert {"Written before the laptop was lost", "Written after the restore"} <= texts
        assert restored.snapshot() == taker.snapshot()
        assert restored.check().ok, restored.check().problems


def published(share: Path, store: Store, review: str) -> list[str]:
    """Every op id in the share's segments, once per segment that carries it."""
    key = state.load_key(store, review) or b""
    ids: list[str] = []
    for path in segment_files(share):
        epoch, device = path.parent.name, path.parent.parent.name
        name = seg.parse_name(path.name)
        assert name is not None, path
        found = seg.decode(
            path.read_bytes(), key, review=review, device=device, epoch=int(epoch), name=name
        )
        ids += [op.id for op in found.ops]
    return ids


def test_a_fork_sends_only_what_never_reached_the_share(lead, taker, share, tmp_path):
    """After a restore, the ops the backup shares with the share stay where they were
    published; only the ops written since the restore go out, under the new epoch. Sending
    a published op again would give it two numberings on every other laptop."""
    review, conversation, backup = backed_up_then_lost(lead, taker, share, tmp_path)
    before = published(share, taker, review)
    with open_store(backup, "Lead") as restored:
        old_epoch = restored.epoch
        held_before = op_ids(restored)
        restored.add_note(restored.conversation(conversation.id), "Written after the restore")
        restored.add_note(restored.conversation(conversation.id), "And another")
        report = sync(restored, review)
        assert report.forked_to is not None
        sync(restored, review)
        after = published(share, taker, review)
        assert len(after) == len(set(after)), "an op was published twice"
        sent = set(after) - set(before)
        assert sent == op_ids(restored) - held_before - set(before)
        moved = {op.id for op in restored.ops() if op.epoch == report.forked_to}
        assert moved == sent  # only the new ops took the new numbering
        assert all(op.epoch == old_epoch for op in restored.ops() if op.id in held_before)


@pytest.mark.parametrize("record_lost", [False, True], ids=["recorded", "record-lost"])
def test_a_clone_that_published_first_sends_nothing_twice_when_it_forks(
    lead, taker, share, tmp_path, record_lost
):
    """Two clones publish under the same numbering before either sees the other's file
    (the file-sync engine is slow). The one that finds the other's segment later forks,
    but what it had already published stays published under its first numbering, even
    when its record of having sent it was lost (restored from a backup taken just before
    that sync)."""
    review, conversation = shared_pair(lead, taker, share)
    lead.conn.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copy(tmp_path / "lead.db", tmp_path / "clone.db")
    clone = open_store(tmp_path / "clone.db", "Lead", Wall(5_000))
    lead.add_note(conversation, "On the original")
    clone.add_note(clone.conversation(conversation.id), "On the clone")
    clone.add_note(clone.conversation(conversation.id), "On the clone, again")
    clone.conn.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copy(tmp_path / "clone.db", tmp_path / "clone-backup.db")
    before = set(segment_files(share))
    assert sync(lead, review).forked_to is None
    (lead_file,) = set(segment_files(share)) - before
    hidden = tmp_path / "not-yet-delivered"
    lead_file.rename(hidden)  # the clone's copy of the share has not received it
    assert sync(clone, review).forked_to is None
    clone_published = set(published(share, clone, review))
    if record_lost:
        clone.close()
        shutil.copy(tmp_path / "clone-backup.db", tmp_path / "clone.db")
        for suffix in ("-wal", "-shm"):
            Path(f"{tmp_path / 'clone.db'}{suffix}").unlink(missing_ok=True)
        clone = open_store(tmp_path / "clone.db", "Lead", Wall(6_000))
    with clone:
        hidden.rename(lead_file)  # delivered at last
        assert sync(clone, review).forked_to is not None
        for store in (clone, lead, taker, clone, lead, taker):
            sync(store, review)
        after = published(share, taker, review)
        assert len(after) == len(set(after)), "an op was published twice"
        assert clone_published <= set(after)
        everything = op_ids(lead) | op_ids(clone) | op_ids(taker)
        assert op_ids(taker) == everything
        assert lead.snapshot() == clone.snapshot() == taker.snapshot()


def test_restoring_twice_leaves_no_false_gap_in_the_laptops_numbering(lead, taker, share, tmp_path):
    """A second restore, from a backup taken before the first fork was published: the
    share holds an op under its forked numbering that this laptop holds under the old one.
    Every op is present, so `store check` must not report a gap."""
    review, conversation, first = backed_up_then_lost(lead, taker, share, tmp_path)
    with open_store(first, "Lead") as restored:
        restored.add_note(restored.conversation(conversation.id), "After the first restore")
    second = tmp_path / "second.db"
    shutil.copy(first, second)  # backed up before it ever synced again
    with open_store(first, "Lead") as restored:
        assert sync(restored, review).forked_to is not None
        restored.add_note(restored.conversation(conversation.id), "Later, in the new epoch")
        sync(restored, review)
    with open_store(second, "Lead") as again:
        assert sync(again, review).forked_to is not None
        sync(again, review)
        sync(taker, review)
        texts = {n.text for n in again.notes(review=review)}
        assert {"Written before the laptop was lost", "After the first restore"} <= texts
        assert "Later, in the new epoch" in texts
        assert again.snapshot() == taker.snapshot()
        assert again.check().ok, again.check().problems


def test_a_cloned_laptop_forks_and_nothing_is_overwritten(lead, taker, share, tmp_path):
    review, conversation = shared_pair(lead, taker, share)
    lead.conn.execute("PRAGMA wal_checkpoint(FULL)")  # a disk image holds the whole file
    shutil.copy(tmp_path / "lead.db", tmp_path / "clone.db")
    with open_store(tmp_path / "clone.db", "Lead", Wall(5_000)) as clone:
        assert clone.device == lead.device
        lead.add_note(conversation, "On the original")
        clone.add_note(clone.conversation(conversation.id), "On the clone")
        sync(lead, review)
        sync(clone, review)
        for store in (lead, clone, taker, lead, clone, taker, lead, clone, taker):
            sync(store, review)
        assert lead.epoch != clone.epoch
        everything = op_ids(lead) | op_ids(clone) | op_ids(taker)
        for store in (lead, clone, taker):
            assert op_ids(store) == everything
            assert {"On the original", "On the clone"} <= {
                n.text for n in store.notes(review=review)
            }
        assert lead.snapshot() == clone.snapshot() == taker.snapshot()


# --- keys, tampering, renaming, versions ------------------------------------------------


def test_a_wrong_passphrase_is_refused_and_records_nothing(lead, taker, share) -> None:
    review, _ = start_review(lead)
    share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
    with pytest.raises(WrongPassphrase):
        join_share(taker, share, "not the passphrase")
    assert state.shares(taker) == [] and taker.reviews() == []
    assert not state.key_path(taker, review).exists()


@pytest.mark.parametrize("where", ["header", "body", "appended"])
def test_a_tampered_segment_is_rejected_clearly(lead, taker, share, where) -> None:
    review, conversation = shared_pair(lead, taker, share)
    lead.add_note(conversation, "Will be tampered with")
    sync(lead, review)
    path = max(segment_files(share))
    data = bytearray(path.read_bytes())
    if where == "header":
        at = data.index(b'"count":') + 8
        data[at] = ord("7") if data[at] != ord("7") else ord("8")
    elif where == "body":
        data[-20] ^= 0x01
    else:
        data += b"\x00"
    path.write_bytes(bytes(data))
    before = taker.snapshot()
    report = sync(taker, review)
    assert report.pulled_ops == 0
    assert any("rejected" in p for p in report.problems)
    assert taker.snapshot() == before
    assert state.rejected_files(taker, review)
    later = sync(taker, review)  # not read again, but still mentioned
    assert not later.problems and later.rejected == 1
    assert any("refused in earlier syncs" in line for line in later.lines())


def test_a_segment_renamed_to_another_seq_or_device_is_rejected(lead, taker, share) -> None:
    review, conversation = shared_pair(lead, taker, share)
    lead.add_note(conversation, "Renamed")
    sync(lead, review)
    path = max(segment_files(share))
    path.rename(path.with_name(seg.segment_name(500, 500)))
    other = share / DEVICES / "someoneelse" / "1"
    other.mkdir(parents=True)
    shutil.copy(min(segment_files(share)), other / min(segment_files(share)).name)
    report = sync(taker, review)
    assert report.pulled_ops == 0
    assert sum("renamed or moved" in p for p in report.problems) == 2


def test_ops_of_a_newer_format_are_parked_not_dropped(lead, taker, share) -> None:
    review, _ = shared_pair(lead, taker, share)
    key = state.load_key(lead, review)
    future = Op(
        hlc="000000000000001.000000.future",
        device="future",
        epoch=1,
        seq=1,
        author="Someone upgraded",
        review=review,
        entity="whiteboard",
        entity_id="w1",
        action="set",
        fields={"strokes": 3},
        format=2,
    )
    folder = share / DEVICES / "future" / "1"
    folder.mkdir(parents=True)
    segment = seg.build(review, "future", 1, 1, 1, [future])
    (folder / seg.segment_name(1, 1)).write_bytes(seg.encode(segment, key))
    report = sync(taker, review)
    assert report.parked == 1 and not report.problems
    assert future.id in op_ids(taker)
    assert taker.check().parked == 1


def test_a_segment_of_a_newer_container_format_is_kept_for_later(lead, taker, share) -> None:
    review, conversation = shared_pair(lead, taker, share)
    lead.add_note(conversation, "From the future")
    sync(lead, review)
    path = max(segment_files(share))
    data = path.read_bytes()
    newer = data.replace(b'"v":1', b'"v":9', 1)
    path.write_bytes(newer)
    report = sync(taker, review)
    assert report.pulled_ops == 0 and any("upgrade" in p for p in report.problems)
    assert path.read_bytes() == newer  # left where it is
    assert not state.rejected_files(taker, review)  # and read again next time
    path.write_bytes(data)
    assert sync(taker, review).pulled_ops == 2


def test_the_sync_package_imports_no_ui() -> None:
    import subprocess
    import sys

    code = (
        "import facilitator.sync, facilitator.cli.sync_cmds, sys; print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_an_engine_built_directly_matches_the_recorded_share(lead, taker, share) -> None:
    review, _ = shared_pair(lead, taker, share)
    record = state.share(taker, review)
    assert record is not None and record.folder == share.absolute()
    engine = SyncEngine(taker, review, record.folder, state.load_key(taker, review) or b"")
    assert engine.sync().reachable
