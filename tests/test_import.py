"""Importing agency records: real HTML, Word, Markdown and text files, and the bad ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

from facilitator import importers
from facilitator.importers import ImportProblem, import_file
from facilitator.importers.chronology import find_entries
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store


@pytest.fixture
def review(store: Store) -> str:
    return store.create_review("Imports")


def offered(store: Store, review: str) -> list[dict]:
    return sorted(store.rows("chronology", review), key=lambda r: r["date"])


def nothing_imported(store: Store, review: str) -> bool:
    return not store.documents(review) and not store.rows("chronology", review)


def test_html_becomes_markdown_without_scripts(tmp_path: Path, store: Store, review: str):
    path = tmp_path / "gp-record.html"
    path.write_text(
        "<html><head><title>GP</title><script>steal('cookie')</script>"
        "<style>p{color:red}</style></head><body><h1>GP record</h1>"
        "<p>14/02/2024 Telephone call with the health visitor.</p>"
        "<ul><li>3 March 2024 - letter to school</li></ul>"
        "<script>alert('x')</script><iframe src='http://x'></iframe></body></html>",
        encoding="utf-8",
    )
    result = import_file(store, review, path, agency="General practice")
    document = store.documents(review)[0]
    assert document.id == result.document
    assert document.agency == "General practice" and document.filename == "gp-record.html"
    assert document.title == "gp-record"
    assert "# GP record" in document.text
    for unwanted in ("steal", "alert", "color:red", "<script", "iframe"):
        assert unwanted not in document.text
    assert any("removed 3 script" in w for w in result.warnings)
    entries = offered(store, review)
    assert [(e["date"], e["text"], e["status"]) for e in entries] == [
        ("2024-02-14", "Telephone call with the health visitor.", "offered"),
        ("2024-03-03", "letter to school", "offered"),
    ]
    assert {e["document"] for e in entries} == {document.id}


def test_word_document_paragraphs_and_table_rows(tmp_path: Path, store: Store, review: str):
    word = docx.Document()
    word.add_heading("School chronology", 1)
    word.add_paragraph("12 January 2024: bruise noticed at registration")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Date", "Event"
    for day, event in (("02/04/2024", "Second referral"), ("10/04/2024", "Attendance sent")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = day, event
    path = tmp_path / "school.docx"
    word.save(path)
    import_file(store, review, path, agency="School")
    text = store.documents(review)[0].text
    assert "# School chronology" in text
    assert [(e["date"], e["text"]) for e in offered(store, review)] == [
        ("2024-01-12", "bruise noticed at registration"),
        ("2024-04-02", "Second referral"),
        ("2024-04-10", "Attendance sent"),
    ]


def test_markdown_and_text_are_kept_as_written(tmp_path: Path, store: Store, review: str):
    md = tmp_path / "notes.md"
    md.write_text("## 2 April 2024\n\nSchool made a second referral.\n", encoding="utf-8")
    txt = tmp_path / "log.txt"
    txt.write_bytes("2024-03-05 Visit \u2013 caf\xe9 meeting\r\n".encode("cp1252"))
    import_file(store, review, md)
    result = import_file(store, review, txt)
    assert any("not UTF-8" in w for w in result.warnings)
    texts = {d.filename: d.text for d in store.documents(review)}
    assert texts["notes.md"] == "## 2 April 2024\n\nSchool made a second referral.\n"
    assert texts["log.txt"] == "2024-03-05 Visit \u2013 caf\xe9 meeting\n"
    assert [(e["date"], e["text"]) for e in offered(store, review)] == [
        ("2024-03-05", "Visit \u2013 caf\xe9 meeting"),
        ("2024-04-02", "School made a second referral."),
    ]


def test_dates_are_found_only_where_entries_start():
    text = (
        "Background prose that mentions 5 May 2024 in passing.\n\n"
        "31/02/2024 impossible date, not an entry\n"
        "March 2024 - supervision cancelled twice\n"
        "| 7 March 2024 | Strategy call | Manager |\n\n"
        "On 12 March 2024, the health visitor called the school.\n\n"
        "Online 13 March 2024 is not a date at the start of an entry.\n"
    )
    entries = find_entries(text)
    assert [(e.date, e.text) for e in entries] == [
        ("2024-03-01", "(March 2024) supervision cancelled twice"),
        ("2024-03-07", "Strategy call; Manager"),
        ("2024-03-12", "the health visitor called the school."),
    ]


def test_file_with_no_dates_is_imported_and_says_so(tmp_path: Path, store: Store, review: str):
    path = tmp_path / "letter.txt"
    path.write_text("Dear colleague, thank you for your letter.\n", encoding="utf-8")
    result = import_file(store, review, path)
    assert result.entries == []
    assert any("no dated entries were found" in w for w in result.warnings)
    assert len(store.documents(review)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
        ("plain.docx", b"just some text", "not a readable Word document"),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, "binary"),
        ("empty.md", b"   \n\n", "has no text"),
        ("scan.pdf", b"%PDF-1.4", "cannot import this kind of file"),
        ("only-script.html", b"<script>alert(1)</script>", "has no text"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_imported(
    tmp_path: Path, store: Store, review: str, name: str, content: bytes, message: str
):
    path = tmp_path / name
    path.write_bytes(content)
    before = len(store.ops())
    with pytest.raises(ImportProblem, match=message):
        import_file(store, review, path)
    assert nothing_imported(store, review)
    assert len(store.ops()) == before


def test_a_zip_that_is_not_word_is_refused(tmp_path: Path, store: Store, review: str):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportProblem, match="not a readable Word document"):
        import_file(store, review, path)
    assert nothing_imported(store, review)


def test_a_50_mb_file_is_refused_before_reading(tmp_path: Path, store: Store, review: str):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written
    with pytest.raises(ImportProblem, match=r"huge.txt is 50.0 MB; the largest file .* is 10 MB"):
        import_file(store, review, path)
    assert nothing_imported(store, review)


def test_a_failure_part_way_leaves_nothing_half_imported(
    tmp_path: Path, store: Store, review: str, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "log.txt"
    path.write_text("01/02/2024 one\n\n02/02/2024 two\n\n03/02/2024 three\n", encoding="utf-8")
    calls = []
    real = importers.offer_entry

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importers, "offer_entry", failing)
    with pytest.raises(OSError):
        import_file(store, review, path)
    assert nothing_imported(store, review)
    assert store.check().ok


def test_accepted_entries_and_cited_passages_appear_in_the_narrative(
    tmp_path: Path, store: Store, method: Method, service: Service, demo_review: str
):
    from facilitator.cli.main import main

    path = tmp_path / "gp-letter.txt"
    path.write_text(
        "14/02/2024 No invitation to the joint visit was received.\n\n"
        "20/02/2024 Repeat prescription issued.\n",
        encoding="utf-8",
    )
    store.close()
    args = ["--store", str(store.path)]
    main([*args, "import", "R1", str(path), "--agency", "General practice"])
    with Store(store.path) as reopened:
        entries = sorted(reopened.rows("chronology", demo_review), key=lambda r: r["date"])
        document = reopened.documents(demo_review)[0]
    main([*args, "chronology", "R1", "accept", entries[0]["id"][:8], "--episode", "E1"])
    main([*args, "chronology", "R1", "dismiss", entries[1]["id"][:8]])
    with Store(store.path) as reopened:
        statuses = {
            r["text"]: (r["status"], r["episode"]) for r in reopened.rows("chronology", demo_review)
        }
        episode_one = reopened.episodes(demo_review)[0].id
        conversation = reopened.conversations(demo_review)[0]
        reopened.add_note(
            conversation,
            "The GP's letter disputes the invitation",
            kind="discrepancy",
            episodes=[episode_one],
            document=document.id,
            passage="No invitation to the joint visit was received.",
        )
        text = export(reopened, method, demo_review, "md", what="narrative").decode()
    assert statuses["No invitation to the joint visit was received."] == ("accepted", episode_one)
    assert statuses["Repeat prescription issued."] == ("dismissed", None)
    e1 = text.split("### E1")[1].split("### E2")[0]
    assert (
        "- **Document: gp-letter (General practice):** 2024-02-14 No invitation to the joint "
        "visit was received." in e1
    )
    # A ! note is what the team noticed in C1 (issue 14), citing the record it rests on.
    assert (
        "**Review team's observation in C1:** The GP's letter disputes the invitation (cites "
        "Document: gp-letter (General practice): “No invitation to the joint visit was "
        "received.”)" in e1
    )
    assert "Repeat prescription" not in text


def test_an_entry_accepted_into_a_merged_episode_stays_in_the_report(
    tmp_path: Path, store: Store, method: Method, demo_review: str
):
    from facilitator.analysis.episodes import merge_episodes

    path = tmp_path / "school-log.txt"
    path.write_text("3 March 2024 Attendance concern logged by the school.\n", encoding="utf-8")
    import_file(store, demo_review, path, agency="School")
    (entry,) = store.rows("chronology", demo_review)
    first, second = store.episodes(demo_review)[:2]
    store.update(demo_review, "chronology", entry["id"], status="accepted", episode=second.id)
    merge_episodes(store, demo_review, first.id, second.id)
    text = export(store, method, demo_review, "md", what="narrative").decode()
    assert "Attendance concern logged by the school." in text
    table = export(store, method, demo_review, "md", what="episodes").decode()
    assert "Document: school-log (School)" in table


def test_cli_import_errors_are_one_line(tmp_path: Path, store: Store, review: str, capsys):
    from facilitator.cli.main import main

    path = tmp_path / "bad.docx"
    path.write_bytes(b"garbage")
    store.close()
    with pytest.raises(SystemExit) as exited:
        main(["--store", str(store.path), "import", "R1", str(path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "facilitator: bad.docx is not a readable Word document (it is not a .docx package); "
        "nothing was imported"
    ]


def test_cli_import_says_how_many_entries_were_offered(
    tmp_path: Path, store: Store, review: str, capsys
):
    from facilitator.cli.main import main

    one = tmp_path / "one.html"
    one.write_text("<p>On 3 March 2024 the nurse visited.</p><p>No date here.</p>")
    two = tmp_path / "two.txt"
    two.write_text("4 March 2024 Phone call to school\n\n5/3/2024 Letter sent\n")
    store.close()
    main(["--store", str(store.path), "import", "R1", str(one)])
    assert "1 dated entry offered: see 'facilitator chronology R1 list'" in capsys.readouterr().err
    main(["--store", str(store.path), "import", "R1", str(two)])
    assert "2 dated entries offered" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [["export", "R1", "--format", "md"], ["chronology", "R1", "list"], ["redact", "R1", "list"]],
)
def test_commands_without_word_files_do_not_import_docx(tmp_path: Path, args: list[str]):
    store = tmp_path / "s.db"
    base = [sys.executable, "-X", "importtime", "-m", "facilitator", "--store", str(store)]
    subprocess.run([*base[:1], "-m", "facilitator", "--store", str(store), "review", "new", "R"],
                   check=True, capture_output=True)  # fmt: skip
    result = subprocess.run([*base, *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "facilitator" in loaded
    assert not loaded & {"docx", "mammoth", "textual"}


def test_html_structure_reads_as_markdown() -> None:
    """What the HTML writer keeps: emphasis, lists, quotes, table rows (a table inside a
    cell as the cell's words), safe links only, and no script text."""
    from facilitator.importers.html import html_to_markdown

    text = html_to_markdown(
        b"<H1>Record</H1><P>03/03/2024 <B> home </B>visit_1 *a*</P>"
        b"<ul><li>one<ul><li>inner</li></ul></li><li>two<br> lines</li></ul>"
        b"<blockquote>said</blockquote>"
        b"<table><tr><th>Date</th><th>Event</th></tr>"
        b"<tr><td>04/03/2024</td><td>call<table><tr><td>in</td><td>cell</td></tr></table></td>"
        b"<td>a|b</td></tr></table>"
        b"<p><a href='https://example.org/x'>link</a> <a href='javascript:evil()'>bad</a></p>"
        b"<script>evil()</script>"
    ).text
    assert text == (
        "# Record\n\n03/03/2024 **home** visit\\_1 \\*a\\*\n\n"
        "- one\n  - inner\n- two\n  lines\n\n> said\n\n"
        "| Date | Event |  |\n| --- | --- | --- |\n| 04/03/2024 | call in cell | a\\|b |\n\n"
        "[link](https://example.org/x) bad\n"
    )
