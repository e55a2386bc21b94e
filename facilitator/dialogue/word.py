"""Reading a returned pack: the Word comments a participant added (``word/comments.xml``)
with the text each is anchored on (``commentRangeStart`` to ``commentRangeEnd`` in
``word/document.xml``), and their tracked insertions and deletions, then tying each to what
it is about in the draft.

The file is checked by the same guards as an agency record (size, zip ratio, number of
parts: :func:`facilitator.importers.docx_import.check_package`) before any part is read,
and its XML is parsed without entities, network or huge-tree support.

A comment is tied back by its text: the passage it is anchored on must still read, after
normalising spaces, quotes and case, as a passage of the draft. When it does not (the
participant edited the text first), the comment is still kept, marked "anchor not found"
with the quoted passage and, from the nearest bookmark before it, where in the draft it
sits.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from facilitator.dialogue.model import ANCHOR_FOUND, ANCHOR_NOT_FOUND
from facilitator.dialogue.pack import (
    BOOKMARK_PREFIX,
    PACK,
    Item,
    bookmark_name,
    normalise,
    read_identity,
)
from facilitator.importers import MAX_BYTES, ImportProblem
from facilitator.store import Store

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"  # Word's "Strict Open XML"
MAX_COMMENTS = 5000  # far more than anyone writes on a draft
MAX_TEXT = 20_000  # characters kept of one comment
MAX_QUOTE = 2_000  # characters stored of the passage a comment is on (anchoring reads it all)
# Word's tracked changes: a move is a deletion from one place and an insertion in another.
CHANGE_KINDS = {
    f"{W}ins": "insertion",
    f"{W}del": "deletion",
    f"{W}moveTo": "insertion",
    f"{W}moveFrom": "deletion",
}


@dataclass(frozen=True)
class FoundComment:
    """One comment or tracked change as the file holds it."""

    key: str  # unique within the file: "c12" for comment 12, "ins3" for a change
    kind: str  # comment | insertion | deletion
    text: str
    quote: str
    author: str
    date: str
    near: str  # the bookmark before it ("" if none)


@dataclass(frozen=True)
class Anchor:
    anchor: str  # found | anchor not found
    target_kind: str
    target: str
    label: str
    near: str  # where in the draft, when the text no longer matches


def read_file(path: Path) -> tuple[bytes, str]:
    """The file's bytes and a digest of them, refused before reading if too large."""
    from facilitator.importers.docx_import import check_package

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportProblem(f"cannot read {path.name}: {exc.strerror}") from None
    if not path.is_file():
        raise ImportProblem(f"{path.name} is not a file")
    if size > MAX_BYTES:
        raise ImportProblem(
            f"{path.name} is {size / 1024 / 1024:.1f} MB; a returned draft can be at most "
            f"{MAX_BYTES // 1024 // 1024} MB"
        )
    raw = path.read_bytes()
    check_package(raw, path.name)
    return raw, hashlib.sha256(raw).hexdigest()


def _parse(package: zipfile.ZipFile, name: str, filename: str):  # noqa: ANN202 - lxml element
    from lxml import etree

    try:
        data = package.read(name)
    except KeyError:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportProblem(
            f"{filename} is damaged ({name} is not well-formed: {exc}); open it in Word and "
            "save it again"
        ) from None


def _text_of(element) -> str:  # noqa: ANN001
    parts = []
    for paragraph in element.iter(f"{W}p"):
        parts.append("".join(t.text or "" for t in paragraph.iter(f"{W}t", f"{W}delText")))
    return "\n".join(parts)


@dataclass
class Reading:
    """What a returned file holds, and what of it could not be read as it was written."""

    found: list[FoundComment]
    skipped: list[str]  # one line each, for the import summary


def read_comments(raw: bytes, filename: str) -> list[FoundComment]:
    """Every comment and tracked change in a checked .docx package, in document order."""
    return read_returned(raw, filename).found


