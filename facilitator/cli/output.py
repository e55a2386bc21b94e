"""Everything the CLI prints goes through here: text for people is made safe to show
(see :mod:`facilitator.safe_text`), JSON is escaped but never altered."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from facilitator.safe_text import json_safe, one_line, visible


def echo(message: object = "", *, err: bool = False, nl: bool = True, block: bool = False) -> None:
    """Print a line for a person to read; control characters are shown, never obeyed.
    A line is one line: breaks in the user's text within it are shown (a title cannot
    forge rows or messages). ``block`` is for text of many lines made by the program (a
    Markdown report, the grammar help), whose line breaks and tabs stay."""
    click.echo(visible(str(message)) if block else one_line(str(message)), err=err, nl=nl)


def echo_progress(message: object, *, done: bool) -> None:
    """A progress line on stderr, written over by the next until ``done``."""
    click.echo(one_line(str(message)), err=True, nl=False)
    click.echo("\n" if done else "\r", err=True, nl=False)


def field(value: object) -> str:
    """A value from the user (a title, a role, a note) for a place within one line: its
    line breaks and tabs shown, so it cannot forge list rows or messages."""
    return one_line(str(value))


def echo_json(data: Any) -> None:
    """Print ``data`` as JSON for programs: every value is exactly what the store holds."""
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False)))


def echo_json_text(dumped: str, *, nl: bool = True) -> None:
    """Print JSON text already made (the review's JSON export)."""
    click.echo(json_safe(dumped), nl=nl)


def echo_file_bytes(data: bytes, *, what: str) -> None:
    """A file's bytes to standard output (``-o -``), as they would be written to a file.
    Refused on a terminal: a Word file or an archive there is noise and may hold codes."""
    if sys.stdout.isatty():
        raise click.ClickException(
            f"will not write {what} to the terminal; redirect it: ... -o - > FILE"
        )
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
