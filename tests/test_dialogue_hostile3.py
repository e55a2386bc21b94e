"""Regressions from the third hostile test of issue 16: team working notes in packs, answers
given on two laptops, labels that change after a sync, dates without a year, and names that
come back through "What changed" or a participant's former name."""

from __future__ import annotations

import datetime as dt

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


def _two_laptops(tmp_path, store: Store):  # noqa: ANN001, ANN202
    other = Store(tmp_path / "b.db", author="Sam Second")
    other.ingest(store.ops())
    return other


def _sync(a: Store, b: Store) -> None:
    b.ingest(a.ops())
    a.ingest(b.ops())


def test_answers_given_on_two_laptops_are_both_shown_on_both(
    tmp_path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.dialogue.board import board_lines, comment_line

    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    comment = records.add_comment(store, review, {"draft": d1, "participant": hv, "text": "x"})
    with _two_laptops(tmp_path, store) as other:
        records.respond(store, review, comment, "accepted", "A accepts")
        records.respond(other, review, comment, "declined", "B declines")
        _sync(store, other)
        lines = []
        for laptop in (store, other):
            (found,) = records.comments(laptop, review)
            people = {p.id: p for p in laptop.participants(review)}
            labels = {d.id: d.label for d in records.drafts(laptop, review)}
            line = comment_line(found, people, labels)
            assert "answered twice" in line, line
            assert "accepted by Jordan" in line and "A accepts" in line, line
            assert "declined by Sam Second" in line and "B declines" in line, line
            assert "the later stands" in line
            board = "\n".join(board_lines(records.board(laptop, review), list(people.values())))
            assert "answered twice" in board
            lines.append(line)
        assert lines[0] == lines[1]  # both laptops say the same


def test_a_cited_comment_names_its_id_and_a_pack_keeps_its_drafts_label_after_sync(
    tmp_path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    e1 = fixture.episodes["E1"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    with _two_laptops(tmp_path, store) as other:
        comment = records.add_comment(store, review, {
            "draft": d1, "participant": hv, "text": "x", "target_kind": "episode",
            "target": e1, "target_label": "E1", "anchor": "found"})  # fmt: skip
        records.respond(store, review, comment, "accepted")
        store.update(review, "episode", e1, team_problematic="Nobody invited her")
        ours = records.freeze_draft(store, method, review, "interim")
        theirs = records.freeze_draft(other, method, review, "interim")
        before = {
            (laptop is store, d): _pack_text(laptop, review, d, None)
            for laptop, d in ((store, ours), (other, theirs))
        }
        assert f"(K1, ref {comment[:6]}) on D1" in before[(True, ours)]
        _sync(store, other)
        for laptop in (store, other):
            for (mine, d), text in before.items():
                # The pack of a draft says what it said before the sync, on either laptop.
                assert _pack_text(laptop, review, d, None) == text, (laptop is store, mine)


def test_respond_by_a_label_that_now_names_another_comment_is_refused(tmp_path) -> None:  # noqa: ANN001
    from facilitator.method import load_method
    from tests.cli_support import run_cli

    a_path, b_path = tmp_path / "a.db", tmp_path / "b.db"
    with Store(a_path, author="Alex") as a:
        fixture = build_review_fixture(Service(a, load_method()))
        review = fixture.review
        d1 = records.freeze_draft(a, load_method(), review, "preliminary")
        with Store(b_path, author="Sam") as b:
            b.ingest(a.ops())
            hv, sw = fixture.participants["health_visitor"], fixture.participants["social_worker"]
            ours = records.add_comment(a, review, {"draft": d1, "participant": hv, "text": "A's"})
            theirs = records.add_comment(b, review, {"draft": d1, "participant": sw, "text": "B's"})
    listed = run_cli(b_path, "comment", "R1", "list")
    assert listed.returncode == 0 and f"K1    {theirs[:6]}" in listed.stdout, listed.stdout
    with Store(a_path, author="Alex") as a, Store(b_path, author="Sam") as b:
        _sync(a, b)
        labels = {c.id: c.label for c in records.comments(b, review)}
    moved = labels[theirs]
    assert labels[ours] == "K1" and moved == "K2"  # the creation order, on both laptops
    refused = run_cli(b_path, "comment", "R1", "respond", "K1", "--noted")
    assert refused.returncode != 0
    assert "K1 now names another comment" in refused.stderr and moved in refused.stderr
    with Store(b_path, author="Sam") as b:
        assert all(c.answer is None for c in records.comments(b, review))
    # Listed again: K1 means what the list showed.
    assert run_cli(b_path, "comment", "R1", "list").returncode == 0
    assert run_cli(b_path, "comment", "R1", "respond", "K1", "--noted").returncode == 0
    assert run_cli(b_path, "comment", "R1", "respond", theirs[:6], "--noted").returncode == 0


async def test_the_dialogue_screen_at_80x24_shows_two_drafts_every_answer_and_the_meetings(
    tmp_path,
    service: Service,
    fixture: ReviewFixture,
    method: Method,  # noqa: ANN001
) -> None:
    from facilitator.dialogue.model import DraftRecord
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.screens.dialogue import DialogueScreen
    from tests.tui_support import FakeClock, screen_text

    store, review = service.store, fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    records.freeze_draft(store, method, review, "interim")
    comment = records.add_comment(store, review, {"draft": d1, "participant": hv, "text": "x"})
    records.respond(store, review, comment, "accepted", "A accepts")
    store.author = "Sam Second"
    records.respond(store, review, comment, "declined", "B declines")
    for day in range(1, 7):
        records.new_meeting(store, review, "interim", f"2026-06-{day:02d}T12:00", [hv])
    assert isinstance(records.drafts(store, review)[0], DraftRecord)
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DialogueScreen(review))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "D1" in text and "D2" in text  # both draft rows on screen
        assert "Meetings: 6; the latest: M6" in text
        assert "answered twice" in text  # the detail line: both answers, not one


def test_the_help_examples_of_at_without_a_year_are_accepted(tmp_path) -> None:  # noqa: ANN001
    from facilitator.method import load_method
    from tests.cli_support import run_cli

    path = tmp_path / "team.db"
    with Store(path, author="Alex") as store:
        build_review_fixture(Service(store, load_method()))
    assert run_cli(path, "draft", "R1", "new", "preliminary").returncode == 0
    today = dt.datetime.now().astimezone()
    day = f"{today.day} {today:%B} 00:01"  # today, no year: the nearest such day is today
    sent = run_cli(path, "draft", "R1", "send", "D1", "P1", "--at", day)
    # (frozen now, so a send at 00:01 today is before it was frozen: refused for that)
    assert "give the day" not in sent.stderr and "before D1 was frozen" in sent.stderr
    held = run_cli(path, "meeting", "R1", "new", "interim", "--at", "10 June 12:00")
    assert held.returncode == 0, held.stderr
    with Store(path, author="Alex") as store:
        (meeting,) = records.meetings(store, store.reviews()[0].id)
    assert meeting.at[5:16] == "06-10T12:00"
    refused = run_cli(path, "meeting", "R1", "new", "interim", "--at", "March 2026")
    assert refused.returncode != 0 and "give the day" in refused.stderr


async def test_the_apps_meeting_and_send_forms_refuse_a_month_alone(
    service: Service, fixture: ReviewFixture, method: Method
) -> None:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.screens.dialogs import FormDialog
    from facilitator.tui.screens.dialogue import DialogueScreen
    from tests.tui_support import FakeClock, screen_text

    store, review = service.store, fixture.review
    records.freeze_draft(store, method, review, "preliminary")
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DialogueScreen(review))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("m")  # a meeting: the first kind, preliminary
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#field-at").value = "March 2026"
        app.screen.query_one("#field-attended").value = "P1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)  # still open, with the reason
        assert "give the day" in screen_text(app)
        assert records.meetings(store, review) == []
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")  # sent to ...
        await pilot.pause()
        app.screen.query_one("#field-participants").value = "P1"
        app.screen.query_one("#field-at").value = "December 2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "give the day" in screen_text(app)
        assert records.sends(store, review) == []


def test_a_participants_former_name_and_pseudonym_stay_in_the_register(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.reports.redaction import Register

    review = fixture.review
    officer = store.add_participant(
        review, role="Police officer", agency="Police", name="Zoë O'Brien-Kaur"
    )
    mother = store.add_participant(
        review, role="Mother", agency="Family", kind="family", name="Kim Kirby", pseudonym="Ms K"
    )
    store.update(review, "participant", officer, name="Zed Q")
    store.update(review, "participant", mother, name="Kim Lane", pseudonym="Ms L")
    register = Register.for_review(store, review)
    text = register.apply(
        "Officer Zoë O'Brien-Kaur met Kim Kirby; O'BRIEN-KAUR wrote to Ms K and Kim Lane"
    )
    for gone in ("Zoë", "O'Brien", "Kaur", "Kirby", "Ms K", "Lane"):
        assert gone not in text, (gone, text)
    assert "police officer" in text and "Ms L" in text
    talk = store.conversation(fixture.conversations["hv"])
    service.record_note(talk, "#1 Zoë O'Brien-Kaur visited with Kim Kirby")
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    pack = _pack_text(store, review, draft_id, None)
    assert "Kaur" not in pack and "Kirby" not in pack
    assert "police officer visited with ms l" in pack.casefold()


def test_what_changed_passes_old_titles_through_the_current_register(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.reports import redaction

    review = fixture.review
    e6 = fixture.episodes["E6"]
    store.update(review, "episode", e6, title="Riley Bloggs seen at nursery")
    records.freeze_draft(store, method, review, "preliminary")
    redaction.add(store, review, "Riley Bloggs", "Child R")
    store.update(review, "episode", e6, title="Nursery sighting")
    interim = records.freeze_draft(store, method, review, "interim")
    text = _pack_text(store, review, interim, None)
    assert "Riley" not in text and "Bloggs" not in text
    assert "renamed from “Child R seen at nursery” to “Nursery sighting”" in text


def test_a_reason_of_only_control_characters_is_no_reason(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.store.db import StoreError

    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    comment = records.add_comment(store, review, {"draft": d1, "participant": hv, "text": "x"})
    for reason in ("\x1b[31m", "\x1b]0;title\x07", "\x00\x07 \u200b"):
        with pytest.raises(StoreError, match="needs the reason"):
            records.respond(store, review, comment, "declined", reason)
    records.respond(store, review, comment, "declined", "\x1b[31mRecords agree")
    (found,) = records.comments(store, review)
    assert found.answer is not None and "Records agree" in found.answer.note


async def test_sent_to_with_only_separators_says_nothing_was_recorded(
    service: Service, fixture: ReviewFixture, method: Method
) -> None:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.screens.dialogs import FormDialog
    from facilitator.tui.screens.dialogue import DialogueScreen
    from tests.tui_support import FakeClock, screen_text

    store, review = service.store, fixture.review
    records.freeze_draft(store, method, review, "preliminary")
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DialogueScreen(review))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#field-participants").value = " ,"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "nothing was recorded" in screen_text(app)


def test_empty_word_comments_are_skipped_and_a_deleted_line_is_one_change() -> None:
    from facilitator.dialogue.word import read_returned
    from tests.test_dialogue_leaks import _note, _package

    change = 'w:id="{}" w:author="A" w:date="2025-06-03T09:00:00Z"'
    body = (
        # A record line deleted whole: its bold time and its text are two runs.
        f"<w:p><w:del {change.format(1)}><w:r><w:rPr><w:b/></w:rPr><w:delText>11:12 "
        f"</w:delText></w:r></w:del><w:del {change.format(2)}><w:r><w:delText>Said the "
        "visit was late</w:delText></w:r></w:del></w:p>"
        # An insertion of only spaces.
        f'<w:p><w:r><w:t>Plain</w:t></w:r><w:ins {change.format(3)}><w:r><w:t xml:space="pre'
        'serve">   </w:t></w:r></w:ins></w:p>'
        '<w:p><w:r><w:t>About this</w:t></w:r><w:r><w:commentReference w:id="7"/></w:r>'
        '<w:r><w:commentReference w:id="8"/></w:r><w:r><w:commentReference w:id="9"/></w:r>'
        "</w:p>"
    )
    notes = _note(7, "") + _note(8, " \t ") + _note(9, "A real comment")
    reading = read_returned(_package(body, notes), "r.docx")
    assert sorted((f.kind, f.text) for f in reading.found) == [
        ("comment", "A real comment"),
        ("deletion", "11:12 Said the visit was late"),
    ]
    assert "3 empty comment(s) or change(s)" in " ".join(reading.skipped)


def test_a_missing_format_is_one_plain_line(tmp_path) -> None:  # noqa: ANN001
    from tests.cli_support import run_cli

    path = tmp_path / "team.db"
    with Store(path, author="Alex") as store:
        from facilitator.method import load_method

        build_review_fixture(Service(store, load_method()))
    assert run_cli(path, "draft", "R1", "new", "preliminary").returncode == 0
    missing = run_cli(path, "draft", "R1", "export", "D1")
    assert missing.returncode != 0
    assert "Missing option '--format'. Choose from: md, docx" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "\u2424" not in missing.stderr and "\u2409" not in missing.stderr


async def test_an_answer_saved_over_one_that_came_by_sync_says_so(
    service: Service, fixture: ReviewFixture, method: Method
) -> None:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.screens.dialogue import DialogueScreen
    from tests.tui_support import FakeClock, screen_text

    store, review = service.store, fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    comment = records.add_comment(store, review, {"draft": d1, "participant": hv, "text": "x"})
    app = FacilitatorApp(service, review=review, clock=FakeClock())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.push_screen(DialogueScreen(review))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("d")  # decline: the form opens
        await pilot.pause()
        store.author = "Sam Second"  # meanwhile another laptop's accept arrives
        records.respond(store, review, comment, "accepted", "B accepts")
        app.screen.query_one("#field-note").value = "A declines"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = " ".join(n.message for n in app._notifications)
        assert "replaces the earlier answer: accepted by Sam Second" in said
        assert "answered twice" in screen_text(app)


def test_parts_of_one_name_found_apart_are_replaced_once(
    store: Store, fixture: ReviewFixture
) -> None:
    from facilitator.reports.redaction import Register

    store.add_participant(
        fixture.review, role="Police officer", agency="Police", name="Zoë O’Brien-Kaur"
    )
    register = Register.for_review(store, fixture.review)
    text = register.apply("Ms. Zoe O'Brien called; then Zoë, O’Brien-Kaur.")
    assert "police officer police officer" not in text.casefold().replace("the ", "")
    assert text.casefold().count("police officer") == 3, text


def test_a_title_before_a_name_whose_replacement_has_one_is_not_doubled(
    store: Store, fixture: ReviewFixture
) -> None:
    from facilitator.reports import redaction
    from facilitator.reports.redaction import Register

    redaction.add(store, fixture.review, "Kirby", "Mr K")
    register = Register.for_review(store, fixture.review)
    assert register.apply("Mr Kirby came; Mr. Kirby left; Kirby rang.") == (
        "Mr K came; Mr K left; Mr K rang."
    )


def test_a_private_mark_against_a_word_and_a_note_left_with_only_tags_stay_out_of_packs(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    """Round 3's smaller leaks: ">>" typed against a word ("guillemet>>...",
    "text(>>...") was kept; a note whose public part is only tags ("@family" then a
    ">>" line) left a time with nothing after it in the person's own record, a sign the
    team wrote something there."""
    review = fixture.review
    conversation = store.conversation(fixture.conversations["sw"])
    for line in (
        "The visit was short guillemet>>PRIVATE_F2 we doubt it",
        "Calls were made text(>>PRIVATE_K)",
        "@family\n>> PRIVATE_ONLY_TAGS she hid it",
    ):
        service.record_note(conversation, line)
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    content = str(records.draft(store, review, draft_id).content)
    assert "PRIVATE" not in content
    who = fixture.participants["social_worker"]
    text = _pack_text(store, review, draft_id, who)
    assert "PRIVATE" not in text and "The visit was short guillemet" in text
    (record,) = [
        r
        for r in records.draft(store, review, draft_id).content["records"]
        if r["participant"] == who
    ]
    assert all(note["text"].strip() for note in record["notes"])
