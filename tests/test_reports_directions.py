"""Which way a factor worked (``@team-``, ``@resources+``) reaches the Markdown and Word
reports, not only the JSON and the matrix: the tags are taken out of a note's text, so an
unlinked note's direction would otherwise show nowhere (hostile test of issue 14, finding
8). Read back with a CommonMark renderer and python-docx."""

from __future__ import annotations

import html
import io
import re

import docx
import pytest
from markdown_it import MarkdownIt

from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

UNLINKED = "Supervision was cancelled twice that spring"
LINKED = "The manager backed the decision at once"


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    built = build_review_fixture(service)
    talk = service.store.conversation(built.conversations["sw"])
    for line in (f"{UNLINKED} @team-", f"#2 {LINKED} @team+ @conditions"):
        assert not service.record_note(talk, line, stage=5).problems
    return built


def _shown_md(store: Store, method: Method, review: str, **options: object) -> str:
    source = export(store, method, review, "md", **options).decode()  # type: ignore[arg-type,union-attr]
    rendered = MarkdownIt("commonmark").enable("table").render(source)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def _shown_docx(store: Store, method: Method, review: str, **options: object) -> str:
    data = export(store, method, review, "docx", **options)  # type: ignore[arg-type]
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize("reader", [_shown_md, _shown_docx])
def test_a_notes_factor_and_its_direction_are_in_the_record_and_the_narrative(
    store: Store, method: Method, fixture: ReviewFixture, reader
):
    for what in ("record", "narrative"):
        shown = reader(store, method, fixture.review, what=what)
        assert f"{UNLINKED} (factor: Own team, hindered)" in shown, what
        assert f"{LINKED} (factors: Own team, helped; Working conditions)" in shown, what
    public = reader(store, method, fixture.review, what="narrative", final=True)
    assert f"{UNLINKED} (factor: Own team, hindered)" in public
