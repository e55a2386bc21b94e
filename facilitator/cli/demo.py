"""demo: a fictional review to try everything on."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from facilitator.cli.context import Context, pass_context
from facilitator.cli.output import echo


def demo_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("facilitator", appauthor=False)) / "demo.db"


@click.command()
@click.option("--no-open", is_flag=True, help="Build the demo and print where, without the app.")
@pass_context
def demo(obj: Context, no_open: bool) -> None:
    """Build a fictional review (in a separate demo store) and open the app on it.

    Without --store, the demo lives in its own file beside your real store and is built
    afresh each time, so your own reviews are never touched.
    """
    from facilitator.demo import build_demo

    if obj.store_path is None:
        path = demo_store_path()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        obj.store_path = path
    review_id = build_demo(obj.service)
    store = obj.store
    people = store.participants(review_id)
    talks = store.conversations(review_id)
    echo(f"Demo review built in {store.path}")
    echo(f"  {store.review(review_id).title}")
    echo(
        f"  {len(people)} participants from {len({p.agency for p in people})} agencies, "
        f"{len(talks)} conversations ({sum(c.status == 'done' for c in talks)} done), "
        f"{store.count('notes', review_id)} notes, {len(store.episodes(review_id))} episodes, "
        f"{len(store.follow_ups(review_id))} follow-ups"
    )
    if no_open or not sys.stdin.isatty() or not sys.stdout.isatty():
        echo(f"Open it with: facilitator --store {store.path}")
        return
    from facilitator.cli.app_launch import open_app

    open_app(obj, review=review_id)


COMMANDS = [demo]
