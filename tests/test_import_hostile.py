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


def test_deeply_nested_html_is_imported_with_all_its_text(
    tmp_path: Path, store: Store, review: str
) -> None:
    path = tmp_path / "broken-export.html"
    path.write_text(
        "<html><body><p>03/03/2024 Home visit before the broken part.</p>"
        + "<div><font>level " * 3000
        + "the deepest words</body></html>",
        encoding="utf-8",
    )
    result = import_file(store, review, path)
    text = store.documents(review)[0].text
    assert "the deepest words" in text
    assert text.count("level") == 3000
    assert [e["text"] for e in store.rows("chronology", review)] == [
        "Home visit before the broken part."
    ]
    assert any("nested" in w for w in result.warnings)


def _case_notes_export(path: Path, megabytes: float) -> int:
    """A case-management export: dated case notes as paragraphs (several dated lines in
    one paragraph), table rows and dated headings. Returns how many dated paragraphs."""
    words = ("visit", "call", "letter", "school", "nurse", "mother", "concern", "referral",
             "strategy", "plan")  # fmt: skip
    parts = ["<html><body><h1>Case notes export</h1>"]
    size = dated = number = 0
    while size < megabytes * 1024 * 1024:
        day = f"{number % 28 + 1:02d}/{number % 12 + 1:02d}/20{18 + number % 7}"
        text = " ".join(words[(number + k) % len(words)] for k in range(9))
        chunk = (
            f"<p>{day} {text}<br>{day} {text}<br>{day} {text}</p>",
            f"<table><tr><td>{day}</td><td>{text}</td></tr></table>",
            f"<h3>{day}</h3><p>{text} {text}</p>",
        )[number % 3]
        parts.append(chunk)
        dated += 1
        size += len(chunk)
        number += 1
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return dated


def test_a_9_mb_html_export_offers_a_capped_set_and_says_so(tmp_path: Path) -> None:
    from facilitator.importers import MAX_OFFERED

    path = tmp_path / "export.html"
    dated = _case_notes_export(path, 9)
    assert 8.5 * 1024 * 1024 < path.stat().st_size < 10 * 1024 * 1024
    store_path = tmp_path / "s.db"
    steps: list[str] = []
    with Store(store_path) as store:
        review = store.create_review("R")
        before = store_path.stat().st_size
        result = import_file(store, review, path, progress=steps.append)
        # Progress on a long import, then a summary of what was offered and what was not.
        assert steps == [
            "Reading export.html",
            "Finding dated entries",
            f"Saving the document and {MAX_OFFERED:,} offered entries",
        ]
        summary = [w for w in result.warnings if "dated entries found" in w]
        assert len(summary) == 1
        assert summary[0].startswith(f"{dated:,} dated entries found; the first {MAX_OFFERED:,}")
        entries = store.rows("chronology", review)
        assert len(entries) == MAX_OFFERED
        # One entry per dated paragraph: the three dated lines of one paragraph are one.
        first = sorted(entries, key=lambda e: e["created"])[0]
        assert first["text"].count("visit call letter") == 3
    for extra in ("-wal", "-shm"):
        Path(f"{store_path}{extra}").unlink(missing_ok=True)
    grown = store_path.stat().st_size - before
    assert grown < 40 * 1024 * 1024, grown


