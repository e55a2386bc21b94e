"""Writing and reading the dialogue's entities. Every change is an op (``store.emit``), so
drafts, sends, comments, answers and meetings sync like the rest of a review.

- a draft is immutable: written once (action ``add``), its content frozen in the op;
- a send: one per (draft, participant), with a deterministic id, so a resend is a later
  write of the same entity (last writer wins);
- an answer: each is its own entity, so a changed answer keeps the one it replaced (the
  reason a comment was first declined is not lost, and two laptops answering the same
  comment keep both); the latest is the comment's answer;
- an imported comment's id depends on the draft, the participant and what the comment
  says, on what and by whom: importing one file twice, or saved again, adds nothing.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from facilitator.dates import LEEWAY
from facilitator.dialogue.model import (
    ANCHOR_NONE,
    DRAFT_KINDS,
    DRAFT_TITLES,
    MEETING_KINDS,
    RESPONSES,
    Answer,
    Board,
    CommentRecord,
    DraftRecord,
    MeetingRecord,
    Send,
)
from facilitator.method import Method
from facilitator.store import Store
from facilitator.store.db import StoreError
from facilitator.store.store import deterministic_id, new_id

# --- drafts ---------------------------------------------------------------------------


def freeze_draft(
    store: Store,
    method: Method,
    review: str,
    kind: str,
    *,
    force: bool = False,
    left_out: list[str] | None = None,
) -> str:
    """Freeze the analysis as it stands as a new draft; returns its id. The draft also
    states what changed since the previous one, and the comments behind each change.
    Drafts go in the guide's order (preliminary, interim, final; a round may have more
    than one draft): another order is refused unless ``force``. ``left_out`` gets the
    labels of the team's own episodes the draft leaves out (see snapshot.freeze)."""
    from facilitator.dialogue.changes import changes_since
    from facilitator.dialogue.snapshot import freeze

    if kind not in DRAFT_KINDS:
        raise StoreError(f"a draft is {', '.join(DRAFT_KINDS)}, not {kind!r}")
    earlier = drafts(store, review)
    if not force:
        _check_order(earlier, kind)
    content = freeze(store, method, review, kind, left_out=left_out)
    # Its number, fixed now: a pack names it, so a sync must never renumber it.
    content["number"] = (
        max((_number(d.content, n) for n, d in enumerate(earlier, 1)), default=0) + 1
    )
    if earlier:
        from facilitator.reports.redaction import Register

        changes = changes_since(earlier, content, comments(store, review))
        # The earlier draft's words ("renamed from ...") were redacted by the register as
        # it stood then: a name added to it since, or a former pseudonym, goes now.
        register = Register.for_review(store, review, method)
        for change in changes:
            change["text"] = register.apply(change["text"])
        content["changes"] = changes
    draft_id = new_id()
    store.emit(
        review,
        "draft",
        draft_id,
        "add",
        {"kind": kind, "frozen_at": store.now_iso(), "by": store.author, "content": content},
    )
    return draft_id


def _check_order(earlier: list[DraftRecord], kind: str) -> None:
    rank = DRAFT_KINDS.index(kind)
    reached = max((DRAFT_KINDS.index(d.kind) for d in earlier if d.kind in DRAFT_KINDS), default=-1)
    again = "; to freeze it all the same, use --force"

    def a(kind: str) -> str:
        title = DRAFT_TITLES[kind].lower()
        return f"an {title}" if title[0] in "aeiou" else f"a {title}"

    if rank < reached:
        title = DRAFT_TITLES[DRAFT_KINDS[reached]].lower()
        raise StoreError(f"{a(kind)} cannot come after the {title}{again}")
    if rank > reached + 1:
        missing = DRAFT_TITLES[DRAFT_KINDS[reached + 1]].lower()
        raise StoreError(
            f"the guide's rounds come in order: freeze the {missing} first, before {a(kind)}{again}"
        )


def _number(content: dict[str, Any], position: int) -> int:
    """A draft's number as frozen; a draft frozen before numbers were stored has its place."""
    number = content.get("number")
    return number if isinstance(number, int) and number > 0 else position


