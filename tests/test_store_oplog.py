"""The op log in a real SQLite store: what is appended is what is read back and sent.

What users rely on: every op keeps every field through the log (and so through a sync);
an op is held once however often it arrives; a reader that follows the log (the sync
push) neither skips nor repeats an op; and an op that reached this laptop under another
numbering is remembered as such, so `store check` can tell it from a lost one. Written
while killing mutants of facilitator/store/oplog.py (TESTING.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from facilitator.store import Store
from facilitator.store.oplog import FORMAT, OP_COLUMNS, Op, _object_from_text


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "laptop.db", author="Jordan")
    yield opened
    opened.conn.close()


def remote(seq: int, **changes) -> Op:
    base = {
        "hlc": f"{1_700_000_000_000 + seq:015d}.000002.dev-remote",
        "device": "dev-remote",
        "epoch": 3,
        "seq": seq,
        "author": "Sam",
        "review": "rev-1",
        "entity": "review",
        "entity_id": "rev-1",
        "action": "set",
        "fields": {"title": f"Fictional review {seq} – “Ünïcode”"},
    }
    return Op(**(base | changes))


def test_every_field_of_an_op_is_read_back_as_it_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "laptop.db"
    first = Store(path, author="Jordan")
    review = first.create_review("Fictional review – “quotes”")
    written = first.ops()
    first.conn.close()
    again = Store(path, author="Jordan")
    read = again.ops()
    assert read == written and len(read) >= 1
    for op in read:
        assert op.review == review and op.author == "Jordan"
        assert op.device == again.device and op.epoch == again.epoch and op.format == FORMAT
        assert op.fields == json.loads(op.fields_text())
    # Each value sits in its own column (other tools and `store check` read them there).
    row = again.conn.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops LIMIT 1").fetchone()
    assert tuple(row) == read[0].row()
    assert dict(zip(OP_COLUMNS, row, strict=True)) == read[0].as_dict() | {
        "fields": read[0].fields_text()
    }
    again.conn.close()


def test_an_op_from_another_laptop_keeps_every_field(store: Store) -> None:
    op = remote(1, format=FORMAT)
    assert store.ingest([op]) == (1, 0)
    (held,) = store.ops("WHERE device = ?", ("dev-remote",))
    assert held == op
    assert (held.id, held.epoch, held.seq, held.author, held.hlc) == (
        op.id,
        3,
        1,
        "Sam",
        op.hlc,
    )
    assert held.fields["title"] == "Fictional review 1 – “Ünïcode”"
    assert held.fields_text() == op.fields_text()


def test_an_op_is_held_once_however_often_it_arrives(store: Store) -> None:
    op = remote(1)
    assert store.ingest([op]) == (1, 0)
    assert store.ingest([op]) == (0, 0)
    assert store.ingest([op, remote(2)]) == (1, 0)
    assert store.conn.execute("SELECT count(*) FROM ops WHERE id = ?", (op.id,)).fetchone() == (1,)


def test_an_op_held_under_another_numbering_is_remembered_as_an_alias(store: Store) -> None:
    op = remote(1)
    store.ingest([op])
    store.ingest([op])  # the same numbering again: nothing to remember
    assert store.conn.execute("SELECT count(*) FROM op_aliases").fetchone() == (0,)
    for renumbered in [
        Op.from_dict(op.as_dict() | {"seq": 7}),
        Op.from_dict(op.as_dict() | {"epoch": 4}),
        Op.from_dict(op.as_dict() | {"device": "dev-clone"}),
    ]:
        store.ingest([renumbered])
    aliases = store.conn.execute(
        "SELECT device, epoch, seq, id FROM op_aliases ORDER BY device, epoch, seq"
    ).fetchall()
    assert [tuple(a) for a in aliases] == [
        ("dev-clone", 3, 1, op.id),
        ("dev-remote", 3, 7, op.id),
        ("dev-remote", 4, 1, op.id),
    ]
    # Only one op is held, under its first numbering.
    assert [(o.device, o.epoch, o.seq) for o in store.ops()] == [("dev-remote", 3, 1)]


def test_following_the_log_neither_skips_nor_repeats_an_op(store: Store) -> None:
    start = store.op_position()
    assert store.ops_since(start) == ([], start)
    store.create_review("Fictional review A")
    first, position = store.ops_since(start)
    assert first and position == store.op_position() > start
    assert store.ops_since(position) == ([], position)  # nothing new: same place
    store.ingest([remote(1), remote(2)])
    store.create_review("Fictional review B")
    second, position2 = store.ops_since(position)
    assert {o.id for o in second}.isdisjoint({o.id for o in first})
    assert {o.id for o in first} | {o.id for o in second} == {o.id for o in store.ops()}
    assert position2 == store.op_position()
    assert [o.hlc for o in second] == sorted(o.hlc for o in second)


def test_reading_the_log_orders_by_clock_and_filters(store: Store) -> None:
    late, early = remote(1), remote(2, hlc="000000000000001.000000.dev-remote")
    store.ingest([late, early])
    remote_ops = store.ops("WHERE device = ?", ("dev-remote",))
    assert [o.id for o in remote_ops] == [early.id, late.id]
    assert store.ops("WHERE seq = ?", (2,))[0].id == early.id


@pytest.mark.parametrize("fields", ["[1, 2]", "3", '"text"', [1], None])
def test_an_op_whose_fields_are_not_an_object_is_refused(fields) -> None:  # noqa: ANN001
    data = remote(1).as_dict() | {"fields": fields}
    with pytest.raises(TypeError, match="^an op's fields must be an object$"):
        Op.from_dict(data)


def test_fields_given_as_text_or_object_read_the_same() -> None:
    op = remote(1)
    as_text = Op.from_dict(op.as_dict() | {"fields": op.fields_text()})
    as_object = Op.from_dict(op.as_dict())
    assert as_text == as_object == op
    assert as_text.fields_text() == op.fields_text()
    assert as_object.fields_text() == json.dumps(op.fields, sort_keys=True, ensure_ascii=False)


def test_fields_read_as_text_are_written_on_as_that_very_text(store: Store) -> None:
    # Not how this version would write them: an op from an older laptop, carried unchanged,
    # so every laptop's log holds the same bytes for it.
    text = '{"title": "Fictional review", "stage":  2}'
    op = Op.from_dict(remote(1).as_dict() | {"fields": text})
    assert op.fields_text() == text and op.fields == {"title": "Fictional review", "stage": 2}
    store.ingest([op])
    assert store.conn.execute("SELECT fields FROM ops WHERE id = ?", (op.id,)).fetchone() == (text,)
    assert store.ops("WHERE id = ?", (op.id,))[0].fields_text() == text


def test_an_op_of_a_newer_format_keeps_its_format_so_it_stays_parked(store: Store) -> None:
    newer = Op.from_dict(remote(1).as_dict() | {"format": FORMAT + 1})
    assert newer.format == FORMAT + 1
    assert store.ingest([newer]) == (1, 1)
    (held,) = store.ops("WHERE id = ?", (newer.id,))
    assert held.format == FORMAT + 1
    assert store.conn.execute("SELECT applied FROM ops WHERE id = ?", (newer.id,)).fetchone() == (
        0,
    )


_JSON_BITS = st.sampled_from(
    ["{", "}", '"a"', ":", ",", "1", "[", "]", " ", "\n", "NaN", "null", '"\\ud800"', "x", "{}"]
)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_JSON_BITS, max_size=12).map("".join))
@example(text='{"a":')  # the scanner stops short of a value (StopIteration)
@example(text='{"a":1} ')
@example(text='{"a":1}x')
def test_reading_an_ops_fields_is_json_loads(text) -> None:
    """An op's fields read by the scanner alone give what json.loads gives, or fail alike."""
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            _object_from_text(text)
        return
    assert json.dumps(_object_from_text(text)) == json.dumps(expected)  # NaN != NaN
