"""Leaks a hostile tester found in the public (--final) report, each written the way the
tester wrote it, exported in every format and read back by the real reader of each
(a CommonMark renderer, python-docx and every XML part, lxml against the REFI-QDA
schema). A final report either leaves the name out or refuses to be written: here it
must leave it out, since each of these can be redacted."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.test_reports_final import _validate
from tests.test_reports_leak_property import as_read, read_back

FORMATS = ("md", "docx", "qdpx")


def _review(store: Store, *names: str) -> tuple[str, list[str]]:
    review = store.create_review("Hostile review (fictional)", ["What happened?"])
    people = [
        store.add_participant(review, role=f"Worker {chr(65 + i)}", agency="Agency", name=name)
        for i, name in enumerate(names)
    ]
    return review, people


def _talk(store: Store, review: str, person: str, lead: str = "Lee Ruiz"):  # noqa: ANN202
    return store.conversation(store.new_conversation(review, person, lead=lead))


def seen_by_reader(fmt: str, data: bytes) -> str:
    """What a reader takes in: the real reader's text, folded, with what a reader's eye
    joins joined (a word broken by a hyphen at a line end, emphasis marks, the dotless i)."""
    text = as_read(read_back(fmt, data)).replace("ı", "i")
    text = re.sub(r"-[ \t]*\n[ \t]*", "", text)
    return re.sub(r"[*_`~]", "", text)


def _exports(store: Store, method: Method, review: str) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        data = export(store, method, review, fmt, final=True)
        if fmt == "qdpx":
            _validate(data)
        out[fmt] = seen_by_reader(fmt, data)
    return out


def _assert_absent(texts: dict[str, str], *fragments: str) -> None:
    for fmt, text in texts.items():
        for fragment in fragments:
            assert fragment not in text, (fmt, fragment)


# --- 1. HTML entities -------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Oka&#102;or rang", "Oka&#x66;or rang", "Oka&shy;for rang", "O&#39;Brien rang",
     "O&apos;Brien rang", "&#79;kafor rang", "Okafor&#8203; rang"],
)  # fmt: skip
def test_html_entities_in_a_note_do_not_spell_a_name(
    store: Store, method: Method, service: Service, written: str
) -> None:
    review, (sam, _) = _review(store, "Sam Okafor", "Niamh O'Brien")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    _assert_absent(_exports(store, method, review), "okafor", "brien")


def test_an_ampersand_in_user_text_reads_as_written_in_markdown(
    store: Store, method: Method, service: Service
) -> None:
    """What a CommonMark reader shows is what was checked: "&amp;" stays five characters."""
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Wrote &amp; and &copy; and Tom & Jerry #1")
    source = export(store, method, review, "md", final=True).decode()
    shown = html.unescape(re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(source)))
    assert "Wrote &amp; and &copy; and Tom & Jerry" in shown


def test_html_entities_in_an_imported_record_do_not_spell_a_name(
    store: Store, method: Method, service: Service, tmp_path: Path
) -> None:
    from facilitator.importers import import_file

    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    record = tmp_path / "record.md"
    record.write_text("12/03/2024 Oka&#102;or seen at home by O&#39;Kafor.\n", encoding="utf-8")
    result = import_file(store, review, record, agency="School")
    episode = store.episodes(review)[0].id
    for entry in result.entries:
        store.update(review, "chronology", entry, status="accepted", episode=episode)
    _assert_absent(_exports(store, method, review), "okafor")


# --- 2. spelling variants -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written", "fragment"),
    [
        ("Niamh O'Brien", "OBrien rang", "obrien"),
        ("Niamh O'Brien", "O Brien rang", "o brien"),
        ("Ravi D'Souza", "D Souza rang", "d souza"),
        ("Niamh O'Brien", "O`Brien rang", "brien"),
        ("Niamh O'Brien", "O\u02b9Brien rang", "brien"),
        ("Niamh O'Brien", "O\u00b4Brien rang", "brien"),
        ("Niamh O'Brien", "O\u02c8Brien rang", "brien"),
        ("Sam Okafor", "the Okafors rang", "okafor"),
        ("Sam Okafor", "the Okafores rang", "okafor"),
        ("Samantha Okafor", "see SamanthaOkafor_notes", "okafor"),
        ("Sam Okafor", "see OkaforNotes", "okafor"),
        ("Sam Okafor", "MrsOkafor rang", "okafor"),
        ("Zoë Hart", "see ZoëNotes", "zoe"),
        ("Pat Quinlan", "Qu\u0131nlan rang", "quinlan"),
        ("Sam Pirie", "P\u0131r\u0131e rang", "pirie"),
        ("Sam Okafor", "Okafor様 rang", "okafor"),
        ("Sam Okafor", "Okafor的 rang", "okafor"),
        ("Sam Okafor", "Okaforครับ rang", "okafor"),
        ("Sam Okafor", "山田Okafor rang", "okafor"),
    ],
)
def test_spelling_variants_of_a_name_are_caught(
    store: Store, method: Method, service: Service, name: str, written: str, fragment: str
) -> None:
    review, (person,) = _review(store, name)
    talk = _talk(store, review, person)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    _assert_absent(_exports(store, method, review), fragment)


# --- 3. an invisible character between two registered parts ----------------------


@pytest.mark.parametrize("joiner", ["\u00ad", "\u200b", "\u2060", "\ufeff", ""])
def test_an_invisible_character_between_two_names_hides_neither(
    store: Store, method: Method, service: Service, joiner: str
) -> None:
    review, (smith, _) = _review(store, "Ann Smith", "Bo Jones")
    talk = _talk(store, review, smith)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"Smith{joiner}Jones rang #1")
    # With no mark at all, the capital starts the second name ("SmithJones").
    _assert_absent(_exports(store, method, review), "smith", "jones")


# --- 4. imported records: hyphen-broken and Word emphasis runs -----------------------


@pytest.mark.parametrize(
    "line",
    ["Oka-\nfor seen at home", "Oka-  \n  for seen at home", "**Oka**for seen at home",
     "*Oka*_for_ seen at home", "Oka**for** seen at home", "O**kafor** seen at home"],
)  # fmt: skip
def test_a_name_split_in_an_imported_record_is_caught(
    store: Store, method: Method, service: Service, tmp_path: Path, line: str
) -> None:
    from facilitator.importers import import_file

    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    record = tmp_path / "record.md"
    record.write_text(f"12/03/2024 {line}\n", encoding="utf-8")
    result = import_file(store, review, record, agency="School")
    episode = store.episodes(review)[0].id
    assert result.entries
    for entry in result.entries:
        store.update(review, "chronology", entry, status="accepted", episode=episode)
    # The same text in a note, too (a record pasted into the note box).
    service.record_note(talk, f"{line} #1")
    _assert_absent(_exports(store, method, review), "okafor")


# --- 5. reviewers ---------------------------------------------------------------------


def test_a_reviewers_surname_alone_is_caught(
    store: Store, method: Method, service: Service
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam, lead="Pat Quinlan")
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Quinlan asked about the visit #1")
    _assert_absent(_exports(store, method, review), "quinlan")


def test_a_reviewer_known_only_as_an_author_is_caught(
    tmp_path: Path, method: Method, store: Store, service: Service
) -> None:
    """Notes added with ``--as NAME`` (or episodes edited so) name a reviewer who is
    neither the lead nor the note-taker, and whose note may since have been edited."""
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    with Store(store.path, author="Morwenna Trelawny") as other:
        Service(other, method).record_note(other.conversation(talk.id), "Seen at home #1")
        episode = other.episodes(review)[0].id
        other.update(review, "episode", episode, description="Checked by the review team")
    store._reload_identity()
    note = next(n for n in store.notes(review=review) if n.text.startswith("Seen"))
    store.revise_note(note, "Trelawny saw the child at home #1")
    store.update(review, "note", note.id, author="Jordan")
    assert "Morwenna Trelawny" not in store.distinct("notes", "author", review)
    _assert_absent(_exports(store, method, review), "trelawny", "morwenna")


# --- 6. private lines in a multi-line note ----------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["Seen at home #1\n>> we think the manager was out of her depth",
     "Seen at home #1\n  >> we think the manager was out of her depth",
     "Seen at home #1\n? we think the manager was out of her depth",
     "Seen at home #1\n\u200b>> we think the manager was out of her depth",
     "Seen at home #1\n\uff1e\uff1e we think the manager was out of her depth",
     "Seen at home #1\n\uff1f we think the manager was out of her depth",
     "Seen at home #1\n>> private:\nwe think the manager was out of her depth",
     "+ Good handover #1\n>> we think the manager was out of her depth",
     "! Differs from the school #1\n? we think the manager was out of her depth"],
)  # fmt: skip
def test_a_private_line_in_a_multi_line_note_stays_out(
    store: Store, method: Method, service: Service, typed: str
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, typed)
    texts = _exports(store, method, review)
    _assert_absent(texts, "out of her depth")
    first = as_read(typed.split("\n")[0].lstrip("+! ").replace(" #1", ""))
    assert first in texts["md"], first  # the note's public line is still reported


# --- 7. episodes created from private notes ---------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [">> #new Manager out of her depth (3 March 2024)",
     "? #new Manager out of her depth (3 March 2024)",
     "Seen at home\n>> #new Manager out of her depth (3 March 2024)"],
)  # fmt: skip
def test_an_episode_titled_in_a_private_note_keeps_its_title_out(
    store: Store, method: Method, service: Service, typed: str
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, typed)
    service.record_note(talk, "The manager visited #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "out of her depth")
    assert "the manager visited" in texts["md"]
    # Renamed by the team, the episode shows its new title.
    from facilitator.analysis.episodes import rename_episode

    rename_episode(store, review, store.episodes(review)[0].id, "Manager's visit")
    assert "manager's visit" in _exports(store, method, review)["md"]


# --- 8. names that are common words; our own words stay ----------------------------------


@pytest.mark.parametrize(
    "name",
    ["Page", "Case", "Long", "May", "Key", "Gap", "Will", "Heading", "Grid", "List", "Yellow"],
)
def test_a_name_that_is_a_common_word_does_not_block_the_report(
    store: Store, method: Method, service: Service, name: str
) -> None:
    review, (person,) = _review(store, f"Ali {name}")
    talk = _talk(store, review, person)
    service.record_note(talk, "#new Home visit (3 May 2024)")
    service.record_note(talk, f"{name} rang in May 2024 and on 4 May #1")
    texts = _exports(store, method, review)  # exits 0 in every format
    for fmt, text in texts.items():
        assert not re.search(rf"\b{name.lower()} rang\b", text), fmt
    md = texts["md"]
    assert "key practice episodes" in md  # our headings are not redacted
    assert "in may 2024" in md and "4 may" in md and "3 may 2024" in md


def test_may_as_a_name_next_to_a_number_that_is_not_a_date_is_redacted(
    store: Store, method: Method, service: Service
) -> None:
    review, (person,) = _review(store, "May Lin")
    talk = _talk(store, review, person)
    service.record_note(talk, "#new Home visit (3 May 2024)")
    service.record_note(talk, "May rang 3 times; May 12 said no; told May #1")
    md = _exports(store, method, review)["md"]
    assert "may rang" not in md and "may 12" not in md and "told may" not in md


def test_unicode_folding_does_not_hide_an_ascii_fast_path_difference() -> None:
    from facilitator.reports.normalise import fold

    assert fold("O`Brien").text == "o'brien"
    assert fold("P\u0131r\u0131e").text == "pirie"
    assert unicodedata.normalize("NFC", "x") == "x"


@pytest.mark.parametrize(
    ("text", "public"),
    [("Seen\n>> mine", "Seen"), ("Seen\n" + " " * 30 + ">> mine", "Seen"),
     ("Seen\n\u200b \u200b>> mine\nmore", "Seen"), ("Seen\n» mine", "Seen"),
     ("Seen\nthen ? not a query", "Seen\nthen ? not a query"), ("Seen", "Seen"),
     ("\u200b>> mine", ""), ("\uff1e\uff1e mine", ""), ("\u00a0? mine", "")],
)  # fmt: skip
def test_the_public_part_of_a_note(method: Method, text: str, public: str) -> None:
    from facilitator.capture import split_private

    assert split_private(text, "observation", method)[0] == public
    assert split_private(text, "reflection", method)[0] == ""


# --- second hostile test: 1. a private marker after tags; 11. every line break ----------


@pytest.mark.parametrize(
    "typed",
    ["#1 >> PRIVTWO reflection", "#1 @role- >> PRIVONE", "#1 ? PRIVEIGHT",
     "@role ? PRIVNINE #1", "#E1 @lr-opt >> PRIVTEN", "#1 ! >> PRIVELEVEN",
     "#1 \uff1e\uff1e PRIVFULL", "Seen at home #1 >> PRIVMID",
     "#1 mac line\r>> PRIVCR", "#1 sep\u2028>> PRIVLS", "#1 nel\x85>> PRIVNEL",
     "#1 ff\x0c>> PRIVFF", "#1 vt\x0b? PRIVVT", "#1 ps\u2029>> PRIVPS"],
)  # fmt: skip
def test_a_private_marker_after_tags_or_any_line_break_stays_out(
    store: Store, method: Method, service: Service, typed: str
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, typed)
    _assert_absent(_exports(store, method, review), "priv")


@pytest.mark.parametrize(
    ("text", "public"),
    [("#1 >> mine", ""), ("#1 @role- >> mine", ""), ("@role ? mine", ""),
     ("#1 ? mine", ""), ("Seen #1\n#2 >> mine", "Seen #1"), ("Seen >> mine", "Seen"),
     ("Seen\r>> mine", "Seen"), ("Seen\u2028? mine", "Seen"), ("Seen\r\n>> mine", "Seen"),
     ("Seen\x85>> mine", "Seen"), ("Seen\rmore", "Seen\rmore"),
     ("Is it? yes", "Is it? yes"), ("#1 seen", "#1 seen"), ("a>>b", "a")],
)  # fmt: skip
def test_the_grammar_reads_a_private_marker_after_tags(
    method: Method, text: str, public: str
) -> None:
    from facilitator.capture import split_private

    assert split_private(text, "observation", method)[0] == public


def test_a_new_episode_title_stops_at_a_private_marker(method: Method) -> None:
    from facilitator.capture import parse, private_episode_titles

    typed = "#new PUBTITLE >> PRIVATE words (June 2024)"
    (episode,) = parse(typed, method).new_episodes
    assert episode.title == "PUBTITLE" and episode.date is None
    assert private_episode_titles("#1 >> #new Secret visit", "observation", method) == [
        "Secret visit"
    ]


def test_a_new_episode_with_a_private_tail_publishes_only_its_title(
    store: Store, method: Method, service: Service
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new PUBTITLE >> PRIVSEVENTEEN reflection")
    service.record_note(talk, "The manager visited #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "priv")
    assert "pubtitle" in texts["md"]


# --- 2. the date of an episode titled in private -----------------------------------------


@pytest.mark.parametrize(
    "typed",
    [">> #new Crisis (week the worker was drunk, June 2024)",
     "? #new Crisis (week the worker was drunk, June 2024)",
     "#2 >> #new Crisis (week the worker was drunk, June 2024)"],
)  # fmt: skip
def test_the_date_of_an_episode_titled_in_private_keeps_its_words_out(
    store: Store, method: Method, service: Service, typed: str
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, typed)
    service.record_note(talk, "The manager visited #2")
    texts = _exports(store, method, review)
    _assert_absent(texts, "drunk", "crisis")
    assert "untitled episode" in texts["md"]


def test_an_episode_titled_in_private_keeps_the_period_its_date_was_read_as(
    store: Store, method: Method, service: Service
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, ">> #new Crisis (mid-June 2024)")
    service.record_note(talk, "The manager visited #1")
    md = _exports(store, method, review)["md"]
    assert "crisis" not in md and "mid-june" not in md
    assert "untitled episode" in md and "june 2024" in md


# --- 3. reviewer names written as log-ins; 4. parts of a team entry; 14. replacements ----


@pytest.mark.parametrize(
    ("author", "written"),
    [("Jo.Smith", "Smith"), ("j.smith@council.gov.uk", "Smith"), ("k_taylor", "Taylor"),
     ("Quinlan_Reviewer", "Quinlan"), ("hmarsh01", "hmarsh")],
)  # fmt: skip
def test_a_reviewer_named_as_a_log_in_is_caught_by_each_part(
    store: Store, method: Method, service: Service, author: str, written: str
) -> None:
    review, (sam,) = _review(store, "Sam Okafor")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    with Store(store.path, author=author) as other:
        Service(other, method).record_note(other.conversation(talk.id), "Seen at home #1")
    service.record_note(talk, f"{written} asked about the visit #1")
    _assert_absent(_exports(store, method, review), written.lower())


def test_an_agency_named_after_a_reviewer_stops_the_final_report(
    store: Store, method: Method, service: Service
) -> None:
    from facilitator.reports.redaction import IdentifyingDetails

    review = store.create_review("Hostile review (fictional)", ["What happened?"])
    sam = store.add_participant(review, role="Mother", agency="Smith's Agency", name="Sam Okafor")
    talk = _talk(store, review, sam, lead="Jo.Smith")
    service.record_note(talk, "#new Home visit (3 March 2024)")
    with pytest.raises(IdentifyingDetails, match="Smith"):
        export(store, method, review, "md", final=True)


@pytest.mark.parametrize("written", ["Priya", "Nair", "PRIYA", "Priya's"])
def test_each_part_of_a_persons_name_the_team_registered_is_caught(
    store: Store, method: Method, service: Service, written: str
) -> None:
    from facilitator.reports.redaction import add

    review, (sam,) = _review(store, "Sam Okafor")
    add(store, review, "Priya Nair", "the child")
    add(store, review, "Riverside Academy", "the school")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} was seen at the Academy on her own #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "priya", "nair")
    assert "the academy on her own" in texts["md"]  # a place's common word stays


def test_a_replacement_that_names_someone_is_refused_when_added(store: Store) -> None:
    from facilitator.reports.redaction import add
    from facilitator.store.db import StoreError

    review, _ = _review(store, "Kim Child")
    with pytest.raises(StoreError, match="replacement 'the child'.*'Child'"):
        add(store, review, "Priya Nair", "the child")


# --- 10. text from edited guides ---------------------------------------------------------


def test_names_in_edited_guides_are_redacted_in_a_final_report(
    tmp_path: Path, store: Store, service: Service
) -> None:
    import shutil

    from facilitator.analysis.patterns import add_pattern, add_recommendation
    from facilitator.method import default_guides_dir, load_method

    guides = tmp_path / "guides"
    shutil.copytree(default_guides_dir(), guides)
    for name, old, new in (
        ("recommendations.md", "## clear-cut: Clear-cut and locally actionable",
         "## clear-cut: Clear-cut, for Okafor and Riverside Academy"),
        ("factors.md", "## family: The family and their circumstances",
         "## family: The Okafor family and their circumstances"),
        ("factors.md", "- Did the professionals involved agree about what the problems were?",
         "- Did Helen Marsh and the staff at Riverside Academy agree about the problems?"),
        ("patterns.md", "## human-tool: Human-tool operation",
         "## human-tool: Marsh's tool operation"),
    ):  # fmt: skip
        path = guides / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new))
    method = load_method(guides)
    review, (sam, _) = _review(store, "Sam Okafor", "Helen Marsh")
    from facilitator.reports.redaction import add

    add(store, review, "Riverside Academy", "the school")
    talk = _talk(store, review, sam)
    service = Service(store, method)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at home #1 @family")
    pattern = add_pattern(
        store, review, method, type="human-tool", title="Forms steer", factors=["family"]
    )
    add_recommendation(store, review, method, kind="clear-cut", text="One form", pattern=pattern)
    texts = _exports(store, method, review)
    _assert_absent(texts, "okafor", "marsh", "riverside")
    assert "clear-cut, for" in texts["md"]  # the guide's own words around the names stay


# --- 5. letters with a stroke or ligature; 6. bidi overrides ----------------------------


@pytest.mark.parametrize(
    ("name", "written"),
    [("Łucja Ørsted-Đurić", "Lucja"), ("Łucja Ørsted-Đurić", "Orsted"),
     ("Łucja Ørsted-Đurić", "Duric"), ("Søren Müller", "Soren"), ("Søren Müller", "Soeren"),
     ("Søren Müller", "Mueller"), ("Æsa Ħelen", "Aesa"), ("Æsa Ħelen", "Helen"),
     ("Lukasz Nowak", "Łukasz"), ("Jonas Mueller", "Müller"), ("Hans Strauß", "Strauss")],
)  # fmt: skip
def test_a_letter_with_a_stroke_or_a_ligature_does_not_hide_a_name(
    store: Store, method: Method, service: Service, name: str, written: str
) -> None:
    review, (person,) = _review(store, name)
    talk = _talk(store, review, person)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} rang the office #1")
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        assert "rang the office" in text and f"{as_read(written)} rang" not in text, fmt


@pytest.mark.parametrize(
    "written", ["\u202ehsraM neleH\u202c said so", "\u2067rofakO\u2069 said so",
                "\u202dOkafor\u202c said so", "x \u200f\u202eMarsh\u202c said so"]
)  # fmt: skip
def test_no_bidi_control_reaches_a_final_report(
    store: Store, method: Method, service: Service, written: str
) -> None:
    review, (sam, _) = _review(store, "Sam Okafor", "Helen Marsh")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    for fmt in FORMATS:
        text = read_back(fmt, export(store, method, review, fmt, final=True))
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", text), fmt
        assert "okafor" not in as_read(text) and "marsh" not in as_read(text), fmt


# --- 8. a name joined to other letters --------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["hmarsh@council.gov.uk wrote", "helenm@nhs.net wrote", "okaforsam@gmail.com wrote",
     "HMARSH wrote", "hmarsh01 wrote", "SOkafor wrote", "zobrien wrote", "marshhelen wrote",
     "Okaforx wrote"],
)  # fmt: skip
def test_a_name_joined_to_other_letters_is_caught(
    store: Store, method: Method, service: Service, written: str
) -> None:
    review, (sam, *_) = _review(store, "Sam Okafor", "Helen Marsh", "Zoë O'Brien-Whyte")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "okafor", "marsh", "helen", "obrien")
    assert "wrote" in texts["md"]


# --- 7. look-alikes beyond Cyrillic and Greek -------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["ʜᴇʟᴇɴ ᴍᴀʀꜱʜ rang", "Օkafor rang", "Ꮇarsh rang", "ꓳkafor rang", "Sɑm Okɑfor rang",
     "Ꙩkafor rang", "⒨⒜⒭⒮⒣ rang", "محـــمد rang"],
)  # fmt: skip
def test_a_look_alike_from_another_script_does_not_hide_a_name(
    store: Store, method: Method, service: Service, written: str
) -> None:
    review, (sam, *_) = _review(store, "Sam Okafor", "Helen Marsh", "محمد علي")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, f"{written} #1")
    texts = _exports(store, method, review)
    # The reader's text is folded only as far as as_read goes: the look-alike itself,
    # folded the same way, must be gone too.
    _assert_absent(texts, "okafor", "marsh", "helen", "محمد", as_read(written[:-5]))
    assert "rang" in texts["md"]


# --- 16. a name run into another word is replaced whole, not half ------------------------


def test_a_name_run_into_an_agency_is_not_half_replaced(
    store: Store, method: Method, service: Service
) -> None:
    review = store.create_review("Hostile review (fictional)", ["What happened?"])
    sam = store.add_participant(review, role="Social worker", agency="Agency", name="Helen Marsh")
    # (An agency named "MarshCare Ltd" now stops the final report: see
    # test_reports_leaks_fifth.py.)
    store.add_participant(review, role="Nurse", agency="Riverside Care Ltd", name="Pat Lee")
    talk = _talk(store, review, sam)
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Seen at MarshCare on Monday #1")
    texts = _exports(store, method, review)
    _assert_absent(texts, "marsh", "workercare")
