"""A review kept as one encrypted file, for its retention period: every op of the review
(the tables are rebuilt from them), sealed with AES-256-GCM under a key derived (scrypt)
from a passphrase. Restoring takes the ops in again; it is idempotent by op id.

File: a first line naming the format, a JSON header line (KDF parameters, nonce), then
the sealed body, with both lines as associated data so neither can be altered unseen.
The review's id and title are inside the sealed body only.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from facilitator.store import Store, StoreError
from facilitator.store.oplog import Op

MAGIC = b"facilitator review archive\n"
FORMAT = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# Reading is bounded: file size, unpacked size and KDF cost are checked before use.
MAX_FILE = 1024 * 1024 * 1024
MAX_UNPACKED = 4 * MAX_FILE
_KDF_LIMITS = {"n": (2**10, 2**20), "r": (1, 32), "p": (1, 16)}


class ArchiveProblem(StoreError):
    """An archive that cannot be written or read, told in one line."""


@dataclass(frozen=True)
class Restored:
    review: str
    title: str
    ops: int
    new: int


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def write_archive(store: Store, review: str, path: Path, passphrase: str) -> int:
    """Seal every op of ``review`` into ``path`` (mode 0600); returns how many ops.
    Raises :class:`facilitator.files.OutputRefused` for a path that must not be written."""
    from facilitator.files import write_output

    data, count = seal_archive(store, review, passphrase)
    write_output(Path(path), data, store.path)
    return count


def seal_archive(store: Store, review: str, passphrase: str) -> tuple[bytes, int]:
    """Every op of ``review``, sealed: (the archive's bytes, how many ops)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not passphrase:
        raise ArchiveProblem("an archive needs a passphrase")
    title = store.review(review).title
    ops = store.ops("WHERE review = ?", (review,))
    body = json.dumps(
        {"format": FORMAT, "review": review, "title": title,
         "ops": [op.as_dict() for op in ops]},
        ensure_ascii=False,
    ).encode("utf-8")  # fmt: skip
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps(
        {"format": FORMAT, "kdf": {"salt": _b64(salt), "n": SCRYPT_N, "r": SCRYPT_R,
         "p": SCRYPT_P}, "nonce": _b64(nonce)},
        sort_keys=True,
    ).encode() + b"\n"  # fmt: skip
    key = _key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(key).encrypt(nonce, zlib.compress(body, 6), MAGIC + header)
    return MAGIC + header + sealed, len(ops)


def read_archive(path: Path, passphrase: str) -> tuple[str, str, list[Op]]:
    """(review id, title, ops) from an archive; raises :class:`ArchiveProblem`."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = Path(path)
    name = path.name
    try:
        if not path.is_file():
            raise ArchiveProblem(f"{path}: no such archive file")
        if path.stat().st_size > MAX_FILE:
            raise ArchiveProblem(f"{name} is larger than any archive facilitator writes")
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    not_ours = ArchiveProblem(f"{name} is not a facilitator review archive")
    if not data.startswith(MAGIC):
        raise not_ours
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise not_ours
    header_line = data[len(MAGIC) : end + 1]
    try:
        header = json.loads(header_line)
        if header["format"] > FORMAT:
            raise ArchiveProblem(f"{name} was written by a newer facilitator; please upgrade")
        kdf = header["kdf"]
        for field, (low, high) in _KDF_LIMITS.items():
            if not isinstance(kdf[field], int) or not low <= kdf[field] <= high:
                raise not_ours
        salt, nonce = _unb64(kdf["salt"]), _unb64(header["nonce"])
    except (ValueError, KeyError, TypeError):
        raise not_ours from None
    key = _key(passphrase, salt, kdf["n"], kdf["r"], kdf["p"])
    try:
        packed = AESGCM(key).decrypt(nonce, data[end + 1 :], MAGIC + header_line)
    except (InvalidTag, ValueError):
        raise ArchiveProblem(
            f"wrong passphrase for {name}, or the file was changed since it was written"
        ) from None
    unpacker = zlib.decompressobj()
    body = unpacker.decompress(packed, MAX_UNPACKED)
    if unpacker.unconsumed_tail:
        raise ArchiveProblem(f"{name} unpacks to more than any archive facilitator writes")
    try:
        content = json.loads(body)
        review, title = str(content["review"]), str(content["title"])
        ops = [Op.from_dict(item) for item in content["ops"]]
    except (ValueError, KeyError, TypeError):
        raise not_ours from None
    if any(op.review != review for op in ops):
        raise ArchiveProblem(f"{name} holds changes of another review; nothing was restored")
    return review, title, ops


def restore_archive(store: Store, path: Path, passphrase: str) -> Restored:
    """Take an archive's ops into the store (those already held are skipped)."""
    review, title, ops = read_archive(path, passphrase)
    with store.transaction():
        new, _parked = store.ingest(ops)
        # Restored ops of this laptop are no longer purged ones.
        store.conn.executemany(
            "DELETE FROM purged_seqs WHERE device = ? AND epoch = ? AND seq = ?",
            [(op.device, op.epoch, op.seq) for op in ops if op.device == store.device],
        )
    return Restored(review, title, len(ops), new)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
