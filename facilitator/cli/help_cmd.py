"""help: the note grammar on the command line (the app shows the same text under F1)."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, pass_context
from facilitator.cli.output import echo


@click.group("help")
def help_group() -> None:
    """Reference texts: 'facilitator help tags' lists the note grammar."""


@help_group.command("tags")
@pass_context
def help_tags(obj: Context) -> None:
    """Note kinds, @factor areas, @lr- prompts, #episode links and #new."""
    from facilitator.grammar_help import grammar_text

    echo(grammar_text(obj.method), nl=False, block=True)


COMMANDS = [help_group]
