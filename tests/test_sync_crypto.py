"""Keys and sealing for the shared folder, checked against independent implementations.

What users rely on: the passphrase opens the review on any laptop (and nothing else does),
shares made by earlier versions still open, a share cannot make a laptop spend all its
memory deriving a key, and anything altered on the share fails to open. Written while
killing mutants of facilitator/sync/crypto.py (TESTING.md).
"""

from __future__ import annotations

import hashlib

import pytest

from facilitator.sync import crypto
from facilitator.sync.crypto import (
    KdfParams,
    SealBroken,
    UnsafeKdf,
    WrongPassphrase,
    check_kdf,
    derive_key,
    key_id,
    new_data_key,
    new_kdf_params,
    open_sealed,
    seal,
    unwrap_key,
    wrap_key,
)

SALT = bytes(range(16))
CHEAP = KdfParams(salt=SALT, n=2**4, r=8, p=1)  # fast to derive in tests


def test_new_shares_get_a_fresh_256_bit_key_and_salt_with_owasps_scrypt_cost() -> None:
    assert len(new_data_key()) == 32 and new_data_key() != new_data_key()
    params = new_kdf_params()
    assert (params.n, params.r, params.p, len(params.salt)) == (2**17, 8, 1, 16)
    assert new_kdf_params().salt != params.salt
    check_kdf(params)  # what we write, we accept
    assert new_kdf_params(n=2**10).n == 2**10


def test_the_key_is_scrypt_of_the_passphrase_as_any_implementation_computes_it() -> None:
    # hashlib's scrypt is OpenSSL's, not the one we call: a share made on another laptop
    # (or by an earlier version) derives the same key from the same passphrase.
    for passphrase in ["correct horse battery staple", "café ☕ Ünïcödé"]:
        expected = hashlib.scrypt(passphrase.encode("utf-8"), salt=SALT, n=2**4, r=8, p=1, dklen=32)
        assert derive_key(passphrase, CHEAP) == expected
    params = KdfParams(salt=SALT, n=2**5, r=2, p=3)
    expected = hashlib.scrypt(b"pass", salt=SALT, n=2**5, r=2, p=3, dklen=32)
    assert derive_key("pass", params) == expected


def test_the_key_id_of_existing_shares_is_unchanged() -> None:
    key = bytes(32)
    assert key_id(key) == hashlib.sha256(b"facilitator-key-id|" + key).hexdigest()[:16]
    assert len(key_id(key)) == 16 and key_id(key) != key_id(b"\1" + bytes(31))


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(salt=SALT, n=2, r=1, p=1),  # the smallest settings scrypt takes
        KdfParams(salt=SALT, n=2**18, r=8, p=1),  # exactly the memory bound (256 MiB)
        KdfParams(salt=SALT, n=2**4, r=1, p=16),  # the most parallel allowed
        KdfParams(salt=bytes(64), n=2**4),  # the longest salt allowed
    ],
)
def test_settings_at_the_edge_of_the_bounds_are_accepted(params: KdfParams) -> None:
    check_kdf(params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (KdfParams(salt=SALT, n=1), "scrypt n must be a power of two, not 1"),
        (KdfParams(salt=SALT, n=0), "scrypt n must be a power of two, not 0"),
        (KdfParams(salt=SALT, n=-8), "scrypt n must be a power of two, not -8"),
        (KdfParams(salt=SALT, n=3 * 2**10), "scrypt n must be a power of two, not 3072"),
        (KdfParams(salt=SALT, n=2.0**10), "scrypt n must be a power of two, not 1024.0"),  # type: ignore[arg-type]
        (KdfParams(salt=SALT, n=16, r=0), "scrypt r=0, p=1 are outside the usable range"),
        (KdfParams(salt=SALT, n=16, p=0), "scrypt r=8, p=0 are outside the usable range"),
        (KdfParams(salt=SALT, n=16, p=17), "scrypt r=8, p=17 are outside the usable range"),
        (KdfParams(salt=SALT, n=16, r=8.0), "scrypt r=8.0, p=1 are outside the usable range"),  # type: ignore[arg-type]
        (KdfParams(salt=SALT, n=16, p=1.0), "scrypt r=8, p=1.0 are outside the usable range"),  # type: ignore[arg-type]
        (
            KdfParams(salt=SALT, n=2**19, r=8, p=1),
            "scrypt n=524288, r=8, p=1 would need 512 MiB (at most 256 MiB)",
        ),
        (
            KdfParams(salt=SALT, n=2**18, r=8, p=2),
            "scrypt n=262144, r=8, p=2 would need 512 MiB (at most 256 MiB)",
        ),
        (KdfParams(salt=bytes(15), n=16), "the scrypt salt has 15 bytes"),
        (KdfParams(salt=bytes(65), n=16), "the scrypt salt has 65 bytes"),
    ],
)
def test_unsafe_settings_are_refused_before_deriving(params: KdfParams, message: str) -> None:
    with pytest.raises(UnsafeKdf) as caught:
        check_kdf(params)
    assert str(caught.value) == message
    with pytest.raises(UnsafeKdf):
        derive_key("pass", params)


