"""Made-up ops that no laptop writes, through a real shared folder: laptops still agree,
and the sync report says what was kept and not applied (issue 11, sixth session)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from facilitator.store import Store
from facilitator.sync import engine_for, join_share, share_review, state
from facilitator.sync import segments as seg
from facilitator.sync.layout import DEVICES

PASS = "correct horse battery"
FAST_SCRYPT = 2**10


@pytest.fixture
def trio(tmp_path: Path):
    """(lead, taker, share, review): the lead shared a review with a note, the note-taker
    joined."""
    with (
        Store(tmp_path / "lead.db", author="Lead") as lead,
        Store(tmp_path / "taker.db", author="Taker") as taker,
    ):
        review = lead.create_review("Fictional review")
        person = lead.add_participant(review, role="Health visitor", agency="Health")
        conversation = lead.conversation(lead.new_conversation(review, person))
        lead.add_note(conversation, "Visited the family on Tuesday")
        share = tmp_path / "share"
        share_review(lead, review, share, PASS, scrypt_n=FAST_SCRYPT)
        join_share(taker, share, PASS)
        yield lead, taker, share, review


def _plant(share: Path, key: bytes, review: str, device: str, ops: list) -> None:
    """A segment of a laptop that is not one of ours (a faulty or hostile client)."""
    folder = share / DEVICES / device / "1"
    folder.mkdir(parents=True, exist_ok=True)
    numbered = [replace(op, device=device, epoch=1, seq=n) for n, op in enumerate(ops, 1)]
    segment = seg.build(review, device, 1, 1, len(numbered), numbered)
    (folder / seg.segment_name(1, len(numbered))).write_bytes(seg.encode(segment, key))


def test_an_op_id_sent_again_with_other_content_is_kept_not_applied_and_reported(trio) -> None:
    lead, taker, share, review = trio
    edit = lead.update(review, "review", review, title="Renamed by the lead")
    key = state.load_key(lead, review)
    assert key
    forged = replace(edit, fields={"title": "Forged"}, fields_json=None)
    _plant(share, key, review, "intruder", [forged])
    # The note-taker meets the forged version first, the lead its own first.
    first = engine_for(taker, review).sync()
    assert first.conflicted == 0  # nothing to compare with yet: taken as it came
    assert taker.review(review).title == "Forged"
    lead_report = engine_for(lead, review).sync()
    taker_report = engine_for(taker, review).sync()
    assert lead_report.conflicted == 1 and taker_report.conflicted == 1
    for report in (lead_report, taker_report):
        assert any("every version kept, none applied" in line for line in report.lines())
    assert lead.review(review).title == taker.review(review).title == "Fictional review"
    assert lead.snapshot() == taker.snapshot()
    assert lead.check().ok and taker.check().ok
    # The next sync has nothing new to say.
    assert engine_for(lead, review).sync().conflicted == 0


def test_a_set_op_that_deletes_a_note_is_parked_on_every_laptop(trio) -> None:
    lead, taker, share, review = trio
    note = lead.notes(review=review)[0]
    forged = replace(
        lead.ops()[-1],
        id="e" * 32,
        entity="note",
        entity_id=note.id,
        action="set",
        fields={"tombstone": 1, "deleted": 1, "deleted_seen": list(note.heads)},
        fields_json=None,
    )
    key = state.load_key(lead, review)
    assert key
    _plant(share, key, review, "intruder", [forged])
    report = engine_for(taker, review).sync()
    assert report.parked == 1
    assert [n.text for n in taker.notes(review=review)] == ["Visited the family on Tuesday"]
    assert taker.check().ok and taker.check().parked == 1
