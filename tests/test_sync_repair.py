"""Sync as a team meets it: notes saved while a push runs, a share that vanishes in the middle
of a sync, files a file-sync engine loses or garbles and delivers later, and hostile files
on the share. Each test names the defect it guards against; each fails on the code before
the fix (issue 11)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest

from facilitator.store import Store
from facilitator.sync import engine as engine_module
from facilitator.sync import engine_for, join_share, share_review, state
from facilitator.sync import segments as seg
from facilitator.sync.layout import DEVICES, REVIEW_FILE
from tests.sync_support import FAST_SCRYPT, PASS, shared_pair, start_review, texts


@pytest.fixture
def pair(tmp_path: Path):
    yield from shared_pair(tmp_path, "Visited the family on Tuesday")


def segment_files(share: Path) -> list[Path]:
    return sorted(p for p in (share / DEVICES).rglob("*.seg"))


def settle(lead: Store, taker: Store, review: str) -> None:
    for _ in range(2):
        assert engine_for(lead, review).sync().reachable
        assert engine_for(taker, review).sync().reachable


# --- 1. ops saved during a push ----------------------------------------------------------


class _HookedConnection:
    """The store's connection, with a hook run once right after a statement matching
    ``trigger`` has started: a write from elsewhere lands between two reads of a push."""

    def __init__(self, conn, trigger: str, hook) -> None:  # noqa: ANN001
        self._conn, self._trigger, self._hook = conn, trigger, hook

    def execute(self, sql: str, *args):  # noqa: ANN202
        cursor = self._conn.execute(sql, *args)
        if self._hook is not None and self._trigger in sql:
            hook, self._hook = self._hook, None
            hook()
        return cursor

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._conn, name)


def test_notes_saved_by_another_process_during_a_push_all_arrive(pair, tmp_path) -> None:
    """`note add` in a second process commits between the push's two reads: its ops must go
    in the next segment, not into one whose name does not cover them."""
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Before the push")

    def second_process_saves() -> None:
        with Store(lead.path, author="Lead") as other:
            for n in range(3):
                other.add_note(other.conversation(conversation.id), f"Saved meanwhile {n}")

    real = lead.conn
    lead.conn = _HookedConnection(real, "max(seq)", second_process_saves)
    try:
        engine_for(lead, review).sync()
    finally:
        lead.conn = real
    settle(lead, taker, review)
    assert texts(taker, review) == texts(lead, review)
    assert {f"Saved meanwhile {n}" for n in range(3)} <= texts(taker, review)
    for path in segment_files(share):  # every segment holds only what its name says
        parsed = seg.parse_name(path.name)
        device, epoch = path.parent.parent.name, int(path.parent.name)
        found = seg.decode(
            path.read_bytes(),
            state.load_key(taker, review),
            review=review,
            device=device,
            epoch=epoch,
            name=parsed,
        )
        assert found.overrun == 0, path.name


def test_notes_typed_while_the_sync_thread_pushes_all_arrive(pair) -> None:
    """The app's shape: the UI thread saves notes while the sync thread pushes."""
    lead, taker, share, review, conversation = pair
    engine = engine_for(lead, review)
    done = threading.Event()
    errors: list[BaseException] = []

    def sync_thread() -> None:
        try:
            while not done.is_set():
                engine.sync()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as a busy laptop's would
    thread = threading.Thread(target=sync_thread)
    thread.start()
    try:
        for n in range(300):
            lead.add_note(conversation, f"Typed note {n}")
    finally:
        done.set()
        thread.join()
        sys.setswitchinterval(switch)
    assert not errors
    settle(lead, taker, review)
    assert {f"Typed note {n}" for n in range(300)} <= texts(taker, review)
    assert not engine_for(taker, review).sync().problems


def test_one_laptop_sharing_two_reviews_numbers_each_share_on_its_own(tmp_path) -> None:
    lead = Store(tmp_path / "lead.db", author="Lead")
    taker = Store(tmp_path / "taker.db", author="Taker")
    reviews = []
    for name in ("one", "two"):
        review, conversation = start_review(lead)
        share_review(lead, review, tmp_path / name, PASS, scrypt_n=FAST_SCRYPT)
        reviews.append((review, conversation, tmp_path / name))
    for n in range(6):  # interleaved: each review's seqs have holes the other fills
        review, conversation, _ = reviews[n % 2]
        lead.add_note(conversation, f"Note {n} of {review[:4]}")
        engine_for(lead, review).sync()
    for review, _, folder in reviews:
        join_share(taker, folder, PASS)
        report = engine_for(taker, review).sync()
        assert not report.problems and not report.waiting
        assert not any("not arrived" in line or "not here" in line for line in report.lines())
        assert texts(taker, review) == texts(lead, review)


