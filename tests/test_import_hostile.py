"""Hostile and oversized records: a zip bomb posing as .docx, deeply nested HTML, and a
9 MB HTML export. Each ends in a clear message or a sensible import, in bounded memory."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from facilitator.importers import import_file
from facilitator.store import Store


@pytest.fixture
def review(store: Store) -> str:
    return store.create_review("Imports")


def _zip_bomb(path: Path, unpacked_mb: int) -> None:
    """A real Word document whose body part unpacks to ``unpacked_mb`` MB of paragraphs."""
    word = docx.Document()
    word.add_paragraph("12 January 2024: an ordinary first line")
    buffer = io.BytesIO()
    word.save(buffer)
    paragraph = b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>" * 1000
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "word/document.xml":
                bomb.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = data.split(b"<w:body>", 1)
            part = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with bomb.open(part, "w", force_zip64=True) as body:
                body.write(head + b"<w:body>")
                for _ in range(unpacked_mb * 1024 * 1024 // len(paragraph)):
                    body.write(paragraph)
                body.write(tail)


def test_a_zip_bomb_posing_as_word_is_refused_before_mammoth(tmp_path: Path) -> None:
    bomb = tmp_path / "record.docx"
    _zip_bomb(bomb, 300)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    store = tmp_path / "s.db"
    with Store(store) as opened:
        opened.create_review("R")

    def limit_memory() -> None:  # far below the 7.9 GB mammoth took
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))

    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store), "import", "R1", str(bomb)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit_memory,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "unpacks to more than" in result.stderr
    assert "nothing was imported" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with Store(store) as opened:
        assert opened.documents(opened.reviews()[0].id) == []


def test_an_ordinary_word_document_still_imports(tmp_path: Path, store: Store, review: str):
    word = docx.Document()
    for day in range(1, 29):
        word.add_paragraph(f"{day:02d}/02/2024 Visit number {day} " + "text " * 200)
    path = tmp_path / "ordinary.docx"
    word.save(path)
    result = import_file(store, review, path)
    assert len(result.entries) == 28