def drafts(store: Store, review: str) -> list[DraftRecord]:
    """The drafts, each labelled with the number it was frozen with (``D2``). Two laptops
    that froze a draft each before syncing gave both the same number: each of those is
    then labelled with the start of its id as well (``D2-3fa2``), so neither takes the
    other's label and a pack's "(D2)" never comes to mean the other draft."""
    rows = store.rows("dialogue_drafts", review)
    contents = [json.loads(row["content"] or "{}") for row in rows]
    numbers = [_number(content, n) for n, content in enumerate(contents, 1)]
    found = []
    for row, content, number in zip(rows, contents, numbers, strict=True):
        label = f"D{number}" if numbers.count(number) == 1 else f"D{number}-{row['id'][:4]}"
        found.append(
            DraftRecord(
                row["id"],
                label,
                review,
                row["kind"] or "",
                row["frozen_at"] or "",
                row["by"] or "",
                content,
            )
        )
    return found


def find_draft(store: Store, review: str, token: str) -> str:
    """A draft's id from its label (``D2``, ``D2-3fa2``) or a unique id prefix."""
    token = token.strip()
    found = drafts(store, review)
    wanted = token.upper()
    for item in found:
        if item.label.upper() == wanted:
            return item.id
    clash = [d.label for d in found if d.label.upper().startswith(wanted + "-")]
    if clash:
        raise StoreError(
            f"{token} is {len(clash)} drafts, frozen on different laptops before they synced: "
            f"give one of {', '.join(clash)}"
        )
    # "D12" is a label this review lacks; "d1234..." may still be the start of an id.
    if wanted[:1] == "D" and wanted[1:].isdigit() and len(wanted) < 4:
        raise StoreError(f"no dialogue draft matches {token!r}")
    return store.resolve("dialogue_drafts", token, review=review)


def draft(store: Store, review: str, draft_id: str) -> DraftRecord:
    for item in drafts(store, review):
        if item.id == draft_id:
            return item
    raise StoreError(f"no draft {draft_id} in this review")


# --- who was sent what ---------------------------------------------------------------