# --- 2. the share vanishes in the middle of a sync ----------------------------------------


def test_a_share_unmounted_mid_sync_keeps_the_ops_unsent(pair, tmp_path, monkeypatch) -> None:
    lead, taker, share, review, conversation = pair
    for n in range(5):
        lead.add_note(conversation, f"Written as the share went {n}")
    hidden = tmp_path / "unmounted"
    real_encode = engine_module.encode

    def unmount_then_encode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if not hidden.exists():
            share.rename(hidden)
            share.mkdir()  # the bare mount point stays behind
        return real_encode(*args, **kwargs)

    monkeypatch.setattr(engine_module, "encode", unmount_then_encode)
    report = engine_for(lead, review).sync()
    monkeypatch.undo()
    assert not report.reachable and report.pending > 0
    assert list(share.iterdir()) == []  # nothing written into the bare mount point
    share.rmdir()
    hidden.rename(share)  # mounted again
    settle(lead, taker, review)
    assert {f"Written as the share went {n}" for n in range(5)} <= texts(taker, review)


def test_a_share_whose_review_file_goes_after_the_write_marks_nothing_sent(
    pair, monkeypatch
) -> None:
    """review.json gone by the time the segment is written: the share is not this review's
    any more (replaced, or another mount), so the ops stay pending."""
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Sent while the share changed")
    real_write = engine_module.write_new_file
    saved = (share / REVIEW_FILE).read_bytes()

    def write_then_lose_review_file(path, data):  # noqa: ANN001, ANN202
        done = real_write(path, data)
        (share / REVIEW_FILE).unlink()
        return done

    monkeypatch.setattr(engine_module, "write_new_file", write_then_lose_review_file)
    report = engine_for(lead, review).sync()
    monkeypatch.undo()
    assert not report.reachable and report.pending == 2
    (share / REVIEW_FILE).write_bytes(saved)
    settle(lead, taker, review)
    assert "Sent while the share changed" in texts(taker, review)
    assert engine_for(lead, review).sync().pending == 0


# --- 3. repairs ----------------------------------------------------------------------------


def test_a_segment_lost_from_the_share_is_written_again(pair) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Will be lost by the file-sync engine")
    engine_for(lead, review).sync()
    newest = max(segment_files(share))
    newest.unlink()
    report = engine_for(lead, review).sync()
    assert report.repaired_segments == 1 and newest.exists()
    engine_for(taker, review).sync()
    assert "Will be lost by the file-sync engine" in texts(taker, review)


def test_a_refused_segment_is_read_again_once_the_good_bytes_arrive(pair) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Garbled on the way")
    engine_for(lead, review).sync()
    newest = max(segment_files(share))
    good = newest.read_bytes()
    bad = bytearray(good)
    bad[-5] ^= 0xFF
    newest.write_bytes(bytes(bad))
    first = engine_for(taker, review).sync()
    assert any("rejected" in p for p in first.problems)
    assert "Garbled on the way" not in texts(taker, review)
    newest.write_bytes(good)  # the file-sync engine delivers the good bytes
    os.utime(newest, ns=(1, 1_000_000_000))  # a different mtime even on a coarse clock
    again = engine_for(taker, review).sync()
    assert again.pulled_segments == 1 and not again.problems
    assert "Garbled on the way" in texts(taker, review)
    assert engine_for(taker, review).sync().rejected == 0


def test_an_unchanged_refused_segment_is_not_read_again(pair, monkeypatch) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Garbled for good")
    engine_for(lead, review).sync()
    newest = max(segment_files(share))
    newest.write_bytes(newest.read_bytes()[:-1] + b"\x00")
    engine = engine_for(taker, review)
    first = engine.sync()
    assert first.rejected == 1, first  # refused, not taken for a file still arriving
    monkeypatch.setattr(seg, "read_file", lambda *_: pytest.fail("read an unchanged file"))
    assert engine.sync().rejected == 1
    assert engine_for(taker, review).sync().rejected == 1  # a new process too


