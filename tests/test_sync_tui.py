"""Sync in the app: the status is always visible, a stage change on the lead's laptop
reaches the note-taker's screen within two sync rounds, typing never waits for a sync,
and conflicts are resolved on their own screen."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest

from facilitator.service import Service
from facilitator.store import Store
from facilitator.sync import engine as sync_engine
from facilitator.sync import engine_for, join_share, share_review
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.conflicts import ConflictsScreen
from facilitator.tui.sync_worker import SyncWorker
from facilitator.tui.widgets.note_box import NoteBox
from facilitator.tui.widgets.status_bar import StatusBar
from facilitator.tui.widgets.sync_status import SyncStatusWidget
from tests.tui_support import START, FakeClock, list_command, screen_text, small_review, wait_until

PASS = "correct horse battery"


def shared(service: Service, tmp_path: Path) -> tuple[Store, str, str, Path]:
    """The note-taker's store (``service``) and the lead's laptop, sharing one review."""
    setup = small_review(service, started_at=START.isoformat())
    folder = tmp_path / "share"
    lead = Store(tmp_path / "lead.db", author="Lead")
    share_review(service.store, setup.review, folder, PASS, scrypt_n=2**10)
    join_share(lead, folder, PASS)
    return lead, setup.review, setup.conversation, folder


async def rounds(pilot, worker: SyncWorker, count: int) -> None:  # noqa: ANN001
    """Wait until the worker has finished ``count`` more sync rounds."""
    done = asyncio.Event()
    seen = 0

    def on_status(_status) -> None:  # noqa: ANN001
        nonlocal seen
        seen += 1
        if seen >= count:
            done.set()

    worker.changed.subscribe(pilot.app.screen, on_status, immediate=True)
    await asyncio.wait_for(done.wait(), timeout=30)
    worker.changed.unsubscribe(pilot.app.screen)


async def test_status_is_hidden_when_nothing_is_shared(service: Service) -> None:
    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        widget = app.screen.query_one(SyncStatusWidget)
        assert not widget.display and not app.sync_worker.running


async def test_status_shows_last_sync_pending_and_an_unreachable_share(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, folder = shared(service, tmp_path)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(120, 24)) as pilot:
        await rounds(pilot, app.sync_worker, 1)
        await pilot.pause()
        widget = app.screen.query_one(SyncStatusWidget)
        assert widget.display and "synced" in screen_text(app)
        assert not widget.has_class("-trouble")
        shutil.move(folder, tmp_path / "unplugged")
        store = service.store
        store.add_note(store.conversation(conversation), "Typed while the share is away")
        await rounds(pilot, app.sync_worker, 2)
        await pilot.pause()
        text = screen_text(app)
        assert "share unreachable" in text and "2 to send" in text
        assert widget.has_class("-trouble")
        shutil.move(tmp_path / "unplugged", folder)
        await rounds(pilot, app.sync_worker, 2)
        await pilot.pause()
        assert "synced" in screen_text(app) and "to send" not in screen_text(app)
    lead.close()


async def test_a_stage_change_reaches_the_note_taker_within_two_rounds(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(120, 24)) as pilot:
        await rounds(pilot, app.sync_worker, 1)
        lead.set_stage(lead.conversation(conversation), 4)
        engine_for(lead, review).sync()  # the lead's own worker sends it
        await rounds(pilot, app.sync_worker, 2)
        for _ in range(30):  # the note-taker's screen re-reads the stage once a second
            if "Stage 4/9" in screen_text(app):
                break
            await pilot.pause(0.1)
        assert "Stage 4/9" in screen_text(app)
    lead.close()


async def test_typing_never_waits_for_a_sync(service: Service, tmp_path: Path, monkeypatch) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    release = threading.Event()
    started = threading.Event()
    real_sync = sync_engine.SyncEngine.sync

    def slow_sync(self):  # noqa: ANN001, ANN202 - a share that takes ages to answer
        started.set()
        release.wait(20)
        return real_sync(self)

    monkeypatch.setattr(sync_engine.SyncEngine, "sync", slow_sync)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(120, 24)) as pilot:
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        assert started.is_set()
        await pilot.press(*"Saw her")
        await pilot.press("enter")
        await pilot.pause()
        # Saved while the sync is still stuck in the share.
        assert [n.text for n in service.store.notes(conversation=conversation)] == ["Saw her"]
        assert isinstance(app.focused, NoteBox) and app.focused.text == ""
        release.set()
        await rounds(pilot, app.sync_worker, 1)
    lead.close()


def conflicting_note(service: Service, lead: Store, review: str, conversation: str) -> str:
    store = service.store
    note_id = store.add_note(store.conversation(conversation), "Mother said the visit was late")
    engine_for(store, review).sync()
    engine_for(lead, review).sync()
    lead.revise_note(lead.note(note_id), "Mother said the visit was an hour late")
    store.revise_note(store.note(note_id), "Mother said the visit was late [sic]")
    engine_for(lead, review).sync()
    engine_for(store, review).sync()
    assert store.note(note_id).conflict
    return note_id


def test_the_conflict_count_matches_the_conflicts_listed(service: Service, tmp_path: Path):
    from facilitator.sync import conflicts as rules

    lead, review, conversation, _ = shared(service, tmp_path)
    assert rules.count(service.store, review) == 0
    conflicting_note(service, lead, review, conversation)
    listed = rules.note_conflicts(service.store, review) + rules.field_conflicts(
        service.store, review
    )
    assert rules.count(service.store, review) == len(listed) == 1
    lead.close()


async def test_choosing_a_version_settles_a_note_conflict(service: Service, tmp_path: Path):
    lead, review, conversation, _ = shared(service, tmp_path)
    note_id = conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the conflict")
        assert "[sic]" in screen_text(app)  # user text shown as it is
        heads = service.store.note(note_id).heads
        second = next(r for r in service.store.revisions(note_id) if r.id == heads[1])
        await pilot.press("2")
        await wait_until(pilot, lambda: "No conflicts" in screen_text(app), "no conflicts")
        note = service.store.note(note_id)
        assert not note.conflict and note.text == second.text
    engine_for(service.store, review).sync()
    engine_for(lead, review).sync()
    assert not lead.note(note_id).conflict and lead.note(note_id).text == second.text
    lead.close()


async def test_merging_by_hand_keeps_both_parents(service: Service, tmp_path: Path) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    note_id = conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the conflict")
        heads = service.store.note(note_id).heads
        await pilot.press("m")
        await pilot.pause()
        box = app.focused
        box.load_text("Mother said the visit was an hour late (merged)")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: not service.store.note(note_id).conflict, "the merge to be saved"
        )
    note = service.store.note(note_id)
    assert note.text == "Mother said the visit was an hour late (merged)" and not note.conflict
    (merge,) = [r for r in service.store.revisions(note_id) if r.id == note.heads[0]]
    assert set(merge.parents) == set(heads)
    lead.close()


async def test_a_field_set_on_two_laptops_offers_both_sides(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, _ = shared(service, tmp_path)
    store = service.store
    store.update(review, "review", review, title="Review of Child Q")
    lead.update(review, "review", review, title="Review of Child Q (2025)")
    for laptop in (store, lead, store):
        engine_for(laptop, review).sync()
    winner = store.review(review).title
    loser = ({"Review of Child Q", "Review of Child Q (2025)"} - {winner}).pop()
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "review title" in screen_text(app), "the conflict")
        await pilot.press("2")
        await wait_until(pilot, lambda: "No conflicts" in screen_text(app), "no conflicts")
    assert store.review(review).title == loser
    engine_for(store, review).sync()
    engine_for(lead, review).sync()
    assert lead.review(review).title == loser
    lead.close()


async def test_a_conflict_over_a_participants_comment_names_the_comment(
    service: Service, tmp_path: Path
) -> None:
    """Two laptops answer the third comment differently: the list says which comment
    ("Answer to K3"), not just "answer response", so the team knows which to look at."""
    from facilitator.dialogue import records
    from facilitator.method import load_method

    lead, review, _conversation, _ = shared(service, tmp_path)
    store = service.store
    draft = records.freeze_draft(store, load_method(), review, "preliminary")
    who = store.participants(review)[0].id
    comments = [
        records.add_comment(store, review, {"draft": draft, "participant": who, "text": text})
        for text in ("First point", "Second point", "The date of the visit is wrong")
    ]
    answer = records.respond(store, review, comments[2], "noted")
    engine_for(store, review).sync()
    engine_for(lead, review).sync()
    store.update(review, "answer", answer, response="accepted")
    lead.update(review, "answer", answer, response="declined", note="The record says 3 May")
    for laptop in (store, lead, store):
        engine_for(laptop, review).sync()
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "Answer to K3" in screen_text(app), "the named answer")
        assert "Answer to K3: response" in screen_text(app)
    lead.close()


@pytest.mark.parametrize(("role", "size"), [("lead", (80, 24)), ("split", (160, 48))])
async def test_the_lead_sees_the_sync_status_when_the_review_is_shared(
    service: Service, tmp_path: Path, role: str, size: tuple[int, int]
) -> None:
    lead, review, conversation, folder = shared(service, tmp_path)
    app = FacilitatorApp(service, conversation=conversation, role=role, clock=FakeClock())
    app.sync_worker.interval = 0.2
    async with app.run_test(size=size) as pilot:
        await rounds(pilot, app.sync_worker, 1)
        await pilot.pause()
        bar = app.screen.query_one(StatusBar)
        assert bar.display and bar.query_one(SyncStatusWidget).display
        lines = screen_text(app).splitlines()
        # Its own line above the footer; the stage and the timers are still on screen.
        assert "synced" in lines[-2] and "f1 Help" in lines[-1]
        assert "Stage 1 of 9" in lines[0] and "total 00:00" in lines[0]
        shutil.move(folder, tmp_path / "unplugged")
        # Two rounds: the first may have begun before the folder went.
        await rounds(pilot, app.sync_worker, 2)
        await pilot.pause()
        assert "share unreachable" in screen_text(app)
    lead.close()


@pytest.mark.parametrize("role", ["lead", "split"])
async def test_the_lead_keeps_every_line_when_nothing_is_shared(
    service: Service, role: str
) -> None:
    setup = small_review(service, started_at=START.isoformat())
    app = FacilitatorApp(service, conversation=setup.conversation, role=role, clock=FakeClock())
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one(StatusBar).display and not app.sync_worker.running


async def test_a_note_saved_is_pushed_at_once_not_at_the_next_round(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, folder = shared(service, tmp_path)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = app.sync_worker.live_interval = 600  # only a save can wake it
    async with app.run_test(size=(120, 24)) as pilot:
        for _ in range(300):  # the first round, at start
            if app.sync_worker.status.last_sync is not None:
                break
            await pilot.pause(0.1)
        box = app.screen.query_one(NoteBox)
        box.insert("Pushed the moment it was saved")
        await pilot.press("enter")
        texts: set[str] = set()
        for _ in range(100):  # generous: the push itself takes milliseconds
            engine_for(lead, review).sync()
            texts = {n.text for n in lead.notes(review=review)}
            if "Pushed the moment it was saved" in texts:
                break
            await pilot.pause(0.1)
        assert "Pushed the moment it was saved" in texts
    lead.close()


async def test_the_status_shows_ops_another_laptop_announced_that_have_not_arrived(
    service: Service, tmp_path: Path
) -> None:
    lead, review, conversation, folder = shared(service, tmp_path)
    talk = lead.conversation(conversation)
    lead.add_note(talk, "Held back by the file-sync engine")
    engine_for(lead, review).sync()
    lead.add_note(talk, "Arrived first")
    engine_for(lead, review).sync()
    own = sorted((folder / "devices" / lead.device).rglob("*.seg"))
    held = own[-2]
    held.rename(tmp_path / held.name)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = 0.2
    async with app.run_test(size=(160, 24)) as pilot:
        await rounds(pilot, app.sync_worker, 2)
        await pilot.pause()
        assert "waiting for 2 from others" in screen_text(app)
        (tmp_path / held.name).rename(held)
        await rounds(pilot, app.sync_worker, 2)
        await pilot.pause()
        assert "waiting for" not in screen_text(app)
    lead.close()


async def test_typing_in_the_merge_editor_goes_at_the_end_of_the_first_version(
    service: Service, tmp_path: Path
) -> None:
    """m opens the versions one per line; text typed went in at the very start, before
    the first version. The cursor is at the end of the first version's line, where an
    addition to it belongs, and each version stays whole on its own line."""
    lead, review, conversation, _ = shared(service, tmp_path)
    note_id = conflicting_note(service, lead, review, conversation)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ConflictsScreen(review, app.sync_worker))
        await wait_until(pilot, lambda: "2 versions" in screen_text(app), "the conflict")
        heads = service.store.note(note_id).heads
        first, second = (
            next(r.text for r in service.store.revisions(note_id) if r.id == head) for head in heads
        )
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*" (both)", "backspace")
        assert app.focused.text.split("\n") == [first + " (both", second]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not service.store.note(note_id).conflict, "the merge")
    assert service.store.note(note_id).text == first + " (both\n" + second
    lead.close()


async def test_editing_a_conflicted_note_types_at_the_end_of_its_first_version(
    service: Service, tmp_path: Path
) -> None:
    from facilitator.tui.screens.dialogs import EditNoteDialog

    lead, review, conversation, _ = shared(service, tmp_path)
    note_id = conflicting_note(service, lead, review, conversation)
    shown = service.store.note(note_id).text
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("up")
        await list_command(pilot, "e")
        await pilot.pause()
        assert isinstance(app.screen, EditNoteDialog)
        await pilot.press(*" ok")
        lines = app.screen.query_one(NoteBox).text.split("\n")
        assert lines[0] == shown + " ok" and len(lines) == 2
    lead.close()


async def test_a_conflict_arriving_mid_conversation_is_announced_once(
    service: Service, tmp_path: Path
) -> None:
    """A note edited on both laptops while the note-taker types: a toast says so, once,
    and says where to settle it; settling it brings no second toast."""
    from facilitator.sync import conflicts as rules

    lead, review, conversation, _ = shared(service, tmp_path)
    store = service.store
    note_id = store.add_note(store.conversation(conversation), "Mother said the visit was late")
    engine_for(store, review).sync()
    engine_for(lead, review).sync()
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    app.sync_worker.interval = app.sync_worker.live_interval = 0.2

    def toasts() -> list[str]:
        return [str(n.message) for n in app._notifications if "conflict" in str(n.message)]

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await rounds(pilot, app.sync_worker, 1)
        assert toasts() == []
        lead.revise_note(lead.note(note_id), "Mother said the visit was an hour late")
        store.revise_note(store.note(note_id), "Mother said the visit was late [sic]")
        engine_for(lead, review).sync()
        await wait_until(pilot, lambda: store.note(note_id).conflict, "the conflict to arrive")
        await rounds(pilot, app.sync_worker, 3)
        assert toasts() == ["1 note has conflicting edits: ctrl+p, Sync conflicts."]
        await wait_until(
            pilot, lambda: "conflicting edits" in screen_text(app), "the row to show it"
        )
        rules.resolve_note(store, store.note(note_id), "Mother said the visit was late")
        app.sync_worker.forget_conflict_counts()
        await rounds(pilot, app.sync_worker, 3)
        assert len(toasts()) == 1
    lead.close()


def episode_of(store: Store, review: str, episode_id: str):  # noqa: ANN201
    return next(e for e in store.episodes(review) if e.id == episode_id)


def renumbered_note(  # noqa: ANN201
    service: Service, lead: Store, review: str, conversation: str, *, sync: bool = True
):
    """Each laptop names an episode with ``#new`` before a sync and notes "+ #N" about
    it; the sync renumbers one of the two episodes, so one note's typed ``#N`` now names
    the other laptop's episode. Returns that note and the episode it is linked to."""
    from facilitator.method import load_method

    lead_service = Service(lead, load_method())
    for laptop, title in ((lead_service, "Psi visit"), (service, "Omega visit")):
        talk = laptop.store.conversation(conversation)
        made = laptop.record_note(talk, f"#new {title} (3 May 2024)")
        label = episode_of(laptop.store, review, made.new_episodes[0]).label
        laptop.record_note(talk, f"+ #{label[1:]} the {title.lower()} went well")
    if not sync:
        return None
    for _ in range(2):
        engine_for(lead, review).sync()
        engine_for(service.store, review).sync()
    return find_renumbered(service.store, review, conversation)


