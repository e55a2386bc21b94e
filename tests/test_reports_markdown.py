"""Markdown reports: what a reader of each section sees."""

from __future__ import annotations

import re

import pytest

from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def md(store: Store, method: Method, review: str, **options: object) -> str:
    return export(store, method, review, "md", **options).decode("utf-8")  # type: ignore[arg-type]


def test_draft_is_marked_confidential(store: Store, method: Method, fixture: ReviewFixture):
    text = md(store, method, fixture.review)
    assert text.splitlines()[2].startswith("**CONFIDENTIAL DRAFT")


def test_narrative_in_time_order_with_attribution_gaps_and_discrepancies(
    store: Store, method: Method, fixture: ReviewFixture
):
    text = md(store, method, fixture.review, what="narrative")
    # The perspectives in their own words come first; then the episodes, where they meet.
    headings = [line for line in text.splitlines() if re.match(r"### E\d", line)]
    assert [h.split(":")[0] for h in headings] == [
        "### E5",
        "### E1",
        "### E4",
        "### E2",
        "### E3",
        "### E6",
    ]
    e2 = text.split("### E2")[1].split("### E3")[0]
    assert (
        "- **Discrepancy:** **C2, Health visitor, Community health:** "
        "Said at the conference she was worried and wanted a plan"
    ) in e2
    assert (
        "- **Discrepancy:** **C1, Social worker, Children's social care:** "
        "The health visitor agreed at the conference that no plan was needed"
    ) in e2
    # The GP was at the conference by the team's record, but has not been heard.
    assert "**Gap:** **Perspectives missing:** Eva Frost (GP, General practice)" in e2
    # The team's reflection is a marked comment, never an attributed account.
    assert "> **Review team (Jordan):** We wonder whether the conference minutes" in e2
    assert "- **C1, Social worker, Children's social care:** We wonder" not in e2
    # Tags typed during capture do not clutter the narrative.
    assert "#2" not in e2 and "@lr-" not in e2


def test_episode_table_and_plan(store: Store, method: Method, fixture: ReviewFixture):
    table = md(store, method, fixture.review, what="episodes")
    rows = [line for line in table.splitlines() if re.match(r"\| E\d", line)]
    assert len(rows) == 6
    assert rows[1].startswith("| E1: Home visit after school referral<br>12 January 2024 |")
    plan = md(store, method, fixture.review, what="plan")
    assert "### Team manager, Children's social care" in plan
    assert "*C4 planned for" in plan
    hv = plan.split("### Chloe Dunn")[1].split("### ")[0]
    assert "Ask the health visitor whether she agreed no plan was needed" in hv


def test_user_text_is_escaped(store: Store, method: Method, service: Service):
    review = store.create_review("Escapes")
    person = store.add_participant(review, role="GP", agency="General practice")
    conversation = store.conversation(store.new_conversation(review, person))
    service.record_note(conversation, "# not a heading <script>alert(1)</script> *x* [a](b)")
    text = md(store, method, review, what="record")
    assert r"\# not a heading \<script\>alert(1)\</script\> \*x\* \[a\](b)" in text
    assert "<script>" not in text


def test_empty_review_says_so(store: Store, method: Method):
    review = store.create_review("Nothing yet")
    text = md(store, method, review)
    assert "No conversations yet." in text
    assert "No key practice episodes have been identified yet." in text


def test_control_characters_in_notes_are_shown_not_dropped(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
):
    """ESC and BEL were dropped silently from the report, so the reader could not tell
    the note held them (found by the hostile tester of issue 15); shown as the CLI shows
    them, and still inert in a Markdown renderer."""
    from markdown_it import MarkdownIt

    conversation = store.conversation(fixture.conversations["sw"])
    service.record_note(conversation, "Said \x1b[31mred\x1b[0m and \x07bell \x00null \x9b1m")
    text = md(store, method, fixture.review, what="record")
    assert "Said \u241b\\[31mred\u241b\\[0m and \u2407bell \u2400null \\<U+009B\\>1m" in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    rendered = MarkdownIt().render(text)
    assert "Said \u241b[31mred\u241b[0m and \u2407bell \u2400null &lt;U+009B&gt;1m" in rendered


def test_each_team_comment_is_its_own_paragraph_in_a_commonmark_reader() -> None:
    from markdown_it import MarkdownIt

    from facilitator.reports.content import Comment, Para, Report
    from facilitator.reports.markdown import render

    report = Report("T", "B", False)
    report.blocks.append(
        Para("E1 heading", comments=[Comment("Good practice: prompt call", "Review team"),
                                     Comment("Significance: lost trust", "Review team")])
    )  # fmt: skip
    html = MarkdownIt("commonmark").render(render(report))
    assert html.count("<p><strong>Review team:</strong>") == 2, html
