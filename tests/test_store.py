"""The local store: durable, private, event-sourced, and checkable."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from facilitator.service import Service
from facilitator.store import Store, StoreError
from facilitator.store.db import MIGRATIONS, _m11_method_fields, _m12_drafts_per_window
from facilitator.store.oplog import FORMAT, Op
from facilitator.store.store import BULK_INGEST


def _conversation(store: Store):
    review = store.create_review("Review")
    person = store.add_participant(review, role="Social worker", agency="CSC", name="Sam")
    return store.conversation(store.new_conversation(review, person))


def test_store_file_is_private_and_uses_wal_and_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "store.db"
    with Store(path, author="a") as store:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        store.create_review("R")
        for suffix in ("-wal", "-shm"):
            extra = Path(f"{path}{suffix}")
            if extra.exists():
                assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0


def test_device_and_epoch_made_once(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as first:
        device, epoch = first.device, first.epoch
    with Store(path) as again:
        assert (again.device, again.epoch) == (device, epoch)
    with Store(tmp_path / "other.db") as other:
        assert other.device != device


def test_note_is_durable_once_add_returns(tmp_path: Path, service: Service) -> None:
    conversation = _conversation(service.store)
    recorded = service.record_note(conversation, "Visited on Tuesday @family")
    # A second, independent connection sees it: it was committed, not just cached.
    other = sqlite3.connect(service.store.path)
    text = other.execute("SELECT text FROM notes WHERE id = ?", (recorded.note_id,)).fetchone()
    assert text == ("Visited on Tuesday @family",)


def test_every_change_is_an_op_with_contiguous_seqs(store: Store) -> None:
    conversation = _conversation(store)
    store.add_note(conversation, "one")
    ops = store.ops()
    assert [op.seq for op in ops] == list(range(1, len(ops) + 1))
    assert {op.device for op in ops} == {store.device}
    hlcs = [op.hlc for op in ops]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)


def test_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    conversation = _conversation(store)
    before = len(store.ops())
    with pytest.raises(RuntimeError), store.transaction():
        store.add_note(conversation, "half")
        raise RuntimeError("crash mid-way")
    assert len(store.ops()) == before
    assert store.notes(conversation=conversation.id) == []
    store.add_note(conversation, "after")
    seqs = [op.seq for op in store.ops()]
    assert seqs == list(range(1, before + 3))  # note + first revision, no gap left behind


def test_revisions_keep_history_and_concurrent_edits_conflict(store: Store) -> None:
    conversation = _conversation(store)
    note_id = store.add_note(conversation, "first")
    note = store.note(note_id)
    store.revise_note(note, "edit on laptop A", parents=note.heads)
    store.revise_note(note, "edit on laptop B", parents=note.heads)  # same parent: conflict
    conflicted = store.note(note_id)
    assert conflicted.conflict and len(conflicted.heads) == 2
    store.revise_note(conflicted, "merged", parents=conflicted.heads)
    resolved = store.note(note_id)
    assert not resolved.conflict and resolved.text == "merged"
    assert [r.text for r in store.revisions(note_id)] == [
        "first",
        "edit on laptop A",
        "edit on laptop B",
        "merged",
    ]


def test_delete_is_a_tombstone_that_can_be_undone(store: Store) -> None:
    conversation = _conversation(store)
    note_id = store.add_note(conversation, "to delete")
    store.delete(conversation.review, "note", note_id)
    assert store.notes(conversation=conversation.id) == []
    assert store.notes(conversation=conversation.id, include_deleted=True)[0].id == note_id
    store.restore(conversation.review, "note", note_id)
    assert [n.id for n in store.notes(conversation=conversation.id)] == [note_id]


def test_tombstone_hides_only_what_it_had_seen(store: Store) -> None:
    conversation = _conversation(store)
    note_id = store.add_note(conversation, "original")
    seen = store.note(note_id)
    store.delete(conversation.review, "note", note_id)  # saw only the original
    # An edit made elsewhere, unseen by the delete, arrives afterwards.
    store.revise_note(seen, "edited elsewhere", parents=seen.heads)
    survivor = store.note(note_id)
    assert survivor is not None
    assert [n.text for n in store.notes(conversation=conversation.id)] == ["edited elsewhere"]


def test_last_writer_wins_per_field(store: Store) -> None:
    review = store.create_review("Old title")
    store.update(review, "review", review, title="New title")
    assert store.review(review).title == "New title"
    older = Op(
        hlc="000000000000001.000000.zzz",
        device="zzz",
        epoch=1,
        seq=1,
        author="x",
        review=review,
        entity="review",
        entity_id=review,
        action="set",
        fields={"title": "Stale"},
    )
    store.ingest([older])
    assert store.review(review).title == "New title"  # the older write loses...
    assert any(op.fields.get("title") == "Stale" for op in store.ops())  # ...but is kept


def test_ops_of_a_newer_format_are_parked_and_kept(store: Store) -> None:
    review = store.create_review("R")
    future = Op(
        hlc="999999999999999.000000.fut",
        device="fut",
        epoch=1,
        seq=1,
        author="x",
        review=review,
        entity="hologram",
        entity_id="h1",
        action="set",
        fields={"x": 1},
        format=FORMAT + 1,
    )
    new, parked = store.ingest([future])
    assert (new, parked) == (1, 1)
    assert store.ingest([future]) == (0, 0)  # idempotent by op id
    report = store.check()
    assert report.ok and report.parked == 1


def test_rebuild_gives_identical_tables(service: Service, demo_review: str) -> None:
    store = service.store
    before = store.snapshot()
    applied, parked = store.rebuild()
    assert applied == len(store.ops()) and parked == 0
    assert store.snapshot() == before


def test_check_finds_tables_that_drifted_from_the_log(store: Store) -> None:
    conversation = _conversation(store)
    store.add_note(conversation, "true text")
    assert store.check().ok
    store.conn.execute("UPDATE notes SET text = 'tampered'")
    report = store.check()
    assert not report.ok
    assert any("notes" in p for p in report.problems)
    store.rebuild()
    assert store.check().ok
    assert store.notes(conversation=conversation.id)[0].text == "true text"


def test_resolve_by_prefix_and_label(store: Store) -> None:
    review = store.create_review("R")
    assert store.resolve("reviews", review[:6]) == review
    assert store.resolve("reviews", "r1") == review
    with pytest.raises(StoreError, match="at least 4 characters"):
        store.resolve("reviews", review[:2])
    with pytest.raises(StoreError, match="no review matches"):
        store.resolve("reviews", "ffffffff")


def test_not_a_store_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(StoreError, match="not a facilitator store"):
        Store(junk)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=999")
    conn.close()
    with pytest.raises(StoreError, match="newer facilitator"):
        Store(path)


def test_drafts_are_local_and_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path, author="Jo") as store:
        conversation = _conversation(store)
        ops = len(store.ops())
        store.save_draft(conversation.id, "half a thought", "2025-01-01T10:00:00+00:00")
        assert len(store.ops()) == ops  # drafts are never ops: they don't sync
    with Store(path, author="Jo") as reopened:
        draft = reopened.draft(conversation.id)
        assert draft is not None and draft.text == "half a thought"
        reopened.save_draft(conversation.id, "", None)
        assert reopened.draft(conversation.id) is None


def test_a_draft_kept_before_drafts_per_window_is_the_first_windows(tmp_path: Path) -> None:
    """Drafts gained a window slot in their key: one kept by an older version comes back
    in the first window's slot, and two windows' drafts are then kept side by side."""
    path = tmp_path / "s.db"
    with Store(path, author="Jo") as store:
        conversation = _conversation(store)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE drafts")
    conn.execute(
        "CREATE TABLE drafts (conversation TEXT, author TEXT, text TEXT, started_at TEXT, "
        "saved_at TEXT, PRIMARY KEY (conversation, author))"
    )
    conn.execute(
        "INSERT INTO drafts VALUES (?, 'Jo', 'an old half thought', NULL, '2025-01-01T10:00')",
        (conversation.id,),
    )
    before = MIGRATIONS.index(_m12_drafts_per_window)
    conn.execute(f"DELETE FROM migrations WHERE number > {before}")
    conn.execute(f"PRAGMA user_version={before}")
    conn.commit()
    conn.close()
    with Store(path, author="Jo") as upgraded:
        assert upgraded.draft(conversation.id).text == "an old half thought"
        upgraded.save_draft(conversation.id, "the second window's", None, slot=1)
        assert upgraded.draft(conversation.id).text == "an old half thought"
        assert upgraded.draft(conversation.id, 1).text == "the second window's"
        assert upgraded.draft_slots(conversation.id) == [0, 1]
        upgraded.clear_draft(conversation.id, 1)
        assert upgraded.draft_slots(conversation.id) == [0]


def test_two_processes_on_one_file_never_reuse_a_seq(tmp_path: Path) -> None:
    """The lead's and the note-taker's windows open on one laptop, or `note add` beside
    the app: both write to the same file and must continue each other's numbering."""
    path = tmp_path / "shared.db"
    first, second = Store(path, author="a"), Store(path, author="b")
    try:
        review = first.create_review("R")
        second.update(review, "review", review, title="from the second window")
        first.update(review, "review", review, title="from the first window again")
        ops = first.ops()
        assert [op.seq for op in ops] == [1, 2, 3]
        assert [op.hlc for op in ops] == sorted(op.hlc for op in ops)
        assert first.review(review).title == "from the first window again"
        assert first.check().ok
    finally:
        first.close()
        second.close()


