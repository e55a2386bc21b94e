"""import REVIEW FILE [--agency A]; chronology REVIEW list|accept|dismiss."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo

# Files larger than this take seconds to import: say what is happening meanwhile.
LONG_IMPORT_BYTES = 1024 * 1024


@click.command("import")
@click.argument("review_ref", metavar="REVIEW")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--agency", help="The agency whose record this is.")
@click.option("--title", help="The document's title (default: the file name).")
@pass_context
def import_cmd(
    obj: Context, review_ref: str, file: Path, agency: str | None, title: str | None
) -> None:
    """Import an agency record (.html, .docx, .md, .txt) as a document of the review;
    prints the document's id. Dated entries are offered for the chronology."""
    from facilitator.importers import ImportProblem, import_file

    review = obj.review_id(review_ref)
    # Progress is for a person watching; a script reading stderr gets one-line errors.
    long = sys.stderr.isatty() and file.is_file()
    long = long and file.stat().st_size > LONG_IMPORT_BYTES

    def progress(step: str) -> None:
        echo(f"{step}...", err=True)

    try:
        result = import_file(
            obj.store, review, file, agency=agency, title=title, progress=progress if long else None
        )
    except ImportProblem as exc:
        raise UserError(f"{exc}; nothing was imported") from None
    echo(result.document)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    if result.entries:
        count = len(result.entries)
        entries = "1 dated entry" if count == 1 else f"{count} dated entries"
        echo(f"{entries} offered: see 'facilitator chronology {review_ref} list'", err=True)


@click.group()
@click.argument("review_ref", metavar="REVIEW")
@click.pass_context
def chronology(ctx: click.Context, review_ref: str) -> None:
    """Dated entries found in imported records: accept them into episodes or dismiss them."""
    ctx.meta["review_ref"] = review_ref


@chronology.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include accepted and dismissed entries.")
@pass_context
def chronology_list(obj: Context, show_all: bool) -> None:
    """Entries in date order: id, date, status, episode, source, text."""
    review = obj.group_review_id()
    documents = {d.id: d for d in obj.store.documents(review)}
    episodes = {e.id: e.label for e in obj.store.episodes(review)}
    rows = [r for r in obj.store.rows("chronology", review) if show_all or r["status"] == "offered"]
    if not rows:
        echo("No chronology entries waiting." if not show_all else "No chronology entries.")
    for row in sorted(rows, key=lambda r: (r["date"] or "", r["created"])):
        doc = documents.get(row["document"] or "")
        where = doc.title if doc else "?"
        episode = episodes.get(row["episode"] or "", "")
        echo(
            f"{row['id'][:8]}  {row['date'] or '?':<10}  {row['status']:<9} {episode:<4} "
            f"[{where}] {' '.join((row['text'] or '').split())}"
        )


def _entry(obj: Context, review: str, token: str) -> str:
    return obj.store.resolve("chronology", token, review=review)


@chronology.command("accept")
@click.argument("entry_ref", metavar="ID")
@click.option("--episode", "episode_ref", help="The key practice episode it belongs to (E2).")
@pass_context
def chronology_accept(obj: Context, entry_ref: str, episode_ref: str | None) -> None:
    """Accept an entry into the review's chronology, optionally into an episode."""
    review = obj.group_review_id()
    entry = _entry(obj, review, entry_ref)
    fields: dict[str, str] = {"status": "accepted"}
    if episode_ref:
        fields["episode"] = obj.store.resolve("episodes", episode_ref, review=review)
    obj.store.update(review, "chronology", entry, **fields)


@chronology.command("dismiss")
@click.argument("entry_ref", metavar="ID")
@pass_context
def chronology_dismiss(obj: Context, entry_ref: str) -> None:
    """Dismiss an entry (it stays in the document and can be accepted later)."""
    review = obj.group_review_id()
    obj.store.update(review, "chronology", _entry(obj, review, entry_ref), status="dismissed")


COMMANDS = [import_cmd, chronology]
