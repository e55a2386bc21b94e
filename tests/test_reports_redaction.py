"""Final reports: the register, its application, and the scan that refuses leaks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from facilitator.method import Method
from facilitator.reports import redaction
from facilitator.reports.export import export
from facilitator.reports.redaction import LeakFound, Redaction, Register
from facilitator.service import Service
from facilitator.store import Store
from facilitator.store.db import StoreError
from tests.review_fixture import ReviewFixture, build_review_fixture


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def register(*pairs: tuple[str, str]) -> Register:
    return Register(Redaction(str(i), t, r, "team") for i, (t, r) in enumerate(pairs))


@pytest.mark.parametrize(
    "text",
    [
        "Sam Okafor visited",
        "SAM OKAFOR visited",
        "Sam's caseload",
        "Sam’s caseload",
        "as Sam\nOkafor said",
        "as Sam  \n  Okafor said",
        "okafor, sam",
    ],
)
def test_scan_finds_identifiers_in_any_case_possessive_or_broken_line(text: str) -> None:
    reg = register(("Sam Okafor", "Social worker"), ("Sam", "Social worker"), ("Okafor", "SW"))
    leaks = reg.scan([("line 7", text)])
    assert leaks and leaks[0].where == "line 7"


def test_scan_matches_whole_words_only() -> None:
    reg = register(("Tom", "Class teacher"), ("Nair", "Health visitor"))
    assert reg.scan([("x", "Tomorrow we flew from Lagos; a tomato")]) == []
    # A name of four letters or more inside a longer word is taken for a log-in or an
    # address ("hnair01"): a final report would rather lose "Nairobi" than publish one.
    assert [leak.identifier for leak in reg.scan([("x", "flew from Nairobi")])] == ["Nair"]


def test_apply_replaces_longest_first_keeping_possessives() -> None:
    reg = register(("Sam Okafor", "the social worker"), ("Sam", "the social worker"))
    text = "SAM OKAFOR said Sam's notes were late; sam\nOkafor agreed"
    assert reg.apply(text) == (
        "the social worker said the social worker's notes were late; the social worker agreed"
    )


def test_participants_are_registered_automatically(store: Store, fixture: ReviewFixture) -> None:
    reg = Register.for_review(store, fixture.review)
    entries = {(e.text, e.replacement, e.source) for e in reg.entries}
    assert ("Ana Lopes", "Social worker", "participant") in entries
    assert ("Lopes", "Social worker", "participant") in entries
    assert ("Eva Frost", "GP", "participant") in entries


def test_family_members_get_their_pseudonym(store: Store) -> None:
    review = store.create_review("Family")
    mother = store.add_participant(
        review, role="Mother", agency="Family", kind="family", name="Mrs Jane Hill"
    )
    store.update(review, "participant", mother, pseudonym="Ms A")
    reg = Register.for_review(store, review)
    assert reg.apply("Mrs Jane Hill and Jane's sister") == "Ms A and Ms A's sister"
    assert "Mrs" not in {e.text for e in reg.entries}


def test_register_refuses_replacement_containing_the_text(store: Store) -> None:
    review = store.create_review("R")
    with pytest.raises(StoreError, match="contains"):
        redaction.add(store, review, "Oakfield", "Oakfield school")
    redaction.add(store, review, "Oakfield", "the primary school")
    with pytest.raises(StoreError, match="already registered"):
        redaction.add(store, review, "oakfield", "a school")


def test_final_report_replaces_names_and_registered_places(
    store: Store, method: Method, fixture: ReviewFixture
):
    redaction.add(store, fixture.review, "Northfield", "the school's area")
    text = export(store, method, fixture.review, "md", final=True).decode()
    assert text.splitlines()[2].startswith("**Final report")
    for leak in ("Ana Lopes", "Chloe", "Dunn", "Dev Patel", "Eva Frost", "Northfield"):
        assert leak.lower() not in text.lower()
    assert "- Social worker (Children's social care): 1 conversation" in text
    assert "- **C1, Social worker:** " in text
    assert "(the school's area Primary School)" in text


@pytest.mark.parametrize("fmt", ["md", "docx", "qdpx"])
def test_a_leak_stops_the_export_and_says_where(
    store: Store,
    method: Method,
    fixture: ReviewFixture,
    monkeypatch: pytest.MonkeyPatch,
    service: Service,
    fmt: str,
):
    conversation = store.conversation(fixture.conversations["hv"])
    service.record_note(conversation, "Ana Lopes phoned her the next day #2")
    assert export(store, method, fixture.review, fmt, final=True)  # pseudonymised: fine
    # A renderer that forgot to pseudonymise: the scan of the finished output must catch it.
    monkeypatch.setattr(Register, "apply", lambda self, text: text)
    with pytest.raises(LeakFound) as caught:
        export(store, method, fixture.review, fmt, final=True)
    found = {leak.identifier for leak in caught.value.leaks}
    assert "Ana Lopes" in found
    assert all(leak.where for leak in caught.value.leaks)


def test_cli_final_export_with_a_leak_writes_nothing(
    tmp_path: Path,
    store: Store,
    service: Service,
    fixture: ReviewFixture,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    from facilitator.cli.main import main

    conversation = store.conversation(fixture.conversations["hv"])
    service.record_note(conversation, "Ana Lopes phoned her the next day #2")
    monkeypatch.setattr(Register, "apply", lambda self, text: text)
    target = tmp_path / "final.docx"
    store.close()
    with pytest.raises(SystemExit) as exited:
        main(["--store", str(store.path), "export", "R1", "--format", "docx", "--final",
              "-o", str(target)])  # fmt: skip
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "'Ana Lopes'" in err and "word/document.xml paragraph" in err
    assert "nothing was written" in err
    assert not target.exists()
    assert list(tmp_path.glob("*.docx*")) == []


def test_identifier_broken_across_markdown_lines_is_caught(
    store: Store, method: Method, service: Service, monkeypatch: pytest.MonkeyPatch
):
    review = store.create_review("Line")
    person = store.add_participant(review, role="GP", agency="General practice")
    conversation = store.conversation(store.new_conversation(review, person))
    service.record_note(conversation, "#new Visits (May 2024)")
    service.record_note(conversation, "Visited Little Hampton, then Little\nHampton again #1")
    redaction.add(store, review, "Little Hampton", "the town")
    text = export(store, method, review, "md", final=True).decode()
    assert "Visited the town, then the town again" in text
    # A naive replacement that misses the line break: the scan still refuses the report.
    monkeypatch.setattr(
        Register, "apply", lambda self, text: text.replace("Little Hampton", "the town")
    )
    with pytest.raises(LeakFound) as caught:
        export(store, method, review, "md", final=True)
    found = [(leak.identifier, leak.where) for leak in caught.value.leaks]
    assert ("Little Hampton", "text") in found
    # "Hampton" alone, on the line after the break, is the place's own word.
    assert {where for identifier, where in found if identifier == "Hampton"}


def test_redact_cli_add_and_list(store: Store, fixture: ReviewFixture, capsys):
    from facilitator.cli.main import main

    store.close()
    main(["--store", str(store.path), "redact", "R1", "add", "Northfield", "--as", "the town"])
    new_id = capsys.readouterr().out.strip()
    assert len(new_id) == 32
    main(["--store", str(store.path), "redact", "R1", "list"])
    out = capsys.readouterr().out
    assert "'Northfield' -> 'the town'" in out and new_id[:8] in out
    assert "participant  'Ana Lopes' -> 'Social worker'" in out
    main(["--store", str(store.path), "redact", "R1", "remove", new_id[:8]])
    main(["--store", str(store.path), "redact", "R1", "list"])
    assert "Northfield" not in capsys.readouterr().out


def test_docx_scan_reads_across_runs() -> None:
    from facilitator.reports.content import Para, Report
    from facilitator.reports.docx_report import render, texts

    report = Report("T", "B", True, [Para("Okafor said so", lead="Sam")])
    data = render(report)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert b"Sam" in package.read("word/document.xml")
    leaks = register(("Sam Okafor", "Social worker")).scan(texts(data))
    assert leaks and "paragraph" in leaks[0].where


def test_a_team_entry_overrides_the_automatic_one(store: Store, method: Method, service: Service):
    review = store.create_review("Override")
    mother = store.add_participant(review, role="Mother", agency="Family", kind="family",
                                   name="Rosa Diaz")  # fmt: skip
    conversation = store.conversation(store.new_conversation(review, mother))
    service.record_note(conversation, "#new Visits (May 2024)")
    service.record_note(conversation, "Rosa Diaz said the visits felt like checking up #1")
    redaction.add(store, review, "Rosa Diaz", "Ms A (mother)")
    text = export(store, method, review, "md", final=True).decode()
    assert "Ms A (mother) said the visits felt like checking up" in text
    assert "rosa" not in text.lower() and "diaz" not in text.lower()
