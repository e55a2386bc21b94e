"""Publishing a review to a shared folder, joining one, and finding a review's engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from facilitator.store import Store
from facilitator.sync import state
from facilitator.sync.crypto import (
    SCRYPT_N,
    derive_key,
    key_id,
    new_data_key,
    new_kdf_params,
    unwrap_key,
    wrap_key,
)
from facilitator.sync.engine import Progress, SyncEngine, SyncReport
from facilitator.sync.layout import (
    REVIEW_FILE,
    ShareInfo,
    ShareProblem,
    ensure_devices_root,
    make_devices_root,
    read_share_info,
    write_new_file,
)

MIN_PASSPHRASE = 8


class SyncError(Exception):
    """A sync set-up problem the user can act on (one line)."""


class JoinCutShort(SyncError):
    """The share went away part-way through a join's first pull: what was read is kept,
    and the share is recorded, so the next join or sync carries on."""

    def __init__(self, message: str, report: SyncReport) -> None:
        super().__init__(message)
        self.report = report


def check_passphrase(passphrase: str) -> str:
    passphrase = passphrase.strip("\r\n")
    if len(passphrase) < MIN_PASSPHRASE:
        raise SyncError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
    return passphrase


def share_review(
    store: Store, review: str, folder: Path, passphrase: str, *, scrypt_n: int = SCRYPT_N
) -> SyncReport:
    """Publish ``review`` to ``folder`` (new or empty of reviews) and send its ops.

    A review already shared may be published again when its folder has lost its
    review.json (a lost USB stick, a deleted folder): under the same data key, so the
    other laptops keep their cached key (they join the new folder if it moved), and every
    segment this laptop sent is written again by the next syncs.
    """
    folder = Path(folder).expanduser().absolute()
    passphrase = check_passphrase(passphrase)
    existing = state.share(store, review)
    data_key = None
    if existing is not None:
        if (Path(existing.folder) / REVIEW_FILE).exists():
            raise SyncError(f"this review is already shared in {existing.folder}")
        data_key = state.load_key(store, review)
        if data_key is None:
            raise SyncError(
                f"this review was shared in {existing.folder}, which has lost its "
                f"{REVIEW_FILE}, and this laptop no longer holds its key: another laptop "
                "that does can share it again"
            )
    if (folder / REVIEW_FILE).exists():
        try:
            info = read_share_info(folder)
        except ShareProblem as exc:
            raise SyncError(str(exc)) from None
        if info.review == review:
            raise SyncError(f"{folder} already holds this review: use 'facilitator review join'")
        raise SyncError(f"{folder} already holds another review; choose an empty folder")
    data_key = data_key or new_data_key()
    params = new_kdf_params(scrypt_n)
    nonce, wrapped = wrap_key(data_key, derive_key(passphrase, params), review)
    info = ShareInfo(review, params, nonce, wrapped, key_id(data_key))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not write_new_file(folder / REVIEW_FILE, info.to_json().encode()):
            raise SyncError(f"{folder} was set up by someone else a moment ago; join it instead")
        make_devices_root(folder)
    except OSError as exc:
        raise SyncError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    state.save_key(store, review, data_key)
    state.record_share(store, review, folder, info.key_id)
    return SyncEngine(store, review, folder, data_key).sync()


def join_share(
    store: Store,
    folder: Path,
    passphrase: str,
    *,
    progress: Callable[[Progress], None] | None = None,
) -> SyncReport:
    """Take a shared review into this laptop's store (or reconnect to it). ``progress`` is
    told how the first pull goes (a large review takes a while)."""
    folder = Path(folder).expanduser().absolute()
    try:
        info = read_share_info(folder)
    except ShareProblem as exc:
        raise SyncError(str(exc)) from None
    wrapping = derive_key(passphrase.strip("\r\n"), info.kdf)
    data_key = unwrap_key(info.wrap_nonce, info.wrapped_key, wrapping, info.review)
    if key_id(data_key) != info.key_id:
        raise SyncError(f"{folder / REVIEW_FILE} is damaged (key fingerprint does not match)")

    def still_the_share(found: ShareInfo) -> None:
        if (found.review, found.key_id) != (info.review, info.key_id):
            raise ShareProblem(f"{folder} holds another review now")

    # Checked again through one descriptor of the folder (ensure_devices_root): the share
    # may have gone since its review.json was read (the passphrase takes a while), and
    # nothing may be made in a bare mount point left behind.
    try:
        ensure_devices_root(folder, still_the_share)
    except (ShareProblem, FileNotFoundError):
        raise SyncError(went_away(folder)) from None
    except OSError as exc:
        raise SyncError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    state.save_key(store, info.review, data_key)
    state.record_share(store, info.review, folder, info.key_id)
    report = SyncEngine(store, info.review, folder, data_key, progress=progress).sync()
    if not report.reachable:
        raise JoinCutShort(went_away(folder), report)
    return report


def went_away(folder: Path) -> str:
    return (
        f"the shared folder {folder} went away during the join (unplugged, unmounted, or no "
        f"longer this review's share): nothing was lost; run 'facilitator review join "
        f"{folder}' again when it is back"
    )


def engine_for(store: Store, review: str) -> SyncEngine:
    record = state.share(store, review)
    if record is None:
        raise SyncError("this review is not shared: use 'facilitator review share REVIEW DIR'")
    data_key = state.load_key(store, review)
    if data_key is None:
        raise SyncError(
            f"this laptop no longer holds the review's key: run 'facilitator review join "
            f"{record.folder}' and give the passphrase"
        )
    return SyncEngine(store, review, record.folder, data_key)


def shared_reviews(store: Store) -> list[str]:
    return [record.review for record in state.shares(store)]
