"""reviewer [NAME]: the name this store writes on notes, comments and REFI-QDA users."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, pass_context
from facilitator.cli.output import echo


@click.command()
@click.argument("name", required=False)
@pass_context
def reviewer(obj: Context, name: str | None) -> None:
    """Show your name as this store writes it, or set it to NAME (kept for this store)."""
    store = obj.store
    if name is not None:
        store.set_reviewer(name)
    elif not store.reviewer:
        echo("No name yet: set it with 'facilitator reviewer \"Your Name\"'.")
        return
    echo(store.reviewer)


COMMANDS = [reviewer]
