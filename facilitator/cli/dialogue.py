"""The dialogue with participants (guide 3.4.4):

draft REVIEW new preliminary|interim|final | list | export DRAFT [--for P] --format md|docx
draft REVIEW send DRAFT PARTICIPANT [--at WHEN]
comment REVIEW import DRAFT FILE.docx --from P | add DRAFT --from P [--on REF] TEXT
comment REVIEW list [--open] [--json] | respond COMMENT --accept|--decline|--noted
meeting REVIEW new preliminary|interim|closing --at WHEN [--attended P1,P2]
dialogue REVIEW
"""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo, echo_json

DRAFT_KINDS = ("preliminary", "interim", "final")
MEETING_KINDS = ("preliminary", "interim", "closing")


def _when(value: str, *, past: bool) -> str:
    """A moment for a send or a meeting (:func:`facilitator.dates.parse_day_when`: a day
    must be given; a day without a year is the nearest such day)."""
    from facilitator.dates import DateProblem, parse_day_when

    try:
        return parse_day_when(value, past=past).isoformat(timespec="minutes")
    except DateProblem as exc:
        raise UserError(str(exc)) from None


def _draft_id(obj: Context, review: str, token: str) -> str:
    from facilitator.dialogue.records import find_draft

    return find_draft(obj.store, review, token)


# --- draft ----------------------------------------------------------------------------


@click.group()
@click.argument("review_ref", metavar="REVIEW")
@click.pass_context
def draft(ctx: click.Context, review_ref: str) -> None:
    """Drafts for participants to check: preliminary, interim and final.

    A draft freezes the analysis as it stands (chronology, episodes and the team's
    judgements, patterns and, from the interim draft on, recommendations). Each
    participant is sent a pack: the draft and their own conversation record.
    """
    ctx.meta["review_ref"] = review_ref


@draft.command("new")
@click.argument("kind", type=click.Choice(DRAFT_KINDS), metavar="KIND")
@click.option("--force", is_flag=True, help="Freeze it even out of the guide's order.")
@pass_context
def draft_new(obj: Context, kind: str, force: bool) -> None:
    """Freeze the current analysis as a numbered draft; prints its id. Drafts go in the
    guide's order (preliminary, interim, final); --force freezes one out of it. An episode
    named only in the team's own notes is left out, and stderr says which."""
    from facilitator.dialogue.records import freeze_draft

    left_out: list[str] = []
    echo(freeze_draft(obj.store, obj.method, obj.group_review_id(), kind, force=force,
                      left_out=left_out))  # fmt: skip
    if left_out:  # "where is E6?": said to the team, never in the draft
        echo(
            f"not in the draft: {', '.join(left_out)}, named only in the team's own notes "
            "(a '>>' line or 'note team'); an account, a record, a pattern, the team's "
            "judgement or a new title brings an episode in",
            err=True,
        )


@draft.command("list")
@pass_context
def draft_list(obj: Context) -> None:
    """The drafts frozen so far, and who has been sent each."""
    from facilitator.dialogue.records import drafts, sends

    review = obj.group_review_id()
    found = drafts(obj.store, review)
    if not found:
        echo("No drafts yet: freeze one with 'facilitator draft REVIEW new preliminary'")
        return
    people = {p.id: p.label for p in obj.store.participants(review)}
    sent = sends(obj.store, review)
    width = max((len(d.label) for d in found), default=4)  # D3-1162 lines up with D1
    for item in found:
        content = item.content
        counts = (
            f"{len(content.get('episodes', []))} episodes, "
            f"{len(content.get('patterns', []))} patterns"
        )
        to = sorted(people.get(s.participant, "?") for s in sent if s.draft == item.id)
        echo(
            f"{item.label:<{width}} {item.id[:8]}  {item.title:<20} "
            f"{item.frozen_at[:16].replace('T', ' ')}"
            f"  {counts}; sent to: {', '.join(to) or 'nobody yet'}"
        )