def test_equal_clocks_from_cloned_laptops_resolve_the_same_everywhere(tmp_path: Path) -> None:
    """A cloned laptop can issue the very same HLC as its twin; the op id breaks the tie."""
    hlc = "000000000000500.000000.clone"
    ops = [
        Op(
            hlc=hlc,
            device="clone",
            epoch=epoch,
            seq=1,
            author="x",
            review="r",
            entity="review",
            entity_id="r",
            action="set",
            fields={"title": title},
            id=op_id,
        )
        for epoch, title, op_id in ((1, "from twin A", "a" * 32), (2, "from twin B", "b" * 32))
    ]
    with Store(tmp_path / "one.db") as one, Store(tmp_path / "two.db") as two:
        one.ingest(ops)
        for op in reversed(ops):
            two.ingest([op])
        assert one.snapshot() == two.snapshot()
        assert one.review("r").title == "from twin B"


def test_a_store_from_before_row_clocks_is_upgraded_without_loss(tmp_path: Path) -> None:
    """Schema 3 kept field clocks in their own table; opening it moves them into the rows."""
    path = tmp_path / "old.db"
    with Store(path, author="a") as store:
        conversation = _conversation(store)
        store.add_note(conversation, "kept across the upgrade", factors=["family"])
        expected = store.notes(conversation=conversation.id)
    conn = sqlite3.connect(path)
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%clocks%'"
    ).fetchall():
        conn.execute(f"ALTER TABLE {table} DROP COLUMN clocks")
    conn.execute(
        "CREATE TABLE field_clocks (entity TEXT, entity_id TEXT, field TEXT, hlc TEXT, "
        "PRIMARY KEY (entity, entity_id, field))"
    )
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()
    with Store(path, author="a") as upgraded:
        assert upgraded.notes(conversation=conversation.id) == expected
        assert upgraded.check().ok
        assert upgraded.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        names = {r[0] for r in upgraded.conn.execute("SELECT name FROM sqlite_master")}
        assert "field_clocks" not in names


