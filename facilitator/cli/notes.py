"""note add: the same grammar as the note-taker's box."""

from __future__ import annotations

from datetime import timedelta

import click

from facilitator.capture import blank
from facilitator.cli.context import Context, UserError, parse_when_option, pass_context
from facilitator.cli.output import echo
from facilitator.dates import parse_moment
from facilitator.model import Conversation


@click.group()
def note() -> None:
    """Add notes from the command line."""


@note.command("add")
@click.argument("conversation_ref", metavar="CONVERSATION")
@click.argument("text")
@click.option("--at", "when", help="When the note was taken (default: now).")
@click.option("--stage", type=click.IntRange(1, 9), help="Stage (default: the current one).")
@click.option("--cite", "document_ref", help="An imported document this note draws on.")
@click.option("--passage", help="The passage of that document (with --cite).")
@pass_context
def note_add(
    obj: Context,
    conversation_ref: str,
    text: str,
    when: str | None,
    stage: int | None,
    document_ref: str | None,
    passage: str | None,
) -> None:
    """Save a note; prints its id. Problems with tags are reported on stderr.

    A conversation that is only planned is started with its first note, at the note's
    moment (--at, or now), and stderr says so. If it is planned for another day, give
    --at (the note's time; '--at now' starts it now)."""
    if blank(text):  # spaces or only invisible characters (a zero-width space) too
        raise click.BadParameter("the note is empty", param_hint="TEXT")
    if passage and not document_ref:
        raise click.UsageError("--passage needs --cite DOCUMENT")
    conversation = obj.conversation(conversation_ref)
    if when is None:
        _refuse_a_start_far_from_its_plan(conversation, obj.store.now_iso())
    document = None
    if document_ref:
        document = obj.store.resolve("documents", document_ref, review=conversation.review)
        if passage and passage.strip() not in obj.store.document(document).text:
            raise UserError("that passage is not in the document (copy it exactly)")
    recorded = obj.service.record_note(
        conversation,
        text,
        at=parse_when_option(when),
        stage=stage,
        document=document,
        passage=passage.strip() if passage else None,
        start=True,
    )
    echo(recorded.note_id)
    if recorded.started:
        saved = obj.store.note(recorded.note_id)
        stage = f" (stage {saved.stage})" if saved is not None and saved.stage else ""
        echo(
            f"{conversation.label} was only planned: started at {_minute(recorded.started)}, "
            f"with this note{stage}.",
            err=True,
        )
    for problem in recorded.problems:
        echo(f"warning: {problem}", err=True)
    if any(problem.startswith("@") for problem in recorded.problems):
        echo("'facilitator help tags' lists the factor areas and prompts.", err=True)


def _minute(at: str) -> str:
    from facilitator.dates import uk_moment

    return uk_moment(at[:16])


def _refuse_a_start_far_from_its_plan(conversation: Conversation, now: str) -> None:
    """A note without --at on a conversation planned for another day: typed up after a
    meeting, most likely. Started now, it would put the conversation's start (and every
    note typed up with its real time) on the wrong day, so the time is asked for."""
    if conversation.started_at or not conversation.planned_at:
        return
    planned, moment = parse_moment(conversation.planned_at), parse_moment(now)
    if planned is None or moment is None or abs(moment - planned) <= timedelta(hours=12):
        return
    raise UserError(
        f"{conversation.label} is planned for {_minute(conversation.planned_at)} and has not "
        "started: give the note's time with --at, and the conversation starts then "
        "(--at now starts it now)"
    )


@note.command("team")
@click.argument("text")
@click.option("--review", "review_ref", help="The review (needed when there are several).")
@click.option("--cite", "document_ref", help="An imported document the note is about.")
@click.option("--passage", help="The passage of that document (with --cite).")
@click.option("--at", "when", help="When the note was taken (default: now).")
@pass_context
def note_team(
    obj: Context,
    text: str,
    review_ref: str | None,
    document_ref: str | None,
    passage: str | None,
    when: str | None,
) -> None:
    """Save a working note of the review team's own, on the review or on a record: it
    belongs to no participant's conversation and is always shown as the team's. Same
    grammar as any note (#2, @factor); prints its id."""
    if blank(text):  # spaces or only invisible characters (a zero-width space) too
        raise click.BadParameter("the note is empty", param_hint="TEXT")
    if passage and not document_ref:
        raise click.UsageError("--passage needs --cite DOCUMENT")
    review = obj.review_id(review_ref)
    document = None
    if document_ref:
        document = obj.store.resolve("documents", document_ref, review=review)
        if passage and passage.strip() not in obj.store.document(document).text:
            raise UserError("that passage is not in the document (copy it exactly)")
    recorded = obj.service.record_team_note(
        review,
        text,
        at=parse_when_option(when),
        document=document,
        passage=passage.strip() if passage else None,
    )
    echo(recorded.note_id)
    for problem in recorded.problems:
        echo(f"warning: {problem}", err=True)


@note.command("team-list")
@click.option("--review", "review_ref", help="The review (needed when there are several).")
@pass_context
def note_team_list(obj: Context, review_ref: str | None) -> None:
    """The review team's working notes, oldest first, with what each cites."""
    from facilitator.analysis.episodes import TEAM_SOURCE
    from facilitator.capture import plain_with_tags

    review = obj.review_id(review_ref)
    documents = {d.id: d for d in obj.store.documents(review)}
    labels = {e.id: e.label for e in obj.store.episodes(review)}
    notes = [n for n in obj.store.notes(review=review) if n.conversation == TEAM_SOURCE]
    if not notes:
        echo("No working notes of the team's yet: add one with 'facilitator note team'.")
    for n in notes:
        cited = documents.get(n.document or "")
        where = f"  (on {cited.title})" if cited else ""
        # The words, the factors in words and the episodes linked now, not the raw tags.
        linked = [labels[e] for e in n.episodes if e in labels]
        said = plain_with_tags(n.text, obj.method) + (f" ({', '.join(linked)})" if linked else "")
        echo(f"{n.at[:16].replace('T', ' ')}  {said}{where}")


COMMANDS = [note]