def test_a_recheck_reads_every_file_again(pair) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Checked twice")
    settle(lead, taker, review)
    report = engine_for(taker, review).sync(recheck=True)
    assert report.pulled_segments == len(segment_files(share)) and report.pulled_ops == 0


def test_a_cut_short_copy_of_a_segment_already_here_is_not_news(pair) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Copied twice")
    settle(lead, taker, review)
    newest = max(segment_files(share))
    copy = newest.with_name(newest.name.replace(".seg", " (Jordan's conflicted copy).seg"))
    copy.write_bytes(newest.read_bytes()[:40])
    for _ in range(2):
        report = engine_for(taker, review).sync()
        assert not report.waiting and not report.gaps and not report.problems


def test_a_segment_that_overruns_its_name_is_taken_in_and_blamed_on_its_writer(pair) -> None:
    """What an older facilitator wrote when notes were saved during its push: authentic
    ops beyond the name's range. Nothing in it is lost."""
    lead, taker, share, review, conversation = pair
    engine_for(lead, review).sync()
    lead.add_note(conversation, "Inside the range")
    lead.add_note(conversation, "Beyond the range")
    mark = state.marks(lead, review)[(lead.device, lead.epoch)]
    ops = sorted(
        lead.ops("WHERE device = ? AND seq > ?", (lead.device, mark)), key=lambda op: op.seq
    )
    last = ops[1].seq  # the name covers the first note's two ops only
    data = seg.encode(
        seg.build(review, lead.device, lead.epoch, mark + 1, last, ops),
        state.load_key(lead, review),
    )
    folder = share / DEVICES / lead.device / str(lead.epoch)
    (folder / seg.segment_name(mark + 1, last)).write_bytes(data)
    report = engine_for(taker, review).sync()
    assert any("older facilitator" in n for n in report.notes)
    assert not any("tamper" in p for p in report.problems)
    assert {"Inside the range", "Beyond the range"} <= texts(taker, review)


# --- gaps stay visible, and `sync` says when they last --------------------------------------


@dataclass
class Ran:
    exit_code: int
    output: str  # stdout and stderr


def _cli(store_path: Path, *args: str) -> Ran:
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store_path), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    return Ran(result.returncode, result.stdout + result.stderr)


def test_a_gap_stays_visible_until_it_closes_and_sync_fails_once_it_lasts(pair, tmp_path) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Held back by the file-sync engine")
    engine_for(lead, review).sync()
    lead.add_note(conversation, "Arrived first")
    engine_for(lead, review).sync()
    held = sorted(segment_files(share))[-2]
    aside = tmp_path / held.name
    held.rename(aside)
    taker.close()
    outputs = [_cli(tmp_path / "taker.db", "sync") for _ in range(engine_module.STUCK_ROUNDS)]
    for result in outputs:
        assert "announced on the share but not here yet" in result.output
    assert [r.exit_code for r in outputs] == [0] * (engine_module.STUCK_ROUNDS - 1) + [1]
    assert "have not arrived after" in outputs[-1].output
    aside.rename(held)
    closed = _cli(tmp_path / "taker.db", "sync")
    assert closed.exit_code == 0, closed.output
    assert "not here yet" not in closed.output
    with Store(tmp_path / "taker.db") as again:
        assert "Held back by the file-sync engine" in texts(again, review)


def test_the_recheck_flag_reads_everything(pair, tmp_path) -> None:
    lead, taker, share, review, conversation = pair
    taker.close()
    result = _cli(tmp_path / "taker.db", "sync", "--recheck")
    assert result.exit_code == 0, result.output
    assert f"Received 0 ops in {len(segment_files(share))} segments" in result.output


# --- 4. bounded reads -----------------------------------------------------------------------


