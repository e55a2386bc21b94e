"""The sync status in the status bar: last sync, ops waiting to go, share unreachable,
conflicts. Hidden when no review on this laptop is shared. Fixed width, so an update
never relayouts the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from facilitator.tui.sync_worker import SyncStatus, SyncWorker

WIDTH = 46


class SyncStatusWidget(Static):
    DEFAULT_CSS = f"""
    StatusBar > SyncStatusWidget {{ width: {WIDTH}; height: 1; padding: 0 1; }}
    SyncStatusWidget {{ width: {WIDTH}; height: 1; }}
    SyncStatusWidget.-trouble {{ color: $warning; text-style: bold; }}
    """

    def __init__(self, worker: SyncWorker) -> None:
        super().__init__("", markup=False)
        self.worker = worker

    def on_mount(self) -> None:
        self.worker.changed.subscribe(self, self.show_status)
        self.show_status(self.worker.status)

    def show_status(self, status: SyncStatus) -> None:
        self.display = status.shared
        text = status.text()
        trouble = (
            status.shared
            and status.last_sync is not None
            and (
                not status.reachable
                or bool(status.conflicts)
                or bool(status.problems)
                or bool(status.clock)
            )
        )
        self.set_class(trouble, "-trouble")
        self.update(Text(text[: WIDTH - 2], no_wrap=True, overflow="ellipsis"), layout=False)
