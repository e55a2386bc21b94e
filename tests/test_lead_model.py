"""The lead's reader: following the op log must give what a full read gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.analysis.coverage import episode_coverage, factor_counts_apart, is_team_view
from facilitator.method import Method, load_method
from facilitator.model import StageEvent
from facilitator.service import Service
from facilitator.store import Store
from facilitator.tui.widgets.lead_model import (
    ConversationWatch,
    clock_text,
    ranking_id,
    stage_totals,
    tick_id,
    well_over,
)
from tests.tui_support import START, small_review

LINES = [
    "#1 @lr-picture Thought it was a fall @family",
    "#2 @lr-aims @conditions Wanted to keep things calm",
    "+ Weekly calls worked #1",
    "~ Shared chronology",
    "#1 #2 @team @lr-weighing Both at once",
    "Plain observation",
    ">> The team wonders about covert pressure @culture #1",
    "#1 Cover from the duty team helped @conditions+ @family-",
    "! The log says the visit was cancelled @conditions- #2",
]


def test_ids_are_deterministic_and_distinct() -> None:
    assert tick_id("c1", 3, 0) == tick_id("c1", 3, 0)
    assert len({tick_id("c1", 3, 0), tick_id("c1", 3, 1), tick_id("c1", 4, 0)}) == 3
    assert tick_id("c1", 3, 0) != tick_id("c2", 3, 0)
    assert ranking_id("c1") == ranking_id("c1") != ranking_id("c2")


def test_stage_totals_add_up_every_visit() -> None:
    def event(stage: int, minutes: int) -> StageEvent:
        at = (START + timedelta(minutes=minutes)).isoformat()
        return StageEvent(f"e{minutes}", "c", stage, at)

    events = [event(1, 0), event(2, 5), event(1, 15), event(3, 20)]
    totals = stage_totals(events, START + timedelta(minutes=30))
    assert totals == {1: 600.0, 2: 600.0, 3: 600.0}


def test_well_over_needs_half_again_and_two_minutes() -> None:
    assert not well_over(5 * 60 * 1.4, 5)
    assert not well_over(60 + 119, 1)  # a 1-minute stage: 2 minutes' grace first
    assert well_over(7.5 * 60, 5)
    assert well_over(3 * 60, 1)


def test_clock_text_is_fixed_width_under_an_hour() -> None:
    assert clock_text(0) == "00:00"
    assert clock_text(125) == "02:05"
    assert clock_text(3725) == "1:02:05"


def _matches_full_read(watch: ConversationWatch, store: Store, conversation: str) -> None:
    fresh = ConversationWatch(store, conversation, watch.method)
    fresh.load()
    notes = store.notes(conversation=conversation)
    assert set(watch.notes) == {n.id for n in notes}
    # Coverage is what the participant said: the team's own notes (>>, !, ?) are apart.
    expected = episode_coverage([n for n in notes if not is_team_view(n)])
    assert {k: (v.notes, +v.prompts, +v.factors) for k, v in watch.coverage.items()} == {
        k: (v.notes, +v.prompts, +v.factors) for k, v in expected.items()
    }
    accounts, team = factor_counts_apart(notes)
    assert +watch.factor_totals == +accounts
    assert +watch.team_factor_totals == +team
    assert watch.snapshot().episodes == fresh.snapshot().episodes
    assert watch.snapshot().went_well == fresh.snapshot().went_well
    assert watch.snapshot().factor_ways == fresh.snapshot().factor_ways


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    actions=st.lists(
        st.tuples(
            st.sampled_from(["add", "edit", "delete", "undelete", "other"]), st.integers(0, 50)
        ),
        min_size=1,
        max_size=15,
    )
)
def test_following_the_op_log_equals_a_full_read(
    tmp_path_factory, actions: list[tuple[str, int]]
) -> None:  # noqa: ANN001
    method: Method = load_method()
    folder: Path = tmp_path_factory.mktemp("watch")
    with Store(folder / "store.db", author="Jordan") as store:
        service = Service(store, method)
        setup = small_review(service, started_at=START.isoformat())
        conversation = store.conversation(setup.conversation)
        other_person = store.add_participant(setup.review, role="GP", agency="General practice")
        other = store.conversation(store.new_conversation(setup.review, other_person))
        service.record_note(conversation, "#new Home visit (May 2024)")
        service.record_note(conversation, "#new Strategy meeting (June 2024)")
        watch = ConversationWatch(store, setup.conversation, method)
        watch.load()
        deleted: list[str] = []
        for step, (action, number) in enumerate(actions):
            live = store.notes(conversation=setup.conversation)
            if action == "add":
                service.record_note(conversation, LINES[number % len(LINES)])
            elif action == "edit" and live:
                service.edit_note(live[number % len(live)], LINES[(number + 1) % len(LINES)])
            elif action == "delete" and live:
                note = live[number % len(live)]
                service.delete_note(note)
                deleted.append(note.id)
            elif action == "undelete" and deleted:
                service.undelete_note(store.note(deleted.pop()))
            else:
                service.record_note(other, LINES[number % len(LINES)])
            if step % 3 == 0 or step == len(actions) - 1:
                watch.poll()
        watch.poll()
        _matches_full_read(watch, store, setup.conversation)


def test_a_poll_with_nothing_new_reports_no_change(service: Service) -> None:
    setup = small_review(service, started_at=START.isoformat())
    watch = ConversationWatch(service.store, setup.conversation, service.method)
    watch.load()
    assert not watch.poll()
    store = service.store
    at = datetime(2025, 3, 4, 10, 5, tzinfo=UTC).isoformat()
    store.set_stage(store.conversation(setup.conversation), 2, at=at)
    changes = watch.poll()
    assert changes.stage and not changes.notes
    assert watch.snapshot().stage == 2


def test_a_note_written_just_after_a_poll_read_is_picked_up_by_the_next(
    service: Service,
) -> None:
    """The split screen's note box and sync write while the lead's reader polls: a note
    saved just after a poll's read must come in with the next poll, never be skipped."""
    setup = small_review(service, started_at=START.isoformat())
    store = service.store
    conversation = store.conversation(setup.conversation)
    watch = ConversationWatch(store, setup.conversation, service.method)
    watch.load()
    store.set_stage(conversation, 2, at=datetime(2025, 3, 4, 10, 5, tzinfo=UTC).isoformat())
    read = store.ops_since

    def read_then_another_thread_writes(position: int):  # noqa: ANN202
        result = read(position)
        service.record_note(conversation, "+ saved just after the lead's read")
        return result

    store.ops_since = read_then_another_thread_writes  # type: ignore[method-assign]
    watch.poll()
    store.ops_since = read  # type: ignore[method-assign]
    watch.poll()
    assert {n.text for n in watch.notes.values()} == {
        n.text for n in store.notes(conversation=conversation.id)
    }
    assert "saved just after the lead's read" in {n.text for n in watch.notes.values()}


