"""What this laptop remembers about each shared review (local only, never synced).

- ``sync_shares``: the review's shared folder and the fingerprint of its data key;
- ``sync_files``: every segment name already taken in (or rejected), so a sync with
  nothing new costs a directory listing and a set difference;
- ``sync_marks``: per (device, epoch), the high-water mark: every seq up to it is here;
- ``sync_gaps``: ops the share's listing announces for another laptop that are not here
  yet, with how many syncs have seen them missing (a gap stays visible until it closes).

The data key itself is cached in ``<store folder>/sync-keys/<device>-<review>.key`` (mode 0600,
folder 0700), so background sync never asks for the passphrase again on this laptop;
``facilitator review join`` asks again if the file is missing. Anyone who can read that
file could already read the store file beside it, which holds the same notes in clear.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from facilitator.files import write_private_bytes
from facilitator.store import Store


@dataclass(frozen=True)
class ShareRecord:
    review: str
    folder: Path
    key_id: str


def key_path(store: Store, review: str) -> Path:
    return store.path.parent / "sync-keys" / f"{store.device}-{review}.key"


def save_key(store: Store, review: str, data_key: bytes) -> None:
    path = key_path(store, review)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    write_private_bytes(path, data_key)


def load_key(store: Store, review: str) -> bytes | None:
    try:
        data = key_path(store, review).read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


def record_share(store: Store, review: str, folder: Path, key_id: str) -> None:
    with store.transaction():
        store.conn.execute(
            "INSERT INTO sync_shares(review, folder, key_id, joined_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(review) DO UPDATE SET folder = excluded.folder, "
            "key_id = excluded.key_id",
            (review, str(folder), key_id, store.now_iso()),
        )


def shares(store: Store) -> list[ShareRecord]:
    with store.lock:
        rows = store.conn.execute(
            "SELECT review, folder, key_id FROM sync_shares ORDER BY joined_at"
        ).fetchall()
    return [ShareRecord(r, Path(f), k) for r, f, k in rows]


def share(store: Store, review: str) -> ShareRecord | None:
    for record in shares(store):
        if record.review == review:
            return record
    return None


@dataclass(frozen=True)
class FileRecord:
    name: str  # <device>/<epoch>/<file name>
    status: str  # "ok", "rejected" or "incomplete"
    stamp: tuple[int, int] | None  # size and mtime (ns) when refused: read again on change


def files(store: Store, review: str) -> list[FileRecord]:
    with store.lock:
        rows = store.conn.execute(
            "SELECT name, status, size, mtime FROM sync_files WHERE review = ?", (review,)
        ).fetchall()
    return [
        FileRecord(name, status, (size, mtime) if size is not None else None)
        for name, status, size, mtime in rows
    ]


def rejected_files(store: Store, review: str) -> list[tuple[str, str]]:
    with store.lock:
        return store.conn.execute(
            "SELECT name, detail FROM sync_files WHERE review = ? AND status = 'rejected' "
            "ORDER BY name",
            (review,),
        ).fetchall()


def remember_files(
    store: Store, review: str, rows: list[tuple[str, str, str, int | None, int | None]]
) -> None:
    """Rows of (name, status, detail, size, mtime); status 'ok', 'rejected' or
    'incomplete'.
    Caller holds a transaction."""
    store.conn.executemany(
        "INSERT INTO sync_files(review, name, status, detail, size, mtime) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(review, name) DO UPDATE SET status = excluded.status, "
        "detail = excluded.detail, size = excluded.size, mtime = excluded.mtime",
        [(review, *row) for row in rows],
    )


def marks(store: Store, review: str) -> dict[tuple[str, int], int]:
    with store.lock:
        rows = store.conn.execute(
            "SELECT device, epoch, hwm FROM sync_marks WHERE review = ?", (review,)
        ).fetchall()
    return {(d, e): h for d, e, h in rows}


def save_marks(store: Store, review: str, updated: dict[tuple[str, int], int]) -> None:
    """Caller holds a transaction. A mark never goes down: two processes syncing one
    store (the app and `facilitator sync`) each keep their own copy of the marks."""
    store.conn.executemany(
        "INSERT INTO sync_marks(review, device, epoch, hwm) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(review, device, epoch) DO UPDATE SET hwm = max(hwm, excluded.hwm)",
        [(review, d, e, h) for (d, e), h in updated.items()],
    )


@dataclass(frozen=True)
class Gap:
    device: str
    epoch: int
    first: int
    last: int
    rounds: int  # syncs in a row that found it open
    who: str  # the author of that laptop's latest op held here, or its device id

    def text(self) -> str:
        count = self.last - self.first + 1
        which = f"op {self.first} is" if count == 1 else f"ops {self.first}–{self.last} are"
        # A laptop whose reviewer gave no name is known by its device id alone.
        laptop = (
            f"{self.who}'s laptop ({self.device}, epoch {self.epoch})"
            if self.who.strip() and self.who != self.device
            else f"laptop {self.device} (epoch {self.epoch})"
        )
        return f"{laptop}: {which} announced on the share but not here yet" + (
            f" ({self.rounds} syncs)" if self.rounds > 1 else ""
        )


def track_gaps(
    store: Store,
    review: str,
    open_now: dict[tuple[str, int], tuple[int, int]],
    *,
    counted: bool = True,
) -> list[Gap]:
    """Record this sync's open gaps (closed ones are forgotten); returns them with their
    round counts. ``counted`` False: the sync did not finish, so no round is added."""
    with store.lock:
        before = {
            (d, e): rounds
            for d, e, rounds in store.conn.execute(
                "SELECT device, epoch, rounds FROM sync_gaps WHERE review = ?", (review,)
            ).fetchall()
        }
        rows = [
            (review, d, e, first, last, before.get((d, e), 0) + (1 if counted else 0))
            for (d, e), (first, last) in sorted(open_now.items())
        ]
        if rows or before:
            with store.transaction():
                store.conn.execute("DELETE FROM sync_gaps WHERE review = ?", (review,))
                store.conn.executemany(
                    "INSERT INTO sync_gaps(review, device, epoch, first, last, rounds) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
        gaps = []
        for _review, device, epoch, first, last, rounds in rows:
            found = store.conn.execute(
                "SELECT author FROM ops WHERE device = ? ORDER BY rowid DESC LIMIT 1", (device,)
            ).fetchone()
            gaps.append(Gap(device, epoch, first, last, rounds, found[0] if found else device))
    return gaps