def test_the_wrapped_key_opens_only_with_the_passphrase_and_for_its_own_review() -> None:
    data_key = new_data_key()
    wrapping = derive_key("the review passphrase", CHEAP)
    nonce, wrapped = wrap_key(data_key, wrapping, "rev-1")
    assert len(nonce) == 12 and len(wrapped) == 48 and data_key not in wrapped
    assert unwrap_key(nonce, wrapped, wrapping, "rev-1") == data_key
    assert wrap_key(data_key, wrapping, "rev-1")[0] != nonce  # a fresh nonce each time
    for key, review in [(derive_key("a wrong guess", CHEAP), "rev-1"), (wrapping, "rev-2")]:
        with pytest.raises(WrongPassphrase) as caught:
            unwrap_key(nonce, wrapped, key, review)
        assert str(caught.value) == "wrong passphrase for this shared review"


@pytest.mark.parametrize("cut", ["nonce", "wrapped", "longer"])
def test_a_damaged_wrapped_key_is_reported_as_damaged(cut: str) -> None:
    wrapping = derive_key("pass", CHEAP)
    nonce, wrapped = wrap_key(new_data_key(), wrapping, "rev-1")
    if cut == "nonce":
        nonce = nonce[:-1]
    elif cut == "wrapped":
        wrapped = wrapped[:-1]
    else:
        wrapped += b"\0"
    with pytest.raises(WrongPassphrase) as caught:
        unwrap_key(nonce, wrapped, wrapping, "rev-1")
    assert str(caught.value) == "the wrapped key in this shared folder is damaged"


def test_sealed_data_opens_with_its_key_and_header_only() -> None:
    key = new_data_key()
    sealed = seal(key, b"fictional note text", b"header")
    assert b"fictional" not in sealed
    assert open_sealed(key, sealed, b"header") == b"fictional note text"
    assert seal(key, b"fictional note text", b"header") != sealed  # random nonce
    for other_key, header, data in [
        (new_data_key(), b"header", sealed),
        (key, b"headex", sealed),
        (key, b"header", sealed[:-1] + bytes([sealed[-1] ^ 1])),
        (key, b"header", sealed[:5] + bytes([sealed[5] ^ 1]) + sealed[6:]),
    ]:
        with pytest.raises(SealBroken) as caught:
            open_sealed(other_key, data, header)
        assert str(caught.value) == "failed authentication"


def test_an_empty_body_seals_to_the_shortest_data_that_opens() -> None:
    key = new_data_key()
    sealed = seal(key, b"", b"h")
    assert len(sealed) == crypto.NONCE_BYTES + 16
    assert open_sealed(key, sealed, b"h") == b""
    with pytest.raises(SealBroken) as caught:
        open_sealed(key, sealed[:-1], b"h")
    assert str(caught.value) == "too short to be sealed data"
