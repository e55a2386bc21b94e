"""One sync of one review with its shared folder: pull what is new, repair what went
missing, then push what is ours.

Safe by construction rather than by care:

- reading is idempotent by op id, so duplicated, reordered or "conflicted copy" files are
  harmless; a file that is short, unreadable or a cloud placeholder is "not yet" and is
  read again next time; a damaged file is refused and read again once it changes (a
  file-sync engine may deliver the good bytes later);
- a segment's name states exactly the ops inside it: each push reads its range of the op
  log in one read transaction, bounded above, so an op saved meanwhile waits for the next
  segment instead of slipping into this one;
- nothing is marked as sent until it is verifiably on the share: the share is checked to
  still be this review's share before and after each write, nothing is created above
  ``devices/<me>/``, and the file is fsynced and re-stat'ed first;
- a segment this laptop sent that has gone from the share is written again, under the
  same name, from the ops this laptop still holds;
- nothing on the share is ever deleted or rewritten in place, and nothing read from it
  (or missing from it) ever deletes anything locally;
- a laptop that finds other content under its own (device, epoch) — restored from a
  backup, or a cloned disk — moves its unshared ops to a new epoch before taking the
  share's in, so both histories survive.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from facilitator.collector import collector_paused
from facilitator.store import Store
from facilitator.store.bulk import held_ids
from facilitator.store.oplog import Op, read_ops
from facilitator.store.store import RESOLVES
from facilitator.sync import clocks, segments, state
from facilitator.sync.clocks import ClockSkew
from facilitator.sync.crypto import key_id
from facilitator.sync.layout import (
    ShareInfo,
    ShareProblem,
    device_folder,
    ensure_devices_root,
    list_segments,
    make_device_folder,
    read_share_info,
    remove_stale_temps,
    write_new_file,
)
from facilitator.sync.segments import (
    SUFFIX,
    Segment,
    SegmentIncomplete,
    SegmentName,
    SegmentRejected,
    SegmentTooNew,
    build,
    encode,
    parse_name,
    segment_name,
)

# What a repaired copy of one of our own damaged segments adds to its name (readers take
# anything between the range and ".seg" as a copy of that range).
REPAIRED = "-repaired"
# Largest run of ops written as one segment (keeps files small enough to move quickly).
MAX_SEGMENT_OPS = 5000
# Most ops taken in under one store transaction.
INGEST_BATCH_OPS = 5000
# Syncs in a row that may see ops announced on the share and not here before `sync` says
# so with its exit status (one file-sync round is usually enough for them to arrive).
STUCK_ROUNDS = 3


@dataclass(frozen=True)
class Progress:
    """How far a pull has gone: for a join of a large review."""

    segments_read: int
    segments_total: int
    ops_read: int
    elapsed_s: float

    @property
    def seconds_left(self) -> float | None:
        if not self.segments_read or self.segments_read >= self.segments_total:
            return None
        rate = self.elapsed_s / self.segments_read
        return rate * (self.segments_total - self.segments_read)

    def text(self) -> str:
        line = (
            f"read {self.segments_read} of {self.segments_total} segments ({self.ops_read:,} ops)"
        )
        left = self.seconds_left
        if left is not None and self.elapsed_s >= 1:
            line += f", about {max(1, round(left))} s left"
        return line


@dataclass
class SyncReport:
    review: str
    reachable: bool = True
    pulled_ops: int = 0
    pulled_segments: int = 0
    pushed_ops: int = 0
    pushed_segments: int = 0
    repaired_segments: int = 0
    parked: int = 0
    conflicted: int = 0  # op ids that came with a second content in this sync
    pending: int = 0
    conflicts: int = 0
    forked_to: int | None = None
    clocks: list[ClockSkew] = field(default_factory=list)  # clocks far wrong (sync/clocks.py)
    rejected: int = 0  # segments refused so far (this sync's are also in problems)
    waiting: list[str] = field(default_factory=list)
    gaps: list[state.Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    finished_at: str = ""

    @property
    def moved(self) -> bool:
        return bool(self.pulled_ops or self.pushed_ops or self.repaired_segments)

    @property
    def stuck(self) -> list[state.Gap]:
        """Gaps that have outlasted a few syncs: worth a non-zero exit status."""
        return [gap for gap in self.gaps if gap.rounds >= STUCK_ROUNDS]

    def lines(self) -> list[str]:
        """What a person wants to read after a sync."""
        out: list[str] = []
        if not self.reachable and not self.pulled_ops:
            out.append("Share unreachable or unusable: nothing here was lost or changed.")
        else:
            if not self.reachable:
                out.append("Share unreachable or unusable part-way: nothing here was lost.")
            out.append(
                f"Received {self.pulled_ops} ops in {self.pulled_segments} segments; "
                f"sent {self.pushed_ops} ops in {self.pushed_segments} segments."
            )
        out.extend(f"problem: {skew.line()}" for skew in self.clocks)
        if self.repaired_segments:
            out.append(
                f"Wrote {self.repaired_segments} segments again that had gone from the share."
            )
        if self.pending:
            out.append(f"{self.pending} ops wait to be sent.")
        if self.parked:
            out.append(
                f"{self.parked} ops could not be applied (from a newer facilitator, or "
                "malformed): kept, not lost; the rest was applied."
            )
        if self.conflicted:
            out.append(
                f"{self.conflicted} ops came with the id of an op already held but other "
                "content (a faulty or hostile laptop, or a file-sync engine mixing versions): "
                "every version kept, none applied."
            )
        if self.forked_to is not None:
            out.append(
                "This laptop's history differs from what the share holds for it (restored "
                f"from a backup or cloned?): continuing as epoch {self.forked_to}; "
                "nothing was overwritten."
            )
        if self.conflicts:
            out.append(f"{self.conflicts} notes have conflicting edits to resolve.")
        out.extend(f"note: {n}" for n in self.notes)
        out.extend(f"waiting: {w}" for w in self.waiting)
        out.extend(f"waiting: {gap.text()}" for gap in self.gaps)
        out.extend(f"problem: {p}" for p in self.problems)
        earlier = self.rejected - sum("rejected" in p for p in self.problems)
        if earlier > 0:
            out.append(
                f"{earlier} damaged segments were refused in earlier syncs (left on the share "
                "untouched; read again when they change, or with 'sync --recheck')."
            )
        return out


@dataclass
class _Read:
    name: str
    parsed: SegmentName
    segment: Segment


_NEVER = object()  # no stamp recorded: the file was never refused nor found cut short
# How often files refused or found cut short are looked at again when there are many, and
# how often our own segments' sizes are checked.
RECHECK_STAMPS_S = 15.0
LOOK_EVERY_TIME = 200


def _stamp(path: Path) -> tuple[int, int] | None:
    """The size, and a fingerprint of the times and inode: tells a refused file that has
    changed since, even one put back with its old size and mtime (cp -p, rsync -t)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    changed = hash((found.st_mtime_ns, found.st_ctime_ns, found.st_ino)) & (2**62 - 1)
    return found.st_size, changed


