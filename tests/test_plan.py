"""The plan for a second conversation, saving it, and the lead's stage-6 queries."""

from __future__ import annotations

import re

import pytest

from facilitator.analysis.plan import agenda, plan_for, save_plan
from facilitator.analysis.queries import OverviewQuery, mark_raised, overview_queries
from facilitator.analysis.review_overview import discrepancies
from facilitator.method import Method
from facilitator.service import Service
from facilitator.store.db import StoreError
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fx(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _kinds(plan) -> list[tuple[str, str]]:
    return [(item.kind, item.ref) for item in plan.items]


def test_plan_for_the_health_visitor_puts_her_disagreement_and_follow_up_first(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    plan = plan_for(service.store, method, fx.participants["health_visitor"])
    first = [(i.kind, i.ref) for i in plan.items if i.priority == 1]
    follow_up = next(
        f for f in service.store.follow_ups(fx.review) if f.note == fx.notes["sw_followup"]
    )
    assert ("follow_up", follow_up.id) in first  # names her by role, from C1
    assert ("discrepancy", fx.notes["sw_agreed"]) in first  # her own account is in it
    assert [i.priority for i in plan.items] == sorted(i.priority for i in plan.items)
    others = next(i for i in plan.items if i.kind == "others_accounts")
    assert others.ref == fx.episodes["E2"] and "C1, Social worker" in others.text
    thin = [i.ref for i in plan.items if i.kind == "thin_rationality"]
    assert fx.episodes["E4"] in thin  # one prompt noted
    assert ("no_factors", fx.episodes["E2"]) in _kinds(plan)
    assert ("no_factors", fx.episodes["E4"]) not in _kinds(plan)  # @role and @family noted


def test_plan_for_someone_never_asked_asks_for_their_perspective(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    plan = plan_for(service.store, method, fx.participants["gp"])
    gap = next(i for i in plan.items if i.kind == "missing_perspective")
    assert gap.ref == fx.episodes["E2"] and gap.reason == "recorded by the team"
    assert gap.minutes == 15
    assert {i.ref for i in plan.items if i.kind == "discrepancy"} == {
        fx.notes["sw_agreed"],
        fx.notes["hv_flag"],
    }
    # Nothing they never said can be thin or factor-less.
    assert not [i for i in plan.items if i.kind in ("thin_rationality", "no_factors")]


def test_plan_timings_fit_the_time_left_after_framing(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    plan = plan_for(service.store, method, fx.participants["social_worker"], planned_minutes=40)
    framing = sum(method.stage(n).minutes for n in (1, 8, 9))
    assert plan.minutes_available == 40 - framing
    fits, spare = plan.fitting()
    assert fits + spare == plan.items
    assert sum(i.minutes for i in fits) <= plan.minutes_available
    assert spare, "the social worker's plan should overflow a 40-minute conversation"


def test_saved_plan_creates_the_second_conversation_with_its_agenda(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    store = service.store
    plan = plan_for(store, method, fx.participants["health_visitor"])
    conversation_id = save_plan(store, plan, planned_at="2025-06-01T10:00", lead="Alex Reviewer")
    conversation = store.conversation(conversation_id)
    assert conversation.participant == fx.participants["health_visitor"]
    assert conversation.sequence == 2 and conversation.status == "planned"
    rows = agenda(store, conversation_id)
    assert [(r["kind"], r["ref"]) for r in rows] == _kinds(plan)
    assert {r["status"] for r in rows} == {"open"}
    assert [r["minutes"] for r in rows] == [i.minutes for i in plan.items]
    # Saving again into the same conversation adds nothing twice.
    assert save_plan(store, plan, conversation=conversation_id) == conversation_id
    assert len(agenda(store, conversation_id)) == len(rows)
    with pytest.raises(StoreError, match="someone else"):
        save_plan(store, plan, conversation=fx.conversations["tm"])
    with pytest.raises(StoreError, match="already started"):
        save_plan(store, plan, conversation=fx.conversations["hv"])


def test_lead_sees_saved_agenda_once_and_marking_it_raised_sticks(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    store = service.store
    plan = plan_for(store, method, fx.participants["health_visitor"])
    conversation_id = save_plan(store, plan)
    queries = overview_queries(store, conversation_id)
    assert [q.kind for q in queries] == ["agenda"] * len(plan.items)  # no duplicates
    follow_up_item = next(q for q in queries if "whether she agreed" in q.text)
    assert not follow_up_item.raised
    mark_raised(store, follow_up_item)
    again = {q.id: q for q in overview_queries(store, conversation_id)}
    assert again[follow_up_item.id].raised
    follow_up = next(f for f in store.follow_ups(fx.review) if f.note == fx.notes["sw_followup"])
    assert (follow_up.status, follow_up.raised_in) == ("raised", conversation_id)
    # The raised follow-up no longer appears in anyone's next plan.
    replan = plan_for(store, method, fx.participants["health_visitor"])
    assert ("follow_up", follow_up.id) not in _kinds(replan)
    assert ("follow_up", follow_up.id) not in _kinds(
        plan_for(store, method, fx.participants["social_worker"])
    )
    mark_raised(store, again[follow_up_item.id], raised=False)
    follow_up = next(f for f in store.follow_ups(fx.review) if f.note == fx.notes["sw_followup"])
    assert (follow_up.status, follow_up.raised_in) == ("open", "")


def test_without_a_plan_the_lead_sees_follow_ups_and_discrepancies(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    second = store.new_conversation(fx.review, fx.participants["social_worker"])
    queries = overview_queries(store, second)
    kinds = {(q.kind, q.id) for q in queries}
    sw_follow_up = next(f for f in store.follow_ups(fx.review) if f.note == fx.notes["sw_followup"])
    # "Ask the health visitor …" was typed in C1 but concerns the health visitor: it is on
    # her list, not the social worker's (an item belongs to the person it concerns).
    assert ("follow_up", sw_follow_up.id) not in kinds
    hv_talk = store.new_conversation(fx.review, fx.participants["health_visitor"])
    assert ("follow_up", sw_follow_up.id) in {
        (q.kind, q.id) for q in overview_queries(store, hv_talk)
    }
    assert ("discrepancy", fx.notes["sw_agreed"]) in kinds
    assert ("discrepancy", fx.notes["hv_flag"]) in kinds  # on E2, which they spoke of
    # The teacher's follow-up is about neither them nor their conversations.
    ct_follow_up = next(f for f in store.follow_ups(fx.review) if f.note == fx.notes["ct_followup"])
    assert ("follow_up", ct_follow_up.id) not in kinds
    pair = next(q for q in queries if q.id == fx.notes["sw_agreed"])
    assert "C2, Health visitor" in pair.source and "worried" in pair.text

    mark_raised(store, pair)
    raised = next(q for q in overview_queries(store, second) if q.id == pair.id)
    assert raised.raised
    gap = next(d for d in discrepancies(store, fx.review) if d.id == pair.id)
    assert gap.raised_in == (second,)
    mark_raised(store, raised, raised=False)
    assert not next(q for q in overview_queries(store, second) if q.id == pair.id).raised


def test_the_team_managers_first_conversation_hears_nothing_unrelated(
    service: Service, fx: ReviewFixture
) -> None:
    assert overview_queries(service.store, fx.conversations["tm"]) == []


def test_the_gp_is_asked_about_the_conference_discrepancies(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    gp_talk = store.new_conversation(fx.review, fx.participants["gp"])
    ids = {q.id for q in overview_queries(store, gp_talk) if q.kind == "discrepancy"}
    assert ids == {fx.notes["sw_agreed"], fx.notes["hv_flag"]}


def test_mark_raised_needs_a_conversation(service: Service, fx: ReviewFixture) -> None:
    query = OverviewQuery("discrepancy", fx.notes["hv_flag"], "text", "C2", False)
    with pytest.raises(StoreError):
        mark_raised(service.store, query)
    mark_raised(service.store, query, conversation=fx.conversations["tm"])
    (row,) = agenda(service.store, fx.conversations["tm"])
    assert (row["kind"], row["ref"], row["status"]) == (
        "discrepancy",
        fx.notes["hv_flag"],
        "raised",
    )


def test_demo_health_visitor_is_asked_about_the_joint_visit(
    service: Service, demo_review: str
) -> None:
    store = service.store
    planned = next(c for c in store.conversations(demo_review) if c.status == "planned")
    queries = overview_queries(store, planned.id)
    # The difference about the GP's invitation names the GP, not her: it is the GP's to
    # answer (and the team's observation in C1, not the social worker's account).
    assert not any(q.kind == "discrepancy" and "GP" in q.text for q in queries)
    gp = next(p for p in store.participants(demo_review) if p.role == "GP")
    gp_talk = store.new_conversation(demo_review, gp.id)
    asked = [q for q in overview_queries(store, gp_talk) if q.kind == "discrepancy"]
    assert any("GP" in q.text and q.source == "Review team's observation in C1" for q in asked)


def test_saving_again_reuses_the_planned_conversation(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    store = service.store
    plan = plan_for(store, method, fx.participants["team_manager"])
    # The team manager already has a planned first conversation: the agenda goes there.
    assert save_plan(store, plan, lead="Alex") == fx.conversations["tm"]
    assert save_plan(store, plan) == fx.conversations["tm"]
    assert len(agenda(store, fx.conversations["tm"])) == len(plan.items)
    fresh = save_plan(store, plan, new=True)
    assert fresh != fx.conversations["tm"]
    assert len([c for c in store.conversations(fx.review) if not c.started_at]) == 2


def test_the_plan_shows_what_others_said_attributed_and_short(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    """Not '1 note(s)': the accounts themselves, each with its source, tags taken out."""
    plan = plan_for(service.store, method, fx.participants["health_visitor"])
    others = next(i for i in plan.items if i.kind == "others_accounts")
    assert "note(s)" not in others.text
    # The note-taker's paraphrase, so no quote marks: they would say the participant
    # used those words.
    assert (
        "C1, Social worker (Children's social care): The health visitor agreed at the "
        "conference that no plan was needed;"
    ) in others.text + ";"
    assert "“The health visitor agreed" not in others.text
    assert "#2" not in others.text and "@" not in others.text
    service.record_note(
        service.store.conversation(fx.conversations["sw"]), '"#2 We all agreed, no plan"'
    )
    plan = plan_for(service.store, method, fx.participants["health_visitor"])
    others = next(i for i in plan.items if i.kind == "others_accounts")
    assert "“We all agreed, no plan”" in others.text  # their own words, typed as a quote
    service.record_note(
        service.store.conversation(fx.conversations["sw"]), "#2 " + "very long account " * 20
    )
    plan = plan_for(service.store, method, fx.participants["health_visitor"])
    others = next(i for i in plan.items if i.kind == "others_accounts")
    assert "very long account very long" in others.text and "…" in others.text
    assert len(max(others.text.split("; "), key=len)) < 200


def test_a_follow_up_goes_on_the_agenda_of_the_person_it_concerns(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    """'Ask the health visitor …' was typed in the social worker's conversation: it is for
    the health visitor's agenda, not the social worker's."""
    store = service.store
    follow_up = next(f for f in store.follow_ups(fx.review) if f.note == fx.notes["sw_followup"])
    for_hv = plan_for(store, method, fx.participants["health_visitor"])
    for_sw = plan_for(store, method, fx.participants["social_worker"])
    assert ("follow_up", follow_up.id) in _kinds(for_hv)
    assert ("follow_up", follow_up.id) not in _kinds(for_sw)
    # A follow-up that names no one stays with the person whose conversation raised it.
    teacher = next(f for f in store.follow_ups(fx.review) if f.note == fx.notes["ct_followup"])
    assert ("follow_up", teacher.id) in _kinds(
        plan_for(store, method, fx.participants["class_teacher"])
    )


def test_the_plan_presents_what_is_open_not_a_score(
    service: Service, method: Method, fx: ReviewFixture
) -> None:
    """The prompts are not a checklist: no '1 of 7 prompts', no 'thin'."""
    plan = plan_for(service.store, method, fx.participants["health_visitor"])
    open_item = next(
        i for i in plan.items if i.kind == "thin_rationality" and i.ref == fx.episodes["E4"]
    )
    assert open_item.text.startswith("How E4 Developmental check (February 2024) looked")
    assert "still open" in open_item.text and "you might ask about:" in open_item.text
    assert not re.search(r"\bthin\b", open_item.text) and " of 7" not in open_item.text
