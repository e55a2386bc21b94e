"""Background sync for the app: a thread that syncs every shared review and tells the UI
what happened. Typing never waits for it: the UI thread only receives a small status
object; the store's own lock is held for one batch of ops at a time.

While a conversation is open it polls every half second (a sync with nothing new costs
about a millisecond: a directory listing), so a stage change or a new episode on one
laptop shows on the other within a second or so; otherwise every few seconds. A note
saved here is pushed at once: the store tells the worker after each local commit.

The worker starts when the app opens if a review on this laptop is shared (reviews shared
while the app is open are picked up on the next round).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.message import Message
from textual.signal import Signal
from textual.worker import get_current_worker

from facilitator.sync import SyncError, SyncReport, engine_for, shared_reviews
from facilitator.sync import conflicts as conflict_rules

if TYPE_CHECKING:
    from facilitator.sync import SyncEngine
    from facilitator.sync.engine import Progress
    from facilitator.tui.app import FacilitatorApp

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 3.0
LIVE_INTERVAL_S = 0.5
POLL_S = 0.05


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows. ``shared`` False: nothing to show at all."""

    shared: bool = False
    last_sync: str | None = None
    reachable: bool = True
    pending: int = 0
    conflicts: int = 0
    received: int = 0
    conflicted_notes: frozenset[str] = frozenset()  # notes with conflicting edits
    field_conflicts: int = 0
    problems: tuple[str, ...] = ()
    waiting_ops: int = 0  # announced on the share by another laptop, not here yet
    progress: str = ""  # a long pull under way
    clock: str = ""  # a laptop's clock far wrong (sync/clocks.py): said before anything else

    def text(self) -> str:
        if not self.shared:
            return ""
        if self.clock and self.last_sync is not None:
            return self.clock
        if self.last_sync is None:
            parts = ["sync: starting"]
        elif not self.reachable:
            parts = ["share unreachable"]
        else:
            parts = [f"synced {self.last_sync}"]
        if self.progress:
            parts.append(self.progress)
        if self.pending:
            parts.append(f"{self.pending} to send")
        if self.waiting_ops:
            parts.append(f"waiting for {self.waiting_ops} from others")
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}")
        if self.reachable and self.problems:
            parts.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}")
        return " · ".join(parts)