def test_a_store_from_before_op_aliases_gains_them_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    with Store(path, author="a") as store:
        store.add_note(_conversation(store), "kept across the upgrade")
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE op_aliases")
    conn.execute("PRAGMA user_version=4")
    conn.commit()
    conn.close()
    with Store(path, author="a") as upgraded:
        assert upgraded.check().ok, upgraded.check().problems
        assert [n.text for n in upgraded.notes()] == ["kept across the upgrade"]


def test_an_older_store_gains_the_judgement_fields_and_keeps_what_ops_said(
    tmp_path: Path,
) -> None:
    """A laptop on the older schema holds episode ops from a newer one that carry the
    team's significance and information; after the upgrade they are shown, not lost."""
    path = tmp_path / "older.db"
    with Store(path, author="a") as store:
        review = store.create_review("R")
        episode = store.create_episode(review, "Home visit")
        store.update(review, "episode", episode, team_significance="Shaped what followed")
        store.emit(review, "pattern", "p1", "set", {"type": "human-tool", "effect": "hinders"})
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE episodes DROP COLUMN team_significance")
    conn.execute("ALTER TABLE episodes DROP COLUMN team_information")
    for column in ("types", "effect", "reasons"):
        conn.execute(f"ALTER TABLE patterns DROP COLUMN {column}")
    conn.execute("ALTER TABLE recommendations DROP COLUMN owner")
    before = MIGRATIONS.index(_m11_method_fields)  # the schema without these fields
    conn.execute(f"DELETE FROM migrations WHERE number > {before}")
    conn.execute(f"PRAGMA user_version={before}")
    conn.commit()
    conn.close()
    with Store(path, author="a") as upgraded:
        (shown,) = upgraded.episodes(review)
        assert shown.team_significance == "Shaped what followed"
        (pattern,) = upgraded.rows("patterns", review)
        assert pattern["effect"] == "hinders"
        assert upgraded.check().ok, upgraded.check().problems