def _peak(args: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI run in a process of its own, and its peak memory (resident, MB)."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "sys.stderr.write(f'\\nPEAK_KB={peak}\\n')\n"
        "sys.exit(done.returncode)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, sys.executable, "-m", "facilitator", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    stderr, _, peak = result.stderr.rpartition("\nPEAK_KB=")
    result.stderr = stderr
    return result, int(peak) / 1024


def test_megabytes_of_unclosed_nested_tags_are_refused_while_read(tmp_path: Path) -> None:
    """9 MB of unclosed tags took 137 s and 1.9 GB before the depth cap applied (after
    parsing); capped while the parser reads, the refusal is quick and small."""
    path = tmp_path / "broken.html"
    path.write_bytes(b"<html><body>" + b"<div>x" * (9 * 1024 * 1024 // 6))
    store = tmp_path / "s.db"
    with Store(store) as opened:
        opened.create_review("R")
    result, peak_mb = _peak(["--store", str(store), "import", "R1", str(path)])
    assert result.returncode == 1, result.stderr
    assert "too broken to import" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert peak_mb < 500, peak_mb
    with Store(store) as opened:
        assert opened.documents(opened.reviews()[0].id) == []


def test_a_9_5_mb_html_export_imports_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "export.html"
    _case_notes_export(path, 9.5)
    store = tmp_path / "s.db"
    with Store(store) as opened:
        opened.create_review("R")
    result, peak_mb = _peak(["--store", str(store), "import", "R1", str(path)])
    assert result.returncode == 0, result.stderr
    assert peak_mb < 500, peak_mb
    with Store(store) as opened:
        text = opened.documents(opened.reviews()[0].id)[0].text
    assert text.startswith("# Case notes export\n\n")
    assert "| 02/02/2019 | call letter school" in text


def _many_tiny_runs(path: Path, runs: int) -> None:
    """A Word document of ``runs`` one-word runs: under both zip caps (size, ratio), yet
    mammoth took 1.5 to 1.9 GB on such files (found by the hostile tester of issue 15)."""
    import random

    word = docx.Document()
    word.add_paragraph("12 January 2024: an ordinary first line")
    buffer = io.BytesIO()
    word.save(buffer)
    rng = random.Random(15)
    letters = "abcdefghij"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as package:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>", 1)
                paragraphs = []
                for _ in range(runs // 50):
                    words = ("".join(rng.choice(letters) for _ in range(3)) for _ in range(50))
                    paragraphs.append(
                        "<w:p>" + "".join(f"<w:r><w:t>{w}</w:t></w:r>" for w in words) + "</w:p>"
                    )
                data = head + b"<w:body>" + "".join(paragraphs).encode() + tail
            package.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)


def test_a_word_document_of_a_million_tiny_runs_is_refused_in_bounded_memory(
    tmp_path: Path,
) -> None:
    from facilitator.importers.docx_import import MAX_RATIO, MAX_UNPACKED

    path = tmp_path / "runs.docx"
    _many_tiny_runs(path, 1_000_000)
    with zipfile.ZipFile(path) as package:
        unpacked = sum(part.file_size for part in package.infolist())
    assert unpacked < MAX_UNPACKED and unpacked < MAX_RATIO * path.stat().st_size
    store = tmp_path / "s.db"
    with Store(store) as opened:
        opened.create_review("R")
    result, peak_mb = _peak(["--store", str(store), "import", "R1", str(path)])
    assert result.returncode == 1, result.stderr
    assert "pieces of formatting" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert peak_mb < 500, peak_mb
    with Store(store) as opened:
        assert opened.documents(opened.reviews()[0].id) == []


def test_a_long_ordinary_word_document_still_imports(tmp_path: Path) -> None:
    """300 pages of formatted paragraphs stay well under the element cap."""
    from facilitator.importers.docx_import import MAX_ELEMENTS, check_package

    word = docx.Document()
    for day in range(3000):
        paragraph = word.add_paragraph(f"{day % 28 + 1:02d}/02/2024 ")
        paragraph.add_run("Visit ").bold = True
        paragraph.add_run("by the social worker, " * 8).italic = True
    path = tmp_path / "long.docx"
    word.save(path)
    check_package(path.read_bytes(), "long.docx")  # raises if refused
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml")
    assert xml.count(b"<") - xml.count(b"</") < MAX_ELEMENTS / 4


# --- second round of the hostile tester (issue 15) ----------------------------------------


def _entity_docx(path: Path, levels: int) -> None:
    """A tiny Word package whose body is one entity that expands to 3 * 10**levels runs:
    no "<" in the raw file counts them."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    dtd = '<!DOCTYPE w:document [<!ENTITY a0 "<w:p><w:r><w:t>x</w:t></w:r></w:p>">'
    dtd += "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels + 1))
    dtd += "]>"
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?>{dtd}<w:document xmlns:w="http://schemas.'
        f'openxmlformats.org/wordprocessingml/2006/main"><w:body>&a{levels};</w:body>'
        "</w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", ct)
        package.writestr("_rels/.rels", rels)
        package.writestr("word/document.xml", doc)


def test_a_word_document_with_entity_declarations_is_refused_before_mammoth(
    tmp_path: Path,
) -> None:
    """966 bytes that expanded to 100,000 paragraphs took 63 s and 272 MB."""
    from facilitator.importers import ImportProblem, read_document

    path = tmp_path / "entity.docx"
    _entity_docx(path, 5)
    assert path.stat().st_size < 2000
    with pytest.raises(ImportProblem, match="declarations"):
        read_document(path)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_importing_a_pipe_or_a_device_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    import os
    import stat

    path = tmp_path / "notes.txt"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # a copy of /dev/zero
    store = tmp_path / "s.db"
    with Store(store) as opened:
        opened.create_review("R")
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store), "import", "R1", str(path)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def _import_measured(tmp_path: Path, path: Path) -> tuple[float, str]:
    store = tmp_path / "s.db"
    with Store(store) as opened:
        opened.create_review("R")
    result, peak_mb = _peak(["--store", str(store), "import", "R1", str(path)])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with Store(store) as opened:
        return peak_mb, opened.documents(opened.reviews()[0].id)[0].text


def test_a_wide_ragged_table_is_not_padded_into_millions_of_cells(tmp_path: Path) -> None:
    """One row of 4,000 cells and 4,000 rows of one: padding every row to the widest made
    16 million cells (271 MB, store +97 MB; at 20,000 a side, 3.5 GB and MemoryError)."""
    path = tmp_path / "wide.html"
    path.write_bytes(b"<table><tr>" + b"<td>a" * 4000 + b"<tr><td>b</td></tr>" * 4000)
    peak_mb, text = _import_measured(tmp_path, path)
    assert peak_mb < 400, peak_mb
    assert len(text) < 4 * path.stat().st_size, len(text)
    assert text.count("a") >= 4000 and text.count("b") >= 4000


@pytest.mark.parametrize(
    "opening", [b"<blockquote>" * 95, b"<ul><li>" * 45], ids=["blockquotes", "lists"]
)
def test_deep_quotes_and_lists_do_not_multiply_the_text(tmp_path: Path, opening: bytes) -> None:
    """Each level prefixed every line below it again: 500 KB became a 38 MB document in
    25 s, and 5 MB ran for minutes at 845 MB."""
    path = tmp_path / "nested.html"
    path.write_bytes(opening + b"12/03/2024 x<br>" * 30_000)
    peak_mb, text = _import_measured(tmp_path, path)
    assert peak_mb < 400, peak_mb
    assert len(text) < 4 * path.stat().st_size, len(text)
    assert text.count("12/03/2024 x") == 30_000


def test_a_charset_that_cannot_decode_text_falls_back(tmp_path: Path) -> None:
    from facilitator.importers.html import html_to_markdown

    converted = html_to_markdown(b'<meta charset="idna"><p>caf\xe9 on 12/03/2024</p>')
    assert "12/03/2024" in converted.text
