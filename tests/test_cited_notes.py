"""A note that cites a document is its author's words about it: the passage is quoted as
the document's, the note attributed to whoever made it (hostile test of issue 14, finding 4)."""

from __future__ import annotations

import pytest

from facilitator.analysis.plan import plan_for
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

PASSAGE = "Strategy meeting held."
NOTE = "The file shows the meeting went ahead"


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    built = build_review_fixture(service)
    store = service.store
    doc = store.add_document(built.review, "SW case file", f"12 March. {PASSAGE}")
    hv = store.conversation(built.conversations["hv"])
    recorded = service.record_note(hv, f"{NOTE} #3", document=doc, passage=PASSAGE)
    assert not recorded.problems
    return built


def test_the_plan_quotes_the_passage_as_the_documents_and_the_note_as_its_authors(
    store: Store, method: Method, fixture: ReviewFixture
):
    plan = plan_for(store, method, fixture.participants["social_worker"])
    said = next(i.text for i in plan.items if i.kind == "others_accounts" and NOTE in i.text)
    assert f"document: SW case file: “{NOTE}" not in said
    assert f"C2, Health visitor (Community health), on SW case file: {NOTE} (the record:" in said
    assert f"(the record: “{PASSAGE}”)" in said


def test_the_narrative_leads_with_the_author_not_the_document(
    store: Store, method: Method, fixture: ReviewFixture
):
    text = export(store, method, fixture.review, "md", what="narrative").decode()  # type: ignore[union-attr]
    line = next(line for line in text.splitlines() if NOTE in line)
    assert "Document: SW case file, cited in" not in line
    assert line.startswith("- **C2, Health visitor, Community health, on SW case file:**"), line
    assert PASSAGE in line


def test_someone_heard_only_on_episodes_is_not_listed_as_not_yet_heard(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
):
    """Hostile test of issue 14, finding 15: accounts on episodes, no story of their own."""
    talk = store.conversation(fixture.conversations["tm"])  # planned, never started
    assert not service.record_note(talk, "#3 Signed off the discussion late").problems
    text = export(store, method, fixture.review, "md", what="narrative").decode()  # type: ignore[union-attr]
    unheard = next((line for line in text.splitlines() if "Not yet heard:" in line), "")
    assert "Team manager" not in unheard, unheard
