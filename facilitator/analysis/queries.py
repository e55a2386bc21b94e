"""Queries from the overview: what the lead should raise in a conversation (stage 6)
because of earlier conversations, other participants' accounts, or a saved plan."""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.store import Store


@dataclass(frozen=True)
class OverviewQuery:
    kind: str  # "follow_up" | "discrepancy" | "agenda"
    id: str  # the follow-up, note or agenda item it comes from
    text: str
    source: str  # a human label of where it came from, e.g. "C1, Social worker"
    raised: bool


def overview_queries(store: Store, conversation_id: str) -> list[OverviewQuery]:
    """Open follow-ups about this participant from earlier conversations, discrepancies
    noted on episodes this participant has spoken of, and any saved agenda items."""
    conversation = store.conversation(conversation_id)
    review = conversation.review
    talks = {c.id: c for c in store.conversations(review)}
    people = {p.id: p for p in store.participants(review)}

    def source(conv_id: str | None) -> str:
        conv = talks.get(conv_id or "")
        if not conv:
            return "review team"
        who = people.get(conv.participant)
        return f"{conv.label}, {who.role if who else 'unknown'}"

    items: list[OverviewQuery] = []
    for row in store.rows("agenda_items", review):
        if row["conversation"] == conversation_id:
            items.append(
                OverviewQuery(
                    "agenda", row["id"], row["text"] or "", "plan", row["status"] == "raised"
                )
            )
    for follow_up in store.follow_ups(review):
        earlier = follow_up.conversation != conversation_id
        if follow_up.participant == conversation.participant and earlier:
            items.append(
                OverviewQuery(
                    "follow_up",
                    follow_up.id,
                    follow_up.text,
                    source(follow_up.conversation),
                    follow_up.status != "open",
                )
            )
    notes = store.notes(review=review)
    mine = {
        e
        for n in notes
        if n.conversation in _of(talks, conversation.participant)
        for e in n.episodes
    }
    raised = {
        r["ref"]
        for r in store.rows("agenda_items", review)
        if r["kind"] == "discrepancy"
        and r["status"] == "raised"
        and r["conversation"] == conversation_id
    }
    for note in notes:
        if note.kind != "discrepancy" or note.conversation == conversation_id:
            continue
        if (
            set(note.episodes) & mine
            or talks.get(note.conversation)
            and talks[note.conversation].participant == conversation.participant
        ):
            items.append(
                OverviewQuery(
                    "discrepancy", note.id, note.text, source(note.conversation), note.id in raised
                )
            )
    return items


def _of(talks: dict, participant: str) -> set[str]:
    return {c.id for c in talks.values() if c.participant == participant}