@draft.command("export")
@click.argument("draft_ref", metavar="DRAFT")
@click.option(
    "--for",
    "participant_ref",
    metavar="PARTICIPANT",
    help="Make this participant's pack: the draft and their own conversation record.",
)
@click.option("--format", "fmt", type=click.Choice(("md", "docx")), required=True)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file."
)
@click.option("--replace", is_flag=True, help="Write over the -o file if it is already there.")
@pass_context
def draft_export(
    obj: Context,
    draft_ref: str,
    participant_ref: str | None,
    fmt: str,
    output: Path | None,
    replace: bool,
) -> None:
    """Export a draft, or one participant's pack. Markdown goes to stdout unless -o is
    given; Word is written to -o, or to a file named after the draft and participant
    (D1-preliminary-P3.docx), never over one already there (a returned pack holds a
    participant's comments) unless --replace is given."""
    if output is not None and str(output) != "-":
        suffix = output.suffix.lower()
        if suffix in (".md", ".docx") and suffix != f".{fmt}":
            raise UserError(f"{output} ends in {suffix} but --format is {fmt}: nothing was written")
        if (output.exists() or output.is_symlink()) and not replace:
            raise UserError(
                f"{output} already exists; nothing was written: give --replace to write "
                "over it, or another -o"
            )
    from facilitator.cli.export import _emit
    from facilitator.dialogue.pack import contact_warning, pack_bytes
    from facilitator.dialogue.records import draft as read_draft

    review = obj.group_review_id()
    frozen = read_draft(obj.store, review, _draft_id(obj, review, draft_ref))
    participant = obj.participant_id(participant_ref, review) if participant_ref else None
    data = pack_bytes(frozen, participant, fmt)
    if output is None and fmt == "docx":
        who = obj.store.participant(participant).label if participant else "draft"
        output = Path(f"{frozen.label}-{frozen.kind}-{who}.docx")
        if output.exists() or output.is_symlink():  # another pack, perhaps: never silently
            raise UserError(
                f"{output} already exists; nothing was written: give -o to choose the file"
            )
    _emit(data, output, obj.store.path, to_stdout=fmt == "md")
    warning = contact_warning(frozen, participant)
    if warning:
        echo(warning, err=True)


@draft.command("send")
@click.argument("draft_ref", metavar="DRAFT")
@click.argument("participant_ref", metavar="PARTICIPANT")
@click.option("--at", "when", help="When it went (default: now), e.g. '3 June 10:00'.")
@pass_context
def draft_send(obj: Context, draft_ref: str, participant_ref: str, when: str | None) -> None:
    """Record that a draft went to a participant."""
    from facilitator.dialogue.records import record_send

    review = obj.group_review_id()
    echo(
        record_send(
            obj.store,
            review,
            _draft_id(obj, review, draft_ref),
            obj.participant_id(participant_ref, review),
            _when(when, past=True) if when else None,
        )
    )


# --- comment --------------------------------------------------------------------------


@click.group()
@click.argument("review_ref", metavar="REVIEW")
@click.pass_context
def comment(ctx: click.Context, review_ref: str) -> None:
    """Participants' comments on drafts, and the team's answers.

    Every comment gets an answer: accepted, declined (with the reason) or noted.
    """
    ctx.meta["review_ref"] = review_ref


@comment.command("import")
@click.argument("draft_ref", metavar="DRAFT")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--from", "participant_ref", required=True, metavar="PARTICIPANT",
              help="Who sent the file back.")  # fmt: skip
@click.option("--force", is_flag=True,
              help="Import a file that is not this participant's pack of DRAFT.")  # fmt: skip
@pass_context
def comment_import(
    obj: Context, draft_ref: str, file: Path, participant_ref: str, force: bool
) -> None:
    """Read the Word comments and tracked changes in a returned pack; prints each new
    comment's id. Importing the same file again adds nothing. A file that is another
    participant's pack, a pack of another draft, or no pack at all is refused unless
    --force is given."""
    from facilitator.dialogue.records import sends
    from facilitator.dialogue.word import import_returned
    from facilitator.importers import ImportProblem

    review = obj.group_review_id()
    draft_id = _draft_id(obj, review, draft_ref)
    participant = obj.participant_id(participant_ref, review)
    try:
        result = import_returned(obj.store, review, draft_id, participant, file, force=force)
    except ImportProblem as exc:
        raise UserError(f"{exc}; nothing was imported") from None
    for comment_id in result.added:
        echo(comment_id)
    summary = f"{len(result.added)} comment(s) imported"
    if result.already:
        summary += f", {result.already} already imported from this file"
    if result.not_found:
        summary += (
            f"; {result.not_found} marked 'anchor not found' (the text they are on no longer "
            "matches the draft: the quoted passage is kept)"
        )
    echo(summary, err=True)
    for line in result.skipped:
        echo(f"note: {line}", err=True)
    if not any(
        s.draft == draft_id and s.participant == participant for s in sends(obj.store, review)
    ):
        echo(
            "note: this draft is not recorded as sent to them "
            "(record it with 'facilitator draft REVIEW send DRAFT PARTICIPANT')",
            err=True,
        )