def find_renumbered(store: Store, review: str, conversation: str):  # noqa: ANN201
    for note in store.notes(conversation=conversation):
        if note.text.startswith("#") and not note.text.startswith("#new") and note.episodes:
            (episode,) = [episode_of(store, review, e) for e in note.episodes]
            if f"#{episode.label[1:]} " not in note.text:
                return note, episode
    raise AssertionError("no note was renumbered by the sync")


async def test_editing_a_note_renumbered_by_a_sync_keeps_its_episode(
    service: Service, tmp_path: Path
) -> None:
    from facilitator.tui.screens.dialogs import EditNoteDialog
    from facilitator.tui.widgets.note_capture import NoteCapture

    lead, review, conversation, _ = shared(service, tmp_path)
    note, episode = renumbered_note(service, lead, review, conversation)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        capture = app.screen.query_one(NoteCapture)
        await pilot.press("up")
        while capture.highlighted_note().id != note.id:
            await pilot.press("up")
        # The list shows the episode's label now, not the one typed before the sync.
        now = f"#{episode.label[1:]} the {episode.title.lower()}"
        assert now in screen_text(app)
        await list_command(pilot, "e")
        assert isinstance(app.screen, EditNoteDialog)
        assert now in app.screen.query_one(NoteBox).text
        await pilot.press(*" indeed", "enter")
        await pilot.pause()
    edited = service.store.note(note.id)
    assert edited.text.endswith("indeed") and edited.episodes == (episode.id,)
    lead.close()


