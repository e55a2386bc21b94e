"""A note saved on this laptop: what the reviewer relies on when Enter returns.

The note is durable and whole (its row, its first revision, its links and follow-up, its
ops in the log) and the tables hold exactly what applying its ops one by one gives, so a
rebuild, `store check` and a second laptop that syncs the ops all agree. It is saved in a
handful of SQL statements: a note is saved on every Enter, and each statement inside the
durable commit is time the reviewer waits (issue 17: ~15 statements a plain note before).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store, StoreError

LINES = [
    "Visited the family at home",
    "#new Home visit (3 March 2024)",
    "Saw the child at home #1 @family @lr-aims",
    "Saw the child again @family @family",
    "? Ask the school about attendance",
    "Workload was high @resources- @team+ @resources",
    "",
    "   ",
    "Text with “quotes”, Ünïcode and a tab\tinside",
]


@pytest.fixture
def laptop(tmp_path: Path):
    store = Store(tmp_path / "laptop.db", author="Jordan")
    service = Service(store, load_method())
    review = store.create_review("Fictional review")
    person = store.add_participant(review, role="Social worker", agency="CSC")
    conversation = store.conversation(store.new_conversation(review, person))
    store.start_conversation(conversation, at="2025-03-04T10:00:00+00:00")
    yield store, service, store.conversation(conversation.id)
    store.close()


def _statements(store: Store, action) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        store.conn.set_trace_callback(None)
    return seen


def test_a_plain_note_is_saved_in_one_short_durable_transaction(laptop) -> None:  # noqa: ANN001
    store, service, conversation = laptop
    service.record_note(conversation, "The first note warms the caches", stage=2)
    seen = _statements(
        store, lambda: service.record_note(conversation, "Visited the family at home", stage=2)
    )
    assert seen[0] == "BEGIN IMMEDIATE" and seen[-1] == "COMMIT"
    assert seen.count("COMMIT") == 1
    # BEGIN, the clock read under the write lock, the two ops, the note row, its first
    # revision, the clock written back, COMMIT: no SELECT of rows that cannot exist yet.
    assert len(seen) <= 8, "\n".join(seen)
    assert sum(s.startswith("SELECT") for s in seen) == 1
    note = store.notes(conversation=conversation.id)[-1]
    assert note.text == "Visited the family at home" and note.stage == 2


def test_notes_saved_here_equal_their_ops_applied_one_by_one(laptop, tmp_path: Path) -> None:  # noqa: ANN001
    """A second laptop that receives the ops one at a time (the per-op path of a sync)
    holds exactly the same rows, clocks and derived note columns; so does a rebuild."""
    store, service, conversation = laptop
    for line in LINES:
        service.record_note(conversation, line)
    service.record_note(conversation, "Cited a record", document="doc-1", passage="p. 4")
    service.record_team_note(conversation.review, "The team's own note @family")
    # Other callers (importers, the CLI) may repeat a target: one link row, as before.
    store.add_note(
        conversation, "Repeated tags", factors=["family", "family"], directions=["team+", "team+"]
    )
    with Store(tmp_path / "other.db", author="Sam") as other:
        for op in store.ops():
            other.ingest([op])
        assert other.snapshot() == store.snapshot()
    assert store.check().ok, store.check().problems


def test_a_note_appends_the_same_ops_as_before(laptop) -> None:  # noqa: ANN001
    """Sync relies on the log: each note, link and follow-up is one op, numbered in turn,
    with every field it always had."""
    store, service, conversation = laptop
    before = len(store.ops())
    recorded = service.record_note(
        conversation, "? Ask the school @resources- @family", at="2025-03-04T10:05:00+00:00"
    )
    ops = store.ops()[before:]
    assert [op.entity for op in ops] == ["note", "revision", "link", "link", "link", "follow_up"]
    assert [op.seq for op in ops] == list(range(ops[0].seq, ops[0].seq + 6))
    assert [op.hlc for op in ops] == sorted(op.hlc for op in ops)
    assert len({op.hlc for op in ops}) == 6
    assert {op.device for op in ops} == {store.device} and {op.author for op in ops} == {"Jordan"}
    note, revision, *links, follow_up = ops
    assert note.entity_id == recorded.note_id and note.action == "set"
    assert note.fields == {
        "conversation": conversation.id,
        "at": "2025-03-04T10:05:00+00:00",
        "kind": "followup",
        "author": "Jordan",
        "device": store.device,
        "problems": [],
        "elapsed_s": 300.0,
        "stage": 1,
    }
    assert revision.action == "add"
    assert set(revision.fields) == {"note", "text", "parents", "at", "author"}
    assert revision.fields["note"] == recorded.note_id and revision.fields["parents"] == []
    assert revision.fields["text"] == "Ask the school @resources- @family"
    assert sorted((link.fields["target"], link.fields["relation"]) for link in links) == [
        ("family", ""),
        ("resources", ""),
        ("resources", "hindered"),
    ]
    for link in links:
        assert link.fields["source"] == recorded.note_id and link.fields["present"] == 1
    assert follow_up.fields["note"] == recorded.note_id and follow_up.fields["status"] == "open"
    # The clock and numbering carry on from the note, in this process and the next.
    reopened = Store(store.path, author="Jordan")
    try:
        assert reopened._next_seq == ops[-1].seq + 1
        assert reopened.clock.last.encode() == ops[-1].hlc
    finally:
        reopened.close()


def test_a_failed_note_leaves_nothing_and_the_numbering_carries_on(laptop) -> None:  # noqa: ANN001
    store, service, conversation = laptop
    before = store.ops()
    with pytest.raises(StoreError, match="direction"), store.transaction():
        store.add_note(conversation, "half", factors=["family"], directions=["family?"])
    assert store.ops() == before
    service.record_note(conversation, "Next note")
    ops = store.ops()
    assert [op.seq for op in ops] == list(range(1, len(ops) + 1))
    assert store.check().ok


def test_new_ids_are_version_4_uuids_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids are made without the UUID object now; they must stay what other laptops and
    older versions made: uuid4's 32 hex digits, random but for the version and variant."""
    import os
    import uuid

    from facilitator.store import store as store_module

    for seed in (b"\x00" * 16, b"\xff" * 16, bytes(range(16)), os.urandom(16)):
        monkeypatch.setattr(store_module.os, "urandom", lambda n, seed=seed: seed[:n])
        assert store_module.new_id() == uuid.UUID(bytes=seed, version=4).hex
    monkeypatch.undo()
    made = {store_module.new_id() for _ in range(1000)}
    assert len(made) == 1000
    assert {uuid.UUID(hex=value).version for value in made} == {4}
