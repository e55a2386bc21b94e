"""export REVIEW --format json|md|docx|qdpx [--what ...] [--final [--everyday WORD]] [-o PATH]."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo, echo_file_bytes, echo_json_text

FORMATS = ("json", "md", "docx", "qdpx")
WHAT = ("record", "narrative", "episodes", "findings", "plan", "all")


@click.command()
@click.argument("review_ref", metavar="REVIEW")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "--what",
    type=click.Choice(WHAT),
    default="all",
    show_default=True,
    help="Which part of the review (md and docx). With --final: narrative, episodes, "
    "findings or all (the findings report); records and plans are never public.",
)
@click.option(
    "--final",
    is_flag=True,
    help="The public findings report: roles, pseudonyms, no places, no working material. "
    "What people wrote is redacted (a month next to a day or year, as in 3 May 2024, is a "
    "date); private lines (>> or ?, also after tags) and titles typed in them are left "
    "out, and a ! line is the review team's observation, never the participant's account. "
    "A final qdpx is a pseudonymised dataset for research: it holds the accounts (each "
    "note's public part) and the imported records in full (without their private lines), "
    "all redacted and scanned like the report.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file."
)
@click.option(
    "--everyday",
    "everyday",
    multiple=True,
    metavar="WORD",
    help='With --final: a name part that is also an everyday word ("will" of Will '
    "Young) is the word wherever written in lower case. Without it, --final stops and "
    "lists those uses. Repeat for each word.",
)
@pass_context
def export(
    obj: Context,
    review_ref: str,
    fmt: str,
    what: str,
    final: bool,
    output: Path | None,
    everyday: tuple[str, ...] = (),
) -> None:
    """Export a review. JSON and Markdown go to stdout unless -o is given; Word and
    REFI-QDA files are written to -o, or to a file named after the review."""
    review_id = obj.review_id(review_ref)
    if fmt in ("json", "qdpx") and what != "all":
        raise UserError(f"--what applies to md and docx; {fmt} always holds the whole review")
    if fmt == "json":
        if final:
            raise UserError("--final applies to md, docx and qdpx reports, not the JSON dump")
        from facilitator.reports.json_export import dumps

        text = dumps(obj.store, review_id)
        if output is None or str(output) == "-":
            echo_json_text(text, nl=False)
            return
        _emit(text.encode("utf-8"), output, obj.store.path, to_stdout=False)
        return
    from facilitator.reports.export import export as build
    from facilitator.reports.redaction import LeakFound

    try:
        data = build(
            obj.store, obj.method, review_id, fmt, what=what, final=final, everyday=everyday
        )
    except LeakFound as exc:
        for leak in exc.leaks:
            echo(f"  {leak.line()}", err=True)
        raise UserError(
            f"the final report still contains {len(exc.leaks)} registered identifier(s) or "
            "contact detail(s), listed above; nothing was written. Register a name with "
            "'facilitator redact REVIEW add TEXT --as REPLACEMENT' or edit the notes, then "
            "export again"
        ) from None
    chosen = output is not None
    if output is None and fmt != "md":
        label = obj.store.review(review_id).label
        output = Path(f"{label}-{what}{'-final' if final else ''}.{fmt}")
    _emit(data, output, obj.store.path, to_stdout=fmt == "md", chosen=chosen)


def _emit(
    data: bytes, output: Path | None, store: Path, *, to_stdout: bool, chosen: bool = True
) -> None:
    """Write an export to -o (``-`` is standard output), or print it. ``chosen`` is False
    for a name the program picked: a file of that name is kept, and a free name used."""
    if output is None and to_stdout:
        echo(data.decode("utf-8"), nl=False, block=True)
        return
    assert output is not None
    if str(output) == "-":
        if to_stdout:  # text, shown safely as without -o
            echo(data.decode("utf-8"), nl=False, block=True)
        else:
            echo_file_bytes(data, what="this file")
        return
    from facilitator.files import OutputRefused, free_name, write_output

    named = output
    if not chosen:
        output = free_name(output)
    try:
        write_output(output, data, store)
    except OutputRefused as exc:
        raise UserError(f"{exc}; nothing was written") from None
    echo(str(output))
    if output != named:
        echo(f"{named} is already there and was kept; wrote {output} instead", err=True)


COMMANDS = [export]
