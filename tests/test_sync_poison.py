"""One op whose value no column can hold (a lone surrogate, a number past 64 bits, a list
where text belongs), sent by a faulty or hostile client: it stopped every later sync on
every laptop ("unexpected problem (UnicodeEncodeError…)", "Error binding parameter"), and
a new laptop could not join. Found by the hostile tester of issue 11, fifth session. Such
an op is parked, kept in the log, and everything else goes through."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from facilitator.store import Store
from facilitator.store.oplog import Op

POISON = [
    '{"kind": "\\ud800"}',
    '{"stage": 123456789012345678901234567890}',
    '{"kind": [1, 2]}',
    '{"kind": {"a": 1}}',
]


def _ops(tmp_path: Path, poison: str, padding: int) -> tuple[list[Op], str]:
    """A laptop's ops: a review, a conversation, notes, then one note set to ``poison``
    and ``padding`` honest notes after it."""
    with Store(tmp_path / "sender.db", author="E") as sender:
        review = sender.create_review("Review (fictional)")
        person = sender.add_participant(review, role="Social worker", agency="Care")
        talk = sender.conversation(sender.new_conversation(review, person))
        first = sender.add_note(talk, "Before the bad op")
        ops = sender.ops()
        bad = replace(
            ops[-1],
            id="f" * 32,
            entity="note",
            entity_id=first,
            action="set",
            fields=json.loads(poison),
            fields_json=poison,  # as a segment brings it: the JSON text it was read from
            seq=ops[-1].seq + 1,
        )
        for number in range(padding):
            sender.add_note(talk, f"After the bad op {number}")
        after = [op for op in sender.ops() if op.seq > ops[-1].seq]
        after = [replace(op, seq=op.seq + 1) for op in after]
    return [*ops, bad, *after], review


@pytest.mark.parametrize("poison", POISON)
@pytest.mark.parametrize("padding", [2, 80], ids=["op by op", "first pull"])
def test_an_op_no_column_can_hold_is_parked_and_the_rest_applied(
    tmp_path: Path, poison: str, padding: int
) -> None:
    ops, review = _ops(tmp_path, poison, padding)
    with Store(tmp_path / "receiver.db", author="A") as receiver:
        new, parked = receiver.ingest(ops)
        assert (new, parked) == (len(ops), 1)
        texts = {n.text for n in receiver.notes(review=review)}
        assert "Before the bad op" in texts
        assert f"After the bad op {padding - 1}" in texts
        assert receiver.check().ok
        # And the next batch still goes in.
        more, _ = receiver.ingest(ops)
        assert more == 0
