"""What a participant's pack must never carry (the hostile test of issue 16): other people's
names, another participant's comment word for word, the team's private lines, and a group
meeting's notes as an "unknown participant"; and a returned file must be the pack of the
participant and draft it is imported for."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from facilitator.dialogue import records
from facilitator.dialogue.model import ANCHOR_FOUND
from facilitator.dialogue.pack import pack_bytes, pack_items, render_markdown
from facilitator.dialogue.word import import_returned
from facilitator.importers import ImportProblem
from facilitator.method import Method
from facilitator.reports import redaction
from facilitator.service import Service
from facilitator.store import Store
from facilitator.store.db import StoreError
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _pack_text(store: Store, review: str, draft_id: str, participant: str | None) -> str:
    return render_markdown(pack_items(records.draft(store, review, draft_id), participant))


def test_names_in_notes_and_chronology_are_redacted_in_every_pack(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    redaction.add(store, review, "Sam Okafor", "the child")
    service.record_note(
        store.conversation(fixture.conversations["hv"]),
        "#1 Visited with Sam Okafor and Eva Frost",
    )
    for kind in ("preliminary", "interim"):
        draft_id = records.freeze_draft(store, method, review, kind)
        for who in ("social_worker", "class_teacher", None):
            participant = fixture.participants[who] if who else None
            text = _pack_text(store, review, draft_id, participant)
            assert "Visited with the child and the GP" in text, who
            for name in ("Sam", "Okafor", "Eva Frost", "Frost"):
                assert name not in text, (kind, who, name)


def test_a_comment_is_cited_by_role_and_label_not_quoted_to_everyone(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    e1 = fixture.episodes["E1"]
    preliminary = records.freeze_draft(store, method, review, "preliminary")
    secret = "Dr Helen Marsh never invited me. My home address is 12 Fake St"
    comment = records.add_comment(store, review, {
        "draft": preliminary, "participant": hv, "text": secret, "target_kind": "episode",
        "target": e1, "target_label": "E1", "anchor": ANCHOR_FOUND})  # fmt: skip
    records.respond(store, review, comment, "accepted")
    store.update(review, "episode", e1, team_problematic="Nobody invited the health visitor")
    interim = records.freeze_draft(store, method, review, "interim")
    frozen = records.draft(store, review, interim)
    assert secret not in str(frozen.content)  # not stored in the draft either
    for who in ("social_worker", "health_visitor"):
        text = _pack_text(store, review, interim, fixture.participants[who])
        assert "Helen Marsh" not in text and "12 Fake St" not in text
        cited = f"(K1, ref {comment[:6]}) on D1"
        assert f"Following a comment from Health visitor, Community health {cited}" in text


def test_private_lines_never_reach_a_pack(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    talk = store.conversation(fixture.conversations["hv"])
    service.record_note(talk, "#1 >> TAGFIRST_REFLECTION judge her harshly")
    service.record_note(talk, "#1 Came to the visit late\n>> SECOND_LINE_REFLECTION tired")
    service.record_note(talk, "Remembered the letter\n? FOLLOW_UP_QUESTION ask the school")
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    for who in ("health_visitor", "social_worker"):
        text = _pack_text(store, review, draft_id, fixture.participants[who])
        for private in ("TAGFIRST", "SECOND_LINE", "FOLLOW_UP", ">>"):
            assert private not in text, (who, private)
    own = _pack_text(store, review, draft_id, fixture.participants["health_visitor"])
    assert "Came to the visit late" in own and "Remembered the letter" in own


def test_a_group_meetings_notes_are_attributed_to_the_meeting_in_packs(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    attended = [fixture.participants["social_worker"], fixture.participants["health_visitor"]]
    _meeting, talk = records.new_meeting(store, review, "interim", "2025-06-10T12:00", attended)
    store.start_conversation(store.conversation(talk))
    service.record_note(store.conversation(talk), "Minutes reached the GP a week late #2")
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    text = _pack_text(store, review, draft_id, fixture.participants["social_worker"])
    assert "unknown" not in text
    assert "C5, Interim group meeting:** Minutes reached the GP a week late" in text


def _returned(store: Store, review: str, draft_id: str, participant: str, path: Path) -> Path:
    path.write_bytes(pack_bytes(records.draft(store, review, draft_id), participant, "docx"))
    document = docx.Document(str(path))
    paragraph = next(p for p in document.paragraphs if "Case conference" in p.text)
    document.add_comment(paragraph.runs[-1], text="Not how I remember it", author="X")
    document.save(str(path))
    return path


def test_import_refuses_another_participants_pack_another_draft_or_not_a_pack(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv, ct = fixture.participants["health_visitor"], fixture.participants["class_teacher"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    d2 = records.freeze_draft(store, method, review, "interim")
    theirs = _returned(store, review, d1, ct, tmp_path / "ct.docx")
    with pytest.raises((StoreError, ImportProblem), match="P3"):
        import_returned(store, review, d1, hv, theirs)
    with pytest.raises((StoreError, ImportProblem), match="D1"):
        import_returned(store, review, d2, ct, theirs)
    shopping = tmp_path / "shopping.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("eggs and the milk")
    document.add_comment(paragraph.runs[-1], text="and bread", author="Me")
    document.save(str(shopping))
    with pytest.raises((StoreError, ImportProblem), match="not a pack"):
        import_returned(store, review, d1, hv, shopping)
    assert records.comments(store, review) == []
    # The right pack, draft and participant still imports; --force takes another's.
    assert len(import_returned(store, review, d1, ct, theirs).added) == 1
    assert len(import_returned(store, review, d1, hv, theirs, force=True).added) == 1


def test_a_drafts_number_is_fixed_when_frozen_and_a_clash_after_sync_is_never_silent(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.dialogue.records import find_draft

    review = fixture.review
    records.freeze_draft(store, method, review, "preliminary")
    with Store(tmp_path / "b.db", author="Sam") as other:
        other.ingest(store.ops())
        theirs = records.freeze_draft(other, method, review, "interim")  # D2 on laptop B
        assert records.draft(other, review, theirs).label == "D2"
        ours = records.freeze_draft(store, method, review, "interim")  # D2 on laptop A
        title_before = _pack_text(store, review, ours, None).splitlines()[0]
        other.ingest(store.ops())
        store.ingest(other.ops())
        for laptop in (store, other):
            labels = {d.id: d.label for d in records.drafts(laptop, review)}
            # Neither draft takes the other's number; both say which laptop's they are.
            assert labels[ours] == f"D2-{ours[:4]}" and labels[theirs] == f"D2-{theirs[:4]}"
            assert find_draft(laptop, review, f"d2-{ours[:4]}") == ours
            with pytest.raises(StoreError, match=f"D2-{ours[:4]}"):
                find_draft(laptop, review, "D2")
        # A third draft takes the next number on both laptops; D1 keeps its own.
        third = records.freeze_draft(store, method, review, "final")
        assert records.draft(store, review, third).label == "D3"
        assert find_draft(store, review, "D1") == records.drafts(store, review)[0].id
    # The pack exported before the sync still names the draft it was.
    assert title_before.endswith("(D2)")


def test_a_resaved_file_does_not_bring_its_comments_in_twice(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    path = _returned(store, review, d1, hv, tmp_path / "hv.docx")
    assert len(import_returned(store, review, d1, hv, path).added) == 1
    again = docx.Document(str(path))
    again.core_properties.revision = 7  # saved again: new bytes, the same comments
    again.save(str(tmp_path / "hv-saved-again.docx"))
    assert (tmp_path / "hv-saved-again.docx").read_bytes() != path.read_bytes()
    result = import_returned(store, review, d1, hv, tmp_path / "hv-saved-again.docx")
    assert (result.added, result.already) == ([], 1)
    assert len(records.comments(store, review)) == 1


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _package(body: str, comments: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>',
        )
        package.writestr(
            "word/comments.xml", f'<w:comments xmlns:w="{W_NS}">{comments}</w:comments>'
        )
    return buffer.getvalue()


def _note(word_id: int, text: str) -> str:
    body = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
    return f'<w:comment w:id="{word_id}" w:author="A">{body}</w:comment>'


def test_hostile_word_details_are_read_once_and_nothing_is_dropped_silently() -> None:
    from facilitator.dialogue.word import MAX_COMMENTS, MAX_TEXT, read_returned

    change = 'w:id="{}" w:author="A" w:date="2025-06-03T09:00:00Z"'
    body = (
        # A tracked paragraph mark: no words to answer.
        f"<w:p><w:pPr><w:rPr><w:ins {change.format(1)}/></w:rPr></w:pPr>"
        "<w:r><w:t>Plain words</w:t></w:r></w:p>"
        # A tracked move, from here to there.
        f"<w:p><w:moveFrom {change.format(2)}><w:r><w:t>MOVED AWAY</w:t></w:r></w:moveFrom>"
        f"<w:moveTo {change.format(3)}><w:r><w:t>MOVED HERE</w:t></w:r></w:moveTo></w:p>"
        # An insertion in a text box, a paragraph inside a paragraph.
        "<w:p><w:r><w:t>Outer</w:t></w:r><w:r><w:pict><w:txbxContent><w:p>"
        f"<w:ins {change.format(4)}><w:r><w:t>IN THE BOX</w:t></w:r></w:ins>"
        "</w:p></w:txbxContent></w:pict></w:r></w:p>"
        # Comment 7 referenced; 8 never referenced (it sat in a header); 7 given twice.
        '<w:p><w:r><w:t>About this</w:t></w:r><w:r><w:commentReference w:id="7"/></w:r></w:p>'
    )
    long_text = "y" * (MAX_TEXT + 5)
    notes = _note(7, "first seven") + _note(7, "second seven") + _note(8, long_text)
    reading = read_returned(_package(body, notes), "odd.docx")
    texts = sorted((f.kind, f.text) for f in reading.found)
    assert texts == sorted(
        [
            ("comment", "first seven"),
            ("comment", "second seven"),
            ("comment", long_text[:MAX_TEXT]),
            ("deletion", "MOVED AWAY"),
            ("insertion", "MOVED HERE"),
            ("insertion", "IN THE BOX"),
        ]
    )
    said = " ".join(reading.skipped)
    assert "1 tracked paragraph mark" in said
    assert "cut to 20,000 characters" in said
    assert "not anchored in the text" in said  # the orphan and the repeated id
    # Exactly the limit is allowed; one more is refused.
    refs = "".join(f'<w:r><w:commentReference w:id="{i}"/></w:r>' for i in range(MAX_COMMENTS))
    many = "".join(_note(i, "x") for i in range(MAX_COMMENTS))
    assert len(read_returned(_package(f"<w:p>{refs}</w:p>", many), "m.docx").found) == 5000


def test_a_stored_quote_is_bounded_and_the_summary_names_what_was_cut(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.dialogue.word import MAX_QUOTE

    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    path = tmp_path / "hv.docx"
    path.write_bytes(pack_bytes(records.draft(store, review, d1), hv, "docx"))
    document = docx.Document(str(path))
    runs = [r for p in document.paragraphs for r in p.runs]
    document.add_comment(runs, text="All of it is wrong", author="A")  # the whole pack
    document.save(str(path))
    result = import_returned(store, review, d1, hv, path)
    (comment,) = records.comments(store, review)
    assert len(comment.quote) <= MAX_QUOTE < 5000
    assert comment.quote.endswith("…")
    assert any("quoted passage" in line for line in result.skipped)


def test_a_changed_answer_keeps_the_earlier_one(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    comment = records.add_comment(store, review, {"draft": d1, "participant": hv, "text": "x"})
    records.respond(store, review, comment, "declined", "Three records agree")
    records.respond(store, review, comment, "accepted")
    (found,) = records.comments(store, review)
    assert found.answer is not None and found.answer.response == "accepted"
    assert [(a.response, a.note) for a in found.answer.earlier] == [
        ("declined", "Three records agree")
    ]


def test_what_changed_names_renames_new_accounts_and_corrected_records(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    e1 = fixture.episodes["E1"]
    d1 = records.draft(store, review, records.freeze_draft(store, method, review, "preliminary"))
    talk = fixture.conversations["hv"]
    on_record = records.add_comment(store, review, {
        "draft": d1.id, "participant": hv, "text": "I never said that",
        "target_kind": "record", "target": talk, "target_label": "C2 record",
        "anchor": ANCHOR_FOUND})  # fmt: skip
    records.respond(store, review, on_record, "accepted")
    store.delete(review, "note", fixture.notes["hv_worried"])  # the record corrected
    store.update(review, "episode", e1, title="Visit after the school's referral")
    service.record_note(store.conversation(fixture.conversations["ct"]), "#1 Saw the visit")
    d2 = records.draft(store, review, records.freeze_draft(store, method, review, "interim"))
    changes = {c["text"]: c for c in d2.content["changes"]}
    texts = "\n".join(changes)
    assert "E1 was renamed from “Home visit after school referral” to “Visit after" in texts
    assert "The description of E1" not in texts
    assert "1 new account of E1 (Visit after the school's referral) was added." in texts
    corrected = next(c for t, c in changes.items() if t.startswith("The record of C2"))
    assert [c["id"] for c in corrected["comments"]] == [on_record]
    # A note only added to the class teacher's record is no correction of it.
    ct = store.labels("conversations", review)[fixture.conversations["ct"]]
    assert f"1 note was added to the record of {ct} (" in texts
    assert f"The record of {ct} (" not in texts


def test_drafts_follow_the_guides_order_unless_forced(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    with pytest.raises(StoreError, match="preliminary report first"):
        records.freeze_draft(store, method, review, "final")
    records.freeze_draft(store, method, review, "preliminary")
    records.freeze_draft(store, method, review, "interim")
    with pytest.raises(StoreError, match="after the interim report"):
        records.freeze_draft(store, method, review, "preliminary")
    records.freeze_draft(store, method, review, "interim")  # a second interim draft is fine
    records.freeze_draft(store, method, review, "preliminary", force=True)
    assert [d.kind for d in records.drafts(store, review)] == [
        "preliminary", "interim", "interim", "preliminary"
    ]  # fmt: skip


def test_a_record_dates_a_note_taken_on_another_day(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.dates import uk_moment

    review = fixture.review
    talk = store.conversation(fixture.conversations["hv"])
    day = talk.started_at[:10]
    service.record_note(talk, "Rang back the next week", at=f"{day[:8]}28T09:15:00+00:00")
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    text = _pack_text(store, review, draft_id, fixture.participants["health_visitor"])
    # In the date style users read ("28 May 2025 09:15"), not ISO.
    assert f"**{uk_moment(f'{day[:8]}28T09:15')}** Rang back the next week" in text
    assert "Had known the family since the birth" in text
    same_day = next(line for line in text.splitlines() if "Had known the family" in line)
    assert same_day.startswith("**1") or same_day.startswith("**0")  # the time alone


def test_one_file_imported_on_two_laptops_is_no_conflict(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.sync.conflicts import field_conflicts

    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    path = _returned(store, review, d1, hv, tmp_path / "hv.docx")
    with Store(tmp_path / "b.db", author="Sam") as other:
        other.ingest(store.ops())
        import_returned(other, review, d1, hv, path)
        import_returned(store, review, d1, hv, path)
        store.ingest(other.ops())
        other.ingest(store.ops())
        for laptop in (store, other):
            assert len(records.comments(laptop, review)) == 1
            assert field_conflicts(laptop, review) == []


def test_a_comment_on_a_word_found_everywhere_is_not_claimed_as_found(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    path = tmp_path / "hv.docx"
    path.write_bytes(pack_bytes(records.draft(store, review, d1), hv, "docx"))
    document = docx.Document(str(path))
    title = document.paragraphs[0]
    run = title.add_run(" the")  # a comment on the one word "the", added to the title
    document.add_comment(run, text="What does this mean?", author="A")
    document.save(str(path))
    import_returned(store, review, d1, hv, path)
    (comment,) = records.comments(store, review)
    assert comment.anchor != ANCHOR_FOUND


def test_tags_before_a_private_prefix_keep_the_line_private_in_the_public_report_too(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.capture import split_private
    from facilitator.reports.export import export

    assert split_private("#1 @lr-aims >> judge her", "observation", method)[0] == ""
    assert split_private("Went well\n#2 ? ask", "observation", method) == ("Went well", "#2 ? ask")
    assert split_private("#1 Visited the home", "observation", method)[1] == ""
    talk = store.conversation(fixture.conversations["hv"])
    service.record_note(talk, "#1 >> TAGFIRST_REFLECTION judge her harshly")
    text = export(store, method, fixture.review, "md", final=True).decode("utf-8")
    assert "TAGFIRST" not in text


def test_a_draft_id_that_begins_like_a_label_is_found_by_its_prefix(
    store: Store, method: Method, fixture: ReviewFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One id in a few hundred begins "d" and digits only: its prefix once read as a label.
    from facilitator.dialogue import records as records_module
    from facilitator.dialogue.records import find_draft

    monkeypatch.setattr(records_module, "new_id", lambda: "d1234573573471c86dda8b03432e99f")
    draft_id = records.freeze_draft(store, method, fixture.review, "preliminary")
    assert find_draft(store, fixture.review, "d12345") == draft_id
    with pytest.raises(StoreError, match="no dialogue draft matches 'D7'"):
        find_draft(store, fixture.review, "D7")


def test_a_pack_without_its_title_is_judged_by_the_record_it_holds(
    tmp_path: Path, store: Store, method: Method, fixture: ReviewFixture
) -> None:
    # The title (and the bookmark naming the pack) deleted: the class teacher's record is
    # still in it, so it is not the health visitor's to import.
    import re
    import zipfile

    review = fixture.review
    hv, ct = fixture.participants["health_visitor"], fixture.participants["class_teacher"]
    d1 = records.freeze_draft(store, method, review, "preliminary")
    theirs = _returned(store, review, d1, ct, tmp_path / "ct.docx")
    with zipfile.ZipFile(theirs) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    xml = parts["word/document.xml"].decode()
    xml, gone = re.subn(r'<w:bookmarkStart [^>]*w:name="fac_pack_[^"]*"/>', "", xml)
    assert gone == 1
    parts["word/document.xml"] = xml.encode()
    untitled = tmp_path / "untitled.docx"
    with zipfile.ZipFile(untitled, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    with pytest.raises(ImportProblem, match="P3's record, so it is P3's pack"):
        import_returned(store, review, d1, hv, untitled)
    assert records.comments(store, review) == []
    assert len(import_returned(store, review, d1, ct, untitled).added) == 1
    # Saved by Word as "Strict Open XML": refused in words, never "0 comments imported".
    strict = tmp_path / "strict.docx"
    with zipfile.ZipFile(strict, "w") as package:
        for name, data in parts.items():
            package.writestr(
                name,
                data.replace(
                    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
                ),
            )
    with pytest.raises(ImportProblem, match="Strict Open XML"):
        import_returned(store, review, d1, ct, strict, force=True)


def test_a_comment_on_an_episode_renumbered_by_a_sync_says_its_label_now(
    tmp_path: Path, store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    review = fixture.review
    hv = fixture.participants["health_visitor"]
    with Store(tmp_path / "b.db", author="Sam") as other:
        other.ingest(store.ops())
        # Laptop B names an episode first; laptop A names its own a moment later.
        Service(other, method).record_note(
            other.conversation(fixture.conversations["ct"]), "#new Call to the school"
        )
        made = service.record_note(
            store.conversation(fixture.conversations["hv"]), "#new Strategy meeting"
        ).new_episodes[0]
        before = store.labels("episodes", review)[made]
        draft_id = records.freeze_draft(store, method, review, "preliminary")
        records.add_comment(store, review, {
            "draft": draft_id, "participant": hv, "text": "It was a Tuesday",
            "target_kind": "episode", "target": made, "target_label": before,
            "anchor": ANCHOR_FOUND})  # fmt: skip
        store.ingest(other.ops())
    now = store.labels("episodes", review)[made]
    assert now != before  # B's episode, named first, took A's number
    (comment,) = records.comments(store, review)
    assert comment.where == f"{before} (now {now})"
