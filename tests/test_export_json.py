"""The JSON export is a stable contract: documented fields, deterministic output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from facilitator.reports.json_export import FORMAT, dumps, export_review
from facilitator.service import Service


def test_shape_of_the_export(service: Service, demo_review: str) -> None:
    data = export_review(service.store, demo_review)
    assert data["format"] == FORMAT
    assert set(data) == {
        "format",
        "exported_at",
        "review",
        "participants",
        "conversations",
        "notes",
        "episodes",
        "follow_ups",
        "documents",
        "chronology",
        "agenda_items",
        "patterns",
        "recommendations",
        "links",
        "dialogue",
    }
    for conversation in data["conversations"]:
        assert "stage_events" in conversation
    note_ids = {n["id"] for n in data["notes"]}
    episode_ids = {e["id"] for e in data["episodes"]}
    conversation_ids = {c["id"] for c in data["conversations"]}
    for note in data["notes"]:
        for key in (
            "id",
            "conversation",
            "at",
            "elapsed_s",
            "stage",
            "kind",
            "text",
            "episodes",
            "factors",
            "author",
            "device",
        ):
            assert key in note
        offset = datetime.fromisoformat(note["at"]).utcoffset()
        assert offset is not None, note["at"]
        assert note["conversation"] in conversation_ids
        assert set(note["episodes"]) <= episode_ids
        assert set(note["factors"]) <= {
            "family",
            "personal",
            "role",
            "conditions",
            "team",
            "interagency",
            "culture",
            "resources",
            "political",
        }
    assert {f["note"] for f in data["follow_ups"]} <= note_ids


def test_two_exports_of_an_unchanged_store_are_identical(
    service: Service, demo_review: str
) -> None:
    first = dumps(service.store, demo_review)
    second = dumps(service.store, demo_review)
    strip = re.compile(r'"exported_at": "[^"]*"')
    assert strip.sub("", first) == strip.sub("", second)
    fixed = "2025-01-01T00:00:00+00:00"
    assert dumps(service.store, demo_review, exported_at=fixed) == dumps(
        service.store, demo_review, exported_at=fixed
    )


def test_export_to_file_is_private(tmp_path: Path, service: Service, demo_review: str) -> None:
    service.store.close()
    out = tmp_path / "out" / "review.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitator",
            "--store",
            str(service.store.path),
            "export",
            demo_review[:8],
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o077 == 0
    assert json.loads(out.read_text())["review"]["id"] == demo_review


def test_team_work_is_exported(service: Service) -> None:
    from tests.review_fixture import build_review_fixture

    review = build_review_fixture(service).review
    store = service.store
    from facilitator.analysis.patterns import add_pattern

    pattern = add_pattern(
        store,
        review,
        service.method,
        title="Escalation waits for sign-off",
        type="human-management",
        widespread=4,
        relevance=5,
    )
    data = export_review(store, review)
    assert [p["id"] for p in data["patterns"]] == [pattern]
    assert data["patterns"][0]["type"] == "human-management"
    assert any(link["relation"] == "involved" for link in data["links"])


def test_each_note_gives_its_number_of_revisions(service: Service, demo_review: str) -> None:
    store = service.store
    edited = store.notes(review=demo_review)[0]
    store.revise_note(edited, "Understands the review is about learning (corrected)")
    data = export_review(store, demo_review)
    counts = {n["id"]: n["revisions"] for n in data["notes"]}
    assert counts[edited.id] == 2
    assert all(counts[n.id] == len(store.revisions(n.id)) for n in store.notes(review=demo_review))
