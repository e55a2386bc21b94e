"""Who a statement is attributed to (guide 3.4.1: the team's views kept apart).

One rule for every output that says where a note, a discrepancy or a follow-up came from
(the plan, its JSON, the overview, the lead's queries, exports): a participant's account is
theirs; a ``!`` difference, a ``?`` question and a ``>>`` reflection are the review team's,
made in that conversation; a working note of the team's belongs to no conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from facilitator.model import Conversation, FollowUp, Note

TEAM = "Review team"
WORKING_NOTES = f"{TEAM} (working notes)"

# What the team records in a participant's conversation, by note kind.
_TEAM_KIND_WORDS = {
    "discrepancy": "observation",
    "followup": "question",
    "reflection": "reflection",
}


def team_made(kind: str, conversation_label: str | None) -> str:
    """ "Review team's observation in C1", or the working notes' label for no conversation."""
    if not conversation_label:
        return WORKING_NOTES
    word = _TEAM_KIND_WORDS.get(kind, "note")
    return f"{TEAM}'s {word} in {conversation_label}"


def note_attribution(
    note: Note, labels: Mapping[str, str], talks: Mapping[str, Conversation]
) -> str:
    """Where ``note`` came from, for a reader. ``labels`` maps a conversation or document
    id to its label (see :func:`facilitator.analysis.episodes.source_label`)."""
    if not note.conversation:
        return WORKING_NOTES
    if note.kind in _TEAM_KIND_WORDS:
        talk = talks.get(note.conversation)
        return team_made(note.kind, talk.label if talk else "an unknown conversation")
    return labels.get(note.conversation, "unknown source")


def follow_up_attribution(follow_up: FollowUp, talks: Mapping[str, Conversation]) -> str:
    """A follow-up is the team's question, raised in a conversation or in working notes."""
    talk = talks.get(follow_up.conversation or "")
    return team_made("followup", talk.label if talk else None)


def notes_attribution(
    notes: Iterable[Note], labels: Mapping[str, str], talks: Mapping[str, Conversation]
) -> str:
    """The attributions of several notes (a discrepancy's), each once, in order."""
    return "; ".join(dict.fromkeys(note_attribution(n, labels, talks) for n in notes))
