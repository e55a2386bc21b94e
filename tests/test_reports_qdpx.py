"""REFI-QDA packages: real zips, parsed as QDA-XML and checked against what the store holds.

The schema itself lives outside the product; these tests check the structure it requires
(element order, required attributes, GUID form) and that every selection and reference
points at the right thing.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

import pytest

from facilitator.method import Method
from facilitator.reports.content import readable
from facilitator.reports.export import export
from facilitator.service import Service
from facilitator.store import Store
from tests.review_fixture import ReviewFixture, build_review_fixture

Q = "{urn:QDA-XML:project:1.0}"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def fixture(service: Service) -> ReviewFixture:
    return build_review_fixture(service)


def open_package(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        assert "project.qde" in names
        root = ET.fromstring(package.read("project.qde"))
        sources = {
            n.removeprefix("sources/").removesuffix(".txt"): package.read(n).decode("utf-8")
            for n in names
            if n.startswith("sources/")
        }
    return root, sources


def codes_by_name(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name"): c for c in root.iter(f"{Q}Code")}


def test_project_structure_follows_the_schema_order(
    store: Store, method: Method, fixture: ReviewFixture
):
    root, _ = open_package(export(store, method, fixture.review, "qdpx"))
    assert root.tag == f"{Q}Project"
    assert root.get("name") == "Fixture review: Child K (fictional)"
    children = [c.tag.removeprefix(Q) for c in root]
    assert children == ["Users", "CodeBook", "Cases", "Sources", "Description"]
    for element in root.iter():
        for attribute in ("guid", "targetGUID", "creatingUser"):
            if element.get(attribute) is not None:
                assert GUID.match(element.get(attribute)), (element.tag, attribute)


def test_the_factor_framework_is_the_codebook(store: Store, method: Method, fixture: ReviewFixture):
    root, _ = open_package(export(store, method, fixture.review, "qdpx"))
    top = list(root.find(f"{Q}CodeBook/{Q}Codes"))
    names = [c.get("name") for c in top]
    assert names[:3] == ["Front-line level", "Local strategic level", "National level"]
    assert {"Key practice episodes", "Local rationality", "Note kinds"} <= set(names)
    for group in top:
        assert group.get("isCodable") == "false"
        assert all(child.get("isCodable") == "true" for child in group.findall(f"{Q}Code"))
    areas = [c.get("name") for level in top[:3] for c in level.findall(f"{Q}Code")]
    assert areas == [a.title for a in method.factor_areas]
    episodes = [c.get("name") for c in top[names.index("Key practice episodes")]]
    assert episodes[0] == "E5: Joint visit with social worker (January 2024)"
    assert len(episodes) == 6


def test_each_note_is_a_coded_selection_over_its_own_text(
    store: Store, method: Method, fixture: ReviewFixture
):
    root, sources = open_package(export(store, method, fixture.review, "qdpx"))
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Code")}
    notes = {n.id: n for n in store.notes(review=fixture.review)}
    text_sources = root.findall(f"{Q}Sources/{Q}TextSource")
    conversation_sources = [s for s in text_sources if s.get("name", "").startswith("C")]
    assert len(conversation_sources) == 3
    checked = 0
    for source in conversation_sources:
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        text = sources[source.get("guid")]
        for selection in source.findall(f"{Q}PlainTextSelection"):
            note = notes[selection.get("guid").replace("-", "")]
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == readable(note.text, method)
            coded = {
                codes[c.find(f"{Q}CodeRef").get("targetGUID")]
                for c in selection.findall(f"{Q}Coding")
            }
            assert method.kind(note.kind).label in coded
            checked += 1
    assert checked == len(notes)
    # One note, all its codes: episode, prompt, factor and kind.
    by_text = {
        sources[s.get("guid")][int(sel.get("startPosition")) : int(sel.get("endPosition"))]: sel
        for s in conversation_sources
        for sel in s.findall(f"{Q}PlainTextSelection")
    }
    selection = by_text["The school's account weighed most"]
    coded = {codes[c.find(f"{Q}CodeRef").get("targetGUID")] for c in selection.iter(f"{Q}Coding")}
    assert coded == {
        "Observation",
        "E1: Home visit after school referral (12 January 2024)",
        "Information uppermost",
        "Inter-agency and inter-professional working",
    }


def test_participants_are_cases_and_reviewers_are_users(
    store: Store, method: Method, fixture: ReviewFixture
):
    root, _ = open_package(export(store, method, fixture.review, "qdpx"))
    cases = root.findall(f"{Q}Cases/{Q}Case")
    assert len(cases) == 5
    by_name = {c.get("name"): c for c in cases}
    social_worker = by_name["Ana Lopes (Social worker, Children's social care)"]
    source_guids = {s.get("guid"): s.get("name") for s in root.iter(f"{Q}TextSource")}
    refs = [source_guids[r.get("targetGUID")] for r in social_worker.findall(f"{Q}SourceRef")]
    assert refs == ["C1: Ana Lopes (Social worker, Children's social care)"]
    assert by_name["Team manager, Children's social care"].findall(f"{Q}SourceRef") == []
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    assert {"Jordan", "Jordan Reviewer"} <= set(users.values())
    for element in root.iter():
        if element.get("creatingUser"):
            assert element.get("creatingUser") in users


def test_documents_are_sources_too(store: Store, method: Method, fixture: ReviewFixture):
    store.add_document(fixture.review, "GP letter", "12/03/2024 Letter to school", agency="GP")
    root, sources = open_package(export(store, method, fixture.review, "qdpx"))
    names = {s.get("name"): s.get("guid") for s in root.iter(f"{Q}TextSource")}
    assert sources[names["Document: GP letter (GP)"]] == "12/03/2024 Letter to school"


def test_final_qdpx_names_by_role(store: Store, method: Method, fixture: ReviewFixture):
    data = export(store, method, fixture.review, "qdpx", final=True)
    root, sources = open_package(data)
    cases = {c.get("name") for c in root.iter(f"{Q}Case")}
    assert "Social worker" in cases and "Health visitor" in cases
    everything = data.decode("latin-1") + "".join(sources.values())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        everything += "".join(package.read(n).decode("utf-8") for n in package.namelist())
    for name in ("Ana Lopes", "Chloe Dunn", "Dev Patel", "Eva Frost"):
        assert name not in everything