def read_returned(raw: bytes, filename: str) -> Reading:
    """Every comment and tracked change in a checked .docx package, in document order,
    with what could not be read as written: nothing is dropped without saying so. A
    comment whose place is not in the text (in a header, or its id given twice) is kept,
    on the passage "not anchored"; one longer than :data:`MAX_TEXT` is cut."""
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        document = _parse(package, "word/document.xml", filename)
        notes = _parse(package, "word/comments.xml", filename)
    if document is None:
        raise ImportProblem(f"{filename} is not a Word document (it has no word/document.xml)")
    if document.tag == f"{STRICT}document":  # every comment would be missed, silently
        raise ImportProblem(
            f"{filename} is saved as 'Strict Open XML', which cannot be read here: open it in "
            "Word, save it as 'Word Document (.docx)', and import that; nothing was imported"
        )
    written: dict[str, list[tuple[str, str, str]]] = {}
    if notes is not None:
        for comment in notes.iter(f"{W}comment"):
            written.setdefault(comment.get(f"{W}id", ""), []).append(
                (_text_of(comment), comment.get(f"{W}author", ""), comment.get(f"{W}date", ""))
            )
    walker = _Walker()
    body = document.find(f"{W}body")
    if body is not None:
        for paragraph in body.iter(f"{W}p"):
            walker.paragraph(paragraph)
    found: list[FoundComment] = []
    cut = unplaced = empty = 0

    def add(item: FoundComment) -> None:
        nonlocal cut, empty
        if not item.text.strip():  # nothing said, or only spaces typed: nothing to answer
            empty += 1
            return
        if len(item.text) > MAX_TEXT:
            cut += 1
            item = replace(item, text=item.text[:MAX_TEXT])
        found.append(item)
        if len(found) > MAX_COMMENTS:
            raise ImportProblem(
                f"{filename} holds more than {MAX_COMMENTS:,} comments and changes; "
                "that is not a returned draft"
            )

    for key in walker.order:
        if key.startswith("c"):
            word_id = key[1:]
            given = written.pop(word_id, [])
            for number, (text, author, date) in enumerate(given):
                quote = walker.ranges.get(word_id) if number == 0 else ""
                if number:
                    unplaced += 1  # the same id twice: only the first has the range
                elif quote is None or not quote.strip():  # a comment on a point
                    quote = walker.reference_paragraph.get(word_id, "")
                key_n = key if number == 0 else f"{key}.{number}"
                near = walker.near.get(key, "")
                add(FoundComment(key_n, "comment", text, quote.strip(), author, date, near))
        else:
            kind, text, author, date, quote = walker.changes[key]
            add(
                FoundComment(key, kind, text, quote.strip(), author, date, walker.near.get(key, ""))
            )
    for word_id, given in written.items():  # never referenced in the text
        for number, (text, author, date) in enumerate(given):
            unplaced += 1
            add(FoundComment(f"c{word_id}.x{number}", "comment", text, "", author, date, ""))
    skipped = []
    if unplaced:
        skipped.append(
            f"{unplaced} comment(s) not anchored in the text (in a header or footnote, or "
            "sharing another comment's id): kept, marked 'anchor not found'"
        )
    if cut:
        skipped.append(
            f"{cut} comment(s) longer than {MAX_TEXT:,} characters cut to {MAX_TEXT:,} characters"
        )
    if empty:
        skipped.append(
            f"{empty} empty comment(s) or change(s) of only spaces not imported (nothing to answer)"
        )
    if walker.marks:
        skipped.append(
            f"{walker.marks} tracked paragraph mark(s) (a paragraph split or joined, no "
            "words) not imported"
        )
    return Reading(found, skipped)


