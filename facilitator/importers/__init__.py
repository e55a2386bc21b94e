"""Agency records into a review: HTML, Word (.docx), Markdown and plain text become
documents of the review, and their dated entries are offered as chronology entries.

Everything is read and checked before anything is written; the document and its offered
entries are then saved in one transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from facilitator.importers.chronology import DatedEntry, find_entries
from facilitator.store import Store

MAX_BYTES = 10 * 1024 * 1024
# More dated entries than a team can weigh one by one: the rest stay in the document,
# and the import says how many there were (a 9 MB export offered 119,500 before).
MAX_OFFERED = 1000
# Called as progress(what is happening now) on the steps of an import.
Progress = Callable[[str], None]
SUPPORTED = {".html": "html", ".htm": "html", ".docx": "docx", ".txt": "text", ".md": "text",
             ".markdown": "text"}  # fmt: skip


class ImportProblem(Exception):
    """A file that cannot be imported, with a message the user can act on."""


@dataclass
class ImportResult:
    document: str
    title: str
    entries: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Converted:
    text: str
    warnings: list[str] = field(default_factory=list)
    # Converted from HTML or Word: a paragraph, not a line, is the unit of an entry.
    by_paragraph: bool = False


def read_document(path: Path) -> Converted:
    """The file as Markdown text; raises :class:`ImportProblem` for anything unusable."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        names = ", ".join(sorted(SUPPORTED))
        raise ImportProblem(f"{path.name}: cannot import this kind of file (use {names})")
    from facilitator.files import FileTooLarge, read_bounded

    if path.is_dir():
        raise ImportProblem(f"{path}: is a folder, not a file")
    try:
        # Opened without blocking and read with a cap: a pipe would hang the import, and
        # a device (a copy of /dev/zero says it is 0 bytes) would be read without end.
        raw = read_bounded(path, MAX_BYTES)
    except FileNotFoundError:
        raise ImportProblem(f"{path}: no such file") from None
    except FileTooLarge:
        size = path.stat().st_size
        raise ImportProblem(
            f"{path.name} is {size / 1024 / 1024:.1f} MB; the largest file that can be imported "
            f"is {MAX_BYTES // 1024 // 1024} MB (split it, or export only the relevant period)"
        ) from None
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            raise ImportProblem(
                f"{path}: not a regular file (a device, a pipe or a socket); nothing was read"
            ) from None
        raise ImportProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    if kind == "html":
        from facilitator.importers.html import html_to_markdown

        converted = html_to_markdown(raw)
    elif kind == "docx":
        from facilitator.importers.docx_import import docx_to_markdown

        converted = docx_to_markdown(raw, path.name)
    else:
        from facilitator.importers.text import decode_text

        converted = decode_text(raw, path.name)
    if not converted.text.strip():
        raise ImportProblem(f"{path.name} has no text to import")
    return converted


def import_file(
    store: Store,
    review: str,
    path: Path,
    *,
    agency: str | None = None,
    title: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file as a document of ``review`` and offer its dated entries (at most
    :data:`MAX_OFFERED`); ``progress`` hears each step, for long imports."""
    path = Path(path)
    say = progress or (lambda _step: None)
    say(f"Reading {path.name}")
    converted = read_document(path)
    say("Finding dated entries")
    entries: list[DatedEntry] = find_entries(converted.text, by_paragraph=converted.by_paragraph)
    warnings = list(converted.warnings)
    if not entries:
        warnings.append(
            f"{path.name}: no dated entries were found, so nothing was offered for the "
            "chronology (the document itself was imported)"
        )
    if len(entries) > MAX_OFFERED:
        warnings.append(
            f"{len(entries):,} dated entries found; the first {MAX_OFFERED:,} were offered "
            f"(up to {entries[MAX_OFFERED - 1].date_text}) and the rest stay in the document "
            "text: import a shorter period to have them offered"
        )
        entries = entries[:MAX_OFFERED]
    # A file name that is not UTF-8 (bytes kept as lone surrogates) cannot be stored.
    name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    title = (title or name.rsplit(".", 1)[0]).strip() or name
    say(f"Saving the document and {len(entries):,} offered entries")
    with store.transaction():
        document = store.add_document(review, title, converted.text, agency=agency, filename=name)
        ids = [offer_entry(store, review, document, entry) for entry in entries]
    return ImportResult(document, title, ids, warnings)


def offer_entry(store: Store, review: str, document: str, entry: DatedEntry) -> str:
    from facilitator.store.store import new_id

    entry_id = new_id()
    store.emit(
        review,
        "chronology",
        entry_id,
        "set",
        {"document": document, "date": entry.date, "text": entry.text, "status": "offered"},
    )
    return entry_id
