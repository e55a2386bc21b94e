"""Agency records into a review: HTML, Word (.docx), Markdown and plain text become
documents of the review, and their dated entries are offered as chronology entries.

Everything is read and checked before anything is written; the document and its offered
entries are then saved in one transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from facilitator.importers.chronology import DatedEntry, find_entries
from facilitator.store import Store

MAX_BYTES = 10 * 1024 * 1024
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


def read_document(path: Path) -> Converted:
    """The file as Markdown text; raises :class:`ImportProblem` for anything unusable."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        names = ", ".join(sorted(SUPPORTED))
        raise ImportProblem(f"{path.name}: cannot import this kind of file (use {names})")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportProblem(f"{path}: no such file") from None
    if path.is_dir():
        raise ImportProblem(f"{path}: is a folder, not a file")
    if size > MAX_BYTES:
        raise ImportProblem(
            f"{path.name} is {size / 1024 / 1024:.1f} MB; the largest file that can be imported "
            f"is {MAX_BYTES // 1024 // 1024} MB (split it, or export only the relevant period)"
        )
    raw = path.read_bytes()
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
) -> ImportResult:
    """Import one file as a document of ``review`` and offer its dated entries."""
    path = Path(path)
    converted = read_document(path)
    entries: list[DatedEntry] = find_entries(converted.text)
    warnings = list(converted.warnings)
    if not entries:
        warnings.append(
            f"{path.name}: no dated entries were found, so nothing was offered for the "
            "chronology (the document itself was imported)"
        )
    title = (title or path.stem).strip() or path.name
    with store.transaction():
        document = store.add_document(
            review, title, converted.text, agency=agency, filename=path.name
        )
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