class SyncWorker:
    """Owned by the app; widgets subscribe to :attr:`changed`."""

    class Synced(Message):
        """Posted to the app after every round (reports are plain data)."""

        def __init__(self, status: SyncStatus, reports: tuple[SyncReport, ...]) -> None:
            super().__init__()
            self.status = status
            self.reports = reports

    def __init__(
        self,
        app: FacilitatorApp,
        interval: float = DEFAULT_INTERVAL_S,
        live_interval: float = LIVE_INTERVAL_S,
    ) -> None:
        self.app = app
        self.interval = interval
        self.live_interval = min(live_interval, interval)
        self.status = SyncStatus()
        self.reports: tuple[SyncReport, ...] = ()
        self.changed: Signal[SyncStatus] = Signal(app, "sync-status")
        self._wake = threading.Event()
        self._engines: dict[str, SyncEngine] = {}
        self._conflicts: dict[str, tuple[frozenset[str], int]] = {}
        self._announced: set[str] = set()  # notes whose conflict a toast has told of
        self._counted_at = -1  # the op-log position the conflict counts were taken at
        self.running = False

    # --- control (UI thread) -------------------------------------------------------

    def start(self) -> bool:
        """Start syncing if any review here is shared; False if there is nothing to sync."""
        if self.running or not shared_reviews(self.app.store):
            return False
        self.running = True
        self.app.store.on_local_commit(self._wake.set)
        self.status = SyncStatus(shared=True)
        self.changed.publish(self.status)
        self.app.run_worker(
            self._run, name="sync", group="sync", thread=True, exclusive=True, exit_on_error=False
        )
        return True

    def sync_now(self) -> None:
        if not self.running:
            self.start()
        self._wake.set()

    def forget_conflict_counts(self) -> None:
        """After a resolution: count conflicts again on the next round."""
        self._counted_at = -1
        self._wake.set()

    # --- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled:
            status, reports = self.round()
            try:
                self.app.call_from_thread(self._publish, status, reports)
            except RuntimeError:
                return  # the app has closed
            waited = 0.0
            while waited < self._interval() and not worker.is_cancelled:
                if self._wake.wait(POLL_S):
                    break
                waited += POLL_S
            self._wake.clear()

    def _interval(self) -> float:
        """Half a second while a conversation is open on any screen, else the slow pace."""
        try:
            live = any(getattr(s, "conversation_id", None) for s in list(self.app.screen_stack))
        except Exception:  # noqa: BLE001 - the app is closing
            live = False
        return self.live_interval if live else self.interval

    def round(self) -> tuple[SyncStatus, tuple[SyncReport, ...]]:
        """One sync of every shared review (runs in the worker thread; tests call it too)."""
        store = self.app.store
        reports: list[SyncReport] = []
        problems: list[str] = []
        # Conflicts are counted again whenever the op log has moved since (a pull, or a
        # resolution here, by the CLI or by another window); read before the sync, so a
        # resolution written during this round is counted in the next.
        position = store.op_position()
        if position != self._counted_at:
            self._conflicts.clear()
        for review in shared_reviews(store):
            engine = self._engines.get(review)
            if engine is None:
                try:
                    engine = self._engines[review] = engine_for(store, review)
                except SyncError as exc:
                    problems.append(str(exc))
                    continue
            engine.progress = self._progress
            try:
                report = engine.sync()
            except Exception as exc:  # noqa: BLE001 - the thread must live on and say so
                log.exception("sync of one review failed")
                problems.append(f"sync failed ({type(exc).__name__}); retrying")
                report = SyncReport(review, reachable=False)
                report.problems.append(problems[-1])
            reports.append(report)
            problems.extend(report.problems)
            if report.pulled_ops or review not in self._conflicts:
                self._conflicts[review] = conflict_rules.conflicted(store, review)
        self._counted_at = position
        counted = [self._conflicts.get(r.review, (frozenset(), 0)) for r in reports]
        notes = frozenset().union(*(ids for ids, _fields in counted))
        fields = sum(fields for _ids, fields in counted)
        status = SyncStatus(
            shared=True,
            last_sync=datetime.now().astimezone().strftime("%H:%M:%S"),
            reachable=all(r.reachable for r in reports) if reports else False,
            pending=sum(r.pending for r in reports),
            conflicts=len(notes) + fields,
            conflicted_notes=notes,
            field_conflicts=fields,
            received=sum(r.pulled_ops for r in reports),
            problems=tuple(problems),
            waiting_ops=sum(g.last - g.first + 1 for r in reports for g in r.gaps),
            clock=next((skew.short() for r in reports for skew in r.clocks), ""),
        )
        return status, tuple(reports)

    def _progress(self, progress: Progress) -> None:
        """A long pull (the first after joining a large review): show how far it has got."""
        if progress.elapsed_s < 1 or progress.segments_read >= progress.segments_total:
            return
        status = replace(self.status, progress=progress.text())
        with suppress(RuntimeError):  # the app has closed
            self.app.call_from_thread(self._show_progress, status)

    def _show_progress(self, status: SyncStatus) -> None:
        self.status = status
        self.changed.publish(status)

    def _publish(self, status: SyncStatus, reports: tuple[SyncReport, ...]) -> None:
        self._announce(self.status, status)
        self.status, self.reports = status, reports
        self.changed.publish(status)
        self.app.post_message(self.Synced(status, reports))
        if status.received:
            try:
                self._refresh_screen()
            except Exception:  # noqa: BLE001 - a screen's refresh must never stop sync
                log.exception("refreshing the screen after a sync failed")

    def _announce(self, before: SyncStatus, after: SyncStatus) -> None:
        """Changes worth a toast as well as the status line: they need noticing."""
        if before.reachable and not after.reachable:
            self.app.notify(
                "Shared folder unreachable: working offline; edits are kept and sent later.",
                title="Sync",
                severity="warning",
            )
        elif not before.reachable and after.reachable and before.last_sync is not None:
            self.app.notify("Shared folder reachable again.", title="Sync")
        # Each note once: a count read a moment before a resolution landed must not
        # announce the same note again after it was settled.
        new = after.conflicted_notes - self._announced
        self._announced |= new
        told = []
        if new:
            told.append(
                "1 note has conflicting edits"
                if len(new) == 1
                else f"{len(new)} notes have conflicting edits"
            )
        if after.field_conflicts > before.field_conflicts:
            extra = after.field_conflicts - before.field_conflicts
            told.append(
                "1 field was set on two laptops at once"
                if extra == 1
                else f"{extra} fields were set on two laptops at once"
            )
        if told:
            self.app.notify(
                "; ".join(told) + ": ctrl+p, Sync conflicts.", title="Sync", severity="warning"
            )

    def _refresh_screen(self) -> None:
        """New ops arrived: a screen that defines ``refresh_from_store()`` re-reads now, and
        so does every widget on it that follows the op log (``poll_now()``), rather than
        at its next tick."""
        screen = self.app.screen
        method = getattr(screen, "refresh_from_store", None)
        if callable(method):
            method()
        for widget in screen.walk_children():
            poll = getattr(widget, "poll_now", None)
            if callable(poll):
                poll()


def install(app: FacilitatorApp, interval: float = DEFAULT_INTERVAL_S) -> SyncWorker:
    """Give the app a sync worker and a status widget on every screen's status bar."""
    from facilitator.tui.widgets.sync_status import SyncStatusWidget

    worker = SyncWorker(app, interval)
    app.register_status_widget(lambda: SyncStatusWidget(worker))
    app.add_startup_hook(lambda _app: worker.start())
    return worker


def commands(app: FacilitatorApp, review: str) -> Iterable[SystemCommand]:
    """Palette entries: sync now, and the conflicts screen."""
    worker: SyncWorker | None = getattr(app, "sync_worker", None)
    if worker is None or review not in shared_reviews(app.store):
        return
    yield SystemCommand("Sync now", "Sync shared reviews with their folders now", worker.sync_now)

    def open_conflicts() -> None:
        from facilitator.tui.screens.conflicts import ConflictsScreen

        app.push_screen(ConflictsScreen(review, worker))

    yield SystemCommand(
        "Sync conflicts", "Notes and fields changed on two laptops at once", open_conflicts
    )
