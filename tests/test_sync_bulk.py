"""The set-based ingest path (store/bulk.py) gives exactly the tables of applying the same
ops one by one, whatever the order and however the batch is cut."""

from __future__ import annotations

import json
import random
from dataclasses import replace
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


# --- a first pull of ops made up at random, hostile values included -------------------

_TEXTS = ("plain", "", 'a "quoted" word', "back\\slash", "Zoë’s ‘note’", "tab\there", "\u202etxt")
_ENTITIES = {
    "review": ("title", "questions"),
    "note": ("conversation", "at", "kind", "problems", "stage", "elapsed_s", "passage"),
    "link": ("source", "target", "relation", "present"),
    "comment": ("draft", "text", "quote", "anchor"),
    "meeting": ("kind", "at", "attended"),
    "ranking": ("conversation", "factors"),
    "pattern": ("title", "types", "widespread"),
    "answer": ("comment", "response"),
}


_JSON_FIELDS = ("questions", "problems", "attended", "factors", "types")


def _value(rnd: random.Random, name: str) -> object:
    """Any JSON value in a JSON field; a scalar elsewhere (SQLite stores no list)."""
    choice = rnd.randrange(9)
    if choice == 0:
        return rnd.randrange(-5, 5)
    if choice == 1:
        return rnd.random() < 0.5  # a bool, stored as 0 or 1
    if choice == 2:
        return None
    if choice == 3 and name in _JSON_FIELDS:
        return rnd.choice(([], ["x"], ["a", "é"], [1, [2]], {"k": ["v"]}))
    if choice == 4:
        return 2.5
    return rnd.choice(_TEXTS)


def _made_up_ops(seed: int) -> list[Op]:
    """Ops of several laptops on a few rows each: concurrent field edits (ties in the
    clock broken by op id), deletes and restores, notes with revision graphs that
    conflict, the dialogue's rows (drafts are immutable), values of every JSON type in
    plain and JSON fields, fields a row does not have, clocks that need escaping, and ops
    this version parks."""
    rnd = random.Random(seed)
    ids = {name: [f"{name[:2]}{i}" for i in range(rnd.randrange(1, 6))] for name in _ENTITIES}
    notes = ids["note"]
    revisions: list[str] = []
    ops = []
    for seq in range(1, rnd.randrange(40, 160)):
        device = rnd.choice(("d1", "d2", "d3"))
        clock = f"{rnd.randrange(1, 30):015d}.{rnd.randrange(3):06d}.{device}"
        if rnd.random() < 0.05:
            clock += rnd.choice(('"', "é", "\\"))  # a clock json.dumps must escape
        kind = rnd.randrange(10)
        fields: dict = {}
        action = "set"
        if kind == 0:
            entity, entity_id, action = "revision", f"rv{seq}", "add"
            parents = rnd.sample(revisions, min(len(revisions), rnd.randrange(3)))
            fields = {"note": rnd.choice(notes), "text": rnd.choice(_TEXTS), "parents": parents}
            revisions.append(entity_id)
        elif kind == 1:
            entity, action = "draft", "add"
            entity_id = rnd.choice(("dr1", "dr2"))  # a second copy of an id: first wins
            fields = {"kind": "record", "content": {"b": [1], "a": "é"}, "by": "x"}
        elif kind == 2:
            entity = rnd.choice(("note", "link", "comment"))
            entity_id = rnd.choice(ids[entity])
            action = rnd.choice(("delete", "restore"))
            if action == "delete" and entity == "note":
                fields = {"seen": rnd.sample(revisions, min(len(revisions), 2))}
        elif kind == 3:  # parked: unknown entity, newer format, an immutable row's set
            entity, entity_id = rnd.choice((("whiteboard", "w1"), ("revision", "rv0")))
        else:
            entity = rnd.choice(tuple(_ENTITIES))
            entity_id = rnd.choice(ids[entity])
            names = rnd.sample(_ENTITIES[entity], rnd.randrange(1, len(_ENTITIES[entity]) + 1))
            fields = {name: _value(rnd, name) for name in names}
            if rnd.random() < 0.1:
                fields["not_a_field"] = "ignored"
        ops.append(
            Op(
                hlc=clock,
                device=device,
                epoch=1,
                seq=seq,
                author="a",
                review="r1",
                entity=entity,
                entity_id=entity_id,
                action=action,
                fields=fields,
                format=2 if kind == 3 and rnd.random() < 0.3 else 1,
                id=f"{rnd.randrange(16**6):06x}{seq}",
            )
        )
    return ops


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), held=st.integers(0, 40))
def test_first_pull_of_made_up_ops_gives_the_tables_of_one_by_one(
    tmp_path_factory, seed, held
) -> None:
    """The set-based path (whose rows new to the store skip the per-field fold) against
    applying each op alone, on an empty store and on one already holding some rows."""
    root = tmp_path_factory.mktemp("made_up")
    ops = _made_up_ops(seed)
    with (
        Store(root / "one.db") as one,
        Store(root / "bulk.db") as whole,
        Store(root / "part.db") as part,
    ):
        for op in ops:
            one.ingest([op])
        whole.ingest(ops + ops[:BULK_INGEST])
        for op in ops[:held]:
            part.ingest([op])
        part.ingest(ops[held:] + ops[: BULK_INGEST - min(len(ops) - held, BULK_INGEST)])
        expected = one.snapshot()
        assert whole.snapshot() == expected
        assert part.snapshot() == expected
        for store in (one, whole, part):
            report = store.check()  # a rebuild, in clock order
            assert report.ok, report.problems