class SyncEngine:
    """Keeps its view of the share in memory between syncs (the watch loop reuses it)."""

    def __init__(
        self,
        store: Store,
        review: str,
        folder: Path,
        data_key: bytes,
        *,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.store = store
        self.review = review
        self.folder = Path(folder)
        self.data_key = data_key
        self.progress = progress
        self._key_id = key_id(data_key)
        self._known: dict[tuple[str, int], set[str]] = defaultdict(set)
        self._held: dict[tuple[str, int], set[tuple[int, int]]] = defaultdict(set)
        # Files not taken in, with the stamp they had then: read again when it changes.
        self._refused: dict[str, tuple[int, int] | None] = {}
        self._incomplete: dict[str, tuple[int, int] | None] = {}
        self._own_sizes: dict[str, int] = {}  # our segments on the share, as written
        self._checked_at = -RECHECK_STAMPS_S  # when stamps and own sizes were last looked at
        self._ranges: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        # This round's files that are on the share and not (yet) taken in, by folder.
        self._unread: dict[tuple[str, int], list[SegmentName]] = {}
        self._gaps_open = True  # until a sync finds none: then no gap bookkeeping is read
        self._marks = state.marks(store, review)
        # Clocks (sync/clocks.py): the newest op held of another laptop (_NEVER: not read
        # yet), the files listed at our last look and when, the newest edit (wall ms, who)
        # of the files that appeared since, and whether our clock looked ahead.
        self._newest_other: object = _NEVER
        self._listed: set[str] = set()
        self._listed_at: float | None = None
        self._appeared: list[tuple[int, str]] = []
        self._ours_ahead: clocks.ClockSkew | None = None
        for record in state.files(store, review):
            device, epoch, name = record.name.split("/", 2)
            key = (device, int(epoch))
            if record.status == "rejected":
                self._refused[record.name] = record.stamp
                continue
            if record.status == "incomplete":
                self._incomplete[record.name] = record.stamp
                continue
            if device == store.device and record.stamp is not None:
                self._own_sizes[record.name] = record.stamp[0]
            self._known[key].add(name)
            parsed = parse_name(name)
            if parsed is None:
                continue
            self._held[key].add((parsed.first, parsed.last))
            if parsed.last > self._marks.get(key, 0):
                self._ranges[key].append((parsed.first, parsed.last))

    # --- the whole round ------------------------------------------------------------

    def sync(self, *, recheck: bool = False) -> SyncReport:
        """One round. ``recheck`` reads every file on the share again, known or refused."""
        report = SyncReport(self.review)
        listing: dict[tuple[str, int], list[str]] | None = None
        try:
            self._check_share()
            self._catch_up_marks()
            skipped: list[str] = []
            listing = list_segments(self.folder, skipped)
            report.problems.extend(skipped)
            due = recheck or time.monotonic() - self._checked_at >= RECHECK_STAMPS_S
            if due:
                self._checked_at = time.monotonic()
                self._check_own_sizes(listing)
            # A few files waiting are looked at every time (one arriving should be read as
            # soon as it is whole); thousands of junk files only every few seconds.
            look = due or len(self._refused) + len(self._incomplete) <= LOOK_EVERY_TIME
            # A pull makes tens of thousands of ops, rows and tuples that live until it
            # ends: the cyclic collector would trace them again and again, freeing
            # nothing (0.07 s of a 10,000-op pull's 0.5 s; more beside the app's objects).
            with collector_paused():
                self._pull(listing, report, recheck=recheck, look=look)
            self._repair(listing, report)
            self._push(report)
        except ShareProblem as exc:
            report.reachable = False
            report.problems.append(str(exc))
        except OSError as exc:
            report.reachable = False
            report.problems.append(f"shared folder {self.folder}: {exc.strerror or exc}")
        present = {f"{d}/{e}/{n}" for (d, e), names in (listing or {}).items() for n in names}
        if listing is not None:
            self._track_gaps(listing, report)
            self._check_clocks(present, report)
        report.pending = self.pending()
        report.conflicts = self.conflicts()
        report.rejected = len(present & self._refused.keys()) if listing else len(self._refused)
        report.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")
        return report

    def _check_clocks(self, listed: set[str], report: SyncReport) -> None:
        """Say whether another laptop's clock, or this one's, is far wrong (sync/clocks.py)."""
        now_ms = self.store.clock.physical_ms()
        if report.pulled_ops or self._newest_other is _NEVER:
            self._newest_other = self.store.newest_op_of_others(self.review)
        other = clocks.ahead(self._newest_other, now_ms)
        if other is not None:
            report.clocks.append(other)
        # Files that were not on the share at our last look (``listed`` is this look's),
        # a moment ago: just made.
        looked = time.monotonic()
        recent = self._listed_at is not None and looked - self._listed_at <= clocks.RECENT_LOOK_S
        if self._appeared and recent:
            wall, who = max(self._appeared)
            behind = now_ms - wall
            self._ours_ahead = (
                clocks.ClockSkew(who, behind, ours=True) if behind > clocks.BEHIND_MS else None
            )
        self._appeared = []
        self._listed, self._listed_at = listed, looked
        if self._ours_ahead is not None and other is None:
            report.clocks.append(self._ours_ahead)

    def _check_share(self) -> None:
        """The folder still holds this review under this key; else ShareProblem."""
        self._expect(read_share_info(self.folder))

    def _expect(self, info: ShareInfo) -> None:
        if info.review != self.review:
            raise ShareProblem(f"{self.folder} now holds another review")
        if info.key_id != self._key_id:
            raise ShareProblem(
                f"{self.folder} was shared again under another passphrase: "
                f"run 'facilitator review join {self.folder}'"
            )

    def _catch_up_marks(self) -> None:
        """Another process on this store (the app beside `facilitator sync`) may have
        moved the marks on; marks only ever rise."""
        for key, mark in state.marks(self.store, self.review).items():
            if mark > self._marks.get(key, 0):
                self._marks[key] = mark

    # --- pulling ----------------------------------------------------------------------

    def _pull(
        self,
        listing: dict[tuple[str, int], list[str]],
        report: SyncReport,
        *,
        recheck: bool,
        look: bool = True,
    ) -> None:
        """Read the files not taken in yet. ``look`` False: files refused or incomplete
        before are taken as unchanged without a stat each (thousands of junk files must
        not slow every half-second sync); they are looked at again every few seconds."""
        me = self.store.device
        todo: list[tuple[str, int, str, SegmentName]] = []
        self._unread = {}
        for (device, epoch), names in listing.items():
            known = self._known[(device, epoch)]
            for name in names if recheck else set(names) - known:
                parsed = parse_name(name)
                if parsed is None:
                    continue  # temp files, cloud-engine placeholders, desktop.ini ...
                todo.append((device, epoch, name, parsed))
        fresh: list[_Read] = []
        remembered: list[tuple[str, str, str, int | None, int | None]] = []
        incomplete: list[str] = []
        started, ops_read = time.monotonic(), 0
        for index, (device, epoch, name, parsed) in enumerate(sorted(todo)):
            rel = f"{device}/{epoch}/{name}"
            key = (device, epoch)
            path = device_folder(self.folder, device, epoch) / name
            before = self._refused.get(rel, self._incomplete.get(rel, _NEVER))
            if before is not _NEVER and not recheck:
                stamp = _stamp(path) if look else before
                if stamp == before:  # refused or cut short before, unchanged since
                    if rel in self._incomplete:
                        self._announce(key, parsed)
                        if (parsed.first, parsed.last) not in self._held[key]:
                            incomplete.append(rel)
                    elif self._known[key] or self._marks.get(key):
                        self._announce(key, parsed)  # a damaged file of a laptop we know
                    continue
            else:
                stamp = _stamp(path)
            try:
                segment = segments.decode(
                    segments.read_file(path),
                    self.data_key,
                    review=self.review,
                    device=device,
                    epoch=epoch,
                    name=parsed,
                )
            except OSError as exc:
                self._announce(key, parsed)
                report.waiting.append(f"{rel} cannot be read yet ({exc.strerror or exc})")
                continue
            except SegmentIncomplete as exc:
                if device == me and name in self._known[key]:
                    # Ours, written whole and now shorter: damaged, not arriving.
                    exc = SegmentRejected(f"cut short on the share ({exc})")
                else:
                    self._announce(key, parsed)
                    self._incomplete[rel] = stamp
                    size, mtime = stamp if stamp else (None, None)
                    remembered.append((rel, "incomplete", str(exc), size, mtime))
                    # A cut-short copy of a range already here is no news: say nothing.
                    if (parsed.first, parsed.last) not in self._held[key]:
                        incomplete.append(rel)
                    continue
                self._refuse(rel, key, name, stamp, exc, report, remembered)
                continue
            except SegmentTooNew as exc:
                report.problems.append(f"{rel}: {exc}; kept until you upgrade")
                continue
            except SegmentRejected as exc:
                self._refuse(rel, key, name, stamp, exc, report, remembered)
                continue
            if segment.overrun:
                report.notes.append(
                    f"{rel} holds {segment.overrun} ops beyond the range its name states "
                    "(written by an older facilitator); they were taken in"
                )
            fresh.append(_Read(rel, parsed, segment))
            if rel not in self._listed and device != me:
                # An edit stamped past a value it beat (it names it) tells nothing of
                # its laptop's clock.
                stamped = [op for op in segment.ops if RESOLVES not in op.fields]
                newest = max(stamped, key=lambda op: op.hlc, default=None)
                wall = clocks.wall_of(newest.hlc) if newest else None
                if newest is not None and wall is not None:
                    self._appeared.append((wall, newest.author or device))
            ops_read += len(segment.ops)
            if self.progress is not None:
                self.progress(Progress(index + 1, len(todo), ops_read, time.monotonic() - started))
        if len(incomplete) > 3:
            report.waiting.append(
                f"{len(incomplete)} files are incomplete (still arriving?), in "
                f"{len({rel.rsplit('/', 1)[0] for rel in incomplete})} folders; will retry"
            )
        else:
            report.waiting.extend(f"{rel} is incomplete; will retry" for rel in incomplete)
        if not fresh and not remembered:
            return
        self._check_fork([r.segment for r in fresh], report)
        # A transaction per batch: the store's lock is never held for long, so a note saved
        # on the UI thread waits at most one batch.
        batches: list[list[_Read]] = [[]]
        size = 0
        for read in fresh:
            if batches[-1] and size + len(read.segment.ops) > INGEST_BATCH_OPS:
                batches.append([])
                size = 0
            batches[-1].append(read)
            size += len(read.segment.ops)
        conflicted = self.store.conflicted_ops()
        for index, batch in enumerate(batches):
            ops: list[Op] = [op for r in batch for op in r.segment.ops]
            rows = [(r.name, "ok", "", None, None) for r in batch]
            if index == 0:
                rows += remembered
            with self.store.transaction():
                new, parked = self.store.ingest(ops)
                state.remember_files(self.store, self.review, rows)
                state.save_marks(self.store, self.review, self._note_ranges(batch))
            for read in batch:
                device, epoch, name = read.name.split("/", 2)
                key = (device, int(epoch))
                self._known[key].add(name)
                self._held[key].add((read.parsed.first, read.parsed.last))
                self._refused.pop(read.name, None)
                self._incomplete.pop(read.name, None)
            report.pulled_ops += new
            report.pulled_segments += len(batch)
            report.parked += parked
        report.conflicted += self.store.conflicted_ops() - conflicted

    def _announce(self, key: tuple[str, int], parsed: SegmentName) -> None:
        """A file on the share that says ops up to ``parsed.last`` exist and that is not
        taken in yet. Only canonical names count: a copy never announces more."""
        if not parsed.suffix:
            self._unread.setdefault(key, []).append(parsed)

    def _refuse(
        self,
        rel: str,
        key: tuple[str, int],
        name: str,
        stamp: tuple[int, int] | None,
        exc: Exception,
        report: SyncReport,
        remembered: list[tuple[str, str, str, int | None, int | None]],
    ) -> None:
        parsed = parse_name(name)
        if parsed is not None and (self._known[key] or self._marks.get(key)):
            # A damaged file of a laptop we know: its ops are missing until a good copy
            # comes. (Junk in a folder of nobody we know announces nothing.)
            self._announce(key, parsed)
        if self._refused.get(rel, _NEVER) != stamp:
            report.problems.append(f"{rel} rejected: {exc}")
        self._mark_refused(rel, key, name, stamp)
        size, mtime = stamp if stamp else (None, None)
        remembered.append((rel, "rejected", str(exc), size, mtime))

    def _mark_refused(
        self, rel: str, key: tuple[str, int], name: str, stamp: tuple[int, int] | None
    ) -> None:
        """Not taken in, as the file is now: read again only once it changes."""
        self._refused[rel] = stamp
        self._incomplete.pop(rel, None)
        self._known[key].discard(name)

    def _check_own_sizes(self, listing: dict[tuple[str, int], list[str]]) -> None:
        """Our own segments on the share still as long as we wrote them? One that is not
        was damaged after we wrote it: refused here, so that it is repaired."""
        me = self.store.device
        for (device, epoch), names in listing.items():
            if device != me:
                continue
            for name in names:
                rel = f"{device}/{epoch}/{name}"
                expected = self._own_sizes.get(rel)
                if expected is None:
                    continue
                stamp = _stamp(device_folder(self.folder, device, epoch) / name)
                if stamp is not None and stamp[0] != expected:
                    self._mark_refused(rel, (device, epoch), name, stamp)
                    self._own_sizes.pop(rel)

    def _note_ranges(self, fresh: list[_Read]) -> dict[tuple[str, int], int]:
        """Advance the high-water marks the new segments allow; returns the changed ones."""
        touched: dict[tuple[str, int], None] = {}
        for read in fresh:
            key = (read.segment.device, read.segment.epoch)
            self._ranges[key].append((read.parsed.first, read.parsed.last))
            touched[key] = None
        changed: dict[tuple[str, int], int] = {}
        for key in touched:
            mark = self._marks.get(key, 0)
            keep = []
            # In order of first seq: the mark runs on while ranges join up; from the first
            # gap on, every range waits (each starts, and so ends, beyond the mark).
            for first, last in sorted(self._ranges[key]):
                if first <= mark + 1:
                    mark = max(mark, last)
                else:
                    keep.append((first, last))
            self._ranges[key] = keep
            self._marks[key] = changed[key] = mark
        return changed

    def _track_gaps(self, listing: dict[tuple[str, int], list[str]], report: SyncReport) -> None:
        """Ops the share's listing announces for another laptop that are not here yet.

        Remembered across syncs (and processes), so a gap stays visible until it closes
        and `sync` can tell a file still arriving from one that never will.
        """
        me = self.store.device
        open_gaps: dict[tuple[str, int], tuple[int, int]] = {}
        # Files read before are held: only ranges waiting beyond the mark and files not
        # taken in can announce what is missing (no need to parse every name each time).
        for key in {*self._unread, *(k for k, ranges in self._ranges.items() if ranges)}:
            device, _epoch = key
            if device == me or key not in listing:
                continue  # our own are repaired, not waited for
            beyond = [first for first, _last in self._ranges.get(key, ())]
            announced = max(
                [last for _first, last in self._ranges.get(key, ())]
                + [p.last for p in self._unread.get(key, ())],
                default=0,
            )
            mark = self._marks.get(key, 0)
            if announced > mark:
                # The first hole: up to the next range already here, or to the last announced.
                open_gaps[key] = (mark + 1, min(beyond, default=announced + 1) - 1)
        if not open_gaps and not self._gaps_open:
            report.gaps = []
            return
        report.gaps = state.track_gaps(self.store, self.review, open_gaps, counted=report.reachable)
        self._gaps_open = bool(open_gaps)

    def _check_fork(self, found: list[Segment], report: SyncReport) -> None:
        """Other content under this laptop's own identity: move aside before taking it in."""
        store = self.store
        mine = [s for s in found if s.device == store.device and s.epoch >= store.epoch]
        if not mine:
            return
        with store.lock:
            have = held_ids(store.conn, [op.id for s in mine for op in s.ops])
        foreign = [op for s in mine for op in s.ops if op.id not in have]
        if not foreign:
            return
        current = [op.seq for op in foreign if op.epoch == store.epoch]
        # Only ops that never reached the share move: moving a published op would give it
        # two numberings. Published ops that share a seq with the other copy's stay beside
        # them (ops are identified by id).
        published = self._marks.get((store.device, store.epoch), 0)
        for segment in mine:  # our own segments from before a restore count as published
            if segment.epoch == store.epoch and all(op.id in have for op in segment.ops):
                published = max(published, segment.last)
        from_seq = max(min(current), published + 1) if current else store._next_seq
        above = max(op.epoch for op in foreign)
        # A small random jump: two clones forking at once rarely pick the same epoch.
        report.forked_to = store.fork_epoch(from_seq, above_epoch=above, jump=secrets.randbelow(8))

    # --- repairing --------------------------------------------------------------------

    def _repair(self, listing: dict[tuple[str, int], list[str]], report: SyncReport) -> None:
        """Write again what we sent and the share no longer holds intact: a segment that
        has gone, under the same name; one the share now holds damaged (a file-sync
        engine garbled our own copy, and would spread it), as a repaired copy beside it."""
        me = self.store.device
        for (device, epoch), names in list(self._known.items()):
            if device != me:
                continue
            present = set(listing.get((device, epoch), ()))
            for name in sorted(names - present):
                parsed = parse_name(name)
                if parsed is None or parsed.suffix:
                    continue  # a file-sync engine's copy: not ours to write
                if self._rewrite(epoch, parsed, "", report):
                    report.repaired_segments += 1
        for rel in sorted(self._refused):
            device, epoch_text, name = rel.split("/", 2)
            parsed = parse_name(name)
            if device != me or parsed is None or parsed.suffix:
                continue
            epoch = int(epoch_text)
            present = set(listing.get((device, epoch), ()))
            if name not in present or any(
                (copy.first, copy.last) == (parsed.first, parsed.last)
                for other in self._known[(device, epoch)] & present
                if (copy := parse_name(other))
            ):
                continue  # gone (repaired above), or a good copy is already there
            if self._rewrite(epoch, parsed, REPAIRED, report):
                report.repaired_segments += 1

    def _rewrite(self, epoch: int, parsed: SegmentName, suffix: str, report: SyncReport) -> bool:
        me = self.store.device
        ops = self.store.ops(
            "WHERE device = ? AND epoch = ? AND seq BETWEEN ? AND ? AND review = ?",
            (me, epoch, parsed.first, parsed.last, self.review),
        )
        ops.sort(key=lambda op: op.seq)
        if not ops:
            return False
        outcome = self._write(epoch, parsed.first, parsed.last, ops, report, suffix=suffix)
        return outcome == "written"

    # --- pushing ----------------------------------------------------------------------

    def _push(self, report: SyncReport) -> None:
        for epoch, done, top, ops in self._unsent():
            for first, last, chunk in _chunks(ops, done, top):
                if self._write(epoch, first, last, chunk, report, advance=True) is None:
                    break
                report.pushed_ops += len(chunk)
                report.pushed_segments += 1

    def _unsent(self) -> list[tuple[int, int, int, list[Op]]]:
        """(epoch, sent up to, top, this review's ops in between), read in one snapshot.

        ``top`` bounds the read: an op committed after it (by the UI thread, or by
        `note add` in another process) belongs to the next segment, never to this one.
        """
        store = self.store
        me = store.device
        out = []
        with store.lock:
            store.conn.execute("BEGIN")
            try:
                tops = store.conn.execute(
                    "SELECT epoch, max(seq) FROM ops WHERE device = ? GROUP BY epoch", (me,)
                ).fetchall()
                for epoch, top in tops:
                    done = self._marks.get((me, epoch), 0)
                    if top <= done:
                        continue
                    ops = read_ops(
                        store.conn,
                        "WHERE device = ? AND epoch = ? AND seq > ? AND seq <= ? AND review = ?",
                        (me, epoch, done, top, self.review),
                    )
                    ops.sort(key=lambda op: op.seq)
                    if ops:
                        out.append((epoch, done, top, ops))
            finally:
                store.conn.execute("COMMIT")
        return out

    def _write(
        self,
        epoch: int,
        first: int,
        last: int,
        ops: list[Op],
        report: SyncReport,
        *,
        advance: bool = False,
        suffix: str = "",
    ) -> str | None:
        """Put one segment on the share. Returns "written" once it is verifiably there,
        "there" if the very same segment was already (sent earlier by us), or None if a
        file of that name holds something else. ``advance`` moves the sent mark on to
        ``last`` in the same commit that records the file."""
        me = self.store.device
        name = segment_name(first, last).replace(SUFFIX, f"{suffix}{SUFFIX}")
        rel = f"{me}/{epoch}/{name}"
        data = encode(build(self.review, me, epoch, first, last, ops), self.data_key)
        self._check_share()  # still mounted, still this review: else nothing is written
        ensure_devices_root(self.folder, self._expect)
        folder = make_device_folder(self.folder, me, epoch)
        remove_stale_temps(folder)
        if write_new_file(folder / name, data):
            outcome = "written"
        elif name in self._known[(me, epoch)]:
            outcome = "there"
        else:
            # A clone's, or ours from before a crash: the next pull reads it and decides.
            report.waiting.append(f"{rel} already exists; checking next sync")
            return None
        self._check_share()  # the share did not vanish under the write
        size = len(data) if outcome == "written" else self._own_sizes.get(rel)
        with self.store.transaction():
            state.remember_files(self.store, self.review, [(rel, "ok", "", size, None)])
            if advance:
                state.save_marks(self.store, self.review, {(me, epoch): last})
        self._known[(me, epoch)].add(name)
        self._held[(me, epoch)].add((first, last))
        self._refused.pop(rel, None)
        if size is not None:
            self._own_sizes[rel] = size
        if advance:
            self._marks[(me, epoch)] = max(self._marks.get((me, epoch), 0), last)
        return outcome

    # --- status -------------------------------------------------------------------------

    def pending(self) -> int:
        """This review's ops made here and not yet in the shared folder."""
        store = self.store
        total = 0
        with store.lock:
            tops = store.conn.execute(
                "SELECT epoch FROM ops WHERE device = ? GROUP BY epoch", (store.device,)
            ).fetchall()
            for (epoch,) in tops:
                done = self._marks.get((store.device, epoch), 0)
                total += store.conn.execute(
                    "SELECT count(*) FROM ops WHERE device = ? AND epoch = ? AND seq > ? "
                    "AND review = ?",
                    (store.device, epoch, done, self.review),
                ).fetchone()[0]
        return total

    def conflicts(self) -> int:
        return self.store.count("notes", self.review, conflict=1)


def _chunks(ops: list[Op], done: int, top: int):
    """Consecutive (first, last, ops) runs tiling ``done+1 .. top``, each small enough."""
    first, start, size = done + 1, 0, 0
    for index, op in enumerate(ops):
        size += len(segments.op_line(op))
        count = index + 1 - start
        if index + 1 < len(ops) and (count >= MAX_SEGMENT_OPS or size >= segments.TARGET_PLAIN):
            yield first, op.seq, ops[start : index + 1]
            first, start, size = op.seq + 1, index + 1, 0
    yield first, top, ops[start:]
