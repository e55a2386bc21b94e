"""The segment file: one immutable, encrypted run of one device's ops for one review.

Name: ``devices/<device>/<epoch>/<first>-<last>.seg`` with ``first``/``last`` the device
seq range the segment covers, zero-padded to 12 digits so names sort in seq order.
Segments of one device and epoch tile its seq space: each starts right after the last
one ended. A range may hold fewer ops than seqs: a device's seqs are shared by all its
reviews and a review's folder carries only that review's ops.

Bytes::

    b"FSEG" | header length (4 bytes, big-endian) | header (canonical JSON) | sealed body

The header (container version, review, device, epoch, first, last, op count, body
length) is in clear so a reader can tell a truncated file ("not yet") from a damaged one,
and it is the associated data of the AES-GCM seal, so none of it can be altered. The
body is zlib-compressed JSON lines, one op each.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from facilitator.files import open_regular, read_exactly
from facilitator.store.oplog import Op
from facilitator.sync.crypto import SealBroken, open_sealed, seal

MAGIC = b"FSEG"
CONTAINER_VERSION = 1
SEQ_DIGITS = 12
SUFFIX = ".seg"
_PREFIX = struct.Struct(">4sI")
MAX_HEADER = 64 * 1024
# Bounds on what a reader takes in, checked from the header before the body is read: a
# junk file of several GB costs one small read, not the laptop's memory.
MAX_BODY = 32 * 1024 * 1024
MAX_PLAIN = 128 * 1024 * 1024
# Writers keep each segment's uncompressed ops under this, far inside the bounds above.
TARGET_PLAIN = 16 * 1024 * 1024

# The canonical name, then anything a file-sync engine may add before the extension:
# OneDrive "-LAPTOP", Dropbox " (Jordan's conflicted copy 2025-03-04)",
# Syncthing ".sync-conflict-20250304-101010-ABCDEFG".
NAME_RE = re.compile(rf"^(\d{{{SEQ_DIGITS}}})-(\d{{{SEQ_DIGITS}}})(.*)\.seg$")


class SegmentIncomplete(Exception):
    """Shorter than it says it is: still arriving (or truncated). Try again later."""


class SegmentRejected(Exception):
    """Complete but unusable: tampered, renamed, or not a segment at all."""


class SegmentTooNew(Exception):
    """Written by a newer facilitator: kept on the share and read after an upgrade."""


@dataclass(frozen=True)
class SegmentName:
    first: int
    last: int
    suffix: str  # "" for the canonical name; otherwise a file-sync engine's copy


def segment_name(first: int, last: int) -> str:
    return f"{first:0{SEQ_DIGITS}d}-{last:0{SEQ_DIGITS}d}{SUFFIX}"


def parse_name(name: str) -> SegmentName | None:
    match = NAME_RE.match(name)
    if not match:
        return None
    first, last = int(match[1]), int(match[2])
    if first < 1 or last < first:
        return None
    return SegmentName(first, last, match[3])


@dataclass(frozen=True)
class Segment:
    review: str
    device: str
    epoch: int
    first: int
    last: int
    ops: tuple[Op, ...]
    # Authentic ops beyond ``last``: an older facilitator (before 0.2) could put ops saved
    # during its push into the segment it was writing. They are taken in, never refused.
    overrun: int = 0


def op_line(op: Op) -> bytes:
    """One op as a line of a segment. Its fields travel as JSON text inside the line, the
    text the op log stores: the reader keeps it as it is instead of serialising again
    (readers since the first version accept fields as text or as an object)."""
    item = op.as_dict()
    item["fields"] = op.fields_text()
    return json.dumps(item, sort_keys=True, ensure_ascii=False).encode("utf-8")


def read_file(path: Path) -> bytes:
    """A segment file's bytes, read with bounds: a plain file only, the header first, and
    the body only when the file is exactly as long as its header says."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        head = read_exactly(fd, _PREFIX.size)
        if len(head) == _PREFIX.size:
            magic, header_length = _PREFIX.unpack(head)
            if magic == MAGIC and header_length <= MAX_HEADER:
                head += read_exactly(fd, header_length)
        header, start = read_header(head)  # raises on a short or foreign start
        expected = start + _body_length(header)
        if size < expected:
            raise SegmentIncomplete(f"{size - start} of {expected - start} bytes so far")
        if size > expected:
            raise SegmentRejected("longer than its header says (damaged or appended to)")
        return head + read_exactly(fd, expected - start)
    finally:
        os.close(fd)


def _body_length(header: dict) -> int:
    try:
        length = int(header["length"])
    except (KeyError, TypeError, ValueError):
        raise SegmentRejected("damaged header") from None
    if not 0 < length <= MAX_BODY:
        raise SegmentRejected(f"its header states a body of {length:,} bytes")
    return length


