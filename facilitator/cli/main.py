"""Entry point: global options, command registration, and one-line errors."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import click

from facilitator.cli.context import Context, UserError, debug_enabled
from facilitator.cli.output import echo


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="FACILITATOR_STORE",
    help="The local store file (default: your user data folder). Env: FACILITATOR_STORE.",
)
@click.option(
    "--as",
    "author",
    envvar="FACILITATOR_AS",
    help="Your name on what you write, for this run (see 'facilitator reviewer').",
)
@click.option(
    "--guides",
    type=click.Path(file_okay=False),
    envvar="FACILITATOR_GUIDES",
    help="A folder of edited guides to use instead of the built-in ones.",
)
@click.version_option(package_name="facilitator")
@click.pass_context
def cli(ctx: click.Context, store_path: Path | None, author: str | None, guides: str | None):
    """facilitator: structured notes and guidance for case review conversations.

    With no command, opens the app's home screen.
    """
    if store_path is not None:
        store_path = store_path.expanduser()  # quoted, '~/x.db' made a folder named '~'
    ctx.obj = Context(store_path=store_path, author=author, guides=guides)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand in (None, "reviewer", "demo", "notes", "lead"):
        ctx.obj.ask_name = False  # the app, or the command itself, asks
    if ctx.invoked_subcommand is None:
        from facilitator.cli.app_launch import open_app

        open_app(ctx.obj)


def _register() -> None:
    from facilitator.cli import (
        app_launch,
        demo,
        export,
        help_cmd,
        import_cmd,
        notes,
        redact,
        retention,
        reviewer,
        reviews,
        store_cmds,
        sync_cmds,
    )

    modules = (reviews, notes, store_cmds, export, demo, app_launch, sync_cmds, redact, import_cmd)
    modules += (retention,)
    modules += (reviewer,)
    modules += (help_cmd,)
    from facilitator.cli import episodes, patterns, plan

    modules += (plan, episodes, patterns)
    from facilitator.cli import dialogue

    modules += (dialogue,)
    for module in modules:
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def _user_errors() -> tuple[type[Exception], ...]:
    """Errors the user can act on, told in one line. Called in an ``except`` clause, so
    only while an exception is being handled: ``--help`` never pays for these imports."""
    from facilitator.dates import DateProblem
    from facilitator.method import GuideError
    from facilitator.store.db import StoreError

    return (StoreError, GuideError, DateProblem)


def _utf8_arguments(argv: list[str]) -> list[str]:
    """Arguments that were not UTF-8 (Python keeps their bytes as lone surrogates, which
    no file, store or terminal accepts) with the bad bytes replaced, and said. A path that
    exists is kept as it is, so a file with such a name can still be imported."""
    fixed = []
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            if not os.path.lexists(arg):
                arg = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                echo(
                    "warning: part of the command line was not UTF-8 text; "
                    f"the bad bytes were replaced with \ufffd: {arg}",
                    err=True,
                )
        fixed.append(arg)
    return fixed


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure is one line on stderr and a non-zero exit."""
    argv = _utf8_arguments(sys.argv[1:] if argv is None else list(argv))
    try:
        cli.main(args=argv, prog_name="facilitator", standalone_mode=False)
    except click.exceptions.Abort:
        echo("Cancelled.", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        message = exc.format_message()
        if isinstance(exc, click.UsageError) and not isinstance(exc, UserError):
            # Click lays out choices on lines of their own ("Choose from:\n\tmd,\n\tdocx"):
            # one line here, as every other message is.
            message = " ".join(message.split())
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            message += f" (see '{exc.ctx.command_path} --help')"
        echo(f"facilitator: {message}", err=True)
        sys.exit(exc.exit_code if not isinstance(exc, UserError) else 1)
    except _user_errors() as exc:
        echo(f"facilitator: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        sys.exit(130)
    except (OSError, sqlite3.Error) as exc:
        if debug_enabled():
            raise
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
            exc = OSError("the store is read-only: it can be read, not changed")
        elif isinstance(exc, sqlite3.DatabaseError) and _corrupt(exc):
            exc = OSError(
                f"the store is damaged ({exc}); keep a copy of the file, and restore the "
                "review from an archive or the shared folder (see 'facilitator review "
                "restore' and 'facilitator review join')"
            )
        echo(f"facilitator: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - a traceback helps nobody in a meeting room
        if debug_enabled():
            raise
        echo(
            f"facilitator: unexpected problem ({type(exc).__name__}: {exc}); "
            "set FACILITATOR_DEBUG=1 for details",
            err=True,
        )
        sys.exit(2)


def _corrupt(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in str(exc)
