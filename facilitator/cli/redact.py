"""redact REVIEW add TEXT --as REPLACEMENT | redact REVIEW list | redact REVIEW remove ID."""

from __future__ import annotations

import click

from facilitator.cli.context import Context, pass_context
from facilitator.cli.output import echo


@click.group()
@click.argument("review_ref", metavar="REVIEW")
@click.pass_context
def redact(ctx: click.Context, review_ref: str) -> None:
    """The register of names and places taken out of final reports.

    Participants' names are registered automatically (professionals become their role,
    family members their pseudonym); add places, other people and anything else here.
    """
    ctx.meta["review_ref"] = review_ref


@redact.command("add")
@click.argument("text")
@click.option("--as", "replacement", required=True, help="What the final report says instead.")
@pass_context
def redact_add(obj: Context, text: str, replacement: str) -> None:
    """Register TEXT to be replaced in final reports; prints the entry's id."""
    from facilitator.reports.redaction import add

    echo(add(obj.store, obj.group_review_id(), text, replacement))


@redact.command("list")
@pass_context
def redact_list(obj: Context) -> None:
    """Everything final reports replace, with where each entry came from."""
    from facilitator.reports.redaction import Register

    register = Register.for_review(obj.store, obj.group_review_id())
    if not register.entries:
        echo("Nothing registered yet: add with 'facilitator redact REVIEW add TEXT --as R'")
    for entry in sorted(register.entries, key=lambda e: (e.source, e.text.lower())):
        ident = entry.id[:8] if entry.source == "team" else "auto"
        echo(f"{ident:<9} {entry.source:<12} {entry.text!r} -> {entry.replacement!r}")


@redact.command("remove")
@click.argument("entry_ref", metavar="ID")
@pass_context
def redact_remove(obj: Context, entry_ref: str) -> None:
    """Take a team entry off the register (participants' names cannot be removed)."""
    review = obj.group_review_id()
    entry = obj.store.resolve("redactions", entry_ref, review=review)
    obj.store.delete(review, "redaction", entry)


COMMANDS = [redact]
