"""The dialogue board as lines of text: drafts and who had each, what came back and the
answers, and the meetings. One text for the command line and the app."""

from __future__ import annotations

from facilitator.dialogue.model import Board, CommentRecord
from facilitator.model import Participant


def _when(at: str) -> str:
    return at[:16].replace("T", " ") if at else "no time given"


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def person(people: dict[str, Participant], participant: str) -> str:
    found = people.get(participant)
    return f"{found.label} {found.role}" if found else "unknown participant"


def comment_line(
    comment: CommentRecord, people: dict[str, Participant], drafts: dict[str, str]
) -> str:
    answer = comment.answer
    if answer is None:
        state = "UNANSWERED"
    else:
        state = answer.response + (f" ({_short(answer.note, 40)})" if answer.note else "")
        if answer.earlier:  # answered more than once, on two laptops say: never silently
            state += f" | {answer.history}"
    kind = "" if comment.kind == "comment" else f"[{comment.kind}] "
    return (
        # The start of the id beside the label: a label moves on when another laptop's
        # comments come in ahead of it; the id never does.
        f"{comment.label:<5} {comment.id[:6]} {drafts.get(comment.draft, '?'):<3} "
        f"{person(people, comment.participant)}, on {comment.where}: "
        f"{kind}{_short(comment.text)} | {state}"
    )


def board_lines(
    board: Board, participants: list[Participant], conversations: dict[str, str] | None = None
) -> list[str]:
    """The board; ``conversations`` maps conversation ids to labels (C5), to say where
    each meeting's notes are taken."""
    people = {p.id: p for p in participants}
    labels = {d.id: d.label for d in board.drafts}
    lines = ["Drafts"]
    if not board.drafts:
        lines.append("  none yet: freeze one with 'facilitator draft REVIEW new preliminary'")
    for draft in board.drafts:
        lines.append(
            f"  {draft.label}  {draft.title}, frozen {_when(draft.frozen_at)} "
            f"by {draft.by or 'unknown'}"
        )
        sent = sorted((s for s in board.sends if s.draft == draft.id), key=lambda s: s.at)
        had = {s.participant for s in sent}
        for send in sent:
            back = [
                c
                for c in board.comments
                if c.draft == draft.id and c.participant == send.participant
            ]
            open_ = sum(c.open for c in back)
            came = (
                f"{len(back)} comment(s) back, {open_} unanswered" if back else "nothing back yet"
            )
            lines.append(
                f"      sent to {person(people, send.participant)} on {_when(send.at)}: {came}"
            )
        unsent = [p for p in participants if p.id not in had]
        if unsent:
            lines.append("      not sent to: " + ", ".join(person(people, p.id) for p in unsent))
        strays = {c.participant for c in board.comments if c.draft == draft.id} - had
        for participant in sorted(strays):
            lines.append(
                f"      comments from {person(people, participant)}, with no send recorded"
            )
    open_total = sum(c.open for c in board.comments)
    lines += ["", f"Comments: {len(board.comments)}, {open_total} unanswered"]
    for comment in board.comments:
        lines.append("  " + comment_line(comment, people, labels))
    lines += ["", "Meetings"]
    if not board.meetings:
        lines.append("  none yet: 'facilitator meeting REVIEW new preliminary --at WHEN'")
    for meeting in board.meetings:
        attended = ", ".join(person(people, p) for p in meeting.attended) or "nobody recorded"
        draft = f", on {labels[meeting.draft]}" if meeting.draft in labels else ""
        talk = (conversations or {}).get(meeting.conversation)
        notes = f"; notes in {talk}" if talk else ""
        lines.append(
            f"  {meeting.label}  {meeting.title}, {_when(meeting.at)}{draft}; "
            f"attended: {attended}{notes}"
        )
    return lines