# --- made-up ops that no laptop writes, in any order ------------------------------------


def _odd_ops(seed: int) -> list[Op]:
    """Ops whose shape does not fit their kind (a field a "set" may not carry, a delete's
    list of seen revisions that is not a list, a revision whose note or parents are not
    what a laptop writes) and immutable rows added twice under one id with other content,
    mixed into made-up ops."""
    rnd = random.Random(seed)
    ops = _made_up_ops(seed)
    notes = sorted({op.entity_id for op in ops if op.entity == "note"}) or ["no1"]
    revisions = [op.entity_id for op in ops if op.entity == "revision"] or ["rv1"]
    odd: list[dict] = [
        {"entity": "note", "action": "set", "fields": {"tombstone": 1, "at": "x"}},
        {"entity": "note", "action": "set", "fields": {"deleted": 1}},
        {"entity": "note", "action": "set", "fields": {"deleted": 0, "kind": "fact"}},
        {"entity": "note", "action": "set", "fields": {"deleted_seen": revisions[:1]}},
        {"entity": "link", "action": "set", "fields": {"deleted": 1, "present": 1}},
        {"entity": "note", "action": "delete", "fields": {"seen": 5}},
        {"entity": "note", "action": "delete", "fields": {"seen": revisions[0]}},
        {"entity": "note", "action": "delete", "fields": {"seen": {revisions[0]: 1}}},
        {
            "entity": "revision",
            "action": "add",
            "fields": {"note": rnd.choice(notes), "text": "p", "parents": revisions[0]},
        },
        {
            "entity": "revision",
            "action": "add",
            "fields": {"note": rnd.choice(notes), "text": "q", "parents": 7},
        },
        {"entity": "revision", "action": "add", "fields": {"note": 5, "text": "n"}},
    ]
    extra = []
    for seq in range(rnd.randrange(3, 12)):
        device = rnd.choice(("d1", "d2"))
        shape = dict(rnd.choice(odd))
        if shape["entity"] == "revision":
            entity_id = f"odd{seq}"
        elif shape["entity"] == "link":
            entity_id = "li0"
        else:
            entity_id = rnd.choice(notes)
        extra.append((shape, entity_id, device))
    # The same immutable id added again by another op with other content (and, now and
    # then, the very same clock).
    for op in rnd.sample(ops, min(len(ops), 6)):
        if op.entity in ("revision", "draft") and op.action == "add":
            fields = dict(op.fields)
            fields["text" if op.entity == "revision" else "by"] = rnd.choice(("other", "zz"))
            if op.entity == "revision" and rnd.random() < 0.5:
                fields["note"] = rnd.choice(notes)
            shape = {"entity": op.entity, "action": "add", "fields": fields}
            extra.append((shape, op.entity_id, op.hlc if rnd.random() < 0.5 else None))
    made = []
    for index, (shape, entity_id, device_or_clock) in enumerate(extra):
        if device_or_clock and "." in device_or_clock:
            clock = device_or_clock
        else:
            clock = f"{rnd.randrange(1, 30):015d}.{rnd.randrange(3):06d}.d9"
        made.append(
            Op(
                hlc=clock,
                device="d9",
                epoch=1,
                seq=1000 + index,
                author="a",
                review="r1",
                entity_id=entity_id,
                id=f"odd{index:03d}{rnd.randrange(16**4):04x}",
                **shape,
            )
        )
    return ops + made + _variants(rnd, ops + made)


def _variants(rnd: random.Random, ops: list[Op]) -> list[Op]:
    """Ops under an id already used with other content (a hostile or faulty laptop, or a
    file-sync engine mixing versions), and copies of an op under another numbering only
    (a forked laptop's op as the share numbers it: the same op, not a variant)."""
    made = []
    for op in rnd.sample(ops, min(len(ops), rnd.randrange(1, 6))):
        change = rnd.randrange(4)
        if change == 0:
            fields = {**op.fields, "text": "changed"} if op.fields else {"title": "x"}
            made.append(replace(op, fields=fields, fields_json=None))
        elif change == 1:
            made.append(replace(op, hlc=f"{rnd.randrange(1, 30):015d}.000009.d8"))
        elif change == 2:
            made.append(replace(op, entity_id=f"{op.entity_id}x", action=op.action))
        else:
            made.append(replace(op, device="d7", epoch=9, seq=op.seq + 50))
    return made


