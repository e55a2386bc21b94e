"""The team's material that leaked in round 4 of the hostile tests of issues 13 and 16:
a ``!`` line (the team's discrepancy) read as a participant's account, ``>>`` in the
team's findings in a participant's pack, ``>>`` written with invisible characters or a
guillemet mid-line, a ``?`` line after a record's date, a ``>>`` in a document's agency,
HTML inside a name in an imported Markdown record, and notes with no words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilitator.capture import split_private
from facilitator.dialogue import records
from facilitator.dialogue.pack import pack_items, render_markdown
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.cli_support import run_cli
from tests.review_fixture import ReviewFixture, build_review_fixture
from tests.test_reports_leaks_hostile import _exports, _review, _talk


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def _pack(store: Store, review: str, draft_id: str, participant: str | None) -> str:
    return render_markdown(pack_items(records.draft(store, review, draft_id), participant))


# --- h16 finding 1: a "!" line is the team's, never a participant's account --------------

BANG_NOTES = (
    "#1 public E\n! TEAMBANG2 differs from the nurse",
    "#1 ! TEAMAFTERTAG differs from the records",
    "\u200b! TEAMZWSP differs #1",
    "#1 seen late\n\u2060\uff01 TEAMWIDE differs",
)


def test_a_bang_line_never_reaches_a_participants_pack(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    talk = store.conversation(fixture.conversations["hv"])
    for typed in BANG_NOTES:
        service.record_note(talk, typed)
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    for who in ("health_visitor", "social_worker", "gp"):
        text = _pack(store, review, draft_id, fixture.participants[who])
        assert "TEAM" not in text, who
    own = _pack(store, review, draft_id, fixture.participants["health_visitor"])
    assert "public E" in own and "seen late" in own


def test_a_bang_line_is_the_teams_observation_in_a_final_report_as_a_bang_note_is(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    talk = store.conversation(fixture.conversations["hv"])
    for typed in (*BANG_NOTES, "! TEAMWHOLE differs from the GP #1"):
        service.record_note(talk, typed)
    text = export(store, method, review, "md", final=True).decode("utf-8")
    assert "public E" in text and "seen late" in text
    # Never as the health visitor's account, nor breaking out of its list item.
    for line in text.replace("<br>", "\n").splitlines():
        if "TEAM" in line:
            assert "observation" in line and "Health visitor" not in line, line
            assert line.startswith(("- ", "Review team")), line
    # A note whose first words are a "!" line is shown as a whole "!" note is.
    whole = next(line for line in text.splitlines() if "TEAMWHOLE" in line)
    lead = whole.split("TEAMWHOLE")[0].replace("! ", "")
    for word in ("TEAMAFTERTAG", "TEAMZWSP"):
        line = next(line for line in text.splitlines() if word in line)
        assert line.split(word)[0] == lead, line
    # Every format keeps them as the team's (the .qdpx still valid against the schema).
    for fmt, seen in _exports(store, method, review).items():
        assert "teamwide" in seen and "teambang2" in seen, fmt


@pytest.mark.parametrize(
    ("text", "account"),
    [("public E\n! mine", "public E"), ("#1 ! mine", ""), ("\u200b! mine", ""),
     ("@family+ ! mine", ""), ("Seen\n\uff01 mine", "Seen"), ("Seen! Then left", "Seen! Then left"),
     ("Seen\n! mine\n>> ours", "Seen")],
)  # fmt: skip
def test_the_participants_account_ends_at_a_bang_line(
    method: Method, text: str, account: str
) -> None:
    from facilitator.capture import split_account

    assert split_account(text, "observation", method)[0] == account
    assert split_account(text, "discrepancy", method)[0] == ""
    # The team's draft keeps a "!" line: it is not private like ">>".
    assert split_private("public E\n! mine", "observation", method)[0] == "public E\n! mine"


def test_a_bang_line_is_neither_read_back_to_the_participant_nor_quoted_on_a_plan(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.plan import plan_for
    from facilitator.capture import read_back

    heard = read_back("Saw the mother #2\n! TEAMREAD differs from the school", method, ["E2"])
    assert heard == "Saw the mother (E2)"
    talk = store.conversation(fixture.conversations["sw"])
    service.record_note(talk, "My manager gave good supervision #2\n! TEAMPLAN differs")
    items = plan_for(store, method, fixture.participants["health_visitor"]).items
    text = " ".join(i.text for i in items)
    assert "My manager gave good supervision" in text and "TEAMPLAN" not in text


# --- h16 finding 2: ">>" in the team's findings is cut in packs as in --final -----------


def test_private_words_in_patterns_and_recommendations_never_reach_a_pack(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    from facilitator.analysis.patterns import add_pattern, add_recommendation

    review = fixture.review
    pattern = add_pattern(
        store, review, method, type="human-tool", title="PATPUB title >> PATPRIV",
        description="PATDESC pub\n>> PATDESCPRIV", episodes=[fixture.episodes["E1"]],
    )  # fmt: skip
    add_recommendation(
        store, review, method, kind="clear-cut", text="RECPUB do X >> RECPRIV blame",
        pattern=pattern,
    )  # fmt: skip
    records.freeze_draft(store, method, review, "preliminary")
    records.freeze_draft(store, method, review, "interim")
    draft_id = records.freeze_draft(store, method, review, "final")
    for who in ("social_worker", None):
        participant = fixture.participants[who] if who else None
        text = _pack(store, review, draft_id, participant)
        assert "PATPUB title" in text and "PATDESC pub" in text and "RECPUB do X" in text
        for private in ("PATPRIV", "PATDESCPRIV", "RECPRIV", ">>"):
            assert private not in text, (who, private)


# --- h13 finding 8: ">>" written with invisible characters or a guillemet, mid-line ------


@pytest.mark.parametrize(
    "typed",
    ["Public part \u00bb PRIV reflection", "Public part >\u200b> PRIV", "Public part >\u00ad> PRIV",
     "Public part >\u2060> PRIV", "Public part >\uff1e PRIV", "Public part \uff1e> PRIV",
     "Public part >\ufeff> PRIV", "Public part >\u200b\u200c> PRIV"],
)  # fmt: skip
def test_a_private_marker_with_invisible_characters_mid_line_is_cut(
    store: Store, method: Method, service: Service, typed: str
) -> None:
    assert split_private(typed, "observation", method)[0] == "Public part"
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, typed + " #1")
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert "priv" not in text, fmt
    assert "Public part" in export(store, method, review, "md", final=True).decode("utf-8")


@pytest.mark.parametrize("typed", ["a > b and c > d", "Seen »quoted« once", "x >= y"])
def test_a_single_angle_bracket_is_not_private_but_a_guillemet_is(
    method: Method, typed: str
) -> None:
    expected = typed.split("»")[0].rstrip() if "»" in typed else typed
    assert split_private(typed, "observation", method)[0] == expected


# --- h13 findings 6, 7, 9: imported records ----------------------------------------------


def _import(store: Store, review: str, path: Path, **options: str) -> str:
    from facilitator.importers import import_file

    result = import_file(store, review, path, **options)
    for entry in result.entries:
        store.update(review, "chronology", entry, status="accepted")
    return result.document


def test_a_follow_up_after_a_records_date_never_reaches_a_final_report(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    _talk(store, review, sam)
    record = tmp_path / "fu.txt"
    record.write_text(
        "1 June 2024: visit done\n2 June 2024: ? FOLLOWUP about Okafor\n"
        "3/6/2024 - >> PRIVATE_AFTER_DATE\n4 June 2024: seen at school\n",
        encoding="utf-8",
    )
    _import(store, review, record)
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert "followup" not in text and "private_after" not in text, fmt
    assert "visit done" in texts["qdpx"] and "seen at school" in texts["qdpx"]


def test_a_private_marker_in_a_documents_agency_never_reaches_a_final_report(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    _talk(store, review, sam)
    record = tmp_path / "fu.txt"
    record.write_text("1 June 2024: visit done\n", encoding="utf-8")
    _import(store, review, record, agency="Health >> PRIVATE agency note", title="FU")
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert "private" not in text and ">>" not in text, fmt
    assert "(health)" in texts["qdpx"]  # the agency's public part is still named


def test_html_inside_a_name_in_an_imported_markdown_record_is_taken_out(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    _talk(store, review, sam)
    record = tmp_path / "rec.md"
    record.write_text(
        "1 June 2024: <span>Oka</span>for not home\n2 June 2024: <b>Oka</b>for<br>seen\n",
        encoding="utf-8",
    )
    document = _import(store, review, record)
    assert "<span>" not in store.document(document).text
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert "okafor" not in text and "oka" not in text.replace("okay", ""), fmt
        assert "<span>" not in text, fmt


def test_a_comparison_in_a_markdown_record_is_not_taken_for_html(tmp_path: Path) -> None:
    from facilitator.importers import read_document

    record = tmp_path / "rec.md"
    record.write_text("1 June 2024: weight < 2kg and x<y, score >3 <3\n", encoding="utf-8")
    assert read_document(record).text.strip() == "1 June 2024: weight < 2kg and x<y, score >3 <3"


# --- h13 finding 13: export --help says what the final .qdpx holds ------------------------


def test_export_help_says_the_final_qdpx_holds_the_redacted_records(tmp_path: Path) -> None:
    text = " ".join(run_cli(tmp_path / "s.db", "export", "--help").stdout.split())
    assert "imported records" in text, text


# --- h16 finding 7: notes with no words ---------------------------------------------------


def test_a_note_with_no_public_words_is_no_account_in_a_pack_or_a_final_report(
    store: Store, service: Service, method: Method, fixture: ReviewFixture
) -> None:
    review = fixture.review
    talk = store.conversation(fixture.conversations["hv"])
    before = export(store, method, review, "md", final=True).decode("utf-8")
    for typed in ("#1 @lr-picture\n? ask later", '"#1\n>> ours', "+ #1 @family\n>> ours"):
        service.record_note(talk, typed)
    after = export(store, method, review, "md", final=True).decode("utf-8")
    assert before == after
    draft_id = records.freeze_draft(store, method, review, "preliminary")
    for who in ("health_visitor", "social_worker"):
        text = _pack(store, review, draft_id, fixture.participants[who])
        assert not re.search(r":\*\* *$", text, re.MULTILINE), who
        assert "“”" not in text and '""' not in text, who


def test_a_note_of_invisible_characters_is_refused_like_an_empty_note(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    review = run_cli(db, "review", "new", "Review (fictional)").stdout.strip()
    person = run_cli(db, "participant", "add", review, "--role", "GP", "--agency", "Health")
    talk = run_cli(db, "conversation", "new", review, person.stdout.strip()).stdout.strip()
    for typed in ("\u200b", "\u200b \u2060", "\ufeff\u00ad", " \u200d "):
        result = run_cli(db, "note", "add", talk, typed)
        assert result.returncode != 0 and "empty" in result.stderr, (typed, result.stderr)
        result = run_cli(db, "note", "team", "--review", review, typed)
        assert result.returncode != 0 and "empty" in result.stderr, (typed, result.stderr)
    assert run_cli(db, "note", "add", talk, "\u200bSeen").returncode == 0


async def test_the_note_box_saves_no_note_of_invisible_characters(service: Service) -> None:
    from facilitator.tui.app import FacilitatorApp
    from facilitator.tui.widgets.note_box import NoteBox
    from tests.tui_support import FakeClock, small_review

    setup = small_review(service)
    app = FacilitatorApp(service, conversation=setup.conversation, role="notes", clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.screen.query_one(NoteBox)
        box.load_text("\u200b\u2060")
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert service.store.notes(conversation=setup.conversation) == []
