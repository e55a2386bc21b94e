"""The JSON dump of a review: a stable contract for tests and other tools.

The only volatile field is the top-level ``exported_at``; everything else depends only on
the store's contents, in a fixed order, so two exports of an unchanged store are equal
apart from that one field.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

from facilitator.analysis.review_overview import follow_up_for
from facilitator.dialogue.export import dialogue_data
from facilitator.model import Conversation, FollowUp, Participant
from facilitator.store import Store

FORMAT = "facilitator-review/1"


def export_review(
    store: Store, review_id: str, *, exported_at: str | None = None
) -> dict[str, Any]:
    review = store.review(review_id)
    participants = store.participants(review_id)
    conversations = store.conversations(review_id)
    episodes = store.episodes(review_id)
    notes = store.notes(review=review_id)
    # One read for every note's revision count (a query per note was 20,000 queries).
    revisions = Counter(r["note"] for r in store.rows("note_revisions", review_id))
    return {
        "format": FORMAT,
        "exported_at": exported_at or datetime.now().astimezone().isoformat(timespec="seconds"),
        "review": {
            "id": review.id,
            "label": review.label,
            "title": review.title,
            "questions": list(review.questions),
        },
        "participants": [
            {
                "id": p.id,
                "label": p.label,
                "role": p.role,
                "agency": p.agency,
                "kind": p.kind,
                "name": p.name,
                "pseudonym": p.pseudonym,
            }
            for p in participants
        ],
        "conversations": [
            {
                "id": c.id,
                "label": c.label,
                "participant": c.participant,
                "sequence": c.sequence,
                "lead": c.lead,
                "note_taker": c.note_taker,
                "planned_at": c.planned_at,
                "planned_minutes": c.planned_minutes,
                "started_at": c.started_at,
                "ended_at": c.ended_at,
                "status": c.status,
                "stage_events": [
                    {"stage": e.stage, "at": e.at, "by": e.by} for e in store.stage_events(c.id)
                ],
            }
            for c in conversations
        ],
        "notes": [
            {
                "id": n.id,
                "conversation": n.conversation,
                "at": n.at,
                "elapsed_s": n.elapsed_s,
                "stage": n.stage,
                "kind": n.kind,
                "text": n.text,
                "episodes": list(n.episodes),
                "factors": list(n.factors),
                # "role-": the factor and which way the note says it worked (+ helped,
                # - hindered); a factor with no mark has no entry here.
                "directions": list(n.directions),
                "prompts": list(n.prompts),
                "contradicts": list(n.contradicts),
                "author": n.author,
                "device": n.device,
                "revisions": revisions[n.id],
                "conflict": n.conflict,
                "problems": list(n.problems),
            }
            for n in notes
        ],
        "episodes": [
            {
                "id": e.id,
                "label": e.label,
                "title": e.title,
                "date_text": e.date_text,
                "date_start": e.date_start,
                "date_end": e.date_end,
                "description": e.description,
                "team_good": e.team_good,
                "team_problematic": e.team_problematic,
                "team_significance": e.team_significance,
                "team_information": e.team_information,
                "merged_into": e.merged_into,
            }
            for e in episodes
        ],
        "follow_ups": [
            _follow_up(f, participants, conversations) for f in store.follow_ups(review_id)
        ],
        "documents": [
            {k: v for k, v in asdict(d).items() if k != "review"}
            for d in store.documents(review_id)
        ],
        "chronology": _table(store, "chronology", review_id),
        "agenda_items": _table(store, "agenda_items", review_id),
        "patterns": _table(store, "patterns", review_id),
        "recommendations": _table(store, "recommendations", review_id),
        # The team's links between things other than notes: involvement, support, ...
        "links": [
            row
            for row in _table(store, "links", review_id)
            if row["source_kind"] != "note" and row["present"]
        ],
        "dialogue": dialogue_data(store, review_id),
    }


def _table(store: Store, table: str, review_id: str) -> list[dict[str, Any]]:
    """Live rows of one table without the store's bookkeeping columns."""
    hidden = {"review", "deleted", "created", "updated"}
    return [
        {k: v for k, v in row.items() if k not in hidden} for row in store.rows(table, review_id)
    ]


def dumps(store: Store, review_id: str, *, exported_at: str | None = None) -> str:
    data = export_review(store, review_id, exported_at=exported_at)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _follow_up(
    follow_up: FollowUp, people: list[Participant], talks: list[Conversation]
) -> dict[str, Any]:
    """A follow-up with whom it is for, by the plan's rule: ``participants`` every one whose
    agenda it belongs on, ``participant`` the first of them (or null); ``conversation`` is
    where the team asked it, ``asked_in_talk_with`` the participant of that conversation."""
    data = asdict(follow_up)
    routed = follow_up_for(follow_up, people, talks)
    data["asked_in_talk_with"] = data.pop("participant")
    data["participant"] = routed[0] if routed else None
    data["participants"] = routed
    return data