@pytest.mark.parametrize("path", ["local", "one by one", "in bulk"])
def test_a_deleted_row_is_deleted_and_a_restored_one_is_back(tmp_path: Path, path: str) -> None:
    """Deleting an episode or a redaction hides it, and restoring brings it back, whether
    the change was made here, or arrived by sync one op at a time or in a large batch.
    (A faster row writer once wrote `deleted` twice in one INSERT, and the row stayed
    undeleted on every path, so `store check` saw nothing wrong.)"""

    def deleted(store: Store, table: str, row_id: str) -> int:
        return store.conn.execute(
            f"SELECT deleted FROM {table} WHERE id = ?", (row_id,)
        ).fetchone()[0]

    with Store(tmp_path / "here.db", author="a") as here:
        review = here.create_review("Fictional review")
        episode = here.create_episode(review, "Home visit")
        redaction = here.emit(review, "redaction", "r1", "set", {"text": "Northfield"}).entity_id
        if path == "in bulk":  # enough other ops to take the bulk path
            for number in range(BULK_INGEST):
                here.update(review, "review", review, title=f"Title {number}")
        here.delete(review, "episode", episode)
        here.delete(review, "redaction", redaction)
        deleted_ops = here.ops()
        if path == "local":
            assert deleted(here, "episodes", episode) == 1
            assert deleted(here, "redactions", redaction) == 1
        here.restore(review, "episode", episode)
        restored_ops = here.ops()
        if path == "local":
            assert deleted(here, "episodes", episode) == 0
            assert here.check().ok
            return
    with Store(tmp_path / "there.db", author="b") as there:
        if path == "one by one":
            for op in deleted_ops:
                there.ingest([op])
        else:
            there.ingest(deleted_ops)
        assert deleted(there, "episodes", episode) == 1
        assert deleted(there, "redactions", redaction) == 1
        there.ingest(restored_ops)
        assert deleted(there, "episodes", episode) == 0
        assert there.check().ok


def test_an_id_that_begins_like_a_label_is_found_by_its_prefix(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One id in a few hundred begins with a label's letter and digits only (c13770...):
    # typing its prefix once said "no conversation matches".
    import facilitator.store.store as store_module

    review = store.create_review("R")
    person = store.add_participant(review, role="Teacher", agency="School")
    monkeypatch.setattr(store_module, "new_id", lambda: "c13770173573471c86dda8b03432e99f")
    talk = store.new_conversation(review, person)
    assert talk == "c13770173573471c86dda8b03432e99f"
    assert store.resolve("conversations", "c13770") == talk
    assert store.resolve("conversations", "C1") == talk
    with pytest.raises(StoreError, match="no conversation matches 'C2'"):
        store.resolve("conversations", "C2")
