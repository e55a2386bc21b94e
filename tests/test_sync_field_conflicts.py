"""Fields two laptops set at once, on the conflicts screen: each side in the team's words
(labels, "linked", UK dates, "not set"), never a column name, an id, 0/1 or None; and
the key line offers only the keys that act on the highlighted row, each doing what it
says (``m`` writes a merged value for text the team wrote)."""

from __future__ import annotations

from pathlib import Path

from facilitator.service import Service
from facilitator.store import Store
from facilitator.sync import conflicts as rules
from facilitator.sync import engine_for
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.conflicts import ConflictsScreen
from tests.test_sync_tui import conflicting_note, shared
from tests.tui_support import FakeClock, screen_text, wait_until


def sync_all(store: Store, lead: Store, review: str) -> None:
    for laptop in (store, lead, store):
        engine_for(laptop, review).sync()


def raw_conflicts(service: Service, lead: Store, review: str, conversation: str) -> str:
    """A note linked to E1 on one laptop and not on the other; E1's start date set to two
    days; E1's date as written cleared on one laptop and written on the other."""
    store = service.store
    episode = store.create_episode(
        review, "Joint home visit", date_text="March 2024", date_start="2024-03-01"
    )
    note_id = store.add_note(
        store.conversation(conversation), "Mother said the visit was late", episodes=[episode]
    )
    sync_all(store, lead, review)
    store.link(review, note_id, "episode", episode, present=False)
    store.update(review, "episode", episode, date_start="2024-03-03", date_text=None)
    lead.link(review, note_id, "episode", episode, present=True)
    lead.update(review, "episode", episode, date_start="2024-03-05", date_text="early March 2024")
    sync_all(store, lead, review)
    return note_id


def open_conflicts(service: Service, review: str) -> FacilitatorApp:
    return FacilitatorApp(service, review=review, clock=FakeClock())


def footer(app: FacilitatorApp) -> str:
    return screen_text(app).splitlines()[-1]


async def highlight(pilot, app: FacilitatorApp, words: str) -> None:  # noqa: ANN001
    """Move the list's highlight to the row whose line holds ``words``."""
    screen = app.screen
    assert isinstance(screen, ConflictsScreen)
    options = screen.query_one("#conflict-list")
    for index in range(options.option_count):
        if words in str(options.get_option_at_index(index).prompt):
            options.highlighted = index
            await pilot.pause()
            return
    raise AssertionError(f"no row reads {words!r}:\n{screen_text(app)}")


async def test_field_conflicts_read_in_words_not_as_stored(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    raw_conflicts(service, lead, review, conversation)
    # The link, and E1's date as a whole (its words and its start are one conflict).
    assert len(rules.field_conflicts(service.store, review)) == 2
    app = open_conflicts(service, review)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "E1" in screen_text(app), "the conflicts")
        shown = screen_text(app)
        assert "linked to E1 on one laptop, not on the other" in shown
        assert "E1, episode date: " in shown
        await highlight(pilot, app, "linked to E1")
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert "Linked to E1" in detail and "Not linked to E1" in detail
        await highlight(pilot, app, "episode date")
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert "3 Mar 2024" in detail and "early March 2024 (5 Mar 2024)" in detail
        everything = shown + detail
        for raw in ("present", "None", "0 / 1", "1 / 0", "2024-03-0", "date_", "Link "):
            assert raw not in everything, (raw, everything)
    lead.close()


async def test_choosing_a_side_of_a_link_conflict_settles_it(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    note_id = raw_conflicts(service, lead, review, conversation)
    app = open_conflicts(service, review)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "linked to E1" in screen_text(app), "the conflicts")
        await highlight(pilot, app, "linked to E1")
        detail = str(app.screen.query_one("#conflict-detail").render())
        # Whichever side is shown first, the key before "Not linked" unlinks.
        number = "1" if detail.index("Not linked") < detail.index("Linked to") else "2"
        assert "m" not in footer(app).split()  # nothing to type for a link
        await pilot.press(number)
        await wait_until(
            pilot, lambda: "linked to E1" not in screen_text(app), "the link conflict to go"
        )
    assert service.store.note(note_id).episodes == ()
    lead.close()


