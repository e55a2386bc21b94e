"""`facilitator note add` as a second pair of hands during a conversation (issue 12):
the stage in effect at --at, and warnings that point somewhere a terminal can go."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import run


@pytest.fixture
def conversation(tmp_path: Path) -> tuple[Path, str]:
    store = tmp_path / "cli.db"
    run(store, "review", "new", "Child R")
    run(store, "participant", "add", "R1", "--role", "GP", "--agency", "Health")
    conversation = run(
        store, "conversation", "new", "R1", "P1", "--at", "4 March 2025 10:00"
    ).stdout.strip()
    return store, conversation


def test_note_at_a_past_moment_takes_the_stage_in_effect_then(
    conversation: tuple[Path, str],
) -> None:
    store_path, conversation_id = conversation
    from facilitator.store import Store

    with Store(store_path) as store:
        talk = store.conversation(conversation_id)
        store.start_conversation(talk, at="2025-03-04T10:00:00+00:00")
        store.set_stage(store.conversation(conversation_id), 2, at="2025-03-04T10:05:00+00:00")
        store.set_stage(store.conversation(conversation_id), 5, at="2025-03-04T10:30:00+00:00")
    early = run(store_path, "note", "add", "C1", "said early on", "--at", "4/3/2025 10:10+00:00")
    late = run(store_path, "note", "add", "C1", "said later", "--at", "4/3/2025 10:40+00:00")
    before = run(store_path, "note", "add", "C1", "before we began", "--at", "4/3/2025 09:50Z")
    with Store(store_path) as store:
        assert store.note(early.stdout.strip()).stage == 2
        assert store.note(late.stdout.strip()).stage == 5
        assert store.note(before.stdout.strip()).stage is None


def test_tag_warnings_point_at_the_command_line_help(conversation: tuple[Path, str]) -> None:
    store_path, _ = conversation
    at = ("--at", "4 March 2025 10:05")  # typed up after the conversation planned then
    result = run(store_path, "note", "add", "C1", "talked about @banana and @p", *at)
    assert "F1" not in result.stderr
    assert "@banana is not a factor area or prompt" in result.stderr
    assert "facilitator help tags" in result.stderr
    assert "@p could be @personal, @political" in result.stderr


def test_help_tags_lists_the_grammar(tmp_path: Path) -> None:
    result = run(tmp_path / "cli.db", "help", "tags")
    for expected in ("@family", "@political", "@lr-options", "#new", "#E3", ">>"):
        assert expected in result.stdout
