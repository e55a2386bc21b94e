"""store rebuild | store check."""

from __future__ import annotations

import sys

import click

from facilitator.cli.context import Context, pass_context
from facilitator.cli.output import echo


@click.group("store")
def store_group() -> None:
    """Look after the local store file."""


@store_group.command("rebuild")
@pass_context
def store_rebuild(obj: Context) -> None:
    """Rebuild every table from the op log (nothing is lost: the log is the record)."""
    applied, parked = obj.store.rebuild()
    echo(f"Rebuilt from {applied + parked} ops: {applied} applied, {parked} parked.")
    if parked:
        echo(
            f"{parked} ops are kept but not applied: from a newer version of facilitator "
            "(applied after an upgrade), malformed, or one op's id with two contents.",
        )


@store_group.command("check")
@pass_context
def store_check(obj: Context) -> None:
    """Check the file's integrity and that the tables match the op log."""
    report = obj.store.check()
    echo(f"Store: {obj.store.path}")
    echo(f"Device {obj.store.device}, epoch {obj.store.epoch}; {report.ops} ops in the log.")
    if report.parked:
        echo(
            f"{report.parked} ops are parked, kept but not applied (from a newer version, "
            "malformed, or one op's id with two contents)."
        )
    rows = ", ".join(f"{table} {n}" for table, n in report.tables.items() if n)
    echo(f"Rows: {rows or 'none'}")
    if report.ok:
        echo("OK: integrity check passed and every table matches the op log.")
        return
    for problem in report.problems:
        echo(f"problem: {problem}", err=True)
    sys.exit(1)


@store_group.command("compact")
@pass_context
def store_compact(obj: Context) -> None:
    """Rewrite the file without free space, so nothing deleted (a purged review) stays in it."""
    from facilitator.store.purge import compact

    before = obj.store.path.stat().st_size
    compact(obj.store)
    echo(f"Compacted: {before // 1024} KB -> {obj.store.path.stat().st_size // 1024} KB.")


COMMANDS = [store_group]