def test_the_recap_reads_a_renumbered_note_as_its_episode_now(
    service: Service, tmp_path: Path
) -> None:
    """Stage 8 reads "E30" for a note typed "+ #29" about an episode a sync renumbered to
    E30, not the label of the other laptop's episode that is E29 now."""
    from facilitator.tui.widgets.lead_model import ConversationWatch
    from facilitator.tui.widgets.lead_recap import recap_text

    lead, review, conversation, _ = shared(service, tmp_path)
    note, episode = renumbered_note(service, lead, review, conversation)
    watch = ConversationWatch(service.store, conversation, service.method)
    watch.load()
    text = recap_text(watch.snapshot(), service.method).plain
    good = text.split("Good practice")[1]
    assert f"the {episode.title.lower()} went well ({episode.label})" in good
    lead.close()


def test_the_conflicts_screen_gives_each_version_a_uk_date(
    service: Service, tmp_path: Path
) -> None:
    """Who wrote each version, and when, as "1 Dec 2026 04:48", not "2026-12-01T04:48"."""
    import re

    from facilitator.sync import conflicts as rules
    from facilitator.tui.screens.conflicts import sides

    lead, review, conversation, _ = shared(service, tmp_path)
    conflicting_note(service, lead, review, conversation)
    (item,) = rules.note_conflicts(service.store, review)
    for _text, who in sides(item):
        assert re.fullmatch(r"\w+ at \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d", who), who
    lead.close()