async def test_m_on_a_field_conflict_writes_a_merged_value(
    service: Service, tmp_path: Path
) -> None:
    """Below a note conflict (where ``m`` merges the note), a review title set on two
    laptops: ``m`` there opens both titles to edit into one, and ctrl+s keeps it."""
    lead, review, conversation, _ = shared(service, tmp_path)
    store = service.store
    conflicting_note(service, lead, review, conversation)
    store.update(review, "review", review, title="Review of Child Q")
    lead.update(review, "review", review, title="Review of Child Q (2025)")
    sync_all(store, lead, review)
    app = open_conflicts(service, review)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "review title" in screen_text(app), "the conflicts")
        await highlight(pilot, app, "review title")
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert "m " in footer(app) and "m writes" in detail
        await pilot.press("m")
        box = app.screen.query_one("#merge-box")
        assert box.has_class("-open")
        assert sorted(box.text.splitlines()) == ["Review of Child Q", "Review of Child Q (2025)"]
        # Two lines make no title: said on the screen (at 80x24 too), the box kept as typed.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert box.has_class("-open") and "one line" in screen_text(app)
        box.load_text("Review of Child Q (2025 review)")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: "review title" not in screen_text(app), "the title conflict to go"
        )
        assert "2 versions" in screen_text(app)  # the note conflict is still there
    assert store.review(review).title == "Review of Child Q (2025 review)"
    engine_for(store, review).sync()
    engine_for(lead, review).sync()
    assert lead.review(review).title == "Review of Child Q (2025 review)"
    assert not rules.field_conflicts(lead, review)
    lead.close()


async def test_the_key_line_follows_the_highlighted_row(service: Service, tmp_path: Path) -> None:
    """A note conflict offers m (merge); a link conflict below it does not, and its
    detail does not promise it; back on the note, m is offered again."""
    lead, review, conversation, _ = shared(service, tmp_path)
    conflicting_note(service, lead, review, conversation)
    raw_conflicts(service, lead, review, conversation)
    app = open_conflicts(service, review)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the conflicts")
        await wait_until(pilot, lambda: "m Merge" in footer(app), "m on the note conflict")
        await highlight(pilot, app, "linked to E1")
        await wait_until(pilot, lambda: "m " not in footer(app), "m to leave the key line")
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert "m merges" not in detail and "m writes" not in detail
        await pilot.press("m")
        await pilot.pause()
        assert not app.screen.query_one("#merge-box").has_class("-open")
        await highlight(pilot, app, "2 versions")
        await wait_until(pilot, lambda: "m Merge" in footer(app), "m back on the key line")
    lead.close()


def test_every_kind_of_value_reads_as_the_team_names_it(service: Service) -> None:
    """Ids as labels, 0/1 as what they mean, stages and note kinds by name, dates in UK
    style, an empty value as "not set", whatever entity the field is on."""
    from facilitator.sync.conflict_words import word
    from tests.tui_support import small_review

    store = service.store
    setup = small_review(service)
    episode = store.create_episode(setup.review, "Joint home visit")
    note_id = store.add_note(store.conversation(setup.conversation), "Saw the flat @team")

    def both(entity: str, entity_id: str, field: str, one: object, two: object) -> str:
        conflict = rules.FieldConflict(
            setup.review,
            entity,
            entity_id,
            field,
            rules.Side(one, "Sam", "op1", 1_700_000_000_000),
            rules.Side(two, "Jordan", "op2", 1_700_000_060_000),
        )
        worded = word(store, conflict, service.method)
        return f"{worded.subject} | {worded.winner} | {worded.other} | {worded.summary}"

    conversation = both("conversation", setup.conversation, "planned_at", "2025-03-04T10:00", None)
    assert "C1, conversation planned time | 4 Mar 2025 10:00 | not set" in conversation
    stage = both("note", note_id, "stage", 4, 5)
    assert "Note at " in stage and "“Saw the flat @team”: stage" in stage
    assert "stage 4 (Local rationality)" in stage
    kind = both("note", note_id, "kind", "observation", "went_well")
    assert "| Observation | Good practice |" in kind
    elapsed = both("note", note_id, "elapsed_s", 754.0, 61.5)
    assert "| 12 min 34 s in | 1 min 01 s in |" in elapsed
    deleted = both("note", note_id, "tombstone", 1, 0)
    assert "| deleted | not deleted |" in deleted
    merged = both("episode", episode, "merged_into", episode, "")
    assert "E1, episode merged into | E1 | not set" in merged
    factor = both("link", store.link(setup.review, note_id, "factor", "team"), "present", 0, 1)
    assert "| Not linked to " in factor and "| Linked to " in factor
    assert "@team" not in factor.split("|")[1]  # the area's name, not its tag
    for raw in (setup.conversation, episode, note_id, "None", "2025-03-04"):
        assert all(raw not in text for text in (conversation, stage, merged, factor))
