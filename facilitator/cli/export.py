"""export REVIEW --format json (further formats register in facilitator.reports)."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.context import Context, UserError, pass_context

FORMATS = ("json", "md", "docx", "qdpx")


@click.command()
@click.argument("review_ref", metavar="REVIEW")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--final", is_flag=True, help="A public version: roles, pseudonyms, no places.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file."
)
@pass_context
def export(obj: Context, review_ref: str, fmt: str, final: bool, output: Path | None) -> None:
    """Export a review (JSON goes to stdout unless -o is given)."""
    review_id = obj.review_id(review_ref)
    if fmt == "json":
        if final:
            raise UserError("--final applies to md, docx and qdpx reports, not the JSON dump")
        from facilitator.reports.json_export import dumps

        text = dumps(obj.store, review_id)
        if output:
            from facilitator.reports.files import write_private_text

            write_private_text(output, text)
            click.echo(str(output))
        else:
            click.echo(text)
        return
    raise UserError(f"the {fmt} format is not available in this version yet")


COMMANDS = [export]
