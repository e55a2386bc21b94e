"""Word conventions, read back with python-docx: A4, British English, page numbers, a
header and footer, the episode table on landscape pages with a repeating header row,
comments dated when their note was written, and metadata that is the review's and ours."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.table import Table

from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _docx(store: Store, method: Method, review: str, **kw) -> bytes:
    return export(store, method, review, "docx", **kw)


@pytest.mark.parametrize("final", [False, True])
def test_a4_british_english_header_footer_and_page_numbers(
    store: Store, method: Method, fixture: ReviewFixture, final: bool
) -> None:
    data = _docx(store, method, fixture.review, final=final)
    document = docx.Document(io.BytesIO(data))
    for section in document.sections:
        short, long = sorted((section.page_width.mm, section.page_height.mm))
        assert round(short) == 210 and round(long) == 297
    header = document.sections[0].header.paragraphs[0].text
    assert header.startswith("Fixture review: Child K (fictional)")
    assert ("Final report" in header) == final and ("CONFIDENTIAL DRAFT" in header) != final
    footer = document.sections[0].footer._element
    fields = [f.get(f"{W}instr").strip() for f in footer.iter(f"{W}fldSimple")]
    assert fields == ["PAGE", "NUMPAGES"]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        styles = package.read("word/styles.xml").decode()
        settings = package.read("word/settings.xml").decode()
    assert ('w:lang w:val="en-GB"' in styles) and ('w:val="en-US"' not in styles)
    assert 'w:themeFontLang w:val="en-GB"' in settings


@pytest.mark.parametrize("final", [False, True])
def test_metadata_is_the_reviews_and_ours(
    store: Store, method: Method, fixture: ReviewFixture, final: bool
) -> None:
    data = _docx(store, method, fixture.review, final=final)
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.title.startswith("Fixture review: Child K (fictional)")
    assert properties.author == properties.last_modified_by == "Review team"
    assert properties.language == "en-GB"
    assert abs((datetime.now(UTC) - properties.created).total_seconds()) < 600
    assert properties.modified == properties.created
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        app = package.read("docProps/app.xml").decode()
        names = package.namelist()
    assert ("<Application>facilitator</Application>" in app) and ("Macintosh" not in app)
    assert not [n for n in names if "thumbnail" in n]


def test_the_draft_episode_table_is_on_landscape_pages_with_a_repeating_header(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    document = docx.Document(io.BytesIO(_docx(store, method, fixture.review)))
    landscape = [s for s in document.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 1
    section = landscape[0]
    assert section.page_width > section.page_height
    tables = [t for t in section.iter_inner_content() if isinstance(t, Table)]
    assert len(tables) == 1 and tables[0].rows[0].cells[0].text == "Episode"
    assert tables[0]._tbl.tr_lst[0].trPr.find(f"{W}tblHeader") is not None
    # Before and after the table the pages are portrait again.
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert document.sections[-1].orientation == WD_ORIENT.PORTRAIT
    assert "Follow-up plans for second conversations" in [
        p.text for p in document.sections[-1].iter_inner_content() if hasattr(p, "text")
    ]


def test_comments_carry_the_time_the_note_was_written(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    note = next(
        n for n in store.notes(review=fixture.review) if n.id == fixture.notes["sw_reflection"]
    )
    written = datetime.fromisoformat(note.at).astimezone(UTC).replace(microsecond=0)
    document = docx.Document(io.BytesIO(_docx(store, method, fixture.review)))
    stamps = {c.timestamp for c in document.comments if c.text and c.text in note.text}
    assert stamps == {written}
    assert written.year == 2025  # the fixture's conversation, not today's export


def _anchored_paragraphs(data: bytes, needle: str) -> list[str]:
    """The text of each paragraph holding a comment whose text contains ``needle``."""
    document = docx.Document(io.BytesIO(data))
    ids = {str(c.comment_id) for c in document.comments if needle in c.text}
    assert ids, needle
    found = []
    for p in document.element.body.iter(f"{W}p"):
        starts = {s.get(f"{W}id") for s in p.iter(f"{W}commentRangeStart")}
        if starts & ids:
            found.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return found


def test_a_reflection_is_anchored_to_a_note_on_what_it_concerns(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    """A ``>>`` on E2 typed after an idea about minutes is a comment on a note about E2, not
    on the idea; a ``>>`` with no episode, typed in another stage than the note before it,
    stands in its own stage, not under the last note's heading."""
    talk = store.conversation(fixture.conversations["sw"])
    store.set_stage(talk, 4)
    assert not service.record_note(talk, ">> Unlinked thought on the weighing").problems
    data = _docx(store, method, fixture.review)
    anchored = _anchored_paragraphs(data, "conference minutes were circulated")
    assert anchored and all("Minutes of conferences sent" not in p for p in anchored), anchored
    record = export(store, method, fixture.review, "md", what="record").decode()  # type: ignore[union-attr]
    stage_9 = record.split("Stage 9")[1].split("###")[0] if "Stage 9" in record else ""
    assert "Unlinked thought on the weighing" not in stage_9
    before = record.split("Unlinked thought on the weighing")[0]
    assert before.rfind("Stage 4") > before.rfind("Stage 9"), "shown under stage 4"
