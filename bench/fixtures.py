"""A fictional conversation with many notes, for the screen benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from facilitator.method import load_method
from facilitator.service import Service
from facilitator.store import Store

START = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def conversation_with_notes(
    path: Path, count: int, episodes: list[str], lines: list[str]
) -> tuple[Service, str]:
    """A started conversation: ``#new`` notes for ``episodes``, then ``lines`` in turn,
    one a second, ``count`` notes in all, in one transaction."""
    store = Store(path, author="bench")
    service = Service(store, load_method())
    review = store.create_review("Bench review (fictional)")
    person = store.add_participant(review, role="Social worker", agency="CSC")
    conversation_id = store.new_conversation(review, person)
    store.start_conversation(store.conversation(conversation_id), at=START.isoformat())
    conversation = store.conversation(conversation_id)
    with store.transaction():
        for title in episodes:
            service.record_note(conversation, f"#new {title}", at=START.isoformat())
        for index in range(count - len(episodes)):
            at = (START + timedelta(seconds=index)).isoformat()
            service.record_note(conversation, lines[index % len(lines)], at=at)
    return service, conversation_id