class _Walker:
    """Goes through the paragraphs once, collecting what each comment range covers, the
    paragraph around each point comment and tracked change, and the last bookmark seen."""

    def __init__(self) -> None:
        self.bookmark = ""
        self.open: dict[str, list[str]] = {}
        self.ranges: dict[str, str] = {}
        self.reference_paragraph: dict[str, str] = {}
        self.changes: dict[str, tuple[str, str, str, str, str]] = {}
        self.near: dict[str, str] = {}
        self.order: list[str] = []
        self.marks = 0  # tracked paragraph marks: changes with no words
        self._count = 0

    def _first(self, key: str) -> None:
        if key not in self.near:
            self.near[key] = self.bookmark
            self.order.append(key)

    def paragraph(self, paragraph) -> None:  # noqa: ANN001
        original: list[str] = []  # the paragraph as the draft had it: no insertions
        references: list[str] = []
        changes: dict[object, tuple[str, str, str, str, list[str]]] = {}  # element -> change
        # One change may be several elements, one per run (a record line deleted whole is
        # its bold time and its text): the same kind by the same author, with nothing
        # unchanged between them, is one change to answer.
        last: tuple[str, str, str, str, list[str]] | None = None
        between = False
        for element in _own(paragraph):
            tag = element.tag
            if tag == f"{W}bookmarkStart":
                name = element.get(f"{W}name", "")
                if name.startswith(BOOKMARK_PREFIX):
                    self.bookmark = name
            elif tag == f"{W}commentRangeStart":
                word_id = element.get(f"{W}id", "")
                self.open[word_id] = []
                self._first(f"c{word_id}")
            elif tag == f"{W}commentRangeEnd":
                word_id = element.get(f"{W}id", "")
                self.ranges[word_id] = "".join(self.open.pop(word_id, []))
            elif tag == f"{W}commentReference":
                word_id = element.get(f"{W}id", "")
                self._first(f"c{word_id}")
                references.append(word_id)
            elif tag in CHANGE_KINDS:
                parent = element.getparent()
                if parent is not None and parent.tag == f"{W}rPr":
                    self.marks += 1  # a paragraph mark's change: no words to answer
                    continue
                kind = CHANGE_KINDS[tag]
                author, date = element.get(f"{W}author", ""), element.get(f"{W}date", "")
                if last is not None and not between and (last[1], last[2]) == (kind, author):
                    changes[element] = last
                    continue
                self._count += 1
                key = f"{kind[:3]}{self._count}"
                self._first(key)
                changes[element] = last = (key, kind, author, date, [])
                between = False
            elif tag in (f"{W}t", f"{W}delText", f"{W}tab", f"{W}br"):
                text = (element.text or "") if tag in (f"{W}t", f"{W}delText") else " "
                change = _enclosing_change(element, paragraph)
                if change is not None and change in changes:
                    changes[change][4].append(text)
                elif change is None and text.strip():
                    between = True
                if change is None or CHANGE_KINDS[change.tag] != "insertion":
                    original.append(text)
                    for pieces in self.open.values():
                        pieces.append(text)
        for pieces in self.open.values():
            pieces.append(" ")
        whole = "".join(original)
        for word_id in references:
            self.reference_paragraph.setdefault(word_id, whole)
        for key, kind, author, date, pieces in {c[0]: c for c in changes.values()}.values():
            self.changes[key] = (kind, "".join(pieces), author, date, whole)


