"""note add: the same grammar as the note-taker's box."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, parse_when_option, pass_context


@click.group()
def note() -> None:
    """Add notes from the command line."""


@note.command("add")
@click.argument("conversation_ref", metavar="CONVERSATION")
@click.argument("text")
@click.option("--at", "when", help="When the note was taken (default: now).")
@click.option("--stage", type=click.IntRange(1, 9), help="Stage (default: the current one).")
@pass_context
def note_add(
    obj: Context, conversation_ref: str, text: str, when: str | None, stage: int | None
) -> None:
    """Save a note; prints its id. Problems with tags are reported on stderr."""
    if not text.strip():
        raise click.BadParameter("the note is empty", param_hint="TEXT")
    conversation = obj.conversation(conversation_ref)
    recorded = obj.service.record_note(conversation, text, at=parse_when_option(when), stage=stage)
    click.echo(recorded.note_id)
    for problem in recorded.problems:
        click.echo(f"warning: {problem}", err=True)


COMMANDS = [note]
