"""Read functions over the materialised tables, returning :mod:`facilitator.model` records.

Labels (R1, P2, C3, E4) are numbered by creation order within their scope and computed
here, never stored: a merge may renumber them, the ids never change.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

from facilitator.model import (
    Conversation,
    Document,
    Draft,
    Episode,
    FollowUp,
    Note,
    Participant,
    Review,
    Revision,
    StageEvent,
)

LABEL_PREFIX = {
    "reviews": "R",
    "participants": "P",
    "conversations": "C",
    "episodes": "E",
    "dialogue_drafts": "D",
    "dialogue_comments": "K",
    "meetings": "M",
}


def _rows(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _labelled(conn: sqlite3.Connection, table: str, where: str, params: tuple) -> list[dict]:
    partition = "" if table == "reviews" else "PARTITION BY review"
    sql = (
        f"SELECT *, '{LABEL_PREFIX[table]}' || row_number() OVER "
        f"({partition} ORDER BY created, id) AS label FROM {table} WHERE deleted = 0"
    )
    return _rows(conn, f"SELECT * FROM ({sql}) {where} ORDER BY created, id", params)


def labels(conn: sqlite3.Connection, table: str, review: str) -> dict[str, str]:
    """Id -> label (P2, E4, K7 ...) of every live row of a labelled table in one review."""
    return {r["id"]: r["label"] for r in _labelled(conn, table, "WHERE review = ?", (review,))}


def reviews(conn: sqlite3.Connection) -> list[Review]:
    return [
        Review(
            r["id"],
            r["label"],
            r["title"] or "",
            tuple(json.loads(r["questions"] or "[]")),
            r["created"],
        )
        for r in _labelled(conn, "reviews", "", ())
    ]


def participants(conn: sqlite3.Connection, review: str) -> list[Participant]:
    return [
        Participant(
            r["id"],
            r["label"],
            r["review"],
            r["role"] or "",
            r["agency"] or "",
            r["kind"] or "worker",
            r["name"],
            r["pseudonym"],
        )
        for r in _labelled(conn, "participants", "WHERE review = ?", (review,))
    ]


def conversations(conn: sqlite3.Connection, review: str) -> list[Conversation]:
    rows = _labelled(conn, "conversations", "WHERE review = ?", (review,))
    sequence: dict[str, int] = defaultdict(int)
    result = []
    for r in sorted(rows, key=lambda r: (r["planned_at"] or r["started_at"] or "", r["created"])):
        sequence[r["participant"]] += 1
        r["sequence"] = sequence[r["participant"]]
    for r in rows:
        result.append(
            Conversation(
                r["id"],
                r["label"],
                r["review"],
                r["participant"] or "",
                r["sequence"],
                r["lead"],
                r["note_taker"],
                r["planned_at"],
                r["planned_minutes"],
                r["started_at"],
                r["ended_at"],
            )
        )
    return result


def stage_events(conn: sqlite3.Connection, conversation: str) -> list[StageEvent]:
    return [
        StageEvent(r["id"], r["conversation"], r["stage"], r["at"], r["by"])
        for r in _rows(
            conn,
            "SELECT * FROM stage_events WHERE conversation = ? ORDER BY at, created, id",
            (conversation,),
        )
    ]


# The relation of a note -> factor link that says which way the factor worked.
DIRECTION_RELATIONS = {"helped": "+", "hindered": "-"}
RELATION_OF_SIGN = {sign: relation for relation, sign in DIRECTION_RELATIONS.items()}


def _links_of_notes(
    conn: sqlite3.Connection, clause: str, params: tuple
) -> dict[str, dict[str, list]]:
    """Live links from the notes that ``clause`` selects, grouped by note and target kind."""
    found: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for source, kind, target, relation in conn.execute(
        "SELECT source, target_kind, target, relation FROM links "
        f"WHERE source IN (SELECT id FROM notes {clause}) AND present = 1 AND deleted = 0 "
        "ORDER BY created, id",
        params,
    ):
        if kind == "factor" and relation in DIRECTION_RELATIONS:
            # A factor's direction is a link of its own beside the plain factor link.
            found[source]["direction"].append(target + DIRECTION_RELATIONS[relation])
            continue
        key = "contradicts" if relation == "contradicts" else kind
        found[source][key].append(target)
    return found


def _json_list(value: str | None) -> tuple:
    return () if not value or value == "[]" else tuple(json.loads(value))


def _note(r: dict, links: dict[str, list]) -> Note:
    return Note(
        id=r["id"],
        review=r["review"],
        conversation=r["conversation"] or "",
        at=r["at"] or "",
        elapsed_s=r["elapsed_s"],
        stage=r["stage"],
        kind=r["kind"] or "observation",
        text=r["text"] or "",
        author=r["author"],
        device=r["device"],
        heads=_json_list(r["heads"]),
        conflict=bool(r["conflict"]),
        problems=_json_list(r["problems"]),
        episodes=tuple(links.get("episode", ())),
        factors=tuple(links.get("factor", ())),
        prompts=tuple(links.get("prompt", ())),
        directions=tuple(links.get("direction", ())),
        contradicts=tuple(links.get("contradicts", ())),
        document=r["document"],
        passage=r["passage"],
    )


def notes(
    conn: sqlite3.Connection,
    *,
    conversation: str | None = None,
    review: str | None = None,
    include_deleted: bool = False,
) -> list[Note]:
    where, params = [], []
    if conversation:
        where.append("conversation = ?")
        params.append(conversation)
    if review:
        where.append("review = ?")
        params.append(review)
    if not include_deleted:
        where.append("deleted = 0")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = _rows(conn, f"SELECT * FROM notes {clause} ORDER BY at, created, id", tuple(params))
    links = _links_of_notes(conn, clause, tuple(params))
    return [_note(r, links.get(r["id"], {})) for r in rows]


def note(conn: sqlite3.Connection, note_id: str) -> Note | None:
    rows = _rows(conn, "SELECT * FROM notes WHERE id = ?", (note_id,))
    if not rows:
        return None
    links = _links_of_notes(conn, "WHERE id = ?", (note_id,))
    return _note(rows[0], links.get(note_id, {}))


def revisions(conn: sqlite3.Connection, note_id: str) -> list[Revision]:
    return [
        Revision(
            r["id"],
            r["note"],
            r["text"] or "",
            tuple(json.loads(r["parents"] or "[]")),
            r["at"] or "",
            r["author"],
        )
        for r in _rows(
            conn, "SELECT * FROM note_revisions WHERE note = ? ORDER BY created, id", (note_id,)
        )
    ]


def episodes(conn: sqlite3.Connection, review: str) -> list[Episode]:
    return [
        Episode(
            r["id"],
            r["label"],
            r["review"],
            r["title"] or "",
            r["date_text"],
            r["date_start"],
            r["date_end"],
            r["description"],
            r["team_good"],
            r["team_problematic"],
            r["merged_into"],
            r.get("team_significance"),
            r.get("team_information"),
        )
        for r in _labelled(conn, "episodes", "WHERE review = ?", (review,))
    ]


def follow_ups(conn: sqlite3.Connection, review: str) -> list[FollowUp]:
    return [
        FollowUp(
            r["id"],
            r["review"],
            r["text"] or "",
            r["status"] or "open",
            r["conversation"],
            r["participant"],
            r["note"],
            r["raised_in"],
        )
        for r in _rows(
            conn,
            "SELECT * FROM follow_ups WHERE review = ? AND deleted = 0 ORDER BY created, id",
            (review,),
        )
    ]


def documents(conn: sqlite3.Connection, review: str) -> list[Document]:
    return [
        Document(
            r["id"],
            r["review"],
            r["title"] or "",
            r["agency"],
            r["filename"],
            r["text"] or "",
            r["imported_at"],
        )
        for r in _rows(
            conn,
            "SELECT * FROM documents WHERE review = ? AND deleted = 0 ORDER BY created, id",
            (review,),
        )
    ]


def draft(conn: sqlite3.Connection, conversation: str, author: str, slot: int = 0) -> Draft | None:
    rows = _rows(
        conn,
        "SELECT * FROM drafts WHERE conversation = ? AND author = ? AND slot = ?",
        (conversation, author, slot),
    )
    if not rows:
        return None
    r = rows[0]
    return Draft(
        r["conversation"], r["author"], r["text"] or "", r["started_at"], r["saved_at"], slot
    )