def test_a_junk_segment_of_gigabytes_is_refused_without_reading_it(pair) -> None:
    lead, taker, share, review, conversation = pair
    folder = share / DEVICES / "intruder" / "1"
    folder.mkdir(parents=True)
    headed = folder / f"{1:012d}-{5:012d}.seg"
    real = seg.encode(seg.build(review, "intruder", 1, 1, 5, []), state.load_key(lead, review))
    with open(headed, "wb") as handle:  # a real header, then gigabytes (sparse)
        handle.write(real)
        handle.truncate(3 * 2**30)
    junk = folder / f"{6:012d}-{9:012d}.seg"
    with open(junk, "wb") as handle:
        handle.truncate(3 * 2**30)
    tracemalloc.start()
    try:
        report = engine_for(taker, review).sync()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
    assert sum("rejected" in p for p in report.problems) == 2


def test_a_segment_header_claiming_a_huge_body_is_refused(pair) -> None:
    lead, taker, share, review, conversation = pair
    folder = share / DEVICES / "intruder" / "1"
    folder.mkdir(parents=True)
    header = b'{"length":99999999999,"v":1}'
    (folder / f"{1:012d}-{1:012d}.seg").write_bytes(
        b"FSEG" + len(header).to_bytes(4, "big") + header
    )
    report = engine_for(taker, review).sync()
    assert any("rejected" in p and "body of" in p for p in report.problems)


def _sync_in_thread(store: Store, review: str):
    result: list = []
    thread = threading.Thread(target=lambda: result.append(engine_for(store, review).sync()))
    thread.daemon = True
    thread.start()
    thread.join(timeout=20)
    return thread, result


def test_a_fifo_named_review_json_does_not_hang_the_sync(pair) -> None:
    lead, taker, share, review, conversation = pair
    (share / REVIEW_FILE).unlink()
    os.mkfifo(share / REVIEW_FILE)
    thread, result = _sync_in_thread(taker, review)
    if thread.is_alive():  # release the old code's blocked open before failing
        with open(share / REVIEW_FILE, "wb"):
            pass
        thread.join(5)
        pytest.fail("the sync hung on a FIFO")
    report = result[0]
    assert not report.reachable
    assert any("not a regular file" in p for p in report.problems)


def test_a_review_json_pointing_at_dev_zero_is_refused(pair) -> None:
    lead, taker, share, review, conversation = pair
    (share / REVIEW_FILE).unlink()
    (share / REVIEW_FILE).symlink_to("/dev/zero")
    thread, result = _sync_in_thread(taker, review)
    assert not thread.is_alive() and result
    assert not result[0].reachable


