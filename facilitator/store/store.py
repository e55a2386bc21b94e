"""The local review store: every change is an op appended to the log and applied to the
materialised tables in the same durable transaction.

A :class:`Store` is safe to share between threads (one connection guarded by a lock), so
the TUI can commit from a worker thread while the UI thread reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import string
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from facilitator.hlc import COUNTER_DIGITS, HybridClock, Timestamp, wall_clock_ms
from facilitator.model import (
    PARTICIPANT_KINDS,
    CheckReport,
    Conversation,
    Document,
    Draft,
    Episode,
    FollowUp,
    Note,
    Participant,
    Review,
    Revision,
    StageEvent,
)
from facilitator.store import bulk, local, materialise, queries, variants
from facilitator.store.db import (
    DISK_FULL,
    NOTE_DERIVED,
    StoreError,
    connect,
    damaged_message,
    default_store_path,
    discard_new,
    disk_full_message,
    identify,
    is_disk_full,
    migrate,
)
from facilitator.store.entities import ENTITIES, MATERIALISED_TABLES
from facilitator.store.oplog import Op, insert_op, read_ops, read_ops_since, record_aliases
from facilitator.store.stray_log import STAMP_SQL, TAG_KEY, next_tag, set_aside_logs

AUTHOR_ENV = "FACILITATOR_AS"
# Batches of remote ops at least this large take the set-based path (store/bulk.py).
BULK_INGEST = 64
# Key of a set op's fields naming the ops whose values it settles (materialise ignores
# keys that are not fields): a choice made on the conflicts screen, or an edit of a value
# stamped by a clock far ahead (Store.emit).
RESOLVES = "_resolves"


# The reviewer's name, asked once and kept per store (never synced): what notes, comments
# and REFI-QDA users show. The computer's login ("root" in many set-ups) names nobody.
REVIEWER_SETTING = "reviewer"


def now_iso(clock: Callable[[], datetime] | None = None) -> str:
    """Local wall-clock time, ISO 8601 with its UTC offset, to the millisecond."""
    moment = clock() if clock else datetime.now().astimezone()
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="milliseconds")


def deterministic_id(*parts: object) -> str:
    """An id that depends only on ``parts``: two devices making "the same" entity (a link,
    a tick, a ranking, an agenda item) independently make one entity, not two."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def link_id(source: str, target_kind: str, target: str, relation: str = "") -> str:
    return deterministic_id(source, target_kind, target, relation)


def new_id() -> str:
    """A random (version 4) UUID as 32 hex digits, exactly as ``uuid.uuid4().hex`` makes
    it, without building the UUID object (a note takes four ids)."""
    value = int.from_bytes(os.urandom(16), "big")
    value = (value & _UUID4_CLEAR) | _UUID4_SET
    return f"{value:032x}"


# uuid.UUID(version=4): the version nibble 4, the variant bits 10 (RFC 4122).
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


