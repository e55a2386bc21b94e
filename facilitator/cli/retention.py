"""review archive | review restore | review purge: keeping a review for its retention
period, then removing it from this laptop."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from facilitator.cli import reviews
from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo
from facilitator.cli.sync_cmds import _passphrase, passphrase_file_option


@click.command("archive")
@click.argument("review_ref", metavar="REVIEW")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
    help="The archive file to write.",
)  # fmt: skip
@passphrase_file_option
@pass_context
def review_archive(obj: Context, review_ref: str, output: Path, passphrase_file: Path | None):
    """Write everything of a review to one encrypted file (asks for a passphrase);
    'review restore FILE' brings it back. Prints the file's name."""
    from facilitator.archive import seal_archive
    from facilitator.cli.output import echo_file_bytes
    from facilitator.files import OutputRefused, output_target, write_output

    review = obj.review_id(review_ref)
    to_stdout = str(output) == "-"
    try:
        if not to_stdout:
            output_target(output, obj.store.path)  # refused before the passphrase is asked
    except OutputRefused as exc:
        raise UserError(f"{exc}; nothing was written") from None
    passphrase = _passphrase(passphrase_file, confirm=True)
    data, count = seal_archive(obj.store, review, passphrase)
    if to_stdout:
        echo_file_bytes(data, what="an archive")
    else:
        try:
            write_output(output, data, obj.store.path)
        except OutputRefused as exc:
            raise UserError(f"{exc}; nothing was written") from None
        echo(str(output))
    echo(f"Archived {count} changes of {obj.store.review(review).label}.", err=True)


@click.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@passphrase_file_option
@pass_context
def review_restore(obj: Context, file: Path, passphrase_file: Path | None) -> None:
    """Bring a review back from an archive file (asks for its passphrase); prints its id."""
    from facilitator.archive import restore_archive

    passphrase = _passphrase(passphrase_file, confirm=False)
    restored = restore_archive(obj.store, file, passphrase)
    echo(restored.review)
    label = obj.store.review(restored.review).label
    already = restored.ops - restored.new
    held = f" ({already} were already here)" if already else ""
    echo(f"Restored {label} {restored.title}: {restored.new} changes taken in{held}.", err=True)


@click.command("purge")
@click.argument("review_ref", metavar="REVIEW")
@click.option("--confirm", "confirmation", metavar="TITLE", help="The review's title, to confirm.")
@pass_context
def review_purge(obj: Context, review_ref: str, confirmation: str | None) -> None:
    """Remove a review and everything of it from this laptop, after a confirmation that
    names it. Keep an archive first if it must be kept ('review archive')."""
    from facilitator.store.purge import purge_review

    store = obj.store
    review = store.review(obj.review_id(review_ref))
    conversations = store.count("conversations", review.id)
    notes = store.count("notes", review.id)
    documents = store.count("documents", review.id)
    what = (
        f'{review.label} "{review.title}": {conversations} conversation(s), {notes} note(s), '
        f"{documents} document(s)"
    )
    if confirmation is None:
        if not sys.stdin.isatty():
            raise UserError(
                f"purging {review.label} needs confirmation: give --confirm with its title, "
                "or run in a terminal"
            )
        echo(f"This removes {what} from this laptop. It cannot be undone here.", err=True)
        confirmation = click.prompt("Type the review's title to confirm", err=True)
    if " ".join(confirmation.split()).casefold() != " ".join(review.title.split()).casefold():
        raise UserError(f"that is not the title of {review.label}; nothing was purged")
    _tell_the_share(obj, review.id, review.label)
    purged = purge_review(store, review.id)
    echo(f"Purged {what} ({purged.ops} changes) from this laptop.", err=True)


def _tell_the_share(obj: Context, review: str, label: str) -> None:
    """On a shared review, leave the signed marker that makes other laptops offer to purge
    it too, and forget this laptop's copy of its key."""
    from facilitator.sync.layout import ShareProblem
    from facilitator.sync.purge import forget_key, leave_marker, shared_folder

    shared = shared_folder(obj.store, review)
    if shared is None:
        return
    folder, key = shared
    try:
        leave_marker(folder, review, key, obj.store.device)
        echo(f"Left a purged marker in {folder}: other laptops will offer to purge it.", err=True)
    except ShareProblem as exc:
        echo(
            f"warning: {exc}; other laptops were not told: purge {label} on each of them",
            err=True,
        )
    forget_key(obj.store, review)


reviews.review.add_command(review_archive)
reviews.review.add_command(review_restore)
reviews.review.add_command(review_purge)

COMMANDS: list[click.Command] = []
