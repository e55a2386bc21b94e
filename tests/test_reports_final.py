"""The public report (--final): the findings only, checked in every format by real
readers (python-docx, lxml against the REFI-QDA schema, a CommonMark renderer)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from facilitator.analysis.patterns import add_pattern, add_recommendation
from facilitator.method import Method
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

SCHEMA = Path(__file__).parent / "data" / "refi-qda" / "Project-mrt2019.xsd"
REFLECTION = "We wonder whether the conference minutes were circulated"
FOLLOW_UP = "Ask the health visitor whether she agreed no plan was needed"
NAMES = ("Ana Lopes", "Chloe Dunn", "Dev Patel", "Eva Frost")
REVIEWERS = ("Alex Reviewer", "Jordan Reviewer", "Jordan")


@pytest.fixture
def fixture(service: Service, method: Method) -> ReviewFixture:
    made = build_review_fixture(service)
    store = service.store
    e1, e2 = made.episodes["E1"], made.episodes["E2"]
    store.update(made.review, "episode", e1, team_good="Same-day visit after the referral")
    store.update(made.review, "episode", e2, team_problematic="No plan despite Chloe's worry")
    later = add_pattern(
        store, made.review, method, type="human-tool", title="Minutes reach people late",
        widespread=2, relevance=3, episodes=[e2],
    )  # fmt: skip
    first = add_pattern(
        store, made.review, method, type="assessment-longer-term",
        title="Disagreement at conferences is not recorded", description="Seen twice.",
        widespread=5, relevance=4, priority=1, episodes=[e2], factors=["interagency"],
    )  # fmt: skip
    add_recommendation(
        store, made.review, method, kind="clear-cut", text="Send minutes within two days",
        pattern=later,
    )  # fmt: skip
    add_recommendation(
        store, made.review, method, kind="research", text="Study how dissent is minuted",
        pattern=first, factors=["interagency"],
    )  # fmt: skip
    return made


def _parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            n: package.read(n).decode("utf-8")
            for n in package.namelist()
            if n.endswith((".xml", ".rels", ".qde", ".txt"))
        }


def test_final_markdown_is_the_findings_report(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    text = export(store, method, fixture.review, "md", final=True).decode()
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# Fixture review: Child K (fictional): Findings report"
    tops = [h for h in headings if re.match(r"## ", h)]
    assert tops == [
        "## The review's question and scope",
        "## Who took part",
        "## Narrative of multi-agency perspectives",
        "## Key practice episodes",
        "## Findings",
    ]
    assert "How did agencies share their concerns about K?" in text
    assert (
        "**Scope:** 3 conversations with 5 participants from 4 agencies; no agency records "
        "read; 6 key practice episodes, from 1 January 2024 to 2 April 2024."
    ) in text
    assert "- Social worker (Children's social care): 1 conversation" in text
    assert "- Team manager (Children's social care): no conversation yet" in text
    for private in (REFLECTION, FOLLOW_UP, "Still to ask", "Conversation records",
                    "Follow-up plans", "Found the conversation useful", "> **"):  # fmt: skip
        assert private not in text
    # The team's judgements are in the body of the episode table, by role.
    assert "Good practice: Same-day visit after the referral" in text
    assert "Problematic practice: No plan despite the health visitor's worry" in text
    assert "Went well" not in text  # one label for a judgement everywhere


def test_findings_are_in_priority_order_with_reasons_and_kinds(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    for final in (False, True):
        text = export(store, method, fixture.review, "md", final=final).decode()
        first = text.index("#### Pattern 1: Disagreement at conferences is not recorded")
        second = text.index("#### Pattern 2: Minutes reach people late")
        assert first < second
        assert "the team ranks it 1; how widespread beyond this case: very high" in text
        assert "**Type:** Multi-agency working in assessment and longer-term work" in text
        assert "**Seen in:** E2: Case conference; Inter-agency" in text
        clear = text.index("#### Clear-cut and locally actionable")
        research = text.index("#### Needs further research and development")
        assert clear < text.index("Send minutes within two days") < research
        assert "answers the pattern “Disagreement at conferences is not recorded”" in text


def test_findings_are_in_the_word_reports_draft_and_final(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    for final in (False, True):
        document = docx.Document(
            io.BytesIO(export(store, method, fixture.review, "docx", final=final))
        )
        texts = [p.text for p in document.paragraphs]
        assert "Findings" in texts
        assert "Pattern 1: Disagreement at conferences is not recorded" in texts
        assert any(t.startswith("Send minutes within two days") for t in texts)


def test_final_docx_has_no_comments_and_no_names_in_any_part(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    data = export(store, method, fixture.review, "docx", final=True)
    parts = _parts(data)
    assert not [n for n in parts if "comments" in n.lower()]
    assert "commentReference" not in parts["word/document.xml"]
    for name, xml in parts.items():
        if name:
            for person in (*NAMES, *REVIEWERS, "Chloe", "Lopes"):
                assert person not in xml, (person, name)
    document = docx.Document(io.BytesIO(data))
    assert list(document.comments) == []
    body = "\n".join(p.text for p in document.paragraphs)
    assert REFLECTION not in body and FOLLOW_UP not in body


@pytest.mark.parametrize("what", ["record", "plan"])
def test_final_refuses_records_and_plans(
    store: Store, fixture: ReviewFixture, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    what: str,
) -> None:  # fmt: skip
    from facilitator.cli.main import main

    store.close()
    target = tmp_path / "out.docx"
    for fmt in ("md", "docx"):
        with pytest.raises(SystemExit) as exited:
            main(["--store", str(store.path), "export", "R1", "--format", fmt, "--final",
                  "--what", what, "-o", str(target)])  # fmt: skip
        assert exited.value.code == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert f"never holds the {what}s" in err and "without --final" in err
        assert not target.exists()


def test_final_what_findings_alone(store: Store, fixture: ReviewFixture, capsys) -> None:
    from facilitator.cli.main import main

    store.close()
    main(["--store", str(store.path), "export", "R1", "--format", "md", "--final",
          "--what", "findings"])  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("# Fixture review: Child K (fictional): Findings\n")
    assert "## Narrative" not in out and "#### Pattern 1: Disagreement" in out


def _validate(data: bytes) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    project = etree.fromstring(_parts(data)["project.qde"].encode("utf-8"))
    assert schema.validate(project), [str(e) for e in schema.error_log][:5]
    return project


def test_qdpx_validates_against_the_refi_qda_schema(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    _validate(export(store, method, fixture.review, "qdpx"))
    _validate(export(store, method, fixture.review, "qdpx", final=True))


def test_final_qdpx_names_no_reviewer_and_has_no_reflection(
    store: Store, method: Method, fixture: ReviewFixture
) -> None:
    data = export(store, method, fixture.review, "qdpx", final=True)
    project = _validate(data)
    q = "{urn:QDA-XML:project:1.0}"
    assert project.find(f"{q}Users") is None
    assert not [e for e in project.iter() if e.get("creatingUser")]
    everything = "".join(_parts(data).values())
    for text in (*REVIEWERS, *NAMES, REFLECTION, FOLLOW_UP):
        assert text not in everything, text
    # What participants said is still there, coded, for research.
    assert "Thought the bruise had an innocent explanation" in everything


def test_a_reviewers_name_written_in_a_note_is_not_in_the_final_report(
    store: Store, method: Method, service: Service, fixture: ReviewFixture
) -> None:
    conversation = store.conversation(fixture.conversations["sw"])
    service.record_note(conversation, "Told Alex Reviewer about the visit #1")
    for fmt in ("md", "docx", "qdpx"):
        data = export(store, method, fixture.review, fmt, final=True)
        text = data.decode() if fmt == "md" else "".join(_parts(data).values())
        assert "Alex Reviewer" not in text, fmt
    assert (
        "Told the review team about the visit"
        in export(store, method, fixture.review, "md", final=True).decode()
    )


def test_the_demo_has_findings_and_a_clean_public_report(
    store: Store, method: Method, demo_review: str
) -> None:
    for fmt in ("md", "docx", "qdpx"):
        data = export(store, method, demo_review, fmt, final=True)  # refuses if anything leaks
        text = data.decode() if fmt == "md" else "".join(_parts(data).values())
        for name in ("Sam Okafor", "Okafor", "Whitfield", "Priya", "Eastwood", "Marsh",
                     "Oakfield", "Jordan Reviewer", "Alex Reviewer"):  # fmt: skip
            assert name not in text, (fmt, name)
    text = export(store, method, demo_review, "md", final=True).decode()
    assert "#### Pattern 1: Escalation waits for a manager's sign-off" in text
    assert "- Class teacher (a primary school): no conversation yet" in text
