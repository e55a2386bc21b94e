"""The shared folder on disk: ``review.json`` and ``devices/<device>/<epoch>/``.

Only the owning device writes in its own folder, and only new names: write a temp file,
fsync, then link it to its final name (which fails rather than replace). Nothing here
ever deletes or rewrites a segment. Reading never trusts that the folder is there: an
unmounted share, an empty mount point or an unreadable file are reported, not acted on.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from facilitator.files import FileTooLarge, read_bounded
from facilitator.sync.crypto import KEY_BYTES, NONCE_BYTES, KdfParams, UnsafeKdf, check_kdf

REVIEW_FILE = "review.json"
# review.json is a few hundred bytes; anything much larger is not ours.
MAX_REVIEW_FILE = 64 * 1024
DEVICES = "devices"
SHARE_FORMAT = 1
TEMP_PREFIX = ".tmp-"
STALE_TEMP_S = 3600


class ShareProblem(Exception):
    """The shared folder cannot be used right now (unmounted, empty, unreadable)."""


class ShareTooNew(ShareProblem):
    """review.json was written by a newer facilitator."""


@dataclass(frozen=True)
class ShareInfo:
    review: str
    kdf: KdfParams
    wrap_nonce: bytes
    wrapped_key: bytes
    key_id: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": SHARE_FORMAT,
                "kind": "facilitator shared review",
                "review": self.review,
                "kdf": {
                    "name": "scrypt",
                    "salt": _b64(self.kdf.salt),
                    "n": self.kdf.n,
                    "r": self.kdf.r,
                    "p": self.kdf.p,
                },
                "wrapped_key": {"nonce": _b64(self.wrap_nonce), "data": _b64(self.wrapped_key)},
                "key_id": self.key_id,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> ShareInfo:
        try:
            data = json.loads(text)
            if int(data.get("format", 0)) > SHARE_FORMAT:
                raise ShareTooNew(
                    "this shared folder was set up by a newer facilitator; please upgrade"
                )
            kdf = data["kdf"]
            for setting in ("n", "r", "p"):  # 2.5 or "16" must not pass as 2 or 16
                if type(kdf[setting]) is not int:
                    raise ValueError(f"scrypt {setting} must be a whole number")
            info = cls(
                review=str(data["review"]),
                kdf=KdfParams(
                    salt=_unb64(kdf["salt"]), n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])
                ),
                wrap_nonce=_unb64(data["wrapped_key"]["nonce"]),
                wrapped_key=_unb64(data["wrapped_key"]["data"]),
                key_id=str(data["key_id"]),
            )
            check_kdf(info.kdf)
            if len(info.wrap_nonce) != NONCE_BYTES or len(info.wrapped_key) != KEY_BYTES + 16:
                raise ValueError("the wrapped key has the wrong size")
            return info
        except ShareTooNew:
            raise
        except UnsafeKdf as exc:
            raise ShareProblem(
                f"{REVIEW_FILE} in the shared folder asks for unsafe key settings ({exc}); "
                "nothing was derived"
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ShareProblem(f"{REVIEW_FILE} in the shared folder is damaged ({exc})") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def read_share_info(folder: Path) -> ShareInfo:
    """review.json, or ShareProblem saying plainly why the folder cannot be used now."""
    if not folder.exists():
        raise ShareProblem(f"shared folder {folder} is not reachable (unmounted or offline?)")
    if not folder.is_dir():
        raise ShareProblem(f"{folder} is not a folder")
    return _read_info(folder)


def _read_info(folder: Path, *, dir_fd: int | None = None) -> ShareInfo:
    path = folder / REVIEW_FILE
    try:
        data = read_bounded(
            REVIEW_FILE if dir_fd is not None else path, MAX_REVIEW_FILE, dir_fd=dir_fd
        )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ShareProblem(
            f"shared folder {folder} has no {REVIEW_FILE} (empty, not yet synced, "
            "or not mounted); nothing was changed. If the folder is lost for good, "
            "'facilitator review share REVIEW DIR' publishes the review again"
        ) from None
    except FileTooLarge:
        raise ShareProblem(f"{path} is far too large to be a shared review's file") from None
    except OSError as exc:
        raise ShareProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ShareProblem(f"{path} is not a shared review's file (not text)") from None
    return ShareInfo.from_json(text)


def ensure_devices_root(folder: Path, expect: Callable[[ShareInfo], None]) -> None:
    """Make ``devices/`` if the share lacks it, in the very folder whose review.json
    ``expect`` accepted.

    Both go through one descriptor of the share's root: if the share is unmounted between
    the check and the mkdir, the folder is made in the share (or not at all), never in
    the bare mount point left behind.
    """
    if (folder / DEVICES).is_dir():
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise ShareProblem(f"shared folder {folder}: {exc.strerror or exc}") from None
    try:
        expect(_read_info(folder, dir_fd=fd))
        with contextlib.suppress(FileExistsError):
            os.mkdir(DEVICES, dir_fd=fd)
    finally:
        os.close(fd)


def make_device_folder(folder: Path, device: str, epoch: int) -> Path:
    """``devices/<device>/<epoch>/``, under a ``devices/`` folder that must already exist.

    Never creates ``devices/`` or anything above it (:func:`ensure_devices_root` does, in
    the checked share): on a share unmounted a moment ago the bare mount point has no
    ``devices/``, so the write fails there instead of filling the mount point with
    segments nobody would ever see.
    """
    root = folder / DEVICES
    if not root.is_dir():
        raise ShareProblem(f"{folder} has no {DEVICES}/ folder (unmounted a moment ago?)")
    target = root
    for part in ("", device, str(epoch)):
        if part:
            target = target / part
            with contextlib.suppress(FileExistsError):
                target.mkdir()
        found = os.lstat(target)
        if stat.S_ISLNK(found.st_mode):
            # What is written through a link may land anywhere (this laptop's own disk):
            # it would be marked as sent and never reach anyone.
            raise ShareProblem(f"{target} is a link to another place; nothing is written there")
        if not stat.S_ISDIR(found.st_mode):
            raise ShareProblem(f"{target} is not a folder; nothing is written there")
    return target


def make_devices_root(folder: Path) -> None:
    """The ``devices/`` folder of a share whose review.json was just read or written."""
    (folder / DEVICES).mkdir(exist_ok=True)


def write_new_file(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` durably; False (and nothing written) if it exists.

    The folder must exist: this never creates one.
    """
    temp = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{time.monotonic_ns()}-{path.name}"
    # 0644, unlike our 0600 local files: the share is the team's, read by a sync client
    # or another account; every segment is encrypted, so the key, not the mode, guards it.
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # atomic and never replaces an existing name
        except FileExistsError:
            return False
        except OSError:
            # Some shares (FAT sticks, a few SMB servers) have no hard links.
            if path.exists():
                return False
            os.rename(temp, path)
        _fsync_dir(path.parent)
        written = os.stat(path)  # still there, at full length, after the folder's fsync
        if written.st_size != len(data):
            raise OSError(f"{path} holds {written.st_size} of {len(data)} bytes after writing")
        return True
    finally:
        if temp.exists():
            temp.unlink()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temps(folder: Path) -> None:
    """Our own half-written temp files from a crash (never segments)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    cutoff = time.time() - STALE_TEMP_S
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX):
            try:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass


def device_folder(folder: Path, device: str, epoch: int) -> Path:
    return folder / DEVICES / device / str(epoch)


def _usable_name(name: str) -> bool:
    """A name this program could have written or can record: valid UTF-8, not hidden.
    (A name with bytes that are not UTF-8, from an old Samba server or a FAT stick, comes
    back with surrogates: it is not ours and cannot be stored.)"""
    if name.startswith("."):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _epoch_number(name: str) -> int | None:
    """Epoch folders are written as plain ASCII numbers: '²', '01' or '١' are not epochs
    (taking them as one would hide the real folder of the same number)."""
    if name.isascii() and name.isdigit() and str(int(name)) == name:
        return int(name)
    return None


def list_segments(
    folder: Path, skipped: list[str] | None = None
) -> dict[tuple[str, int], list[str]]:
    """File names in every ``devices/<device>/<epoch>/`` folder (one listing per folder).

    A folder that cannot be listed (a link loop, no permission, an I/O error) is left
    out and named in ``skipped``; it never stops the others from syncing.
    """
    result: dict[tuple[str, int], list[str]] = {}
    root = folder / DEVICES
    try:
        devices = os.listdir(root)
    except FileNotFoundError:
        return result
    for device in devices:
        if not _usable_name(device):
            continue
        try:
            epochs = os.listdir(root / device)
        except (NotADirectoryError, FileNotFoundError):
            continue
        except OSError as exc:
            if skipped is not None:
                skipped.append(f"{DEVICES}/{device} cannot be listed ({exc.strerror or exc})")
            continue
        for epoch in epochs:
            number = _epoch_number(epoch)
            if number is None:
                continue
            try:
                names = os.listdir(root / device / epoch)
            except (NotADirectoryError, FileNotFoundError):
                continue
            except OSError as exc:
                if skipped is not None:
                    skipped.append(
                        f"{DEVICES}/{device}/{epoch} cannot be listed ({exc.strerror or exc})"
                    )
                continue
            result[(device, number)] = [name for name in names if _usable_name(name)]
    return result
