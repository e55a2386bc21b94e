"""Keys and encryption for the shared folder.

Each shared review has a random 256-bit data key. The folder holds it only wrapped
(AES-256-GCM) under a key derived from the review passphrase with scrypt, so the
passphrase never leaves the laptop and changing machines needs only the passphrase.
Segments are sealed with AES-256-GCM under the data key, with their header as
associated data: a segment whose header or body was altered, or that was renamed to
another device, epoch or seq, fails authentication.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12
# scrypt cost for new shares: OWASP's minimum (n=2^17, r=8, p=1, 128 MiB). Stored beside the
# salt, so shares made with other settings keep working.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
# What a reader accepts from a review.json before deriving anything: a share could ask for
# settings that take all the memory or never finish (n=2^24: 16 GiB; r=0: an error).
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
MAX_SCRYPT_P = 16
SALT_BYTES = (16, 64)


class WrongPassphrase(Exception):
    """The passphrase does not open this shared review."""


class UnsafeKdf(ValueError):
    """KDF settings outside the bounds this version will run."""


class SealBroken(Exception):
    """Encrypted data failed authentication: tampered, renamed or under another key."""


@dataclass(frozen=True)
class KdfParams:
    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def new_kdf_params(n: int = SCRYPT_N) -> KdfParams:
    return KdfParams(salt=os.urandom(16), n=n)


def check_kdf(params: KdfParams) -> None:
    """Refuse settings that could not be derived safely, before spending anything on them."""
    n, r, p = params.n, params.r, params.p
    if not (isinstance(n, int) and n >= 2 and n & (n - 1) == 0):
        raise UnsafeKdf(f"scrypt n must be a power of two, not {n}")
    if not (isinstance(r, int) and isinstance(p, int) and r >= 1 and 1 <= p <= MAX_SCRYPT_P):
        raise UnsafeKdf(f"scrypt r={r}, p={p} are outside the usable range")
    if 128 * n * r * p > MAX_SCRYPT_MEMORY:
        raise UnsafeKdf(
            f"scrypt n={n}, r={r}, p={p} would need {128 * n * r * p // 2**20:,} MiB "
            f"(at most {MAX_SCRYPT_MEMORY // 2**20} MiB)"
        )
    if not SALT_BYTES[0] <= len(params.salt) <= SALT_BYTES[1]:
        raise UnsafeKdf(f"the scrypt salt has {len(params.salt)} bytes")


def derive_key(passphrase: str, params: KdfParams) -> bytes:
    check_kdf(params)
    kdf = Scrypt(salt=params.salt, length=KEY_BYTES, n=params.n, r=params.r, p=params.p)
    return kdf.derive(passphrase.encode("utf-8"))


def key_id(data_key: bytes) -> str:
    """A public fingerprint of the data key: tells a stale cached key from a re-shared folder."""
    return hashlib.sha256(b"facilitator-key-id|" + data_key).hexdigest()[:16]


def wrap_key(data_key: bytes, wrapping_key: bytes, review: str) -> tuple[bytes, bytes]:
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(wrapping_key).encrypt(nonce, data_key, _wrap_aad(review))


def unwrap_key(nonce: bytes, wrapped: bytes, wrapping_key: bytes, review: str) -> bytes:
    if len(nonce) != NONCE_BYTES or len(wrapped) != KEY_BYTES + 16:
        raise WrongPassphrase("the wrapped key in this shared folder is damaged")
    try:
        return AESGCM(wrapping_key).decrypt(nonce, wrapped, _wrap_aad(review))
    except InvalidTag:
        raise WrongPassphrase("wrong passphrase for this shared review") from None


def seal(data_key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """nonce + ciphertext + tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext, associated)


def open_sealed(data_key: bytes, sealed: bytes, associated: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealBroken("too short to be sealed data")
    try:
        return AESGCM(data_key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag:
        raise SealBroken("failed authentication") from None


def _wrap_aad(review: str) -> bytes:
    return f"facilitator-wrapped-key|{review}".encode()
