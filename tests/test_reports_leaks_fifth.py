"""The public (--final) report, fifth pass over the hostile tester's findings: names
spelled out letter by letter or broken by narrow spaces, private lines in the team's own
fields and in imported records, dates that hold a participant's name, a name inside an
organisation's name, a name split by Word's formatting runs, and look-alike letters.

Each is exported in every format and read back by its real reader (a CommonMark
renderer, python-docx and every XML part, lxml against the REFI-QDA schema)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from facilitator.analysis.patterns import add_pattern, add_recommendation
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.reports.redaction import IdentifyingDetails, Redaction, Register
from facilitator.service import Service
from facilitator.store import Store
from tests.test_reports_leak_property import as_read
from tests.test_reports_leaks_hostile import _assert_absent, _exports, _review, _talk

# --- 1. letters spaced out, dotted, or broken by a narrow space ---------------------------


@pytest.mark.parametrize(
    "written",
    ["S a m  O k a f o r rang", "O.k.a.f.o.r rang", "Sam\u200aOkafor rang",
     "Oka\u2009for rang", "H e l e n M a r s h rang", "M-a-r-s-h rang",
     "Ok\u2007afor rang", "Mar\u202fsh rang", "Mar\u2006sh rang", "O. K. A. F. O. R. rang",
     "S\u2009a\u2009m rang", "J o W u rang"],
)  # fmt: skip
def test_a_name_spelled_out_or_broken_by_a_narrow_space_is_caught(
    store: Store, method: Method, service: Service, written: str
) -> None:
    review, (sam, *_) = _review(store, "Sam Okafor", "Helen Marsh", "Jo Wu")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    # Runs of spaces read as one (a renderer shows them so).
    texts = {fmt: " ".join(t.split()) for fmt, t in _exports(store, method, review).items()}
    spelled = " ".join(as_read(written.removesuffix(" rang")).split())
    _assert_absent(texts, spelled, "okafor", "marsh", "helen")
    for fmt, text in texts.items():
        assert " rang" in text, fmt


def test_single_letters_that_spell_no_name_are_left_alone(
    store: Store, method: Method, service: Service
) -> None:
    """Spaced letters count only when they spell a registered name part: a list of
    options, an abbreviation or a lone "a" is not a name."""
    review, (sam, *_) = _review(store, "Sam Okafor", "Helen Marsh")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    typed = "Options a b c were read, i.e. the U.S.A. plan; I a m sure; A - B - C grade #1"
    service.record_note(talk, typed)
    for fmt, text in _exports(store, method, review).items():
        assert as_read(typed.removesuffix(" #1")) in text, fmt


def test_a_spelled_out_name_is_replaced_as_one() -> None:
    register = Register(
        [Redaction(n, n, "GP", "participant", role=True) for n in ("Helen Marsh", "Helen", "Marsh")]
    )
    assert register.apply("then H e l e n  M a r s h rang") == "then the GP rang"
    assert register.apply("M.a.r.s.h rang") == "The GP rang"
    assert register.apply("Mar\u2009sh and Hel\u200aen") == "The GP and the GP"
    # A narrow space between words is still a space between words.
    assert register.apply("the\u2009plan") == "the\u2009plan"


# --- 2. private lines in the team's own fields and in imported records --------------------


def test_private_lines_in_the_teams_fields_stay_out(
    store: Store, method: Method, service: Service
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    episode = store.episodes(review)[0].id
    store.update(
        review,
        "episode",
        episode,
        description="The visit was short\n>> PRIVDESC we think she hid it",
        team_good="Prompt visit >> PRIVGOOD",
        team_problematic="No follow-up letter\n? PRIVPROB ask the manager",
        team_significance="#1 >> PRIVSIG",
        team_information="? PRIVINFO check the file",
    )
    pattern = add_pattern(
        store, review, method, type="human-tool", title="Late calls >> PRIVTITLE",
        description="Calls came late\n>> PRIVPATDESC", reasons="Seen twice\n? PRIVREASON",
        episodes=[episode],
    )  # fmt: skip
    add_recommendation(
        store, review, method, kind="clear-cut", pattern=pattern,
        text="Ask first\n>> PRIVREC", owner="The board >> PRIVOWNER",
    )  # fmt: skip
    texts = _exports(store, method, review)
    _assert_absent(texts, "priv", ">>", "\n?")
    md = texts["md"]
    for public in ("the visit was short", "prompt visit", "no follow-up letter",
                   "late calls", "calls came late", "seen twice", "ask first"):  # fmt: skip
        assert public in md, public


def test_private_lines_in_an_imported_record_stay_out(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    from facilitator.importers import import_file

    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    record = tmp_path / "record.txt"
    record.write_text(
        "12/03/2024 Home visit made by the school nurse\n"
        ">> PRIVRECORD the nurse seemed drunk\n"
        "13/03/2024 Letter sent to the family\n"
        "? PRIVQUERY was it ever sent\n"
        "14/03/2024 Case closed >> PRIVMID\n",
        encoding="utf-8",
    )
    result = import_file(store, review, record, agency="School")
    episode = store.episodes(review)[0].id
    assert result.entries
    for entry in result.entries:
        store.update(review, "chronology", entry, status="accepted", episode=episode)
    texts = _exports(store, method, review)
    _assert_absent(texts, "priv", ">>")
    assert "home visit made by the school nurse" in texts["md"]
    assert "letter sent to the family" in texts["md"]


# --- 3. dates whose month or season is a participant's name -----------------------------


def test_dates_are_kept_when_a_participant_shares_a_month_or_season_name(
    store: Store, method: Method, service: Service
) -> None:
    review, (may, *_) = _review(store, "May Lin", "Summer Hale", "Jan Early")
    talk = _talk(store, review, may)
    service.record_note(talk, "#new Home visit (3 May 2024)")
    dated = (
        "Seen on the 3rd of May, on May 3, on May 3rd, in summer 2024, in Early May, "
        "in early 2024, in late summer, last summer and in the summer of 2023"
    )
    service.record_note(talk, f"{dated} #1")
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert as_read(dated) in text, fmt


def test_month_and_season_names_are_redacted_when_used_as_names(
    store: Store, method: Method, service: Service
) -> None:
    review, (may, *_) = _review(store, "May Lin", "Summer Hale", "Jan Early")
    talk = _talk(store, review, may)
    service.record_note(talk, "#new Home visit (3 May 2024)")
    service.record_note(
        talk, "May rang. Summer said no. We told Summer and May. Mr Early rang; Early agreed #1"
    )
    for fmt, text in _exports(store, method, review).items():
        for name in ("may rang", "summer said", "told summer", "and may", "early rang",
                     "early agreed"):  # fmt: skip
            assert name not in text, (fmt, name)


def test_the_date_rule_in_the_register() -> None:
    register = Register(
        [
            Redaction("1", "May", "Carer", "participant", role=True),
            Redaction("2", "Summer", "Nurse", "participant", role=True),
            Redaction("3", "Early", "GP", "participant", role=True),
        ]
    )
    for kept in ("3rd of May", "on May 3", "May 3rd", "summer 2024", "Early May",
                 "early 2024", "mid-May", "end of May", "late summer", "the summer of 2023",
                 "summer term", "3\u2009May\u20092024", "3\u202fMay"):  # fmt: skip
        assert register.apply(kept) == kept, kept
    assert register.apply("May 12 said no") == "The carer 12 said no"
    assert register.apply("Summer rang") == "The nurse rang"
    assert register.apply("Early rang") == "The GP rang"
    assert register.apply("told Summer") == "told the nurse"


# --- 4. a registered name inside an organisation's name -----------------------------------


@pytest.mark.parametrize("agency", ["MarshCare Ltd", "OkaforHomes", "Care4Marsh Trust"])
def test_an_agency_holding_a_name_at_a_capital_stops_the_final_report(
    store: Store, method: Method, service: Service, agency: str
) -> None:
    review, (sam, *_) = _review(store, "Sam Okafor", "Helen Marsh")
    store.add_participant(review, role="Nurse", agency=agency, name="Pat Lee")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    with pytest.raises(IdentifyingDetails, match="agency"):
        export(store, method, review, "md", final=True)


def test_an_agency_with_a_name_only_inside_a_word_is_not_refused(
    store: Store, method: Method, service: Service
) -> None:
    """ "Marshfield" is a place, not Helen Marsh: only a capital boundary makes a name a
    part of a compound ("MarshCare"); the inside-a-word rule still redacts it in text."""
    review, (sam, _) = _review(store, "Sam Okafor", "Helen Marsh")
    store.add_participant(review, role="Nurse", agency="Marshfield Academy", name="Pat Lee")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    export(store, method, review, "md", final=True)


# --- 5. a name split across Word's formatting runs ----------------------------------------


def _word_record(path: Path, runs: list[tuple[str, bool, bool]]) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    for text, bold, italic in runs:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
    document.save(str(path))


@pytest.mark.parametrize(
    "runs",
    [[("12/03/2024 Seen by Ms O", False, False), ("kafor", True, False), (" at home", 0, 0)],
     [("12/03/2024 Seen by Ms Oka", False, True), ("for", True, False), (" at home", False, False)],
     [("12/03/2024 Seen by Ms ", False, False), ("O", True, False), ("ka", False, True),
      ("for", True, True), (" at home", False, False)]],
)  # fmt: skip
def test_a_name_split_by_formatting_runs_in_a_word_import_is_caught(
    store: Store, method: Method, service: Service, tmp_path: Path, runs: list
) -> None:
    from facilitator.importers import import_file

    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1")
    record = tmp_path / "record.docx"
    _word_record(record, runs)
    result = import_file(store, review, record, agency="School")
    episode = store.episodes(review)[0].id
    assert result.entries
    for entry in result.entries:
        store.update(review, "chronology", entry, status="accepted", episode=episode)
    texts = _exports(store, method, review)
    _assert_absent(texts, "okafor", "kafor")
    # python-docx reads the report back: the account is there, the name replaced whole.
    data = export(store, method, review, "docx", final=True)
    shown = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    shown += "\n".join(
        cell.text
        for table in docx.Document(io.BytesIO(data)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "at home" in shown and "kafor" not in shown.lower() and "*" not in shown


# --- 6. look-alike letters (UTS #39 confusables) and mathematical letters ------------------


@pytest.mark.parametrize(
    "written",
    ["\u0397\u0395L\u0395N rang", "\u039c\u0391RS\u0397 rang", "\u041e\u041a\u0410F\u041eR rang",
     "\u2c9fkafor rang", "Oka\u0192or rang",
     "\U0001d40e\U0001d424\U0001d41a\U0001d41f\U0001d428\U0001d42b rang",
     "\U0001d67e\U0001d694\U0001d68a\U0001d68f\U0001d698\U0001d69b rang",
     "\U0001f17e\U0001f17a\U0001f170\U0001f175\U0001f17e\U0001f181 rang",
     "\U0001f1f4\U0001f1f0\U0001f1e6\U0001f1eb\U0001f1f4\U0001f1f7 rang",
     "Ma\u0433sh rang", "\u0405am Okafor rang", "Okaf\u03c3r rang"],
)  # fmt: skip
def test_a_confusable_letter_does_not_hide_a_name(
    store: Store, method: Method, service: Service, written: str
) -> None:
    review, (sam, *_) = _review(store, "Sam Okafor", "Helen Marsh")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "okafor", "marsh", "helen", as_read(written.removesuffix(" rang")))
    assert "rang" in texts["md"]


def test_the_confusables_table_keeps_ordinary_text_as_it_is() -> None:
    """Digits, ASCII and ordinary accented Latin letters are not look-alikes of anything:
    "1 May 2024" must stay a date, "Zoë" is read by its accent rule."""
    from facilitator.reports.confusables import BEFORE_CASE, LOOK_ALIKES
    from facilitator.reports.normalise import fold_text

    assert not any(c.isascii() or c.isdigit() for c in [*BEFORE_CASE, *LOOK_ALIKES])
    assert all(v.isascii() and v.isalpha() for v in [*BEFORE_CASE.values(), *LOOK_ALIKES.values()])
    assert fold_text("1 May 2024, hmarsh01, Zoë") == "1 may 2024, hmarsh01, zoe"
    # A capital folds by its own look, not its small letter's: Greek Eta is H, eta n.
    assert fold_text("\u0397\u03b7") == "hn"
