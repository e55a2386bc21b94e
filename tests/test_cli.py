"""The command line contract (DESIGN.md): ids alone on stdout, labels in lists, one-line
errors with a non-zero exit and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(store: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def test_create_list_and_add_notes(store_path: Path) -> None:
    review = run(store_path, "review", "new", "Child R", "--question", "Why?").stdout.strip()
    assert len(review) == 32 and review.isalnum()
    person = run(
        store_path,
        "participant",
        "add",
        review[:5],
        "--role",
        "Health visitor",
        "--agency",
        "Community health",
        "--name",
        "Priya",
    ).stdout.strip()
    conversation = run(
        store_path,
        "conversation",
        "new",
        "R1",
        "P1",
        "--lead",
        "Alex",
        "--at",
        "3 March 2025 10:00",
    ).stdout.strip()
    assert run(store_path, "review", "list").stdout.startswith("R1   Child R")
    assert (
        "P1   Priya (Health visitor, Community health)"
        in run(store_path, "participant", "list").stdout
    )
    listed = run(store_path, "conversation", "list", "R1").stdout
    assert "C1" in listed and "1st" in listed and "planned" in listed
    assert "3 Mar 2025 10:00" in listed and "2025-03-03T10:00" not in listed
    note = run(store_path, "note", "add", conversation[:6], "Weekly calls @inter #new Visit (2024)")
    assert len(note.stdout.strip()) == 32 and note.stderr == ""
    warned = run(store_path, "note", "add", "C1", "@nonsense here")
    assert "warning: @nonsense" in warned.stderr
    data = json.loads(run(store_path, "export", "R1", "--format", "json").stdout)
    assert [n["text"] for n in data["notes"]] == [
        "Weekly calls @inter #new Visit (2024)",
        "@nonsense here",
    ]
    assert data["participants"][0]["id"] == person
    listing = json.loads(run(store_path, "review", "list", "--json").stdout)
    assert listing == [{"id": review, "label": "R1", "title": "Child R"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conversation", "new", "R1", "P1", "--at", "31 February 2025"], "not a real date"),
        (["participant", "add", "R9", "--role", "x", "--agency", "y"], "no review matches"),
        (["participant", "add", "R1", "--role", "x"], "Missing option '--agency'"),
        (["note", "add", "abc", "text"], "at least 4 characters"),
        (["note", "add", "C1", "   "], "the note is empty"),
        (["review", "new", "  "], "a review needs a title"),
        (["frobnicate"], "No such command"),
        (["export", "R1", "--format", "pdf"], "'pdf' is not one of"),
    ],
)
def test_errors_are_one_clear_line(store_path: Path, args: list[str], message: str) -> None:
    run(store_path, "review", "new", "R")
    run(store_path, "participant", "add", "R1", "--role", "GP", "--agency", "Health")
    run(store_path, "conversation", "new", "R1", "P1")
    result = run(store_path, *args, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert message in lines[0]


def test_store_that_is_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite" * 100)
    result = run(junk, "review", "list", check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "not a facilitator store" in result.stderr


def test_store_check_and_rebuild(store_path: Path) -> None:
    run(store_path, "demo", "--no-open")
    checked = run(store_path, "store", "check")
    assert "OK: integrity check passed" in checked.stdout
    rebuilt = run(store_path, "store", "rebuild")
    assert "parked" in rebuilt.stdout and " 0 parked" in rebuilt.stdout
    import sqlite3

    conn = sqlite3.connect(store_path)
    conn.execute("UPDATE episodes SET title = 'changed behind our back'")
    conn.commit()
    conn.close()
    broken = run(store_path, "store", "check", check=False)
    assert broken.returncode == 1 and "episodes differs from the op log" in broken.stderr


def test_demo_builds_a_realistic_review(store_path: Path) -> None:
    out = run(store_path, "demo", "--no-open").stdout
    assert "Demo review built" in out
    data = json.loads(run(store_path, "export", "R1").stdout)
    agencies = {p["agency"] for p in data["participants"]}
    assert len(agencies) >= 3
    statuses = sorted(c["status"] for c in data["conversations"])
    assert statuses == ["done", "planned"]
    done = next(c for c in data["conversations"] if c["status"] == "done")
    assert [e["stage"] for e in done["stage_events"]] == list(range(1, 10))
    kinds = {n["kind"] for n in data["notes"]}
    assert {
        "observation",
        "quote",
        "followup",
        "discrepancy",
        "reflection",
        "went_well",
        "idea",
    } <= kinds
    assert len(data["episodes"]) >= 3 and data["follow_ups"]
    assert any(n["factors"] for n in data["notes"]) and any(n["episodes"] for n in data["notes"])


def test_demo_without_store_uses_its_own_file(tmp_path: Path, monkeypatch) -> None:
    env_store = tmp_path / "real.db"
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "demo", "--no-open"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={
            **__import__("os").environ,
            "FACILITATOR_STORE": "",
            "XDG_DATA_HOME": str(tmp_path / "data"),
        },
    )
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "data") in result.stdout
    assert not env_store.exists()


def test_participant_pseudonym_and_edit(store_path: Path) -> None:
    run(store_path, "review", "new", "R")
    person = run(
        store_path,
        "participant",
        "add",
        "R1",
        "--role",
        "Mother",
        "--agency",
        "Family",
        "--kind",
        "family",
        "--name",
        "Ms R",
        "--pseudonym",
        "Alice",
    ).stdout
    run(store_path, "participant", "edit", "P1", "--role", "Birth mother")
    data = json.loads(run(store_path, "export", "R1").stdout)
    [p] = data["participants"]
    assert p["id"] == person.strip()
    assert (p["role"], p["kind"], p["name"]) == ("Birth mother", "family", "Ms R")
    assert p["pseudonym"] == "Alice"
    nothing = run(store_path, "participant", "edit", "P1", check=False)
    assert nothing.returncode != 0 and "at least one of" in nothing.stderr


def test_note_cites_a_document_passage(store_path: Path, tmp_path: Path) -> None:
    run(store_path, "review", "new", "R")
    run(store_path, "participant", "add", "R1", "--role", "GP", "--agency", "Health")
    run(store_path, "conversation", "new", "R1", "P1")
    record = tmp_path / "gp.txt"
    record.write_text("12 March 2024: letter sent to the school about the bruise.\n")
    run(store_path, "import", "R1", str(record), "--agency", "Health")
    data = json.loads(run(store_path, "export", "R1").stdout)
    document = data["documents"][0]["id"]
    bad = run(
        store_path,
        "note",
        "add",
        "C1",
        "x",
        "--cite",
        document[:6],
        "--passage",
        "not there",
        check=False,
    )
    assert bad.returncode == 1 and "not in the document" in bad.stderr
    note = run(
        store_path,
        "note",
        "add",
        "C1",
        "Says the letter went in March",
        "--cite",
        document[:6],
        "--passage",
        "letter sent to the school",
    ).stdout.strip()
    import sqlite3

    row = (
        sqlite3.connect(store_path)
        .execute("SELECT document, passage FROM notes WHERE id = ?", (note,))
        .fetchone()
    )
    assert row == (document, "letter sent to the school")
