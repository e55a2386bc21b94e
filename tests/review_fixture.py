"""A fictional review for analysis and report tests. Every person, place and event is invented.

Five participants from four agencies:

- social worker (Children's social care) — C1, finished; names E1 Home visit, E2 Case
  conference, E3 Strategy discussion;
- health visitor (Community health) — C2, finished; DISAGREES with the social worker about E2
  (a note linked as contradicting, and a ``!`` note); names E4 Developmental check and E5
  "Joint visit with social worker", a duplicate of E1 under another name;
- class teacher (Northfield Primary School) — C3, finished; speaks of E1; names E6, undated;
- team manager (Children's social care) — no conversation yet, mentioned by role in E3;
- GP (General practice) — recorded by the team as involved in E2, never asked about it.

Follow-ups: one in C1 for the health visitor (mentions her role), one in C3 for the teacher.
The team manager also has a planned first conversation (C4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from facilitator.service import Service

TITLE = "Fixture review: Child K (fictional)"


@dataclass
class ReviewFixture:
    review: str
    participants: dict[str, str] = field(default_factory=dict)  # key -> id
    conversations: dict[str, str] = field(default_factory=dict)  # key -> id
    episodes: dict[str, str] = field(default_factory=dict)  # "E1".. -> id
    notes: dict[str, str] = field(default_factory=dict)  # key -> note id


# (key or "", minutes after start, stage, line)
SOCIAL_WORKER = [
    ("", 1, 1, "Understands the purpose of the review"),
    ("", 5, 2, "Took the case after the school's referral in January"),
    ("sw_e1", 12, 3, "#new Home visit after school referral (12 January 2024) @family"),
    ("sw_e2", 14, 3, "#new Case conference (March 2024) @interagency"),
    ("sw_e3", 16, 3, "#new Strategy discussion (2 April 2024)"),
    ("", 20, 4, "#1 @lr-picture Thought the bruise had an innocent explanation"),
    ("", 22, 4, "#1 @lr-information The school's account weighed most @interagency"),
    ("sw_agreed", 26, 4, "#2 The health visitor agreed at the conference that no plan was needed"),
    ("", 28, 4, "#2 @lr-weighing Was weighing a heavy caseload that week @conditions"),
    ("", 31, 5, "#3 Needed the team manager's sign-off before convening @team"),
    ("", 35, 5, "@resources Two vacancies in the team that spring"),
    ("", 40, 6, "+ Weekly calls with the class teacher worked well #1"),
    ("", 44, 7, "~ Minutes of conferences sent to everyone within two days"),
    ("sw_reflection", 47, 8, ">> We wonder whether the conference minutes were circulated #2"),
    ("sw_followup", 49, 8, "? Ask the health visitor whether she agreed no plan was needed #2"),
    ("", 55, 9, "Found the conversation useful"),
]

HEALTH_VISITOR = [
    ("", 1, 1, "Agreed to notes being taken"),
    ("", 4, 2, "Had known the family since the birth of the younger sibling"),
    ("hv_e4", 10, 3, "#new Developmental check (February 2024) @role"),
    ("hv_e5", 12, 3, "#new Joint visit with social worker (January 2024)"),
    ("hv_worried", 18, 4, "#2 Said at the conference she was worried and wanted a plan"),
    ("hv_flag", 20, 4, "! Her recollection of the conference differs from the social worker's #2"),
    ("", 24, 4, "#4 @lr-picture Thought development was on track @family"),
    ("", 27, 5, "#5 @lr-aims Wanted the visit to feel supportive, not investigative"),
    ("", 33, 6, "+ The joint visit was well planned #5"),
    ("", 40, 9, "Would like to read the draft"),
]

CLASS_TEACHER = [
    ("", 1, 1, "Clear about confidentiality"),
    ("", 6, 2, "Noticed the bruise at morning registration"),
    ("ct_e1", 10, 3, "#1 Reported the bruise to social care the same day @interagency"),
    ("ct_e6", 14, 3, "#new Attendance concerns raised with the family"),
    ("", 20, 5, "#6 @lr-options Felt a letter home was the only option @culture"),
    ("ct_followup", 30, 8, "? Check when the attendance figures were sent to social care"),
]


def _converse(
    service: Service,
    fixture: ReviewFixture,
    conversation_id: str,
    start: datetime,
    lines: list[tuple[str, float, int, str]],
    *,
    end_minutes: float,
) -> None:
    store = service.store
    store.update(fixture.review, "conversation", conversation_id, started_at=start.isoformat())
    conversation = store.conversation(conversation_id)
    stage = 0
    for key, minutes, line_stage, line in lines:
        at = start + timedelta(minutes=minutes)
        if line_stage != stage:
            stage = line_stage
            store.set_stage(conversation, stage, at=(at - timedelta(seconds=30)).isoformat())
        recorded = service.record_note(
            conversation, line, at=at.isoformat(), stage=stage, elapsed_s=minutes * 60.0
        )
        assert not recorded.problems, (line, recorded.problems)
        if key:
            fixture.notes[key] = recorded.note_id
        for episode_id in recorded.new_episodes:
            fixture.episodes[f"E{len(fixture.episodes) + 1}"] = episode_id
    store.end_conversation(conversation, at=(start + timedelta(minutes=end_minutes)).isoformat())


def build_review_fixture(service: Service) -> ReviewFixture:
    """Create the fixture review in ``service.store``; returns the ids of what it made."""
    store = service.store
    review = store.create_review(TITLE, ["How did agencies share their concerns about K?"])
    fixture = ReviewFixture(review)
    add = store.add_participant
    fixture.participants["social_worker"] = add(
        review, role="Social worker", agency="Children's social care", name="Ana Lopes"
    )
    fixture.participants["health_visitor"] = add(
        review, role="Health visitor", agency="Community health", name="Chloe Dunn"
    )
    fixture.participants["class_teacher"] = add(
        review, role="Class teacher", agency="Northfield Primary School", name="Dev Patel"
    )
    fixture.participants["team_manager"] = add(
        review, role="Team manager", agency="Children's social care", kind="manager"
    )
    fixture.participants["gp"] = add(review, role="GP", agency="General practice", name="Eva Frost")

    base = datetime(2025, 5, 6, 10, 0).astimezone()
    plan = [
        ("sw", "social_worker", base, SOCIAL_WORKER, 58),
        ("hv", "health_visitor", base + timedelta(days=2), HEALTH_VISITOR, 45),
        ("ct", "class_teacher", base + timedelta(days=4), CLASS_TEACHER, 35),
    ]
    for key, who, start, lines, end in plan:
        conversation_id = store.new_conversation(
            review,
            fixture.participants[who],
            lead="Alex Reviewer",
            note_taker="Jordan Reviewer",
            planned_at=start.isoformat(timespec="minutes"),
        )
        fixture.conversations[key] = conversation_id
        _converse(service, fixture, conversation_id, start, lines, end_minutes=end)

    fixture.conversations["tm"] = store.new_conversation(
        review,
        fixture.participants["team_manager"],
        lead="Alex Reviewer",
        planned_at=(base + timedelta(days=9)).isoformat(timespec="minutes"),
    )
    # The two accounts of the conference contradict each other.
    store.link(
        review, fixture.notes["sw_agreed"], "note", fixture.notes["hv_worried"],
        relation="contradicts",
    )  # fmt: skip
    # The team knows the GP attended the conference; nobody has asked the GP about it.
    store.link(
        review,
        fixture.episodes["E2"],
        "participant",
        fixture.participants["gp"],
        relation="involved",
        source_kind="episode",
    )
    return fixture
