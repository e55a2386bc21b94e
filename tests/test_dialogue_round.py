"""The dialogue with participants (issue 16), in process: a whole round on the fictional
review, a pack edited before it was commented on, the privacy of packs, tracked changes,
hostile files, and drafts as immutable, syncing ops."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from facilitator.dialogue import records
from facilitator.dialogue.board import board_lines
from facilitator.dialogue.model import ANCHOR_FOUND, ANCHOR_NOT_FOUND
from facilitator.dialogue.pack import pack_items, render_docx, render_markdown
from facilitator.dialogue.word import import_returned
from facilitator.importers import ImportProblem
from facilitator.method import Method
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

WORRIED = "Said at the conference she was worried and wanted a plan"

# Cited by role, label and the start of its id, never quoted.
CITED = r"Following a comment from Health visitor, Community health \(K1, ref [0-9a-f]{6}\) on D1\."


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _pack(store: Store, review: str, draft_id: str, participant: str, path: Path) -> Path:
    frozen = records.draft(store, review, draft_id)
    items = pack_items(frozen, participant)
    path.write_bytes(render_docx(items, title=items[0].text, frozen_at=frozen.frozen_at))
    return path


def _comment_on(path: Path, words: str, text: str, *, author: str = "Chloe Dunn") -> None:
    """Add a real Word comment on the paragraph holding ``words``, as a participant would
    in Word (python-docx writes comments.xml and the range in document.xml)."""
    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        if words in paragraph.text:
            document.add_comment(paragraph.runs[-1], text=text, author=author, initials="CD")
            document.save(str(path))
            return
    raise AssertionError(f"{words!r} is not in the pack")


def _texts(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_a_whole_round_from_preliminary_draft_to_interim(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    health_visitor = fixture.participants["health_visitor"]
    e2 = fixture.episodes["E2"]

    # Freeze the preliminary draft and make the health visitor's pack.
    preliminary = records.freeze_draft(store, method, review, "preliminary")
    records.record_send(store, review, preliminary, health_visitor, None)  # now
    pack = _pack(store, review, preliminary, health_visitor, tmp_path / "pack.docx")
    assert WORRIED in _texts(pack)

    # She comments in Word on her account of the conference, and sends it back.
    _comment_on(pack, WORRIED, "I asked for a child protection plan; please say so.")
    result = import_returned(store, review, preliminary, health_visitor, pack)
    assert len(result.added) == 1 and result.not_found == 0
    (comment,) = records.comments(store, review)
    assert (comment.anchor, comment.target_kind, comment.target) == (ANCHOR_FOUND, "episode", e2)
    assert comment.target_label == "E2"
    assert comment.participant == health_visitor and comment.file_author == "Chloe Dunn"
    assert comment.quote == WORRIED

    # The team accepts it and revises its judgement of the conference.
    records.respond(store, review, comment.id, "accepted", "The judgement is revised.")
    store.update(
        review, "episode", e2, team_problematic="No plan was made although one was asked for"
    )

    # The interim draft states the change and the comment behind it.
    interim = records.freeze_draft(store, method, review, "interim")
    frozen = records.draft(store, review, interim)
    changes = frozen.content["changes"]
    revised = [c for c in changes if c["change"] == "judgement revised"]
    assert [c["target"] for c in revised] == [e2]
    assert [c["id"] for c in revised[0]["comments"]] == [comment.id]
    assert revised[0]["comments"][0]["from"] == "Health visitor, Community health"
    text = render_markdown(pack_items(frozen, None))
    assert "What changed since the previous draft" in text
    assert "The team's judgement of E2 (Case conference) was revised." in text
    # Cited by role and label; its words were hers to the team, not to every participant.
    assert "I asked for a child protection plan" not in text
    assert re.search(CITED, text)
    # The preliminary draft did not change with the analysis.
    assert "No plan was made" not in render_markdown(
        pack_items(records.draft(store, review, preliminary), None)
    )

    # The board shows who had which draft, what came back and the answer.
    lines = "\n".join(board_lines(records.board(store, review), store.participants(review)))
    (send,) = records.sends(store, review)
    sent = send.at[:16].replace("T", " ")
    assert f"sent to P2 Health visitor on {sent}: 1 comment(s) back, 0 unanswered" in lines
    assert "accepted (The judgement is revised.)" in lines
    assert "D2  Interim report" in lines


def test_a_comment_on_text_the_participant_edited_keeps_its_quote(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    health_visitor = fixture.participants["health_visitor"]
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    pack = _pack(store, review, draft_id, health_visitor, tmp_path / "pack.docx")
    # She rewrites her account (without tracking) and then comments on her new wording.
    document = docx.Document(str(pack))
    rewritten = "I said clearly that I wanted a child protection plan"
    for paragraph in document.paragraphs:
        if WORRIED in paragraph.text:
            paragraph.runs[-1].text = rewritten
            document.add_comment(paragraph.runs[-1], text="This is what I said.", author="CD")
            break
    document.save(str(pack))

    result = import_returned(store, review, draft_id, health_visitor, pack)
    assert result.not_found == 1
    (comment,) = records.comments(store, review)
    assert comment.anchor == ANCHOR_NOT_FOUND
    assert comment.quote == rewritten
    assert comment.near == "E2"  # the bookmark still says where in the draft it sat
    assert comment.where == "anchor not found, near E2"
    # Importing the same file again adds nothing.
    again = import_returned(store, review, draft_id, health_visitor, pack)
    assert (again.added, again.already) == ([], 1)


def test_a_pack_holds_only_its_participants_own_record(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    frozen = records.draft(store, review, draft_id)
    own = "Had known the family since the birth of the younger sibling"  # C2 only
    other = "Understands the purpose of the review"  # C1 only, in no episode
    teacher = "Noticed the bruise at morning registration"  # C3 only
    for fmt in ("md", "docx"):
        items = pack_items(frozen, fixture.participants["health_visitor"])
        if fmt == "md":
            text = render_markdown(items)
        else:
            path = tmp_path / "hv.docx"
            path.write_bytes(render_docx(items, title="t", frozen_at=frozen.frozen_at))
            text = _texts(path)
        assert own in text
        assert other not in text and teacher not in text
        assert "Confidential to the review group" in text
        # Accounts are attributed by role, never by name.
        for name in ("Ana Lopes", "Chloe Dunn", "Dev Patel", "Eva Frost"):
            assert name not in text
    # The team's working notes stay out: reflections, follow-ups, discrepancy flags.
    text = render_markdown(pack_items(frozen, fixture.participants["social_worker"]))
    assert "We wonder whether the conference minutes" not in text
    assert "Ask the health visitor" not in text
    assert "differs from the social worker's" not in text
    assert "Understands the purpose of the review" in text


def test_a_draft_is_frozen_and_exports_the_same_twice(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    first = records.draft(store, review, draft_id)
    before_md = render_markdown(pack_items(first, fixture.participants["social_worker"]))
    before_docx = tmp_path / "a.docx"
    before_docx.write_bytes(
        render_docx(pack_items(first, None), title="t", frozen_at=first.frozen_at)
    )
    # The analysis moves on.
    store.update(review, "episode", fixture.episodes["E1"], title="Renamed home visit")
    store.delete(review, "note", fixture.notes["sw_agreed"])
    again = records.draft(store, review, draft_id)
    assert again.content == first.content
    assert render_markdown(pack_items(again, fixture.participants["social_worker"])) == before_md
    after_docx = tmp_path / "b.docx"
    after_docx.write_bytes(
        render_docx(pack_items(again, None), title="t", frozen_at=again.frozen_at)
    )
    assert _texts(after_docx) == _texts(before_docx)
    # An immutable entity: a later op for the same draft changes nothing.
    store.emit(review, "draft", draft_id, "add", {"kind": "final", "content": {}})
    assert records.draft(store, review, draft_id).content == first.content


def test_dialogue_ops_sync_to_another_laptop(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    records.record_send(store, review, draft_id, hv, None)
    comment = records.add_comment(
        store, review, {"draft": draft_id, "participant": hv, "text": "x"}
    )
    records.respond(store, review, comment, "noted")
    records.new_meeting(store, review, "preliminary", "2025-06-10T12:00", [hv])
    with Store(tmp_path / "other.db", author="Sam") as other:
        other.ingest(reversed(store.ops()))
        assert records.board(other, review) == records.board(store, review)
        assert other.check().problems == []
    assert store.check().problems == []


def test_tracked_changes_are_imported_and_tied_to_their_episode(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    pack = _pack(store, review, draft_id, hv, tmp_path / "pack.docx")
    document = docx.Document(str(pack))
    paragraph = next(p for p in document.paragraphs if WORRIED in p.text)
    run = paragraph.runs[-1]._r
    # Word's markup for tracked changes: "and wanted a plan" deleted, a phrase inserted.
    run.find(qn("w:t")).text = "Said at the conference she was worried "
    deletion = OxmlElement("w:del")
    insertion = OxmlElement("w:ins")
    for change in (deletion, insertion):
        change.set(qn("w:id"), "90" if change is deletion else "91")
        change.set(qn("w:author"), "Chloe Dunn")
        change.set(qn("w:date"), "2025-06-03T09:00:00Z")
    deleted_run = OxmlElement("w:r")
    deleted_text = OxmlElement("w:delText")
    deleted_text.text = "and wanted a plan"
    deleted_run.append(deleted_text)
    deletion.append(deleted_run)
    inserted_run = OxmlElement("w:r")
    inserted_text = OxmlElement("w:t")
    inserted_text.text = "and asked for a child protection plan"
    inserted_run.append(inserted_text)
    insertion.append(inserted_run)
    run.addnext(deletion)
    deletion.addnext(insertion)
    document.save(str(pack))

    result = import_returned(store, review, draft_id, hv, pack)
    assert len(result.added) == 2 and result.not_found == 0
    found = {c.kind: c for c in records.comments(store, review)}
    assert found["deletion"].text == "and wanted a plan"
    assert found["insertion"].text == "and asked for a child protection plan"
    for change in found.values():
        assert change.target == fixture.episodes["E2"] and change.anchor == ANCHOR_FOUND
        assert change.file_author == "Chloe Dunn"


def test_a_zip_bomb_returned_as_a_pack_is_refused_by_the_import_guards(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    pack = _pack(store, review, draft_id, hv, tmp_path / "pack.docx")
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(bomb, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename), compress_type=zipfile.ZIP_DEFLATED)
        out.writestr("word/padding.xml", b"\0" * (80 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    with pytest.raises(ImportProblem, match="unpacks to more than"):
        import_returned(store, review, draft_id, hv, bomb)
    not_word = tmp_path / "notes.docx"
    not_word.write_bytes(b"plain text, not a package")
    with pytest.raises(ImportProblem, match="not a readable Word document"):
        import_returned(store, review, draft_id, hv, not_word)
    # An entity declaration in comments.xml is never expanded.
    hostile = tmp_path / "entities.docx"
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(hostile, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":  # a point comment on the first line
                data = data.replace(
                    b"</w:p>", b'<w:r><w:commentReference w:id="0"/></w:r></w:p>', 1
                )
            out.writestr(item, data)
        out.writestr(
            "word/comments.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b'<w:comment w:id="0" w:author="x"><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:comment>'
            b"</w:comments>",
        )
    result = import_returned(store, review, draft_id, hv, hostile)
    # Not expanded: the comment says nothing, so there is nothing to answer (and it is said).
    assert result.added == [] and records.comments(store, review) == []
    assert "1 empty comment(s)" in " ".join(result.skipped)


def test_declining_needs_a_reason_and_answers_show_on_the_board(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.store.db import StoreError

    review = fixture.review
    sw = fixture.participants["social_worker"]
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    comment = records.add_comment(
        store, review, {"draft": draft_id, "participant": sw, "text": "No"}
    )
    with pytest.raises(StoreError, match="needs the reason"):
        records.respond(store, review, comment, "declined")
    assert records.comments(store, review)[0].open
    records.respond(store, review, comment, "declined", "Two accounts agree on this")
    (answered,) = records.comments(store, review)
    assert answered.answer is not None and answered.answer.response == "declined"
    lines = board_lines(records.board(store, review), store.participants(review))
    assert any("declined (Two accounts agree on this)" in line for line in lines)
    assert "Comments: 1, 0 unanswered" in lines


def test_the_preliminary_draft_leaves_recommendations_for_later(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.patterns import add_pattern, add_recommendation

    review = fixture.review
    pattern = add_pattern(
        store, review, method, type="family-professional", title="Focus on one parent"
    )
    add_recommendation(
        store, review, method, kind="clear-cut", text="Copy both parents in", pattern=pattern
    )
    preliminary = records.draft(
        store, review, records.freeze_draft(store, method, review, "preliminary")
    )
    interim = records.draft(store, review, records.freeze_draft(store, method, review, "interim"))
    assert preliminary.content["recommendations"] == []
    assert [r["text"] for r in interim.content["recommendations"]] == ["Copy both parents in"]
    assert "Copy both parents in" in render_markdown(pack_items(interim, None))
    assert "Recommendation added: Copy both parents in" in render_markdown(
        pack_items(interim, None)
    )


def test_a_returned_docx_without_comments_imports_nothing(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    pack = _pack(store, review, draft_id, hv, tmp_path / "pack.docx")
    assert import_returned(store, review, draft_id, hv, pack).added == []
    buffer = io.BytesIO(pack.read_bytes())
    assert zipfile.is_zipfile(buffer)


def test_a_note_with_control_characters_still_makes_a_pack_and_is_anchored(
    tmp_path: Path, store: Store, method: Method, service: Service
) -> None:
    review = store.create_review("Child Q (fictional)")
    person = store.add_participant(review, role="Nurse", agency="Health")
    talk = store.conversation(store.new_conversation(review, person))
    store.start_conversation(talk)
    service.record_note(talk, "#new Clinic visit (May 2024)")
    service.record_note(talk, "Saw the \x1b[31mchild\x00 alone #1")
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    pack = _pack(store, review, draft_id, person, tmp_path / "pack.docx")
    _comment_on(pack, "alone", "It was in the waiting room.")
    import_returned(store, review, draft_id, person, pack)
    (comment,) = records.comments(store, review)
    assert comment.anchor == ANCHOR_FOUND and comment.target_label == "E1"


def test_the_team_report_names_a_group_meeting_not_an_unknown_participant(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    from facilitator.reports.export import export

    review = fixture.review
    attended = [fixture.participants["social_worker"], fixture.participants["health_visitor"]]
    _meeting, talk = records.new_meeting(store, review, "interim", "2025-06-10T12:00", attended)
    store.start_conversation(store.conversation(talk))
    service.record_note(store.conversation(talk), "Minutes reached the GP a week late #2")
    text = export(store, method, review, "md").decode("utf-8")
    assert "unknown" not in text
    assert "C5: Interim group meeting" in text
    assert "**C5, Interim group meeting:** Minutes reached the GP a week late" in text


def test_the_next_draft_states_merges_and_moved_priorities_with_their_comments(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.episodes import merge_episodes
    from facilitator.analysis.patterns import add_pattern, prioritise_pattern
    from facilitator.dialogue.targets import find_target

    review = fixture.review
    sw, hv = fixture.participants["social_worker"], fixture.participants["health_visitor"]
    first = add_pattern(store, review, method, type="human-management", title="Caseloads",
                        priority=1)  # fmt: skip
    second = add_pattern(store, review, method, type="family-professional",
                         title="Focus on one parent", priority=2)  # fmt: skip
    preliminary = records.draft(
        store, review, records.freeze_draft(store, method, review, "preliminary")
    )
    # Typed comments, tied with --on as the command line ties them.
    on_pattern = find_target(preliminary, "pattern 2")
    on_e5 = find_target(preliminary, "E5")
    assert on_pattern == ("pattern", second, "Pattern 2")
    moved = records.add_comment(store, review, {
        "draft": preliminary.id, "participant": sw, "text": "This matters most",
        "target_kind": "pattern", "target": second, "target_label": "Pattern 2",
        "anchor": ANCHOR_FOUND})  # fmt: skip
    same = records.add_comment(store, review, {
        "draft": preliminary.id, "participant": hv, "text": "E5 is the same visit as E1",
        "target_kind": on_e5[0], "target": on_e5[1], "target_label": on_e5[2],
        "anchor": ANCHOR_FOUND})  # fmt: skip
    declined = records.add_comment(store, review, {
        "draft": preliminary.id, "participant": hv, "text": "Drop caseloads",
        "target_kind": "pattern", "target": first, "target_label": "Pattern 1",
        "anchor": ANCHOR_FOUND})  # fmt: skip
    records.respond(store, review, moved, "accepted")
    records.respond(store, review, same, "accepted")
    records.respond(store, review, declined, "declined", "Three accounts mention it")
    prioritise_pattern(store, review, second, priority=1)
    prioritise_pattern(store, review, first, priority=2)
    merge_episodes(store, review, fixture.episodes["E1"], fixture.episodes["E5"])

    interim = records.draft(store, review, records.freeze_draft(store, method, review, "interim"))
    changes = {c["text"]: [x["id"] for x in c["comments"]] for c in interim.content["changes"]}
    assert changes["The pattern “Focus on one parent” moved up from priority 2 to 1."] == [moved]
    assert changes["The pattern “Caseloads” moved down from priority 1 to 2."] == []
    merged = next(t for t in changes if "was merged into E1" in t)
    assert merged.startswith("Episode E5 (Joint visit with social worker)")
    assert changes[merged] == [same]
    # A comment is cited once: the final draft does not claim it again.
    final = records.draft(store, review, records.freeze_draft(store, method, review, "final"))
    assert final.content["changes"] == []
    assert "Nothing in the analysis has changed" in render_markdown(pack_items(final, None))


def test_a_file_with_thousands_of_comments_is_refused(tmp_path: Path) -> None:
    from facilitator.dialogue.word import MAX_COMMENTS, read_comments

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    refs = "".join(f'<w:r><w:commentReference w:id="{i}"/></w:r>' for i in range(MAX_COMMENTS + 1))
    notes = "".join(
        f'<w:comment w:id="{i}"><w:p><w:r><w:t>x</w:t></w:r></w:p></w:comment>'
        for i in range(MAX_COMMENTS + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{w}"><w:body><w:p>{refs}</w:p></w:body></w:document>',
        )
        package.writestr("word/comments.xml", f'<w:comments xmlns:w="{w}">{notes}</w:comments>')
    with pytest.raises(ImportProblem, match="more than 5,000 comments"):
        read_comments(buffer.getvalue(), "many.docx")


def test_a_store_made_before_the_dialogue_gains_its_tables(tmp_path: Path) -> None:
    import sqlite3

    from facilitator.store.db import MIGRATIONS, _m10_dialogue

    path = tmp_path / "old.db"
    with Store(path, author="Old") as old:
        review = old.create_review("Made before drafts existed")
    before = MIGRATIONS.index(_m10_dialogue)  # the schema without the dialogue migration
    conn = sqlite3.connect(path)
    for table in ("dialogue_drafts", "draft_sends", "dialogue_comments", "comment_answers",
                  "meetings"):  # fmt: skip
        conn.execute(f"DROP TABLE {table}")
    conn.execute(f"DELETE FROM migrations WHERE number > {before}")
    conn.execute(f"PRAGMA user_version={before}")
    conn.commit()
    conn.close()
    with Store(path, author="New") as upgraded:
        assert records.board(upgraded, review).drafts == []
        records.new_meeting(upgraded, review, "closing", "2025-07-01T12:00", [])
        assert upgraded.check().problems == []


def test_the_refi_qda_export_names_a_group_meeting(
    tmp_path: Path, store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    from facilitator.reports.export import export

    review = fixture.review
    _meeting, talk = records.new_meeting(store, review, "closing", "2025-07-01T12:00", [])
    store.start_conversation(store.conversation(talk))
    service.record_note(store.conversation(talk), "The group agreed the chronology #2")
    package = zipfile.ZipFile(io.BytesIO(export(store, method, review, "qdpx")))
    project = package.read("project.qde").decode("utf-8")
    assert 'name="C5: Closing meeting"' in project
    assert "unknown participant" not in project


def test_a_meeting_discusses_the_draft_that_existed_by_its_day(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    # A meeting recorded after the event is not tied to a draft frozen since.
    from datetime import UTC, datetime, timedelta

    review = fixture.review
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    before = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="minutes")
    after = (datetime.now(UTC) + timedelta(hours=2)).isoformat(timespec="minutes")
    earlier, _ = records.new_meeting(store, review, "preliminary", before, [])
    later, _ = records.new_meeting(store, review, "preliminary", after, [])
    by_id = {m.id: m for m in records.meetings(store, review)}
    assert by_id[earlier].draft == ""
    assert by_id[later].draft == draft_id
