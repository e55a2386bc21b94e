"""The shared folder on disk, on a real folder: review.json, devices/, new files only.

What users rely on: a segment once written is never replaced or deleted, a folder that is
not (or no longer) the review's share gets nothing written into it, a damaged or hostile
review.json gives one clear line, and reading the share never trips on what file-sync
engines and other programs leave in it. Written while killing mutants of
facilitator/sync/layout.py (TESTING.md).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from facilitator.sync import layout
from facilitator.sync.crypto import KdfParams
from facilitator.sync.layout import (
    ShareInfo,
    ShareProblem,
    ShareTooNew,
    device_folder,
    ensure_devices_root,
    list_segments,
    make_device_folder,
    make_devices_root,
    read_share_info,
    remove_stale_temps,
    write_new_file,
)

INFO = ShareInfo(
    review="rev-1",
    kdf=KdfParams(salt=bytes(range(16)), n=2**15, r=8, p=1),
    wrap_nonce=bytes(12),
    wrapped_key=bytes(range(48)),
    key_id="0123456789abcdef",
)


def shared(tmp_path: Path, text: str | None = None) -> Path:
    folder = tmp_path / "share"
    folder.mkdir(parents=True)
    (folder / "review.json").write_text(INFO.to_json() if text is None else text)
    return folder


def test_review_json_reads_back_as_written(tmp_path: Path) -> None:
    folder = shared(tmp_path)
    assert read_share_info(folder) == INFO
    data = json.loads((folder / "review.json").read_text())
    assert data["format"] == 1 and data["kind"] == "facilitator shared review"
    assert data["kdf"] == {
        "name": "scrypt",
        "salt": "AAECAwQFBgcICQoLDA0ODw==",
        "n": 2**15,
        "r": 8,
        "p": 1,
    }
    assert data["wrapped_key"]["nonce"] == "AAAAAAAAAAAAAAAA"


def edited(change) -> str:  # noqa: ANN001
    data = json.loads(INFO.to_json())
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{", "review.json in the shared folder is damaged"),
        ("[]", "review.json in the shared folder is damaged"),
        (edited(lambda d: d.pop("review")), "review.json in the shared folder is damaged"),
        (edited(lambda d: d["kdf"].update(salt="not base64!")), "is damaged"),
        (
            edited(lambda d: d["wrapped_key"].update(nonce="AAAA")),
            "the wrapped key has the wrong size",
        ),
        (
            edited(lambda d: d["wrapped_key"].update(data="AAAA")),
            "the wrapped key has the wrong size",
        ),
        (edited(lambda d: d["kdf"].update(n=2**30)), "asks for unsafe key settings"),
        (edited(lambda d: d["kdf"].update(p=0)), "asks for unsafe key settings"),
        (edited(lambda d: d["kdf"].update(r=0)), "nothing was derived"),
    ],
)
def test_a_damaged_or_hostile_review_json_gives_one_clear_line(tmp_path, text, says) -> None:
    with pytest.raises(ShareProblem) as caught:
        read_share_info(shared(tmp_path, text))
    message = str(caught.value)
    assert says in message and "\n" not in message


def test_a_share_from_a_newer_facilitator_asks_for_an_upgrade(tmp_path: Path) -> None:
    with pytest.raises(ShareTooNew, match="set up by a newer facilitator; please upgrade"):
        read_share_info(shared(tmp_path, edited(lambda d: d.update(format=2))))
    # The current format, and a file from before "format" was written, still read.
    assert read_share_info(shared(tmp_path / "a", edited(lambda d: d.update(format=1)))) == INFO
    assert read_share_info(shared(tmp_path / "b", edited(lambda d: d.pop("format")))) == INFO


def test_a_folder_that_is_not_a_share_is_reported_plainly(tmp_path: Path) -> None:
    with pytest.raises(ShareProblem, match="is not reachable"):
        read_share_info(tmp_path / "unmounted")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ShareProblem, match="is not a folder"):
        read_share_info(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ShareProblem, match="has no review.json"):
        read_share_info(tmp_path / "empty")
    big = shared(tmp_path, " " * (layout.MAX_REVIEW_FILE + 1))
    with pytest.raises(ShareProblem, match="far too large"):
        read_share_info(big)


def test_a_review_json_that_is_not_text_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "review.json").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ShareProblem, match="not text"):
        read_share_info(folder)


def test_a_review_json_of_exactly_the_size_limit_is_read(tmp_path: Path) -> None:
    text = INFO.to_json()
    folder = shared(tmp_path, text + " " * (layout.MAX_REVIEW_FILE - len(text)))
    assert read_share_info(folder) == INFO


def test_devices_is_made_only_in_a_share_whose_review_json_is_accepted(tmp_path: Path) -> None:
    folder = shared(tmp_path)
    seen: list[ShareInfo] = []
    ensure_devices_root(folder, seen.append)
    assert (folder / "devices").is_dir() and seen == [INFO]
    ensure_devices_root(folder, seen.append)  # already there: nothing read again
    assert seen == [INFO]

    other = shared(tmp_path / "other")

    def refuse(info: ShareInfo) -> None:
        raise ShareProblem("not this review's share")

    with pytest.raises(ShareProblem):
        ensure_devices_root(other, refuse)
    assert not (other / "devices").exists()
    with pytest.raises(ShareProblem, match="shared folder"):
        ensure_devices_root(tmp_path / "gone", seen.append)
    assert not (tmp_path / "gone").exists()


def test_a_device_folder_is_made_only_under_an_existing_devices(tmp_path: Path) -> None:
    folder = shared(tmp_path)
    with pytest.raises(ShareProblem, match="has no devices/ folder"):
        make_device_folder(folder, "dev-a", 1)
    assert not (folder / "devices").exists()
    make_devices_root(folder)
    made = make_device_folder(folder, "dev-a", 2)
    assert made == device_folder(folder, "dev-a", 2) == folder / "devices" / "dev-a" / "2"
    assert made.is_dir()
    assert make_device_folder(folder, "dev-a", 2) == made  # again: fine
    (folder / "devices" / "dev-b").write_text("a file where a folder should be")
    with pytest.raises(ShareProblem, match="dev-b is not a folder"):
        make_device_folder(folder, "dev-b", 1)


def test_a_new_file_is_written_whole_and_never_replaces_one(tmp_path: Path) -> None:
    path = tmp_path / "000000000001-000000000002.seg"
    assert write_new_file(path, b"first") is True
    assert path.read_bytes() == b"first"
    assert write_new_file(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert sorted(os.listdir(tmp_path)) == [path.name]  # no temp file left behind


def test_on_a_share_without_hard_links_a_file_is_still_written_once(tmp_path, monkeypatch):
    def no_links(*_args: object) -> None:
        raise PermissionError("operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "seg"
    assert write_new_file(path, b"first") is True
    assert write_new_file(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["seg"]


def test_a_write_that_does_not_land_whole_is_an_error_not_a_success(tmp_path, monkeypatch):
    real_stat = os.stat

    def short_stat(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        result = real_stat(path, *args, **kwargs)
        if str(path).endswith("seg"):
            return os.stat_result((result.st_mode, 0, 0, 1, 0, 0, 3, 0, 0, 0))
        return result

    monkeypatch.setattr(os, "stat", short_stat)
    with pytest.raises(OSError, match="holds 3 of 5 bytes after writing"):
        write_new_file(tmp_path / "seg", b"abcde")


def test_only_our_own_old_temp_files_are_cleared(tmp_path: Path) -> None:
    old = time.time() - layout.STALE_TEMP_S - 60
    names = {
        ".tmp-1-2-seg": old,  # ours, from a crash an hour ago
        ".tmp-3-4-seg": time.time(),  # ours, maybe still being written
        "000000000001-000000000001.seg": old,  # a segment: never touched
        ".other": old,
    }
    for name, mtime in names.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (mtime, mtime))
    remove_stale_temps(tmp_path)
    assert sorted(os.listdir(tmp_path)) == sorted(set(names) - {".tmp-1-2-seg"})
    remove_stale_temps(tmp_path / "missing")  # a folder gone: nothing to do, no error


def test_listing_the_share_skips_what_is_not_a_device_epoch_folder(tmp_path: Path) -> None:
    folder = shared(tmp_path)
    assert list_segments(folder) == {}  # no devices/ yet
    make_devices_root(folder)
    for device, epoch in [("dev-a", 1), ("dev-a", 3), ("dev-b", 1)]:
        make_device_folder(folder, device, epoch)
    (device_folder(folder, "dev-a", 1) / "000000000001-000000000001.seg").write_bytes(b"x")
    (folder / "devices" / ".DS_Store").write_text("x")  # left by a Mac
    (folder / "devices" / ".hidden").mkdir()
    (folder / "devices" / ".hidden" / "1").mkdir()
    (folder / "devices" / "stray-file").write_text("x")
    (folder / "devices" / "dev-a" / "notes").mkdir()  # not an epoch
    (folder / "devices" / "dev-b" / "2").write_text("a file, not a folder")
    assert list_segments(folder) == {
        ("dev-a", 1): ["000000000001-000000000001.seg"],
        ("dev-a", 3): [],
        ("dev-b", 1): [],
    }


def test_the_messages_for_an_unusable_share_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ShareProblem) as caught:
        read_share_info(tmp_path / "empty")
    assert str(caught.value) == (
        f"shared folder {tmp_path / 'empty'} has no review.json (empty, not yet synced, "
        "or not mounted); nothing was changed. If the folder is lost for good, "
        "'facilitator review share REVIEW DIR' publishes the review again"
    )
    odd = tmp_path / "odd"
    (odd / "review.json").mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(ShareProblem) as caught:
        read_share_info(odd)
    assert str(caught.value) == f"cannot read {odd / 'review.json'}: not a regular file"
    with pytest.raises(ShareTooNew) as caught:
        read_share_info(shared(tmp_path / "new", edited(lambda d: d.update(format=2))))
    assert str(caught.value) == (
        "this shared folder was set up by a newer facilitator; please upgrade"
    )
    with pytest.raises(ShareProblem) as caught:
        read_share_info(shared(tmp_path / "r", edited(lambda d: d["kdf"].update(r=0))))
    assert str(caught.value) == (
        "review.json in the shared folder asks for unsafe key settings (scrypt r=0, p=1 are "
        "outside the usable range); nothing was derived"
    )
    with pytest.raises(ShareProblem) as caught:
        read_share_info(
            shared(tmp_path / "w", edited(lambda d: d["wrapped_key"].update(nonce="AAAA")))
        )
    assert str(caught.value) == (
        "review.json in the shared folder is damaged (the wrapped key has the wrong size)"
    )


def test_a_garbled_salt_is_damage_not_a_wrong_passphrase(tmp_path: Path) -> None:
    # Read leniently, "AAEC!AwQF..." would give another salt, so the right passphrase would
    # be reported as wrong. It must be refused as damaged instead.
    salt = json.loads(INFO.to_json())["kdf"]["salt"]
    garbled = salt[:4] + "!" + salt[4:]
    with pytest.raises(ShareProblem, match="is damaged"):
        read_share_info(shared(tmp_path, edited(lambda d: d["kdf"].update(salt=garbled))))


def test_a_share_path_that_is_a_file_is_reported_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "share"
    path.write_text("not a folder")
    with pytest.raises(ShareProblem) as caught:
        ensure_devices_root(path, lambda info: None)
    assert str(caught.value) == f"shared folder {path}: Not a directory"
    assert path.read_text() == "not a folder"


def test_devices_made_meanwhile_by_another_process_is_fine(tmp_path: Path) -> None:
    folder = shared(tmp_path)

    def another_process_makes_it(info: ShareInfo) -> None:
        (folder / "devices").mkdir()

    ensure_devices_root(folder, another_process_makes_it)
    assert (folder / "devices").is_dir()


def test_devices_is_made_in_the_folder_whose_review_json_was_read(tmp_path, monkeypatch):
    # The share is swapped for another folder between opening it and reading review.json
    # (an unmount and a remount of another share): the check must read the folder that
    # will be written to, and refuse it, rather than read the newcomer and write to the old.
    wrong = shared(tmp_path / "wrong", INFO.to_json().replace('"rev-1"', '"rev-other"'))
    right = shared(tmp_path / "right")
    mount = tmp_path / "mount"
    wrong.rename(mount)
    real_open = os.open

    def open_then_swap(path, flags, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        fd = real_open(path, flags, *args, **kwargs)
        if Path(path) == mount:
            mount.rename(tmp_path / "wrong-moved")
            right.rename(mount)
        return fd

    def expect_rev_1(info: ShareInfo) -> None:
        if info.review != "rev-1":
            raise ShareProblem("another review's share")

    monkeypatch.setattr(os, "open", open_then_swap)
    with pytest.raises(ShareProblem, match="another review's share"):
        ensure_devices_root(mount, expect_rev_1)
    assert not (tmp_path / "wrong-moved" / "devices").exists()
    assert not (mount / "devices").exists()


def test_a_device_folder_blocked_by_a_file_says_so(tmp_path: Path) -> None:
    folder = shared(tmp_path)
    make_devices_root(folder)
    (folder / "devices" / "dev-b").write_text("x")
    with pytest.raises(ShareProblem, match="dev-b is not a folder; nothing is written there"):
        make_device_folder(folder, "dev-b", 1)


def test_a_segment_written_to_the_share_is_data_never_executable(tmp_path: Path) -> None:
    import stat

    path = tmp_path / "seg"
    write_new_file(path, b"sealed bytes")
    assert stat.S_IMODE(path.stat().st_mode) & 0o111 == 0
