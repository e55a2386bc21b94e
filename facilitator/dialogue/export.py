"""The dialogue as JSON: which drafts each participant received and when, what they sent
back, the answers, and the meetings (part of ``export --format json``)."""

from __future__ import annotations

from typing import Any

from facilitator.dialogue.model import CommentRecord
from facilitator.dialogue.records import board
from facilitator.store import Store


def comment_data(comment: CommentRecord) -> dict[str, Any]:
    answer = comment.answer
    return {
        "id": comment.id,
        "label": comment.label,
        "draft": comment.draft,
        "participant": comment.participant,
        "source": comment.source,
        "kind": comment.kind,
        "text": comment.text,
        "quote": comment.quote,
        "on": {
            "kind": comment.target_kind,
            "id": comment.target,
            "label": comment.target_label,
        },
        "anchor": comment.anchor,
        "near": comment.near,
        "received_at": comment.received_at,
        "file": {
            "name": comment.filename,
            "author": comment.file_author,
            "date": comment.file_date,
        },
        "recorded_by": comment.by,
        "answer": None
        if answer is None
        else {
            "response": answer.response,
            "note": answer.note,
            "by": answer.by,
            "at": answer.at,
            "earlier": [
                {"response": e.response, "note": e.note, "by": e.by, "at": e.at}
                for e in answer.earlier
            ],
        },
    }


def dialogue_data(store: Store, review: str) -> dict[str, Any]:
    found = board(store, review)
    return {
        "drafts": [
            {
                "id": d.id,
                "label": d.label,
                "kind": d.kind,
                "frozen_at": d.frozen_at,
                "by": d.by,
                "content": d.content,
            }
            for d in found.drafts
        ],
        "sends": [
            {"draft": s.draft, "participant": s.participant, "at": s.at, "by": s.by}
            for s in found.sends
        ],
        "comments": [comment_data(c) for c in found.comments],
        "meetings": [
            {
                "id": m.id,
                "label": m.label,
                "kind": m.kind,
                "at": m.at,
                "attended": list(m.attended),
                "draft": m.draft,
                "conversation": m.conversation,
            }
            for m in found.meetings
        ],
    }
