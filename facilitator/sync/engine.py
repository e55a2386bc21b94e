"""One sync of one review with its shared folder: pull what is new, then push what is ours.

Safe by construction rather than by care:

- reading is idempotent by op id, so duplicated, reordered or "conflicted copy" files are
  harmless; a file that is short, unreadable or a cloud placeholder is "not yet" and is
  read again next time; a damaged, tampered or renamed file is rejected and reported;
- nothing on the share is ever deleted or rewritten, and nothing read from it (or missing
  from it) ever deletes anything locally;
- a laptop that finds other content under its own (device, epoch) — restored from a
  backup, or a cloned disk — moves its unshared ops to a new epoch before taking the
  share's in, so both histories survive.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from facilitator.store import Store
from facilitator.store.bulk import held_ids
from facilitator.store.oplog import Op
from facilitator.sync import state
from facilitator.sync.crypto import key_id
from facilitator.sync.layout import (
    ShareProblem,
    device_folder,
    list_segments,
    read_share_info,
    remove_stale_temps,
    write_new_file,
)
from facilitator.sync.segments import (
    Segment,
    SegmentIncomplete,
    SegmentName,
    SegmentRejected,
    SegmentTooNew,
    build,
    decode,
    encode,
    parse_name,
    segment_name,
)

# Largest run of ops written as one segment (keeps files small enough to move quickly).
MAX_SEGMENT_OPS = 5000
# Most ops taken in under one store transaction.
INGEST_BATCH_OPS = 5000


@dataclass
class SyncReport:
    review: str
    reachable: bool = True
    pulled_ops: int = 0
    pulled_segments: int = 0
    pushed_ops: int = 0
    pushed_segments: int = 0
    parked: int = 0
    pending: int = 0
    conflicts: int = 0
    forked_to: int | None = None
    rejected: int = 0  # segments refused so far (this sync's are also in problems)
    waiting: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    finished_at: str = ""

    @property
    def moved(self) -> bool:
        return bool(self.pulled_ops or self.pushed_ops)

    def lines(self) -> list[str]:
        """What a person wants to read after a sync."""
        out: list[str] = []
        if not self.reachable:
            out.append("Share unreachable: nothing was changed locally.")
        else:
            out.append(
                f"Received {self.pulled_ops} ops in {self.pulled_segments} segments; "
                f"sent {self.pushed_ops} ops in {self.pushed_segments} segments."
            )
        if self.pending:
            out.append(f"{self.pending} ops wait to be sent.")
        if self.parked:
            out.append(
                f"{self.parked} ops come from a newer facilitator: kept, applied after an upgrade."
            )
        if self.forked_to is not None:
            out.append(
                "This laptop's history differs from what the share holds for it (restored "
                f"from a backup or cloned?): continuing as epoch {self.forked_to}; "
                "nothing was overwritten."
            )
        if self.conflicts:
            out.append(f"{self.conflicts} notes have conflicting edits to resolve.")
        out.extend(f"waiting: {w}" for w in self.waiting)
        out.extend(f"problem: {p}" for p in self.problems)
        earlier = self.rejected - sum("rejected" in p for p in self.problems)
        if earlier > 0:
            out.append(
                f"{earlier} damaged or tampered segments were refused in earlier syncs "
                "(left on the share untouched)."
            )
        return out


@dataclass
class _Read:
    name: str
    parsed: SegmentName
    segment: Segment


def _read_regular(path: Path) -> bytes:
    """A file's bytes, refusing anything that is not a plain file (a FIFO would block)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