async def test_a_renumbering_sync_shows_on_an_open_note_takers_screen(
    service: Service, tmp_path: Path
) -> None:
    """The sync that renumbers episodes arrives while the note-taker's screen is open:
    the row typed "#1" about an episode that is E2 now reads "#2"."""
    lead, review, conversation, _ = shared(service, tmp_path)
    renumbered_note(service, lead, review, conversation, sync=False)
    app = FacilitatorApp(service, conversation=conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(2):
            engine_for(lead, review).sync()
            engine_for(service.store, review).sync()
        note, episode = find_renumbered(service.store, review, conversation)
        now = f"#{episode.label[1:]} the {episode.title.lower()}"
        await wait_until(pilot, lambda: now in screen_text(app), "the renumbered row")
    lead.close()


def test_the_episodes_screen_reads_a_renumbered_note_as_its_episode_now(
    service: Service, tmp_path: Path
) -> None:
    """Under E2, the note typed "+ #1 …" before the sync renumbered its episode to E2
    reads "#2 …", not a number that names the other episode now."""
    from facilitator.analysis.review_overview import review_overview
    from facilitator.tui.screens.episodes import describe

    lead, review, conversation, _ = shared(service, tmp_path)
    note, episode = renumbered_note(service, lead, review, conversation)
    overview = review_overview(service.store, review)
    (item,) = [i for i in overview.episodes if i.episode.id == episode.id]
    shown = describe(item, overview, service.method).plain
    assert f"#{episode.label[1:]} the {episode.title.lower()} went well" in shown
    lead.close()
