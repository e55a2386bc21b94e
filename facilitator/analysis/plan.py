"""The agenda for a second conversation with one participant, and saving it.

What goes on the agenda, in order of priority (1 is raised first):

1. discrepancies that involve this person's own account; open follow-ups from their
   conversations or that name them;
2. episodes they were involved in but have not been heard on; discrepancies on episodes
   they were part of;
3. what others said about episodes they were part of;
4. episodes they spoke of where how it looked at the time is still largely open (notes on
   few of the local-rationality prompts) or where no contributory factor came up. These
   are openings to explore, never scores: the prompts are not a checklist.

Anything already raised with this participant is left off. Each item carries suggested
minutes; the plan says which items fit the time left once the introduction, summing up
and reflections are allowed for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from facilitator.analysis.coverage import episode_coverage
from facilitator.analysis.episodes import canonical_ids
from facilitator.analysis.review_overview import (
    ACCOUNT_KINDS,
    Account,
    EpisodeAccounts,
    ReviewOverview,
    asking_patterns,
    follow_up_concerns,
    mention_pattern,
    others_pattern,
    review_overview,
    stake_in,
)
from facilitator.capture import plain_with_tags, split_account, untagged
from facilitator.method import Method
from facilitator.model import Conversation, Participant
from facilitator.store import Store, deterministic_id
from facilitator.store.db import StoreError

# Suggested minutes per kind of item: enough to ask, listen and note.
MINUTES = {
    "follow_up": 5,
    "discrepancy": 10,
    "missing_perspective": 15,
    "others_accounts": 5,
    "thin_rationality": 10,
    "no_factors": 5,
}
# Each kind of item's one label, for people: the stored kinds are keys for data (JSON,
# saved agendas), and "thin" pushes towards the checklist use the guides warn against.
KIND_LABELS = {
    "follow_up": "follow-up",
    "discrepancy": "discrepancy",
    "missing_perspective": "not yet heard",
    "others_accounts": "others' accounts",
    "thin_rationality": "how it looked",  # still open to explore, never a score
    "no_factors": "factors open",
}
THIN_PROMPTS = 3  # an episode with notes on fewer prompts than this is thin
FRAMING_STAGES = (1, 8, 9)  # always allow time for these in a second conversation


@dataclass(frozen=True)
class AgendaProposal:
    kind: str  # a key of MINUTES
    ref: str  # follow-up id, discrepancy anchor note id, or episode id
    text: str  # what to raise, readable as it stands
    priority: int  # 1 = raise first
    minutes: int
    reason: str  # where it comes from, e.g. "C2, Health visitor (Community health)"


@dataclass
class Plan:
    review: str
    participant: Participant
    items: list[AgendaProposal] = field(default_factory=list)
    minutes_available: int = 75
    framing_minutes: int = 15

    @property
    def total_minutes(self) -> int:
        return sum(item.minutes for item in self.items)

    def fitting(self) -> tuple[list[AgendaProposal], list[AgendaProposal]]:
        """(items that fit the time available, items to raise if time allows), in order."""
        fits: list[AgendaProposal] = []
        spare: list[AgendaProposal] = []
        used = 0
        for item in self.items:
            if not spare and used + item.minutes <= self.minutes_available:
                fits.append(item)
                used += item.minutes
            else:
                spare.append(item)
        return fits, spare


def _already_raised(store: Store, review: str, theirs: set[str]) -> set[tuple[str, str]]:
    """(kind, ref) of what was raised in any of ``theirs`` (a participant's conversations)."""
    return {
        (row["kind"], row["ref"])
        for row in store.rows("agenda_items", review)
        if row["status"] == "raised" and row["conversation"] in theirs
    }


SHORT = 120  # characters of another's account shown on an agenda


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SHORT:
        return text
    return text[: SHORT - 1].rsplit(" ", 1)[0] + "…"


def _said(account: Account, labels: dict[str, str], method: Method) -> str:
    """One account, short and attributed; a note citing a record is its author's, and the
    passage it cites is quoted as the record's."""
    # Only a note typed as a quote holds the participant's own words; any other is the
    # note-taker's paraphrase, and quote marks would put words in the participant's mouth.
    # Nor is a "!" line of the note (the team's discrepancy) theirs to quote.
    words = _short(untagged(split_account(account.note.text, "", method)[0], method))
    text = f"“{words}”" if account.note.kind == "quote" else words
    cites = account.cites(labels)
    if not cites:
        return f"{account.source_label}: {text}"
    passage = f" (the record: “{_short(account.note.passage)}”)" if account.note.passage else ""
    return f"{account.source_label}, on {cites}: {text}{passage}"


def names_only(text: str, item: EpisodeAccounts, method: Method) -> bool:
    """Whether a note only named the episode ("#new Home visit (May 2024)"), under its
    title or a merged duplicate's: it says nothing of what happened, so it is no account."""
    words = untagged(text, method)
    for episode in (item.episode, *item.entry.merged):
        title = " ".join(episode.title.split())
        if words in (title, f"{title} ({' '.join((episode.date_text or '').split())})"):
            return True
    return False


def _label(episode_accounts: EpisodeAccounts) -> str:
    episode = episode_accounts.episode
    when = episode_accounts.entry.when
    return f"{episode.label} {episode.title}" + (f" ({when})" if when != "undated" else "")


def plan_for(
    store: Store,
    method: Method,
    participant_id: str,
    *,
    planned_minutes: int = 90,
    overview: ReviewOverview | None = None,
) -> Plan:
    """The prioritised agenda for a further conversation with ``participant_id``."""
    person = store.participant(participant_id)
    review = person.review
    overview = overview or review_overview(store, review)
    framing = sum(method.stage(n).minutes for n in FRAMING_STAGES)
    plan = Plan(review, person, [], max(0, planned_minutes - framing), framing)
    theirs = overview.conversations_of(person.id)
    done = _already_raised(store, review, theirs)
    proposals: list[AgendaProposal] = []
    proposed: set[tuple[str, str]] = set()

    def propose(kind: str, ref: str, text: str, priority: int, reason: str) -> None:
        if (kind, ref) in done or (kind, ref) in proposed:
            return
        proposed.add((kind, ref))
        proposals.append(AgendaProposal(kind, ref, text, priority, MINUTES[kind], reason))

    # Discrepancies: their own account first, then others on episodes they were part of.
    part_of = overview.episodes_involving(person.id)
    witnessed = overview.episodes_recorded(person.id)
    pattern = mention_pattern(person)
    others_named = others_pattern(person, overview.participants.values())
    for gap in overview.discrepancies:
        stake = stake_in(gap, theirs, part_of, pattern, others_named, witnessed)
        if stake is None:
            continue
        texts = " / ".join(n.text for n in gap.notes)
        priority = 1 if stake == "own" else 2
        propose("discrepancy", gap.id, f"Accounts differ: {texts}", priority, overview.where(gap))

    asking = asking_patterns(person, overview.participants.values())
    for follow_up in overview.open_follow_ups:
        if follow_up_concerns(follow_up, theirs, *asking):
            reason = overview.follow_up_source(follow_up)
            propose("follow_up", follow_up.id, plain_with_tags(follow_up.text, method), 1, reason)

    notes_by_them = overview.episode_notes_of(person.id)
    mapping = canonical_ids(
        [item.episode for item in overview.episodes]
        + [m for item in overview.episodes for m in item.entry.merged]
    )
    own_cover = episode_coverage([n for n in notes_by_them if n.kind in ACCOUNT_KINDS], mapping)
    prompt_titles = {p.key: p.title.lower() for p in method.local_rationality}
    for item in overview.episodes:
        if person.id not in item.involved:
            continue
        label = _label(item)
        if person.id not in item.heard:
            why = "; ".join(item.involved[person.id].reasons)
            propose(
                "missing_perspective",
                item.episode.id,
                f"Not yet heard on {label}: how did it look to them at the time?",
                2,
                why,
            )
        # What others said, in their words (short), each with its source. A difference
        # the team noted (!) is a discrepancy item of its own, not someone's account.
        others = [
            a
            for a in item.accounts
            if a.participant != person.id
            and a.note.kind != "discrepancy"
            and not names_only(a.note.text, item, method)
        ]
        if others:
            sources = list(dict.fromkeys(a.source_label for a in others))
            said = "; ".join(_said(a, overview.labels, method) for a in others)
            propose(
                "others_accounts",
                item.episode.id,
                f"What others said about {label}: {said}",
                3,
                "; ".join(sources),
            )
        cover = own_cover.get(item.episode.id)
        if person.id in item.heard and cover is not None:
            missing = cover.missing_prompts(method)
            covered = len(method.local_rationality) - len(missing)
            if covered < THIN_PROMPTS:
                asks = "; ".join(prompt_titles[k] for k in missing[:3])
                propose(
                    "thin_rationality",
                    item.episode.id,
                    f"How {label} looked to them at the time is still open; "
                    f"you might ask about: {asks}",
                    4,
                    "their own notes",
                )
            if not cover.factors:
                propose(
                    "no_factors",
                    item.episode.id,
                    f"No contributory factors noted for {label}: what most shaped it?",
                    4,
                    "their own notes",
                )
    order = {kind: index for index, kind in enumerate(MINUTES)}
    proposals.sort(key=lambda p: (p.priority, order[p.kind]))
    plan.items = proposals
    return plan


def agenda_item_id(conversation: str, kind: str, ref: str) -> str:
    return deterministic_id("agenda", conversation, kind, ref)


def held(store: Store, conversation: Conversation) -> bool:
    """Whether the conversation has taken place: started, ended, or holding notes. A
    conversation can hold notes and still say "planned" (notes added from the command line
    or by an older version, or synced from a laptop that never started it): it has been
    held all the same, and a second conversation's agenda or date never belongs on it."""
    return bool(
        conversation.started_at
        or conversation.ended_at
        or store.notes(conversation=conversation.id)
    )


def planned_conversation(store: Store, participant_id: str) -> Conversation | None:
    """The participant's next conversation that is planned and not yet held, if any."""
    person = store.participant(participant_id)
    waiting = [
        c
        for c in store.conversations(person.review)
        if c.participant == participant_id and not held(store, c)
    ]
    waiting.sort(key=lambda c: (c.planned_at or "~", c.label))
    return waiting[0] if waiting else None


def save_plan(
    store: Store,
    plan: Plan,
    *,
    conversation: str | None = None,
    new: bool = False,
    planned_at: str | None = None,
    planned_minutes: int = 90,
    lead: str | None = None,
    note_taker: str | None = None,
) -> str:
    """Store the agenda as agenda items on a planned conversation; returns its id.

    The conversation is ``conversation`` if given (it must be with this participant and not
    yet started); otherwise the participant's next planned conversation, so that saving twice
    never makes two; otherwise (or with ``new``) a newly planned one. Items already on that
    conversation's agenda are not added twice; item ids are derived from the conversation,
    kind and reference, so two laptops saving the same plan make the same items.
    """
    review = plan.review
    with store.transaction():
        if not conversation and not new:
            waiting = planned_conversation(store, plan.participant.id)
            conversation = waiting.id if waiting else None
        if conversation:
            target = store.conversation(conversation)
            if target.participant != plan.participant.id:
                raise StoreError(f"{target.label} is with someone else")
            if target.started_at:
                raise StoreError(f"{target.label} has already started; plan a new one")
            if held(store, target):
                raise StoreError(f"{target.label} already holds notes; plan a new one")
            fields = {
                k: v
                for k, v in (("planned_at", planned_at), ("lead", lead), ("note_taker", note_taker))
                if v
            }
            if fields:
                store.update(review, "conversation", conversation, **fields)
        else:
            conversation = store.new_conversation(
                review,
                plan.participant.id,
                lead=lead,
                note_taker=note_taker,
                planned_at=planned_at,
                planned_minutes=planned_minutes,
            )
        existing = {
            (row["kind"], row["ref"])
            for row in store.rows("agenda_items", review)
            if row["conversation"] == conversation
        }
        for item in plan.items:
            if (item.kind, item.ref) in existing:
                continue
            store.emit(
                review,
                "agenda_item",
                agenda_item_id(conversation, item.kind, item.ref),
                "set",
                {
                    "conversation": conversation,
                    "kind": item.kind,
                    "ref": item.ref,
                    "text": item.text,
                    "priority": item.priority,
                    "minutes": item.minutes,
                    "status": "open",
                },
            )
    return conversation


def agenda(store: Store, conversation_id: str) -> list[dict]:
    """A conversation's saved agenda items, by priority then the order they were saved."""
    review = store.conversation(conversation_id).review
    rows = [r for r in store.rows("agenda_items", review) if r["conversation"] == conversation_id]
    return sorted(rows, key=lambda r: (r["priority"] or 0, r["created"], r["id"]))
