"""The set-based ingest path (store/bulk.py) gives exactly the tables of applying the same
ops one by one, whatever the order and however the batch is cut."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.store import Store
from facilitator.store.oplog import Op
from facilitator.store.store import BULK_INGEST

TEXTS = ("Visited at home", "Mother was worried", "School raised a concern")


def _history(root: Path, seed: int) -> list[Op]:
    """Ops from three laptops that edit the same notes, exchanging ops now and then."""
    rnd = random.Random(seed)
    stores = [Store(root / f"s{i}.db", author=f"a{i}") for i in range(3)]
    first = stores[0]
    review = first.create_review("Fictional review")
    person = first.add_participant(review, role="Teacher", agency="School")
    conversation_id = first.new_conversation(review, person)
    episode = first.create_episode(review, "Home visit")
    first.add_note(first.conversation(conversation_id), "First account")
    for other in stores[1:]:
        other.ingest(first.ops())
    for _ in range(rnd.randrange(60, 120)):
        store = rnd.choice(stores)
        conversation = store.conversation(conversation_id)
        notes = store.notes(review=review, include_deleted=True)
        note = rnd.choice(notes)
        action = rnd.randrange(8)
        if action == 0:
            store.add_note(conversation, rnd.choice(TEXTS), factors=["family"])
        elif action == 1:
            store.revise_note(note, f"{note.text} +")
        elif action == 2 and note.conflict:
            store.revise_note(note, "merged", parents=note.heads)
        elif action == 3:
            store.link(review, note.id, "episode", episode, present=rnd.random() < 0.5)
        elif action == 4:
            store.set_stage(conversation, rnd.randrange(1, 10))
        elif action == 5:
            store.update(review, "review", review, title=rnd.choice(("A", "B", "C")))
        elif action == 6:
            store.delete(review, "note", note.id)
        else:
            store.restore(review, "note", note.id)
        if rnd.random() < 0.3:  # an exchange between two laptops
            source, target = rnd.sample(stores, 2)
            target.ingest(source.ops())
    ops = {op.id: op for store in stores for op in store.ops()}
    for store in stores:
        store.close()
    return list(ops.values())


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), order=st.randoms(use_true_random=False))
def test_bulk_and_one_by_one_give_identical_tables(tmp_path_factory, seed, order) -> None:
    root = tmp_path_factory.mktemp("bulk")
    ops = _history(root, seed)
    shuffled = list(ops)
    order.shuffle(shuffled)
    duplicated = shuffled + order.sample(shuffled, min(len(shuffled), 20))
    with (
        Store(root / "one.db") as one,
        Store(root / "bulk.db") as whole,
        Store(root / "mixed.db") as mixed,
    ):
        for op in shuffled:
            one.ingest([op])
        assert len(duplicated) >= BULK_INGEST
        assert whole.ingest(duplicated)[0] == len(ops)
        cut = 0
        while cut < len(duplicated):
            size = order.choice((1, 3, BULK_INGEST, 2 * BULK_INGEST))
            mixed.ingest(duplicated[cut : cut + size])
            cut += size
        expected = one.snapshot()
        assert whole.snapshot() == expected
        assert mixed.snapshot() == expected
        for store in (one, whole, mixed):
            report = store.check()
            assert report.ok, report.problems
            assert {op.id for op in store.ops()} == {op.id for op in ops}


def test_bulk_ingest_parks_what_it_cannot_apply(tmp_path) -> None:
    future = [
        Op(
            hlc=f"{i:015d}.000000.future",
            device="future",
            epoch=1,
            seq=i,
            author="x",
            review="r",
            entity="whiteboard" if i % 2 else "note",
            entity_id=f"e{i}",
            action="set",
            fields={"at": "2025-01-01"},
            format=1 if i % 2 == 0 else 2,
        )
        for i in range(1, 2 * BULK_INGEST)
    ]
    with Store(tmp_path / "s.db") as store:
        new, parked = store.ingest(future)
        assert new == len(future) and parked == BULK_INGEST
        assert store.check().parked == BULK_INGEST
