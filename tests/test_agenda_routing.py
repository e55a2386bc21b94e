"""An agenda item goes to the person it concerns, by one rule for the plan, the lead's
queries and the JSON export's follow-ups; a role's abbreviation ("SW") or a pseudonym or
"Ms Surname" counts as naming them (hostile test of issue 14, finding 3)."""

from __future__ import annotations

import json

import pytest

from facilitator.analysis.plan import plan_for
from facilitator.analysis.queries import overview_queries
from facilitator.method import Method
from facilitator.reports.json_export import dumps
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    built = build_review_fixture(service)
    store = service.store
    store.update(built.review, "participant", built.participants["gp"], pseudonym="Ms Blue")
    ct = store.conversation(built.conversations["ct"])
    for line in (
        "? Ask the SW about the invitation email #2",
        "? Ask Ms Blue about the letter #1",
        "? Ask Ms Lopes when she read the referral #1",
        "! The teacher says she phoned, the SW file says an email came #2",
    ):
        assert not service.record_note(ct, line).problems
    return built


def _texts(store: Store, method: Method, fixture: ReviewFixture, who: str) -> str:
    return "\n".join(i.text for i in plan_for(store, method, fixture.participants[who]).items)


def test_abbreviations_and_pseudonyms_route_an_item_to_its_person(
    store: Store, method: Method, fixture: ReviewFixture
):
    teacher = _texts(store, method, fixture, "class_teacher")
    assert "Ask the SW" not in teacher and "Ask Ms Blue" not in teacher
    assert "Ask Ms Lopes" not in teacher
    sw = _texts(store, method, fixture, "social_worker")
    assert "Ask the SW about the invitation email" in sw
    assert "Ask Ms Lopes when she read the referral" in sw
    assert "Ask Ms Blue" in _texts(store, method, fixture, "gp")


def test_a_difference_goes_to_those_it_names_not_everyone_on_the_episode(
    store: Store, method: Method, fixture: ReviewFixture
):
    flagged = "the SW file says an email came"
    assert flagged in _texts(store, method, fixture, "social_worker")
    assert flagged in _texts(store, method, fixture, "class_teacher")  # noted in her talk
    # The health visitor was part of E2 but is not named in it.
    assert flagged not in _texts(store, method, fixture, "health_visitor")
    again = store.new_conversation(fixture.review, fixture.participants["health_visitor"])
    assert not any(flagged in q.text for q in overview_queries(store, again))


def test_the_json_export_routes_follow_ups_by_the_same_rule(
    store: Store, method: Method, fixture: ReviewFixture
):
    data = json.loads(dumps(store, fixture.review))
    routed = {f["text"]: f["participant"] for f in data["follow_ups"]}
    assert (
        routed["Ask the SW about the invitation email #2"] == fixture.participants["social_worker"]
    )
    assert routed["Ask Ms Blue about the letter #1"] == fixture.participants["gp"]
    # Typed in the social worker's conversation, it names the health visitor: hers.
    asked = next(t for t in routed if t.startswith("Ask the health visitor"))
    assert routed[asked] == fixture.participants["health_visitor"]
    for follow_up in data["follow_ups"]:
        ids = [
            p
            for p in fixture.participants.values()
            if any(
                i.kind == "follow_up" and i.ref == follow_up["id"]
                for i in plan_for(store, method, p).items
            )
        ]
        assert follow_up["participants"] == ids, follow_up["text"]
