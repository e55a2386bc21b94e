"""A fictional review for trying the tool. Every name, place and event here is invented."""

from __future__ import annotations

from datetime import datetime, timedelta

from facilitator.service import Service

DEMO_TITLE = "Demo review: Child R (fictional)"
# Whoever tries the demo writes as its (fictional) note-taker unless they gave a name.
DEMO_REVIEWER = "Jordan Reviewer"

# (minutes after start, stage, note line)
FIRST_CONVERSATION: list[tuple[float, int, str]] = [
    (1, 1, "Understands the review is about learning, not blame; agreed to notes being taken"),
    (3, 1, ">> Seemed anxious at the start; settled once confidentiality was explained"),
    (6, 2, "Allocated the case in January after the school's referral about bruising"),
    (8, 2, '"I had twenty-two cases that month and R was one of the calmer ones"'),
    (11, 2, "Mother was cooperative at first visits; the home looked tidy and warm"),
    (14, 3, "#new Joint home visit with health visitor (14 February 2024) @interagency"),
    (15, 3, "#new Strategy discussion not convened (March 2024) @conditions"),
    (17, 3, "#new School's second referral (2 April 2024)"),
    (20, 4, "#1 @lr-picture Thought the bruise was explained by a fall at nursery"),
    (
        23,
        4,
        "#1 @lr-information The health visitor's view that development was on track weighed most",
    ),
    (26, 4, "#2 @lr-weighing Was weighing a court deadline on another case that week @conditions"),
    (29, 4, "#2 @lr-options Believed a strategy discussion needed the manager's sign-off @team"),
    (32, 4, "#3 @lr-aims Wanted to keep mother engaged rather than alarm her @family"),
    (36, 5, "@conditions Caseload of 22 against a team target of 15; two vacancies unfilled"),
    (39, 5, "@team Supervision was cancelled twice in March because the manager was covering"),
    (42, 5, "@interagency Did not receive the school's attendance figures until April"),
    (45, 5, "@family Mother's partner was rarely present and never met alone @lr-attention #2"),
    (48, 5, "@resources Out-of-hours team could not visit at weekends that spring"),
    (
        51,
        5,
        # The team's observation of a difference ('!'), not the participant's words.
        "! The GP letter says no invitation came; the account has the GP invited to the "
        "February visit #1",
    ),
    (55, 6, "+ Good relationship with the class teacher; weekly calls worked well"),
    (58, 6, "+ The joint visit in February was well prepared #1"),
    (62, 7, "~ A shared chronology that school, health and social care all add to"),
    (64, 7, "~ Protected supervision that cannot be cancelled for cover"),
    (67, 8, "? Ask the team manager how sign-off for strategy discussions works in practice"),
    (69, 8, "? Check the school's records for when attendance data was sent"),
    (72, 9, "Found the conversation fair; would like to see the draft narrative"),
]


def build_demo(service: Service, *, start: datetime | None = None) -> str:
    """Create the demo review in ``service.store`` and return its id."""
    store = service.store
    if not store.author:
        store.set_reviewer(DEMO_REVIEWER)
    start = start or datetime(2025, 3, 4, 10, 0).astimezone()
    review = store.create_review(
        DEMO_TITLE,
        [
            "How did agencies share what they knew about Child R?",
            "What helped or hindered escalation when concerns grew?",
        ],
    )
    social_worker = store.add_participant(
        review, role="Social worker", agency="Children's social care", name="Sam Okafor"
    )
    store.add_participant(
        review,
        role="Team manager",
        agency="Children's social care",
        kind="manager",
        name="Dana Whitfield",
    )
    health_visitor = store.add_participant(
        review, role="Health visitor", agency="Community health", name="Priya Nair"
    )
    store.add_participant(
        review, role="Class teacher", agency="Oakfield Primary School", name="Tom Eastwood"
    )
    store.add_participant(review, role="GP", agency="General practice", name="Dr Helen Marsh")
    store.add_participant(review, role="Mother", agency="Family", kind="family", name="Ms R")

    first = store.new_conversation(
        review,
        social_worker,
        lead="Alex Reviewer",
        note_taker="Jordan Reviewer",
        planned_at=start.isoformat(timespec="minutes"),
    )
    store.update(review, "conversation", first, started_at=start.isoformat(timespec="seconds"))
    conversation = store.conversation(first)
    stage = 0
    for minutes, note_stage, line in FIRST_CONVERSATION:
        at = start + timedelta(minutes=minutes)
        if note_stage != stage:
            stage = note_stage
            store.set_stage(conversation, stage, at=(at - timedelta(seconds=30)).isoformat())
        service.record_note(
            conversation,
            line,
            at=at.isoformat(timespec="seconds"),
            stage=stage,
            elapsed_s=minutes * 60.0,
        )
    ended = start + timedelta(minutes=75)
    store.end_conversation(conversation, at=ended.isoformat(timespec="seconds"))

    _findings(service, review)
    store.new_conversation(
        review,
        health_visitor,
        lead="Alex Reviewer",
        note_taker="Jordan Reviewer",
        planned_at=(start + timedelta(days=7)).isoformat(timespec="minutes"),
    )
    return review


def _findings(service: Service, review: str) -> None:
    """What the team has made of it so far: a pattern, a recommendation, and a place to
    keep out of the public report, so the findings report has something to show."""
    from facilitator.analysis.patterns import add_pattern, add_recommendation
    from facilitator.reports.redaction import add as register

    store, method = service.store, service.method
    strategy = next(e.id for e in store.episodes(review) if e.title.startswith("Strategy"))
    pattern = add_pattern(
        store,
        review,
        method,
        type=["human-management", "crisis-response"],
        title="Escalation waits for a manager's sign-off",
        description="Workers believed a strategy discussion needed a manager's agreement, "
        "and managers covering other teams were hard to reach.",
        widespread=4,
        relevance=5,
        priority=1,
        episodes=[strategy],
        factors=["team", "conditions"],
        effect="hinders",
        reasons="Managers cover several teams across the service, not only this one, and "
        "the wait delays the first response to a child at risk.",
    )
    add_recommendation(
        store,
        review,
        method,
        kind="clear-cut",
        text="Make clear that any social worker may convene a strategy discussion when a "
        "child may be at risk, and tell the manager afterwards",
        pattern=pattern,
        owner="Children's social care, with the safeguarding partnership",
    )
    register(store, review, "Oakfield Primary School", "a primary school")
