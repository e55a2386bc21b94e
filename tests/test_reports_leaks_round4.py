"""Issue 13, hostile round 4 (tester h13): names written in ways the register missed.
Each is written as the tester wrote it. Most are checked on the register itself (what a
final report's text becomes, and what its scan says); one export per finding reads the
real reader's text in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.method import Method
from facilitator.reports import redaction
from facilitator.reports.export import export
from facilitator.reports.redaction import Register
from facilitator.service import Service
from facilitator.store import Store
from tests.test_reports_leaks_hostile import _exports


def _store_review(store: Store) -> str:
    review = store.create_review("Round four (fictional)", ["What happened?"])
    store.add_participant(
        review, role="Social worker", agency="Children's social care", name="Bethany Cole-Whitfield"
    )
    store.add_participant(
        review, role="Mother", agency="Family", kind="family", name="Amara Okonkwo",
        pseudonym="Ms A",
    )  # fmt: skip
    store.add_participant(
        review, role="Father", agency="Family", kind="family", name="Chidi Okonkwo",
        pseudonym="Mr B",
    )  # fmt: skip
    redaction.add(store, review, "Riverside Academy", "the school")
    redaction.add(store, review, "Northgate Surgery", "the surgery")
    redaction.add(store, review, "Millbrook", "the town")
    return review


@pytest.fixture
def register(store: Store) -> Register:
    return Register.for_review(store, _store_review(store))


def _gone(register: Register, text: str, *fragments: str) -> str:
    out = register.apply(text)
    for fragment in fragments:
        assert fragment.casefold() not in out.casefold(), (text, out)
    assert not register.scan([("note", out)]), out
    return out


# --- 1. ASCII look-alikes: I, 0, 1 and | for letters; rn for m, vv for w -------------


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("CoIe-WhitfieId visited", "whitfie"),
        ("visited 0konkw0 today", "konkw"),
        ("seen in M1llbrook", "llbrook"),
        ("Arnara rang", "arnara"),
        ("Okonkvvo rang", "konkvvo"),
        ("Bethany C0le rang", "c0le"),
        ("Whitf|eld rang", "whitf|eld"),
    ],
)
def test_ascii_look_alikes_of_a_name_are_caught(
    register: Register, written: str, fragment: str
) -> None:
    _gone(register, written, fragment)


def test_look_alikes_do_not_catch_everyday_words(register: Register) -> None:
    text = "On 10 May all 11 children were seen; the torn coat was cold."
    assert register.apply(text) == text


def test_a_role_naming_someone_in_look_alikes_is_refused(store: Store) -> None:
    review = _store_review(store)
    person = store.add_participant(
        review, role="CoIe's manager", agency="Children's social care", name="Ann Lee"
    )
    register = Register.for_review(store, review)
    problems = redaction.identifying_details(store.participants(review), register.entries)
    assert any("role" in p and "Cole" in p for p in problems), problems
    assert person


# --- 2. enclosing and other marks of class 0 -------------------------------------


@pytest.mark.parametrize(
    "written",
    ["O\u20ddkonkwo rang", "Okon\u20e3kwo rang", "Okonk\u0489wo rang", "Okon\u0e31kwo rang"],
)
def test_every_mark_inside_a_name_is_read_through(register: Register, written: str) -> None:
    _gone(register, written, "konk", "kwo")


# --- 3. a name broken by a hyphen, dot, slash, middle dot or tab -----------------


@pytest.mark.parametrize(
    "written",
    ["Okon- kwo rang", "Okon.kwo rang", "Okon\u00b7kwo rang", "Okon/kwo rang",
     "Oko-nkwo rang", "Okon\u2011kwo rang", "Oko\tnkwo rang", "Okon -kwo rang"],
)  # fmt: skip
def test_a_name_broken_by_punctuation_is_caught(register: Register, written: str) -> None:
    _gone(register, written, "okon", "nkwo")


def test_a_double_barrelled_half_broken_is_caught(register: Register) -> None:
    _gone(register, "Whit- field rang", "whit")


@pytest.mark.parametrize("written", ["seen in Mill brook", "Oko nkwo was at home"])
def test_a_name_broken_by_a_space_stops_the_final_report(register: Register, written: str) -> None:
    out = register.apply(written)
    leaks = register.scan([("line 3", out)])
    assert leaks, out
    assert "space" in leaks[0].line()


def test_ordinary_words_with_a_space_are_not_a_broken_name(register: Register) -> None:
    assert not register.scan([("note", "the mill brook ran high; Mill road")])


# --- 4. the distinctive word of a registered place -------------------------------


@pytest.mark.parametrize(
    ("written", "fragment"),
    [("the pupil at Riverside", "riverside"), ("Northgate's reception said no", "northgate")],
)
def test_the_distinctive_word_of_a_place_is_caught(
    register: Register, written: str, fragment: str
) -> None:
    out = _gone(register, written, fragment)
    assert "the school" in out or "the surgery" in out


def test_a_place_word_in_lower_case_is_the_word(register: Register) -> None:
    text = "a walk by the riverside"
    assert register.apply(text) == text


# --- 5. a family surname that is a season --------------------------------------


@pytest.mark.parametrize(
    "written",
    ["the Winter children were at home", "the Winter family", "that Winter house was cold"],
)
def test_a_capitalised_season_before_a_word_is_the_name(store: Store, written: str) -> None:
    review = store.create_review("Seasons (fictional)", ["What happened?"])
    store.add_participant(
        review, role="Grandmother", agency="Family", kind="family", name="Dorothy Winter",
        pseudonym="Mrs C",
    )  # fmt: skip
    register = Register.for_review(store, review)
    out = register.apply(written)
    assert "winter" not in out.casefold(), out
    # Dates stay dates.
    for date in ("the winter term", "last winter", "in the Winter, we", "winter 2024"):
        assert register.apply(date) == date


# --- every format, read back by its real reader ------------------------------------


def test_round_four_variants_leave_every_final_format(
    store: Store, method: Method, service: Service
) -> None:
    review = _store_review(store)
    social = store.participants(review)[0].id
    talk = store.conversation(store.new_conversation(review, social, lead="Lee Ruiz"))
    service.record_note(talk, "#new Home visit (3 March 2024)")
    # A first name with each surname: "Okonkwo" alone could be either parent (finding 10).
    for line in ("CoIe-WhitfieId visited Amara 0konkw0 in M1llbrook",
                 "Chidi O\u20ddkonkwo and Amara Okon\u20e3kwo",
                 "Chidi Okon- kwo and Amara Okon.kwo", "the pupil at Riverside"):  # fmt: skip
        service.record_note(talk, f"{line} #1")
    texts = _exports(store, method, review)
    for fmt, text in texts.items():
        for fragment in ("konkw", "whitfie", "llbrook", "riverside", "okon"):
            assert fragment not in text.replace("0", "o"), (fmt, fragment)
    assert export(store, method, review, "md", final=True)


# --- 10. a surname two participants share ------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Mr Okonkwo shouted at Ms Okonkwo", "Mr B shouted at Ms A"),
        ("Okonkwo (father) left", "Mr B (father) left"),
        ("Amara Okonkwo and Chidi Okonkwo came", "Ms A and Mr B came"),
    ],
)
def test_a_shared_surname_takes_the_pseudonym_its_title_or_role_says(
    register: Register, written: str, expected: str
) -> None:
    assert register.apply(written) == expected
    assert not register.ambiguous


def test_a_shared_surname_alone_stops_the_final_report(
    store: Store, method: Method, service: Service
) -> None:
    review = _store_review(store)
    social = store.participants(review)[0].id
    talk = store.conversation(store.new_conversation(review, social, lead="Lee Ruiz"))
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "Okonkwo shouted #1")
    for fmt in ("md", "docx", "qdpx"):
        with pytest.raises(redaction.AmbiguousNames) as refused:
            export(store, method, review, fmt, final=True)
        assert "Okonkwo shouted" in str(refused.value)
        assert "'Mr B' or 'Ms A'" in str(refused.value)


# --- 11. a name part that is an everyday word -------------------------------------


def _will_young(store: Store, service: Service) -> str:
    review = store.create_review("Everyday (fictional)", ["What happened?"])
    nurse = store.add_participant(review, role="Practice nurse", agency="Health", name="Will Young")
    talk = store.conversation(store.new_conversation(review, nurse, lead="Lee Ruiz"))
    service.record_note(talk, "#new Home visit (3 March 2024)")
    service.record_note(talk, "she will call; the young child was seen; Will rang. #1")
    return review


def test_an_everyday_name_part_in_lower_case_is_the_word(store: Store, service: Service) -> None:
    review = _will_young(store, service)
    register = Register.for_review(store, review)
    out = register.apply("she will call; the young child was seen; Will rang, Young said")
    assert out == (
        "she will call; the young child was seen; the practice nurse rang, the practice nurse said"
    )
    assert set(register.kept) == {"will", "young"}


def test_an_everyday_name_part_stops_the_final_report_until_confirmed(
    store: Store, method: Method, service: Service
) -> None:
    review = _will_young(store, service)
    with pytest.raises(redaction.EverydayWords) as refused:
        export(store, method, review, "md", final=True)
    assert "she will call" in str(refused.value)
    assert "--everyday will --everyday young" in str(refused.value)
    text = export(store, method, review, "md", final=True, everyday=("will", "young")).decode()
    assert "she will call; the young child was seen; the practice nurse rang" in text


def test_the_cli_confirms_everyday_words(
    store: Store, service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from facilitator.cli.main import main

    review = _will_young(store, service)
    path = store.path
    store.close()
    out = tmp_path / "final.md"
    args = ["--store", str(path), "export", review, "--format", "md", "--final", "-o", str(out)]
    with pytest.raises(SystemExit) as refused:
        main(args)
    assert refused.value.code == 1 and not out.exists()
    assert "--everyday will" in capsys.readouterr().err
    main([*args, "--everyday", "will", "--everyday", "Young"])
    assert "she will call" in out.read_text(encoding="utf-8")


def test_the_codebooks_prompts_are_our_words_in_a_final_qdpx(
    store: Store, method: Method, service: Service
) -> None:
    import io
    import zipfile

    review = store.create_review("Codebook (fictional)", ["What happened?"])
    person = store.add_participant(review, role="Worker A", agency="Agency", name="Ali Long")
    talk = store.conversation(store.new_conversation(review, person, lead="Lee Ruiz"))
    service.record_note(talk, "#new Home visit (3 May 2024)")
    service.record_note(talk, "Long rang #1")
    data = export(store, method, review, "qdpx", final=True)
    project = zipfile.ZipFile(io.BytesIO(data)).read("project.qde").decode()
    # The guide's prompts, joined for a factor's description, are not redacted as if the
    # team had written them ("How the worker A had the difficulties gone on").
    assert "How long had the difficulties" in project


# --- 12. replacement wording ----------------------------------------------------------


def test_a_title_with_no_space_goes_with_the_name(store: Store) -> None:
    review = store.create_review("Wording (fictional)", ["What happened?"])
    store.add_participant(review, role="GP", agency="General practice", name="Lin Ng")
    register = Register.for_review(store, review)
    assert register.apply("Seen by Dr.Ng today") == "Seen by the GP today"


def test_two_reviewers_named_together_are_the_review_team_once(store: Store) -> None:
    review = store.create_review("Wording (fictional)", ["What happened?"])
    store.add_participant(review, role="GP", agency="General practice", name="Lin Ng")
    person = store.participants(review)[0].id
    store.new_conversation(review, person, lead="Rosalind Pike", note_taker="Quentin Harbottle")
    register = Register.for_review(store, review)
    assert register.apply("Seen by Rosalind and Quentin.") == "Seen by the review team."


def test_a_shared_surname_as_a_plural_is_ambiguous(register: Register) -> None:
    register.apply("The Okonkwos argued")
    assert [written for written, _ in register.ambiguous] == ["Okonkwos"]


def test_a_role_title_before_a_name_goes_with_it(register: Register) -> None:
    assert register.apply("Nurse Whitfield rang") == "The social worker rang"
    assert register.apply("seen by PC Cole-Whitfield") == "seen by the social worker"
