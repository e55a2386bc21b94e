"""Convergence proof: laptops that edit, sync partially and suffer the share's faults end,
after a full sync, with identical tables and every op that was committed anywhere.

Each laptop has its own copy of the shared folder (as OneDrive, Dropbox or Syncthing give
it); a carrier moves files between those copies and the "cloud" partially, out of order,
sometimes truncated first, sometimes as conflicted copies. Set FACILITATOR_LONG=1 for a
long run (or run bench/bench_sync.py --convergence).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from facilitator.hlc import wall_clock_ms
from facilitator.store import Store
from facilitator.sync import SyncEngine, join_share, share_review
from facilitator.sync import state as sync_state
from facilitator.sync.layout import REVIEW_FILE, TEMP_PREFIX

PASS = "correct horse battery"
DAY_MS = 86_400_000
LONG = bool(os.environ.get("FACILITATOR_LONG"))
TEXTS = ("Visited at home", "Mother was worried", "School raised a concern", "[b]markup[/b]")
FACTORS = ("family", "team", "resources", "interagency")


class Wall:
    def __init__(self, offset_ms: int) -> None:
        self.offset_ms = offset_ms

    def __call__(self) -> int:
        return wall_clock_ms() + self.offset_ms


class Laptop:
    def __init__(self, root: Path, name: str, offset_ms: int) -> None:
        self.root = root / name
        self.root.mkdir(parents=True)
        self.view = self.root / "share"
        self.path = self.root / "store.db"
        self.wall = Wall(offset_ms)
        self.store = Store(self.path, author=name, wall_ms=self.wall)
        self.truncated: set[str] = set()
        self.backup: Path | None = None
        self.engine: SyncEngine | None = None

    def reopen(self) -> None:
        self.store = Store(self.path, author=self.store.author, wall_ms=self.wall)
        self.engine = None

    def sync(self, review: str):
        if self.engine is None:
            self.engine = SyncEngine(
                self.store, review, self.view, sync_state.load_key(self.store, review) or b""
            )
        return self.engine.sync()


def _files(folder: Path) -> dict[str, Path]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(TEMP_PREFIX)
    }


def _conflict_name(rel: str, who: str) -> str:
    stem, _, ext = rel.rpartition(".")
    return f"{stem}-{who}.{ext}"


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="sync-convergence-"))
        self.cloud = self.tmp / "cloud"
        self.laptops: list[Laptop] = []
        self.committed: set[str] = set()
        self.review = ""
        self.conversation = None
        self.episode = ""

    # --- set-up -------------------------------------------------------------------------

    @initialize(
        count=st.integers(2, 4),
        skews=st.lists(st.integers(-2 * DAY_MS, 2 * DAY_MS), min_size=4, max_size=4),
    )
    def setup(self, count: int, skews: list[int]) -> None:
        first = Laptop(self.tmp, "laptop0", skews[0])
        store = first.store
        self.review = store.create_review("Fictional review")
        person = store.add_participant(self.review, role="Teacher", agency="School")
        self.conversation = store.conversation(store.new_conversation(self.review, person))
        store.start_conversation(self.conversation)
        self.episode = store.create_episode(self.review, "Home visit")
        store.add_note(self.conversation, "First account")
        share_review(store, self.review, first.view, PASS, scrypt_n=2**4)
        self.laptops.append(first)
        self._carry(first, random.Random(0), every=True)
        for index in range(1, count):
            laptop = Laptop(self.tmp, f"laptop{index}", skews[index])
            shutil.copytree(self.cloud, laptop.view)
            join_share(laptop.store, laptop.view, PASS)
            self.laptops.append(laptop)
        self._record()

    def teardown(self) -> None:
        try:
            if self.laptops:
                self._full_sync_and_check()
        finally:
            for laptop in self.laptops:
                laptop.store.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------

    def _record(self) -> None:
        for laptop in self.laptops:
            self.committed |= {op.id for op in laptop.store.ops()}

    def _laptop(self, index: int) -> Laptop:
        return self.laptops[index % len(self.laptops)]

    def _notes(self, laptop: Laptop):
        return laptop.store.notes(review=self.review, include_deleted=True)

    def _carry(self, laptop: Laptop, rnd: random.Random, *, every: bool = False) -> None:
        """Move files between one laptop's copy of the share and the cloud."""
        who = laptop.root.name
        self.cloud.mkdir(exist_ok=True)
        cloud = _files(self.cloud)
        for rel, path in _files(laptop.view).items():
            if rel in laptop.truncated or not (every or rnd.random() < 0.6):
                continue
            data = path.read_bytes()
            if rel not in cloud:
                target = self.cloud / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            elif cloud[rel].read_bytes() != data and rel != REVIEW_FILE:
                (self.cloud / _conflict_name(rel, who)).write_bytes(data)
        mine = _files(laptop.view)
        for rel, path in _files(self.cloud).items():
            if not (every or rnd.random() < 0.6):
                continue
            data = path.read_bytes()
            target = laptop.view / rel
            if rel in laptop.truncated:
                target.write_bytes(data)
                laptop.truncated.discard(rel)
            elif rel not in mine:
                target.parent.mkdir(parents=True, exist_ok=True)
                if not every and rnd.random() < 0.2:
                    target.write_bytes(data[: rnd.randrange(len(data))])
                    laptop.truncated.add(rel)
                else:
                    target.write_bytes(data)
                    if rnd.random() < 0.1 and rel.endswith(".seg"):  # a duplicate copy
                        (laptop.view / _conflict_name(rel, "COPY")).write_bytes(data)
            elif mine[rel].read_bytes() != data and rel != REVIEW_FILE:
                (laptop.view / _conflict_name(rel, "CLOUD")).write_bytes(data)

    def _full_sync_and_check(self) -> None:
        rnd = random.Random(1)
        for _ in range(8):
            for laptop in self.laptops:
                report = laptop.sync(self.review)
                assert report.reachable, report.problems
                self._carry(laptop, rnd, every=True)
        for laptop in self.laptops:
            laptop.sync(self.review)
        self._record()
        first = self.laptops[0].store
        expected = first.snapshot()
        for laptop in self.laptops:
            assert {op.id for op in laptop.store.ops()} == self.committed, laptop.root.name
            assert laptop.store.snapshot() == expected, laptop.root.name
            # After restores and clones an op can sit in the share under one (epoch, seq)
            # and here under another: the check counts both, so no false gap either.
            check = laptop.store.check()
            assert check.ok, check.problems

    # --- edits ---------------------------------------------------------------------------------

    @rule(index=st.integers(0, 3), text=st.sampled_from(TEXTS))
    def add_note(self, index: int, text: str) -> None:
        laptop = self._laptop(index)
        conversation = laptop.store.conversation(self.conversation.id)
        laptop.store.add_note(conversation, text, factors=[FACTORS[len(text) % 4]])
        self._record()

    @rule(index=st.integers(0, 3), pick=st.integers(0, 50), text=st.sampled_from(TEXTS))
    def revise_note(self, index: int, pick: int, text: str) -> None:
        laptop = self._laptop(index)
        notes = self._notes(laptop)
        note = notes[pick % len(notes)]
        laptop.store.revise_note(note, f"{note.text} / {text}")
        self._record()

    @rule(index=st.integers(0, 3), pick=st.integers(0, 50))
    def resolve_conflict(self, index: int, pick: int) -> None:
        laptop = self._laptop(index)
        conflicts = [n for n in self._notes(laptop) if n.conflict]
        if conflicts:
            note = conflicts[pick % len(conflicts)]
            laptop.store.revise_note(note, "merged", parents=note.heads)
            self._record()

    @rule(index=st.integers(0, 3), pick=st.integers(0, 50), present=st.booleans())
    def link(self, index: int, pick: int, present: bool) -> None:
        laptop = self._laptop(index)
        notes = self._notes(laptop)
        note = notes[pick % len(notes)]
        laptop.store.link(self.review, note.id, "episode", self.episode, present=present)
        self._record()

    @rule(index=st.integers(0, 3), stage=st.integers(1, 9))
    def set_stage(self, index: int, stage: int) -> None:
        laptop = self._laptop(index)
        laptop.store.set_stage(laptop.store.conversation(self.conversation.id), stage)
        self._record()

    @rule(index=st.integers(0, 3), title=st.sampled_from(("Review A", "Review B", "Review C")))
    def retitle(self, index: int, title: str) -> None:
        self._laptop(index).store.update(self.review, "review", self.review, title=title)
        self._record()

    @rule(index=st.integers(0, 3), pick=st.integers(0, 50), restore=st.booleans())
    def delete_or_restore(self, index: int, pick: int, restore: bool) -> None:
        laptop = self._laptop(index)
        notes = self._notes(laptop)
        note = notes[pick % len(notes)]
        if restore:
            laptop.store.restore(self.review, "note", note.id)
        else:
            laptop.store.delete(self.review, "note", note.id)
        self._record()

    # --- syncing and faults ---------------------------------------------------------------------

    @rule(index=st.integers(0, 3))
    def sync(self, index: int) -> None:
        report = self._laptop(index).sync(self.review)
        assert report.reachable, report.problems
        self._record()

    @rule(index=st.integers(0, 3), seed=st.integers(0, 2**16))
    def carry(self, index: int, seed: int) -> None:
        self._carry(self._laptop(index), random.Random(seed))

    @rule(index=st.integers(0, 3))
    def sync_while_unmounted(self, index: int) -> None:
        laptop = self._laptop(index)
        hidden = laptop.root / "unmounted"
        laptop.view.rename(hidden)
        before = laptop.store.snapshot()
        report = laptop.sync(self.review)
        assert not report.reachable and laptop.store.snapshot() == before
        hidden.rename(laptop.view)

    @rule(index=st.integers(0, 3), seed=st.integers(0, 2**16))
    def garbage_segment(self, index: int, seed: int) -> None:
        rnd = random.Random(seed)
        laptop = self._laptop(index)
        folder = laptop.view / "devices" / "intruder" / "1"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{rnd.randrange(1, 99):012d}-{99:012d}.seg"
        (folder / name).write_bytes(b"FSEG" + rnd.randbytes(rnd.randrange(0, 200)))

    @rule(index=st.integers(0, 3), back_ms=st.integers(0, 2 * DAY_MS))
    def clock_jumps_back(self, index: int, back_ms: int) -> None:
        self._laptop(index).wall.offset_ms -= back_ms

    @rule(index=st.integers(0, 3))
    def take_backup(self, index: int) -> None:
        laptop = self._laptop(index)
        laptop.store.conn.execute("PRAGMA wal_checkpoint(FULL)")
        laptop.backup = laptop.root / "backup.db"
        shutil.copy(laptop.path, laptop.backup)

    @precondition(lambda self: any(lap.backup for lap in self.laptops))
    @rule(index=st.integers(0, 3))
    def restore_from_backup(self, index: int) -> None:
        laptop = next(
            lap for lap in self.laptops[index:] + self.laptops[:index] if lap.backup is not None
        )
        # The laptop's work reached the share before it was lost; only then is nothing lost.
        assert laptop.sync(self.review).pending == 0
        self._carry(laptop, random.Random(0), every=True)
        laptop.store.close()
        for suffix in ("-wal", "-shm"):
            Path(str(laptop.path) + suffix).unlink(missing_ok=True)
        assert laptop.backup is not None
        shutil.copy(laptop.backup, laptop.path)
        laptop.reopen()

    @precondition(lambda self: len(self.laptops) < 4)
    @rule(index=st.integers(0, 3))
    def clone_laptop(self, index: int) -> None:
        source = self._laptop(index)
        source.store.conn.execute("PRAGMA wal_checkpoint(FULL)")
        clone = Laptop.__new__(Laptop)
        clone.root = self.tmp / f"clone{len(self.laptops)}"
        shutil.copytree(source.root, clone.root)
        for suffix in ("-wal", "-shm"):
            Path(str(clone.root / "store.db") + suffix).unlink(missing_ok=True)
        clone.view, clone.path = clone.root / "share", clone.root / "store.db"
        # Ahead of every other clock, so the clones' clocks never issue the same value.
        clone.wall = Wall(3 * DAY_MS + 1000 * len(self.laptops))
        clone.store = Store(clone.path, author=source.store.author, wall_ms=clone.wall)
        clone.truncated, clone.backup, clone.engine = set(source.truncated), None, None
        assert clone.store.device == source.store.device
        self.laptops.append(clone)

    @invariant()
    def typing_never_lost_locally(self) -> None:
        for laptop in self.laptops:
            held = {op.id for op in laptop.store.ops()}
            assert held, laptop.root.name


Convergence.TestCase.settings = settings(
    max_examples=400 if LONG else 60,
    stateful_step_count=40 if LONG else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConvergence = Convergence.TestCase
