"""Regressions from the third hostile test of issue 16: team working notes in packs, answers
given on two laptops, labels that change after a sync, dates without a year, and names that
come back through "What changed" or a participant's former name."""

from __future__ import annotations

import pytest

from facilitator.dialogue import records
from facilitator.dialogue.pack import pack_items, render_markdown
from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _pack_text(store: Store, review: str, draft_id: str, participant: str | None) -> str:
    return render_markdown(pack_items(records.draft(store, review, draft_id), participant))


def test_team_working_notes_never_reach_a_pack(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    for line in (
        "#1 TEAMNOTE_PLAIN about the visit",
        "#1 + TEAMNOTE_GOOD the calls worked",
        "#1 ~ TEAMNOTE_IDEA share minutes",
        '#1 " TEAMNOTE_QUOTE said by nobody',
    ):
        service.record_team_note(review, line)
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    assert "TEAMNOTE" not in str(records.draft(store, review, draft_id).content)
    for who in ("social_worker", None):
        text = _pack_text(store, review, draft_id, fixture.participants[who] if who else None)
        assert "TEAMNOTE" not in text and "unknown source" not in text, who
    # Participants' own accounts still come through.
    text = _pack_text(store, review, draft_id, None)
    assert "Weekly calls with the class teacher worked well" in text
