"""Queries from the overview: what the lead should raise in a conversation (stage 6)
because of earlier conversations, other participants' accounts, or a saved plan.

:func:`overview_queries` lists them; :func:`mark_raised` records that one was raised (or
takes that back). Marking is recorded where the rest of the review can see it: a
follow-up's status and ``raised_in``, a saved agenda item's status, and for a discrepancy
raised without a plan, a new agenda item on this conversation with status "raised".
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.analysis.review_overview import (
    asking_patterns,
    follow_up_concerns,
    review_overview,
    stake_in,
)
from facilitator.store import Store, deterministic_id
from facilitator.store.db import StoreError

RAISED = "raised"
OPEN = "open"


@dataclass(frozen=True)
class OverviewQuery:
    kind: str  # "follow_up" | "discrepancy" | "agenda"
    id: str  # the follow-up, note or agenda item it comes from
    text: str
    source: str  # a human label of where it came from, e.g. "C1, Social worker"
    raised: bool
    conversation: str = ""  # the conversation this query is listed for
    minutes: int = 0  # suggested minutes (agenda items from a saved plan)


def overview_queries(store: Store, conversation_id: str) -> list[OverviewQuery]:
    """What to raise in this conversation, saved plan first.

    - the conversation's saved agenda items, by priority;
    - open follow-ups that name this participant by name or role, or that come from
      their other conversations and name no one else (and any already raised in this
      conversation, shown as raised);
    - discrepancies that involve this participant's own notes, or that sit on an episode
      this participant was part of (spoke of, was recorded by the team as involved in, or
      was named in an account of).

    Agenda items of kind "discrepancy" with priority 0 are not planned items: they are
    :func:`mark_raised`'s record of a discrepancy raised without a plan.

    A follow-up or discrepancy already on the saved agenda is listed once, as the agenda
    item. Follow-ups raised in another conversation are done and not listed.
    """
    conversation = store.conversation(conversation_id)
    review = conversation.review
    person = store.participant(conversation.participant) if conversation.participant else None
    overview = review_overview(store, review)
    theirs = overview.conversations_of(conversation.participant)
    follow_ups = store.follow_ups(review)
    origins = {f.id: overview.follow_up_source(f) for f in follow_ups}
    for gap in overview.discrepancies:
        origins[gap.id] = overview.where(gap)
    for item in overview.episodes:
        for episode in (item.episode, *item.entry.merged):
            origins[episode.id] = f"{item.episode.label} {item.episode.title}"
    items: list[OverviewQuery] = []
    planned: set[str] = set()
    rows = [r for r in store.rows("agenda_items", review) if r["conversation"] == conversation_id]
    rows.sort(key=lambda r: (r["priority"] or 0, r["created"], r["id"]))
    recorded_discrepancies = {}
    for row in rows:
        if row["kind"] == "discrepancy" and not row["priority"] and not row["minutes"]:
            # Recorded by mark_raised, not planned: shown as the discrepancy itself below.
            recorded_discrepancies[row["ref"]] = row
            continue
        planned.add(row["ref"] or "")
        items.append(
            OverviewQuery(
                "agenda",
                row["id"],
                row["text"] or "",
                f"plan · {origins[row['ref']]}" if row["ref"] in origins else "plan",
                row["status"] == RAISED,
                conversation_id,
                row["minutes"] or 0,
            )
        )

    asking = asking_patterns(person, overview.participants.values()) if person else ()
    pattern, others_named = asking[:2] if asking else (None, None)
    for follow_up in follow_ups:
        if follow_up.id in planned or follow_up.conversation == conversation_id:
            continue
        if follow_up.status != OPEN and follow_up.raised_in != conversation_id:
            continue
        if follow_up_concerns(follow_up, theirs, *(asking or (None,))):
            items.append(
                OverviewQuery(
                    "follow_up",
                    follow_up.id,
                    follow_up.text,
                    overview.follow_up_source(follow_up),
                    follow_up.raised_in == conversation_id and follow_up.status == RAISED,
                    conversation_id,
                )
            )

    witnessed = overview.episodes_recorded(person.id if person else None)
    part_of = overview.episodes_involving(conversation.participant)
    for gap in overview.discrepancies:
        if gap.id in planned:
            continue
        if all(n.conversation == conversation_id for n in gap.notes):
            continue  # noted in this very conversation: nothing to raise from elsewhere
        if stake_in(gap, theirs, part_of, pattern, others_named, witnessed) is None:
            continue
        row = recorded_discrepancies.get(gap.id)
        items.append(
            OverviewQuery(
                "discrepancy",
                gap.id,
                " / ".join(n.text for n in gap.notes),
                overview.where(gap),
                bool(row and row["status"] == RAISED),
                conversation_id,
            )
        )
    return items


def mark_raised(
    store: Store, query: OverviewQuery, raised: bool = True, *, conversation: str = ""
) -> None:
    """Record that ``query`` was raised in its conversation (``raised=False`` takes it back).

    ``conversation`` is needed only for a query built without one.
    """
    conversation_id = query.conversation or conversation
    if not conversation_id:
        raise StoreError("mark_raised needs the conversation the query was raised in")
    review = store.conversation(conversation_id).review
    status = RAISED if raised else OPEN
    with store.transaction():
        if query.kind == "agenda":
            row = _agenda_row(store, review, query.id)
            store.update(review, "agenda_item", row["id"], status=status)
            if row["kind"] == "follow_up" and row["ref"]:
                _mark_follow_up(store, review, row["ref"], conversation_id, raised)
        elif query.kind == "follow_up":
            _mark_follow_up(store, review, query.id, conversation_id, raised)
            for row in store.rows("agenda_items", review):
                if row["conversation"] == conversation_id and row["ref"] == query.id:
                    store.update(review, "agenda_item", row["id"], status=status)
        elif query.kind == "discrepancy":
            rows = [
                r
                for r in store.rows("agenda_items", review)
                if r["conversation"] == conversation_id
                and r["kind"] == "discrepancy"
                and r["ref"] == query.id
            ]
            for row in rows:
                store.update(review, "agenda_item", row["id"], status=status)
            if not rows and raised:
                store.emit(
                    review,
                    "agenda_item",
                    raised_id(conversation_id, query.id),
                    "set",
                    {
                        "conversation": conversation_id,
                        "kind": "discrepancy",
                        "ref": query.id,
                        "text": query.text,
                        "priority": 0,
                        "minutes": 0,
                        "status": RAISED,
                    },
                )
        else:
            raise StoreError(f"unknown kind of query {query.kind!r}")


def raised_id(conversation: str, ref: str) -> str:
    """The id of the record that a discrepancy was raised in a conversation without a plan:
    deterministic, so two laptops marking the same one make one record."""
    return deterministic_id("raised", conversation, ref)


def _agenda_row(store: Store, review: str, item_id: str) -> dict:
    for row in store.rows("agenda_items", review):
        if row["id"] == item_id:
            return row
    raise StoreError(f"no agenda item {item_id}")


def _mark_follow_up(
    store: Store, review: str, follow_up_id: str, conversation_id: str, raised: bool
) -> None:
    if not any(f.id == follow_up_id for f in store.follow_ups(review)):
        return  # the follow-up was deleted since the plan was made; the agenda item is enough
    if raised:
        store.update(review, "follow_up", follow_up_id, status=RAISED, raised_in=conversation_id)
    else:
        store.update(review, "follow_up", follow_up_id, status=OPEN, raised_in="")


__all__ = ["OverviewQuery", "mark_raised", "overview_queries"]