def _clock_time(hlc: str) -> datetime | None:
    """The wall time an op clock (``<ms since 1970>.<counter>.<device>``) was read at."""
    try:
        return datetime.fromtimestamp(int(hlc.split(".", 1)[0]) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _moment(at: str) -> datetime:
    moment = datetime.fromisoformat(at)
    return moment if moment.tzinfo else moment.astimezone()


def record_send(store: Store, review: str, draft_id: str, participant: str, at: str | None) -> str:
    """Record that a draft went to a participant. Each send is kept (a draft sent again
    is a second send); the same send recorded twice, on two laptops say, is one."""
    frozen = draft(store, review, draft_id)
    at = at or store.now_iso()
    moment = _moment(at)
    # A send is recorded to the minute; the draft was frozen to the millisecond.
    if frozen.frozen_at and moment < _moment(frozen.frozen_at).replace(second=0, microsecond=0):
        raise StoreError(
            f"{at[:16].replace('T', ' ')} is before {frozen.label} was frozen "
            f"({frozen.frozen_at[:16].replace('T', ' ')}): a draft cannot go out before it exists"
        )
    if moment > datetime.now(UTC) + LEEWAY:  # a clock a little behind
        raise StoreError(
            f"{at[:16].replace('T', ' ')} is in the future: record a send once it has gone"
        )
    send_id = deterministic_id("draft_send", draft_id, participant, at)
    store.emit(
        review,
        "draft_send",
        send_id,
        "set",
        {
            "draft": draft_id,
            "participant": participant,
            "at": at,
            "by": store.author,
        },
    )
    return send_id


def sends(store: Store, review: str) -> list[Send]:
    return [
        Send(r["id"], r["draft"], r["participant"], r["at"] or "", r["by"] or "")
        for r in store.rows("draft_sends", review)
    ]


# --- comments and answers ---------------------------------------------------------------


def add_comment(
    store: Store, review: str, fields: dict[str, Any], comment_id: str | None = None
) -> str:
    """Record one comment (typed in, or read from a returned file)."""
    # A Word comment may be empty (the passage it marks says enough); a typed one may not.
    if not str(fields.get("text", "")).strip() and fields.get("source", "typed") == "typed":
        raise StoreError("a comment needs some text")
    comment_id = comment_id or new_id()
    fields = {
        "source": "typed",
        "kind": "comment",
        "anchor": ANCHOR_NONE,
        "by": store.author,
        **fields,
    }
    fields.setdefault("received_at", store.now_iso())
    store.emit(review, "comment", comment_id, "set", fields)
    return comment_id


# A terminal escape sequence (CSI, OSC or a lone ESC and the character after it) and
# the other characters that print nothing: what is left must say something.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.?)", re.S)


def respond(store: Store, review: str, comment_id: str, response: str, note: str = "") -> str:
    if response not in RESPONSES:
        raise StoreError(f"an answer is {', '.join(RESPONSES)}, not {response!r}")
    note = note.strip()
    if not "".join(c for c in _ESCAPES.sub("", note) if c.isprintable()).strip():
        note = ""  # only terminal escapes or control characters: no reason at all
    if response == "declined" and not note:
        raise StoreError("a declined comment needs the reason: give it with --note")
    answer_id = new_id()
    store.emit(
        review,
        "answer",
        answer_id,
        "set",
        {
            "comment": comment_id,
            "response": response,
            "note": note,
            "by": store.author,
            "at": store.now_iso(),
        },
    )
    return answer_id


def comments(store: Store, review: str) -> list[CommentRecord]:
    given: dict[str, list[Answer]] = {}
    # In the order they were given: the op clock, the same on every laptop after a sync.
    rows = sorted(store.rows("comment_answers", review), key=lambda r: (r["created"], r["id"]))
    for r in rows:
        given.setdefault(r["comment"], []).append(
            Answer(r["response"] or "", r["note"] or "", r["by"] or "", r["at"] or "")
        )
    answers = {
        comment: replace(found[-1], earlier=tuple(found[:-1])) for comment, found in given.items()
    }
    found = []
    episodes_now: dict[str, str] | None = None
    for number, r in enumerate(store.rows("dialogue_comments", review), 1):
        where = r["target_label"] or ""
        if r["target_kind"] == "episode" and where:
            # The label is the draft's; after a sync the episode may be numbered anew, and
            # "E5" would send the team to another episode.
            if episodes_now is None:
                episodes_now = store.labels("episodes", review)
            now = episodes_now.get(r["target"] or "")
            if now and where.split()[0] != now:
                where = f"{where} (now {now})"
        found.append(
            CommentRecord(
                r["id"],
                f"K{number}",
                review,
                r["draft"] or "",
                r["participant"] or "",
                r["source"] or "",
                r["kind"] or "comment",
                r["text"] or "",
                r["quote"] or "",
                r["target_kind"] or "",
                r["target"] or "",
                where,
                r["anchor"] or "",
                r["near"] or "",
                r["received_at"] or "",
                r["file_author"] or "",
                r["file_date"] or "",
                r["filename"] or "",
                r["by"] or "",
                answers.get(r["id"]),
            )
        )
    return found


# A comment's label (K7) is its place in the order comments were made, the same on every
# laptop; but a comment made on another laptop before a sync can come in ahead of one made
# here, and every label after it moves on by one. What the reviewer last saw listed is kept
# on this laptop only (a setting, not an op), so that answering "K7" after such a sync is
# refused with what moved, rather than answering another comment than the one they read.
_SEEN_LABELS = "dialogue.comment_labels.{review}"


def remember_labels(store: Store, review: str, shown: list[CommentRecord]) -> None:
    """Note which comment each label named in a list the reviewer has just been shown."""
    by_number = {int(c.label[1:]): c.id for c in shown}
    seen = [by_number.get(n, "") for n in range(1, max(by_number, default=0) + 1)]
    with contextlib.suppress(StoreError):  # read-only: nothing to compare with later
        store.set_setting(_SEEN_LABELS.format(review=review), json.dumps(seen))


def moved_label(store: Store, review: str, token: str, comment_id: str) -> str | None:
    """Why answering ``token`` (a label such as K7) would answer another comment than the
    one it named when the comments were last listed on this laptop; None if it would not
    (or the token is an id, or they were never listed here)."""
    token = token.strip().upper()
    if not (token[:1] == "K" and token[1:].isdigit()):
        return None
    try:
        seen = json.loads(store.setting(_SEEN_LABELS.format(review=review)) or "[]")
    except ValueError:
        return None
    number = int(token[1:])
    if not 0 < number <= len(seen) or not seen[number - 1] or seen[number - 1] == comment_id:
        return None
    now = {c.id: c for c in comments(store, review)}
    meant = now.get(seen[number - 1])
    where = (
        f"the one listed as {token} is now {meant.label} ({meant.id[:6]})"
        if meant
        else (f"the one listed as {token} has been deleted")
    )
    return (
        f"{token} now names another comment than when the comments were last listed here "
        f"({comment_id[:6]}: comments from another laptop came in since); {where}. List "
        "them again with 'comment REVIEW list', or answer by id"
    )


# --- meetings ---------------------------------------------------------------------------


def new_meeting(
    store: Store, review: str, kind: str, at: str, attended: list[str], *, lead: str | None = None
) -> tuple[str, str]:
    """A group meeting, and the conversation its notes are taken in (the same screen and
    grammar as a one-to-one conversation). Returns (meeting id, conversation id)."""
    if kind not in MEETING_KINDS:
        raise StoreError(f"a meeting is {', '.join(MEETING_KINDS)}, not {kind!r}")
    moment = _moment(at)
    began = _clock_time(store.review(review).created)
    if began and moment < began - timedelta(days=5 * 366):  # records entered late
        raise StoreError(
            f"{at[:10]} is long before this review began ({began.date().isoformat()}): "
            "check the date"
        )
    if moment > datetime.now(UTC) + timedelta(days=2 * 366):
        raise StoreError(f"{at[:10]} is more than two years ahead: check the date")
    matching = {"preliminary": "preliminary", "interim": "interim", "closing": "final"}[kind]
    # The latest such draft that existed by the meeting: a meeting recorded afterwards
    # discussed the draft of its day, not one frozen since.
    discussed = [
        d
        for d in drafts(store, review)
        if d.kind == matching and (not d.frozen_at or _moment(d.frozen_at) <= moment)
    ]
    meeting_id = new_id()
    with store.transaction():
        conversation = store.new_conversation(
            review, "", lead=lead, planned_at=at, planned_minutes=120
        )
        store.emit(
            review,
            "meeting",
            meeting_id,
            "set",
            {
                "kind": kind,
                "at": at,
                "attended": list(dict.fromkeys(attended)),
                "draft": discussed[-1].id if discussed else "",
                "conversation": conversation,
            },
        )
    return meeting_id, conversation


def meetings(store: Store, review: str) -> list[MeetingRecord]:
    return [
        MeetingRecord(
            r["id"],
            f"M{number}",
            review,
            r["kind"] or "",
            r["at"] or "",
            tuple(json.loads(r["attended"] or "[]")),
            r["draft"] or "",
            r["conversation"] or "",
        )
        for number, r in enumerate(store.rows("meetings", review), 1)
    ]


def board(store: Store, review: str) -> Board:
    return Board(
        drafts(store, review),
        sends(store, review),
        comments(store, review),
        meetings(store, review),
    )


def meeting_of(store: Store, review: str, conversation: str) -> MeetingRecord | None:
    """The group meeting whose notes are taken in ``conversation``, if it is one."""
    return next((m for m in meetings(store, review) if m.conversation == conversation), None)


def who_talks(store: Store, review: str, conversation: str, participant: str) -> str:
    """Whom a conversation is with, as the team says it: the participant, or for a group
    meeting its kind and who came ("Preliminary group meeting: P1, P2")."""
    if participant:
        return store.participant(participant).display
    found = meeting_of(store, review, conversation)
    if found is None:
        return "participant unknown"
    labels = {p.id: p.label for p in store.participants(review)}
    came = ", ".join(labels.get(p, "?") for p in found.attended)
    return f"{found.title}: {came}" if came else found.title