def test_an_oversized_review_json_is_refused_without_reading_it(pair) -> None:
    lead, taker, share, review, conversation = pair
    with open(share / REVIEW_FILE, "wb") as handle:
        handle.truncate(2 * 2**30)
    report = engine_for(taker, review).sync()
    assert not report.reachable and any("too large" in p for p in report.problems)


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"n": 2**24}, "MiB"),
        ({"n": 3}, "power of two"),
        ({"r": 0}, "outside"),
        ({"p": 10**9}, "outside"),
        ({"salt": "AAAA"}, "salt"),
        ({"nonce": "AAAA"}, "damaged"),
    ],
)
def test_absurd_key_settings_in_review_json_get_one_clear_line(
    pair, tmp_path, change, expect
) -> None:
    import json

    lead, taker, share, review, conversation = pair
    info = json.loads((share / REVIEW_FILE).read_text())
    for key, value in change.items():
        if key == "nonce":
            info["wrapped_key"]["nonce"] = value
        else:
            info["kdf"][key] = value
    (share / REVIEW_FILE).write_text(json.dumps(info))
    (tmp_path / "pass").write_text(PASS)
    result = _cli(
        tmp_path / "fresh.db",
        "review",
        "join",
        str(share),
        "--passphrase-file",
        str(tmp_path / "pass"),
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expect in lines[0], result.output
    assert "unexpected" not in result.output


def test_new_shares_use_owasps_scrypt_cost_and_old_shares_still_open(tmp_path) -> None:
    import json

    with Store(tmp_path / "lead.db", author="Lead") as lead:
        review, conversation = start_review(lead)
        share_review(lead, review, tmp_path / "new", PASS)
        assert json.loads((tmp_path / "new" / REVIEW_FILE).read_text())["kdf"]["n"] == 2**17
        other, _ = start_review(lead)
        share_review(lead, other, tmp_path / "old", PASS, scrypt_n=2**14)
    with Store(tmp_path / "taker.db", author="Taker") as taker:
        assert join_share(taker, tmp_path / "old", PASS).reachable


# --- joining a large review shows progress ----------------------------------------------------


def test_joining_shows_progress(pair, tmp_path, monkeypatch) -> None:
    lead, taker, share, review, conversation = pair
    for n in range(4):
        lead.add_note(conversation, f"Progress {n}")
        engine_for(lead, review).sync()
    seen = []
    with Store(tmp_path / "third.db", author="Third") as third:
        join_share(third, share, PASS, progress=seen.append)
    total = len(segment_files(share))
    assert [p.segments_read for p in seen] == list(range(1, total + 1))
    assert all(p.segments_total == total for p in seen)
    assert seen[-1].ops_read == len(lead.ops())


def test_a_share_unmounted_just_after_the_check_before_a_write_gets_nothing(
    pair, tmp_path, monkeypatch
) -> None:
    """The narrowest window: review.json read and accepted, then the share goes. Nothing
    may appear in the bare mount point, and nothing is marked as sent."""
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Between the check and the write")
    hidden = tmp_path / "unmounted"
    real = engine_module.read_share_info
    calls = []

    def check_then_unmount(folder):  # noqa: ANN001, ANN202
        info = real(folder)
        calls.append(folder)
        if len(calls) == 2:  # the check just before the first write
            share.rename(hidden)
            share.mkdir()
        return info

    monkeypatch.setattr(engine_module, "read_share_info", check_then_unmount)
    report = engine_for(lead, review).sync()
    monkeypatch.undo()
    assert not report.reachable and report.pending == 2
    assert list(share.iterdir()) == []
    share.rmdir()
    hidden.rename(share)
    settle(lead, taker, review)
    assert "Between the check and the write" in texts(taker, review)


def test_our_own_segment_garbled_on_the_share_gets_a_repaired_copy(pair) -> None:
    """A file-sync engine garbles the writer's own copy (and would spread it): the writer
    puts a good copy beside it, and the other laptop reads that."""
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Garbled at its source")
    engine_for(lead, review).sync()
    newest = max(segment_files(share))
    bad = bytearray(newest.read_bytes())
    bad[-3] ^= 0x10
    newest.write_bytes(bytes(bad))
    report = engine_for(lead, review).sync(recheck=True)
    assert report.repaired_segments == 1
    assert any(p.name.endswith("-repaired.seg") for p in segment_files(share))
    later = engine_for(taker, review).sync()
    assert "Garbled at its source" in texts(taker, review)
    assert engine_for(lead, review).sync().repaired_segments == 0  # once is enough
    assert any("rejected" in p for p in later.problems)  # the damaged file is still named


def test_a_pull_leaves_the_cyclic_collector_as_it_found_it(pair, monkeypatch) -> None:
    """The pull pauses Python's collector (tens of thousands of ops live until it ends);
    it is running again afterwards, also when reading a file fails midway."""
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Read with the collector paused")
    engine_for(lead, review).sync()
    seen: list[bool] = []
    decode = seg.decode

    def watched(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(gc.isenabled())
        return decode(*args, **kwargs)

    monkeypatch.setattr(seg, "decode", watched)
    assert gc.isenabled()
    engine_for(taker, review).sync()
    assert seen and not any(seen) and gc.isenabled()

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(5, "Input/output error")

    lead.add_note(conversation, "A read that fails")
    engine_for(lead, review).sync()
    monkeypatch.setattr(seg, "decode", broken)
    engine_for(taker, review).sync()
    assert gc.isenabled()


def test_a_gap_on_a_laptop_with_no_reviewer_name_is_named_by_its_device() -> None:
    from facilitator.sync.state import Gap

    # "'s laptop (a4426f7c7471 ...)" when that laptop's reviewer gave no name.
    for who in ("", "a4426f7c7471"):
        said = Gap("a4426f7c7471", 1, 5, 6, 3, who).text()
        assert said.startswith("laptop a4426f7c7471 (epoch 1): ops 5–6 are announced"), said
    assert (
        Gap("a4426f7c7471", 1, 5, 5, 1, "Sam")
        .text()
        .startswith("Sam's laptop (a4426f7c7471, epoch 1): op 5 is announced")
    )