@comment.command("add")
@click.argument("draft_ref", metavar="DRAFT")
@click.argument("text")
@click.option("--from", "participant_ref", required=True, metavar="PARTICIPANT",
              help="Whose comment it is.")  # fmt: skip
@click.option(
    "--on",
    "on",
    metavar="REF",
    help="What it is about: an episode (E2), 'pattern ID' or 'chronology ID' "
    "(ID: the label in the draft's number, e.g. 'pattern 1', or an id prefix), or "
    "'record' (or its label, C2) for the participant's own record.",
)
@pass_context
def comment_add(
    obj: Context, draft_ref: str, text: str, participant_ref: str, on: str | None
) -> None:
    """Record a comment given another way (by email, by phone); prints its id."""
    from facilitator.dialogue.model import ANCHOR_FOUND
    from facilitator.dialogue.records import add_comment
    from facilitator.dialogue.records import draft as read_draft
    from facilitator.dialogue.targets import TargetProblem, find_target

    review = obj.group_review_id()
    frozen = read_draft(obj.store, review, _draft_id(obj, review, draft_ref))
    participant = obj.participant_id(participant_ref, review)
    fields = {"draft": frozen.id, "participant": participant, "text": text.strip()}
    if on:
        try:
            who = obj.store.participant(participant).label
            kind, target, label = find_target(frozen, on, participant, who)
        except TargetProblem as exc:
            raise UserError(str(exc)) from None
        fields.update(target_kind=kind, target=target, target_label=label, anchor=ANCHOR_FOUND)
    echo(add_comment(obj.store, review, fields))


@comment.command("list")
@click.option("--open", "only_open", is_flag=True, help="Only comments not yet answered.")
@click.option("--json", "as_json", is_flag=True, help="As JSON, for other programs.")
@pass_context
def comment_list(obj: Context, only_open: bool, as_json: bool) -> None:
    """Comments on the drafts, with what each is on and its answer."""
    from facilitator.dialogue.board import comment_line
    from facilitator.dialogue.export import comment_data
    from facilitator.dialogue.records import comments, drafts, remember_labels

    review = obj.group_review_id()
    every = comments(obj.store, review)
    remember_labels(obj.store, review, every)  # what K7 means to this reviewer now
    found = [c for c in every if c.open or not only_open]
    if as_json:
        echo_json([comment_data(c) for c in found])
        return
    if not found:
        echo("No unanswered comments." if only_open else "No comments yet.")
        return
    people = {p.id: p for p in obj.store.participants(review)}
    labels = {d.id: d.label for d in drafts(obj.store, review)}
    for item in found:
        echo(comment_line(item, people, labels))