def _own(paragraph):  # noqa: ANN001, ANN202 - lxml elements
    """The elements of ``paragraph`` in document order, leaving out any paragraph nested in
    it (a text box's): that one is walked in its own turn, so is not read twice."""
    stack = [iter(paragraph)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        if element.tag == f"{W}p":
            continue
        yield element
        stack.append(iter(element))


def _enclosing_change(element, stop):  # noqa: ANN001, ANN202 - lxml elements
    """The tracked insertion or deletion ``element`` is part of, if any."""
    node = element.getparent()
    while node is not None and node is not stop:
        if node.tag in CHANGE_KINDS:
            return node
        node = node.getparent()
    return None


# --- tying back -----------------------------------------------------------------------


# (kind, id) -> (label, the target's text normalised and joined, bookmark name)
Targets = dict[tuple[str, str], tuple[str, str, str]]


def anchor(found: FoundComment, targets: Targets) -> Anchor:
    """What in the pack a comment is on, judged by the text it quotes (``targets`` from
    :func:`targets_of`, worked out once per file)."""
    near_key = next(
        (k for k, (_l, _t, mark) in targets.items() if mark == found.near and mark), None
    )
    near_label = targets[near_key][0] if near_key else ""
    quote = normalise(found.quote)
    if quote:
        # Within one paragraph, or running across the target's paragraphs.
        candidates = [key for key, (_label, text, _mark) in targets.items() if quote in text]
        # A quote that reads in several places ("the") is found only where the bookmark
        # before it says it sits; otherwise it is not claimed for the first of them.
        if near_key in candidates or len(candidates) == 1:
            key = near_key if near_key in candidates else candidates[0]
            ident = "" if key[0] == "passage" else key[1]
            return Anchor(ANCHOR_FOUND, key[0], ident, targets[key][0], "")
    return Anchor(ANCHOR_NOT_FOUND, "passage", "", "", near_label)


def targets_of(items: list[Item]) -> Targets:
    """What a comment can be on, in pack order. Items about nothing in particular
    (headings, the introduction) are passages of their section, keyed ("passage", label)."""
    texts: dict[tuple[str, str], tuple[str, list[str], str]] = {}
    section = "the introduction"
    for item in items:
        if item.style == "h1" and not item.target_kind:
            section = item.text
        if item.target_kind and item.target and item.target_kind != PACK:
            key = (item.target_kind, item.target)
            label = item.label
            mark = bookmark_name(item.target_kind, item.target)
        else:
            label = item.label or section
            key = ("passage", label)
            mark = ""
        entry = texts.setdefault(key, (label, [], mark))
        entry[1].append(normalise(item.visible))
    return {key: (label, " ".join(parts), mark) for key, (label, parts, mark) in texts.items()}


# --- whose pack ---------------------------------------------------------------------


def pack_marks(raw: bytes, filename: str) -> list[str]:
    """The names of the bookmarks a pack carries (``fac_...``) in a checked package."""
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        document = _parse(package, "word/document.xml", filename)
    if document is None:
        raise ImportProblem(f"{filename} is not a Word document (it has no word/document.xml)")
    return [
        name
        for mark in document.iter(f"{W}bookmarkStart")
        if (name := mark.get(f"{W}name", "")).startswith(BOOKMARK_PREFIX)
    ]


def check_identity(
    marks: list[str],
    filename: str,
    draft: tuple[str, str],
    participant: tuple[str, str],
    drafts: dict[str, str],
    people: dict[str, str],
    talks: dict[str, str] | None = None,
) -> None:
    """Refuse a file that is not the pack of ``draft`` for ``participant`` (each an
    (id, label) pair), or no pack at all. ``drafts``/``people``: id -> label, to say
    whose pack it is instead; ``talks``: conversation id -> its participant's id. A pack
    whose title (and its bookmark) was deleted is judged by the records it carries: a
    record of someone else's conversation makes it their pack."""
    again = "check the file, or import it anyway with --force"
    if not marks:
        raise ImportProblem(
            f"{filename} is not a pack exported by facilitator (it has none of the marks a "
            f"pack carries); {again}"
        )
    identities = [i for i in (read_identity(m) for m in marks) if i is not None]
    if not identities:
        head = f"{BOOKMARK_PREFIX}record_"
        for mark in marks:
            if not mark.startswith(head):
                continue
            prefix = mark[len(head) :]
            owner = next((p for c, p in (talks or {}).items() if c.startswith(prefix)), None)
            if prefix and owner is not None and owner != participant[0]:
                other = people.get(owner, "another participant")
                raise ImportProblem(
                    f"{filename} holds {other}'s record, so it is {other}'s pack, not "
                    f"{participant[1]}'s; import it --from {other}, or {again}"
                )
        return
    draft_prefix, person_prefix = identities[0]

    def named(prefix: str, labels: dict[str, str], default: str) -> str:
        return next((label for i, label in labels.items() if i.startswith(prefix)), default)

    if not draft[0].startswith(draft_prefix):
        other = named(draft_prefix, drafts, "another draft")
        raise ImportProblem(
            f"{filename} is a pack of {other}, not of {draft[1]}; import it for {other}, or {again}"
        )
    if person_prefix == "all":
        raise ImportProblem(
            f"{filename} is the draft without anyone's record, not {participant[1]}'s pack; {again}"
        )
    if not participant[0].startswith(person_prefix):
        other = named(person_prefix, people, "another participant")
        raise ImportProblem(
            f"{filename} is {other}'s pack, not {participant[1]}'s; import it --from "
            f"{other}, or {again}"
        )


# --- into the store ------------------------------------------------------------------


@dataclass
class Imported:
    added: list[str]  # ids of comments new to the store
    already: int  # comments this file had already given (imported before)
    not_found: int  # comments whose anchor no longer matches the draft
    skipped: list[str]  # what was not imported as written, one line each


def import_returned(
    store: Store, review: str, draft_id: str, participant: str, path: Path, *, force: bool = False
) -> Imported:
    """Read a returned pack and record its comments and tracked changes as the
    participant's, each tied to what it is on. Everything is read and checked before
    anything is written; the comments are then saved in one transaction."""
    from facilitator.dialogue.pack import pack_items
    from facilitator.dialogue.records import add_comment, draft, drafts
    from facilitator.store.store import deterministic_id

    frozen = draft(store, review, draft_id)
    raw, _digest = read_file(path)
    reading = read_returned(raw, path.name)
    found = reading.found
    if not force:
        people = {p.id: p.label for p in store.participants(review)}
        check_identity(
            pack_marks(raw, path.name),
            path.name,
            (frozen.id, frozen.label),
            (participant, people.get(participant, participant)),
            {d.id: d.label for d in drafts(store, review)},
            people,
            {c.id: c.participant for c in store.conversations(review)},
        )
    targets = targets_of(pack_items(frozen, participant))
    held = {row["id"] for row in store.rows("dialogue_comments", review)}
    result = Imported([], 0, 0, list(reading.skipped))
    long_quotes = 0
    received = store.now_iso()
    with store.transaction():
        seen: dict[tuple[str, ...], int] = {}
        for item in found:
            # Known by what it says and where, not by the file's bytes: a file saved again
            # (new zip times, renumbered comments) brings nothing in twice. The same words
            # on the same passage twice in one file are two comments.
            content = (item.kind, item.text, item.quote, item.author)
            seen[content] = seen.get(content, 0) + 1
            comment_id = deterministic_id(
                "comment", draft_id, participant, json.dumps([*content, seen[content]])
            )
            if comment_id in held:
                result.already += 1
                continue
            tied = anchor(item, targets)  # on the whole quote; what is stored is bounded
            quote = item.quote
            if len(quote) > MAX_QUOTE:
                long_quotes += 1
                quote = quote[: MAX_QUOTE - 1].rstrip() + "…"
            result.not_found += tied.anchor == ANCHOR_NOT_FOUND
            add_comment(
                store,
                review,
                {
                    "draft": draft_id,
                    "participant": participant,
                    "source": "word",
                    "kind": item.kind,
                    "text": item.text,
                    "quote": quote,
                    "target_kind": tied.target_kind,
                    "target": tied.target,
                    "target_label": tied.label,
                    "anchor": tied.anchor,
                    "near": tied.near,
                    "received_at": received,
                    "file_author": item.author,
                    "file_date": item.date,
                    "filename": path.name,
                },
                comment_id,
            )
            result.added.append(comment_id)
    if long_quotes:
        result.skipped.append(
            f"{long_quotes} quoted passage(s) longer than {MAX_QUOTE:,} characters kept "
            f"as their first {MAX_QUOTE:,}"
        )
    return result
