"""The local review store (see DESIGN.md: event-sourced, one SQLite file per device)."""

from facilitator.store.db import StoreError, default_store_path
from facilitator.store.store import Store, deterministic_id, link_id, new_id, now_iso

__all__ = [
    "Store",
    "StoreError",
    "default_store_path",
    "deterministic_id",
    "link_id",
    "new_id",
    "now_iso",
]