@comment.command("respond")
@click.argument("comment_ref", metavar="COMMENT")
@click.option("--accept", is_flag=True, help="The draft will change.")
@click.option("--decline", is_flag=True, help="Give the reason with --note.")
@click.option("--noted", is_flag=True, help="Taken into account, no change.")
@click.option("--note", default="", help="The answer's wording (required to decline).")
@pass_context
def comment_respond(
    obj: Context, comment_ref: str, accept: bool, decline: bool, noted: bool, note: str
) -> None:
    """Answer a comment: accepted, declined with a reason, or noted. Answering again
    replaces the answer; the earlier one is kept, and 'comment list' and the board show
    every answer a comment was given ("answered twice: ...; the later stands")."""
    from facilitator.dialogue.records import comments, moved_label, respond

    chosen = [r for r, on in (("accepted", accept), ("declined", decline), ("noted", noted)) if on]
    if not chosen:
        raise UserError("say how the comment is answered: --accept, --decline or --noted")
    if len(chosen) > 1:
        raise UserError("give only one of --accept, --decline or --noted")
    review = obj.group_review_id()
    comment_id = obj.store.resolve("dialogue_comments", comment_ref, review=review)
    moved = moved_label(obj.store, review, comment_ref, comment_id)
    if moved:
        raise UserError(f"{moved}; nothing was answered")
    record = next(c for c in comments(obj.store, review) if c.id == comment_id)
    before = record.answer
    respond(obj.store, review, comment_id, chosen[0], note)
    echo(comment_id)
    # Which comment it was, in words: after a sync a label may name another laptop's.
    words = " ".join(record.text.split())
    words = words if len(words) <= 60 else words[:59] + "…"
    who = obj.store.labels("participants", review).get(record.participant, "?")
    echo(f"{chosen[0]}: {record.label} from {who}: “{words}”", err=True)
    if before is not None:
        reason = f" ({before.note})" if before.note else ""
        echo(
            f"note: this replaces the earlier answer: {before.response}{reason}; "
            "the earlier answer is kept in the comment's history",
            err=True,
        )


# --- meeting and the board ------------------------------------------------------------


@click.group()
@click.argument("review_ref", metavar="REVIEW")
@click.pass_context
def meeting(ctx: click.Context, review_ref: str) -> None:
    """Group meetings with participants: preliminary, interim and closing.

    Each meeting is a conversation with several participants: take its notes with
    'facilitator notes CONVERSATION', in the same screen and grammar.
    """
    ctx.meta["review_ref"] = review_ref


@meeting.command("new")
@click.argument("kind", type=click.Choice(MEETING_KINDS), metavar="KIND")
@click.option("--at", "when", required=True, help="When it is held, e.g. '10 June 12:00'.")
@click.option("--attended", default="", metavar="P1,P2,…", help="Who came, comma-separated.")
@click.option("--lead", help="Who leads the meeting for the review team.")
@pass_context
def meeting_new(obj: Context, kind: str, when: str, attended: str, lead: str | None) -> None:
    """Record a group meeting; prints its id. Its notes are taken in a conversation of
    its own (named on stderr); 'facilitator meeting REVIEW guide KIND' shows the lead's
    guide."""
    from facilitator.dialogue.records import new_meeting

    review = obj.group_review_id()
    people = [obj.participant_id(t, review) for t in attended.split(",") if t.strip()]
    if attended.strip() and not people:
        raise UserError(f"--attended {attended!r} names nobody: give labels such as P1,P2")
    at = _when(when, past=False)
    meeting_id, conversation = new_meeting(obj.store, review, kind, at, people, lead=lead)
    echo(meeting_id)
    label = obj.store.conversation(conversation).label
    # Both ways of taking its notes: live in the app, or typed up afterwards (each note's
    # time with --at; the first one starts the meeting's conversation).
    echo(
        f"take its notes with 'facilitator notes {label}', or type them up with "
        f"'facilitator note add {label} TEXT --at WHEN'",
        err=True,
    )


@meeting.command("guide")
@click.argument("kind", type=click.Choice(MEETING_KINDS), metavar="KIND")
@pass_context
def meeting_guide(obj: Context, kind: str) -> None:
    """The lead's guide for this kind of meeting (guides/meetings.md)."""
    from facilitator.dialogue.guides import load_meeting_guides

    guide = load_meeting_guides(obj.guides)[kind]
    echo(guide.title)
    echo()
    if guide.text:
        echo(guide.text)
    for prompt in guide.prompts:
        echo(f"- {prompt}")


@click.command("dialogue")
@click.argument("review_ref", metavar="REVIEW")
@pass_context
def dialogue(obj: Context, review_ref: str) -> None:
    """The dialogue board: drafts and who had which, comments and answers, meetings."""
    from facilitator.dialogue.board import board_lines
    from facilitator.dialogue.records import board, remember_labels

    review = obj.review_id(review_ref)
    talks = {c.id: c.label for c in obj.store.conversations(review)}
    found = board(obj.store, review)
    remember_labels(obj.store, review, found.comments)
    for line in board_lines(found, obj.store.participants(review), talks):
        echo(line)


COMMANDS = [draft, comment, meeting, dialogue]
