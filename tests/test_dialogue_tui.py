"""The Dialogue screen (issue 16): reached from the command palette, it freezes drafts,
records sends and meetings, and answers comments, at 80x24."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from facilitator.dialogue import records
from facilitator.service import Service
from facilitator.tui.app import FacilitatorApp
from facilitator.tui.screens.dialogs import FormDialog
from facilitator.tui.screens.dialogue import DialogueScreen
from tests.review_fixture import ReviewFixture, build_review_fixture
from tests.tui_support import FakeClock, screen_text, wait_until


@pytest.fixture
def fx(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


async def settle(app, pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _docx_text(path) -> str:  # noqa: ANN001
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


async def test_the_dialogue_screen_freezes_sends_and_answers(
    tmp_path, service: Service, fx: ReviewFixture
) -> None:  # noqa: ANN001
    store = service.store
    # The store freezes drafts by the wall clock; a send is checked against the app's.
    wall = FakeClock(datetime.now().astimezone() + timedelta(minutes=1))
    app = FacilitatorApp(service, review=fx.review, clock=wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Dialogue with participants"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, DialogueScreen)
        assert "none yet (m to record one)" in screen_text(app)

        await pilot.press("f")  # freeze: the first choice is the preliminary report
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        (draft,) = records.drafts(store, fx.review)
        assert draft.kind == "preliminary"
        assert "Preliminary report" in screen_text(app)

        # Her pack, written from the screen, holds her record and nobody else's.
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-path").value = str(tmp_path / "pack-P2.docx")
        await pilot.press(*"P2", "enter", "enter")
        await settle(app, pilot)
        written = _docx_text(tmp_path / "pack-P2.docx")
        assert "Had known the family since the birth" in written
        assert "Noticed the bruise at morning registration" not in written

        await pilot.press("s")
        await pilot.pause()
        # Today, this minute: not before its draft was frozen, nor later than now.
        sent = datetime.now().astimezone()
        today, minute = sent.date().isoformat(), f"{sent:%H:%M}"
        await pilot.press(*"P2", "enter", *f"{today} {minute}", "enter")
        await settle(app, pilot)
        (send,) = records.sends(store, fx.review)
        assert send.participant == fx.participants["health_visitor"]
        assert send.at.startswith(f"{today}T{minute}")

        # A comment comes back; declining it without a reason is refused in the form.
        records.add_comment(
            store,
            fx.review,
            {"draft": draft.id, "participant": send.participant, "text": "Wrong date"},
        )
        app.screen.load()
        await settle(app, pilot)
        assert "1 to answer" in screen_text(app)
        assert "K1: Wrong date" in screen_text(app)  # the highlighted comment in full
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "Please fill in" in screen_text(app)
        await pilot.press(*"Two records agree", "enter")
        await settle(app, pilot)
        (comment,) = records.comments(store, fx.review)
        assert comment.answer is not None
        assert (comment.answer.response, comment.answer.note) == ("declined", "Two records agree")
        assert "0 to answer" in screen_text(app)

        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # the preliminary group meeting
        await pilot.pause()
        await pilot.press(*"10 June 2025 12:00", "enter", *"P1 P2", "enter")
        await settle(app, pilot)
        (meeting,) = records.meetings(store, fx.review)
        assert meeting.attended == (fx.participants["social_worker"], send.participant)
        assert "M1 Preliminary group meeting" in screen_text(app)


async def test_a_group_meeting_is_noted_in_the_note_takers_screen(
    service: Service, fx: ReviewFixture
) -> None:
    from tests.tui_support import type_note

    store = service.store
    attended = [fx.participants["social_worker"], fx.participants["health_visitor"]]
    _meeting, talk = records.new_meeting(
        store, fx.review, "preliminary", "2025-06-10T12:00", attended
    )
    app = FacilitatorApp(service, conversation=talk, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Preliminary group meeting: P1, P2" in screen_text(app)
        await type_note(pilot, "Both agreed the minutes came late #2 @interagency")
        await pilot.pause()
    (note,) = store.notes(conversation=talk)
    assert note.episodes == (fx.episodes["E2"],) and note.factors == ("interagency",)


async def test_the_meeting_guides_open_and_a_broken_file_is_named(
    tmp_path, service: Service, fx: ReviewFixture
) -> None:  # noqa: ANN001
    import shutil

    from facilitator.method import load_method
    from facilitator.tui.widgets.meeting_guide import MeetingGuideDialog

    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("down", "enter")  # the interim meeting
        await pilot.pause()
        assert isinstance(app.screen, MeetingGuideDialog)
        assert "Leading the interim group meeting" in screen_text(app)
        assert "what changed since the preliminary draft" in screen_text(app)

    broken = tmp_path / "guides"
    shutil.copytree(load_method().source, broken)
    (broken / "meetings.md").write_text("## closing: Closing\n", encoding="utf-8")
    app = FacilitatorApp(
        Service(service.store, load_method(broken)), review=fx.review, clock=FakeClock()
    )
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert "The meeting guides cannot be read" in shown and "meetings.md" in shown
        assert isinstance(app.screen, DialogueScreen)


def test_dialogue_screen_snapshot(snap_compare, tmp_path, method) -> None:  # noqa: ANN001
    """The board at 80x24 with a draft sent, one comment answered and one waiting, and a
    meeting (a frozen clock, so every time shown is the same on each run)."""
    from facilitator.store import Store
    from tests.tui_support import steady

    clock = FakeClock()
    store = Store(tmp_path / "snap.db", author="Alex Reviewer", now=clock)
    service = Service(store, method)
    fx = build_review_fixture(service)
    draft = records.freeze_draft(store, method, fx.review, "preliminary")
    hv, sw = fx.participants["health_visitor"], fx.participants["social_worker"]
    records.record_send(store, fx.review, draft, hv, "2025-06-02T10:00")
    answered = records.add_comment(store, fx.review, {
        "draft": draft, "participant": hv, "text": "I asked for a plan [urgent]",
        "target_kind": "episode", "target": fx.episodes["E2"], "target_label": "E2",
        "anchor": "found"})  # fmt: skip
    records.respond(store, fx.review, answered, "accepted", "Judgement revised")
    records.add_comment(store, fx.review, {
        "draft": draft, "participant": sw, "text": "The conference was in April",
        "quote": "Case conference (March 2024)", "anchor": "anchor not found",
        "near": "E2"})  # fmt: skip
    records.new_meeting(store, fx.review, "preliminary", "2025-06-10T12:00", [hv, sw])

    async def board(pilot) -> None:  # noqa: ANN001
        pilot.app.push_screen(DialogueScreen(fx.review))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    app = FacilitatorApp(service, review=fx.review, clock=clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=board)


def test_dialogue_screen_snapshot_with_every_round(snap_compare, tmp_path, method) -> None:  # noqa: ANN001
    """The board of a review near its end at 80x24: five drafts, each sent to three
    people, comments waiting and meetings held. Every draft shows, with rows of comments
    under them (the Drafts table showed two rows: hostile round 4 of issue 16)."""
    from facilitator.store import Store
    from tests.tui_support import steady

    clock = FakeClock()
    store = Store(tmp_path / "snap.db", author="Alex Reviewer", now=clock)
    service = Service(store, method)
    fx = build_review_fixture(service)
    people = [fx.participants[k] for k in ("social_worker", "health_visitor", "gp")]
    for kind in ("preliminary", "preliminary", "interim", "interim", "final"):
        draft = records.freeze_draft(store, method, fx.review, kind)
        for day, who in enumerate(people, 2):
            records.record_send(store, fx.review, draft, who, f"2025-06-0{day}T10:00")
    for n in range(1, 13):
        records.add_comment(store, fx.review, {
            "draft": draft, "participant": people[n % 3], "text": f"Point {n} of the final draft",
            "target_kind": "episode", "target": fx.episodes["E2"], "target_label": "E2",
            "anchor": "found"})  # fmt: skip
    for kind in ("preliminary", "interim", "closing"):
        records.new_meeting(store, fx.review, kind, "2025-06-10T12:00", people)

    async def board(pilot) -> None:  # noqa: ANN001
        pilot.app.push_screen(DialogueScreen(fx.review))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    app = FacilitatorApp(service, review=fx.review, clock=clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=board)


async def test_an_answer_given_in_another_process_shows_when_ops_arrive(
    service: Service, fx: ReviewFixture
) -> None:
    from tests.cli_support import run_cli

    store = service.store
    draft = records.freeze_draft(store, service.method, fx.review, "preliminary")
    gp = fx.participants["gp"]
    records.add_comment(
        store, fx.review, {"draft": draft, "participant": gp, "text": "I was not invited"}
    )
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        assert "1 to answer" in screen_text(app)
        # Another process on the same laptop (the command line beside the app).
        answered = run_cli(store.path, "comment", "R1", "respond", "K1", "--noted")
        assert answered.returncode == 0, answered.stderr
        app.screen.refresh_from_store()  # what the sync worker does when ops arrive
        await settle(app, pilot)
        assert "0 to answer" in screen_text(app)


async def test_sending_is_all_or_nothing_and_a_pack_is_named_and_never_overwritten(
    tmp_path, monkeypatch, service: Service, fx: ReviewFixture
) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    store = service.store
    records.freeze_draft(store, service.method, fx.review, "preliminary")
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)

        # P9 does not exist: nothing is recorded, not even the send to P2.
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"P2 P9", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        assert "P9" in screen_text(app)
        assert records.sends(store, fx.review) == []
        await pilot.press("escape")
        await settle(app, pilot)

        # The pack's file is named after whose it is, as the command line names it.
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"P3", "enter", "enter")
        await settle(app, pilot)
        theirs = tmp_path / "D1-preliminary-P3.docx"
        assert "Noticed the bruise at morning registration" in _docx_text(theirs)

        # Another pack is not written over it without a word.
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-path").value = "D1-preliminary-P3.docx"
        await pilot.press(*"P2", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        assert "already exists" in screen_text(app)
        assert "Noticed the bruise at morning registration" in _docx_text(theirs)


async def test_a_comments_kind_and_where_it_sat_are_shown(
    service: Service, fx: ReviewFixture
) -> None:
    store = service.store
    draft = records.freeze_draft(store, service.method, fx.review, "preliminary")
    records.add_comment(store, fx.review, {
        "draft": draft, "participant": fx.participants["health_visitor"], "source": "word",
        "kind": "insertion", "text": "and asked for a plan", "quote": "Case conference",
        "anchor": "anchor not found", "near": "E2"})  # fmt: skip
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        text = screen_text(app)
        assert "K1 (tracked insertion, anchor not found, near E2)" in text
        assert "[insertion] and ask" in text  # in the table's Comment column


async def test_a_long_list_of_comments_fills_in_order_and_an_answer_moves_one_row(
    service: Service, fx: ReviewFixture
) -> None:
    """Hundreds of comments (a returned pack can carry that many): the table fills in
    steps, unanswered first and in number order, and each answer changes just its own
    row: it moves down among the answered, the cursor stays on the next one to answer,
    and the line under the table describes the comment highlighted, never a neighbour.
    A comment that arrives from another laptop meanwhile joins the list in its place."""
    from textual.widgets import DataTable

    from facilitator.method import load_method

    store = service.store
    draft = records.freeze_draft(store, load_method(), fx.review, "preliminary")
    who = fx.participants["health_visitor"]
    with store.transaction():
        ids = [
            records.add_comment(
                store, fx.review, {"draft": draft, "participant": who, "text": f"Point {n}"}
            )
            for n in range(1, 601)
        ]
        for comment in ids[::3]:  # K1, K4, K7 … already answered
            records.respond(store, fx.review, comment, "noted")
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        table = app.screen.query_one("#comments", DataTable)

        def column(name: str) -> list[str]:
            return [str(table.get_row_at(r)[name_index(name)]) for r in range(table.row_count)]

        def name_index(name: str) -> int:
            return ["label", "draft", "from", "on", "answer", "comment"].index(name)

        await wait_until(pilot, lambda: table.row_count == 600, "all 600 rows")
        labels, answers = column("label"), column("answer")
        waiting = [f"K{n}" for n in range(1, 601) if (n - 1) % 3]
        answered = [f"K{n}" for n in range(1, 601, 3)]
        assert labels == waiting + answered
        assert answers == ["to answer"] * 400 + ["noted"] * 200
        assert column("comment")[:2] == ["Point 2", "Point 3"]

        await pilot.press("down")  # K3
        await pilot.pause()
        assert "K3: Point 3" in " ".join(screen_text(app).split())
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+s")  # the answer's note is optional
        await settle(app, pilot)
        await wait_until(pilot, lambda: "K3" not in column("label")[:399], "K3 answered")
        labels = column("label")
        assert labels[:3] == ["K2", "K5", "K6"]
        assert labels.index("K3") == 400  # after K1, first of the answered, by number
        assert column("answer")[labels.index("K3")] == "accepted"
        assert table.cursor_row == 1  # on K5, the next one to answer
        assert "K5: Point 5" in " ".join(screen_text(app).split())

        # Another laptop's comment arrives (the sync worker calls refresh_from_store).
        records.add_comment(
            store, fx.review, {"draft": draft, "participant": who, "text": "From the other laptop"}
        )
        app.screen.refresh_from_store()
        await settle(app, pilot)
        await wait_until(pilot, lambda: table.row_count == 601, "the new comment")
        labels = column("label")
        assert labels.index("K601") == 399  # the last of the 400 still to answer
        assert column("comment")[399] == "From the other laptop"


async def test_a_meetings_conversation_is_named_after_the_meeting_on_the_home_screen(
    service: Service, fx: ReviewFixture
) -> None:
    """A group meeting's notes have no one participant: the list says which meeting it
    is, as 'conversation list' does, not "?" (hostile round 4 of issue 16, finding 7)."""
    attended = [fx.participants["social_worker"], fx.participants["health_visitor"]]
    _meeting, talk = records.new_meeting(
        service.store, fx.review, "interim", "2025-06-10T12:00", attended
    )
    label = service.store.conversation(talk).label
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        row = next(line for line in screen_text(app).splitlines() if f" {label} " in line)
        assert "Interim group" in row, row
        assert "?" not in row, row


async def test_every_draft_of_a_whole_review_shows_at_80x24(
    service: Service, fx: ReviewFixture
) -> None:
    """Three rounds and a re-freeze, each sent to three people, and comments waiting: the
    Drafts table showed one or two rows at 80x24 (hostile round 4 of issue 16, finding
    7), so picking the draft to send meant scrolling a two-line window."""
    store = service.store
    people = [fx.participants[k] for k in ("social_worker", "health_visitor", "gp")]
    for kind in ("preliminary", "preliminary", "interim", "interim", "final"):
        draft = records.freeze_draft(store, service.method, fx.review, kind)
        for who in people:
            records.record_send(store, fx.review, draft, who, None)
    for n in range(12):
        records.add_comment(
            store, fx.review, {"draft": draft, "participant": people[0], "text": f"Point {n}"}
        )
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        for label in ("D1", "D2", "D3", "D4", "D5"):
            assert any(line.startswith(f" {label} ") for line in lines), label
        # Comments still have rows of their own to show.
        assert sum(" Point " in line for line in lines) >= 4


def test_who_had_a_draft_is_cut_with_a_sign_not_lost_past_the_edge() -> None:
    from facilitator.tui.screens.dialogue import sent_to

    same_day = [("P1", "2025-06-02T10:00"), ("P2", "2025-06-02T15:30")]
    assert sent_to(same_day, 40) == "P1, P2 on 2 Jun 2025"
    apart = [("P1", "2025-06-02T10:00"), ("P2", "2025-06-03T09:00"), ("P5", "2025-06-14T09:00")]
    assert sent_to(apart, 40) == "P1 2 Jun, P2 3 Jun, P5 14 Jun"
    assert sent_to(apart, 20) == "P1 2 Jun, P2 3 Jun…"
    assert sent_to([], 20) == ""


async def test_the_drafts_cursor_starts_on_the_latest_draft_and_follows_a_new_one(
    service: Service, fx: ReviewFixture
) -> None:
    """The draft to send is nearly always the newest: the cursor starts there, and moves
    to a draft frozen while it is there, instead of sitting on D1 of six."""
    store = service.store
    for kind in ("preliminary", "preliminary", "interim"):
        records.freeze_draft(store, service.method, fx.review, kind)
    app = FacilitatorApp(service, review=fx.review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DialogueScreen(fx.review))
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert "A participant's pack of D3" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        records.freeze_draft(store, service.method, fx.review, "final")
        app.screen.refresh_from_store()
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert "A participant's pack of D4" in screen_text(app)