def _content(op: Op) -> tuple:
    """What an op says, leaving out its numbering (device, epoch, seq)."""
    fields = json.dumps(op.fields, sort_keys=True)
    return (op.id, op.hlc, op.author, op.review, op.entity, op.entity_id, op.action, fields)


def _fed(path: Path, ops: list[Op], cut: list[int]) -> Store:
    """A store given ``ops`` in batches of the sizes in ``cut`` (cycled)."""
    store = Store(path)
    start = index = 0
    while start < len(ops):
        size = cut[index % len(cut)]
        store.ingest(ops[start : start + size])
        start += size
        index += 1
    return store


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), order=st.randoms(use_true_random=False))
def test_made_up_ops_give_the_same_tables_in_any_order(tmp_path_factory, seed, order) -> None:
    """Laptops that hold the same ops hold the same tables, whatever order the ops came in
    and whichever path took them in (op by op, or the first-pull path), and `store check`
    (a rebuild in clock order) agrees. Ops that do not fit their kind are parked, and
    kept in the log."""
    root = tmp_path_factory.mktemp("odd")
    ops = _odd_ops(seed)
    shuffled = list(ops)
    order.shuffle(shuffled)
    in_clock_order = sorted(ops, key=lambda op: (op.hlc, op.id))
    stores = [
        _fed(root / "clock.db", in_clock_order, [1]),
        _fed(root / "one.db", shuffled, [1]),
        _fed(root / "bulk.db", shuffled, [len(shuffled)]),
        _fed(root / "backwards.db", shuffled[::-1], [BULK_INGEST, 1, 3]),
    ]
    try:
        expected = stores[0].snapshot()
        for store in stores:
            assert store.snapshot() == expected, store.path.name
            report = store.check()
            assert report.ok, (store.path.name, report.problems)
            assert {op.id for op in store.ops()} == {op.id for op in ops}
            # Nothing lost: every version of every op is kept.
            assert {_content(op) for op in ops} <= {_content(op) for op in store.all_op_versions()}
    finally:
        for store in stores:
            store.close()


def test_one_op_id_with_two_contents_gives_the_same_tables_in_either_order(tmp_path) -> None:
    """A hostile or faulty laptop (or a file-sync engine mixing versions) sends one op id
    with two contents: both are kept, neither is applied, on every laptop and both paths,
    whatever came first; the rows the first had set are worked out again from the rest."""
    with Store(tmp_path / "origin.db") as origin:
        review = origin.create_review("Fictional review")
        person = origin.add_participant(review, role="Teacher", agency="School")
        conversation = origin.conversation(origin.new_conversation(review, person))
        origin.add_note(conversation, "First account")
        edit = origin.update(review, "review", review, title="Renamed")
        base = [op for op in origin.ops() if op.id != edit.id]
    other = replace(edit, fields={"title": "Hijacked"}, fields_json=None)
    padding = base * (BULK_INGEST // len(base) + 1)  # repeats: enough for the first-pull path
    orders = {
        "one-first": base + [edit, other],
        "other-first": base + [other, edit],
        "bulk-one-first": padding + [edit, other],
        "bulk-other-first": [other] + padding + [edit],
        "apart": base + [edit],
    }
    snapshots = {}
    for name, ops in orders.items():
        with Store(tmp_path / f"{name}.db") as store:
            if name.startswith("bulk"):
                store.ingest(ops)
            else:
                for op in ops:
                    store.ingest([op])
            if name == "apart":
                assert store.review(review).title == "Renamed"
                store.ingest([other])  # the second content comes later, alone
            assert store.review(review).title == "Fictional review", name
            assert store.conflicted_ops() == 1
            assert store.check().ok, store.check().problems
            kept = {op.fields["title"] for op in store.all_op_versions() if op.id == edit.id}
            assert kept == {"Renamed", "Hijacked"}
            snapshots[name] = store.snapshot()
    first = snapshots.pop("one-first")
    for name, snapshot in snapshots.items():
        assert snapshot == first, name


def test_an_op_renumbered_is_the_same_op_not_a_second_content(tmp_path) -> None:
    with Store(tmp_path / "origin.db") as origin:
        review = origin.create_review("Fictional review")
        ops = origin.ops()
    with Store(tmp_path / "s.db") as store:
        store.ingest(ops)
        store.ingest([replace(op, epoch=2, seq=op.seq + 10) for op in ops])
        assert store.conflicted_ops() == 0
        assert store.review(review).title == "Fictional review"