def encode(segment: Segment, data_key: bytes) -> bytes:
    body = zlib.compress(b"\n".join(op_line(op) for op in segment.ops), 1)
    header = _header(segment, body_length=len(body) + 28)
    prefix = _PREFIX.pack(MAGIC, len(header))
    return prefix + header + seal(data_key, body, prefix + header)


def _header(segment: Segment, body_length: int) -> bytes:
    return json.dumps(
        {
            "v": CONTAINER_VERSION,
            "review": segment.review,
            "device": segment.device,
            "epoch": segment.epoch,
            "first": segment.first,
            "last": segment.last,
            "count": len(segment.ops),
            "length": body_length,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def read_header(data: bytes) -> tuple[dict, int]:
    """The clear header and where the sealed body starts; raises on short or foreign data."""
    if len(data) < _PREFIX.size:
        if MAGIC.startswith(data[:4]):
            raise SegmentIncomplete("shorter than a segment header")
        raise SegmentRejected("not a facilitator segment")
    magic, header_length = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise SegmentRejected("not a facilitator segment")
    if header_length > MAX_HEADER:
        raise SegmentRejected("damaged header")
    end = _PREFIX.size + header_length
    if len(data) < end:
        raise SegmentIncomplete("header cut short")
    try:
        header = json.loads(data[_PREFIX.size : end])
        version = int(header["v"])
    except (ValueError, KeyError, TypeError):
        raise SegmentRejected("damaged header") from None
    if version > CONTAINER_VERSION:
        raise SegmentTooNew(f"segment format {version}; this version reads {CONTAINER_VERSION}")
    return header, end


def decode(
    data: bytes, data_key: bytes, *, review: str, device: str, epoch: int, name: SegmentName
) -> Segment:
    """Check, open and parse a segment read from ``devices/<device>/<epoch>/<name>``."""
    header, start = read_header(data)
    expected_length = _body_length(header)
    try:
        first, last = int(header["first"]), int(header["last"])
    except (KeyError, TypeError, ValueError):
        raise SegmentRejected("damaged header") from None
    body = data[start:]
    if len(body) < expected_length:
        raise SegmentIncomplete(f"{len(body)} of {expected_length} bytes so far")
    if len(body) > expected_length:
        raise SegmentRejected("longer than its header says (damaged or appended to)")
    try:
        plain = open_sealed(data_key, body, data[:start])
    except SealBroken:
        raise SegmentRejected("tampered with, or sealed under another key") from None
    # Authentic from here on; the header must also match where the file sits.
    claimed = (header.get("review"), header.get("device"), header.get("epoch"), first, last)
    if claimed != (review, device, epoch, name.first, name.last):
        raise SegmentRejected(
            f"renamed or moved: it holds {header.get('device')}/{header.get('epoch')}/"
            f"{first}-{last} of another place"
        )
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(plain, MAX_PLAIN)
        if inflate.unconsumed_tail:
            raise SegmentRejected(f"its contents expand beyond {MAX_PLAIN:,} bytes")
        # One parse for the whole body: json.dumps never leaves a raw newline inside a line.
        lines = raw.decode("utf-8").strip("\n")
        ops = tuple(Op.from_dict(item) for item in json.loads(f"[{lines.replace(chr(10), ',')}]"))
    except (ValueError, KeyError, TypeError, zlib.error):
        raise SegmentRejected("its contents cannot be read") from None
    seqs = list(map(_SEQ, ops))
    # Whole-segment checks in C first; on any doubt, op by op (which also says which
    # fault comes first).
    if ops and (set(map(_PLACE, ops)) != {(device, epoch, review)} or min(seqs) < first):
        _check_each(ops, review, device, epoch, first)
    overrun = sum(seq > last for seq in seqs) if seqs and max(seqs) > last else 0
    return Segment(review, device, epoch, first, last, ops, overrun)


_SEQ = attrgetter("seq")
_PLACE = attrgetter("device", "epoch", "review")


def _check_each(ops: tuple[Op, ...], review: str, device: str, epoch: int, first: int) -> None:
    for op in ops:
        if op.device != device or op.epoch != epoch or op.seq < first:
            raise SegmentRejected(
                "its writer put ops of another place inside (a fault in the writing "
                "laptop's facilitator, not tampering)"
            )
        if op.review != review:
            raise SegmentRejected("holds ops of another review")


def build(review: str, device: str, epoch: int, first: int, last: int, ops: Iterable[Op]):
    return Segment(review, device, epoch, first, last, tuple(ops))
