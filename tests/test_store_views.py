"""The read-only views for sqlite-utils and Datasette: the app's labels and readable times,
the same values the app shows, and the README's example query working on a real store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from facilitator.service import Service
from facilitator.store import Store

VIEWS = ("v_reviews", "v_conversations", "v_notes", "v_episodes", "v_follow_ups")
CLOCK = re.compile(r"^\d{15}\.\d{6}\.")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def _rows(path: Path, view: str) -> list[dict]:
    return list(sqlite_utils.Database(path).query(f"select * from {view}"))


def test_views_speak_the_apps_language(service: Service, demo_review: str) -> None:
    store = service.store
    path = store.path
    db = sqlite_utils.Database(path)
    assert set(VIEWS) <= set(db.view_names())
    for view in VIEWS:
        rows = _rows(path, view)
        assert rows, view
        for row in rows:
            assert "clocks" not in row and "created" not in row and "updated" not in row
            for name, value in row.items():
                if isinstance(value, str) and not name.endswith("_id"):
                    assert not CLOCK.match(value), (view, name, value)
                    assert not HEX_ID.match(value), (view, name, value)
    review = store.review(demo_review)
    notes = {n.id: n for n in store.notes(review=demo_review)}
    labels = {e.id: e.label for e in store.episodes(demo_review)}
    conversations = {c.id: c for c in store.conversations(demo_review)}
    people = {p.id: p for p in store.participants(demo_review)}
    shown = _rows(path, "v_notes")
    assert {r["note_id"] for r in shown} == set(notes)
    for row in shown:
        note = notes[row["note_id"]]
        conversation = conversations[note.conversation]
        assert row["review"] == review.label
        assert row["conversation"] == conversation.label
        assert row["participant_role"] == people[conversation.participant].role
        assert row["text"] == note.text and row["kind"] == note.kind
        assert row["time"] == note.at[:16].replace("T", " ")
        expected = sorted((labels[e] for e in note.episodes), key=lambda x: int(x[1:]))
        assert (row["episodes"] or "") == ", ".join(expected)
        assert set(filter(None, (row["factors"] or "").split(", "))) == set(note.factors)
    episodes = {r["episode_id"]: r for r in _rows(path, "v_episodes")}
    for episode in store.episodes(demo_review):
        assert episodes[episode.id]["episode"] == episode.label
        assert episodes[episode.id]["title"] == episode.title
    for row in _rows(path, "v_conversations"):
        conversation = conversations[row["conversation_id"]]
        assert row["conversation"] == conversation.label
        assert row["status"] == conversation.status
        assert row["participant"] == people[conversation.participant].label
        assert row["notes"] == sum(n.conversation == conversation.id for n in notes.values())
    follow_ups = {f.id: f for f in store.follow_ups(demo_review)}
    assert {r["follow_up_id"] for r in _rows(path, "v_follow_ups")} == set(follow_ups)


def test_a_deleted_note_and_an_unlinked_episode_leave_the_views(store: Store) -> None:
    review = store.create_review("R")
    person = store.add_participant(review, role="Nurse", agency="Health")
    conversation = store.conversation(store.new_conversation(review, person))
    episode = store.create_episode(review, "Visit")
    kept = store.add_note(conversation, "kept", episodes=[episode])
    gone = store.add_note(conversation, "gone", episodes=[episode])
    store.delete(review, "note", gone)
    store.link(review, kept, "episode", episode, present=False)
    rows = _rows(store.path, "v_notes")
    assert [(r["text"], r["episodes"]) for r in rows] == [("kept", None)]
    assert _rows(store.path, "v_episodes")[0]["notes"] == 0


def test_the_views_are_read_only(store: Store) -> None:
    store.create_review("R")
    for view in VIEWS:
        with pytest.raises(sqlite3.OperationalError, match="cannot modify"):
            store.conn.execute(f"DELETE FROM {view}")


def test_the_readme_query_runs_on_a_real_store(service: Service, demo_review: str) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Reading your store", 1)[1].split("\n## ", 1)[0]
    query = re.search(r"```sql\n(.*?)```", section, re.S)
    assert query is not None
    rows = list(sqlite_utils.Database(service.store.path).query(query.group(1)))
    titles = [e.title for e in service.store.episodes(demo_review) if not e.merged_into]
    assert sorted(r["title"] for r in rows) == sorted(titles)
    assert all(r["conversations"] for r in rows)
    url = re.search(r"/store/(v_\w+)\?(\S+)", section)
    assert url is not None and url.group(1) in VIEWS
    columns = {c for part in url.group(2).split("&") if not part.startswith("_")
               for c in [part.split("=")[0]]}  # fmt: skip
    assert columns <= set(_rows(service.store.path, url.group(1))[0])


def test_a_store_from_before_the_views_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    for view in VIEWS:
        conn.execute(f"DROP VIEW {view}")
    conn.execute("PRAGMA user_version=6")
    conn.commit()
    conn.close()
    with Store(path) as upgraded:
        upgraded.create_review("R")
    assert [r["review"] for r in _rows(path, "v_reviews")] == ["R1"]
