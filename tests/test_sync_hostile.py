"""What a hostile tester found in the shared folder (issue 11's review), each as a test that
failed before the fix: odd names and folders, links, damage to a laptop's own files, junk
in bulk, and messages that said the wrong thing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from facilitator.store import Store
from facilitator.sync import engine as engine_module
from facilitator.sync import engine_for
from facilitator.sync.layout import DEVICES, REVIEW_FILE
from tests.cli_support import run_cli
from tests.sync_support import PASS, shared_pair, texts


@pytest.fixture
def pair(tmp_path: Path):
    yield from shared_pair(tmp_path)


def own_segments(store: Store, share: Path) -> list[Path]:
    return sorted((share / DEVICES / store.device).rglob("*.seg"))


def test_a_file_name_that_is_not_utf8_is_skipped_not_fatal(pair) -> None:
    lead, taker, share, review, conversation = pair
    folder = os.fsencode(share / DEVICES / "other" / "1")
    os.makedirs(folder)
    with open(folder + b"/000000000001-000000000001 (copy \xff).seg", "wb") as handle:
        handle.write(b"junk")
    os.makedirs(os.fsencode(share / DEVICES) + b"/dev\xfe/1")
    lead.add_note(conversation, "Sent past the odd names")
    report = engine_for(lead, review).sync()
    assert report.reachable and report.pushed_ops == 2
    engine_for(taker, review).sync()
    assert "Sent past the odd names" in texts(taker, review)


@pytest.mark.parametrize("odd", ["²", "01", "١", "0000001"])
def test_only_plain_numbers_are_epoch_folders(pair, odd) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Not hidden by a look-alike folder")
    engine_for(lead, review).sync()
    (share / DEVICES / lead.device / odd).mkdir()
    report = engine_for(taker, review).sync()
    assert report.reachable and not report.problems
    assert "Not hidden by a look-alike folder" in texts(taker, review)


def test_a_folder_that_cannot_be_listed_does_not_stop_the_others(pair) -> None:
    lead, taker, share, review, conversation = pair
    (share / DEVICES / "loop").symlink_to("loop")
    lead.add_note(conversation, "Still sent")
    report = engine_for(lead, review).sync()
    assert report.pushed_ops == 2
    assert any("cannot be listed" in p for p in report.problems)
    engine_for(taker, review).sync()
    assert "Still sent" in texts(taker, review)


def test_nothing_is_written_through_a_link_in_the_share(pair, tmp_path) -> None:
    """Written through a link, a segment may land on this laptop's own disk: marked as
    sent, it would never reach anyone."""
    lead, taker, share, review, conversation = pair
    elsewhere = tmp_path / "local-disk"
    (share / DEVICES / lead.device).rename(elsewhere)
    (share / DEVICES / lead.device).symlink_to(elsewhere)
    lead.add_note(conversation, "Must not be marked as sent")
    report = engine_for(lead, review).sync()
    assert report.pending == 2 and any("link" in p for p in report.problems)


def test_our_own_segment_cut_short_on_the_share_is_repaired(pair) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Cut short at its source")
    engine_for(lead, review).sync()
    newest = own_segments(lead, share)[-1]
    os.truncate(newest, 100)
    report = engine_for(lead, review).sync()  # a new engine looks at sizes at once
    assert report.repaired_segments == 1
    engine_for(taker, review).sync()
    assert "Cut short at its source" in texts(taker, review)


def test_a_refused_file_put_back_with_its_old_size_and_time_is_read_again(pair) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Restored with cp -p")
    engine_for(lead, review).sync()
    newest = own_segments(lead, share)[-1]
    good = newest.read_bytes()
    times = os.stat(newest)
    bad = bytearray(good)
    bad[-2] ^= 0x01
    newest.write_bytes(bytes(bad))
    os.utime(newest, ns=(times.st_atime_ns, times.st_mtime_ns))
    engine = engine_for(taker, review)
    assert engine.sync().problems
    newest.write_bytes(good)
    os.utime(newest, ns=(times.st_atime_ns, times.st_mtime_ns))  # same size, same mtime
    assert engine.sync().pulled_segments == 1
    assert "Restored with cp -p" in texts(taker, review)


def test_refused_files_that_are_gone_are_not_counted(pair) -> None:
    lead, taker, share, review, conversation = pair
    junk = share / DEVICES / "intruder" / "1"
    junk.mkdir(parents=True)
    for n in range(3):
        (junk / f"{n + 1:012d}-{n + 1:012d}.seg").write_bytes(b"FSEG" + b"\x00" * 40)
    engine = engine_for(taker, review)
    assert engine.sync().rejected == 3
    shutil.rmtree(junk)
    report = engine.sync()
    assert report.rejected == 0
    assert not any("refused in earlier syncs" in line for line in report.lines())


def test_junk_announces_no_gap(pair) -> None:
    """A junk copy naming an absurd range, or a copied device folder, are no news of
    missing notes: `sync` must not fail for ever because of them."""
    lead, taker, share, review, conversation = pair
    engine_for(lead, review).sync()
    folder = share / DEVICES / lead.device / str(lead.epoch)
    (folder / f"{1:012d}-{999999999999:012d} (Jordan's conflicted copy).seg").write_bytes(b"junk")
    shutil.copytree(share / DEVICES / lead.device, share / DEVICES / f"{lead.device} (1)")
    for _ in range(engine_module.STUCK_ROUNDS + 1):
        report = engine_for(taker, review).sync()
    assert not report.gaps and not report.stuck


def test_thousands_of_junk_files_cost_one_line_and_are_not_reread(pair, monkeypatch) -> None:
    lead, taker, share, review, conversation = pair
    junk = share / DEVICES / "junk" / "1"
    junk.mkdir(parents=True)
    for n in range(1, 1001):
        (junk / f"{n:012d}-{n:012d}.seg").write_bytes(b"FS")
    engine = engine_for(taker, review)
    first = engine.sync()
    assert len(first.lines()) < 10
    reads = []
    real = engine_module.segments.read_file
    monkeypatch.setattr(engine_module.segments, "read_file", lambda p: reads.append(p) or real(p))
    engine.sync()
    assert reads == []  # unchanged, and looked at again only every few seconds


def test_a_sync_that_received_and_then_lost_the_share_says_so(pair, monkeypatch) -> None:
    lead, taker, share, review, conversation = pair
    lead.add_note(conversation, "Received before the share went")
    engine_for(lead, review).sync()
    taker.add_note(taker.conversation(conversation.id), "Waiting to go")

    def share_gone(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine_module, "write_new_file", share_gone)
    report = engine_for(taker, review).sync()
    lines = "\n".join(report.lines())
    assert "Received 2 ops" in lines and "nothing was changed" not in lines


def test_the_app_sync_thread_lives_on_after_an_unexpected_error(pair, monkeypatch) -> None:
    from facilitator.method import load_method
    from facilitator.service import Service
    from facilitator.tui.app import FacilitatorApp

    lead, taker, share, review, conversation = pair
    app = FacilitatorApp(Service(taker, load_method()), conversation=conversation.id, role="notes")

    def broken(self, **_kwargs):  # noqa: ANN001, ANN202
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine_module.SyncEngine, "sync", broken)
    status, reports = app.sync_worker.round()
    assert not status.reachable and any("sync failed" in p for p in status.problems)


@pytest.mark.parametrize("value", [2.5, "16384", True])
def test_key_settings_must_be_whole_numbers(pair, tmp_path, value) -> None:
    lead, taker, share, review, conversation = pair
    info = json.loads((share / REVIEW_FILE).read_text())
    info["kdf"]["n"] = value
    (share / REVIEW_FILE).write_text(json.dumps(info))
    (tmp_path / "pass").write_text(PASS)
    result = run_cli(
        tmp_path / "new.db",
        "review",
        "join",
        str(share),
        "--passphrase-file",
        str(tmp_path / "pass"),
    )
    assert result.returncode == 1 and "damaged" in result.stderr
    assert "wrong passphrase" not in result.stderr


def test_a_passphrase_file_that_never_ends_is_refused(pair, tmp_path) -> None:
    lead, taker, share, review, conversation = pair
    result = run_cli(
        tmp_path / "new.db", "review", "join", str(share), "--passphrase-file", "/dev/zero"
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
