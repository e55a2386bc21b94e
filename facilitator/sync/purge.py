"""The "purged" marker a laptop leaves in a review's shared folder when it purges the
review, so that every other laptop offers to purge it too.

``<shared>/purged.json`` names the review, when and by which device, and carries an HMAC
under the review's data key: only someone holding the review's passphrase can leave one,
and a marker for another review, or altered, is ignored. Like a segment, it is written
once (temp file, fsync, rename to a name that never existed) and never modified.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from facilitator.store import Store
from facilitator.sync import state
from facilitator.sync.layout import ShareProblem, read_share_info, write_new_file

MARKER_FILE = "purged.json"
MAX_MARKER_BYTES = 4096
_CONTEXT = b"facilitator purged marker\n"


@dataclass(frozen=True)
class PurgedMarker:
    review: str
    purged_at: str
    device: str


def _signature(data_key: bytes, body: bytes) -> str:
    return hmac.new(data_key, _CONTEXT + body, hashlib.sha256).hexdigest()


def shared_folder(store: Store, review: str) -> tuple[Path, bytes] | None:
    """The review's shared folder and data key on this laptop, if it is shared here."""
    record = state.share(store, review)
    key = state.load_key(store, review)
    if record is None or key is None:
        return None
    return Path(record.folder), key


def leave_marker(folder: Path, review: str, data_key: bytes, device: str) -> bool:
    """Write the marker; False if one is already there. Raises :class:`ShareProblem` if
    the folder is not this review's share (unmounted, or another review's)."""
    info = read_share_info(folder)
    if info.review != review:
        raise ShareProblem(f"{folder} holds another review")
    marker = {"review": review, "device": device,
              "purged_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    body = json.dumps(marker, sort_keys=True).encode()
    signed = {"marker": marker, "hmac": _signature(data_key, body)}
    try:
        return write_new_file(folder / MARKER_FILE, json.dumps(signed, sort_keys=True).encode())
    except OSError as exc:
        raise ShareProblem(f"cannot write to {folder}: {exc.strerror or exc}") from None


def read_marker(folder: Path, review: str, data_key: bytes) -> PurgedMarker | None:
    """The review's marker if the folder holds a genuine one; anything else is ignored."""
    path = Path(folder) / MARKER_FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_MARKER_BYTES:
            return None
        signed = json.loads(path.read_bytes())
        marker = signed["marker"]
        body = json.dumps(marker, sort_keys=True).encode()
        if not hmac.compare_digest(str(signed["hmac"]), _signature(data_key, body)):
            return None
        if marker["review"] != review:
            return None
        return PurgedMarker(str(marker["review"]), str(marker["purged_at"]), str(marker["device"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_key(store: Store, review: str) -> None:
    """Remove this laptop's copy of the review's data key (after a purge)."""
    state.key_path(store, review).unlink(missing_ok=True)