class Store:
    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        author: str | None = None,
        wall_ms: Callable[[], int] = wall_clock_ms,
        now: Callable[[], datetime] | None = None,
        create: bool = True,
    ) -> None:
        """``create``: make the store if there is none at ``path`` (False for commands
        that only read, so a mistyped path says so instead of starting an empty store)."""
        self.path = Path(path) if path else default_store_path()
        self._named = author or os.environ.get(AUTHOR_ENV) or ""
        self._now = now
        self._lock = threading.RLock()
        # notice: one line the user should see (a log not this store's was set aside).
        self.conn, self.read_only, created, self.notice = connect(self.path, create=create)
        try:
            migrate(self.conn, read_only=self.read_only)
        except BaseException as exc:
            self.conn.close()
            if created:
                discard_new(self.path)
            if isinstance(exc, sqlite3.DatabaseError):
                if is_disk_full(exc):
                    raise StoreError(disk_full_message(self.path)) from exc
                raise StoreError(f"{self.path} is not a facilitator store ({exc})") from exc
            raise
        # Given for this run (--as, FACILITATOR_AS), else the name this store was told.
        self.author: str = self._named or self.setting(REVIEWER_SETTING) or ""
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        self.device: str = meta["device"]
        self.epoch = int(meta["epoch"])
        self._next_seq = int(meta["next_seq"])
        last = Timestamp.decode(meta["hlc"]) if meta.get("hlc") else None
        self.clock = HybridClock(self.device, last=last, wall=wall_ms)
        self._pending: list[Op] | None = None
        self._held_identity: dict[str, str] = {}  # meta as read under the write lock
        self._on_commit: list[Callable[[], None]] = []

    def on_local_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the committing thread, after the commit) whenever ops made
        here are committed: background sync pushes them at once. Keep it to a flag or an
        event: it runs on whatever thread saved the note."""
        self._on_commit.append(listener)

    # --- lifecycle ----------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now_iso(self) -> str:
        return now_iso(self._now)

    # --- writing ops --------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[list[Op]]:
        """Group ops into one durable commit. Nested use joins the outer transaction."""
        with self._lock:
            if self._pending is not None:
                yield self._pending
                return
            self.require_writable()
            self._pending = []
            saved = (self._next_seq, self.clock.last)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self._reload_identity()
                yield self._pending
                self._save_identity()
                self.conn.execute("COMMIT")
            except BaseException as exc:
                # SQLite has already rolled back after some errors (a full disk among
                # them); a second ROLLBACK would hide the real error behind its own.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._next_seq = saved[0]
                self.clock = HybridClock(self.device, last=saved[1], wall=self.clock._wall)
                if isinstance(exc, sqlite3.OperationalError) and is_disk_full(exc):
                    raise StoreError(
                        f"the disk holding the store is full ({self.path.parent}): "
                        "nothing from this change was saved; free some space and try again"
                    ) from exc
                raise
            finally:
                made, self._pending = self._pending, None
            if made:
                for listener in self._on_commit:
                    listener()

    def require_writable(self) -> None:
        if self.read_only == DISK_FULL:
            raise StoreError(disk_full_message(self.path))
        if self.read_only:
            raise StoreError(
                f"the store at {self.path} is read-only: it can be read, not changed "
                "(nothing was saved)"
            )

    def _reload_identity(self) -> None:
        """Another process may have written to this file (two windows on one laptop, or
        `note add` beside the app): continue from what it left, under the write lock."""
        meta = dict(
            self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('next_seq', 'hlc', 'epoch', ?)",
                (TAG_KEY,),
            ).fetchall()
        )
        self._held_identity = meta
        epoch = int(meta.get("epoch", self.epoch))
        if epoch > self.epoch:
            self.epoch = epoch
            self._next_seq = int(meta["next_seq"])
        elif epoch == self.epoch:
            self._next_seq = max(self._next_seq, int(meta.get("next_seq", 1)))
        if meta.get("hlc"):
            stored = Timestamp.decode(meta["hlc"])
            if stored > self.clock.last:
                self.clock = HybridClock(self.device, last=stored, wall=self.clock._wall)

    def _save_identity(self) -> None:
        """Write back what moved since :meth:`_reload_identity` read it under this write
        lock (a note moves the numbering and the clock, rarely the epoch), in one
        statement: each is a write inside the commit a note waits for. The commit's tag
        always moves (store/stray_log.py)."""
        held = self._held_identity
        changed = [
            (key, value)
            for key, value in (
                ("next_seq", str(self._next_seq)),
                ("hlc", self.clock.last.encode()),
                ("epoch", str(self.epoch)),
            )
            if held.get(key) != value
        ]
        if TAG_KEY in held:
            changed.append((TAG_KEY, next_tag(held[TAG_KEY])))
        if changed:
            self.conn.execute(
                _save_identity_sql(len(changed)), [v for pair in changed for v in pair]
            )

    def emit(
        self,
        review: str,
        entity: str,
        entity_id: str,
        action: str,
        fields: dict[str, Any] | None = None,
    ) -> Op:
        """Append one local op and apply it. An edit is stamped past the value it
        replaces, even one stamped by a clock far ahead (:meth:`_stamp_to_beat`)."""
        with self.transaction() as pending:
            floor = self._stamp_to_beat(entity, entity_id, action, fields or {})
            if floor is not None and action == "set":
                # It settles the value it beats: not offered as a conflict with it.
                seen = [*(fields or {}).get(RESOLVES, ()), floor[1]]
                fields = {**(fields or {}), RESOLVES: seen}
            op = self._make_op(review, entity, entity_id, action, fields, floor=floor and floor[0])
            insert_op(self.conn, op, applied=True)
            materialise.apply(self.conn, op)
            pending.append(op)
            return op

    def _make_op(
        self,
        review: str,
        entity: str,
        entity_id: str,
        action: str,
        fields: dict[str, Any] | None = None,
        *,
        floor: str | None = None,
    ) -> Op:
        """The next local op: clocked and numbered, not yet written. Call inside a
        transaction (which puts the clock and numbering back if it fails). ``floor``: a
        clock value the op's stamp must pass (this laptop's clock is not moved by it)."""
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}")
        stamp = self.clock.now().encode()
        if floor is not None and floor >= stamp:
            with suppress(ValueError):
                past = Timestamp.decode(floor)
                counter = past.counter + 1
                wall = past.wall_ms + counter // 10**COUNTER_DIGITS
                stamp = Timestamp(wall, counter % 10**COUNTER_DIGITS, self.device).encode()
        op = Op.made(
            new_id(),
            stamp,
            self.device,
            self.epoch,
            self._next_seq,
            self.author,
            review,
            entity,
            entity_id,
            action,
            fields or {},
        )
        self._next_seq += 1
        return op

    def _stamp_to_beat(
        self, entity: str, entity_id: str, action: str, fields: dict[str, Any]
    ) -> tuple[str, str] | None:
        """The clock (and op id) of the value this edit replaces, when it is ahead of this laptop's
        clock (another laptop's clock runs ahead): the edit is stamped just past it, so it
        wins over what its author saw, on every laptop alike (the stamp travels in the
        op). Without this, an edit made after seeing a value stamped 30 days ahead lost
        to it for 30 days. An edit that never saw that value still loses to it."""
        kind = ENTITIES.get(entity)
        if kind is None or kind.immutable or action not in ("set", "delete", "restore"):
            return None
        if action == "set":
            names = [name for name in fields if name in kind.fields]
        elif entity == "note":
            names = ["tombstone", "deleted_seen"]
        else:
            names = ["deleted"]
        row = self.conn.execute(
            f"SELECT clocks FROM {kind.table} WHERE id = ?", (entity_id,)
        ).fetchone()
        if not names or row is None or not row[0]:
            return None
        try:
            held = json.loads(row[0])
            stamps = [str(held[name]) for name in names if name in held]
        except (ValueError, TypeError):
            return None
        if not stamps:
            return None
        top, _, op_id = max(stamps).partition(" ")
        return (top, op_id) if top > self.clock.last.encode() else None

    def ingest(self, ops: Iterable[Op]) -> tuple[int, int]:
        """Take ops from elsewhere (sync). Idempotent by op id. Returns (new, parked)."""
        ops = list(ops)
        if len(ops) >= BULK_INGEST:
            return self._ingest_bulk(ops)
        new = parked = 0
        with self.transaction():
            held = []
            for op in ops:
                if not insert_op(self.conn, op, applied=materialise.can_apply(op)):
                    held.append(op)
                    continue
                new += 1
                with suppress(ValueError):  # a malformed remote clock must not block its op
                    self.clock.observe(Timestamp.decode(op.hlc))
                if not materialise.apply(self.conn, op):
                    parked += 1
            record_aliases(self.conn, held)
            variants.settle(self.conn, held)  # counted by conflicted_ops()
        return new, parked

    def _ingest_bulk(self, ops: list[Op]) -> tuple[int, int]:
        """Same result as one by one (see store/bulk.py), in a few statements per batch."""
        with self.transaction():
            fresh, parked, others = bulk.ingest(self.conn, ops)
            variants.settle(self.conn, others)
            stamps = sorted(op.hlc for op in fresh)
            for stamp in reversed(stamps):  # the latest well-formed clock is enough
                with suppress(ValueError):
                    self.clock.observe(Timestamp.decode(stamp))
                    break
        return len(fresh), parked

    def newest_op_of_others(self, review: str) -> tuple[str, str, str] | None:
        """(hlc, device, author) of the latest-stamped op of ``review`` made elsewhere."""
        with self._lock:
            row = self.conn.execute(
                "SELECT hlc, device, author FROM ops WHERE review = ? AND device != ? "
                "ORDER BY hlc DESC LIMIT 1",
                (review, self.device),
            ).fetchone()
        return tuple(row) if row else None

    def conflicted_ops(self) -> int:
        """How many op ids arrived with two or more contents (all kept, none applied)."""
        with self._lock:
            return self.conn.execute("SELECT count(DISTINCT id) FROM op_variants").fetchone()[0]

    def all_op_versions(self) -> list[Op]:
        """Every op of the log and every other content kept under one's id."""
        with self._lock:
            return variants.all_versions(self.conn)

    def fork_epoch(self, from_seq: int, above_epoch: int = 0, jump: int = 0) -> int:
        """Continue under a new epoch, moving this epoch's ops from ``from_seq`` on into it.

        For sync, when the shared folder already holds other content under this device's
        (epoch, seq): a restored backup or a cloned disk. Only the numbering of ops that
        never reached the share changes; their ids, clocks and content do not.
        """
        with self.transaction():
            row = self.conn.execute(
                "SELECT max(epoch) FROM ops WHERE device = ?", (self.device,)
            ).fetchone()
            old = self.epoch
            self.epoch = max(old, row[0] or 0, above_epoch) + 1 + jump
            moved = self.conn.execute(
                "UPDATE ops SET epoch = ?, seq = seq - ? + 1 "
                "WHERE device = ? AND epoch = ? AND seq >= ?",
                (self.epoch, from_seq, self.device, old, from_seq),
            ).rowcount
            self._next_seq = moved + 1
        return self.epoch

    @property
    def lock(self) -> threading.RLock:
        """The lock guarding the connection, for callers that keep their own tables."""
        return self._lock

    def update(self, review: str, entity: str, entity_id: str, **fields: Any) -> Op:
        return self.emit(review, entity, entity_id, "set", fields)

    def delete(self, review: str, entity: str, entity_id: str) -> Op:
        fields: dict[str, Any] = {}
        if entity == "note":
            existing = self.note(entity_id)
            fields["seen"] = list(existing.heads) if existing else []
        return self.emit(review, entity, entity_id, "delete", fields)

    def restore(self, review: str, entity: str, entity_id: str) -> Op:
        return self.emit(review, entity, entity_id, "restore", {})

    # --- domain: reviews, participants, conversations ----------------------------

    def create_review(self, title: str, questions: Iterable[str] = ()) -> str:
        title = title.strip()
        if not title:
            raise StoreError("a review needs a title")
        review_id = new_id()
        self.emit(
            review_id,
            "review",
            review_id,
            "set",
            {"title": title, "questions": [q.strip() for q in questions if q.strip()]},
        )
        return review_id

    def add_participant(
        self,
        review: str,
        *,
        role: str,
        agency: str,
        kind: str = "worker",
        name: str | None = None,
        pseudonym: str | None = None,
    ) -> str:
        if kind not in PARTICIPANT_KINDS:
            raise StoreError(f"kind must be one of {', '.join(PARTICIPANT_KINDS)}, not {kind!r}")
        if not role.strip() or not agency.strip():
            raise StoreError("a participant needs a role and an agency")
        participant_id = new_id()
        fields: dict[str, Any] = {"role": role.strip(), "agency": agency.strip(), "kind": kind}
        if name and name.strip():
            fields["name"] = name.strip()
        if pseudonym and pseudonym.strip():
            fields["pseudonym"] = pseudonym.strip()
        self.emit(review, "participant", participant_id, "set", fields)
        return participant_id

    def new_conversation(
        self,
        review: str,
        participant: str,
        *,
        lead: str | None = None,
        note_taker: str | None = None,
        planned_at: str | None = None,
        planned_minutes: int = 90,
    ) -> str:
        conversation_id = new_id()
        fields: dict[str, Any] = {"participant": participant, "planned_minutes": planned_minutes}
        for key, value in (("lead", lead), ("note_taker", note_taker), ("planned_at", planned_at)):
            if value:
                fields[key] = value
        self.emit(review, "conversation", conversation_id, "set", fields)
        return conversation_id

    def start_conversation(self, conversation: Conversation, at: str | None = None) -> None:
        with self.transaction():
            self.update(
                conversation.review,
                "conversation",
                conversation.id,
                started_at=at or self.now_iso(),
            )
            if not self.stage_events(conversation.id):
                self.set_stage(conversation, 1, at=at)

    def end_conversation(self, conversation: Conversation, at: str | None = None) -> None:
        self.update(
            conversation.review, "conversation", conversation.id, ended_at=at or self.now_iso()
        )

    def reopen_conversation(self, conversation: Conversation) -> None:
        """Undo an end: the conversation carries on (an op like any other, so the other
        laptops see it reopened too; the clock runs on from its start)."""
        self.update(conversation.review, "conversation", conversation.id, ended_at=None)

    def set_stage(self, conversation: Conversation, stage: int, at: str | None = None) -> str:
        if not 1 <= stage <= 9:
            raise StoreError(f"stages are numbered 1 to 9, not {stage}")
        event_id = new_id()
        self.emit(
            conversation.review,
            "stage_event",
            event_id,
            "add",
            {
                "conversation": conversation.id,
                "stage": stage,
                "at": at or self.now_iso(),
                "by": self.author,
            },
        )
        return event_id

    # --- domain: notes --------------------------------------------------------------

    def add_note(
        self,
        conversation: Conversation,
        text: str,
        *,
        kind: str = "observation",
        at: str | None = None,
        elapsed_s: float | None = None,
        stage: int | None = None,
        episodes: Iterable[str] = (),
        factors: Iterable[str] = (),
        prompts: Iterable[str] = (),
        problems: Iterable[str] = (),
        document: str | None = None,
        passage: str | None = None,
        directions: Iterable[str] = (),
    ) -> str:
        """Save a note durably: when this returns, the note survives a crash.

        ``directions`` are factors marked as having helped or hindered, as "resources+"
        or "team-"; each is a factor link with the relation "helped" or "hindered"."""
        note_id = new_id()
        review = conversation.review
        fields: dict[str, Any] = {
            "conversation": conversation.id,
            "at": at or self.now_iso(),
            "kind": kind,
            "author": self.author,
            "device": self.device,
            "problems": list(problems),
        }
        if elapsed_s is not None:
            fields["elapsed_s"] = round(elapsed_s, 3)
        if stage is not None:
            fields["stage"] = stage
        if document:
            fields["document"] = document
            fields["passage"] = passage or ""
        # Every op below creates what it touches, so they are written together, without
        # reading first (store/local.py): the same ops, in the same order, as one by one.
        with self.transaction() as pending:
            made = [
                self._make_op(review, "note", note_id, "set", fields),
                self._make_op(
                    review, "revision", new_id(), "add", self._revision_fields(note_id, text, [])
                ),
            ]
            links = [
                _link(note_id, target_kind, target)
                for target_kind, targets in (
                    ("episode", episodes),
                    ("factor", factors),
                    ("prompt", prompts),
                )
                for target in targets
            ]
            for marked in directions:
                target, relation = _direction(marked)
                links.append(_link(note_id, "factor", target, relation=relation))
            for identifier, link_fields in links:
                made.append(self._make_op(review, "link", identifier, "set", link_fields))
            if kind == "followup":
                follow_up = _follow_up_fields(
                    text, conversation.id, conversation.participant, note_id
                )
                made.append(self._make_op(review, "follow_up", new_id(), "set", follow_up))
            local.write_new(self.conn, made)
            pending.extend(made)
        return note_id

    def _revision_fields(self, note_id: str, text: str, parents: list[str]) -> dict[str, Any]:
        return {
            "note": note_id,
            "text": text,
            "parents": parents,
            "at": self.now_iso(),
            "author": self.author,
        }

    def _add_revision(self, review: str, note_id: str, text: str, parents: list[str]) -> str:
        revision_id = new_id()
        self.emit(
            review, "revision", revision_id, "add", self._revision_fields(note_id, text, parents)
        )
        return revision_id

    def revise_note(self, note: Note, text: str, parents: Iterable[str] | None = None) -> str:
        """A new revision on top of the heads the editor saw (all of them resolves a conflict)."""
        base = list(parents) if parents is not None else list(note.heads)
        return self._add_revision(note.review, note.id, text, base)

    def link_direction(self, review: str, note_id: str, marked: str, present: bool = True) -> str:
        """A factor's direction on a note ("resources+" helped, "team-" hindered)."""
        target, relation = _direction(marked)
        return self.link(review, note_id, "factor", target, relation=relation, present=present)

    def link(
        self,
        review: str,
        source: str,
        target_kind: str,
        target: str,
        *,
        relation: str = "",
        present: bool = True,
        source_kind: str = "note",
    ) -> str:
        identifier, fields = _link(
            source, target_kind, target, relation=relation, present=present, source_kind=source_kind
        )
        self.emit(review, "link", identifier, "set", fields)
        return identifier

    # --- domain: episodes, follow-ups, documents ---------------------------------

    def create_episode(
        self,
        review: str,
        title: str,
        *,
        date_text: str | None = None,
        date_start: str | None = None,
        date_end: str | None = None,
        description: str | None = None,
    ) -> str:
        episode_id = new_id()
        fields: dict[str, Any] = {"title": title.strip()}
        for key, value in (
            ("date_text", date_text),
            ("date_start", date_start),
            ("date_end", date_end),
            ("description", description),
        ):
            if value:
                fields[key] = value
        self.emit(review, "episode", episode_id, "set", fields)
        return episode_id

    def add_follow_up(
        self,
        review: str,
        text: str,
        *,
        conversation: str | None = None,
        participant: str | None = None,
        note: str | None = None,
    ) -> str:
        follow_up_id = new_id()
        fields = _follow_up_fields(text, conversation, participant, note)
        self.emit(review, "follow_up", follow_up_id, "set", fields)
        return follow_up_id

    def add_document(
        self,
        review: str,
        title: str,
        text: str,
        *,
        agency: str | None = None,
        filename: str | None = None,
    ) -> str:
        document_id = new_id()
        fields: dict[str, Any] = {"title": title, "text": text, "imported_at": self.now_iso()}
        if agency:
            fields["agency"] = agency
        if filename:
            fields["filename"] = filename
        self.emit(review, "document", document_id, "set", fields)
        return document_id

    # --- drafts: local only, never synced ------------------------------------------

    def save_draft(
        self, conversation: str, text: str, started_at: str | None, slot: int = 0
    ) -> None:
        """Keep the note being typed in window ``slot`` (0: the first window open on
        this conversation; each window has its own, see tui/drafts.py)."""
        self.require_writable()
        with self.transaction():
            if text:
                self.conn.execute(
                    "INSERT INTO drafts(conversation, author, slot, text, started_at, saved_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(conversation, author, slot) DO UPDATE "
                    "SET text = excluded.text, started_at = excluded.started_at, "
                    "saved_at = excluded.saved_at",
                    (conversation, self.author, slot, text, started_at, self.now_iso()),
                )
            else:
                self.clear_draft(conversation, slot)

    def clear_draft(self, conversation: str, slot: int = 0) -> None:
        self.require_writable()
        with self.transaction():
            self.conn.execute(
                "DELETE FROM drafts WHERE conversation = ? AND author = ? AND slot = ?",
                (conversation, self.author, slot),
            )

    def draft(self, conversation: str, slot: int = 0) -> Draft | None:
        with self._lock:
            return queries.draft(self.conn, conversation, self.author, slot)

    def draft_slots(self, conversation: str) -> list[int]:
        """The windows (slots) holding a draft of this conversation by this reviewer."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT slot FROM drafts WHERE conversation = ? AND author = ? ORDER BY slot",
                (conversation, self.author),
            ).fetchall()
        return [row[0] for row in rows]

    # --- settings: local only ------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        self.require_writable()
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def reviewer(self) -> str:
        """The name this store keeps for its reviewer ("" until they have given it)."""
        return self.setting(REVIEWER_SETTING) or ""

    def set_reviewer(self, name: str) -> None:
        """Remember the reviewer's name; what they write from now on carries it (unless a
        name was given for this run with --as)."""
        name = " ".join(name.split())
        if not name:
            raise StoreError("give your name as it should appear on your notes")
        previous = self.author
        self.set_setting(REVIEWER_SETTING, name)
        if not self._named:
            self.author = name
            # A note being typed before the name was given stays this reviewer's draft.
            with self.transaction():
                self.conn.execute(
                    "UPDATE OR IGNORE drafts SET author = ? WHERE author = ?", (name, previous)
                )

    # --- reading -----------------------------------------------------------------------

    def reviews(self) -> list[Review]:
        with self._lock:
            return queries.reviews(self.conn)

    def review(self, review_id: str) -> Review:
        for review in self.reviews():
            if review.id == review_id:
                return review
        raise StoreError(f"no review {review_id}")

    def labels(self, table: str, review: str) -> dict[str, str]:
        """Id -> label (``P2``, ``E4``, ``K7`` ...) for a labelled table in one review."""
        with self._lock:
            return queries.labels(self.conn, table, review)

    def participants(self, review: str) -> list[Participant]:
        with self._lock:
            return queries.participants(self.conn, review)

    def participant(self, participant_id: str) -> Participant:
        return self._one("participants", participant_id, self.participants)

    def conversations(self, review: str) -> list[Conversation]:
        with self._lock:
            return queries.conversations(self.conn, review)

    def conversation(self, conversation_id: str) -> Conversation:
        return self._one("conversations", conversation_id, self.conversations)

    def stage_events(self, conversation: str) -> list[StageEvent]:
        with self._lock:
            return queries.stage_events(self.conn, conversation)

    def current_stage(self, conversation: str) -> int | None:
        events = self.stage_events(conversation)
        return events[-1].stage if events else None

    def stage_at(self, conversation: str, at: str) -> int | None:
        """The stage in effect at the moment ``at`` (None before the first stage event).

        Moments are compared as times, not strings, so events written on a laptop in
        another time zone count in the right order. An unreadable ``at`` gives the
        current stage."""
        from facilitator.dates import parse_moment

        events = self.stage_events(conversation)
        moment = parse_moment(at)
        if moment is None:
            return events[-1].stage if events else None
        stage, latest = None, None
        for event in events:
            when = parse_moment(event.at)
            if when is not None and when <= moment and (latest is None or when >= latest):
                stage, latest = event.stage, when
        return stage

    def notes(
        self,
        *,
        conversation: str | None = None,
        review: str | None = None,
        include_deleted: bool = False,
    ) -> list[Note]:
        with self._lock:
            return queries.notes(
                self.conn, conversation=conversation, review=review, include_deleted=include_deleted
            )

    def note(self, note_id: str) -> Note | None:
        with self._lock:
            return queries.note(self.conn, note_id)

    def revisions(self, note_id: str) -> list[Revision]:
        with self._lock:
            return queries.revisions(self.conn, note_id)

    def episodes(self, review: str) -> list[Episode]:
        with self._lock:
            return queries.episodes(self.conn, review)

    def follow_ups(self, review: str) -> list[FollowUp]:
        with self._lock:
            return queries.follow_ups(self.conn, review)

    def documents(self, review: str) -> list[Document]:
        with self._lock:
            return queries.documents(self.conn, review)

    def document(self, document_id: str) -> Document:
        return self._one("documents", document_id, self.documents)

    def rows(self, table: str, review: str, **equal: Any) -> list[dict[str, Any]]:
        """Every live row of one materialised table, for analysis and reports; keyword
        arguments keep only rows whose columns equal those values
        (``rows("links", review, source_kind="episode")``)."""
        where, params = self._live_where(table, review, equal)
        with self._lock:
            cursor = self.conn.execute(
                f"SELECT * FROM {table} {where} ORDER BY created, id", params
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self, table: str, review: str, **equal: Any) -> int:
        """How many rows :meth:`rows` would return, without reading them."""
        where, params = self._live_where(table, review, equal)
        with self._lock:
            return self.conn.execute(f"SELECT count(*) FROM {table} {where}", params).fetchone()[0]

    def op_authors(self, review: str) -> list[str]:
        """Everyone who wrote anything in a review, as the op log records them (a note
        added with ``--as NAME`` and since edited by another, an episode renamed ...)."""
        with self._lock:
            found = self.conn.execute(
                "SELECT DISTINCT author FROM ops WHERE review = ? ORDER BY 1", (review,)
            ).fetchall()
        return [str(value) for (value,) in found if value]

    def distinct(self, table: str, column: str, review: str) -> list[str]:
        """The distinct non-empty values of one column of a table's live rows (the
        authors of a review's notes, say) without reading the rows."""
        where, params = self._live_where(table, review, {})
        entity = next(e for e in ENTITIES.values() if e.table == table)
        if column not in entity.fields:
            raise ValueError(f"unknown column {column!r} of {table}")
        with self._lock:
            found = self.conn.execute(
                f"SELECT DISTINCT {column} FROM {table} {where} ORDER BY 1", params
            ).fetchall()
        return [str(value) for (value,) in found if value]

    def _live_where(
        self, table: str, review: str, equal: dict[str, Any]
    ) -> tuple[str, tuple[Any, ...]]:
        if table not in MATERIALISED_TABLES:
            raise ValueError(f"unknown table {table!r}")
        entity = next(e for e in ENTITIES.values() if e.table == table)
        columns = set(entity.fields) | (set(NOTE_DERIVED) if entity.name == "note" else set())
        unknown = set(equal) - columns
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
        extra = "".join(f" AND {name} = ?" for name in equal)
        return f"WHERE review = ? AND deleted = 0{extra}", (review, *equal.values())

    def ops(self, where: str = "", params: tuple = ()) -> list[Op]:
        with self._lock:
            return read_ops(self.conn, where, params)

    def op_position(self) -> int:
        """Where a reader of the op log that has seen every op so far stands."""
        with self._lock:
            return self.conn.execute("SELECT coalesce(max(rowid), 0) FROM ops").fetchone()[0]

    def ops_since(self, position: int) -> tuple[list[Op], int]:
        """Ops appended after ``position`` and the position after them (one read)."""
        with self._lock:
            return read_ops_since(self.conn, position)

    def _one(self, table: str, entity_id: str, listing: Callable[[str], list[Any]]) -> Any:
        """One record by id, read through the same query as its review's list (labels and
        derived fields included)."""
        review = self._review_of(table, entity_id)
        for item in listing(review):
            if item.id == entity_id:
                return item
        raise StoreError(f"no {table[:-1]} {entity_id}")

    def _review_of(self, table: str, entity_id: str) -> str:
        with self._lock:
            row = self.conn.execute(
                f"SELECT review FROM {table} WHERE id = ?", (entity_id,)
            ).fetchone()
        if not row:
            raise StoreError(f"no {table[:-1]} {entity_id}")
        return row[0]

    # --- finding things by id prefix or label ------------------------------------------

    def resolve(self, table: str, token: str, *, review: str | None = None) -> str:
        """An id from a unique id prefix (4+ characters) or a label such as ``C3``."""
        token = token.strip()
        what = table[:-1].replace("_", " ")
        by_label: list[str] = []
        by_id: list[str] = []
        looks_like_label = (
            table in queries.LABEL_PREFIX
            and token[:1].upper() == queries.LABEL_PREFIX[table]
            and token[1:].isdigit()
        )
        with self._lock:
            if looks_like_label:
                where = "WHERE label = ?" + (" AND review = ?" if review else "")
                params: tuple = (token.upper(), review) if review else (token.upper(),)
                by_label = [r["id"] for r in queries._labelled(self.conn, table, where, params)]
            # An id may begin with a label's letter and digits (c13770...), so a token that
            # could be either is looked up both ways.
            if len(token) >= 4 and all(c in string.hexdigits for c in token):
                sql = f"SELECT id FROM {table} WHERE id LIKE ? AND deleted = 0"
                params = (token.lower() + "%",)
                if review:
                    sql += " AND review = ?"
                    params += (review,)
                by_id = [r[0] for r in self.conn.execute(sql, params)]
            elif not looks_like_label and len(token) < 4:
                raise StoreError(
                    f"{what} {token!r}: give at least 4 characters of the id, or a label"
                )
        matches = list(dict.fromkeys(by_label + by_id))
        if not matches:
            raise StoreError(f"no {what} matches {token!r}")
        if len(matches) > 1:
            raise StoreError(
                f"{what} {token!r} is ambiguous ({len(matches)} match): give more of the id"
            )
        return matches[0]

    # --- maintenance ------------------------------------------------------------------

    def rebuild(self) -> tuple[int, int]:
        with self.transaction():
            # Checked again under the write lock: rebuilding empties tables.
            if identify(self.conn, self.path) != "ours":
                raise StoreError(f"{self.path} is not a facilitator store; nothing was rebuilt")
            try:
                return materialise.rebuild(self.conn)
            except ValueError as exc:  # a change whose JSON was damaged in the file
                raise StoreError(
                    damaged_message(self.path, f"a change in its log cannot be read: {exc}")
                    + "; nothing was rebuilt"
                ) from exc

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every materialised row, for comparing two stores (tests, `store check`)."""
        with self._lock:
            return _snapshot(self.conn)

    def check(self) -> CheckReport:
        """Integrity check, then prove the tables equal a rebuild from the op log."""
        report = CheckReport()
        if self.read_only and self.notice:  # a log not this store's, left where it lies
            report.problems.append(self.notice)
        for name in set_aside_logs(self.path):
            report.problems.append(
                f"{name}, beside the store, is a write-ahead log that is not this store's, "
                "set aside unplayed (the store is as it stood without it): keep it while "
                "anything may be missing, and delete it once you are sure"
            )
        with self._lock:
            for (message,) in self.conn.execute("PRAGMA integrity_check"):
                if message != "ok":
                    report.problems.append(f"SQLite integrity: {message}")
            report.ops = self.conn.execute("SELECT count(*) FROM ops").fetchone()[0]
            report.parked = self.conn.execute(
                "SELECT count(*) FROM ops WHERE applied = 0"
            ).fetchone()[0]
            gaps = self.conn.execute(
                # DISTINCT: two clones of one laptop may both have used a seq (sync keeps
                # both). Aliases: numberings under which the share carries ops held here
                # under another (after a fork), so they fill their place in the sequence;
                # so do the numbers of ops purged with a review.
                "SELECT epoch, count(DISTINCT seq), max(seq) FROM ("
                "  SELECT epoch, seq FROM ops WHERE device = ?"
                "  UNION ALL SELECT epoch, seq FROM op_aliases WHERE device = ?"
                "  UNION ALL SELECT epoch, seq FROM purged_seqs WHERE device = ?"
                ") GROUP BY epoch",
                (self.device, self.device, self.device),
            ).fetchall()
            for epoch, count, top in gaps:
                if count != top:
                    report.problems.append(
                        f"this device's ops in epoch {epoch} have gaps ({count} of {top})"
                    )
            for table in MATERIALISED_TABLES:
                report.tables[table] = self.conn.execute(
                    f"SELECT count(*) FROM {table}"
                ).fetchone()[0]
            before = _snapshot(self.conn)
            try:
                after = self._rebuilt_snapshot()
            except ValueError as exc:  # a change whose JSON was damaged in the file
                report.problems.append(
                    f"a change in the op log cannot be read ({exc}): the store is damaged; "
                    "keep a copy, and restore the review from an archive or the shared folder"
                )
                return report
            for table in MATERIALISED_TABLES:
                if before[table] != after[table]:
                    report.problems.append(
                        f"table {table} differs from the op log "
                        f"({len(before[table])} rows held, {len(after[table])} rebuilt); "
                        "run 'facilitator store rebuild'"
                    )
        return report

    def _rebuilt_snapshot(self) -> dict[str, list[tuple]]:
        """The tables a rebuild would give, leaving the file as it is: rolled back, or on a
        copy in memory when the store is read-only."""
        if self.read_only:
            copy = sqlite3.connect(":memory:", isolation_level=None)
            try:
                self.conn.backup(copy)
                materialise.rebuild(copy)
                return _snapshot(copy)
            finally:
                copy.close()
        self.conn.execute("SAVEPOINT check_rebuild")
        try:
            materialise.rebuild(self.conn)
            return _snapshot(self.conn)
        finally:
            self.conn.execute("ROLLBACK TO check_rebuild")
            self.conn.execute(STAMP_SQL)  # its commit may write a page: tagged like any
            self.conn.execute("RELEASE check_rebuild")


@lru_cache(maxsize=4)
def _save_identity_sql(count: int) -> str:
    return (
        "INSERT INTO meta(key, value) VALUES "
        + ", ".join(["(?, ?)"] * count)
        + " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    )


def _link(
    source: str,
    target_kind: str,
    target: str,
    *,
    relation: str = "",
    present: bool = True,
    source_kind: str = "note",
) -> tuple[str, dict[str, Any]]:
    """A link's id and the fields of the op that sets it."""
    fields = {
        "source_kind": source_kind,
        "source": source,
        "target_kind": target_kind,
        "target": target,
        "relation": relation,
        "present": int(present),
    }
    return link_id(source, target_kind, target, relation), fields


def _direction(marked: str) -> tuple[str, str]:
    """The factor and relation of a direction typed as "resources+" or "team-"."""
    from facilitator.store.queries import RELATION_OF_SIGN

    relation = RELATION_OF_SIGN.get(marked[-1:])
    if not relation:
        raise StoreError(f"{marked!r}: a direction ends in + (helped) or - (hindered)")
    return marked[:-1], relation


def _follow_up_fields(
    text: str, conversation: str | None, participant: str | None, note: str | None
) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text, "status": "open"}
    for key, value in (
        ("conversation", conversation),
        ("participant", participant),
        ("note", note),
    ):
        if value:
            fields[key] = value
    return fields


def _snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        for table in MATERIALISED_TABLES
    }
