"""Every output that says where a ``!`` difference or a ``?`` question came from says the
review team raised it (in that conversation, or in its working notes), never the participant
(hostile test of issue 14, findings 1 and 2)."""

from __future__ import annotations

import pytest

from facilitator.analysis.plan import plan_for
from facilitator.analysis.queries import overview_queries
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

TEAM_GAP = "The file and the log disagree about the conference"


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    built = build_review_fixture(service)
    recorded = service.record_team_note(built.review, f"! {TEAM_GAP} #2 @conditions-")
    assert not recorded.problems
    return built


def _reasons(store: Store, method: Method, fixture: ReviewFixture, who: str) -> dict[str, str]:
    plan = plan_for(store, method, fixture.participants[who])
    return {item.text: item.reason for item in plan.items}


def test_the_plan_credits_differences_and_questions_to_the_team(
    store: Store, method: Method, fixture: ReviewFixture
):
    sw = _reasons(store, method, fixture, "social_worker")
    flag = next(r for t, r in sw.items() if "Her recollection of the conference" in t)
    assert flag == "Review team's observation in C2"
    team = next(r for t, r in sw.items() if TEAM_GAP in t)
    assert team == "Review team (working notes)"
    hv = _reasons(store, method, fixture, "health_visitor")
    asked = next(r for t, r in hv.items() if t.startswith("Ask the health visitor"))
    assert asked == "Review team's question in C1"
    for reason in (*sw.values(), *hv.values()):
        assert reason.strip(), "every item says where it came from"


def test_the_lead_queries_credit_the_team(store: Store, method: Method, fixture: ReviewFixture):
    again = store.new_conversation(fixture.review, fixture.participants["social_worker"])
    sources = {q.text: q.source for q in overview_queries(store, again)}
    assert next(s for t, s in sources.items() if "Her recollection" in t) == (
        "Review team's observation in C2"
    )
    assert next(s for t, s in sources.items() if TEAM_GAP in t) == "Review team (working notes)"
    hv_again = store.new_conversation(fixture.review, fixture.participants["health_visitor"])
    hv_sources = {q.text: q.source for q in overview_queries(store, hv_again)}
    assert next(s for t, s in hv_sources.items() if t.startswith("Ask the health")) == (
        "Review team's question in C1"
    )


def test_exports_credit_the_team(store: Store, method: Method, fixture: ReviewFixture):
    plans = export(store, method, fixture.review, "md", what="plan").decode()  # type: ignore[union-attr]
    assert "Social worker (Children's social care)" not in _line_with(plans, "Her recollection")
    assert "Review team's observation in C2" in _line_with(plans, "Her recollection")
    assert "Review team (working notes)" in _line_with(plans, TEAM_GAP)
    narrative = export(store, method, fixture.review, "md", what="narrative").decode()  # type: ignore[union-attr]
    assert "Still to ask (Review team's question in C1):" in narrative
    assert "Still to ask (from C1, Social worker" not in narrative


def _line_with(text: str, needle: str) -> str:
    lines = [line for line in text.splitlines() if needle in line]
    assert lines, needle
    return "\n".join(lines)
