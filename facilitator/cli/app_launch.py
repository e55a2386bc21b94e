"""Opening the Textual app (imported only when a screen is needed)."""

from __future__ import annotations

import sys

import click

from facilitator.cli.context import Context, UserError, pass_context


def open_app(
    obj: Context,
    *,
    conversation: str | None = None,
    role: str | None = None,
    review: str | None = None,
) -> None:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise UserError("the app needs a terminal; run it in an interactive terminal window")
    obj.method  # fail on a broken guide before the screen opens  # noqa: B018
    from facilitator.tui.app import run

    run(obj.service, conversation=conversation, role=role, review=review)


@click.command("notes")
@click.argument("conversation_ref", metavar="CONVERSATION")
@pass_context
def notes_cmd(obj: Context, conversation_ref: str) -> None:
    """Open a conversation as the note-taker."""
    conversation = obj.conversation(conversation_ref)
    open_app(obj, conversation=conversation.id, role="notes", review=conversation.review)


@click.command("lead")
@click.argument("conversation_ref", metavar="CONVERSATION")
@click.option(
    "--split", is_flag=True, help="One laptop: lead and take notes side by side in one window."
)
@pass_context
def lead_cmd(obj: Context, conversation_ref: str, split: bool) -> None:
    """Open a conversation as the lead questioner."""
    conversation = obj.conversation(conversation_ref)
    role = "split" if split else "lead"
    open_app(obj, conversation=conversation.id, role=role, review=conversation.review)


COMMANDS = [notes_cmd, lead_cmd]
