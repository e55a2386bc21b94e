"""Convergence proof: laptops that edit, sync partially and suffer the share's faults end,
after a full sync, with identical tables and every op that was committed anywhere.

Each laptop has its own copy of the shared folder (as OneDrive, Dropbox or Syncthing give
it); a carrier moves files between those copies and the "cloud" partially, out of order,
sometimes truncated first, sometimes as conflicted copies. Faults strike in the middle of
a sync, at any of its steps: the share is unmounted (and comes back), the process is
killed (and the laptop restarts), notes are saved by the UI thread or by `note add` in a
second process; segments are lost, or garbled and delivered intact later.

The invariant: once faults stop and everything has synced to quiescence, every op
committed on any laptop is on every laptop, and `store check` agrees.

CI runs a sample; the long profile (see bench/README.md) runs FACILITATOR_LONG=1 with
FACILITATOR_EXAMPLES schedules, ideally with TMPDIR on a RAM disk.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
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

from facilitator.dialogue import records as dialogue_records
from facilitator.hlc import wall_clock_ms
from facilitator.method import load_method
from facilitator.store import Store
from facilitator.store.variants import content as op_content
from facilitator.sync import SyncEngine, join_share, share_review
from facilitator.sync import engine as sync_engine
from facilitator.sync import segments as sync_segments
from facilitator.sync import state as sync_state
from facilitator.sync.layout import REVIEW_FILE, TEMP_PREFIX

PASS = "correct horse battery"
DAY_MS = 86_400_000
LONG = bool(os.environ.get("FACILITATOR_LONG"))
EXAMPLES = int(os.environ.get("FACILITATOR_EXAMPLES", "400" if LONG else "60"))
TEXTS = ("Visited at home", "Mother was worried", "School raised a concern", "[b]markup[/b]")
FACTORS = ("family", "team", "resources", "interagency")
METHOD = load_method()


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
        self.garbled: dict[str, bytes] = {}  # file -> the good bytes, delivered later
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


class Crash(BaseException):
    """The process is killed here: nothing after this line of the sync runs."""


# The steps of a sync where a fault can strike: just before or just after any of them.
FAULT_POINTS = (
    (sync_engine, "read_share_info"),
    (sync_engine, "list_segments"),
    (sync_engine, "read_ops"),
    (sync_segments, "read_file"),
    (sync_state, "remember_files"),
    (sync_state, "save_marks"),
    (sync_engine, "make_device_folder"),
    (sync_engine, "encode"),
    (sync_engine, "write_new_file"),
)


@contextmanager
def fault_at(point: str, after: bool, occurrence: int, action: Callable[[], None]):
    """Run ``action`` just before (or after) the ``occurrence``-th call of the step named
    ``point`` in the sync inside the block. Yields [fired]."""
    counter, fired = [0], [False]
    saved = []
    for module, name in FAULT_POINTS:
        real = getattr(module, name)
        if name != point:
            continue

        def wrapper(*args, _real=real, **kwargs):  # noqa: ANN002, ANN003, ANN202
            counter[0] += 1
            strike = counter[0] == occurrence and not fired[0]
            if strike and not after:
                fired[0] = True
                action()
            result = _real(*args, **kwargs)
            if strike and after:
                fired[0] = True
                action()
            return result

        saved.append((module, name, real))
        setattr(module, name, wrapper)
    try:
        yield fired
    finally:
        for module, name, real in saved:
            setattr(module, name, real)


def _files(folder: Path) -> dict[str, Path]:
    # os.walk rather than Path.rglob: the machine lists every copy of the share several
    # times a step, and rglob took a quarter of a long run.
    found: dict[str, Path] = {}
    for top, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(top, name)
            if not name.startswith(TEMP_PREFIX) and os.path.isfile(path):
                found[os.path.relpath(path, folder)] = Path(path)
    return found


def _op_ids(store: Store) -> set[str]:
    """The ids in a laptop's op log. Read as bare ids: the machine asks after every step,
    and parsing every op there took most of a long run's time."""
    with store.lock:
        return {row[0] for row in store.conn.execute("SELECT id FROM ops")}


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
        self.forged = 0  # ops the forger has written

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
            self.committed |= _op_ids(laptop.store)

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

    def _deliver(self, laptop: Laptop) -> None:
        """The file-sync engine finally delivers the good bytes of garbled files."""
        for rel, good in laptop.garbled.items():
            (laptop.view / rel).write_bytes(good)
        laptop.garbled.clear()

    def _full_sync_and_check(self) -> None:
        for laptop in self.laptops:
            self._deliver(laptop)
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
        # Every version of an op id that came with two contents is kept everywhere.
        versions = {(op.id, op_content(op)) for op in first.all_op_versions()}
        for laptop in self.laptops:
            assert {(op.id, op_content(op)) for op in laptop.store.all_op_versions()} == versions
        for laptop in self.laptops:
            assert {op.id for op in laptop.store.ops()} == self.committed, laptop.root.name
            assert laptop.store.snapshot() == expected, laptop.root.name
            # After restores and clones an op can sit in the share under one (epoch, seq)
            # and here under another: the check counts both, so no false gap either.
            check = laptop.store.check()
            assert check.ok, check.problems
        self._check_segment_names()

    def _check_segment_names(self) -> None:
        """Every segment written holds exactly the ops its name states (readers forgive an
        overrun, so only this check sees a writer that makes one)."""
        key = sync_state.load_key(self.laptops[0].store, self.review)
        for rel, path in _files(self.cloud).items():
            if sync_segments.parse_name(path.name) is None or "intruder" in rel:
                continue
            found = self._decode(rel, path, key)
            if found is not None:  # else a garbled or cut-short copy
                assert found.overrun == 0, rel

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

    @rule(
        index=st.integers(0, 3),
        what=st.sampled_from(("draft", "send", "comment", "answer", "meeting")),
        pick=st.integers(0, 50),
    )
    def dialogue(self, index: int, what: str, pick: int) -> None:
        """The dialogue with participants: drafts (frozen whole in one op), sends, comments,
        answers (one per comment, so two laptops answering race) and group meetings."""
        store = self._laptop(index).store
        drafts = dialogue_records.drafts(store, self.review)
        comments = dialogue_records.comments(store, self.review)
        person = self.conversation.participant
        if what == "draft":
            kind = ("preliminary", "interim", "final")[pick % 3]
            # Any order (force): laptops that have not synced may freeze out of order.
            dialogue_records.freeze_draft(store, METHOD, self.review, kind, force=True)
        elif what == "send" and drafts:
            draft = drafts[pick % len(drafts)]
            dialogue_records.record_send(store, self.review, draft.id, person, None)
        elif what == "comment" and drafts:
            draft = drafts[pick % len(drafts)]
            fields = {"draft": draft.id, "participant": person, "text": TEXTS[pick % 4]}
            dialogue_records.add_comment(store, self.review, fields)
        elif what == "answer" and comments:
            comment = comments[pick % len(comments)]
            response = ("accepted", "noted", "declined")[pick % 3]
            dialogue_records.respond(store, self.review, comment.id, response, "Out of scope")
        elif what == "meeting":
            dialogue_records.new_meeting(store, self.review, "preliminary", "2026-03-04", [person])
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

    def _save_later(self, laptop: Laptop, *, second_process: bool) -> threading.Thread:
        """Notes saved while the sync runs: by the UI thread on the same store, or by
        `note add` in a second process (its own connection to the same file). Each waits
        for the store's lock as the real ones would."""

        def save() -> None:
            if second_process:
                with Store(laptop.path, author=laptop.store.author, wall_ms=laptop.wall) as other:
                    for n in range(2):
                        other.add_note(
                            other.conversation(self.conversation.id), f"Saved by note add {n}"
                        )
            else:
                store = laptop.store
                for n in range(2):
                    store.add_note(store.conversation(self.conversation.id), f"Typed {n}")

        return threading.Thread(target=save)

    @rule(
        index=st.integers(0, 3),
        point=st.sampled_from([name for _module, name in FAULT_POINTS]),
        after=st.booleans(),
        occurrence=st.integers(1, 3),
        fault=st.sampled_from(("unmount", "crash", "ui_thread", "second_process")),
    )
    def fault_during_sync(
        self, index: int, point: str, after: bool, occurrence: int, fault: str
    ) -> None:
        laptop = self._laptop(index)
        hidden = laptop.root / "unmounted"
        savers: list[threading.Thread] = []

        def strike() -> None:
            if fault == "unmount":
                laptop.view.rename(hidden)
                laptop.view.mkdir()  # the bare mount point
            elif fault == "crash":
                raise Crash
            else:
                saver = self._save_later(laptop, second_process=fault == "second_process")
                if fault == "second_process" and laptop.store._pending is None:
                    saver.run()  # its own connection: it need not wait for a read to end
                else:
                    savers.append(saver)
                    saver.start()

        crashed = False
        with fault_at(point, after, occurrence, strike) as fired:
            try:
                laptop.sync(self.review)
            except Crash:
                crashed = True
        for saver in savers:
            saver.join()
        if fault == "unmount" and fired[0]:
            assert not any(laptop.view.iterdir()), "wrote into the bare mount point"
            laptop.view.rmdir()
            hidden.rename(laptop.view)
        if crashed:  # killed: the laptop restarts with what the store file holds
            laptop.store.close()
            laptop.reopen()
        self._record()

    @rule(
        index=st.integers(0, 3),
        point=st.sampled_from(("read_ops", "encode", "write_new_file", "save_marks")),
        after=st.booleans(),
        second_process=st.booleans(),
    )
    def save_during_push(self, index: int, point: str, after: bool, second_process: bool) -> None:
        """Notes saved between the steps of a push: the moment that lost notes before."""
        laptop = self._laptop(index)
        laptop.store.add_note(laptop.store.conversation(self.conversation.id), "Before push")
        self.fault_during_sync(
            index, point, after, 1, "second_process" if second_process else "ui_thread"
        )

    @rule(index=st.integers(0, 3), seed=st.integers(0, 2**16), where=st.booleans())
    def lose_segment(self, index: int, seed: int, where: bool) -> None:
        """A file-sync engine loses a segment, from one laptop's view or from the cloud.

        Only a segment whose writer still holds its ops: only a segment's writer may write
        it again, so one lost from the share after its writer lost them too (restored from
        an older backup) is beyond any repair, and beyond what is promised."""
        folder = self._laptop(index).view if where else self.cloud
        found = sorted(rel for rel in _files(folder) if rel.endswith(".seg"))
        if not found:
            return
        rel = random.Random(seed).choice(found)
        if self._writer_holds(rel, folder / rel):
            (folder / rel).unlink()

    def _decode(self, rel: str, path: Path, key: bytes | None):  # noqa: ANN202
        """The segment at ``rel`` (devices/<device>/<epoch>/<name>), or None if it is not
        a whole, authentic one."""
        _devices, device, epoch, name = rel.split("/", 3)
        parsed = sync_segments.parse_name(name)
        if parsed is None or not epoch.isdigit():
            return None
        try:
            return sync_segments.decode(
                path.read_bytes(),
                key or b"",
                review=self.review,
                device=device,
                epoch=int(epoch),
                name=parsed,
            )
        except (sync_segments.SegmentIncomplete, sync_segments.SegmentRejected):
            return None

    def _writer_holds(self, rel: str, path: Path) -> bool:
        key = sync_state.load_key(self.laptops[0].store, self.review)
        found = self._decode(rel, path, key)
        if found is None:
            return True  # damaged or junk: losing it loses nothing
        device = found.device
        ids = {op.id for op in found.ops}
        return any(
            ids <= _op_ids(laptop.store) for laptop in self.laptops if laptop.store.device == device
        )

    @rule(index=st.integers(0, 3), seed=st.integers(0, 2**16))
    def garble_segment(self, index: int, seed: int) -> None:
        """Another laptop's segment arrives garbled here; the good bytes come later."""
        laptop = self._laptop(index)
        rnd = random.Random(seed)
        own = f"devices/{laptop.store.device}/"
        found = sorted(
            rel
            for rel in _files(laptop.view)
            if rel.endswith(".seg") and not rel.startswith(own) and rel not in laptop.garbled
        )
        if not found:
            return
        rel = rnd.choice(found)
        good = (laptop.view / rel).read_bytes()
        bad = bytearray(good)
        bad[rnd.randrange(len(bad))] ^= 1 << rnd.randrange(8)
        laptop.garbled[rel] = good
        (laptop.view / rel).write_bytes(bytes(bad))

    @rule(index=st.integers(0, 3))
    def deliver_good_bytes(self, index: int) -> None:
        self._deliver(self._laptop(index))

    @rule(index=st.integers(0, 3), seed=st.integers(0, 2**16))
    def garbage_segment(self, index: int, seed: int) -> None:
        rnd = random.Random(seed)
        laptop = self._laptop(index)
        folder = laptop.view / "devices" / "intruder" / "1"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{rnd.randrange(1, 99):012d}-{99:012d}.seg"
        (folder / name).write_bytes(b"FSEG" + rnd.randbytes(rnd.randrange(0, 200)))

    @rule(index=st.integers(0, 3), seed=st.integers(0, 2**16))
    def forged_ops(self, index: int, seed: int) -> None:
        """A hostile or faulty client writes a well-formed segment of made-up ops: one
        op id of a laptop's with other content, a "set" that deletes a note, and a
        revision id added again with other text. Laptops meet them in any order."""
        rnd = random.Random(seed)
        laptop = self._laptop(index)
        ops = laptop.store.ops()
        victim = rnd.choice(ops)
        note = rnd.choice(self._notes(laptop))
        revision = rnd.choice([op for op in ops if op.entity == "revision"])
        made = [
            replace(victim, fields={**victim.fields, "text": f"forged {seed}"}, fields_json=None),
            replace(
                victim,
                id=f"forged-set-{seed}",
                entity="note",
                entity_id=note.id,
                action="set",
                fields={"tombstone": 1, "deleted": 1, "deleted_seen": list(note.heads)},
                fields_json=None,
            ),
            replace(
                revision,
                id=f"forged-rev-{seed}",
                fields={**revision.fields, "text": f"forged {seed}"},
                fields_json=None,
            ),
        ]
        first = self.forged + 1
        made = [replace(op, device="forger", epoch=1, seq=first + n) for n, op in enumerate(made)]
        self.forged += len(made)
        key = sync_state.load_key(laptop.store, self.review)
        assert key
        segment = sync_segments.build(self.review, "forger", 1, first, self.forged, made)
        folder = laptop.view / "devices" / "forger" / "1"
        folder.mkdir(parents=True, exist_ok=True)
        name = sync_segments.segment_name(first, self.forged)
        (folder / name).write_bytes(sync_segments.encode(segment, key))

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
        clone.garbled = dict(source.garbled)
        assert clone.store.device == source.store.device
        self.laptops.append(clone)

    @invariant()
    def typing_never_lost_locally(self) -> None:
        for laptop in self.laptops:
            assert _op_ids(laptop.store), laptop.root.name


Convergence.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40 if LONG else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConvergence = Convergence.TestCase
