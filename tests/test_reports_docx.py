"""Word reports, read back with python-docx and from the package's XML parts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
import pytest

from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NAMES = ("Ana Lopes", "Chloe Dunn", "Dev Patel", "Eva Frost")


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _docx(store: Store, method: Method, review: str, **options: object) -> bytes:
    return export(store, method, review, "docx", **options)  # type: ignore[arg-type]


def anchored_text(data: bytes) -> dict[str, str]:
    """comment id -> the document text between its commentRangeStart and commentRangeEnd."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = ET.fromstring(package.read("word/document.xml"))
    open_ranges: dict[str, list[str]] = {}
    result: dict[str, str] = {}
    for element in body.iter():
        if element.tag == f"{W}commentRangeStart":
            open_ranges[element.get(f"{W}id")] = []
        elif element.tag == f"{W}commentRangeEnd":
            ident = element.get(f"{W}id")
            result[ident] = "".join(open_ranges.pop(ident))
        elif element.tag == f"{W}t":
            for parts in open_ranges.values():
                parts.append(element.text or "")
    return result


def comments_by_text(data: bytes) -> dict[str, tuple[str, str]]:
    """comment text -> (author, comment id), read from the comments part itself."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "word/comments.xml" in package.namelist()
        root = ET.fromstring(package.read("word/comments.xml"))
    found = {}
    for comment in root.iter(f"{W}comment"):
        text = "".join(t.text or "" for t in comment.iter(f"{W}t"))
        found[text] = (comment.get(f"{W}author"), comment.get(f"{W}id"))
    return found


def test_headings_are_real_word_headings(store: Store, method: Method, fixture: ReviewFixture):
    document = docx.Document(io.BytesIO(_docx(store, method, fixture.review)))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[0] == ("Title", "Fixture review: Child K (fictional): Review report")
    assert ("Heading 1", "Conversation records") in styled
    assert ("Heading 1", "Narrative of multi-agency perspectives") in styled
    assert ("Heading 1", "Follow-up plans for second conversations") in styled
    assert ("Heading 2", "C1: Ana Lopes (Social worker, Children's social care)") in styled
    assert ("Heading 3", "Stage 4: Local rationality") in styled
    bullets = [text for style, text in styled if style == "List Bullet"]
    # The health visitor's account of the conference is attributed and marked as disputed.
    assert (
        "Discrepancy: C2, Health visitor, Community health: "
        "Said at the conference she was worried and wanted a plan"
    ) in bullets
    assert "CONFIDENTIAL DRAFT" in document.sections[0].header.paragraphs[0].text


def test_episode_table_is_a_word_table_in_time_order(
    store: Store, method: Method, fixture: ReviewFixture
):
    data = _docx(store, method, fixture.review, what="episodes")
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) == 1
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "Episode",
        "What happened",
        "Accounts",
        "The team's judgement",
        "Contributory factors",
        "Evidence",
    ]
    labels = [row.cells[0].text.split(":")[0] for row in table.rows[1:]]
    # E5 (January 2024) starts before E1 (12 January); E6 has no date and comes last.
    assert labels == ["E5", "E1", "E4", "E2", "E3", "E6"]
    e1 = table.rows[2].cells
    assert e1[0].text.splitlines()[1] == "12 January 2024"
    assert "Weekly calls with the class teacher worked well" in e1[2].text
    assert "Inter-agency and inter-professional working (2 accounts)" in e1[4].text
    assert "C1, Social worker, Children's social care" in e1[5].text
    assert "C3, Class teacher, Northfield Primary School" in e1[5].text


def test_reflections_are_comments_anchored_on_the_note_they_follow(
    store: Store, method: Method, fixture: ReviewFixture
):
    data = _docx(store, method, fixture.review, what="record")
    comments = comments_by_text(data)
    reflection = "We wonder whether the conference minutes were circulated"
    assert reflection in comments
    author, ident = comments[reflection]
    assert author.startswith("Review team")
    # Taken straight after an idea about minutes (no episode), but it is about E2: anchored
    # on the latest note about E2 before it, not on whatever came just before.
    assert anchored_text(data)[ident] == (
        "Was weighing a heavy caseload that week (factor: Working conditions)"
    )
    # The team's view is kept out of the participant's account.
    document = docx.Document(io.BytesIO(data))
    assert not any(reflection in p.text for p in document.paragraphs)
    # python-docx sees the same comment through its own API.
    assert reflection in [c.text for c in document.comments]


def test_team_judgements_are_in_the_episode_table_not_comments(
    store: Store, method: Method, fixture: ReviewFixture
):
    # The guide's table holds the team's judgement in its body (3.4.2): a comment is lost
    # when the document is printed, and a participant's "+" note is not the team's view.
    review = fixture.review
    store.update(
        review,
        "episode",
        fixture.episodes["E1"],
        team_good="Prompt referral and same-day visit",
        team_problematic="Nobody checked the explanation with nursery",
    )
    data = _docx(store, method, review, what="episodes")
    document = docx.Document(io.BytesIO(data))
    e1 = document.tables[0].rows[2].cells
    assert e1[3].text.splitlines() == [
        "Good practice: Prompt referral and same-day visit",
        "Problematic practice: Nobody checked the explanation with nursery",
    ]
    assert list(document.comments) == []


def test_final_docx_names_nobody_anywhere_in_the_package(
    store: Store, method: Method, fixture: ReviewFixture
):
    store.update(
        fixture.review, "episode", fixture.episodes["E1"], team_good="Ana Lopes acted fast"
    )
    data = _docx(store, method, fixture.review, final=True)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        every_part = b"".join(package.read(n) for n in package.namelist()).decode(
            "utf-8", "replace"
        )
    for name in (*NAMES, "Ana", "Lopes", "Alex Reviewer", "Jordan Reviewer"):
        assert name not in every_part
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert "Social worker (Children's social care): 1 conversation" in texts
    assert list(document.comments) == []
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Good practice: the social worker acted fast" in cells
    assert document.sections[0].header.paragraphs[0].text.endswith("· Final report")


def test_control_characters_in_notes_do_not_break_the_document(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
):
    conversation = store.conversation(fixture.conversations["sw"])
    service.record_note(conversation, "Said \x1b[31mred\x1b[0m and \x07bell \x00null")
    document = docx.Document(io.BytesIO(_docx(store, method, fixture.review, what="record")))
    # Shown as the command line shows them (they were dropped unseen before issue 15).
    shown = "Said \u241b[31mred\u241b[0m and \u2407bell \u2400null"
    assert shown in "\n".join(p.text for p in document.paragraphs)


def test_docx_written_by_the_cli_is_private(tmp_path: Path, store: Store, fixture: ReviewFixture):
    from facilitator.cli.main import main

    target = tmp_path / "out" / "review.docx"
    store.close()
    main(["--store", str(store.path), "export", "R1", "--format", "docx", "-o", str(target)])
    assert target.stat().st_mode & 0o777 == 0o600
    assert docx.Document(str(target)).paragraphs[0].style.name == "Title"
