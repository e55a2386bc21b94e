"""A segment file read back the way another laptop reads it off the share.

What users rely on: a segment holds exactly the ops it was written with; a file still
arriving is "not yet" (read again later), never "damaged"; a file that is damaged, renamed,
sealed under another key or of another review is refused with a clear reason; and a junk
file costs a bounded read. Written while killing mutants of facilitator/sync/segments.py
(TESTING.md); the end-to-end cases are in test_sync_faults.py and test_sync_repair.py.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from facilitator.store.oplog import Op
from facilitator.sync import segments
from facilitator.sync.crypto import new_data_key, seal
from facilitator.sync.segments import (
    MAGIC,
    MAX_BODY,
    MAX_HEADER,
    SegmentIncomplete,
    SegmentName,
    SegmentRejected,
    SegmentTooNew,
    build,
    decode,
    encode,
    parse_name,
    read_file,
    read_header,
    segment_name,
)

KEY = new_data_key()
REVIEW, DEVICE, EPOCH = "rev-1", "dev-a", 1


def op(seq: int, *, review: str = REVIEW, device: str = DEVICE, epoch: int = EPOCH, **fields):
    return Op(
        hlc=f"{1_700_000_000_000 + seq:015d}.000000.{device}",
        device=device,
        epoch=epoch,
        seq=seq,
        author="Jordan",
        review=review,
        entity="note",
        entity_id=f"note-{seq}",
        action="add",
        fields=fields or {"text": f"fictional note {seq}: café, “quotes”, emoji 🙂"},
    )


def written(first: int, last: int, ops: list[Op], key: bytes = KEY) -> bytes:
    return encode(build(REVIEW, DEVICE, EPOCH, first, last, ops), key)


def read_back(data: bytes, first: int, last: int, **where) -> segments.Segment:
    place = {"review": REVIEW, "device": DEVICE, "epoch": EPOCH} | where
    return decode(data, KEY, name=SegmentName(first, last, ""), **place)


def as_file(tmp_path: Path, data: bytes, name: str = "seg") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- names -----------------------------------------------------------------------------


def test_names_sort_in_seq_order_and_read_back() -> None:
    names = [segment_name(first, last) for first, last in [(1, 9), (10, 99), (100, 1000)]]
    assert names == sorted(names)
    assert names[0] == "000000000001-000000000009.seg"
    assert [parse_name(n) for n in names] == [
        SegmentName(1, 9, ""),
        SegmentName(10, 99, ""),
        SegmentName(100, 1000, ""),
    ]


@pytest.mark.parametrize(
    "copy",
    [
        "000000000001-000000000004-LAPTOP.seg",
        "000000000001-000000000004 (Jordan's conflicted copy 2025-03-04).seg",
        "000000000001-000000000004.sync-conflict-20250304-101010-ABCDEFG.seg",
    ],
)
def test_a_file_sync_engines_copy_is_recognised_as_the_same_range(copy: str) -> None:
    name = parse_name(copy)
    assert name is not None
    assert (name.first, name.last) == (1, 4)
    assert name.suffix != ""


@pytest.mark.parametrize(
    "junk",
    [
        "000000000000-000000000004.seg",  # seqs start at 1
        "000000000005-000000000004.seg",  # ends before it starts
        "00000000001-000000000004.seg",  # 11 digits
        "000000000001-000000000004.seg.tmp",
        "x000000000001-000000000004.seg",
        ".tmp-123-000000000001-000000000004.seg",
    ],
)
def test_names_that_are_not_segments_are_ignored(junk: str) -> None:
    assert parse_name(junk) is None


def test_a_one_op_range_is_a_valid_name() -> None:
    assert parse_name(segment_name(7, 7)) == SegmentName(7, 7, "")


# --- round trip ------------------------------------------------------------------------


def test_a_segment_holds_exactly_the_ops_it_was_written_with(tmp_path: Path) -> None:
    ops = [op(3), op(4, text="line one\nline two"), op(6, text="")]
    data = written(3, 6, ops)
    segment = read_back(read_file(as_file(tmp_path, data)), 3, 6)
    assert segment.ops == tuple(ops)
    assert [o.fields for o in segment.ops] == [o.fields for o in ops]
    assert (segment.review, segment.device, segment.epoch) == (REVIEW, DEVICE, EPOCH)
    assert (segment.first, segment.last, segment.overrun) == (3, 6, 0)


def test_note_text_is_not_readable_on_the_share() -> None:
    data = written(1, 1, [op(1, text="Sam told the GP about the bruise")])
    assert b"bruise" not in data and b"Sam" not in data


def test_a_segment_of_no_ops_reads_back_empty() -> None:
    # A range of seqs whose ops all belong to another review of the same laptop.
    assert read_back(written(5, 9, []), 5, 9).ops == ()


def test_the_header_states_review_place_range_count_and_length() -> None:
    data = written(2, 5, [op(2), op(5)])
    header, start = read_header(data)
    assert {k: header[k] for k in ("v", "review", "device", "epoch", "first", "last", "count")} == {
        "v": 1,
        "review": REVIEW,
        "device": DEVICE,
        "epoch": EPOCH,
        "first": 2,
        "last": 5,
        "count": 2,
    }
    assert header["length"] == len(data) - start


def test_ops_beyond_the_range_from_an_older_writer_are_taken_in_and_counted() -> None:
    segment = read_back(written(1, 2, [op(1), op(2), op(3), op(4)]), 1, 2)
    assert [o.seq for o in segment.ops] == [1, 2, 3, 4]
    assert segment.overrun == 2


# --- still arriving, or damaged ---------------------------------------------------------


def test_every_prefix_of_a_segment_is_not_yet_never_damaged(tmp_path: Path) -> None:
    data = written(1, 2, [op(1), op(2)])
    for cut in range(len(data)):
        with pytest.raises(SegmentIncomplete):
            read_file(as_file(tmp_path, data[:cut]))
        with pytest.raises(SegmentIncomplete):
            read_back(data[:cut], 1, 2)


def test_a_file_longer_than_its_header_says_is_refused(tmp_path: Path) -> None:
    data = written(1, 1, [op(1)]) + b"\0"
    with pytest.raises(SegmentRejected, match="longer than its header says"):
        read_file(as_file(tmp_path, data))
    with pytest.raises(SegmentRejected, match="longer than its header says"):
        read_back(data, 1, 1)


@pytest.mark.parametrize("junk", [b"PK\x03\x04 a zip file", b"{}", b"FSE!" + b"\0" * 40])
def test_a_file_that_is_not_a_segment_is_refused_not_waited_for(tmp_path: Path, junk) -> None:
    with pytest.raises(SegmentRejected, match="not a facilitator segment"):
        read_file(as_file(tmp_path, junk))
    with pytest.raises(SegmentRejected, match="not a facilitator segment"):
        read_header(junk)


def with_header(header: dict | bytes, body: bytes = b"") -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack(">4sI", MAGIC, len(raw)) + raw + body


GOOD = {"v": 1, "review": REVIEW, "device": DEVICE, "epoch": EPOCH, "first": 1, "last": 1}


@pytest.mark.parametrize(
    "header",
    [
        b"not json",
        b"[1, 2]",
        {"review": REVIEW},  # no version
        GOOD,  # no length
        GOOD | {"length": "many"},
        GOOD | {"length": 0},
        GOOD | {"length": -28},
        GOOD | {"length": MAX_BODY + 1},
    ],
)
def test_a_damaged_header_is_refused(tmp_path: Path, header) -> None:
    data = with_header(header, b"\0" * 40)
    with pytest.raises(SegmentRejected):
        read_file(as_file(tmp_path, data))
    with pytest.raises(SegmentRejected):
        read_back(data, 1, 1)


def test_a_header_with_an_unreadable_range_is_refused() -> None:
    with pytest.raises(SegmentRejected, match="^damaged header$"):
        read_back(with_header(GOOD | {"length": 40, "first": "one"}, b"\0" * 40), 1, 1)


def test_the_largest_body_allowed_is_waited_for_not_refused(tmp_path: Path) -> None:
    # A big segment still copying onto the share states MAX_BODY bytes: "not yet".
    data = with_header(GOOD | {"length": MAX_BODY}, b"\0" * 100)
    with pytest.raises(SegmentIncomplete, match="100 of"):
        read_file(as_file(tmp_path, data))
    with pytest.raises(SegmentIncomplete, match="100 of"):
        read_back(data, 1, 1)


def test_a_huge_stated_header_is_refused_after_one_small_read(tmp_path: Path) -> None:
    data = struct.pack(">4sI", MAGIC, MAX_HEADER + 1) + b"{" * 100
    with pytest.raises(SegmentRejected, match="damaged header"):
        read_file(as_file(tmp_path, data))
    with pytest.raises(SegmentRejected, match="damaged header"):
        read_header(data)


def test_a_header_of_the_largest_size_allowed_is_waited_for(tmp_path: Path) -> None:
    data = struct.pack(">4sI", MAGIC, MAX_HEADER) + b" " * 10
    with pytest.raises(SegmentIncomplete):
        read_file(as_file(tmp_path, data))
    with pytest.raises(SegmentIncomplete, match="header cut short"):
        read_header(data)


def test_a_segment_from_a_newer_facilitator_is_kept_for_later(tmp_path: Path) -> None:
    data = with_header(GOOD | {"v": 2, "length": 40}, b"\0" * 40)
    with pytest.raises(SegmentTooNew, match="segment format 2; this version reads 1"):
        read_file(as_file(tmp_path, data))
    # The current version is read as usual.
    assert read_header(written(1, 1, [op(1)]))[0]["v"] == 1


# --- authentic, and in its own place ----------------------------------------------------


def test_a_segment_under_another_key_is_refused() -> None:
    data = written(1, 1, [op(1)], key=new_data_key())
    with pytest.raises(SegmentRejected, match="another key"):
        read_back(data, 1, 1)


@pytest.mark.parametrize(
    "where",
    [
        {"review": "rev-2"},
        {"device": "dev-b"},
        {"epoch": 2},
        {"name": SegmentName(1, 3, "")},
        {"name": SegmentName(2, 2, "")},
    ],
)
def test_a_segment_moved_to_another_place_is_refused(where: dict) -> None:
    data = written(1, 2, [op(1), op(2)])
    name = where.get("name", SegmentName(1, 2, ""))
    place = {"review": REVIEW, "device": DEVICE, "epoch": EPOCH}
    place |= {k: v for k, v in where.items() if k != "name"}
    with pytest.raises(SegmentRejected, match="renamed or moved"):
        decode(data, KEY, name=name, **place)


def sealed_with(lines: bytes, first: int = 1, last: int = 1) -> bytes:
    """A correctly sealed segment whose body is ``lines`` (as a faulty writer might make)."""
    body = zlib.compress(lines, 1)
    segment = build(REVIEW, DEVICE, EPOCH, first, last, [])
    header = segments._header(segment, body_length=len(body) + 28)
    prefix = struct.pack(">4sI", MAGIC, len(header))
    return prefix + header + seal(KEY, body, prefix + header)


@pytest.mark.parametrize(
    ("stray", "reason"),
    [
        (op(1, device="dev-b"), "ops of another place"),
        (op(1, epoch=2), "ops of another place"),
        (op(0), "ops of another place"),  # before the range
        (op(1, review="rev-2"), "another review"),
    ],
)
def test_ops_that_do_not_belong_in_the_segment_are_refused(stray: Op, reason: str) -> None:
    data = sealed_with(segments.op_line(op(1)) + b"\n" + segments.op_line(stray))
    with pytest.raises(SegmentRejected, match=reason):
        read_back(data, 1, 1)


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"id": "x"}', b"\xff\xfe", b"[1]"],
)
def test_unreadable_contents_are_refused(body: bytes) -> None:
    with pytest.raises(SegmentRejected, match="cannot be read"):
        read_back(sealed_with(body), 1, 1)


def test_contents_that_expand_without_bound_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(segments, "MAX_PLAIN", 64 * 1024)
    lines = segments.op_line(op(1, text="x" * 70_000))
    with pytest.raises(SegmentRejected, match="expand beyond"):
        read_back(sealed_with(lines), 1, 1)


# --- what the sync status says about a file (one clear line, as the user reads it) ------


def reason(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


def test_the_reasons_shown_for_a_refused_or_waiting_file(tmp_path: Path) -> None:
    good = written(1, 2, [op(1), op(2)])
    header, start = read_header(good)
    cases = [
        (good[:3], SegmentIncomplete, "shorter than a segment header"),
        (good[: start - 1], SegmentIncomplete, "header cut short"),
        (b"NOPE" + good[4:], SegmentRejected, "not a facilitator segment"),
        (b"NO", SegmentRejected, "not a facilitator segment"),
        (struct.pack(">4sI", MAGIC, MAX_HEADER + 1), SegmentRejected, "damaged header"),
        (with_header(b"[1]"), SegmentRejected, "damaged header"),
        (with_header({"v": 1}), SegmentRejected, "damaged header"),
        (with_header(GOOD | {"length": 0}), SegmentRejected, "its header states a body of 0 bytes"),
        (
            with_header(GOOD | {"length": 1}, b"\0"),
            SegmentRejected,
            "tampered with, or sealed under another key",
        ),
        (
            good[:-5],
            SegmentIncomplete,
            f"{len(good) - start - 5} of {len(good) - start} bytes so far",
        ),
        (good + b"!", SegmentRejected, "longer than its header says (damaged or appended to)"),
        (
            good[:-1] + bytes([good[-1] ^ 1]),
            SegmentRejected,
            "tampered with, or sealed under another key",
        ),
    ]
    for data, kind, message in cases:
        with pytest.raises(kind) as caught:
            read_back(data, 1, 2)
        assert reason(caught) == message, data[:20]
        if kind is SegmentIncomplete or "tampered" not in message:
            with pytest.raises(kind) as caught:
                read_file(as_file(tmp_path, data))
            assert reason(caught) == message, data[:20]


def test_a_moved_segment_names_the_place_it_belongs_to() -> None:
    data = written(1, 2, [op(1), op(2)])
    with pytest.raises(SegmentRejected) as caught:
        decode(data, KEY, review=REVIEW, device="dev-b", epoch=3, name=SegmentName(1, 2, ""))
    assert reason(caught) == "renamed or moved: it holds dev-a/1/1-2 of another place"


@pytest.mark.parametrize(
    ("stray", "message"),
    [
        (
            op(1, device="dev-b"),
            "its writer put ops of another place inside (a fault in the writing laptop's "
            "facilitator, not tampering)",
        ),
        (op(1, review="rev-2"), "holds ops of another review"),
        (None, "its contents cannot be read"),
    ],
)
def test_the_reasons_shown_for_bad_contents(stray: Op | None, message: str) -> None:
    lines = segments.op_line(stray) if stray else b"{not json"
    with pytest.raises(SegmentRejected) as caught:
        read_back(sealed_with(lines), 1, 1)
    assert reason(caught) == message


def test_a_junk_file_claiming_a_huge_header_costs_one_small_read(tmp_path, monkeypatch) -> None:
    import os

    path = as_file(tmp_path, struct.pack(">4sI", MAGIC, 2**32 - 1) + b"x" * 300_000)
    asked: list[int] = []
    real_read = os.read

    def counting_read(fd: int, count: int) -> bytes:
        asked.append(count)
        return real_read(fd, count)

    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(SegmentRejected, match="damaged header"):
        read_file(path)
    assert sum(asked) <= 64


def test_a_complete_file_with_a_header_of_the_largest_size_is_damaged_not_waiting(
    tmp_path: Path,
) -> None:
    # The header is all there (and is junk): read it and refuse, rather than wait forever.
    data = struct.pack(">4sI", MAGIC, MAX_HEADER) + b" " * MAX_HEADER + b"\0" * 40
    with pytest.raises(SegmentRejected, match="damaged header"):
        read_file(as_file(tmp_path, data))


def test_an_ops_fields_arrive_as_the_very_text_the_writers_log_holds() -> None:
    # The receiving laptop stores the text it was sent, so both op logs hold the same bytes.
    text = '{"text": "fictional note", "stage": 3}'  # not how json.dumps(sort_keys) writes it
    sent = Op.from_dict(op(1).as_dict() | {"fields": text})
    (received,) = read_back(written(1, 1, [sent]), 1, 1).ops
    assert received.fields_text() == text
    assert received.fields == {"text": "fictional note", "stage": 3}
