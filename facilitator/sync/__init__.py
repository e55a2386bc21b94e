"""Offline-first sync of reviews through a shared folder (SMB, OneDrive, Syncthing, USB).

See :mod:`facilitator.sync.engine` for the rules, :mod:`facilitator.sync.segments` for
the file format and :mod:`facilitator.sync.layout` for the folder. Imports no UI code.
"""

from facilitator.sync.crypto import WrongPassphrase
from facilitator.sync.engine import SyncEngine, SyncReport
from facilitator.sync.share import (
    SyncError,
    engine_for,
    join_share,
    share_review,
    shared_reviews,
)

__all__ = [
    "SyncEngine",
    "SyncError",
    "SyncReport",
    "WrongPassphrase",
    "engine_for",
    "join_share",
    "share_review",
    "shared_reviews",
]
