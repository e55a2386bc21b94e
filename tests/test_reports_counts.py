"""The counts in the key practice episode table agree with what it lists (hostile test of
issue 14, finding 14): a note that only named an episode is not an account, a document
cited and read is one line of evidence, the public report counts nothing it never shows,
and the scope runs to the end of the latest episode's period. Read back with python-docx
and a CommonMark renderer."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from markdown_it import MarkdownIt

from facilitator.analysis.episodes import redate_episode
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

PASSAGE = "Strategy meeting held."
WORKING = "The file and the duty log disagree on the day"


@pytest.fixture
def fixture(service: Service, tmp_path: Path) -> ReviewFixture:
    from facilitator.importers import import_file

    built = build_review_fixture(service)
    store = service.store
    record = tmp_path / "case-file.md"
    record.write_text(f"2 April 2024 {PASSAGE}\n", encoding="utf-8")
    result = import_file(store, built.review, record, agency="Children's social care")
    for entry in result.entries:  # the record's entry accepted into E3
        store.update(
            built.review, "chronology", entry, status="accepted", episode=built.episodes["E3"]
        )
    doc = result.document
    ct = store.conversation(built.conversations["ct"])
    said = service.record_note(ct, "The file shows the meeting went ahead #3", document=doc)
    assert not said.problems
    # The team's own working note on the record: never shown in a public report.
    team = service.record_team_note(built.review, f"{WORKING} #3 @team-", document=doc)
    assert not team.problems
    return built


def _rows(store: Store, method: Method, review: str, **options: object) -> dict[str, dict]:
    data = export(store, method, review, "docx", what="episodes", **options)  # type: ignore[arg-type]
    table = docx.Document(io.BytesIO(data)).tables[0]
    header = [c.text for c in table.rows[0].cells]
    return {
        row.cells[0].text.split(":")[0]: dict(zip(header, [c.text for c in row.cells], strict=True))
        for row in table.rows[1:]
    }


def test_a_note_that_only_named_the_episode_is_not_counted_as_an_account(
    store: Store, method: Method, fixture: ReviewFixture
):
    e1 = _rows(store, method, fixture.review)["E1"]
    from_c1 = [a for a in e1["Accounts"].splitlines() if a.startswith("C1,")]
    assert len(from_c1) == 3, from_c1
    evidence = next(line for line in e1["Evidence"].splitlines() if line.startswith("C1,"))
    # As many accounts as the Accounts column lists, and the naming said as naming.
    assert "3 accounts" in evidence, evidence
    assert "4 notes" not in evidence
    # Its tag (@family) counts among the factors, so it is said where it is counted from.
    assert "named the episode (factor: The family and their circumstances)" in evidence


def test_a_document_cited_and_read_is_one_line_of_evidence(
    store: Store, method: Method, fixture: ReviewFixture
):
    for final in (False, True):
        e3 = _rows(store, method, fixture.review, final=final)["E3"]
        documents = [x for x in e3["Evidence"].splitlines() if x.startswith("Document:")]
        assert len(documents) == 1, (final, documents)


def test_the_public_table_counts_no_working_note_of_the_teams(
    store: Store, method: Method, fixture: ReviewFixture
):
    draft = _rows(store, method, fixture.review)["E3"]
    final = _rows(store, method, fixture.review, final=True)["E3"]
    # The draft counts the team's working note, apart; the public report never shows it,
    # so counts neither the note nor the factor it tagged.
    assert "working note" in draft["Evidence"]
    assert "working note" not in final["Evidence"]
    assert WORKING not in final["Accounts"]
    document = next(x for x in final["Evidence"].splitlines() if x.startswith("Document:"))
    assert "cited in 1 note" in document, document
    assert "The team's view:\nOwn team (1 note, 1 hindered)" in draft["Contributory factors"]
    assert "The team's view" not in final["Contributory factors"]


def test_the_scope_runs_to_the_end_of_the_latest_episodes_period(
    store: Store, method: Method, fixture: ReviewFixture
):
    # E3 is "2 April 2024"; E2 becomes "April 2024", which ends on 30 April.
    redate_episode(store, fixture.review, fixture.episodes["E2"], "April 2024")
    text = export(store, method, fixture.review, "md", final=True).decode()  # type: ignore[union-attr]
    html = MarkdownIt("commonmark").render(text)
    scope = next(line for line in html.splitlines() if "Scope:" in line)
    assert "to 30 April 2024" in scope, scope
    assert "to 2 April 2024" not in scope


def test_the_plan_never_quotes_a_note_that_only_named_the_episode_as_what_was_said(
    store: Store, method: Method, fixture: ReviewFixture
):
    from facilitator.analysis.plan import plan_for

    plan = plan_for(store, method, fixture.participants["class_teacher"])
    said = next(
        i.text for i in plan.items if i.kind == "others_accounts" and "Home visit" in i.text
    )
    assert "“Home visit after school referral (12 January 2024)”" not in said, said
    assert (
        "): Thought the bruise had an innocent explanation" in said
    )  # a paraphrase: no quote marks