def test_the_recap_counts_the_participants_factors_apart_from_the_teams(
    service: Service,
) -> None:
    """Stage 8 is read back to the participant: a team reflection tagged @culture is not
    something they said, so it is not among the factors they discussed (guide 3.4.1)."""
    from facilitator.tui.widgets.lead_recap import recap_text

    setup = small_review(service, started_at=START.isoformat())
    conversation = service.store.conversation(setup.conversation)
    service.record_note(conversation, "#new Home visit (May 2024) @family")
    service.record_note(conversation, ">> Covert pressure to close cases @culture #1")
    watch = ConversationWatch(service.store, setup.conversation, service.method)
    watch.load()
    snapshot = watch.snapshot()
    assert snapshot.factor_totals == (("family", 1),)
    assert snapshot.team_factor_totals == (("culture", 1),)
    text = recap_text(snapshot, service.method).plain
    said, team = text.split("Factors most discussed")[1].split("The team's own notes")
    assert "The family and their circumstances (1)" in said
    assert "Organisational culture" not in said
    assert team.startswith(" (not to read back): Organisational culture and management (1)")
    # The episode's note count and coverage are the participant's: 1 note, no culture.
    (line,) = snapshot.episodes
    assert line.notes == 1 and line.factors == frozenset({"family"})


def test_the_recap_says_which_way_each_factor_worked_in_their_accounts_only(
    service: Service,
) -> None:
    """Stage 8 reads back which way each factor worked as the participant said it; the
    team's own ``!`` note tagged @conditions- is neither counted nor read back."""
    from facilitator.tui.widgets.lead_recap import recap_text

    setup = small_review(service, started_at=START.isoformat())
    conversation = service.store.conversation(setup.conversation)
    for line in (
        "#new Home visit (May 2024)",
        "#1 Caseload doubled after a colleague left @conditions-",
        "Cover from the duty team made the visit possible @conditions+",
        "Supervision was cancelled twice @conditions-",
        "! The duty log says the visit was cancelled @conditions- #1",
    ):
        assert not service.record_note(conversation, line).problems
    watch = ConversationWatch(service.store, setup.conversation, service.method)
    watch.load()
    snapshot = watch.snapshot()
    assert snapshot.ways("conditions") == {"+": 1, "-": 2}
    said = recap_text(snapshot, service.method).plain.split("Factors most discussed")[1]
    assert "Working conditions (3; 2 hindered, 1 helped)" in said
