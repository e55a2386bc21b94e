"""Exporting a large review (20,000 notes; 2,000 with --quick) as Markdown, Word and
REFI-QDA, each against writing the same notes with the library alone in the same run.

Baselines read the notes from the same store (``store.notes``) and write one line,
paragraph or coded selection per note: plain string joining for Markdown, python-docx's
XML layer for Word (appended in one pass and saved once: ``add_paragraph`` is quadratic,
see baselines.py), ElementTree + zipfile for REFI-QDA. Ours is the full export (``--what
all`` for md/docx: records, narrative, episode table and plans, so every note linked to an
episode appears twice). Target: 2x.

``--final`` Word is compared with the same Word baseline doing the same pseudonymising
pass: each participant's name and its parts replaced by their role in every note (one
case-insensitive alternation of whole words), then the finished document read back and
scanned for any of them, as ours scans the bytes it would write.
"""

from __future__ import annotations

import io
import tempfile
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from baselines import Pseudonymiser, docx_paragraphs
from measure import Measure, median, timings

from facilitator.method import load_method
from facilitator.reports.export import export
from facilitator.store import Store

WORD_TEXT = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
FACTORS = ("family", "personal", "role", "conditions", "team", "interagency", "culture")
PROMPTS = ("lr-picture", "lr-information", "lr-weighing", "lr-aims")
KINDS = ("observation",) * 6 + ("quote", "discrepancy", "went_well", "reflection", "idea")


def build_review(store: Store, notes: int) -> str:
    """A fictional review: 10 participants, one conversation each, 20 episodes."""
    review = store.create_review("Bench review (fictional)")
    start = datetime(2025, 1, 6, 9, 0).astimezone()
    with store.transaction():
        episodes = [
            store.create_episode(
                review,
                f"Episode {i}",
                date_text=f"{i + 1} March 2024",
                date_start=f"2024-03-{i + 1:02d}",
                date_end=f"2024-03-{i + 1:02d}",
            )  # fmt: skip
            for i in range(20)
        ]
        conversations = []
        for i in range(10):
            person = store.add_participant(
                review, role=f"Role {i}", agency=f"Agency {i % 5}", name=f"Person{i} Surname{i}"
            )
            conversation_id = store.new_conversation(review, person, lead="Lead", note_taker="NT")
            conversations.append(store.conversation(conversation_id))
        for n in range(notes):
            conversation = conversations[n % len(conversations)]
            at = start + timedelta(days=n % len(conversations), seconds=n * 7)
            store.add_note(
                conversation,
                f"Note {n}: the worker described the visit and what they weighed up that day",
                kind=KINDS[n % len(KINDS)],
                at=at.isoformat(timespec="seconds"),
                stage=1 + n % 9,
                episodes=[episodes[n % 20]] if n % 3 else [],
                factors=[FACTORS[n % len(FACTORS)]] if n % 2 else [],
                prompts=[PROMPTS[n % len(PROMPTS)]] if n % 5 == 0 else [],
            )
    return review


def baseline_md(store: Store, review: str) -> bytes:
    notes = store.notes(review=review)
    return "\n\n".join(f"**{n.at[11:16]}** {n.text}" for n in notes).encode("utf-8")


def baseline_docx(store: Store, review: str) -> bytes:
    return docx_paragraphs(f"{note.at[11:16]} {note.text}" for note in store.notes(review=review))


def baseline_docx_final(store: Store, review: str) -> bytes:
    pairs = []
    for person in store.participants(review):
        if person.name:
            pairs.append((person.name, f"the {person.role}"))
            pairs += [(part, f"the {person.role}") for part in person.name.split() if len(part) > 1]
    pseudonymiser = Pseudonymiser(pairs)
    data = docx_paragraphs(
        pseudonymiser.apply(f"{note.at[11:16]} {note.text}") for note in store.notes(review=review)
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tree = ET.fromstring(archive.read("word/document.xml"))
    texts = [node.text or "" for node in tree.iter(WORD_TEXT)]
    if pseudonymiser.leaks(texts):
        raise AssertionError("the baseline left a name in")
    return data


def baseline_qdpx(store: Store, review: str) -> bytes:
    ns = "{urn:QDA-XML:project:1.0}"
    project = ET.Element(ns + "Project", {"name": "bench"})
    sources = ET.SubElement(project, ns + "Sources")
    by_conversation: dict[str, list] = {}
    for note in store.notes(review=review):
        by_conversation.setdefault(note.conversation, []).append(note)
    files = {}
    for conversation, notes in by_conversation.items():
        source = ET.SubElement(sources, ns + "TextSource", {"guid": str(uuid.uuid4())})
        parts, position = [], 0
        for note in notes:
            selection = ET.SubElement(
                source,
                ns + "PlainTextSelection",
                {"guid": str(uuid.uuid4()), "startPosition": str(position),
                 "endPosition": str(position + len(note.text))},
            )  # fmt: skip
            for factor in note.factors:
                coding = ET.SubElement(selection, ns + "Coding", {"guid": str(uuid.uuid4())})
                ET.SubElement(coding, ns + "CodeRef", {"targetGUID": factor})
            parts.append(note.text + "\n")
            position += len(note.text) + 1
        files[f"sources/{conversation}.txt"] = "".join(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", ET.tostring(project, encoding="utf-8"))
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def run(quick: bool) -> list[Measure]:
    notes = 2_000 if quick else 20_000
    repeat = 7 if quick else 5  # medians of few runs swung a ratio by 0.3 on a busy machine
    method = load_method()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db", author="bench")
        review = build_review(store, notes)
        cases = (
            ("md", baseline_md),
            ("docx", baseline_docx),
            ("qdpx", baseline_qdpx),
        )
        for fmt, baseline in cases:
            ours_t, base_t = [], []
            for _ in range(repeat):  # interleaved so both sides see the same machine state
                ours_t += timings(lambda f=fmt: export(store, method, review, f), 1)
                base_t += timings(lambda b=baseline: b(store, review), 1)
            size = len(export(store, method, review, fmt))
            results.append(
                Measure(
                    f"reports.export_{fmt}_{notes}",
                    median(ours_t),
                    median(base_t),
                    2,
                    {"bytes": str(size), "n": str(repeat)},
                )
            )
        final_t, base_t = [], []
        for _ in range(repeat):  # interleaved too: one run each swung this ratio by 0.4
            final_t += timings(lambda: export(store, method, review, "docx", final=True), 1)
            base_t += timings(lambda: baseline_docx_final(store, review), 1)
        results.append(
            Measure(
                f"reports.export_docx_final_{notes}",
                median(final_t),
                median(base_t),
                2,
                {"note": "both pseudonymise + scan", "n": str(repeat)},
            )
        )
        store.close()
    return results