class SyncEngine:
    """Keeps its view of the share in memory between syncs (the watch loop reuses it)."""

    def __init__(self, store: Store, review: str, folder: Path, data_key: bytes) -> None:
        self.store = store
        self.review = review
        self.folder = Path(folder)
        self.data_key = data_key
        self._known: dict[tuple[str, int], set[str]] = defaultdict(set)
        self._ranges: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for rel in state.known_files(store, review):
            device, epoch, name = rel.split("/", 2)
            self._known[(device, int(epoch))].add(name)
        self._marks = state.marks(store, review)
        with store.lock:
            ok = store.conn.execute(
                "SELECT name FROM sync_files WHERE review = ? AND status = 'ok'", (review,)
            ).fetchall()
        for (rel,) in ok:
            device, epoch, name = rel.split("/", 2)
            parsed = parse_name(name)
            if parsed and parsed.last > self._marks.get((device, int(epoch)), 0):
                self._ranges[(device, int(epoch))].append((parsed.first, parsed.last))

    # --- the whole round ------------------------------------------------------------

    def sync(self) -> SyncReport:
        report = SyncReport(self.review)
        try:
            info = read_share_info(self.folder)
            if info.review != self.review:
                raise ShareProblem(f"{self.folder} now holds another review")
            if info.key_id != key_id(self.data_key):
                raise ShareProblem(
                    f"{self.folder} was shared again under another passphrase: "
                    f"run 'facilitator review join {self.folder}'"
                )
            self._pull(report)
            self._push(report)
        except ShareProblem as exc:
            report.reachable = False
            report.problems.append(str(exc))
        except OSError as exc:
            report.reachable = False
            report.problems.append(f"shared folder {self.folder}: {exc.strerror or exc}")
        report.pending = self.pending()
        report.conflicts = self.conflicts()
        report.rejected = len(state.rejected_files(self.store, self.review))
        report.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")
        return report

    # --- pulling ----------------------------------------------------------------------

    def _pull(self, report: SyncReport) -> None:
        fresh: list[_Read] = []
        remembered: list[tuple[str, str, str]] = []
        for (device, epoch), names in list_segments(self.folder).items():
            known = self._known[(device, epoch)]
            for name in set(names) - known:
                parsed = parse_name(name)
                if parsed is None:
                    continue  # temp files, cloud-engine placeholders, desktop.ini ...
                rel = f"{device}/{epoch}/{name}"
                path = device_folder(self.folder, device, epoch) / name
                try:
                    data = _read_regular(path)
                    segment = decode(
                        data,
                        self.data_key,
                        review=self.review,
                        device=device,
                        epoch=epoch,
                        name=parsed,
                    )
                except OSError as exc:
                    report.waiting.append(f"{rel} cannot be read yet ({exc.strerror or exc})")
                    continue
                except SegmentIncomplete as exc:
                    report.waiting.append(f"{rel} is incomplete ({exc}); will retry")
                    continue
                except SegmentTooNew as exc:
                    report.problems.append(f"{rel}: {exc}; kept until you upgrade")
                    continue
                except SegmentRejected as exc:
                    report.problems.append(f"{rel} rejected: {exc}")
                    remembered.append((rel, "rejected", str(exc)))
                    known.add(name)
                    continue
                fresh.append(_Read(rel, parsed, segment))
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
        for index, batch in enumerate(batches):
            ops: list[Op] = [op for r in batch for op in r.segment.ops]
            rows = [(r.name, "ok", "") for r in batch] + (remembered if index == 0 else [])
            with self.store.transaction():
                new, parked = self.store.ingest(ops)
                state.remember_files(self.store, self.review, rows)
                state.save_marks(self.store, self.review, self._note_ranges(batch))
            for read in batch:
                device, epoch, name = read.name.split("/", 2)
                self._known[(device, int(epoch))].add(name)
            report.pulled_ops += new
            report.pulled_segments += len(batch)
            report.parked += parked
        self._report_gaps(report)

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

    def _report_gaps(self, report: SyncReport) -> None:
        for (device, epoch), ranges in self._ranges.items():
            if ranges:
                mark = self._marks.get((device, epoch), 0)
                first = min(r[0] for r in ranges)
                report.waiting.append(
                    f"device {device} epoch {epoch}: ops {mark + 1}–{first - 1} not arrived yet"
                )

    def _check_fork(self, segments: list[Segment], report: SyncReport) -> None:
        """Other content under this laptop's own identity: move aside before taking it in."""
        store = self.store
        mine = [s for s in segments if s.device == store.device and s.epoch >= store.epoch]
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

    # --- pushing ----------------------------------------------------------------------

    def _push(self, report: SyncReport) -> None:
        store = self.store
        me = store.device
        with store.lock:
            tops = store.conn.execute(
                "SELECT epoch, max(seq) FROM ops WHERE device = ? GROUP BY epoch", (me,)
            ).fetchall()
        for epoch, top in tops:
            done = self._marks.get((me, epoch), 0)
            if top <= done:
                continue
            ops = store.ops(
                "WHERE device = ? AND epoch = ? AND seq > ? AND review = ?",
                (me, epoch, done, self.review),
            )
            if not ops:
                continue
            ops.sort(key=lambda op: op.seq)
            for start in range(0, len(ops), MAX_SEGMENT_OPS):
                chunk = ops[start : start + MAX_SEGMENT_OPS]
                first = done + 1
                last = top if start + MAX_SEGMENT_OPS >= len(ops) else chunk[-1].seq
                if not self._write(epoch, first, last, chunk, report):
                    break
                done = last

    def _write(self, epoch: int, first: int, last: int, ops: list[Op], report: SyncReport) -> bool:
        me = self.store.device
        name = segment_name(first, last)
        folder = device_folder(self.folder, me, epoch)
        data = encode(build(self.review, me, epoch, first, last, ops), self.data_key)
        remove_stale_temps(folder)
        if not write_new_file(folder / name, data):
            # Ours from before a crash, or a clone's: the next pull reads it and decides.
            report.waiting.append(f"{me}/{epoch}/{name} already exists; checking next sync")
            return False
        with self.store.transaction():
            state.remember_files(self.store, self.review, [(f"{me}/{epoch}/{name}", "ok", "")])
            state.save_marks(self.store, self.review, {(me, epoch): last})
        self._known[(me, epoch)].add(name)
        self._marks[(me, epoch)] = last
        report.pushed_ops += len(ops)
        report.pushed_segments += 1
        return True

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
